"""What every writer reads: students, assignments (our discussions) and marks, as plain values."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import NamedTuple


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


class Mark(NamedTuple):
    """One student's grade in one discussion, with what the generic file writes of it."""

    score: float | None = None  # what a person set or accepted; None: ungraded
    released: bool = False
    feedback: str | None = None
    suggested: float | None = None
    missing: bool = True  # posted nothing that counts
    criteria: Mapping[str, float] = MappingProxyType({})  # label -> points earned
    responses: int = 0
    replies: int = 0
    words: int = 0

    @property
    def shown(self) -> float | None:
        """The score an LMS may receive: released and graded, else nothing."""
        return self.score if self.released else None


NO_MARK = Mark()
NO_MARKS: Mapping[int, Mark] = MappingProxyType({})


NO_SCORES: Mapping[int, float] = MappingProxyType({})
NO_FEEDBACK: Mapping[int, str] = MappingProxyType({})


@dataclass(frozen=True)
class Gradebook:
    """Students by sortable name, discussions in course order, and what is between them.

    An LMS file needs only released scores (`shown`, and `feedback` for Moodle); the
    generic file needs every grade with its details (`marks`). Plain mappings of plain
    values: an export of 2,000 students × 50 discussions holds 100,000 of them.
    """

    students: Sequence[Student]
    assignments: Sequence[Assignment]
    shown: Mapping[int, Mapping[int, float]] = field(default_factory=dict)  # released scores
    feedback: Mapping[int, Mapping[int, str]] = field(default_factory=dict)  # released ones
    marks: Mapping[int, Mapping[int, Mark]] = field(default_factory=dict)  # every grade
    criteria: Sequence[str] = ()  # the breakdown's labels, for the generic format
    include_feedback: bool = False
    as_percent: bool = False  # Moodle: scores as a percentage of each discussion's points

    def scores(self, student: Student) -> list[float | None]:
        """The student's released scores in assignment order (None: nothing to send)."""
        shown = self.shown.get(student.id, NO_SCORES)
        return [shown.get(a.id) for a in self.assignments]

    def feedback_of(self, student: Student) -> list[str | None]:
        """The student's released feedback in assignment order."""
        feedback = self.feedback.get(student.id, NO_FEEDBACK)
        return [feedback.get(a.id) for a in self.assignments]

    def row(self, student: Student) -> list[Mark]:
        """The student's detailed marks in assignment order (an empty mark where none)."""
        marks = self.marks.get(student.id, NO_MARKS)
        return [marks.get(a.id, NO_MARK) for a in self.assignments]
