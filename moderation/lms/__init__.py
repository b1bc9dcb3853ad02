"""Gradebook formats for Canvas, Moodle, Blackboard and a generic CSV.

Pure: no Flask, no SQLAlchemy. Plain dataclasses in (`Gradebook`), rows out; each format
is a module with the names of `Format` (its rows, who it may not match, how it is written).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol, TextIO

from moderation.lms import blackboard, canvas, csv_safe, generic, moodle
from moderation.lms.gradebook import Assignment, Gradebook, Mark, Student


class Format(Protocol):
    """What each format module provides."""

    NAME: str
    LABEL: str
    EXTENSION: str
    MEDIA_TYPE: str
    DELIMITER: str
    BOM: bool

    def rows(self, book: Gradebook) -> Iterator[list[str]]: ...

    def unmatched(self, student: Student) -> str | None: ...


FORMATS: dict[str, Format] = {m.NAME: m for m in (canvas, moodle, blackboard, generic)}

__all__ = ["FORMATS", "Assignment", "Format", "Gradebook", "Mark", "Student", "render",
           "write"]


def write(fmt: Format, book: Gradebook, out: TextIO) -> int:
    """Write a gradebook file in one format to a text stream; return the rows written."""
    return csv_safe.write(fmt.rows(book), out, delimiter=fmt.DELIMITER, bom=fmt.BOM)


def render(fmt: Format, book: Gradebook) -> bytes:
    """A gradebook file in one format, as UTF-8 bytes."""
    return csv_safe.render(fmt.rows(book), delimiter=fmt.DELIMITER, bom=fmt.BOM)

