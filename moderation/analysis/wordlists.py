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


def _canonical_table() -> dict[int, str]:
    """Map every lookalike to one letter per group of letters that share lookalikes."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for letter, options in _LOOKALIKES.items():
        for option in options:
            parent[find(option)] = find(letter)
    return {ord(c): find(c) for c in parent}


# For the quick pre-check only: "sh1t", "$hit" and "shit" all read as one string.
_CANONICAL = _canonical_table()
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
    options = "".join(sorted(set(options + options.upper())))
    # Both cases spelled out rather than IGNORECASE, which is slower here.
    return "[" + re.escape(options) + "]+"  # "+": a stretched letter, "fuuuck"


def _pattern_for(word: str) -> str:
    letters = [c for c in word.lower() if not c.isspace()]
    compact = "".join(_letter(c) for c in letters)
    if len(letters) < 3:
        return compact + _SUFFIXES
    # Spaced form: one separator between every letter, so "a s s" but not "as sorted".
    spaced = _SEPARATOR.join(_letter(c) for c in letters)
    return f"(?:{compact}{_SUFFIXES}|{spaced})"


def _skeleton(text: str) -> str:
    """Lower-case, with separators dropped and lookalikes mapped: "S h 1 t" reads "shit"."""
    joined = "".join(text.lower().split())
    return joined.replace(".", "").replace("-", "").replace("_", "").translate(_CANONICAL)


@lru_cache(maxsize=256)
def _skeleton_patterns(words: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Per word: its first letter, then each letter one or more times ("fu+c+k+").

    Starting with a plain letter lets the regex engine skip ahead quickly.
    """
    patterns = []
    for word in words:
        letters = _skeleton(word)
        patterns.append(re.compile(
            re.escape(letters[0]) + "".join(re.escape(c) + "+" for c in letters[1:])))
    return tuple(patterns)


def might_contain(text: str, words: tuple[str, ...]) -> bool:
    """A cheap test that is never wrong when it says no.

    A match of the full pattern is one contiguous run of ASCII characters; in the text's
    skeleton (separators dropped, lookalikes mapped) it reads as its word's letters, each
    one or more times. Masked letters are the exception, so a mask sends the text on.
    """
    if "*" in text or "#" in text:
        return True
    skeleton = _skeleton(text)
    return any(pattern.search(skeleton) for pattern in _skeleton_patterns(words))


@lru_cache(maxsize=256)
def compile_list(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Compile a word list into one case-insensitive pattern with a group per word."""
    entries = [w.strip().lower() for w in words if w.strip()]
    if not entries:
        return None
    # Longest first, so "motherfucker" wins over "fuck" at the same place.
    entries = sorted(set(entries), key=len, reverse=True)
    alternatives = "|".join(f"(?P<w{i}>{_pattern_for(w)})" for i, w in enumerate(entries))
    # ASCII: a lookalike is an ASCII character, and the pre-check relies on it.
    return re.compile(f"(?<![{_EDGE}])(?:{alternatives})(?![{_EDGE}])", re.ASCII)


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
    if pattern is None or not might_contain(text, entries):
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
