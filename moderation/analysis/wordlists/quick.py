"""The quick search: where a list's words might be, before any chunk is read.

Each entry's minimal letters (canonical, runs read once, "ph" as "f") occur in order
through separators and repeats exactly where they are a substring of the text's skeleton
(separators dropped, runs read once): one pass to build the skeleton, then a substring
test per entry (for a long list, only the entries whose first three letters the skeleton
has). Where they occur, `in_order`'s patterns point at the chunks to read.
"""

from __future__ import annotations

import re

from moderation.analysis.lexicon import english_words
from moderation.analysis.wordlists.compiler import in_order
from moderation.analysis.wordlists.normalise import (
    ASCII_SEPARATORS,
    CANONICAL,
    SEPARATORS,
    collapse_runs,
    fold,
)

MANY_ENTRIES = 64  # minimal letters past which the quick test first filters by three letters
# A word of plain letters between spaces (sentence punctuation after it aside): never part
# of a disguised spelling ("sh.it" is not "sh" and "it").
_PLAIN_WORD = re.compile(r"(?<![^\s\"'(\[])[A-Za-z]{2,}(?=[.,;:!?\"')\]]*(?:\s|$))")


class QuickSearch:
    """The minimal letters of a list, and the patterns that place them in a text."""

    def __init__(self, minimal: tuple[str, ...]) -> None:
        self.minimal = minimal
        self.long = len(minimal) >= MANY_ENTRIES
        self._patterns: dict[str, re.Pattern[str]] = {}  # compiled when first needed
        # Minimal letters by their first three, as a tuple of letters: the skeleton's
        # three-letter runs are gathered as tuples by zip, with no string sliced per place.
        self.heads: dict[tuple[str, ...], list[str]] = {}
        for letters in minimal:
            if len(letters) >= 3:
                self.heads.setdefault(tuple(letters[:3]), []).append(letters)
        self.short = [letters for letters in minimal if len(letters) < 3]

    def found(self, text: str) -> list[str]:
        """The minimal letters in the text's skeleton (never wrong when it finds none)."""
        canonical = fold(text).translate(CANONICAL)
        skeleton = (canonical.translate(ASCII_SEPARATORS) if canonical.isascii()
                    else SEPARATORS.sub("", canonical))
        runs = collapse_runs(skeleton)
        if "ph" in runs:
            runs = collapse_runs(runs.replace("ph", "f"))
        if not self.long:
            return [letters for letters in self.minimal if letters in runs]
        found = set(zip(runs, runs[1:], runs[2:], strict=False))
        return [letters for head in found & self.heads.keys() for letters in self.heads[head]
                if letters in runs] + [letters for letters in self.short if letters in runs]

    def places(self, text: str, found: list[str]) -> list[tuple[int, int]]:
        """Where the found letters occur in order, through separators and repeats."""
        if not found:
            return []
        canonical = fold(text).translate(CANONICAL)
        return [m.span() for letters in found for m in self.pattern(letters).finditer(canonical)]

    def pattern(self, letters: str) -> re.Pattern[str]:
        """The pattern for some minimal letters (see `in_order`)."""
        pattern = self._patterns.get(letters)
        if pattern is None:
            pattern = self._patterns[letters] = re.compile(in_order(letters))
        return pattern


MAX_REMEMBERED = 50_000  # plain words whose reading is remembered: a course's vocabulary
# A plain word as typed: its lower case, and its blanks if it is an ordinary English word
# (None if not). Shared by every list: what a list's own forms change is asked per text.
_remembered: dict[str, tuple[str, str | None]] = {}


def without_ordinary(text: str, plain_forms: frozenset[str]) -> str:
    """The text with its plainly typed ordinary words blanked (same length).

    An ordinary word typed plainly is never a match unless it is a list word's plain
    form: a long list's letters occur in many of them ("class", "title").
    """
    words = english_words()

    def blank(match: re.Match[str]) -> str:
        typed = match.group()
        reading = _remembered.get(typed)
        if reading is None:
            lower = typed.lower()
            reading = (lower, " " * len(lower) if lower in words else None)
            if len(_remembered) >= MAX_REMEMBERED:
                _remembered.clear()  # bounded: refills with the live vocabulary
            _remembered[typed] = reading
        lower, blanks = reading
        return typed if blanks is None or lower in plain_forms else blanks

    return _PLAIN_WORD.sub(blank, text)
