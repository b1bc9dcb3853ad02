"""Names and foreign words: capitalised words that are no misspellings, and the ones that are.

A capitalised word reads as a name when the CMU dictionary knows it ("Nguyen"), when it is
repeated mid-sentence in the text, stands next to another capitalised word ("La Venta",
"Hed PE"), or, anywhere, when nothing common is one slip from it ("Okonkwo"). A
capitalised word close to a proper noun the course knows (countries, capitals and
nationalities from countryinfo, the prompt's capitalised words, members' names) is a
misspelling of it ("Phillipeans": "Philippines"). Unknown words in a row, none of them a
slip, are a foreign phrase ("Hrvatski gardijski zdrug").
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache

import jellyfish
from rapidfuzz import process
from rapidfuzz.distance import OSA

from moderation.analysis import suggest
from moderation.analysis.lexicon import package_data, word_frequencies
from moderation.analysis.words import Word, stem, tokens

# A capitalised word mid-sentence one edit from a word this common is a misspelling of
# it ("Goverment"); one edit from a rarer word, it is more likely a name ("Chidi").
COMMON_COUNT = 1_000_000
# Letters of the shortest word a sound-alike proper noun is suggested for.
MIN_SOUNDED = 6

@lru_cache(maxsize=256)
def vocabulary(*texts: str) -> frozenset[str]:
    """Lower-cased words of the given texts (the prompt, the course word list, names)."""
    return frozenset(m.group().lower().replace("’", "'") for text in texts
                     for m in tokens(text))


@lru_cache(maxsize=256)
def proper_nouns(*texts: str) -> tuple[str, ...]:
    """Capitalised words of the given texts (the prompt's names, members' names)."""
    return tuple(sorted({m.group() for text in texts for m in tokens(text)
                         if m.group()[0].isupper() and len(m.group()) > 2
                         and m.group().isalpha()}))


@cache
def places() -> tuple[str, ...]:
    """Countries, capitals and nationalities, one word each ("Philippines", "Filipinos")."""
    found: set[str] = set()
    folder = package_data("countryinfo") / "data"
    for entry in folder.iterdir():
        if not entry.name.endswith(".json"):
            continue
        data = json.loads(entry.read_text(encoding="utf-8"))
        demonym = str(data.get("demonym") or "")
        names = [str(data.get("name") or ""), str(data.get("capital") or ""), demonym]
        if demonym and not demonym.endswith(("ese", "ss", "sh", "ch")):
            names.append(demonym + "s")
        for name in names:
            found.update(m.group() for m in tokens(name)
                         if len(m.group()) > 3 and m.group()[0].isupper() and m.group().isalpha())
    return tuple(sorted(found))


@cache
def _places_index() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """The places' lower-case forms and their Metaphone keys, once for every course."""
    lower = {noun: noun.lower() for noun in places()}
    sounds: dict[str, list[str]] = {}
    for noun, low in lower.items():
        sounds.setdefault(jellyfish.metaphone(low), []).append(noun)
    return lower, {key: tuple(found) for key, found in sounds.items()}


_Index = tuple[list[str], list[str], dict[str, tuple[str, ...]], dict[str, list[str]]]


@lru_cache(maxsize=64)
def _proper_index(extra: tuple[str, ...]) -> _Index:
    """The proper nouns with their lower-case forms, and the Metaphone keys of the places
    and of the course's own nouns (the places' strings shared by every course's index)."""
    place_lower, place_sounds = _places_index()
    nouns = sorted(set(place_lower) | set(extra))
    lowered = [place_lower.get(noun) or noun.lower() for noun in nouns]
    sounds: dict[str, list[str]] = {}
    for noun in sorted(set(extra) - place_lower.keys()):
        sounds.setdefault(jellyfish.metaphone(noun.lower()), []).append(noun)
    return nouns, lowered, place_sounds, sounds


