"""Roster import: Canvas gradebook exports and a generic CSV (read by `lms`), all or nothing."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import select

from moderation import lms
from moderation.extensions import db
from moderation.lms.roster import MAX_ROWS, Problem, RosterRow
from moderation.models import Course, Membership, Role, User
from moderation.services import accounts, audit, invitations
from moderation.services.courses import enrol
from moderation.services.errors import InvalidInput
from moderation.services.text import is_blank


class RosterError(InvalidInput):
    """Every problem found in a roster file, by line; nothing was imported."""

    SHOWN = 50  # a page lists this many; a file of a million bad lines is still one page

    def __init__(self, problems: list[str]) -> None:
        count = f"{len(problems):,} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"Nothing was imported: {count} in the file.", field="file")
        self.problems = problems[:self.SHOWN]
        self.more = max(0, len(problems) - self.SHOWN)


@dataclass
class RosterResult:
    """What an import changed."""

    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_staff: int = 0
    # Accounts that existed before this import: enrolled here, never renamed or handed over.
    existing_accounts: list[str] = field(default_factory=list)
    # Addresses whose account nobody proved: invited, so they join when they open the link.
    invited: list[str] = field(default_factory=list)


def parse_roster(data: bytes | str, email_domain: str | None = None) -> tuple[str, list[RosterRow]]:
    """Read a roster file (`lms.parse_roster`) and check its students can be accounts;
    return its format and rows, or raise RosterError with every problem."""
    try:
        roster = lms.parse_roster(data, email_domain)
    except lms.Unreadable as error:
        raise RosterError(problems=[_worded(error.problem)]) from error
    for row in roster.rows:
        row.email = accounts.normalise_email(row.email)
    problems = roster.problems + _account_problems(roster.rows)
    if problems:
        # sorted by line, stable: a line's own problems stay in the order they were found
        raise RosterError(problems=[_worded(p) for p in sorted(problems, key=lambda p: p[0])])
    if not roster.rows:
        raise RosterError(problems=["the file has no students"])
    return roster.format, roster.rows


def _worded(problem: Problem) -> str:
    line, message = problem
    return f"line {line}: {message}" if line else message


def _account_problems(rows: list[RosterRow]) -> list[Problem]:
    """What stops a row from being an account: a name that shows nothing, or too long, a
    line break in it, an address already on another line."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in rows:
        if is_blank(row.display_name):
            problems.append((row.line, "the name shows no visible characters"))
        elif any(c in row.display_name for c in "\r\n\x0b\x0c\x85\u2028\u2029"):
            problems.append((row.line, "the name has a line break in it"))
        if len(row.display_name) > 120 or len(row.email) > 254:
            problems.append((row.line, "the name or email is too long"))
        if row.email in seen:
            problems.append((row.line, f"{row.email} is already on line {seen[row.email]}"))
        seen.setdefault(row.email, row.line)
    if len(rows) > MAX_ROWS:
        problems.append((0, f"the file has {len(rows):,} students; the limit is {MAX_ROWS:,}"))
    return problems


def import_roster(course: Course, data: bytes | str, actor: User | None,
                  email_domain: str | None = None) -> RosterResult:
    """Add or update the course's students from a roster file; re-importing never duplicates.

    An import creates accounts, or links existing ones to this course; it never changes
    what another course sees of a person. It renames only an account this course's
    instructor could also activate (`accounts.may_hand_over`). `actor` is None for the
    administrator's command line, which speaks for this course only.
    """
    email_domain = _checked_domain(email_domain)
    fmt, rows = parse_roster(data, email_domain)
    teaching = accounts.taught_by(actor) if actor is not None else {course.id}
    result = RosterResult(format=fmt)
    members = list(db.session.scalars(select(Membership).where(Membership.course_id == course.id)))
    by_lms = {m.lms_user_id: m for m in members if m.lms_user_id}
    by_sis = {m.sis_user_id: m for m in members if m.sis_user_id}
    by_user = {m.user_id: m for m in members}
    for row in rows:
        membership = (by_lms.get(row.lms_user_id or "") or by_sis.get(row.sis_user_id or ""))
        by_email = membership is None
        user = membership.user if membership else accounts.find_user(row.email)
        if membership is None and user is not None:
            membership = by_user.get(user.id)
        if membership is not None and membership.role.is_staff:
            result.skipped_staff += 1
            continue
        if by_email and user is not None and not user.attachable_by_email:
            # Someone typed this address and never proved it: the roster line (and what
            # the course shows of that student) waits for whoever proves it, even if that
            # account joined the course with the join code.
            invitations.invite(course, actor, row.email, Role.STUDENT,
                               display_name=row.display_name, section=row.section,
                               lms_user_id=row.lms_user_id, sis_user_id=row.sis_user_id,
                               sis_login_id=row.sis_login_id)
            result.invited.append(row.email)
            continue
        if user is None:
            user = User(email=row.email, display_name=row.display_name,
                        sortable_name=row.sortable_name, password_hash=None)
            db.session.add(user)
            db.session.flush()
        elif accounts.may_hand_over(user, teaching):
            # Not yet activated and only in this instructor's courses: the roster is the
            # only source of the name.
            user.display_name, user.sortable_name = row.display_name, row.sortable_name
        elif membership is None:
            result.existing_accounts.append(user.email)
        ids = {"section": row.section, "lms_user_id": row.lms_user_id,
               "sis_user_id": row.sis_user_id, "sis_login_id": row.sis_login_id}
        if membership is None:
            membership = enrol(user, course, Role.STUDENT, **ids)
            by_user[user.id] = membership
            result.added += 1
            continue
        changed = False
        for key, value in ids.items():
            if value is not None and getattr(membership, key) != value:
                setattr(membership, key, value)
                changed = True
        if changed:
            result.updated += 1
        else:
            result.unchanged += 1
    audit.record("roster.imported", actor=actor, course_id=course.id, obj=course,
                 after={"format": fmt, "added": result.added, "updated": result.updated,
                        "unchanged": result.unchanged,
                        "existing_accounts": len(result.existing_accounts),
                        "invited": len(result.invited)})
    db.session.flush()
    return result


DOMAIN = re.compile(r"^(?=.{1,120}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def _checked_domain(email_domain: str | None) -> str | None:
    """Return a lower-cased email domain such as "school.edu", or refuse it beside its field.

    >>> _checked_domain(" @School.EDU ")
    'school.edu'
    """
    if not email_domain or not email_domain.strip():
        return None
    domain = email_domain.strip().lstrip("@").lower()
    if not DOMAIN.match(domain):
        raise InvalidInput("Enter a domain such as school.edu (no @ or spaces).",
                           field="email_domain")
    return domain
