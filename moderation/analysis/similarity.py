"""Text similarity: word shingles for near-duplicates, shared runs for copied passages."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"\w+(?:'\w+)*")
SHINGLE = 3  # words per shingle


@dataclass(frozen=True, slots=True)
class Passage:
    """A run of words shared with another text: character span here, word count."""

    start: int
    end: int
    words: int


def words_with_spans(text: str) -> list[tuple[str, int, int]]:
    """Lower-cased words of the text with their character spans."""
    return [(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]


@lru_cache(maxsize=1024)
def shingles(text: str) -> frozenset[int]:
    """The text's overlapping runs of three words, each kept as its hash (cached: earlier
    comments recur).

    Hashes, not tuples of words: a set of integers takes a third of the memory and is
    intersected several times faster (a tuple's hash is computed again at each lookup).
    Two runs whose hashes collide (1 in 2**61 per pair in this process) would count as
    shared, which changes no score. The cache holds 1,024 texts: about 20 MB at 200 words
    each (95 bytes a shingle), whatever the course size.

    >>> shingles("The court, the court!") == {hash(("the", "court", "the")),
    ...                                       hash(("court", "the", "court"))}
    True
    """
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(map(hash, zip(words, words[1:], words[2:], strict=False)))


def resemblance(a: str, b: str) -> float:
    """Jaccard similarity of two texts' shingles: 1.0 for the same words in the same order.

    >>> resemblance("I agree with the point about timing.", "I agree with the point about timing!")
    1.0
    >>> resemblance("I agree with the point about timing.", "The court has no army.")
    0.0
    """
    sa, sb = shingles(a), shingles(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def containment(a: str, b: str) -> float:
    """The share of a's shingles that also appear in b (how much of a is taken from b)."""
    sa = shingles(a)
    if not sa:
        return 0.0
    return len(sa & shingles(b)) / len(sa)


@lru_cache(maxsize=64)
def _source_index(source: str, n: int) -> tuple[frozenset[tuple[str, ...]], str]:
    """The source's runs of n words, and its words joined (cached: one prompt, many comments)."""
    theirs = [w for w, _, _ in words_with_spans(source)]
    seeds = frozenset(tuple(theirs[i:i + n]) for i in range(len(theirs) - n + 1))
    return seeds, " " + " ".join(theirs) + " "


def _stride(n: int) -> int:
    return max(1, n // 2)


def _may_share_run(words: list[str], source: str, n: int) -> bool:
    """Exact quick test: could `words` share a run of n words with the source?

    Any run of n words covers a position that is a multiple of m = n // 2 with at least
    n - m + 1 words of the run from there on; so checking those positions' windows
    against the source's windows of that length finds every run, in 2/n of the lookups.
    """
    m = _stride(n)
    width = n - m + 1
    windows, _ = _source_index(source, width)
    return any(tuple(words[i:i + width]) in windows
               for i in range(0, len(words) - width + 1, m))


def shared_passages(text: str, source: str, min_words: int) -> list[Passage]:
    """Runs of at least `min_words` consecutive words of `text` that appear verbatim in `source`.

    >>> src = "one two three four five six seven"
    >>> [(p.words, "x one two three four five y"[p.start:p.end])
    ...  for p in shared_passages("x one two three four five y", src, 4)]
    [(5, 'one two three four five')]
    """
    if min_words <= 0:
        return []
    seeds, source_runs = _source_index(source, min_words)
    lowered = text.lower()
    if not seeds or len(lowered) != len(text):
        words = [w for w, _, _ in words_with_spans(text)]
    else:
        words = _WORD.findall(lowered)  # spans are found below, only if a run matches
    if len(words) < min_words or not seeds or not _may_share_run(words, source, min_words):
        return []
    mine: list[tuple[str, int, int]] | None = None
    passages: list[Passage] = []
    i = 0
    while i <= len(words) - min_words:
        if tuple(words[i:i + min_words]) not in seeds:
            i += 1
            continue
        end = i + min_words
        # Grow the run while it still appears in the source as one run.
        while end < len(words) and " " + " ".join(words[i:end + 1]) + " " in source_runs:
            end += 1
        if mine is None:
            mine = words_with_spans(text)
        passages.append(Passage(mine[i][1], mine[end - 1][2], end - i))
        i = end
    return passages
