"""Blackboard: a Grade Center upload, tab-delimited with every field quoted, keyed by Username.

A column header carries Blackboard's column id after a bar (`Quiz 3 [Total Pts: 10]
|664617`); a header without one makes a new column. Blackboard documents a tab-delimited
upload as a `.xls` file (and a comma-delimited one as `.csv`), so that is its name.
"""

from __future__ import annotations

from collections.abc import Iterator

from moderation.lms.csv_safe import number, text
from moderation.lms.gradebook import Assignment, Gradebook, Student

NAME = "blackboard"
LABEL = "Blackboard"
EXTENSION = "xls"
MEDIA_TYPE = "text/tab-separated-values; charset=utf-8"
DELIMITER = "\t"
BOM = False


def column_title(assignment: Assignment) -> str:
    """`Title [Total Pts: N] |column id`, without `|id` for a new column.

    >>> column_title(Assignment(1, "Week 3", 10, "664617"))
    'Week 3 [Total Pts: 10] |664617'
    >>> column_title(Assignment(2, "Week 4", 7.5))
    'Week 4 [Total Pts: 7.5]'
    """
    title = f"{assignment.title} [Total Pts: {number(assignment.points_possible)}]"
    lms_id = (assignment.lms_id or "").strip()
    return f"{title} |{lms_id}" if lms_id else title


def username(student: Student) -> str:
    """The roster's login, else the email address (which Blackboard may not know)."""
    return student.sis_login_id or student.email


def rows(book: Gradebook) -> Iterator[list[str]]:
    """`Last Name, First Name, Username`, then a column per discussion."""
    yield ["Last Name", "First Name", "Username",
           *(text(column_title(a)) for a in book.assignments)]
    for student in book.students:
        last, first = student.last_first
        yield [text(last), text(first), text(username(student)),
               *(number(score) for score in book.scores(student))]


def unmatched(student: Student) -> str | None:
    """Why Blackboard may not know this student's username, or None."""
    if student.sis_login_id:
        return None
    return f"no Blackboard username: exported as {student.email}, which Blackboard may not know"
