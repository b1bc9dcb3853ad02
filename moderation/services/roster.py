"""Roster import: Canvas gradebook exports and a generic CSV, all or nothing."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy import select

from moderation.extensions import db
from moderation.lms import canvas
from moderation.models import Course, Membership, Role, User
from moderation.services import accounts, audit, invitations
from moderation.services.courses import enrol
from moderation.services.errors import InvalidInput
from moderation.services.text import is_blank


class CsvReader(Protocol):
    """What the parsers use of a `csv.reader`: its rows and the current line number."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 5000

GENERIC_COLUMNS = {
    "name": ("name", "full name", "display name", "student name"),
    "email": ("email", "email address", "e-mail"),
    "section": ("section",),
    "sis_user_id": ("sis id", "sis user id", "sis_id", "student id", "id number"),
}


@dataclass
class RosterRow:
    """One student as the file describes them."""

    line: int
    display_name: str
    sortable_name: str
    email: str
    section: str | None = None
    lms_user_id: str | None = None
    sis_user_id: str | None = None
    sis_login_id: str | None = None


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
    """Parse a roster file; return its format and rows, or raise RosterError with every problem."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise RosterError(
                problems=["the file is not UTF-8 text (save it as CSV UTF-8)"]) from exc
    if "\x00" in data:
        raise RosterError(problems=["the file contains NUL bytes; is it really a CSV file?"])
    sample = data[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": lines end at \r\n, \n or a lone \r (old Mac files), and the csv module
    # still sees line breaks inside quoted cells.
    reader = csv.reader(io.StringIO(data, newline=""), dialect)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise RosterError(problems=["line 1: the file is empty"])
        cells = [c.strip().lower() for c in header]
        if len(cells) >= 2 and "student" in cells[0] and "id" in cells[1]:
            return "canvas", _parse_canvas(reader, cells, email_domain)
        return "generic", _parse_generic(reader, cells)
    except csv.Error as error:
        raise RosterError(problems=[
            f"line {reader.line_num}: {_csv_problem(error)}; is it a CSV file?"]) from error


def _csv_problem(error: csv.Error) -> str:
    """The csv module's complaint in words a person can act on."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "new-line character" in text:
        return "a line break inside a cell that is not quoted"
    return f"the file cannot be read as CSV ({text})"


def _cell(cells: list[str], index: dict[str, int], key: str) -> str:
    """Return a row's value for a named column, or "" when the row is short."""
    position = index.get(key)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _login_email(login: str, email_domain: str | None) -> str | None:
    if EMAIL.match(login):
        return login
    if login and email_domain:
        return f"{login}@{email_domain}"
    return None


def _parse_canvas(reader: CsvReader, header: list[str],
                  email_domain: str | None) -> list[RosterRow]:
    index: dict[str, int] = {name: header.index(name)
                             for name in ("sis user id", "sis login id", "section")
                             if name in header}
    if "section" not in index:
        raise RosterError(problems=["line 1: a Canvas gradebook header needs a Section column"])
    rows: list[RosterRow] = []
    problems: list[str] = []
    for cells in _lines(reader):
        line = reader.line_num
        first = cells[0].strip()
        points_possible = canvas.POINTS_POSSIBLE.strip()
        if first in (points_possible, "Muted") or (len(cells) > 1 and not cells[1].strip()
                                                   and points_possible in cells[0]):
            continue
        if first == canvas.TEST_STUDENT:  # the student Canvas adds to every course
            continue
        canvas_id = cells[1].strip() if len(cells) > 1 else ""
        if not first:
            problems.append(f"line {line}: the Student name is empty")
            continue
        if not canvas_id.isdigit():
            problems.append(f"line {line}: ID {canvas_id!r} is not a Canvas user id")
            continue
        login = _cell(cells, index, "sis login id")
        email = _login_email(login, email_domain)
        if email is None:
            problems.append(
                f"line {line}: no email for {first}: SIS Login ID {login!r} is not an email "
                "address (give the school's email domain to build one)")
            continue
        last, _, given = first.partition(",")
        display = f"{given.strip()} {last.strip()}".strip() if given else first
        rows.append(RosterRow(
            line, display, first, accounts.normalise_email(email),
            section=_cell(cells, index, "section") or None, lms_user_id=canvas_id,
            sis_user_id=_cell(cells, index, "sis user id") or None, sis_login_id=login or None))
    return _check_rows(rows, problems)


def _parse_generic(reader: CsvReader, header: list[str]) -> list[RosterRow]:
    index: dict[str, int] = {}
    for key, names in GENERIC_COLUMNS.items():
        for i, cell in enumerate(header):
            if cell in names:
                index[key] = i
                break
    missing = [k for k in ("name", "email") if k not in index]
    if missing:
        raise RosterError(problems=[
            "line 1: expected a Canvas gradebook export (Student, ID, …, Section) or a CSV "
            f"with columns name, email, section, sis id; missing {', '.join(missing)}"])
    rows: list[RosterRow] = []
    problems: list[str] = []
    for cells in _lines(reader):
        line = reader.line_num
        name, email = _cell(cells, index, "name"), _cell(cells, index, "email")
        if not name:
            problems.append(f"line {line}: the name is empty")
        if not EMAIL.match(email):
            problems.append(f"line {line}: {email!r} is not an email address")
        if name and EMAIL.match(email):
            rows.append(RosterRow(
                line, name, accounts.sortable_name_of(name), accounts.normalise_email(email),
                section=_cell(cells, index, "section") or None,
                sis_user_id=_cell(cells, index, "sis_user_id") or None))
    return _check_rows(rows, problems)


def _lines(reader: CsvReader) -> Iterator[list[str]]:
    """The file's non-blank lines; stop after one past the limit, however long the file."""
    count = 0
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS + 1:  # a Points Possible row, then the students
            raise RosterError(problems=[f"the file has more than {MAX_ROWS:,} students; "
                                        "split it into smaller files"])
        yield cells


def _check_rows(rows: list[RosterRow], problems: list[str]) -> list[RosterRow]:
    seen: dict[str, int] = {}
    for row in rows:
        if is_blank(row.display_name):
            problems.append(f"line {row.line}: the name shows no visible characters")
        elif any(c in row.display_name for c in "\r\n\x0b\x0c\x85\u2028\u2029"):
            problems.append(f"line {row.line}: the name has a line break in it")
        if len(row.display_name) > 120 or len(row.email) > 254:
            problems.append(f"line {row.line}: the name or email is too long")
        if row.email in seen:
            problems.append(f"line {row.line}: {row.email} is already on line {seen[row.email]}")
        seen.setdefault(row.email, row.line)
    if len(rows) > MAX_ROWS:
        problems.append(f"the file has {len(rows):,} students; the limit is {MAX_ROWS:,}")
    if problems:
        raise RosterError(problems=sorted(problems, key=_line_of))
    if not rows:
        raise RosterError(problems=["the file has no students"])
    return rows


def _line_of(problem: str) -> int:
    match = re.match(r"line (\d+)", problem)
    return int(match.group(1)) if match else 0


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
