"""Spelling suggestions: candidates within two edits or sounding alike, ranked as typos are.

Candidates come from a symmetric-delete index (SymSpell's idea: a word and a typo of
it within two edits share a string made by deleting at most two letters from each),
kept as two sorted numpy arrays instead of millions of Python strings, plus the words
that sound the same (Metaphone: "phillipeans" and "philippines" both read FLPNS).

Each candidate is scored by a linear model over what the typo did (a vowel for a
vowel, a doubled letter dropped, two letters swapped, a key next to the right one...),
how common the word is, and whether it sounds the same. The weights were fitted with
`bench/spelling.py --fit` on public corpora of real misspellings (Wikipedia's list,
Aspell's and Holbrook's sets, Birkbeck less every pair whose right word is in Norvig's
test sets, which stay held out); nothing of those corpora is shipped, only the weights.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, cached_property, lru_cache
from typing import cast

import jellyfish
import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from moderation.analysis.lexicon import word_frequencies

PREFIX = 7  # letters of a word the delete index covers (the rest checked by distance)
MAX_DISTANCE = 2  # edits the delete index finds; sound-alikes may be further
MAX_SOUND_ALIKES = 60  # words sharing a Metaphone key, past which the key is ignored
SHORTLIST = 10  # candidates scored in full, after a cheap first ranking
MAX_TYPO = 45  # letters; no English word is longer
MAX_SHOWN = 3  # suggestions a student sees at most
# A runner-up within this score of the best (odds of e^3, about 20 to 1) is shown too: the
# first is shown alone only when the typo model is that sure of it. On Birkbeck and
# Holbrook (non-words) the right word is among those shown 53.5% and 62.8% of the time, at
# 1.56 and 2.13 suggestions a misspelling (7 to 1: 52.2% and 61.0%, at 1.36 and 1.82).
SHOW_MARGIN = 3.0
ID_BITS = 18  # a word's number in the dictionary (up to 262,144 words)
ID_MASK = (1 << ID_BITS) - 1
_ALPHABET = "abcdefghijklmnopqrstuvwxyz'"
_CODE = {c: i + 1 for i, c in enumerate(_ALPHABET)}  # 5 bits each, 0 for "none"
_SHIFTS = np.array([32 ** (PREFIX - 1 - i) for i in range(PREFIX)], dtype=np.int64)
# Positions kept after deleting none, one or two of the first PREFIX letters.
_KEPT = [tuple(i for i in range(PREFIX) if i not in gone)
         for n in range(MAX_DISTANCE + 1) for gone in itertools.combinations(range(PREFIX), n)]

_VOWELS = frozenset("aeiouy")
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEYS = {c: (r, i + 0.5 * r) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
# Letters that stand for the same sound: a common confusion, not a slip of the finger.
_SOUND_PAIRS = frozenset(frozenset(p) for p in (
    "ck", "cs", "sz", "kq", "gj", "fv", "sc", "xz", "mn", "dt", "bp", "wv"))
_SILENT = frozenset("hwe")

FEATURES = (
    "log_count", "vowel_for_vowel", "sound_alike_letter", "next_key", "other_letter",
    "double_dropped", "double_added", "vowel_dropped", "vowel_added", "silent_dropped",
    "silent_added", "letter_dropped", "letter_added", "swap", "first_letter", "sounds_same",
    "length_change", "last_letter", "edits", "same_consonants",
)
# Fitted by `bench/spelling.py --fit` (see the module docstring); a higher score wins.
WEIGHTS = (
    1.00, -0.17, 0.79, -0.71, -0.69, 2.30, -0.11, 1.70, -1.23, 2.47, -0.82, 1.81, -1.01, 0.65,
    -1.95, 2.02, -0.24, -0.32, -2.32, 0.94,
)


@dataclass(frozen=True)
class Dictionary:
    """The words, their log counts, the delete index and the sound-alike index."""

    words: tuple[str, ...]
    log_counts: npt.NDArray[np.float64]
    entries: npt.NDArray[np.int64]  # sorted, each a packed delete << ID_BITS | word id
    sound_ids: npt.NDArray[np.int32]  # each word's Metaphone key, numbered
    sound_number: dict[str, int]  # Metaphone key: its number
    lengths: npt.NDArray[np.int16]
    # The words of each key, key after key (ids ascending within one): key n's words are
    # sound_members[sound_starts[n]:sound_starts[n + 1]]. Two arrays rather than an array
    # per key: 45,000 small arrays cost a process about 8 MB more.
    sound_members: npt.NDArray[np.int64]
    sound_starts: npt.NDArray[np.int64]

    @cached_property
    def index(self) -> dict[str, int]:
        """Each word's id (for fitting the weights; checking never asks)."""
        return {w: i for i, w in enumerate(self.words)}

    def sound_alikes(self, key: str) -> npt.NDArray[np.int64] | None:
        """The words of a Metaphone key, unless it is short or crowded ("TN": thousands of
        words) and so says too little to be worth it."""
        number = self.sound_number.get(key)
        if number is None or len(key) < 3:
            return None
        start, stop = int(self.sound_starts[number]), int(self.sound_starts[number + 1])
        return self.sound_members[start:stop] if stop - start <= MAX_SOUND_ALIKES else None


