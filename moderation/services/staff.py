"""Who teaches a course: its instructors and TAs, adding and removing TAs, what TAs may do."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation.extensions import db
from moderation.models import Course, Membership, Role, User
from moderation.services import accounts, audit
from moderation.services.courses import Permission, enrol, membership_of, require_member
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.roster import EMAIL
from moderation.services.text import clean_name


@dataclass(frozen=True)
class AddedTA:
    """A TA just added, and whether their account was created for it."""

    membership: Membership
    new_account: bool


def staff_of(course: Course) -> list[Membership]:
    """The course's instructors, then its TAs, each by sortable name."""
    members = db.session.scalars(
        select(Membership).join(Membership.user)
        .where(Membership.course_id == course.id,
               Membership.role.in_([Role.INSTRUCTOR, Role.TA]))
        .order_by(User.sortable_name, User.id))
    return sorted(members, key=lambda m: m.role != Role.INSTRUCTOR)


def add_ta(course: Course, actor: User, email: str, display_name: str | None = None) -> AddedTA:
    """Make the owner of `email` a TA of the course, creating the account if there is none.

    An existing account keeps its name and password: it is only enrolled. A student of
    the course is refused: their comments and grades are a student's, and a TA's would
    leave the queue and the gradebook.
    """
    require_member(actor, course, permission=Permission.STAFF)
    email = accounts.normalise_email(email)
    if not EMAIL.match(email) or len(email) > 254:
        raise InvalidInput("Enter an email address such as ada@school.edu.", field="email")
    user = accounts.find_user(email)
    new_account = user is None
    try:
        if user is None:
            name = clean_name(display_name or "", "display_name", "the new TA's name")
            user = accounts.create_user(email, name, None)
        else:
            _refuse_existing_member(user, course)
        membership = enrol(user, course, Role.TA)
    except IntegrityError as error:
        # Another instructor added the same person a moment ago.
        raise Conflict(f"{email} was added to the course just now; reload the page.",
                       field="email") from error
    audit.record("course.ta_added", actor=actor, course_id=course.id, obj=membership,
                 after={"name": user.display_name, "email": user.email, "role": Role.TA.value,
                        "new_account": new_account})
    return AddedTA(membership, new_account)


def _refuse_existing_member(user: User, course: Course) -> None:
    existing = membership_of(user, course)
    if existing is None:
        return
    who = f"{user.display_name} ({user.email})"
    if existing.role == Role.TA:
        raise Conflict(f"{who} is already a TA of this course.", field="email")
    if existing.role == Role.INSTRUCTOR:
        raise Conflict(f"{who} already teaches this course as an instructor.", field="email")
    raise Conflict(f"{who} is a student in this course, so they cannot also be a TA here: "
                   "their comments and grades are a student's. Add them as a TA with "
                   "another email address.", field="email")


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
