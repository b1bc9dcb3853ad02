"""Spell checking: unknown words, names told from misspellings, and bounded work per text.

Known words are the lexicon's (see `lexicon.py`), in British or American spelling, the
discussion's prompt, the course's word list and the names of the course's members. An
unknown word is a misspelling, with the suggestion `suggest.py` ranks first, except a
capitalised word in the middle of a sentence with nothing close to it ("Okonkwo"),
which is a name. A capitalised word close to a proper noun the course knows (countries,
capitals and nationalities from countryinfo, the prompt's capitalised words, members'
names) is a misspelling of it ("Phillipeans": "Philippines").
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import OSA

from moderation.analysis import suggest
from moderation.analysis.lexicon import english_words, word_frequencies

# Letters with inner apostrophes ("don't", "Astrava's"); hyphenated words split into parts.
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
# Links and addresses are not prose: their letters are never misspellings.
_NOT_PROSE = re.compile(r"\S+@\S+|\b(?:[a-z][a-z0-9+.\-]*://|www\.)\S+", re.IGNORECASE)
# Suggestions are the slow part (about 0.1 ms a word); past this many distinct unknown
# words a text is plainly full of them, so the rest are listed without suggestions.
MAX_EXAMINED = 30
# A capitalised word mid-sentence one edit from a word this common is a misspelling of
# it ("Goverment"); one edit from a rarer word, it is more likely a name ("Chidi").
COMMON_COUNT = 1_000_000

# British and American spellings of the same word, as (British, American) endings.
_NATIONAL = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ises", "izes"), ("ising", "izing"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"),
    ("our", "or"), ("ours", "ors"), ("oured", "ored"), ("ouring", "oring"), ("ourite", "orite"),
    ("ourites", "orites"), ("ourable", "orable"), ("tre", "ter"), ("tres", "ters"),
    ("ogue", "og"), ("ogues", "ogs"), ("ence", "ense"), ("lled", "led"), ("lling", "ling"),
    ("ller", "ler"), ("llers", "lers"), ("mme", "m"), ("mmes", "ms"),
)


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A word the dictionary does not know, where it is, and the likeliest correction."""

    word: str
    start: int
    end: int
    suggestion: str | None


_NATIONAL_ENDING = re.compile("(?:" + "|".join(sorted({e for pair in _NATIONAL for e in pair},
                                                     key=len, reverse=True)) + ")$")


def variants(word: str) -> set[str]:
    """The word's other national spellings ("colour" <-> "color").

    >>> sorted(variants("organise")), sorted(variants("traveled"))
    (['organize'], ['travelled'])
    """
    out: set[str] = set()
    if not _NATIONAL_ENDING.search(word):
        return out  # most words: one regex test instead of fifty comparisons
    for british, american in _NATIONAL:
        if word.endswith(british):
            out.add(word[: -len(british)] + american)
        if word.endswith(american):
            out.add(word[: -len(american)] + british)
    return out


@lru_cache(maxsize=50_000)
def is_known(lower: str) -> bool:
    """Whether a lower-case word is in the dictionary, in either national spelling."""
    words = word_frequencies()
    return lower in words or any(v in words for v in variants(lower))


@lru_cache(maxsize=256)
def vocabulary(*texts: str) -> frozenset[str]:
    """Lower-cased words of the given texts (the prompt, the course word list, names)."""
    return frozenset(m.group().lower() for text in texts for m in _WORD.finditer(text))


@lru_cache(maxsize=256)
def proper_nouns(*texts: str) -> tuple[str, ...]:
    """Capitalised words of the given texts (the prompt's names, members' names)."""
    return tuple(sorted({m.group() for text in texts for m in _WORD.finditer(text)
                         if m.group()[0].isupper() and len(m.group()) > 2}))


@cache
def places() -> tuple[str, ...]:
    """Countries, capitals and nationalities, one word each ("Philippines", "Filipinos")."""
    found: set[str] = set()
    folder = resources.files("countryinfo").joinpath("data")
    for entry in folder.iterdir():
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        demonym = str(data.get("demonym") or "")
        names = [str(data.get("name") or ""), str(data.get("capital") or ""), demonym]
        if demonym and not demonym.endswith(("ese", "ss", "sh", "ch")):
            names.append(demonym + "s")
        for name in names:
            found.update(w for w in _WORD.findall(name) if len(w) > 3 and w[0].isupper())
    return tuple(sorted(found))


@lru_cache(maxsize=64)
def _proper_index(extra: tuple[str, ...]) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """The proper nouns with their lower-case forms and Metaphone keys."""
    nouns = sorted(set(places()) | set(extra))
    lowered = [n.lower() for n in nouns]
    sounds: dict[str, list[str]] = {}
    for noun, low in zip(nouns, lowered, strict=True):
        sounds.setdefault(jellyfish.metaphone(low), []).append(noun)
    return nouns, lowered, sounds


