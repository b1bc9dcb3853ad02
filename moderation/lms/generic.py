"""Generic: one row per student per discussion, with everything the grade was made of."""

from __future__ import annotations

from collections.abc import Iterator

from moderation.lms.csv_safe import number, text
from moderation.lms.gradebook import Gradebook, Student
from moderation.lms.roster import (
    EMAIL,
    CsvReader,
    Problem,
    RosterRow,
    Unreadable,
    cell,
    lines,
    sortable_name_of,
)

NAME = "generic"
LABEL = "Generic CSV"
EXTENSION = "csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
DELIMITER = ","
BOM = False

COLUMNS = ("Student", "Email", "Section", "LMS user ID", "SIS user ID", "SIS login ID",
           "Discussion ID", "Discussion", "LMS assignment ID", "Points possible", "Score",
           "Suggested score", "Released", "Missing")
COUNTS = ("Responses", "Replies", "Words", "Feedback")


def rows(book: Gradebook) -> Iterator[list[str]]:
    """A header, then a row per student and discussion, unreleased grades included."""
    yield [*COLUMNS, *(text(label) for label in book.criteria), *COUNTS]
    discussions = [[str(a.id), text(a.title), text(a.lms_id), number(a.points_possible)]
                   for a in book.assignments]
    for student in book.students:
        who = [text(student.sortable_name), text(student.email), text(student.section),
               text(student.lms_user_id), text(student.sis_user_id),
               text(student.sis_login_id)]
        for discussion, mark in zip(discussions, book.row(student), strict=True):
            criteria = mark.criteria
            # No grade row yet and nothing posted: the suggestion is 0, as the page shows.
            suggested = 0.0 if mark.suggested is None and mark.missing else mark.suggested
            yield [*who, *discussion, number(mark.score), number(suggested),
                   "yes" if mark.released else "no", "yes" if mark.missing else "no",
                   *[number(criteria.get(label)) for label in book.criteria],
                   str(mark.responses), str(mark.replies), str(mark.words),
                   text(mark.feedback)]


def unmatched(student: Student) -> str | None:
    """A generic file names everyone; nobody is unmatched."""
    return None


# Reading a roster: `name,email,section,sis id` ------------------------------------------

ROSTER_COLUMNS = {
    "name": ("name", "full name", "display name", "student name"),
    "email": ("email", "email address", "e-mail"),
    "section": ("section",),
    "sis_user_id": ("sis id", "sis user id", "sis_id", "student id", "id number"),
}


def read_roster(reader: CsvReader, header: list[str]) -> tuple[list[RosterRow], list[Problem]]:
    """The students of a `name,email,section,sis id` file, and the problems of its lines."""
    index: dict[str, int] = {}
    for key, names in ROSTER_COLUMNS.items():
        for i, name in enumerate(header):
            if name in names:
                index[key] = i
                break
    missing = [k for k in ("name", "email") if k not in index]
    if missing:
        raise Unreadable(
            1, "expected a Canvas gradebook export (Student, ID, …, Section) or a CSV "
            f"with columns name, email, section, sis id; missing {', '.join(missing)}")
    rows: list[RosterRow] = []
    problems: list[Problem] = []
    for cells in lines(reader):
        line = reader.line_num
        name, email = cell(cells, index, "name"), cell(cells, index, "email")
        if not name:
            problems.append((line, "the name is empty"))
        if not EMAIL.match(email):
            problems.append((line, f"{email!r} is not an email address"))
        if name and EMAIL.match(email):
            rows.append(RosterRow(
                line, name, sortable_name_of(name), email,
                section=cell(cells, index, "section") or None,
                sis_user_id=cell(cells, index, "sis_user_id") or None))
    return rows, problems
