"""Reading text as a filter-dodger writes it: folding, look-alikes, separators and runs.

Every character is folded one for one (lower case, accents and full-width forms dropped),
so a position in the folded text is a position in the typed text. Look-alike symbols and,
in a chunk that mixes scripts, Cyrillic and Greek look-alike letters stand for Latin ones;
runs of one character read once.
"""

from __future__ import annotations

import re
import unicodedata

# What people type instead of a letter to slip past a filter. Only "v" (for "u") is a
# letter standing for another letter: "l" for "i" made "Shilts" read "shits". "7" reads
# "t" only: as "l" too, it would merge "t" with "i" and "l" for the quick search.
LOOKALIKES = {
    "a": "4@", "b": "8", "e": "3€", "g": "9", "i": "1!|", "l": "1|", "o": "0", "s": "5$",
    "t": "7+", "u": "v", "z": "2",
}
MASKS = "*#"  # a masked letter: "f*ck", "sh#t"
# Each character with the letters it may stand for: "1" -> "il1", "a" -> "a".
REVERSE = {symbol: "".join(sorted({symbol} | {letter for letter, options in LOOKALIKES.items()
                                              if symbol in options}))
           for symbol in {c for options in LOOKALIKES.values() for c in options}}
SYMBOLS = frozenset("".join(LOOKALIKES.values())) - frozenset("abcdefghijklmnopqrstuvwxyz")
# Cyrillic and Greek letters that look Latin, read as Latin inside a chunk that also has
# Latin letters ("fuсk" with a Cyrillic "с"); a chunk all in one script keeps its letters.
HOMOGLYPH_FROM, HOMOGLYPH_TO = "асеіјорхуѕкмтвнυνοριτκχ", "aceijopxyskmtbhuvopitkx"
HOMOGLYPHS = str.maketrans(HOMOGLYPH_FROM, HOMOGLYPH_TO)


class _Fold(dict[int, str]):
    """Per character: lower case without accents, one character for one."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        bare = "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c)).lower()
        # One character for one keeps every position: "ﬁ" reads "f", "ｆ" reads "f".
        folded = bare[:1] or char
        if len(self) > 20_000:
            self.clear()  # bounded, whatever scripts arrive
        self[code] = folded
        return folded


_FOLD = _Fold()


def fold(text: str) -> str:
    """Fold a string character by character (list entries are folded the same way).

    >>> fold("FučK ÄšŚ ｆｕｃｋ")
    'fuck ass fuck'
    """
    return text.lower() if text.isascii() else text.translate(_FOLD)


def kind_of(char: str) -> str:
    """Of a folded character: "l" letter, "y" look-alike symbol, "m" mask, "s" separator."""
    if char in MASKS:
        return "m"
    if char in SYMBOLS:
        return "y"
    return "l" if char.isalpha() else "s"



def collapse(text: str) -> str:
    """Read each run of one character once ("fuuuck" -> "fuck"); masks are kept."""
    out: list[str] = []
    for char in text:
        if not out or char != out[-1] or char in MASKS:
            out.append(char)
    return "".join(out)



def _canonical_table() -> dict[int, str]:
    """Map every look-alike to one letter per group of letters that share look-alikes."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for letter, options in LOOKALIKES.items():
        for option in options:
            parent[find(option)] = find(letter)
    table = {ord(c): find(c) for c in parent}
    for source, latin in zip(HOMOGLYPH_FROM, HOMOGLYPH_TO, strict=True):
        table[ord(source)] = find(latin)
    return table


# For the quick search only: "sh1t", "$hit", "shit" and "ѕhit" read alike.
CANONICAL = _canonical_table()


SEPARATORS = re.compile(r"[\W_]+")
_RUNS = re.compile(r"(.)\1+")


def collapse_runs(text: str) -> str:
    """Each run of one character read once (`collapse` keeps masked runs, for readings).

    A replace per doubled character, each pass halving its runs: the regex substitution
    (`_RUNS`) spends most of its time expanding its template in Python per run, so it is
    kept for texts of many different characters only.

    >>> collapse_runs("fuuuuckk offf"), collapse_runs("a" * 1000)
    ('fuck of', 'a')
    """
    chars = set(text)
    if len(chars) > 64:  # a scan per character would be quadratic in, say, CJK text
        return _RUNS.sub(r"\1", text)
    for char in chars:
        double = char + char
        while double in text:
            text = text.replace(double, char)
    return text


ASCII_SEPARATORS = str.maketrans("", "", "".join(
    chr(i) for i in range(128) if not chr(i).isalnum()))


def letters_of(entry: str) -> str:
    """The entry's letters as the quick search reads them: canonical, each run once."""
    letters = SEPARATORS.sub("", fold(entry).translate(CANONICAL)).replace("ph", "f")
    return collapse_runs(letters)



Char = tuple[str, str, int]  # folded character, its kind (see `kind_of`), its index in the text


def core(chars: list[Char]) -> list[Char]:
    """The characters from the first letter to the last (all of them if there is none)."""
    kinds = "".join(k for _, k, _ in chars)
    first, last = kinds.find("l"), kinds.rfind("l")
    return chars[first:last + 1] if first >= 0 else chars
