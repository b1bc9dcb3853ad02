"""Cells that are safe to open in a spreadsheet, and the files they go into.

A text cell that begins like a formula is prefixed with `'` (OWASP ASVS 1.2.10): Excel,
LibreOffice and Google Sheets would otherwise run `=HYPERLINK(…)` typed as a name or a
feedback. Quoting the cell does not help; the prefix does. Scores are written as plain
numbers, never through this guard, so they stay numbers.
"""

from __future__ import annotations

import csv
import functools
import io
from collections.abc import Iterable
from typing import TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
BOM = "\ufeff"


def text(value: str | None) -> str:
    """A text cell, with a leading `'` when it could start a formula.

    >>> text("=HYPERLINK(\\"http://x\\")"), text("-2+3"), text("Okafor, Amara"), text(None)
    ('\\'=HYPERLINK("http://x")', "'-2+3", 'Okafor, Amara', '')
    """
    if not value:
        return ""
    return "'" + value if value.startswith(FORMULA_START) else value


@functools.lru_cache(maxsize=8192)  # scores repeat: 100,000 cells hold a few hundred values
def number(value: float | None) -> str:
    """A score: at most two decimals, no trailing zeros, no thousands separator.

    >>> number(9.5), number(10.0), number(2.666), number(None), number(1234.5)
    ('9.5', '10', '2.67', '', '1234.5')
    """
    if value is None:
        return ""
    if value == int(value):  # most scores: a whole number, written as one
        return str(int(value))
    shown = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if shown == "-0" else shown


@functools.lru_cache(maxsize=8192)
def fixed(value: float | None) -> str:
    """A score with exactly two decimals, as Canvas writes its own exports.

    >>> fixed(9.5), fixed(10), fixed(None)
    ('9.50', '10.00', '')
    """
    return "" if value is None else f"{value:.2f}"


def write(rows: Iterable[list[str]], out: TextIO, *, delimiter: str = ",",
          quote_all: bool = False, bom: bool = False) -> int:
    """Write rows as CSV (RFC 4180 line ends) to a text stream; return the rows written."""
    if bom:
        out.write(BOM)
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n",
                        quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL)
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


def render(rows: Iterable[list[str]], *, delimiter: str = ",", quote_all: bool = False,
           bom: bool = False) -> bytes:
    """The whole file as UTF-8 bytes."""
    out = io.StringIO()
    write(rows, out, delimiter=delimiter, quote_all=quote_all, bom=bom)
    return out.getvalue().encode("utf-8")
