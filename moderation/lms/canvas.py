"""Canvas: the gradebook CSV its importer takes (instructure/canvas-lms lib/gradebook_importer.rb).

Canvas's importer reads the header's first cell with `include?("Student")`, so the UTF-8
byte-order mark we write for Excel (Canvas's own exporter writes one when a user turns
on "include byte-order mark") does not stop it. Ruby's CSV would refuse a quoted first
cell after the mark; "Student" is never quoted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from moderation.lms.csv_safe import fixed, text
from moderation.lms.gradebook import Assignment, Gradebook, Student
from moderation.lms.roster import EMAIL, CsvReader, Problem, RosterRow, Unreadable, cell, lines

NAME = "canvas"
LABEL = "Canvas"
EXTENSION = "csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
DELIMITER = ","
BOM = True

STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
# Canvas writes its Points Possible row with this indent; its importer looks for the words.
POINTS_POSSIBLE = "    Points Possible"
TEST_STUDENT = "Student, Test"  # the student Canvas adds to every course
# How Canvas reads an assignment column: "Title (123)" is assignment 123.
TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z")


def column_title(assignment: Assignment) -> str:
    """`Title (assignment id)`, or the title alone for Canvas to create the assignment.

    >>> column_title(Assignment(1, "Week 3", 10, "1201")), column_title(Assignment(2, "W4", 5))
    ('Week 3 (1201)', 'W4')
    """
    lms_id = (assignment.lms_id or "").strip()
    if lms_id.isdigit():
        return f"{assignment.title} ({lms_id})"
    return assignment.title


def rows(book: Gradebook) -> Iterator[list[str]]:
    """The header, the Points Possible row, then one row per student."""
    yield [*STUDENT_COLUMNS, *(text(column_title(a)) for a in book.assignments)]
    yield [POINTS_POSSIBLE, "", "", "", "", *(fixed(a.points_possible)
                                              for a in book.assignments)]
    for student in book.students:
        yield [text(student.sortable_name), text(student.lms_user_id),
               text(student.sis_user_id), text(student.sis_login_id or student.email),
               text(student.section), *(fixed(score) for score in book.scores(student))]


def unmatched(student: Student) -> str | None:
    """Why Canvas may not find this student by ID, or None."""
    if student.lms_user_id:
        return None
    login = student.sis_login_id or student.email
    return f"no Canvas ID: Canvas looks them up by SIS Login ID ({login}), then by name"


# Reading a Canvas gradebook export as a roster ------------------------------------------

def looks_like_roster(header: list[str]) -> bool:
    """Whether a lower-cased header is Canvas's: `Student`, then `ID`."""
    return len(header) >= 2 and "student" in header[0] and "id" in header[1]


def _login_email(login: str, email_domain: str | None) -> str | None:
    if EMAIL.match(login):
        return login
    if login and email_domain:
        return f"{login}@{email_domain}"
    return None


def read_roster(reader: CsvReader, header: list[str],
                email_domain: str | None) -> tuple[list[RosterRow], list[Problem]]:
    """The students of a Canvas gradebook export, and the problems of its lines."""
    index: dict[str, int] = {name: header.index(name)
                             for name in ("sis user id", "sis login id", "section")
                             if name in header}
    if "section" not in index:
        raise Unreadable(1, "a Canvas gradebook header needs a Section column")
    rows: list[RosterRow] = []
    problems: list[Problem] = []
    for cells in lines(reader):
        line = reader.line_num
        first = cells[0].strip()
        points_possible = POINTS_POSSIBLE.strip()
        if first in (points_possible, "Muted") or (len(cells) > 1 and not cells[1].strip()
                                                   and points_possible in cells[0]):
            continue
        if first == TEST_STUDENT:  # the student Canvas adds to every course
            continue
        canvas_id = cells[1].strip() if len(cells) > 1 else ""
        if not first:
            problems.append((line, "the Student name is empty"))
            continue
        if not canvas_id.isdigit():
            problems.append((line, f"ID {canvas_id!r} is not a Canvas user id"))
            continue
        login = cell(cells, index, "sis login id")
        email = _login_email(login, email_domain)
        if email is None:
            problems.append((
                line, f"no email for {first}: SIS Login ID {login!r} is not an email "
                "address (give the school's email domain to build one)"))
            continue
        last, _, given = first.partition(",")
        display = f"{given.strip()} {last.strip()}".strip() if given else first
        rows.append(RosterRow(
            line, display, first, email,
            section=cell(cells, index, "section") or None, lms_user_id=canvas_id,
            sis_user_id=cell(cells, index, "sis user id") or None, sis_login_id=login or None))
    return rows, problems
