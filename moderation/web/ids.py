"""Ids in URLs and forms: ASCII digits within the database's integer range, or not found."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter, Map

from moderation.services.errors import NotFound

# PostgreSQL's INTEGER; SQLite would take more, but no id of ours gets near this.
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every route: 1 to MAX_ID, ASCII digits only.

    Werkzeug's own `\\d+` accepts digits such as "²" that int() refuses, and any
    length, which the database refuses: both would be a 500 instead of a 404.
    """

    regex = r"[0-9]{1,19}"

    def __init__(self, map: Map, fixed_digits: int = 0, min: int | None = 1,
                 max: int | None = MAX_ID, signed: bool = False) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


def parse_id(value: Any, what: str = "The comment you are replying to") -> int:
    """Read an id sent in a form or JSON body; refuse anything else as not found.

    >>> parse_id("42"), parse_id(7)
    (42, 7)
    >>> parse_id("²")
    Traceback (most recent call last):
    ...
    moderation.services.errors.NotFound: The comment you are replying to is not available.
    """
    if isinstance(value, bool):
        value = None
    if isinstance(value, int):
        number: int | None = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        number = None
    if number is None or not 1 <= number <= MAX_ID:
        raise NotFound(f"{what} is not available.")
    return number
