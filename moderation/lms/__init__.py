"""Gradebook formats for Canvas, Moodle, Blackboard and a generic CSV, both ways.

Pure: no Flask, no SQLAlchemy. Plain dataclasses in (`Gradebook`), rows out; each format
is a module with the names of `Format` (its rows, who it may not match, how it is written).
A roster is read the other way (`parse_roster`): Canvas's gradebook export or the generic
`name,email,section,sis id` file, each parsed by its format's module.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Protocol, TextIO

from moderation.lms import blackboard, canvas, csv_safe, generic, moodle, roster
from moderation.lms.gradebook import Assignment, Gradebook, Mark, Student
from moderation.lms.roster import Roster, Unreadable


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

__all__ = ["FORMATS", "Assignment", "Format", "Gradebook", "Mark", "Roster", "Student",
           "Unreadable", "parse_roster", "render", "write"]


def write(fmt: Format, book: Gradebook, out: TextIO) -> int:
    """Write a gradebook file in one format to a text stream; return the rows written."""
    return csv_safe.write(fmt.rows(book), out, delimiter=fmt.DELIMITER, bom=fmt.BOM)


def render(fmt: Format, book: Gradebook) -> bytes:
    """A gradebook file in one format, as UTF-8 bytes."""
    return csv_safe.render(fmt.rows(book), delimiter=fmt.DELIMITER, bom=fmt.BOM)


def parse_roster(data: bytes | str, email_domain: str | None = None) -> Roster:
    """Read a roster file: its format, its students and its lines' problems.

    Raises `Unreadable` for a file with no line to read (not UTF-8, no header, too long).
    """
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Unreadable(0, "the file is not UTF-8 text (save it as CSV UTF-8)") from exc
    if "\x00" in data:
        raise Unreadable(0, "the file contains NUL bytes; is it really a CSV file?")
    sample = data[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    # newline="": lines end at \r\n, \n or a lone \r (old Mac files), and the csv module
    # still sees line breaks inside quoted cells.
    reader = csv.reader(io.StringIO(data, newline=""), dialect)
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise Unreadable(1, "the file is empty")
        cells = [c.strip().lower() for c in header]
        if canvas.looks_like_roster(cells):
            return Roster("canvas", *canvas.read_roster(reader, cells, email_domain))
        return Roster("generic", *generic.read_roster(reader, cells))
    except csv.Error as error:
        raise Unreadable(reader.line_num,
                         f"{roster.csv_problem(error)}; is it a CSV file?") from error