def _codes(words: Sequence[str]) -> npt.NDArray[np.int64]:
    """The first PREFIX letters of each word as 5-bit codes, 0-padded."""
    matrix = np.zeros((len(words), PREFIX), dtype=np.int64)
    for row, word in enumerate(words):
        for col, char in enumerate(word[:PREFIX]):
            matrix[row, col] = _CODE.get(char, 31)
    return matrix


# Row k packs what is left after the k-th way of deleting: a word's deletes in one product.
_PACKING = np.zeros((len(_KEPT), PREFIX), dtype=np.int64)
for _row, _kept in enumerate(_KEPT):
    _PACKING[_row, list(_kept)] = _SHIFTS[:len(_kept)]


def _packed_deletes(matrix: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each row's deletes (none, one or two of its first letters), packed in an int64."""
    return matrix @ _PACKING.T


@cache
def dictionary() -> Dictionary:
    """Build the index once per process (about half a second; nothing is downloaded)."""
    counts = word_frequencies()
    words = tuple(w for w in counts if all(c in _CODE for c in w))[:ID_MASK + 1]
    # One sorted array of (delete, word) pairs, sorted in place and without repeats:
    # about 20 MB for the whole dictionary, and little more while it is built.
    entries = _packed_deletes(_codes(words))
    entries <<= ID_BITS
    entries |= np.arange(len(words), dtype=np.int64)[:, None]
    entries = entries.ravel()
    entries.sort()
    entries = entries[np.concatenate(([True], entries[1:] != entries[:-1]))]
    number: dict[str, int] = {}
    sound_ids = np.array([number.setdefault(key, len(number))
                          for key in map(jellyfish.metaphone, words)], dtype=np.int32)
    members = np.argsort(sound_ids, kind="stable").astype(np.int64)
    starts = np.searchsorted(sound_ids[members], np.arange(len(number) + 1)).astype(np.int64)
    return Dictionary(
        words, np.log(np.array([counts[w] for w in words], dtype=np.float64)), entries,
        sound_ids, number, np.array([len(w) for w in words], dtype=np.int16), members, starts)


def near(word: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int32], npt.NDArray[np.bool_]]:
    """Word ids within two edits, or sounding the same within four; distances; same sound."""
    book = dictionary()
    keys = _packed_deletes(_codes([word]))[0] << ID_BITS
    bounds = np.searchsorted(book.entries, np.concatenate((keys, keys + (1 << ID_BITS))))
    low, high = bounds[:len(keys)], bounds[len(keys):]
    sizes = high - low
    total = int(sizes.sum())
    # Every position from each low to its high, in one go.
    positions = np.arange(total) + np.repeat(low - np.cumsum(sizes) + sizes, sizes)
    ids = book.entries[positions] & ID_MASK
    sound = jellyfish.metaphone(word)
    alike = book.sound_alikes(sound)
    if alike is not None:
        ids = np.concatenate((ids, alike))
    ids.sort()
    if ids.size:
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]  # np.unique, less overhead
    same = book.sound_ids[ids] == book.sound_number.get(sound, -1)
    # An edit changes the length by one at most: most ids go before any distance is taken.
    gap = np.abs(book.lengths[ids] - len(word))
    keep = (gap <= MAX_DISTANCE) | (same & (gap <= 4))
    ids, same = ids[keep], same[keep]
    words = book.words
    distances = process.cdist([word], [words[i] for i in ids.tolist()], scorer=OSA.distance,
                              score_cutoff=4, dtype=np.int32)[0]
    keep = (distances <= MAX_DISTANCE) | (same & (distances <= 4))
    return ids[keep], distances[keep], same[keep]


def candidates(word: str) -> list[tuple[str, int]]:
    """Dictionary words within two edits of `word`, or sounding the same and within four."""
    ids, distances, _ = near(word)
    words = dictionary().words
    return [(words[i], int(d)) for i, d in zip(ids.tolist(), distances.tolist(), strict=True)]


