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


@lru_cache(maxsize=4096)
def shingles(text: str) -> frozenset[tuple[str, ...]]:
    """The text's overlapping runs of three words (cached: earlier comments recur).

    >>> sorted(shingles("The court, the court!"))
    [('court', 'the', 'court'), ('the', 'court', 'the')]
    """
    words = [w for w, _, _ in words_with_spans(text)]
    if len(words) < SHINGLE:
        return frozenset([tuple(words)]) if words else frozenset()
    return frozenset(tuple(words[i:i + SHINGLE]) for i in range(len(words) - SHINGLE + 1))


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


def shared_passages(text: str, source: str, min_words: int) -> list[Passage]:
    """Runs of at least `min_words` consecutive words of `text` that appear verbatim in `source`.

    >>> src = "one two three four five six seven"
    >>> [(p.words, "x one two three four five y"[p.start:p.end])
    ...  for p in shared_passages("x one two three four five y", src, 4)]
    [(5, 'one two three four five')]
    """
    if min_words <= 0:
        return []
    mine = words_with_spans(text)
    theirs = [w for w, _, _ in words_with_spans(source)]
    if len(mine) < min_words or len(theirs) < min_words:
        return []
    seeds = {tuple(theirs[i:i + min_words]) for i in range(len(theirs) - min_words + 1)}
    source_runs = " " + " ".join(theirs) + " "
    passages: list[Passage] = []
    i = 0
    while i <= len(mine) - min_words:
        if tuple(w for w, _, _ in mine[i:i + min_words]) not in seeds:
            i += 1
            continue
        end = i + min_words
        # Grow the run while it still appears in the source as one run.
        while end < len(mine) and (
            " " + " ".join(w for w, _, _ in mine[i:end + 1]) + " " in source_runs
        ):
            end += 1
        passages.append(Passage(mine[i][1], mine[end - 1][2], end - i))
        i = end
    return passages
