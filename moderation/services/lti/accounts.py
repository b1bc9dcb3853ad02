"""Linking an LMS identity to an account made here before: only when the person proves both.

The launch proves the LMS side: only a session a launch began can ask for a link, and the
link (one use, 15 minutes) names that identity. Signing in here with the account's password
proves the other. The launch-only account the identity had is then retired, its courses
handed to the linked account, if it posted nothing (its comments and grades would otherwise
belong to two people). Never by email: an address the LMS sends links nothing.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import delete, func, select

from moderation.extensions import db
from moderation.models import Comment, Grade, LtiIdentity, Membership, User
from moderation.services import audit, courses
from moderation.services.errors import Conflict, InvalidInput, NotFound

MAX_AGE = 15 * 60


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-link-account")


def offer_link(identity_id: int, user: User) -> str:
    """A one-time link token for the identity the current launch session signed in with."""
    ident = db.session.get(LtiIdentity, identity_id)
    if ident is None or ident.user_id != user.id:
        raise NotFound()
    ident.link_nonce = secrets.token_urlsafe(16)
    db.session.flush()
    return _serializer().dumps({"i": ident.id, "n": ident.link_nonce})


def offered(token: str) -> LtiIdentity:
    """The identity a link token names, if the token is current and unused."""
    try:
        data = _serializer().loads(token, max_age=MAX_AGE)
    except SignatureExpired as error:
        raise InvalidInput("This link has expired: launch from the LMS again and ask for "
                           "a new one.") from error
    except BadSignature as error:
        raise NotFound() from error
    ident = db.session.get(LtiIdentity, data.get("i")) if isinstance(data, dict) else None
    if ident is None or not ident.link_nonce or ident.link_nonce != data.get("n"):
        raise InvalidInput("This link was already used or replaced by a newer one.")
    return ident


def link(token: str, user: User) -> LtiIdentity:
    """Point the identity at `user` (signed in here); retire the launch-only account."""
    ident = offered(token)
    old = ident.user
    if old.id == user.id:
        raise InvalidInput("This LMS account already signs in as this account.")
    if user.launch_only:
        raise InvalidInput("Sign in with the password of the account you made here before.")
    posted = db.session.scalar(select(func.count()).select_from(Comment)
                               .where(Comment.author_id == old.id)) or 0
    graded = db.session.scalar(select(func.count()).select_from(Grade)
                               .where(Grade.student_id == old.id)) or 0
    if posted or graded:
        raise Conflict("The account your LMS made here has already posted or been graded, so "
                       "it cannot be merged into another one. Keep using it from the LMS.")
    for membership in list(db.session.scalars(select(Membership)
                                              .where(Membership.user_id == old.id))):
        if courses.membership_of(user, membership.course) is None:
            courses.enrol(user, membership.course, membership.role,
                          lms_user_id=membership.lms_user_id)
    db.session.execute(delete(Membership).where(Membership.user_id == old.id))
    others = list(db.session.scalars(select(LtiIdentity).where(LtiIdentity.user_id == old.id)))
    for other in others:
        other.user_id = user.id
    ident.link_nonce = None
    old.active = False
    db.session.flush()
    audit.record("lti.identity_linked", actor=user, obj=user, subject_id=user.id,
                 before={"account": old.id}, after={"issuer": ident.issuer,
                                                    "identities": len(others)})
    return ident