def features(typo: str, word: str, log_count: float) -> list[float]:
    """What it takes to get from the word to the typo, as FEATURES counts."""
    f = [0.0] * len(FEATURES)
    f[0] = log_count
    ops = cast(list[tuple[str, int, int]], Levenshtein.editops(typo, word).as_list())
    k = 0
    while k < len(ops):
        op, i, j = ops[k]
        if k + 1 < len(ops):  # two letters swapped shows as two edits next to each other
            op2, i2, j2 = ops[k + 1]
            if ((op == op2 == "replace" and i2 == i + 1 and j2 == j + 1
                 and typo[i] == word[j + 1] and typo[i + 1] == word[j])
                    or (op == "insert" and op2 == "delete" and i2 == i + 1 and j2 == j + 2
                        and word[j] == typo[i + 1] and typo[i] == word[j + 1])
                    or (op == "delete" and op2 == "insert" and i2 == i + 2 and j2 == j + 1
                        and typo[i] == word[j + 1] and typo[i + 1] == word[j])):
                f[13] += 1
                k += 2
                continue
        if op == "replace":
            a, b = typo[i], word[j]
            if a in _VOWELS and b in _VOWELS:
                f[1] += 1
            elif frozenset((a, b)) in _SOUND_PAIRS:
                f[2] += 1
            elif _next_keys(a, b):
                f[3] += 1
            else:
                f[4] += 1
            if j == 0:
                f[14] += 1
        elif op == "insert":  # the typo lacks word[j]
            b = word[j]
            if (j > 0 and word[j - 1] == b) or (j + 1 < len(word) and word[j + 1] == b):
                f[5] += 1
            elif b in _VOWELS:
                f[7] += 1
            elif b in _SILENT:
                f[9] += 1
            else:
                f[11] += 1
            if j == 0:
                f[14] += 1
        else:  # the typo has typo[i] too many
            a = typo[i]
            if (i > 0 and typo[i - 1] == a) or (i + 1 < len(typo) and typo[i + 1] == a):
                f[6] += 1
            elif a in _VOWELS:
                f[8] += 1
            elif a in _SILENT:
                f[10] += 1
            else:
                f[12] += 1
            if i == 0:
                f[14] += 1
        k += 1
    f[15] = float(jellyfish.metaphone(typo) == jellyfish.metaphone(word))
    f[16] = abs(len(word) - len(typo))
    f[17] = float(bool(ops) and (ops[-1][1] >= len(typo) - 1 or ops[-1][2] >= len(word) - 1))
    f[18] = OSA.distance(typo, word)
    f[19] = float(_consonants(typo) == _consonants(word))
    return f


def _consonants(word: str) -> str:
    """The consonants, each run once: "dosent" and "doesnt" both read "dsnt"."""
    out: list[str] = []
    for char in word:
        if char not in _VOWELS and char != "'" and (not out or out[-1] != char):
            out.append(char)
    return "".join(out)


def _next_keys(a: str, b: str) -> bool:
    if a not in _KEYS or b not in _KEYS:
        return False
    (r1, x1), (r2, x2) = _KEYS[a], _KEYS[b]
    return abs(r1 - r2) <= 1 and abs(x1 - x2) <= 1


_OPS = ("vowel_for_vowel", "sound_alike_letter", "next_key", "other_letter", "double_dropped",
        "double_added", "vowel_dropped", "vowel_added", "silent_dropped", "silent_added",
        "letter_dropped", "letter_added", "swap")
# The most a candidate's features can add to its log count: a word whose log count falls
# short by more cannot win, whatever the typo did (the bound spelling.py prunes with).
MAX_GAIN = (sum(max(0.0, WEIGHTS[FEATURES.index(f)]) for f in ("sounds_same", "same_consonants"))
            + 4 * max(0.0, max(WEIGHTS[FEATURES.index(f)] for f in _OPS)
                      + WEIGHTS[FEATURES.index("edits")]))


def score(typo: str, word: str, log_count: float,
          weights: Sequence[float] = WEIGHTS) -> float:
    """How likely `word` is what was meant by `typo` (higher is likelier)."""
    return float(sum(map(operator.mul, weights, features(typo, word, log_count))))


def shortlist(typo: str) -> list[tuple[str, float]]:
    """The candidates worth scoring in full, with their log counts (a cheap first cut)."""
    book = dictionary()
    ids, distances, same = near(typo)
    counts = book.log_counts[ids]
    best = np.argsort(-(counts - 3.0 * distances + 2.5 * same), kind="stable")[:SHORTLIST]
    return [(book.words[i], c) for i, c in zip(ids[best].tolist(), counts[best].tolist(),
                                                 strict=True)]


@lru_cache(maxsize=5_000)  # distinct misspellings met: a few MB
def ranked(typo: str) -> tuple[tuple[str, float], ...]:
    """The five likeliest words for a lower-case typo with their scores, best first (cached)."""
    if len(typo) > MAX_TYPO:
        return ()  # longer than any English word: nothing to suggest
    scored = sorted(((score(typo, w, c), w) for w, c in shortlist(typo)), reverse=True)
    return tuple((w, s) for s, w in scored[:5])


def suggestions(typo: str, limit: int = 5) -> tuple[str, ...]:
    """The likeliest words for a lower-case typo, best first."""
    return tuple(w for w, _ in ranked(typo)[:limit])


def shown(typo: str) -> tuple[str, ...]:
    """What a student is offered: the best word, and up to two more when it is not clearly best.

    A runner-up is shown when its score is within SHOW_MARGIN of the best one's: the
    model's odds between them are then under e^SHOW_MARGIN to one.

    >>> shown("recieve"), shown("teh")[:1]
    (('receive',), ('the',))
    """
    best = ranked(typo)
    if not best:
        return ()
    top = best[0][1]
    return tuple(w for w, s in best[:MAX_SHOWN] if top - s <= SHOW_MARGIN)
