"""Moodle: a CSV for its grade import (grade/import/csv), keyed by email address.

The teacher maps "Email address" to `useremail` and each discussion to a grade item (and
each feedback column to its item's feedback). `-` is "no grade". Moodle stops the whole
import at an address it does not know, so the page lists students who may not match.
"""

from __future__ import annotations

from collections.abc import Iterator

from moderation.lms.csv_safe import number, text
from moderation.lms.gradebook import Gradebook, Student

NAME = "moodle"
LABEL = "Moodle"
EXTENSION = "csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
DELIMITER = ","
BOM = False

NO_GRADE = "-"


def rows(book: Gradebook) -> Iterator[list[str]]:
    """`First name, Last name, Email address`, then a column per discussion (and feedback)."""
    header = ["First name", "Last name", "Email address"]
    for assignment in book.assignments:
        header.append(text(assignment.title))
        if book.include_feedback:
            header.append(text(f"{assignment.title} (feedback)"))
    yield header
    for student in book.students:
        last, first = student.last_first
        row = [text(first), text(last), text(student.email)]
        feedback = book.feedback_of(student) if book.include_feedback else ()
        for i, score in enumerate(book.scores(student)):
            row.append(number(score) if score is not None else NO_GRADE)
            if book.include_feedback:
                row.append(text(feedback[i]))
        yield row


def unmatched(student: Student) -> str | None:
    """Why Moodle may not know this student's email address, or None."""
    if student.from_roster:
        return None
    return (f"joined with the join code: Moodle must know {student.email} exactly, or it "
            "stops the whole import")