def proper_suggestion(typed: str, extra: tuple[str, ...] = ()) -> str | None:
    """The proper noun a capitalised word misspells, if one is close enough.

    >>> proper_suggestion("Phillipeans"), proper_suggestion("Austrailia")
    ('Philippines', 'Australia')
    >>> proper_suggestion("Okonkwo") is None
    True
    """
    nouns, lowered, place_sounds, sounds = _proper_index(extra)
    lower = typed.lower()
    limit = max(1, len(lower) // 4)
    best = process.extractOne(lower, lowered, scorer=OSA.distance, score_cutoff=limit)
    if best is not None:
        return nouns[best[2]]
    if len(lower) < MIN_SOUNDED:
        return None  # short names sound like too many places ("Sibu", "Saba")
    key = jellyfish.metaphone(lower)
    candidates: list[str] = [*place_sounds.get(key, ()), *sounds.get(key, [])]
    alike = sorted((OSA.distance(lower, noun.lower()), noun) for noun in candidates)
    if alike and alike[0][0] <= len(lower) // 2:
        return alike[0][1]  # sounds the same and is not far: "Phillipeans", "Philippines"
    return None


def near_common(lower: str, word: str, edits: int) -> bool:
    """Whether `word` is common and at most `edits` edits from `lower`."""
    return word_frequencies().get(word, 0) >= COMMON_COUNT and OSA.distance(lower, word) <= edits


def foreign_phrases(text: str, suspects: list[Word]) -> set[int]:
    """Starts of unknown words in a row, all but one no slip from a common word: foreign.

    "Hrvatski gardijski zdrug", "Attalea maripensis"; two typos in a row ("teh goverment")
    are near misses of common words, and stay misspellings.
    """
    out: set[int] = set()
    run: list[Word] = []
    for word in [*suspects, None]:
        if run and (word is None or word.start - run[-1].end > 2
                    or text[run[-1].end:word.start].strip(" -")):
            if len(run) > 1 and sum(not slip(w.plain) for w in run) >= max(2, len(run) - 1):
                out.update(w.start for w in run)
            run = []
        if word is not None:
            run.append(word)
    return out


# Latin and French phrases English writing borrows whole, whose words alone read as slips
# ("hoc" of "how", "fide" of "file", "etat" of "eat"): their words are no misspellings
# inside them. Typed without accents as well ("coup d'etat").
LOAN_PHRASES = (
    "a fortiori", "a posteriori", "a priori", "ad hoc", "ad infinitum", "ad nauseam",
    "alma mater", "bona fide", "bona fides", "carte blanche", "coup d'etat", "coup de grace",
    "cum laude", "de facto", "de jure", "deja vu", "en masse", "en route", "et al", "et cetera",
    "ex officio", "faux pas", "habeas corpus", "in situ", "in vitro", "in vivo", "inter alia",
    "ipso facto", "laissez faire", "magna cum laude", "mea culpa", "modus operandi",
    "mutatis mutandis", "non sequitur", "per annum", "per capita", "per se", "pince nez",
    "post mortem", "prima facie", "pro rata", "quid pro quo", "raison d'etre", "sui generis",
    "status quo", "tete a tete", "vice versa", "vis a vis",
)
_LOAN = re.compile(r"(?<![^\W\d_])(?:" + "|".join(
    r"[\s-]+".join(re.escape(w).replace("'", "['’]") for w in phrase.split())
    for phrase in sorted(LOAN_PHRASES, key=len, reverse=True)) + r")(?![^\W\d_])", re.IGNORECASE)
_LOAN_WORD = re.compile("(?:" + "|".join(sorted({
    re.escape(w).replace("'", "['’]") for phrase in LOAN_PHRASES for w in phrase.split()}))
    + ")(?:['’].*)?", re.IGNORECASE | re.DOTALL)


def loan_phrases(text: str, suspects: list[Word]) -> set[int]:
    """Starts of unknown words inside a borrowed phrase ("ad hoc", "coup d'état").

    >>> from moderation.analysis.words import Word
    >>> text = "An ad hoc group, a bona fide coup d'état; not a hoc."
    >>> words = [Word(w, w, text.index(w), text.index(w) + len(w), False, False)
    ...          for w in ("hoc", "fide", "état")]
    >>> sorted(text[s:s + 4] for s in loan_phrases(text, words))
    ['fide', 'hoc ', 'état']
    """
    # A word inside a phrase is one of the phrase's words (accents dropped as below), or
    # one with an apostrophe after it ("hoc's"): most texts have none, and are not searched.
    if not any(_LOAN_WORD.fullmatch(_fold_accents(w.typed)) for w in suspects):
        return set()
    spans = [m.span() for m in _LOAN.finditer(_fold_accents(text))]
    return {w.start for w in suspects if any(a <= w.start < b for a, b in spans)}


def _fold_accents(text: str) -> str:
    """The text with accents dropped, one character for one ("état" -> "etat")."""
    if text.isascii():
        return text
    return "".join(unicodedata.normalize("NFKD", c)[0] for c in text)


# A species' second name after its genus ("Attalea maripa", "A. camopiensis"): Latin
# endings of five letters or more.
_EPITHET = re.compile(r"[a-z]{2,}(?:a|ae|us|um|is|ensis|i|ii|ei|ix|ex|ops|oides)")
_GENUS_BEFORE = re.compile(r"(?:[A-Z][a-z]+|[A-Z]\.)[ \t]+$")


def epithets(text: str, suspects: list[Word]) -> set[int]:
    """Starts of unknown lower-case Latin words right after a capitalised one: species.

    >>> from moderation.analysis.words import tokens, Word
    >>> text = "The palm Attalea maripa grows beside A. camopiensis, not the maripa."
    >>> found = [Word(m.group(), m.group(), m.start(), m.end(), False, False)
    ...          for m in tokens(text) if m.group() in ("maripa", "camopiensis")]
    >>> sorted(text[s:s + 6] for s in epithets(text, found))
    ['camopi', 'maripa']
    """
    return {w.start for w in suspects if _EPITHET.fullmatch(w.plain)
            and _GENUS_BEFORE.search(text, max(0, w.start - 40), w.start)}


def slip(plain: str) -> bool:
    """Whether an unknown word's best suggestion is a common word one edit away."""
    best = suggest.suggestions(stem(plain.lower()), 1)
    return bool(best) and near_common(stem(plain.lower()), best[0], 1)


def name_cues(text: str, suspects: list[Word]) -> set[str]:
    """Capitalised unknown words that read as names in this text.

    One typed capitalised in the middle of a sentence more than once, or mid-sentence
    next to another capitalised word ("La Venta", "Hed PE"), is a name wherever it stands.
    """
    mid: dict[str, int] = {}
    names: set[str] = set()
    for word in suspects:
        if not word.plain[0].isupper() or starts_sentence(text, word.start):
            continue
        mid[word.plain] = mid.get(word.plain, 0) + 1
        if mid[word.plain] > 1 or beside_capital(text, word.start, word.end):
            names.add(word.plain)
    for word in suspects:  # a sentence-opening word followed by a capitalised one
        if word.plain[0].isupper() and beside_capital(text, word.start, word.end, before=False):
            names.add(word.plain)
    return names


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+$")


def beside_capital(text: str, start: int, end: int, before: bool = True) -> bool:
    """Whether a capitalised word (not "I", not a sentence's first) stands next to it."""
    after = _NEXT_WORD.match(text, end)
    if after and after.group(1)[0].isupper() and after.group(1) != "I":
        return True
    if not before:
        return False
    previous = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return bool(previous and previous.group(1)[0].isupper() and previous.group(1) != "I"
                and not starts_sentence(text, previous.start(1)))


# A full stop after these (or after an initial, "J.") does not end a sentence.
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "st", "prof", "rev", "gen", "col", "capt", "lt", "sgt", "mt",
    "jr", "sr", "no", "vs", "v", "fr", "sen", "gov", "pres", "hon", "sir", "messrs",
))
_LAST_WORD = re.compile(r"(\w+)\.$")


def starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text or a sentence (quotes aside).

    >>> starts_sentence("It rained. Then", 11), starts_sentence("Mrs. Ferrars", 5)
    (True, False)
    """
    before = text[max(0, start - 12):start].rstrip(" \t\"'“‘([")
    if not before:
        return True
    if before[-1] == ".":
        last = _LAST_WORD.search(before)
        if last and (last.group(1).lower() in _ABBREVIATIONS
                     or len(last.group(1)) == 1 and last.group(1).isupper()):
            return False  # "Mrs. Ferrars", "J. Smith"
    return before[-1] in ".!?:\n"
