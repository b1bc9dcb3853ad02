"""Who teaches a course: its instructors and TAs, adding and removing TAs, what TAs may do."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation.extensions import db
from moderation.lms.roster import EMAIL
from moderation.models import Course, Invitation, Membership, Role, User
from moderation.services import accounts, audit, invitations
from moderation.services.courses import Permission, membership_of, require_member
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.text import clean_name


def staff_of(course: Course) -> list[Membership]:
    """The course's instructors, then its TAs, each by sortable name."""
    members = db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.course_id == course.id,
               Membership.role.in_([Role.INSTRUCTOR, Role.TA]))
        .order_by(User.sortable_name, User.id))
    return sorted(members, key=lambda m: m.role != Role.INSTRUCTOR)


def add_ta(course: Course, actor: User, email: str,
           display_name: str | None = None) -> Invitation:
    """Invite the holder of `email` to be a TA: they join when they open the link.

    The same answer whether or not the address has an account, so adding a TA tells the
    instructor nothing about other people's accounts; the place is never handed to an
    account by its address alone (whoever typed it at sign-up may not read its mail). A
    student of the course is refused: their comments and grades are a student's, and a
    TA's would leave the queue and the gradebook.
    """
    require_member(actor, course, permission=Permission.STAFF)
    email = accounts.normalise_email(email)
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("Enter an email address such as ada@school.edu.", field="email")
    name = clean_name(display_name, "display_name", "a name") if display_name else None
    user = accounts.find_user(email)
    if user is not None:
        _refuse_existing_member(user, course)
    try:
        return invitations.invite(course, actor, email, Role.TA, display_name=name)
    except IntegrityError as error:
        # Another instructor invited the same address a moment ago.
        raise Conflict(f"{email} was invited just now; reload the page.",
                       field="email") from error


def _refuse_existing_member(user: User, course: Course) -> None:
    # Only what the course's own pages show already: who is on its staff or roster.
    existing = membership_of(user, course)
    if existing is None:
        return
    if existing.role == Role.TA:
        raise Conflict(f"{user.email} is already a TA of this course.", field="email")
    if existing.role == Role.INSTRUCTOR:
        raise Conflict(f"{user.email} already teaches this course as an instructor.",
                       field="email")
    raise Conflict(f"{user.email} is a student in this course, so they cannot also be a TA "
                   "here: their comments and grades are a student's. Invite another address.",
                   field="email")


def cancel_invitation(course: Course, actor: User, invitation_id: int) -> Invitation:
    """Withdraw a TA invitation nobody has accepted."""
    require_member(actor, course, permission=Permission.STAFF)
    return invitations.cancel(course, actor, invitation_id, Role.TA)


def remove_ta(course: Course, actor: User, membership_id: int) -> User:
    """Remove a TA from the course; their past decisions and audit entries stay."""
    require_member(actor, course, permission=Permission.STAFF)
    # Locked (PostgreSQL): two instructors removing the same TA; the second finds no row.
    membership = db.session.scalar(
        select(Membership).where(Membership.id == membership_id,
                                 Membership.course_id == course.id)
        .with_for_update(of=Membership))
    if membership is None:
        raise NotFound("This person is not on the course's staff any more.")
    if membership.role != Role.TA:
        raise Conflict("Only TAs can be removed here.", field="membership")
    user = membership.user
    audit.record("course.ta_removed", actor=actor, course_id=course.id, obj=membership,
                 before={"name": user.display_name, "email": user.email,
                         "role": Role.TA.value})
    db.session.delete(membership)
    db.session.flush()
    return user


def set_ta_permissions(course: Course, actor: User, *, manage: bool, export: bool) -> bool:
    """Set what the course's TAs may do besides moderating and grading; return if it changed."""
    require_member(actor, course, permission=Permission.STAFF)
    before = {"tas_manage": course.tas_manage, "tas_export": course.tas_export}
    after = {"tas_manage": manage, "tas_export": export}
    if before == after:
        return False
    course.tas_manage, course.tas_export = manage, export
    audit.record("course.ta_permissions_set", actor=actor, course_id=course.id, obj=course,
                 before=before, after=after)
    db.session.flush()
    return True
