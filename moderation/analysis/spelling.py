"""Spell checking against pyspellchecker's English dictionary, with bounded work per text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

# Letters with inner apostrophes ("don't", "Astrava's"); hyphenated words split into parts.
_WORD = re.compile(r"[A-Za-z]+(?:'[A-Za-z]+)*")
# Links and addresses are not prose: their letters are never misspellings.
_NOT_PROSE = re.compile(r"\S+@\S+|\b(?:[a-z][a-z0-9+.\-]*://|www\.)\S+", re.IGNORECASE)
# Edit-distance work is the slow part; past this many distinct unknown words a text is
# plainly full of misspellings, so the rest are counted without suggestions.
MAX_EXAMINED = 60

# British spellings the American-English dictionary lacks, as (British, American) endings.
_BRITISH = (
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


@cache
def _checker():  # type: ignore[no-untyped-def]
    from spellchecker import SpellChecker  # bundled word list: nothing is downloaded

    return SpellChecker(language="en", distance=1)


_known_cache: dict[str, bool] = {}


def _known(word: str) -> bool:
    known = _known_cache.get(word)
    if known is None:
        checker = _checker()
        known = word in checker or any(
            word.endswith(british) and word[: -len(british)] + american in checker
            for british, american in _BRITISH)
        if len(_known_cache) >= 200_000:
            _known_cache.clear()  # bounded; refills with the live vocabulary
        _known_cache[word] = known
    return known


@lru_cache(maxsize=256)
def vocabulary(*texts: str) -> frozenset[str]:
    """Lower-cased words of the given texts (the prompt, the course word list)."""
    return frozenset(m.group().lower() for text in texts for m in _WORD.finditer(text))


def check(text: str, allowed: frozenset[str] = frozenset()) -> tuple[int, list[Misspelling]]:
    """Return the number of words checked and the misspellings, in order of appearance.

    Acronyms, words with digits, allowed words, and capitalised words with no dictionary
    word close to them (names such as "Okonkwo") are not misspellings.

    >>> count, found = check("Okonkwo beleive the NATO report about Austrailia.")
    >>> count, [(m.word, m.suggestion) for m in found]
    (7, [('beleive', 'believe'), ('Austrailia', 'australia')])
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
    checker = _checker()
    verdicts: dict[str, str | bool | None] = {}  # suggestion, or True for a name
    examined = 0
    found: list[Misspelling] = []
    for match in _WORD.finditer(prose):
        typed = match.group()
        if typed not in suspects:
            continue
        lower = typed.lower()
        key = typed if typed[0].isupper() else lower
        if key not in verdicts:
            verdict: str | bool | None = None
            if examined < MAX_EXAMINED:
                examined += 1
                candidates = checker.candidates(lower)
                suggestion = checker.correction(lower) if candidates else None
                # A capitalised word with nothing in the dictionary close to it is a name.
                verdict = True if typed[0].isupper() and not candidates else suggestion
            verdicts[key] = verdict
        verdict = verdicts[key]
        if verdict is True:
            continue
        found.append(Misspelling(typed, match.start(), match.end(), verdict or None))
    return len(typed_words), found


def _stem(lower: str) -> str:
    return lower[:-2] if lower.endswith("'s") else lower


_typed_cache: dict[str, bool] = {}


def _fine_anywhere(typed: str) -> bool:
    """Whether a word as typed is fine in any course: a single letter, an acronym, known."""
    fine = _typed_cache.get(typed)
    if fine is None:
        fine = len(typed) < 2 or typed.isupper() or _known(_stem(typed.lower()))
        if len(_typed_cache) >= 200_000:
            _typed_cache.clear()
        _typed_cache[typed] = fine
    return fine
