"""Which words are words: the dictionary's, the web's when they are no slip, and theirs.

A word is known when the curated dictionary has it (see `lexicon.py`: SCOWL's words,
British and American, with frequent everyday words), or when wordfreq's large list has it
and no dictionary word much commoner than it is one slip away: "analytics", "sulfide",
"pedipalps" and "Lesnar" are known, "definately" and "seperate" (which the web types
often) are not. A regular derivation of a dictionary word the web has seen ("sortied",
`derived.py`) and the other national spelling of one ("councilor") are known too.
"""

from __future__ import annotations

import math
import re
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt

from moderation.analysis import derived, suggest
from moderation.analysis.lexicon import web_zipf, word_frequencies

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
MIN_UNSEEN_BASE = 8  # letters of a dictionary word whose unseen derivations are words
# Two dictionary words run together are a word ("workbasket") when each has this many
# letters, the web uses each (Zipf, times 100) and one of them is rarer than
# COMMON_PART_ZIPF: two common words run together are a slip ("eachother"), and the
# dictionary's rare short words make slips look like compounds ("acc" + "rode").
MIN_COMPOUND_PART = 4
MIN_PART_ZIPF = 300
MAX_COMPOUND = 30
COMMON_PART_ZIPF = 450
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
# Pairs of endings whose other spelling is accepted whatever the web says, after a stem of
# MIN_SAFE_STEM letters: "-ise" for "-ize" ("sanitises") makes no common slip; "-ense",
# "-led", "-ling" and "-or" do ("existense", "caled", "controling", "yor").
SAFE_NATIONAL = _NATIONAL[:9]
MIN_SAFE_STEM = 4
# The other national spelling of a dictionary word is a word when the web uses it at least
# this often (Zipf, times 100): "councilor" (2.9), "medalists" (2.5); the endings alone
# also make "controling" (1.8) and "caled" (1.5).
MIN_VARIANT_ZIPF = 250
_NATIONAL_ENDING = re.compile("(?:" + "|".join(sorted({e for pair in _NATIONAL for e in pair},
                                                     key=len, reverse=True)) + ")$")


def variants(word: str, safe_only: bool = False) -> set[str]:
    """The word's other national spellings ("colour" <-> "color"), known or not.

    `safe_only`: only by the endings students do not misspell this way (SAFE_NATIONAL).

    >>> sorted(variants("organise")), sorted(variants("traveled"))
    (['organize'], ['travelled'])
    """
    out: set[str] = set()
    if not _NATIONAL_ENDING.search(word):
        return out  # most words: one regex test instead of fifty comparisons
    for british, american in SAFE_NATIONAL if safe_only else _NATIONAL:
        if safe_only:
            stem = word[:-len(british)] if word.endswith(british) else \
                word[:-len(american)] if word.endswith(american) else ""
            # Not the "-ise" of "otherwise", "advise", "surprise", "exercise", "comprise".
            if len(stem) < MIN_SAFE_STEM or stem.endswith(("w", "v", "c", "r", "m", "u", "p")):
                continue
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
    if listed(lower):
        return True
    if any(v in word_frequencies() for v in variants(lower, safe_only=True)):
        return True  # "sanitises" beside "sanitizes"
    if is_compound(lower):
        return True
    zipf = web_zipf().get(lower)
    if zipf is None:
        return _unseen_derivation(lower)
    if zipf >= MIN_VARIANT_ZIPF and any(v in word_frequencies() for v in variants(lower)):
        return True  # "councilor" beside "councillor"
    # A derivation of a dictionary word that the web has seen ("breathings", "dynamiter"),
    # unless one slip from a far commoner word that is not its own base ("sortied" beside
    # "sorted"; "breathing" is the base of "breathings"). Derivations the web has never
    # seen are mostly children's slips in Birkbeck ("academicly", "becauses").
    return derived.is_derived(lower, in_dictionary) and not _slip_of_commoner(lower, zipf)


def _unseen_derivation(lower: str) -> bool:
    """A derivation the web has never seen, of a long dictionary word, that the typo model
    reads as that word's own form or not at all ("loathsomely", "diplomatists",
    "fancifulness"). Children's derivations of short common words are slips ("becauses",
    "academicly": Birkbeck), so the base must be MIN_UNSEEN_BASE letters long.
    """
    if len(lower) <= MIN_UNSEEN_BASE:
        return False  # most unknown words: no look at their endings
    base = derived.base_of(lower, in_dictionary)
    if base is None or len(base) < MIN_UNSEEN_BASE:
        return False
    best = suggest.suggestions(lower, 1)
    return not best or lower.startswith(best[0])


def is_compound(lower: str) -> bool:
    """Whether a word is two dictionary words run together, one of them not a common one.

    "workbasket", "bikemaker", "audioblogs"; never two common words ("eachother",
    "highschool", "thankyou": students' slips), nor a slip of a commoner word.

    >>> is_compound("workbasket"), is_compound("eachother"), is_compound("alot")
    (True, False, False)
    """
    if not MIN_COMPOUND_PART * 2 <= len(lower) <= MAX_COMPOUND or not lower.isalpha():
        return False
    words, web = word_frequencies(), web_zipf()
    for cut in range(MIN_COMPOUND_PART, len(lower) - MIN_COMPOUND_PART + 1):
        head, tail = lower[:cut], lower[cut:]
        zipfs = (web.get(head, 0), web.get(tail, 0))
        if head in words and tail in words and min(zipfs) >= MIN_PART_ZIPF \
                and min(zipfs) < COMMON_PART_ZIPF:
            return not _typo_of_commoner(lower, web.get(lower, MIN_WEB_ZIPF))
    return False


def in_dictionary(lower: str) -> bool:
    """Whether the curated dictionary has the word."""
    return lower in word_frequencies()


@lru_cache(maxsize=50_000)
def listed(lower: str) -> bool:
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


def _slip_of_commoner(lower: str, zipf: int) -> bool:
    """Whether a dictionary word one edit away, not a start of this one, is TYPO_GAP commoner."""
    ids, distances, _ = suggest.near(lower)
    words = suggest.dictionary().words
    common = _dictionary_zipf()[ids] - zipf >= TYPO_GAP
    return any(not lower.startswith(words[i]) for i in ids[common & (distances == 1)].tolist())


@cache
def _dictionary_zipf() -> npt.NDArray[np.int32]:
    """The web's Zipf (times 100; 0 where it has none) of each word of suggest's dictionary."""
    web = web_zipf()
    return np.array([web.get(w, 0) for w in suggest.dictionary().words], dtype=np.int32)
