"""Moodle: a CSV for its grade import (grade/import/csv), keyed by email address.

The teacher maps "Email address" to `useremail` and each discussion to a grade item (and
each feedback column to its item's feedback). `-` is "no grade". Moodle stops the whole
import at an address it does not know, so the page lists students who may not match, and
at a grade above its `gradepointmax` (100 unless the site raised it), so a discussion
worth more is exported as percentages (`Gradebook.as_percent`) or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator

from moderation.grading.rubric import hundredths
from moderation.lms.csv_safe import number, text
from moderation.lms.gradebook import Assignment, Gradebook, Student

NAME = "moodle"
LABEL = "Moodle"
EXTENSION = "csv"
MEDIA_TYPE = "text/csv; charset=utf-8"
DELIMITER = ","
BOM = False

NO_GRADE = "-"
# Moodle's default gradepointmax: insert_grade_record refuses a grade above it, and one
# refusal aborts the whole import.
MAX_GRADE = 100.0


def percent(score: float, assignment: Assignment) -> float:
    """A score as a percentage of the discussion's points, to the hundredth.

    >>> percent(120, Assignment(1, "Week 3", 150)), percent(0, Assignment(2, "W", 0))
    (80.0, 0.0)
    """
    if assignment.points_possible <= 0:
        return 0.0
    return hundredths(score / assignment.points_possible * 100)


def over_limit(book: Gradebook) -> list[tuple[Assignment, int, float]]:
    """The discussions with scores Moodle would refuse: (discussion, how many, the highest)."""
    if book.as_percent:
        return []
    found = []
    for i, assignment in enumerate(book.assignments):
        above = [s for student in book.students
                 if (s := book.scores(student)[i]) is not None and s > MAX_GRADE]
        if above:
            found.append((assignment, len(above), max(above)))
    return found


def rows(book: Gradebook) -> Iterator[list[str]]:
    """`First name, Last name, Email address`, then a column per discussion (and feedback).

    As percentages, each discussion's column says so (`Title (%)`): map it to a grade item
    out of 100.
    """
    header = ["First name", "Last name", "Email address"]
    for assignment in book.assignments:
        header.append(text(f"{assignment.title} (%)" if book.as_percent else assignment.title))
        if book.include_feedback:
            header.append(text(f"{assignment.title} (feedback)"))
    yield header
    for student in book.students:
        last, first = student.last_first
        row = [text(first), text(last), text(student.email)]
        feedback = book.feedback_of(student) if book.include_feedback else ()
        for i, score in enumerate(book.scores(student)):
            if score is not None and book.as_percent:
                score = percent(score, book.assignments[i])
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
