"""CSV files people download: cells safe from formula injection, sent as an uncached attachment."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context

# A spreadsheet runs a cell beginning with one of these as a formula (OWASP ASVS 1.2.10).
# Quoting does not help: the spreadsheet strips the quotes first.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\x00")
_FLUSH_AT = 64 * 1024


def csv_safe(value: object) -> object:
    """A leading ' for text a spreadsheet would run as a formula; numbers stay numbers.

    >>> csv_safe("=HYPERLINK(1)"), csv_safe("-2"), csv_safe(-2), csv_safe("Ada"), csv_safe(None)
    ("'=HYPERLINK(1)", "'-2", -2, 'Ada', None)
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_attachment(filename: str, header: Sequence[str],
                   rows: Iterable[Sequence[object]]) -> Response:
    """Stream rows as a UTF-8 CSV attachment that no cache keeps.

    The byte order mark lets spreadsheet programs read the names as UTF-8.
    """

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        buffer.write("\ufeff")
        writer.writerow([csv_safe(cell) for cell in header])
        for row in rows:
            writer.writerow([csv_safe(cell) for cell in row])
            if buffer.tell() > _FLUSH_AT:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    response = Response(stream_with_context(generate()), mimetype="text/csv")
    # Only characters that need no quoting in a header: a course code may hold spaces.
    safe_name = re.sub(r"[^A-Za-z0-9._-]+", "-", filename)
    response.headers["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response.headers["Cache-Control"] = "no-store"
    return response
