"""Roster files, read: what the parsers of each format share (`canvas.read_roster`,
`generic.read_roster`; `lms.parse_roster` picks one by the header).

Pure: no Flask, no SQLAlchemy. A problem is carried as (line, message), line 0 for the
file as a whole; whoever shows them words them. The checks that need accounts (a name
that shows nothing, a repeated address) are the services' (`services.roster`).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_ROWS = 5000

Problem = tuple[int, str]


class CsvReader(Protocol):
    """What the parsers use of a `csv.reader`: its rows and the current line number."""

    line_num: int

    def __iter__(self) -> Iterator[list[str]]: ...

    def __next__(self) -> list[str]: ...


@dataclass
class RosterRow:
    """One student as the file describes them."""

    line: int
    display_name: str
    sortable_name: str
    email: str
    section: str | None = None
    lms_user_id: str | None = None
    sis_user_id: str | None = None
    sis_login_id: str | None = None


@dataclass
class Roster:
    """A file read: its format, the students it names, and what is wrong with its lines."""

    format: str
    rows: list[RosterRow]
    problems: list[Problem] = field(default_factory=list)


class Unreadable(ValueError):
    """A file no line of which can be read as a roster (not UTF-8, no header, too long)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.problem: Problem = (line, message)


def sortable_name_of(display_name: str) -> str:
    """Return "Last, First" for a display name, as LMS gradebooks list students.

    >>> sortable_name_of("Ada King Lovelace")
    'Lovelace, Ada King'
    >>> sortable_name_of("Plato")
    'Plato'
    """
    parts = display_name.split()
    if len(parts) < 2:
        return display_name.strip()
    return f"{parts[-1]}, {' '.join(parts[:-1])}"


def csv_problem(error: csv.Error) -> str:
    """The csv module's complaint in words a person can act on."""
    text = str(error)
    if "field larger than field limit" in text:
        return f"a cell is longer than {csv.field_size_limit():,} characters"
    if "new-line character" in text:
        return "a line break inside a cell that is not quoted"
    return f"the file cannot be read as CSV ({text})"


def cell(cells: list[str], index: dict[str, int], key: str) -> str:
    """Return a row's value for a named column, or "" when the row is short."""
    position = index.get(key)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def lines(reader: CsvReader) -> Iterator[list[str]]:
    """The file's non-blank lines; stop after one past the limit, however long the file."""
    count = 0
    for cells in reader:
        if not any(c.strip() for c in cells):
            continue
        count += 1
        if count > MAX_ROWS + 1:  # a Points Possible row, then the students
            raise Unreadable(0, f"the file has more than {MAX_ROWS:,} students; "
                                "split it into smaller files")
        yield cells
