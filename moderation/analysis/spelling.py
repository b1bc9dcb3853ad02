"""Spell checking: misspellings told from rare words and names, with bounded work per text.

A word is known when the curated dictionary has it (see `lexicon.py`: SCOWL's words,
British and American, with frequent everyday words), or when wordfreq's large list has it
and no dictionary word much commoner than it is one slip away: "analytics", "sulfide",
"pedipalps" and "Lesnar" are known, "definately" and "seperate" (which the web types
often) are not. The discussion's prompt, the course's word list and the members' names
are known too. What `words.py` leaves out (numbers, units, acronyms, links...) is never
read.

An unknown word is a misspelling, with up to three suggestions from `suggest.py` (one when
the first is clearly best), except a capitalised word that reads as a name: one the CMU
dictionary knows ("Nguyen"), one repeated mid-sentence in the text, one next to another
capitalised word ("La Venta"), or one mid-sentence with nothing close to it ("Okonkwo").
A capitalised word close to a proper noun the course knows (countries, capitals and
nationalities from countryinfo, the prompt's capitalised words, members' names) is a
misspelling of it ("Phillipeans": "Philippines").
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import jellyfish
import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from moderation.analysis import derived, suggest
from moderation.analysis.lexicon import english_words, web_zipf, word_frequencies
from moderation.analysis.words import Word, checkable, tokens

# Suggestions are the slow part (about 0.1 ms a word); past this many distinct unknown
# words a text is plainly full of them, so the rest are listed without suggestions.
MAX_EXAMINED = 30
# A capitalised word mid-sentence one edit from a word this common is a misspelling of
# it ("Goverment"); one edit from a rarer word, it is more likely a name ("Chidi").
COMMON_COUNT = 1_000_000
# A word only the web list has is taken for a typo when the typo model (suggest.py) finds
# a dictionary word that explains it e^TYPO_ODDS times better than the word's own
# frequency does: "seperate" is a vowel slip from a far commoner "separate", while "sawn"
# is not a slip from "saw" and "decomposers" stands beside a "decomposes" no commoner.
# Tuned on Birkbeck and Holbrook and the tuning half of bench/clean_prose.py.
TYPO_ODDS = 3.0
# A web Zipf of z is, on the dictionary's scale (Google Books counts), e^(z ln 10 + 6.45):
# the median over the 60,000 words both lists have.
WEB_SCALE = 6.45
TYPO_GAP = 200
MAX_SCORED = 5  # candidates the typo model scores for one word, commonest first
# Zipf (times 100) below which wordfreq's words are not trusted at all.
MIN_WEB_ZIPF = 100

# British and American spellings of the same word, as (British, American) endings. A word
# is accepted by them only when the web uses it too (MIN_VARIANT_ZIPF): the endings alone
# also make "existense", "controling" and "caled".
_NATIONAL = (
    ("isation", "ization"), ("isations", "izations"), ("ise", "ize"), ("ised", "ized"),
    ("ises", "izes"), ("ising", "izing"), ("yse", "yze"), ("ysed", "yzed"), ("ysing", "yzing"),
    ("our", "or"), ("ours", "ors"), ("oured", "ored"), ("ouring", "oring"), ("ourite", "orite"),
    ("ourites", "orites"), ("ourable", "orable"), ("tre", "ter"), ("tres", "ters"),
    ("ogue", "og"), ("ogues", "ogs"), ("ence", "ense"), ("lled", "led"), ("lling", "ling"),
    ("ller", "ler"), ("llers", "lers"), ("llor", "lor"), ("llors", "lors"), ("llist", "list"),
    ("llists", "lists"), ("mme", "m"), ("mmes", "ms"),
)
# The other national spelling of a dictionary word is a word when the web uses it at least
# this often (Zipf, times 100): "councilor" (2.9), "medalists" (2.5); the endings alone
# also make "controling" (1.8) and "caled" (1.5).
MIN_VARIANT_ZIPF = 250
_NATIONAL_ENDING = re.compile("(?:" + "|".join(sorted({e for pair in _NATIONAL for e in pair},
                                                     key=len, reverse=True)) + ")$")


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A word the dictionary does not know, where it is, and its likeliest corrections."""

    word: str
    start: int
    end: int
    suggestions: tuple[str, ...]  # best first; one unless the first is not clearly best

    @property
    def suggestion(self) -> str | None:
        """The best suggestion, if any."""
        return self.suggestions[0] if self.suggestions else None


def variants(word: str) -> set[str]:
    """The word's other national spellings ("colour" <-> "color"), known or not.

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
    """Whether a lower-case word is a word: the dictionary's, or the web's and no typo.

    >>> is_known("analytics"), is_known("hemoglobin"), is_known("definately")
    (True, True, False)
    """
    if _listed(lower):
        return True
    zipf = web_zipf().get(lower)
    if zipf is None:
        return False
    if zipf >= MIN_VARIANT_ZIPF and any(v in word_frequencies() for v in variants(lower)):
        return True  # "councilor" beside "councillor"
    # A derivation of a dictionary word ("sortied", "mastless") that the web has seen, even
    # one slip from a commoner word: the typo model knows nothing of endings.
    return derived.is_derived(lower, _in_dictionary) and not _far_commoner_near(lower, zipf)


def _in_dictionary(lower: str) -> bool:
    return lower in word_frequencies()


@lru_cache(maxsize=50_000)
def _listed(lower: str) -> bool:
    """Whether a word list has the word: the dictionary, or the web's when it is no typo."""
    if lower in word_frequencies():
        return True
    zipf = web_zipf().get(lower, 0)
    return zipf >= MIN_WEB_ZIPF and not _typo_of_commoner(lower, zipf)


