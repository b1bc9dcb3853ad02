"""Files people download: sent as an uncached attachment named by `lms.csv_safe.name_part`;
CSV cells guarded by `lms.csv_safe`."""

from __future__ import annotations

import io
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

    return Response(stream_with_context(generate()), mimetype="text/csv",
                    headers=_attachment(filename))


def download(data: bytes, filename: str, media_type: str) -> Response:
    """A file to save, never to show in the browser or to keep in any cache."""
    return Response(data, mimetype=media_type.split(";")[0],
                    headers={"Content-Type": media_type, **_attachment(filename)})


def _attachment(filename: str) -> dict[str, str]:
    # Only characters that need no quoting in a header: a course code may hold spaces.
    return {"Content-Disposition": f'attachment; filename="{csv_safe.name_part(filename)}"',
            "Cache-Control": "no-store"}
