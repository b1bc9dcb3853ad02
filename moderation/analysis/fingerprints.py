"""Fingerprints of a text for finding copies by index: winnowing over word shingles.

Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
fingerprinting" (SIGMOD 2003), the method behind MOSS. Every run of SHINGLE consecutive
words is hashed; in each window of WINDOW consecutive hashes the smallest is kept (the
rightmost on ties). Its guarantee: two texts that share a run of at least
GUARANTEE = WINDOW + SHINGLE - 1 consecutive words share at least one fingerprint; runs
shorter than SHINGLE words are never matched (noise). About 2 / (WINDOW + 1) of the
shingles are kept, so an index of fingerprints stays small while a copy of a passage
(the `copied` rule) or of a whole comment (`repeat`) is always found among the candidates
it returns, which the rules then score exactly.
"""

from __future__ import annotations

import re
import zlib
from functools import lru_cache
from zlib import adler32, crc32

SHINGLE = 3  # words per shingle: the same shingles the similarity rules score
WINDOW = 6  # hashes per window
GUARANTEE = WINDOW + SHINGLE - 1  # a shared run this long always shares a fingerprint

_WORD = re.compile(r"\w+(?:'\w+)*")


def _hash(shingle: str) -> int:
    """A stable 63-bit hash, the same in every process and on every database.

    Two checksums side by side: five times faster than a cryptographic hash, and a rare
    collision only adds a candidate that the rules then score exactly.
    """
    data = shingle.encode()
    return (zlib.crc32(data) << 31) | (zlib.adler32(data) >> 1)


@lru_cache(maxsize=1024)  # about 2 MB: a few dozen integers a text
def fingerprints(text: str) -> frozenset[int]:
    """The text's winnowed fingerprints (empty for a text shorter than one shingle).

    >>> a = fingerprints("The court cannot arrest anyone, so its power is borrowed from states.")
    >>> b = fingerprints("Honestly: the court cannot arrest anyone, so its power is borrowed!")
    >>> len(a) > 0 and bool(a & b), bool(a & fingerprints("Sanctions work better."))
    (True, False)
    """
    words = _WORD.findall(text.lower()) if text.isascii() else [
        w.lower() for w in _WORD.findall(text)]  # some letters change length when lowered
    # _hash's body, inlined: a call per shingle was a third of the time.
    hashes = [(crc32(data) << 31) | (adler32(data) >> 1) for data in map(
        str.encode, map(" ".join, zip(words, words[1:], words[2:], strict=False)))]
    if len(hashes) <= WINDOW:
        return frozenset([min(hashes)]) if hashes else frozenset()
    # The minimum of each window of WINDOW consecutive hashes, windows zipped from shifted
    # copies of the list: the same values as slicing each window, in one pass in C.
    return frozenset(map(min, zip(*(hashes[i:] for i in range(WINDOW)), strict=False)))
