"""Text people type: what counts as empty, and names and comment bodies made safe to store."""

from __future__ import annotations

import unicodedata

from flask import current_app

from moderation.services.errors import InvalidInput

# Controls, format characters (zero-width space, joiners, direction marks, BOM) and
# separators show nothing; so do a few letters that render blank.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def is_blank(text: str) -> bool:
    """Whether a text shows nothing at all.

    >>> is_blank("\\u200b\\u200d \\ufeff\\u2800"), is_blank(" a\\u200b")
    (True, False)
    """
    return all(c.isspace() or c in _BLANK_LETTERS
               or unicodedata.category(c) in _INVISIBLE_CATEGORIES for c in text)


def clean_name(value: str, field: str, what: str = "a name", limit: int = 120) -> str:
    """Trim a name or title; refuse one that shows nothing, has a NUL, or is too long."""
    value = value.strip()
    if "\x00" in value or is_blank(value):
        raise InvalidInput(f"Enter {what}.", field=field)
    if len(value) > limit:
        raise InvalidInput(f"Use at most {limit} characters.", field=field)
    return value


def clean_body(body: str) -> str:
    """Check a comment body and return it trimmed; refuse empty, NUL and over-long text."""
    if "\x00" in body:
        raise InvalidInput("Your comment contains a NUL character; remove it and try again.",
                           field="body")
    body = body.replace("\r\n", "\n").strip()
    if is_blank(body):
        raise InvalidInput("Write your comment before submitting.", field="body")
    limit = current_app.config["MAX_COMMENT_CHARS"]
    if len(body) > limit:
        raise InvalidInput(f"Your comment has {len(body):,} characters; the limit is {limit:,}.",
                           field="body")
    return body
