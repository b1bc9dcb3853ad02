"""A word list compiled: each entry's forms, and the patterns that find them.

An entry's forms are its inflections as English spells them ("fucked", "spicked", never
"spiced") and, for words that are not ordinary English, derived forms and compounds
("fuckers", "shithead"). The forms of a list become one trie-shaped pattern (one test per
letter, not per form); each entry's minimal letters become the quick search's pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from moderation.analysis.lexicon import english_words, web_zipf
from moderation.analysis.wordlists.normalise import LOOKALIKES, MASKS, letters_of

MAX_CHUNK = 100  # characters read from one chunk: no word, however disguised, is longer
MIN_COMPOUND = 4  # letters of a severe form that may end a compound ("motherfucker")
MIN_PREFIX = 3  # letters of the word before it ("mishit" is not "mi" + "shit")
MAX_MISSPELLED = 5  # letters of the longest entry misspelled on purpose ("fcuk", "niggre")
# A swap the web uses as a word is not a misspelling of an entry: "Cnut" is a king.
MAX_SWAP_ZIPF = 180
# Inflections: an ordinary word with one of these is still the list word ("fucked").
INFLECTIONS = ("s", "es", "'s", "ed", "d", "ing", "in")
# Derived forms and compounds, counted only in words that are not ordinary English
# ("fuckers", "shithead"); the default list names the ordinary ones it means ("shitty").
DERIVED = ("er", "ers", "y", "ier", "ies", "iest", "head", "heads", "hole", "holes", "face",
            "faces")
_VOWELS = "aeiou"


def inflect(entry: str, suffix: str) -> list[str]:
    """The entry with an ending, spelled as English spells it (possibly two ways)."""
    if suffix in ("s", "'s"):
        if entry.endswith("y") and len(entry) > 2 and entry[-2] not in _VOWELS and suffix == "s":
            return [entry[:-1] + "ies"]
        return [entry + suffix]
    last = entry[-1]
    if suffix[0] in "eiy":
        if last == "e":
            return [entry[:-1] + suffix]
        if last in "cg" and entry[-2:] not in ("ck", "gg"):
            # "spic" + "ed" is "spicked": "spiced" is another word (a soft c).
            return [entry + "k" + suffix] if last == "c" else []
        if last == "y" and len(entry) > 2 and entry[-2] not in _VOWELS and suffix[0] != "i":
            return [entry[:-1] + "i" + suffix]
        if (len(entry) >= 3 and last not in _VOWELS + "wxy" and entry[-2] in _VOWELS
                and entry[-3] not in _VOWELS):
            return [entry + last + suffix, entry + suffix]  # "shitting"; "bigoted"
    elif suffix == "d" and last != "e":
        return []
    return [entry + suffix]


def forms_of(entry: str, suffixes: Iterable[str]) -> set[str]:
    return {entry} | {form for suffix in suffixes for form in inflect(entry, suffix)}



def char_class(char: str) -> str:
    return "[" + re.escape(char + LOOKALIKES.get(char, "") + MASKS) + "]"



def minimal_letters(entries: Iterable[str]) -> tuple[str, ...]:
    """The entries' letters, less those holding another's ("motherfucker" holds "fuck")."""
    letters = sorted({letters_of(e) for e in entries if letters_of(e)}, key=len)
    minimal: list[str] = []
    for word in letters:
        if not any(shorter in word for shorter in minimal):
            minimal.append(word)
    return tuple(minimal)


def in_order(letters: str) -> str:
    """A pattern for the letters in order, through separators, spaces and repeats.

    Every place `Matcher.find` reports matches one of these (masks aside, which `find`
    handles): that is what lets it read only the chunks they point at. A letter's class
    and what may follow it before the next letter never overlap, so the possessive
    quantifiers never give back what a match needs.
    """
    parts = []
    gap = f"{{0,{MAX_CHUNK}}}+"  # no reading spreads further: linear work on any text
    for i, char in enumerate(letters):
        following = letters[i + 1:i + 2]
        if char == "f":  # "ph" reads "f"
            again = (f"(?:[\\W_]|f|p[\\W_p]{gap}h){gap}" if following in ("p", "h")
                     else f"[\\W_fph]{gap}")
            parts.append(f"(?:f|p[\\W_p]{gap}h)" + again)
        else:
            parts.append(re.escape(char) + f"[\\W_{re.escape(char)}]{gap}")
    return "".join(parts)



_Trie = dict[str, "_Trie"]  # a letter: what may follow it ("" where a form ends)


def trie_pattern(forms: Iterable[str], atom: Callable[[str], str] = char_class) -> str:
    """One pattern for many forms, sharing their beginnings: one test per letter, not per form.

    `atom` is the pattern for one character of a form (its class of look-alikes).
    """
    trie: _Trie = {}
    for form in forms:
        node = trie
        for char in form:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: _Trie) -> str:
        # Letters with one way on are joined in a loop, not by recursion: a long word is one
        # long chain, and recursing once per letter ran out of stack on a word of ~500.
        chain = []
        while len(node) == 1 and "" not in node:
            (char, node), = node.items()
            chain.append(atom(char))
        branches = [atom(char) + build(child) for char, child in sorted(node.items())
                    if char]
        if not branches:
            return "".join(chain)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "".join(chain) + (f"(?:{body})?" if "" in node else body)

    return build(trie)


def phrase_body(words: list[str]) -> str:
    """A pattern for words in a row with any separators between them."""
    return r"[\W_]+".join("".join(map(char_class, w)) for w in words)


def phrases_pattern(phrases: Iterable[list[str]]) -> str:
    """`phrase_body` of many phrases in one, sharing their beginnings (the same matches as
    their alternation, tried once per shared letter rather than once per phrase)."""
    return trie_pattern((" ".join(words) for words in phrases),
                        lambda char: r"[\W_]+" if char == " " else char_class(char))


def phrase_pattern(words: list[str]) -> re.Pattern[str]:
    """Words in a row with any separators between them, as whole words."""
    return re.compile(rf"(?<![^\W_]){phrase_body(words)}(?![^\W_])")


def misspellings(entry: str) -> list[str]:
    """A severe entry as people misspell it on purpose: "ck" as "k", two letters swapped.

    >>> misspellings("fuck")
    ['fuk', 'fukk', 'fcuk', 'fukc']
    >>> "cnut" in misspellings("cunt")  # King Cnut
    False
    """
    if not MIN_COMPOUND <= len(entry) <= MAX_MISSPELLED or not entry.isalpha():
        return []  # a long entry is disguised, if at all, by its short part ("...nigger")
    out = [entry.replace("ck", "k"), entry.replace("ck", "kk")] if "ck" in entry else []
    words, web = english_words(), web_zipf()
    for i in range(1, len(entry) - 1):
        if entry[i] != entry[i + 1]:
            swapped = entry[:i] + entry[i + 1] + entry[i] + entry[i + 2:]
            if swapped not in words and web.get(swapped, 0) < MAX_SWAP_ZIPF:
                out.append(swapped)
    return list(dict.fromkeys(v for v in out if v != entry))
