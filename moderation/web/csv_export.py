"""CSV files people download: cells guarded by `lms.csv_safe`, sent as an uncached attachment."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Sequence

from flask import Response, stream_with_context

from moderation.lms import csv_safe

_FLUSH_AT = 64 * 1024


def csv_attachment(filename: str, header: Sequence[str],
                   rows: Iterable[Sequence[object]]) -> Response:
    """Stream rows as a UTF-8 CSV attachment that no cache keeps.

    The byte order mark lets spreadsheet programs read the names as UTF-8.
    """

    def generate() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv_safe.writer(buffer)
        buffer.write(csv_safe.BOM)
        writer.writerow([csv_safe.cell(c) for c in header])
        for row in rows:
            writer.writerow([csv_safe.cell(c) for c in row])
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
