"""Invitations: a place in a course kept for an address until the person there proves it.

Adding a TA, or a roster line whose address belongs to an account nobody proved, never
hands the place to whoever typed that address: an invitation waits instead. Its link
(mailed when mail is set up, and shown to staff to hand out) proves the address; opening
it enrols the person who proved it with the invitation's role and roster ids.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Course, Invitation, Membership, Role, User, utcnow
from moderation.models.invitations import new_nonce
from moderation.services import accounts, audit, mail
from moderation.services.courses import enrol, membership_of
from moderation.services.errors import Conflict, InvalidInput, NotFound

ROLE_WORDS = {Role.TA: "a TA", Role.STUDENT: "a student", Role.INSTRUCTOR: "an instructor"}


def invite(course: Course, actor: User | None, email: str, role: Role, *,
           display_name: str | None = None, section: str | None = None,
           lms_user_id: str | None = None, sis_user_id: str | None = None,
           sis_login_id: str | None = None) -> Invitation:
    """Keep a place for `email` (new, or the open invitation updated); mail its link.

    An invitation already accepted is opened again with a new link (a TA removed and
    added again). `actor` None is the administrator's command line.
    """
    email = accounts.normalise_email(email)
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.course_id == course.id, Invitation.email == email))
    if invitation is None:
        invitation = Invitation(course=course, email=email, role=role)
        db.session.add(invitation)
    elif not invitation.is_open:
        invitation.accepted_at, invitation.accepted_by_id = None, None
        invitation.nonce = new_nonce()
        invitation.created_at = utcnow()
    invitation.role = role
    invitation.display_name = display_name or invitation.display_name
    invitation.section, invitation.lms_user_id = section, lms_user_id
    invitation.sis_user_id, invitation.sis_login_id = sis_user_id, sis_login_id
    invitation.invited_by_id = actor.id if actor else None
    db.session.flush()
    audit.record("course.invited", actor=actor, course_id=course.id, obj=invitation,
                 after={"email": email, "role": role.value}, flush=False)
    _mail(invitation)
    return invitation


def _mail(invitation: Invitation) -> None:
    link = mail.link("invitation", token=token(invitation))
    if not mail.enabled() or link is None:
        return  # staff hand the link out from the course's pages
    title = mail.one_line(invitation.course.title)
    role = ROLE_WORDS[invitation.role]
    days = current_app.config["ACTIVATION_MAX_AGE_DAYS"]
    body = ["Hello,", "", f"You are invited to join \"{title}\" as {role}. Open this link to "
            "accept; if you have no account yet, you choose your password there:", "", link,
            "", f"The link works once, for {days} days. If you were not expecting it, "
            "ignore this message."]
    mail.queue(invitation.email, f"You are invited to {title}", "\n".join(body))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="invitation")


def token(invitation: Invitation) -> str:
    """The token of the invitation's link."""
    return _serializer().dumps({"i": invitation.id, "n": invitation.nonce})


def read(token_: str) -> Invitation:
    """The open invitation a link names, or a refusal saying what went wrong."""
    max_age = int(current_app.config["ACTIVATION_MAX_AGE_DAYS"]) * 86400
    try:
        data = _serializer().loads(token_, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput("This invitation has expired; ask your instructor for a new "
                           "one.") from exc
    except BadSignature as exc:
        raise NotFound("This invitation link is not valid. Copy the whole link.") from exc
    invitation = db.session.get(Invitation, data.get("i")) if isinstance(
        data.get("i"), int) else None
    if invitation is None or invitation.nonce != data.get("n"):
        raise InvalidInput("This invitation was cancelled or replaced; ask your instructor "
                           "for a new link.")
    if not invitation.is_open:
        raise InvalidInput("This invitation has already been accepted. Sign in to see the "
                           "course.")
    return invitation


def accept(invitation: Invitation, user: User) -> Membership:
    """Enrol the person who proved the invitation's address, with its role and roster ids."""
    if user.email != invitation.email:
        raise InvalidInput(f"This invitation is for {invitation.email}. Sign out, then open "
                           "the link again.")
    course = invitation.course
    ids = {"section": invitation.section, "lms_user_id": invitation.lms_user_id,
           "sis_user_id": invitation.sis_user_id, "sis_login_id": invitation.sis_login_id}
    membership = membership_of(user, course)
    if membership is None:
        membership = enrol(user, course, invitation.role, **ids)
    elif invitation.role.is_staff and membership.role == Role.STUDENT:
        raise Conflict("You are a student in this course, so you cannot also be its TA: "
                       "your comments and grades are a student's. Ask the instructor to "
                       "invite another address.")
    elif invitation.role == Role.STUDENT and not membership.role.is_staff:
        for key, value in ids.items():
            if value is not None:
                setattr(membership, key, value)
    accounts.mark_verified(user)  # the link reached this address
    invitation.accepted_at, invitation.accepted_by_id = utcnow(), user.id
    invitation.nonce = new_nonce()
    audit.record("course.invitation_accepted", actor=user, course_id=course.id, obj=membership,
                 after={"email": user.email, "role": membership.role.value})
    return membership


def open_for(course: Course, role: Role | None = None) -> list[Invitation]:
    """The course's invitations nobody has accepted yet, by address."""
    query = select(Invitation).where(Invitation.course_id == course.id,
                                     Invitation.accepted_at.is_(None))
    if role is not None:
        query = query.where(Invitation.role == role)
    return list(db.session.scalars(query.order_by(Invitation.email)))


def cancel(course: Course, actor: User, invitation_id: int, role: Role) -> Invitation:
    """Withdraw an open invitation to this role: its link stops working."""
    invitation = db.session.scalar(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.course_id == course.id,
        Invitation.role == role, Invitation.accepted_at.is_(None)).with_for_update())
    if invitation is None:
        raise NotFound("This invitation was accepted or cancelled already.")
    audit.record("course.invitation_cancelled", actor=actor, course_id=course.id,
                 obj=invitation, before={"email": invitation.email,
                                         "role": invitation.role.value})
    db.session.delete(invitation)
    db.session.flush()
    return invitation
