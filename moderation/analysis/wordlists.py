"""Word-list matching: whole words and inflections, case-insensitive, through simple obfuscation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

# What people type instead of a letter to slip past a filter.
_LOOKALIKES = {
    "a": "a4@", "b": "b8", "e": "e3", "g": "g9", "i": "i1!|l", "l": "l1|", "o": "o0",
    "s": "s5$", "t": "t7+", "z": "z2",
}
_MASK = "*#"  # a masked letter: "f*ck", "sh#t"
_SEPARATOR = r"[\s.\-_]"  # between spaced letters: "f u c k", "s.h.i.t"
_SUFFIXES = r"(?:s|es|ed|d|er|ers|ing|in|y|ty|ting|ter|ters|head|heads|hole|holes|face)?"
_EDGE = r"A-Za-z0-9"


@dataclass(frozen=True, slots=True)
class WordMatch:
    """A list word found in the text, as typed."""

    word: str  # the list entry
    typed: str  # what the text says
    start: int
    end: int


def _letter(char: str) -> str:
    options = _LOOKALIKES.get(char, char) + _MASK
    return "[" + re.escape(options) + "]+"  # "+": a stretched letter, "fuuuck"


def _pattern_for(word: str) -> str:
    letters = [c for c in word.lower() if not c.isspace()]
    compact = "".join(_letter(c) for c in letters)
    if len(letters) < 3:
        return compact + _SUFFIXES
    # Spaced form: one separator between every letter, so "a s s" but not "as sorted".
    spaced = _SEPARATOR.join(_letter(c) for c in letters)
    return f"(?:{compact}{_SUFFIXES}|{spaced})"


@lru_cache(maxsize=256)
def compile_list(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Compile a word list into one case-insensitive pattern with a group per word."""
    entries = [w.strip().lower() for w in words if w.strip()]
    if not entries:
        return None
    # Longest first, so "motherfucker" wins over "fuck" at the same place.
    entries = sorted(set(entries), key=len, reverse=True)
    alternatives = "|".join(f"(?P<w{i}>{_pattern_for(w)})" for i, w in enumerate(entries))
    return re.compile(f"(?<![{_EDGE}])(?:{alternatives})(?![{_EDGE}])", re.IGNORECASE)


def find_words(text: str, words: Iterable[str]) -> list[WordMatch]:
    """Find each occurrence of a list word in the text.

    >>> [m.typed for m in find_words("What the f*ck, SH1T. f u c k! fuuuck", ["fuck", "shit"])]
    ['f*ck', 'SH1T', 'f u c k', 'fuuuck']
    >>> find_words("Scunthorpe is a classic assessment town.", ["cunt", "ass"])
    []
    >>> [m.typed for m in find_words("They cheated; cheating is cheaters' game.", ["cheat"])]
    ['cheated', 'cheating', 'cheaters']
    """
    entries = tuple(sorted({w.strip().lower() for w in words if w.strip()}, key=len,
                           reverse=True))
    pattern = compile_list(entries)
    if pattern is None:
        return []
    found = []
    for match in pattern.finditer(text):
        typed = match.group()
        masks = sum(c in _MASK for c in typed)
        if masks > sum(c.isalnum() for c in typed):
            continue  # mostly masked ("f***"): already censored, nothing to judge
        index = int(match.lastgroup[1:])  # type: ignore[index]
        found.append(WordMatch(entries[index], typed, match.start(), match.end()))
    return found


@cache
def default_banned_words() -> tuple[str, ...]:
    """The shipped default banned list."""
    text = resources.files("moderation.analysis").joinpath("data/banned_words.txt").read_text()
    return tuple(line.strip() for line in text.splitlines()
                 if line.strip() and not line.startswith("#"))
