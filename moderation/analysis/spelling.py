"""Spell checking against pyspellchecker's English dictionary, with bounded work per text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

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


def _known(word: str) -> bool:
    checker = _checker()
    if word in checker:
        return True
    for british, american in _BRITISH:
        if word.endswith(british) and word[: -len(british)] + american in checker:
            return True
    return False


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
    checker = _checker()
    prose = _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    verdicts: dict[str, str | None | bool] = {}  # word -> suggestion, or True when fine
    examined = 0
    found: list[Misspelling] = []
    checked = 0
    for match in _WORD.finditer(prose):
        typed = match.group()
        checked += 1
        if len(typed) < 2 or typed.isupper():
            continue  # single letters and acronyms
        lower = typed.lower()
        if lower.endswith("'s"):
            lower = lower[:-2]
        if lower in allowed or _known(lower):
            continue
        key = typed if typed[0].isupper() else lower
        verdict = verdicts.get(key)
        if verdict is None and key not in verdicts:
            if examined < MAX_EXAMINED:
                examined += 1
                candidates = checker.candidates(lower)
                suggestion = checker.correction(lower) if candidates else None
                # A capitalised word with nothing in the dictionary close to it is a name.
                verdict = True if typed[0].isupper() and not candidates else suggestion
            else:
                verdict = None
            verdicts[key] = verdict
        if verdict is True:
            continue
        found.append(Misspelling(typed, match.start(), match.end(), verdict or None))
    return checked, found
