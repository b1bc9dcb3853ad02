"""Cells that are safe to open in a spreadsheet, and the files they go into: every CSV the
app writes (gradebooks, the participation report, the audit log) goes through here.

A text cell that begins like a formula is prefixed with `'` (OWASP ASVS 1.2.10): Excel,
LibreOffice and Google Sheets would otherwise run `=HYPERLINK(…)` typed as a name or a
feedback. Quoting the cell does not help against that; the prefix does. Every field is
quoted all the same, and a formula after a separator or a line break inside a cell gets
the prefix too: a spreadsheet in a locale that splits on ";" (de-DE, fr-FR), or on tabs,
would otherwise cut "Name;=1+1" into a cell of its own. Scores are written as plain
numbers, never through this guard, so they stay numbers.
"""

from __future__ import annotations

import csv
import functools
import io
import re
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
BOM = "\ufeff"
# A separator some spreadsheet splits on (or a line break), spaces, then a formula's start.
_FORMULA_AFTER_SEPARATOR = re.compile(r"([,;|\t\r\n] *)(?=[=+\-@])")
# A first cell that may follow the byte-order mark unquoted (a fixed header word).
_PLAIN = re.compile(r"[A-Za-z][A-Za-z ]*")


def text(value: str | None) -> str:
    """A text cell, with a `'` before anything a spreadsheet could run as a formula.

    >>> text("=HYPERLINK(\\"http://x\\")"), text("-2+3"), text("Okafor, Amara"), text(None)
    ('\\'=HYPERLINK("http://x")', "'-2+3", 'Okafor, Amara', '')
    >>> text("Name;=1+1;"), text("a\\t@SUM(A1)"), text("fine; really")
    ("Name;'=1+1;", "a\\t'@SUM(A1)", 'fine; really')
    """
    if not value:
        return ""
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
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


def cell(value: object) -> str:
    """Any value as a cell: text guarded, numbers as written, None empty.

    >>> cell("@me"), cell(-2), cell(None), cell(2.5)
    ("'@me", '-2', '', '2.5')
    """
    if value is None:
        return ""
    return text(value) if isinstance(value, str) else str(value)


def name_part(value: str, empty: str = "course") -> str:
    """A file name (or a piece of one) every download may carry: ASCII letters, digits, dot,
    dash and underscore, nothing to quote in a header and no path.

    >>> name_part("HIST 210.F26"), name_part("../Gé 1"), name_part("§§"), name_part("a-b.csv")
    ('HIST_210.F26', 'G_1', 'course', 'a-b.csv')
    """
    return re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("._") or empty


def writer(out: TextIO, delimiter: str = ",") -> Any:
    """A csv writer that quotes every field and ends lines as RFC 4180 does."""
    return csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)


def write(rows: Iterable[list[str]], out: TextIO, *, delimiter: str = ",",
          bom: bool = False) -> int:
    """Write rows as CSV, every field quoted, RFC 4180 line ends; return the rows written.

    >>> out = io.StringIO()
    >>> write([["Student", "ID"], [text("Ada;=1+1"), "7"]], out, bom=True)
    2
    >>> out.getvalue()
    '\\ufeffStudent,"ID"\\r\\n"Ada;\\'=1+1","7"\\r\\n'
    """
    csv_writer = writer(out, delimiter)
    if bom:
        out.write(BOM)
    count = 0
    for row in rows:
        if count == 0 and bom and row and _PLAIN.fullmatch(row[0]):
            # Ruby's CSV (Canvas's importer) calls a quote right after the mark "Illegal
            # quoting": a fixed header word goes unquoted.
            out.write(row[0] + (delimiter if len(row) > 1 else "\r\n"))
            if len(row) > 1:
                csv_writer.writerow(row[1:])
        else:
            csv_writer.writerow(row)
        count += 1
    return count


def render(rows: Iterable[list[str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    """The whole file as UTF-8 bytes."""
    out = io.StringIO()
    write(rows, out, delimiter=delimiter, bom=bom)
    return out.getvalue().encode("utf-8")
