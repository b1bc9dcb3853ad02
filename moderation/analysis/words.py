"""The words of a text a spell checker should read, with what surrounds each.

Tokens are runs of letters and digits with inner apostrophes (straight or curly:
"doesn’t" is one word). A token is left out of spelling, though still a word of the
text, when it is not prose: it holds a digit ("19th", "£1.3bn", "MP3"), it is a unit
after a number ("25 km", "6 ft", "66 Mya"), an acronym or its plural ("NATO", "MPs"),
mixed case ("iPhone", "MacIan"), a capitalised abbreviation with no vowel ("Rd"), a single
letter, a link or an address, or it has a
letter outside English's alphabet once ligatures are read ("Dürnstein", "naïve"; "ﬁrst"
is "first" and is checked). A hyphenated word is checked as a whole when the whole is a
word ("wi-fi"), and a prefix before the hyphen is fine ("pre-season", "co-operate").
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass

# Letters and digits, with apostrophes inside ("don't", "doesn’t", "Astrava's").
_TOKEN = re.compile(r"[^\W_]+(?:['’ʼ][^\W_]+)*")
_TOKEN_PARTS = re.compile(f"({_TOKEN.pattern})")  # split by it: tokens and what is between
# Links and addresses are not prose: their letters are never misspellings.
_NOT_PROSE = re.compile(r"\S+@\S+|\b(?:[a-z][a-z0-9+.\-]*://|www\.)\S+", re.IGNORECASE)
MAX_UNIT = 3  # letters of a unit after a number ("mph", "Mya"); longer is a word ("years")
ACRONYM_PLURAL = re.compile(r"[A-Z]{2,}s")  # "MPs", "MEPs", "NGOs"
MAX_ABBREVIATION = 4  # letters of a capitalised abbreviation without a vowel ("Mbps")
_VOWEL = re.compile(r"[aeiouyAEIOUY]")
_ASCII_DIGIT = re.compile(r"[0-9]")
# Prefixes written with a hyphen that are not words on their own.
PREFIXES = frozenset((
    "a", "ante", "anti", "bi", "co", "counter", "de", "di", "e", "eco", "ex", "extra", "hyper",
    "inter", "intra", "macro", "mega", "meta", "micro", "mid", "mini", "mis", "mono", "multi",
    "neo", "non", "pan", "para", "poly", "post", "pre", "pro", "proto", "pseudo", "quasi", "re",
    "retro", "self", "semi", "socio", "sub", "super", "trans", "tri", "ultra", "un", "uni",
    "vice",
))


@dataclass(frozen=True, slots=True)
class Word:
    """A token to check: as typed, its spelling-ready form, where, and what is around it."""

    typed: str  # as in the text, curly apostrophes and all
    plain: str  # NFKC-read, straight apostrophes: what the dictionary is asked
    start: int
    end: int
    hyphen_before: bool  # "season" in "pre-season"
    hyphen_after: bool  # "pre" in "pre-season"


def tokens(text: str) -> Iterator[re.Match[str]]:
    """Every token of the text, prose or not (the words a text has)."""
    return _TOKEN.finditer(text)


def prose(text: str) -> str:
    """The text with links and addresses blanked out (same length, same positions)."""
    if "@" in text or ":/" in text or "www." in text.lower():
        return _NOT_PROSE.sub(lambda m: " " * len(m.group()), text)
    return text


def plain_form(typed: str) -> str:
    """The token as the dictionary reads it: compatibility forms ("ﬁ") and apostrophes."""
    if typed.isascii():
        return typed
    return unicodedata.normalize("NFKC", typed).replace("’", "'").replace("ʼ", "'")


def checkable(text: str, known: Callable[[str], bool],
              fine: Callable[[str], bool] | None = None) -> tuple[int, list[Word]]:
    """The number of tokens, and the tokens that spelling reads (see the module docstring).

    `known` answers for a lower-case word (for the whole of a hyphenated word). `fine`,
    if given, answers for an ASCII token of letters as typed: one it passes is left out
    wherever it stands (a word the caller would pass anyway: most tokens, so no `Word` is
    built for them).

    >>> count, words = checkable("On 19th May, MPs flew 25 km to Dürnstein in a pre-season "
    ...                          "Boeing 747.", lambda w: False)
    >>> count, [w.typed for w in words]
    (15, ['On', 'flew', 'in', 'season', 'Boeing'])
    """
    text = prose(text)
    out: list[Word] = []
    if fine is not None and text.isascii() and not _ASCII_DIGIT.search(text):
        # No number, so no unit: the distinct tokens the caller passes are left out at
        # once, and only the others are looked at (most texts: a few words, or none).
        parts = _TOKEN_PARTS.split(text)  # between tokens, token, between, ..., between
        found = parts[1::2]
        distinct = set(found)
        passed = set(filter(fine, distinct))
        if len(passed) == len(distinct):
            return len(found), out
        # Where each part ends: token k spans ends[2k] to ends[2k + 1].
        ends = list(itertools.accumulate(map(len, parts)))
        for k, typed in enumerate(found):
            if typed not in passed:
                word = _word(text, typed, ends[2 * k], ends[2 * k + 1], known)
                if word is not None:
                    out.append(word)
        return len(found), out
    count = 0
    units = 0  # short tokens still to read as units: two after a number ("12 sq mi")
    previous_end = -1
    for match in _TOKEN.finditer(text):
        count += 1
        typed = match.group()
        start, end = match.span()
        gap_start, previous_end = previous_end, end
        if typed[0].isdigit() or typed[-1].isdigit():
            units = 2
            continue  # a number, "19th", "1.3bn", "MP3"
        if units:
            near = start - gap_start <= 1 or text[gap_start:start].isspace()
            if near and len(plain_form(typed)) <= MAX_UNIT:
                units -= 1
                continue  # "25 km", "6 ft", "66 Mya"
            units = 0
        # Most tokens: a word the caller passes, whether it stands alone or in a
        # hyphenated word (the whole known or not, it would be passed): no Word.
        if fine is not None and typed.isascii() and fine(typed):
            continue
        word = _word(text, typed, start, end, known)
        if word is not None:
            out.append(word)
    return count, out


def _word(text: str, typed: str, start: int, end: int,
          known: Callable[[str], bool]) -> Word | None:
    """The token at text[start:end] as a Word, or None when spelling leaves it out."""
    plain = plain_form(typed)
    if not _is_prose(plain):
        return None
    before = start > 1 and text[start - 1] == "-" and text[start - 2].isalnum()
    after = end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum()
    if before or after:
        whole = _hyphenated(text, start, end)
        if known(whole.replace("-", "").lower()) or known(whole.lower()):
            return None  # "wi-fi", "e-mail": the whole is a word
        if after and plain.lower() in PREFIXES:
            return None  # "pre-season"
    return Word(typed, plain, start, end, before, after)


def _is_prose(plain: str) -> bool:
    """Whether a token is a word to spell-check (see the module docstring)."""
    if plain.islower() and plain.isalpha() and plain.isascii():
        return len(plain) > 1  # most words: no more to ask
    if len(plain) < 2 or not plain.replace("'", "").isalpha() or not plain.isascii():
        return False
    if plain.isupper() or ACRONYM_PLURAL.fullmatch(plain):
        return False
    if plain[0].isupper() and len(plain) <= MAX_ABBREVIATION and not _VOWEL.search(plain):
        return False  # "Rd", "Bhd", "Mbps": no English word of a few letters lacks a vowel
    rest = plain[1:]
    return rest == rest.lower()  # mixed case ("iPhone", "MacIan", "PhD") is a name


def _hyphenated(text: str, start: int, end: int) -> str:
    """The whole hyphenated word around text[start:end] ("pre-season")."""
    while start > 1 and text[start - 1] == "-" and text[start - 2].isalnum():
        start -= 2
        while start > 0 and text[start - 1].isalnum():
            start -= 1
    while end + 1 < len(text) and text[end] == "-" and text[end + 1].isalnum():
        end += 2
        while end < len(text) and text[end].isalnum():
            end += 1
    return text[start:end]


def stem(lower: str) -> str:
    """A lower-case word without its possessive "'s"."""
    return lower[:-2] if lower.endswith("'s") else lower
