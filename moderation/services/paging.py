"""Keyset pages of comments: a cursor is the sort key of the comment a page starts or ends at.

No OFFSET: the hundredth page costs what the first does, and a bookmark keeps its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from moderation.models import Comment

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: the sort key of a comment.

    >>> c = Cursor(2, datetime(2026, 3, 1, 9, 5, 0, 123456, tzinfo=UTC), 42)
    >>> c.encode(), Cursor.decode(c.encode()) == c, Cursor.decode("2_x_1")
    ('2_1772355900123456_42', True, None)
    """

    flag_level: int
    submitted_at: datetime
    id: int

    def encode(self) -> str:
        """A compact URL value: level, microseconds since 1970, id."""
        micros = (self.submitted_at - EPOCH) // timedelta(microseconds=1)
        return f"{self.flag_level}_{micros}_{self.id}"

    @classmethod
    def decode(cls, value: str | None) -> Cursor | None:
        """Read a URL value; anything malformed is no cursor (the first page)."""
        parts = (value or "").split("_")
        if len(parts) != 3 or not all(p.isascii() and p.isdigit() and len(p) < 20
                                      for p in parts):
            return None
        level, micros, id_ = map(int, parts)
        try:
            return cls(level, EPOCH + timedelta(microseconds=micros), id_)
        except OverflowError:
            return None

    @classmethod
    def of(cls, comment: Comment) -> Cursor:
        """The cursor at a comment."""
        return cls(comment.flag_level, comment.submitted_at, comment.id)
