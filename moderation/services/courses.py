"""Courses: creation, join codes, enrolment, and who may see what."""

from __future__ import annotations

import enum
import re
import secrets
from collections.abc import Collection

from sqlalchemy import Select, func, select

from moderation.extensions import db
from moderation.models import Course, Membership, Role, User
from moderation.services import accounts, audit, time_zones
from moderation.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from moderation.services.text import clean_name

# No 0/O or 1/I/L: join codes are read aloud and copied from slides.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 8
COURSE_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,39}$")


def new_join_code() -> str:
    """Return a random join code."""
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    """Upper-case a typed join code and drop spaces and dashes.

    >>> normalise_join_code(" abcd-efgh ")
    'ABCDEFGH'
    """
    return re.sub(r"[\s-]", "", code).upper()


def create_course(instructor: User, title: str, code: str,
                  time_zone: str = time_zones.DEFAULT) -> Course:
    """Create a course with `instructor` as its first instructor, its dates in `time_zone`."""
    if not instructor.can_create_courses:
        raise Forbidden("Only instructors can create courses.")
    code = code.strip()
    if not COURSE_CODE.match(code):
        raise InvalidInput(
            "Use letters, digits, spaces, dots, dashes or underscores (at most 40).",
            field="code",
        )
    if db.session.scalar(select(Course).where(Course.code == code)) is not None:
        raise Conflict(f"A course with code {code} already exists.", field="code")
    title = clean_name(title, "title", "a title", limit=200)
    if not time_zones.is_known(time_zone):
        raise InvalidInput("Choose a time zone from the list.", field="time_zone")
    course = Course(title=title, code=code, join_code=_unused_join_code(), policy={},
                    time_zone=time_zone)
    db.session.add(course)
    db.session.flush()
    db.session.add(Membership(course=course, user=instructor, role=Role.INSTRUCTOR))
    audit.record("course.created", actor=instructor, course_id=course.id, obj=course,
                 after={"title": course.title, "code": course.code,
                        "time_zone": course.time_zone})
    db.session.flush()
    return course


def _unused_join_code() -> str:
    while True:
        code = new_join_code()
        if db.session.scalar(select(Course.id).where(Course.join_code == code)) is None:
            return code


def regenerate_join_code(course: Course, actor: User) -> str:
    """Give the course a new join code; the old one stops working."""
    old = course.join_code
    course.join_code = _unused_join_code()
    audit.record("course.join_code_regenerated", actor=actor, course_id=course.id, obj=course,
                 before={"join_code": old}, after={"join_code": course.join_code})
    db.session.flush()
    return course.join_code


def course_by_code(code: str) -> Course:
    """The course with this code (as the command line names courses), or NotFound."""
    course = db.session.scalar(select(Course).where(Course.code == code))
    if course is None:
        raise NotFound(f"No course with code {code}.")
    return course


def course_for_join_code(code: str) -> Course:
    """Return the course with this join code or refuse with a field error."""
    course = db.session.scalar(
        select(Course).where(Course.join_code == normalise_join_code(code))
    )
    if course is None:
        raise InvalidInput("No course has this join code. Check it with your instructor.",
                           field="join_code")
    return course


def enrol(
    user: User, course: Course, role: Role = Role.STUDENT, **lms_ids: str | None
) -> Membership:
    """Add the user to the course, or return their existing membership."""
    membership = membership_of(user, course)
    if membership is not None:
        return membership
    membership = Membership(user=user, course=course, role=role, **lms_ids)
    db.session.add(membership)
    db.session.flush()
    return membership


def join_course(user: User, code: str) -> Membership:
    """Enrol a signed-in user as a student of the course with this join code."""
    course = course_for_join_code(code)
    existing = membership_of(user, course)
    if existing is not None:
        return existing
    membership = enrol(user, course)
    audit.record("course.joined", actor=user, course_id=course.id, obj=membership)
    return membership


def sign_up_with_code(display_name: str, email: str, password: str, code: str) -> Membership:
    """Create a student account and enrol it through a course's join code."""
    course = course_for_join_code(code)
    if accounts.find_user(email) is not None:
        # The same words whether or not the account was activated: sign-up must not tell
        # a stranger with the join code anything more about someone else's account.
        raise Conflict("This email already has an account. Sign in and join the course from "
                       "your home page, or use the activation link your instructor gave you.",
                       field="email")
    user = accounts.create_user(email, display_name, password)
    membership = enrol(user, course)
    audit.record("course.joined", actor=user, course_id=course.id, obj=membership)
    return membership