def _typo_of_commoner(lower: str, zipf: int) -> bool:
    """Whether the word reads as a slip from a far commoner dictionary word.

    Either a word within two edits is TYPO_GAP commoner per edit (the typo model knows
    slips, not how often the web repeats one: "untill", "reccomend"), or the typo model
    explains the word e^TYPO_ODDS times better as a slip than as itself. Only candidates
    common enough to win whatever the slip (suggest.MAX_GAIN) are scored.
    """
    ids, distances, _ = suggest.near(lower)
    if not ids.size:
        return False
    if bool(np.any(_dictionary_zipf()[ids] - zipf >= TYPO_GAP * distances)):
        return True
    book = suggest.dictionary()
    own = zipf / 100 * math.log(10) + WEB_SCALE
    counts = book.log_counts[ids]
    hopeful = np.flatnonzero(counts + suggest.MAX_GAIN - own >= TYPO_ODDS)
    for i in hopeful[np.argsort(-counts[hopeful], kind="stable")][:MAX_SCORED].tolist():
        if suggest.score(lower, book.words[int(ids[i])], float(counts[i])) - own >= TYPO_ODDS:
            return True
    return False


def _far_commoner_near(lower: str, zipf: int) -> bool:
    """Whether a dictionary word within two edits is TYPO_GAP commoner per edit."""
    ids, distances, _ = suggest.near(lower)
    return bool(ids.size) and bool(np.any(_dictionary_zipf()[ids] - zipf >= TYPO_GAP * distances))


@cache
def _dictionary_zipf() -> npt.NDArray[np.int32]:
    """The web's Zipf (times 100; 0 where it has none) of each word of suggest's dictionary."""
    web = web_zipf()
    return np.array([web.get(w, 0) for w in suggest.dictionary().words], dtype=np.int32)


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
            found.update(m.group() for m in tokens(name)
                         if len(m.group()) > 3 and m.group()[0].isupper() and m.group().isalpha())
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
    >>> count, [(m.word, m.suggestions) for m in found]
    (7, [('beleive', ('believe',)), ('Austrailia', ('Australia',))])
    """
    count, words = checkable(text, _known_whole)
    # Most comments are spelled correctly: decide per distinct word before anything else.
    # The web's words cost a typo model's look each (about 0.3 ms): past MAX_EXAMINED of
    # them a text is no prose, and the rest are judged by their frequency alone.
    budget = [MAX_EXAMINED]
    suspects = {plain for plain in {w.plain for w in words}
                if not _fine_anywhere(plain, budget) and _stem(plain.lower()) not in allowed}
    if not suspects:
        return count, []
    suspect_words = [w for w in words if w.plain in suspects]
    names = _name_cues(text, suspect_words)
    foreign: set[int] = set()
    if len(suspects) <= MAX_EXAMINED:  # a text of prose, not of gibberish: bounded work
        # A word used twice that is no slip from a common word is the text's own term
        # ("teff", "rachillae"); a student's "definately" twice is a slip twice.
        seen: dict[str, int] = {}
        for w in suspect_words:
            seen[w.plain.lower()] = seen.get(w.plain.lower(), 0) + 1
        terms = {lower for lower, n in seen.items() if n > 1 and not _slip(lower)}
        names |= {w.plain for w in suspect_words if w.plain.lower() in terms}
        foreign = _foreign(text, suspect_words)
    verdicts: dict[tuple[str, bool], tuple[str, ...] | bool] = {}  # suggestions, True: a name
    examined = 0
    found: list[Misspelling] = []
    for word in words:
        if word.plain not in suspects:
            continue
        capital = word.plain[0].isupper()
        if word.plain in names or word.start in foreign:
            continue
        key = (word.plain, capital and _starts_sentence(text, word.start))
        if key not in verdicts:
            if examined < MAX_EXAMINED:
                examined += 1
                verdicts[key] = _verdict(word.plain, key[1], proper)
            else:
                verdicts[key] = ()  # listed without a suggestion: bounded work
        verdict = verdicts[key]
        if verdict is True:
            continue
        found.append(Misspelling(word.typed, word.start, word.end,
                                 verdict if isinstance(verdict, tuple) else ()))
    return count, found


def _verdict(typed: str, sentence_start: bool, proper: tuple[str, ...]) -> tuple[str, ...] | bool:
    """Suggestions (none for a misspelling with none), or True for a name."""
    lower = _stem(typed.lower())
    if typed[0].isupper():
        if lower in english_words() or lower[-1] == "s" and lower[:-1] in english_words():
            return True  # a name the CMU dictionary knows ("Nguyen", "the Fergusons")
        near = proper_suggestion(lower, proper)
        if near is not None:
            return (near,)
        best = suggest.shown(lower)
        if not best:
            return True  # nothing close: a name ("Okonkwo"), wherever it stands
        # Only a near miss of a common word is a misspelling ("Goverment", "Beleive"):
        # the rest are names, wherever they stand.
        if not _near_common(lower, best[0], 1):
            return True
        return tuple(w.capitalize() for w in best)
    return suggest.shown(lower)


def _near_common(lower: str, word: str, edits: int) -> bool:
    """Whether `word` is common and at most `edits` edits from `lower`."""
    return word_frequencies().get(word, 0) >= COMMON_COUNT and OSA.distance(lower, word) <= edits


def _foreign(text: str, suspects: list[Word]) -> set[int]:
    """Starts of unknown words in a row, all but one no slip from a common word: foreign.

    "Hrvatski gardijski zdrug", "Attalea maripensis"; two typos in a row ("teh goverment")
    are near misses of common words, and stay misspellings.
    """
    out: set[int] = set()
    run: list[Word] = []
    for word in [*suspects, None]:
        if run and (word is None or word.start - run[-1].end > 2
                    or text[run[-1].end:word.start].strip(" -")):
            if len(run) > 1 and sum(not _slip(w.plain) for w in run) >= max(2, len(run) - 1):
                out.update(w.start for w in run)
            run = []
        if word is not None:
            run.append(word)
    return out


def _slip(plain: str) -> bool:
    """Whether an unknown word's best suggestion is a common word one edit away."""
    best = suggest.suggestions(_stem(plain.lower()), 1)
    return bool(best) and _near_common(_stem(plain.lower()), best[0], 1)


