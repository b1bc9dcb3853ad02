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
_PLAIN_WORD_PARTS = re.compile(f"({_PLAIN_WORD.pattern})")  # split by it: words and between


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
        # Letters of three or fewer that, found in the canonical text, are in its skeleton
        # too (see `any_found`): no "ph" in them or made at their edges, no run to
        # collapse. The shortest first: the likeliest found ("as").
        self.kept = sorted((letters for letters in minimal if len(letters) <= 3
                            and "ph" not in letters and not letters.startswith("h")
                            and not letters.endswith("p") and collapse_runs(letters) == letters),
                           key=len)

    def found(self, text: str) -> list[str]:
        """The minimal letters in the text's skeleton (never wrong when it finds none)."""
        return self._found_in(_runs(fold(text).translate(CANONICAL)))

    def any_found(self, text: str) -> bool:
        """Whether `found` finds any minimal letters, without building the skeleton when
        some short ones are in the canonical text as it stands (most texts: "as"; of the
        rest, about a third: a three-letter entry's letters).

        Dropping separators keeps them (they are letters), reading runs once keeps them
        (they have no run), and reading "ph" as "f" keeps them (no "ph" inside them or
        across their edges): so they are in the skeleton too.
        """
        canonical = fold(text).translate(CANONICAL)
        if any(letters in canonical for letters in self.kept):
            return True
        return bool(self._found_in(_runs(canonical)))

    def _found_in(self, runs: str) -> list[str]:
        """The minimal letters in a skeleton (see `_runs`)."""
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


def _runs(canonical: str) -> str:
    """The skeleton of a canonical text: separators dropped, runs read once, "ph" as "f"."""
    skeleton = (canonical.translate(ASCII_SEPARATORS) if canonical.isascii()
                else SEPARATORS.sub("", canonical))
    runs = collapse_runs(skeleton)
    if "ph" in runs:
        runs = collapse_runs(runs.replace("ph", "f"))
    return runs


MAX_REMEMBERED = 50_000  # plain words whose reading is remembered: a course's vocabulary
# A plain word as typed: its lower case, and its blanks if it is an ordinary English word
# (None if not). Shared by every list: what a list's own forms change is asked per text.
_remembered: dict[str, tuple[str, str | None]] = {}


def without_ordinary(text: str, plain_forms: frozenset[str]) -> str:
    """The text with its plainly typed ordinary words blanked (same length).

    An ordinary word typed plainly is never a match unless it is a list word's plain
    form: a long list's letters occur in many of them ("class", "title").
    """
    # Split, not substituted word by word: each distinct word is judged once, and the
    # words are swapped for their blanks in one pass (no Python call per word).
    parts = _PLAIN_WORD_PARTS.split(text)  # between words, word, between, ..., between
    if len(parts) == 1:
        return text
    words = english_words()
    blanked: dict[str, str] = {}
    for typed in dict.fromkeys(parts[1::2]):
        reading = _remembered.get(typed)
        if reading is None:
            lower = typed.lower()
            reading = (lower, " " * len(lower) if lower in words else None)
            if len(_remembered) >= MAX_REMEMBERED:
                _remembered.clear()  # bounded: refills with the live vocabulary
            _remembered[typed] = reading
        lower, blanks = reading
        if blanks is not None and lower not in plain_forms:
            blanked[typed] = blanks
    if not blanked:
        return text
    parts[1::2] = [blanked.get(typed, typed) for typed in parts[1::2]]
    return "".join(parts)
