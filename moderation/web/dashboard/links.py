"""Links staff copy and hand out: activation links of roster accounts, invitation links.

Built with the configured SERVER_NAME (gunicorn refuses to serve without it), never from
the Host header of the request.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import url_for
from flask_login import current_user

from moderation.models import Invitation, Membership
from moderation.services import accounts, invitations


def activation_links(members: Iterable[Membership]) -> dict[int, str]:
    """By user id: the activation link of each account the viewer may hand over."""
    teaching = accounts.taught_by(current_user)
    return {
        m.user_id: url_for("auth.activate", token=accounts.activation_token(m.user, current_user),
                           _external=True)
        for m in members if accounts.may_hand_over(m.user, teaching)
    }


def invitation_links(invited: Iterable[Invitation]) -> dict[int, str]:
    """By invitation id: each open invitation's link."""
    return {i.id: url_for("auth.invitation", token=invitations.token(i), _external=True)
            for i in invited}
