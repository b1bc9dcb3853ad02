"""What every writer reads: students, assignments (our discussions) and marks, as plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Student:
    """A student as the roster gave them; the LMS ids are None for one who joined by code."""

    id: int
    display_name: str
    sortable_name: str  # "Last, First"
    email: str
    section: str | None = None
    lms_user_id: str | None = None
    sis_user_id: str | None = None
    sis_login_id: str | None = None

    @property
    def last_first(self) -> tuple[str, str]:
        """Last and first name, from the sortable name.

        >>> Student(1, "María José de la Cruz", "de la Cruz, María José", "m@x").last_first
        ('de la Cruz', 'María José')
        >>> Student(2, "Plato", "Plato", "p@x").last_first
        ('', 'Plato')
        """
        last, comma, first = self.sortable_name.partition(",")
        if not comma:
            return "", self.display_name
        return last.strip(), first.strip()

    @property
    def from_roster(self) -> bool:
        """Whether any LMS id came with a roster import."""
        return bool(self.lms_user_id or self.sis_user_id or self.sis_login_id)


@dataclass(frozen=True, slots=True)
class Assignment:
    """A discussion as a gradebook column."""

    id: int
    title: str
    points_possible: float
    lms_id: str | None = None  # the LMS's assignment (Canvas) or column (Blackboard) id


@dataclass(frozen=True, slots=True)
class Mark:
    """One student's grade in one discussion."""

    score: float | None = None  # what a person set or accepted; None: ungraded
    released: bool = False
    feedback: str | None = None
    suggested: float | None = None
    missing: bool = True  # posted nothing that counts
    criteria: Mapping[str, float] = field(default_factory=dict)  # label -> points earned
    responses: int = 0
    replies: int = 0
    words: int = 0

    @property
    def shown(self) -> float | None:
        """The score an LMS may receive: released and graded, else nothing."""
        return self.score if self.released else None


NO_MARK = Mark()


@dataclass(frozen=True)
class Gradebook:
    """Students by sortable name, discussions in course order, and the marks between them."""

    students: Sequence[Student]
    assignments: Sequence[Assignment]
    marks: Mapping[tuple[int, int], Mark]  # (student id, assignment id)
    criteria: Sequence[str] = ()  # the breakdown's labels, for the generic format
    include_feedback: bool = False

    def mark(self, student: Student, assignment: Assignment) -> Mark:
        """The mark, or an empty one."""
        return self.marks.get((student.id, assignment.id), NO_MARK)