def _name_cues(text: str, suspects: list[Word]) -> set[str]:
    """Capitalised unknown words that read as names in this text.

    One typed capitalised in the middle of a sentence more than once, or mid-sentence
    next to another capitalised word ("La Venta", "Hed PE"), is a name wherever it stands.
    """
    mid: dict[str, int] = {}
    names: set[str] = set()
    for word in suspects:
        if not word.plain[0].isupper() or _starts_sentence(text, word.start):
            continue
        mid[word.plain] = mid.get(word.plain, 0) + 1
        if mid[word.plain] > 1 or _beside_capital(text, word.start, word.end):
            names.add(word.plain)
    for word in suspects:  # a sentence-opening word followed by a capitalised one
        if word.plain[0].isupper() and _beside_capital(text, word.start, word.end, before=False):
            names.add(word.plain)
    return names


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
_PREVIOUS_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+$")


def _beside_capital(text: str, start: int, end: int, before: bool = True) -> bool:
    """Whether a capitalised word (not "I", not a sentence's first) stands next to it."""
    after = _NEXT_WORD.match(text, end)
    if after and after.group(1)[0].isupper() and after.group(1) != "I":
        return True
    if not before:
        return False
    previous = _PREVIOUS_WORD.search(text, max(0, start - 40), start)
    return bool(previous and previous.group(1)[0].isupper() and previous.group(1) != "I"
                and not _starts_sentence(text, previous.start(1)))


# A full stop after these (or after an initial, "J.") does not end a sentence.
_ABBREVIATIONS = frozenset((
    "mr", "mrs", "ms", "dr", "st", "prof", "rev", "gen", "col", "capt", "lt", "sgt", "mt",
    "jr", "sr", "no", "vs", "v", "fr", "sen", "gov", "pres", "hon", "sir", "messrs",
))
_LAST_WORD = re.compile(r"(\w+)\.$")


def _starts_sentence(text: str, start: int) -> bool:
    """Whether the word at `start` opens the text or a sentence (quotes aside).

    >>> _starts_sentence("It rained. Then", 11), _starts_sentence("Mrs. Ferrars", 5)
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


def _stem(lower: str) -> str:
    return lower[:-2] if lower.endswith("'s") else lower


def _known_whole(lower: str) -> bool:
    """Whether a hyphenated word, read whole, is a word ("wifi", "e-mail")."""
    return lower in word_frequencies() or lower in web_zipf()


_typed_cache: dict[str, bool] = {}


def _fine_anywhere(plain: str, budget: list[int]) -> bool:
    """Whether a word as typed is fine in any course: a known word in either case.

    `budget` counts down the typo model's looks this text may still take.
    """
    fine = _typed_cache.get(plain)
    if fine is None:
        # The dictionary first: it answers for nearly every word.
        stem = _stem(plain.lower())
        zipf = web_zipf().get(stem)
        if stem in word_frequencies():
            fine = True
        elif zipf is not None and budget[0] <= 0:
            # Out of budget: a frequent web word passes; the verdict is not remembered.
            return zipf >= MIN_VARIANT_ZIPF
        else:
            budget[0] -= zipf is not None
            fine = is_known(stem)
        if len(_typed_cache) >= 50_000:  # bounded: refills with the live vocabulary
            _typed_cache.clear()
        _typed_cache[plain] = fine
    return fine
