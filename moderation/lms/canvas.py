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