def proper_suggestion(typed: str, extra: tuple[str, ...] = ()) -> str | None:
    """The proper noun a capitalised word misspells, if one is close enough.

    >>> proper_suggestion("Phillipeans"), proper_suggestion("Austrailia")
    ('Philippines', 'Australia')
    >>> proper_suggestion("Okonkwo") is None
    True
    """
    nouns, lowered, sounds = _proper_index(extra)
    lower = typed.lower()
    limit = max(1, len(lower) // 4)
    best = process.extractOne(lower, lowered, scorer=OSA.distance, score_cutoff=limit)
    if best is not None:
        return nouns[best[2]]
    alike = sorted((OSA.distance(lower, noun.lower()), noun)
                   for noun in sounds.get(jellyfish.metaphone(lower), ()))
    if alike and alike[0][0] <= max(2, len(lower) // 2):
        return alike[0][1]  # sounds the same and is not far: "Phillipeans", "Philippines"
    return None


def check(text: str, allowed: frozenset[str] = frozenset(),
          proper: tuple[str, ...] = ()) -> tuple[int, list[Misspelling]]:
    """Return the number of words checked and the misspellings, in order of appearance.

    `allowed` holds lower-case words that are never misspellings (prompt, course words,
    members' names); `proper` the capitalised ones a near miss is suggested from.

    >>> count, found = check("Okonkwo beleive the NATO report about Austrailia.")
    >>> count, [(m.word, m.suggestion) for m in found]
    (7, [('beleive', 'believe'), ('Austrailia', 'Australia')])
    """
    prose = text
    if "@" in text or ":/" in text or "www." in text.lower():
        prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    typed_words = _WORD.findall(prose)
    # Most comments are spelled correctly: decide per distinct word before finding spans.
    suspects = {w for w in set(typed_words)
                if not _fine_anywhere(w) and _stem(w.lower()) not in allowed}
    if not suspects:
        return len(typed_words), []
    verdicts: dict[tuple[str, bool], str | bool | None] = {}  # suggestion, True for a name
    examined = 0
    found: list[Misspelling] = []
    for match in _WORD.finditer(prose):
        typed = match.group()
        if typed not in suspects:
            continue
        key = (typed, typed[0].isupper() and _starts_sentence(prose, match.start()))
        if key not in verdicts:
            if examined < MAX_EXAMINED:
                examined += 1
                verdicts[key] = _verdict(typed, key[1], proper)
            else:
                verdicts[key] = None  # listed without a suggestion: bounded work
        verdict = verdicts[key]
        if verdict is True:
            continue
        found.append(Misspelling(typed, match.start(), match.end(),
                                 verdict if isinstance(verdict, str) else None))
    return len(typed_words), found


def _verdict(typed: str, sentence_start: bool, proper: tuple[str, ...]) -> str | bool | None:
    """A suggestion, None for a misspelling with none, or True for a name."""
    lower = _stem(typed.lower())
    if typed[0].isupper():
        if lower in english_words():
            return True  # a name the CMU dictionary knows ("Nguyen")
        near = proper_suggestion(lower, proper)
        if near is not None:
            return near
        best = suggest.suggestions(lower, 1)
        if not best:
            return True  # nothing close: a name ("Okonkwo"), wherever it stands
        if not sentence_start:
            # Mid-sentence, only a near miss of a common word is a misspelling.
            common = OSA.distance(lower, best[0]) <= 1 and \
                word_frequencies().get(best[0], 0) >= COMMON_COUNT
            if not common:
                return True
        return best[0].capitalize()
    best = suggest.suggestions(lower, 1)
    return best[0] if best else None


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text or a sentence (quotes aside)."""
    before = text[max(0, start - 8):start].rstrip(" \t\"'“‘([")
    return not before or before[-1] in ".!?:\n"


def _stem(lower: str) -> str:
    return lower[:-2] if lower.endswith("'s") else lower


_typed_cache: dict[str, bool] = {}


def _fine_anywhere(typed: str) -> bool:
    """Whether a word as typed is fine in any course: a single letter, an acronym, known."""
    fine = _typed_cache.get(typed)
    if fine is None:
        stem = _stem(typed.lower())
        # The dictionary first: it answers for nearly every word.
        fine = stem in word_frequencies() or len(typed) < 2 or typed.isupper() \
            or is_known(stem)
        if len(_typed_cache) >= 50_000:  # bounded: refills with the live vocabulary
            _typed_cache.clear()
        _typed_cache[typed] = fine
    return fine