def remember_membership(membership: Membership) -> None:
    """Let `membership_of` answer from the session for this membership, loaded elsewhere."""
    known: dict[tuple[int, int], int] = db.session.info.setdefault("membership_ids", {})
    known[membership.user_id, membership.course_id] = membership.id


def membership_of(user: User, course: Course) -> Membership | None:
    """Return the user's membership in the course, if any."""
    # A request asks twice (the view's access check, then the service's own): the second
    # answer comes from the session's identity map, with no query, while it holds.
    known: dict[tuple[int, int], int] = db.session.info.setdefault("membership_ids", {})
    if (user.id, course.id) in known:
        found = db.session.get(Membership, known[user.id, course.id])
        if found is not None and (found.user_id, found.course_id) == (user.id, course.id):
            return found
    found = db.session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.course_id == course.id)
    )
    if found is not None:
        known[user.id, course.id] = found.id
    return found


class Permission(enum.StrEnum):
    """What a course member may do beyond reading it."""

    MODERATE = "moderate"  # decide comments and grade: instructors and TAs
    MANAGE = "manage"  # settings, discussions, policy, roster: instructors, TAs if allowed
    EXPORT = "export"  # grades leave the system: instructors, TAs if allowed
    STAFF = "staff"  # add TAs and set what they may do: instructors only


_REFUSALS = {
    Permission.MODERATE: "Only the course's instructors and TAs can do this.",
    Permission.MANAGE: "Only the course's instructors can change its settings, policy or "
                       "roster (a TA can when the instructor allows it).",
    Permission.EXPORT: "Only the course's instructors can export grades (a TA can when the "
                       "instructor allows it).",
    Permission.STAFF: "Only the course's instructors can change who teaches it.",
}


def allows(membership: Membership, permission: Permission) -> bool:
    """Whether this member of the course may do this."""
    role, course = membership.role, membership.course
    if role == Role.INSTRUCTOR:
        return True
    if role != Role.TA:
        return False
    return (permission == Permission.MODERATE
            or (permission == Permission.MANAGE and course.tas_manage)
            or (permission == Permission.EXPORT and course.tas_export))


def require_member(user: User, course: Course, *, staff: bool = False,
                   permission: Permission | None = None) -> Membership:
    """Return the membership, or refuse: 404 to outsiders, 403 to members without the right.

    `staff=True` is `permission=Permission.MODERATE`.
    """
    membership = membership_of(user, course)
    if membership is None:
        # An outsider learns nothing, not even that the course exists.
        raise NotFound()
    permission = permission or (Permission.MODERATE if staff else None)
    if permission is not None and not allows(membership, permission):
        raise Forbidden(_REFUSALS[permission])
    return membership


def courses_of(user: User) -> list[Membership]:
    """Return the user's memberships, newest course first."""
    return list(db.session.scalars(
        select(Membership).where(Membership.user_id == user.id)
        .join(Membership.course).order_by(Course.created_at.desc(), Course.id.desc())
    ))


def roster(course: Course) -> list[Membership]:
    """Return the course's members, staff first, then students by sortable name."""
    members = db.session.scalars(
        select(Membership).where(Membership.course_id == course.id).join(Membership.user)
        .order_by(User.sortable_name)
    )
    return sorted(members, key=lambda m: not m.role.is_staff)


def students_query(course_id: int) -> Select[Membership]:
    """The course's students (joined to their users), by sortable name: the one query of
    who the students are, which callers narrow or reduce to the columns they need."""
    return (select(Membership).join(Membership.user)
            .where(Membership.course_id == course_id, Membership.role == Role.STUDENT)
            .order_by(func.lower(User.sortable_name), User.id))


def students(course: Course, only: Collection[int] | None = None) -> list[Membership]:
    """The course's students (with their users), by sortable name."""
    query = students_query(course.id)
    if only is not None:
        query = query.where(Membership.user_id.in_(list(only)))
    return list(db.session.scalars(query))
