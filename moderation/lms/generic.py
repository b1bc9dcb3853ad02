"""Generic: one row per student per discussion, with everything the grade was made of."""

from __future__ import annotations

from collections.abc import Iterator

from moderation.lms.csv_safe import number, text
from moderation.lms.gradebook import Gradebook, Student

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
