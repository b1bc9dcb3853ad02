"""Canvas's gradebook importer rules (REFERENCE.md; lib/gradebook_importer.rb), as a checker.

`problems(data)` returns every rule a file breaks; an empty list means Canvas would take it.
"""

from __future__ import annotations

import csv
import io
import re

TITLE_AND_ID = re.compile(r"\A(.*)\s\((\d+)\)\Z")
NON_ASSIGNMENT = re.compile("Current Score|Current Points|Current Grade|Final Score|"
                            "Final Points|Final Grade|Override Score|Override Grade|"
                            "Override Status")
NUMBER = re.compile(r"\A-?[0-9]+(?:\.[0-9]+)?\Z")  # no thousands separators, a decimal point
FORMULA = ("=", "+", "-", "@", "\t", "\r", "\n")


def problems(data: bytes) -> list[str]:
    """Every importer rule the file breaks."""
    found: list[str] = []
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ["the file is not UTF-8"]
    if text.startswith("\ufeff"):
        text = text[1:]
        # Ruby's CSV keeps the mark in the first cell; a quote after it is "Illegal quoting".
        if text.startswith('"'):
            found.append("a byte-order mark followed by a quoted first cell")
    lines = text.splitlines()
    # The importer picks ";" only when it splits the first lines into more fields than ",".
    comma = [len(next(csv.reader([line]))) for line in lines[:3]]
    semicolon = [len(next(csv.reader([line], delimiter=";"))) for line in lines[:3]]
    if len(set(comma)) != 1:
        found.append(f"the first lines split into different numbers of fields: {comma}")
    elif len(set(semicolon)) == 1 and semicolon[0] > comma[0]:
        found.append("the importer would read this file as semicolon-separated")
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) < 2:
        return [*found, "a header and a Points Possible row are needed"]
    header, points = rows[0], rows[1]
    if not (len(header) > 3 and "Student" in header[0] and "ID" in header[1]):
        found.append("Invalid header row: the first cell must contain Student, the second ID")
        return found
    info = 3
    if re.search(r"SIS\s+Login\s+ID", header[2]):
        info = 4
    elif re.search(r"SIS\s+User\s+ID", header[2]) and re.search(r"SIS\s+Login\s+ID", header[3]):
        info = 5
    if "Section" not in header[info - 1]:
        found.append("Invalid header row: the last student column must contain Section")
    assignments = [i for i in range(info, len(header)) if not NON_ASSIGNMENT.search(header[i])]
    titles = [header[i] for i in assignments]
    if any(not t.strip() for t in titles):
        found.append("an assignment column has no title")
    untitled_ids = [t for t in titles if not TITLE_AND_ID.match(t)]
    if len(set(untitled_ids)) != len(untitled_ids):
        found.append("two new assignments share a title")
    if "Points Possible" not in points[0]:
        found.append("the second row must be the Points Possible row")
    else:
        for i in assignments:
            cell = points[i] if i < len(points) else ""
            if not NUMBER.match(cell) and "read only" not in cell:
                found.append(f"Points Possible of {header[i]!r} is not a number: {cell!r}")
    for n, row in enumerate(rows, start=1):
        if len(row) != len(header):
            found.append(f"line {n}: {len(row)} cells, the header has {len(header)}")
    for n, row in enumerate(rows[2:], start=3):
        if re.fullmatch(r"[;, ]*", ",".join(row)):
            found.append(f"line {n}: a row of separators is skipped")
            continue
        if not row[0].strip():
            found.append(f"line {n}: the Student name is empty")
        if row[1].strip() and not row[1].strip().isdigit():
            found.append(f"line {n}: ID {row[1]!r} is not a Canvas user id")
        for i in assignments:
            cell = row[i].strip() if i < len(row) else ""
            if cell and cell not in ("-", "EX") and not NUMBER.match(cell):
                found.append(f"line {n}: grade {cell!r} is not a number, blank, - or EX")
        for cell in row[:info]:
            if cell.startswith(FORMULA):
                found.append(f"line {n}: {cell!r} could run as a formula")
    return found
