"""Word-list matching: whole words and inflections, case-insensitive, through obfuscation.

A text is read word by word (whitespace-separated chunks, so a Cyrillic list word never
matches inside a longer Cyrillic word). Each chunk is folded (lower case, accents and
full-width forms dropped, Cyrillic and Greek look-alike letters read as Latin in a chunk
that mixes scripts), its separators dropped ("f.u_ck"), up to three digits or symbols at
each edge made optional ("motherfucker1", "a$$h0l3!"), runs of one letter read once
("fuuuck"), and "ph" read as "f". The result must be, as a whole, list words with an
ending, each letter typed as itself, a look-alike ("sh1t", "$hit", "fvck") or a mask
("f*ck"), one or more list words in a row ("fuckfuck"). Single characters spaced out
("f    u  c k") are read together, and an entry of several words matches them with any
spacing ("2 girls 1 cup").

What keeps innocent words out: an ordinary English word typed plainly (letters only) is
refused only if it is a list word or a regular inflection of one ("fucked"; never
"spicy" for "spic", "good" for "god", "Shiites" for "shit"); letters never stand for
other letters except v for u; an ending only counts where English spelling would
produce it ("spicked", never "spiced"); and a list can name allowed phrases
("!spic and span").

Speed: one regex over the folded text finds the few places where a list word's letters
occur in order (through separators and repeats); only the chunks there are read.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

from moderation.analysis.lexicon import english_words

# What people type instead of a letter to slip past a filter. Only "v" (for "u") is a
# letter standing for another letter: "l" for "i" made "Shilts" read "shits". "7" reads
# "t" only: as "l" too, it would merge "t" with "i" and "l" for the quick search.
_LOOKALIKES = {
    "a": "4@", "b": "8", "e": "3€", "g": "9", "i": "1!|", "l": "1|", "o": "0", "s": "5$",
    "t": "7+", "u": "v", "z": "2",
}
_MASKS = "*#"  # a masked letter: "f*ck", "sh#t"
_SYMBOLS = frozenset("".join(_LOOKALIKES.values())) - frozenset("abcdefghijklmnopqrstuvwxyz")
# Cyrillic and Greek letters that look Latin, read as Latin inside a chunk that also has
# Latin letters ("fuсk" with a Cyrillic "с"); a chunk all in one script keeps its letters.
_HOMOGLYPH_FROM, _HOMOGLYPH_TO = "асеіјорхуѕкмтвнυνοριτκχ", "aceijopxyskmtbhuvopitkx"
_HOMOGLYPHS = str.maketrans(_HOMOGLYPH_FROM, _HOMOGLYPH_TO)

# Inflections: an ordinary word with one of these is still the list word ("fucked").
_INFLECTIONS = ("s", "es", "'s", "ed", "d", "ing", "in")
# Derived forms and compounds, counted only in words that are not ordinary English
# ("fuckers", "shithead"); the default list names the ordinary ones it means ("shitty").
_DERIVED = ("er", "ers", "y", "ier", "ies", "iest", "head", "heads", "hole", "holes", "face",
            "faces")
_VOWELS = "aeiou"
MAX_CHUNK = 100  # characters read from one chunk: no word, however disguised, is longer
SPACED_GAP = 20  # spaces at most between the characters of a spaced-out word
_CHUNK = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class WordMatch:
    """A list word found in the text, as typed."""

    word: str  # the list entry
    typed: str  # what the text says
    start: int
    end: int


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


def _kind(char: str) -> str:
    """Of a folded character: "l" letter, "y" look-alike symbol, "m" mask, "s" separator."""
    if char in _MASKS:
        return "m"
    if char in _SYMBOLS:
        return "y"
    return "l" if char.isalpha() else "s"


def _inflect(entry: str, suffix: str) -> list[str]:
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


def _forms(entry: str, suffixes: Iterable[str]) -> set[str]:
    return {entry} | {form for suffix in suffixes for form in _inflect(entry, suffix)}


def _collapse(text: str) -> str:
    """Read each run of one character once ("fuuuck" -> "fuck"); masks are kept."""
    out: list[str] = []
    for char in text:
        if not out or char != out[-1] or char in _MASKS:
            out.append(char)
    return "".join(out)


def _char_class(char: str) -> str:
    return "[" + re.escape(char + _LOOKALIKES.get(char, "") + _MASKS) + "]"


def _canonical_table() -> dict[int, str]:
    """Map every look-alike to one letter per group of letters that share look-alikes."""
    parent: dict[str, str] = {}

    def find(c: str) -> str:
        while parent.setdefault(c, c) != c:
            c = parent[c]
        return c

    for letter, options in _LOOKALIKES.items():
        for option in options:
            parent[find(option)] = find(letter)
    table = {ord(c): find(c) for c in parent}
    for source, latin in zip(_HOMOGLYPH_FROM, _HOMOGLYPH_TO, strict=True):
        table[ord(source)] = find(latin)
    return table


# For the quick search only: "sh1t", "$hit", "shit" and "ѕhit" read alike.
_CANONICAL = _canonical_table()


_SEPARATORS = re.compile(r"[\W_]+")
_RUNS = re.compile(r"(.)\1+")


def _collapse_runs(text: str) -> str:
    """Each run of one character read once (`_collapse` keeps masked runs, for readings).

    A replace per doubled character, each pass halving its runs: the regex substitution
    (`_RUNS`) spends most of its time expanding its template in Python per run, so it is
    kept for texts of many different characters only.

    >>> _collapse_runs("fuuuuckk offf"), _collapse_runs("a" * 1000)
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


_ASCII_SEPARATORS = str.maketrans("", "", "".join(
    chr(i) for i in range(128) if not chr(i).isalnum()))


def _letters(entry: str) -> str:
    """The entry's letters as the quick search reads them: canonical, each run once."""
    letters = _SEPARATORS.sub("", fold(entry).translate(_CANONICAL)).replace("ph", "f")
    return _collapse_runs(letters)


def _minimal_letters(entries: Iterable[str]) -> tuple[str, ...]:
    """The entries' letters, less those holding another's ("motherfucker" holds "fuck")."""
    letters = sorted({_letters(e) for e in entries if _letters(e)}, key=len)
    minimal: list[str] = []
    for word in letters:
        if not any(shorter in word for shorter in minimal):
            minimal.append(word)
    return tuple(minimal)


def _in_order(letters: str) -> str:
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
            again = (f"(?:[\\W_]|f|p[\\W_]{gap}h){gap}" if following in ("p", "h")
                     else f"[\\W_fph]{gap}")
            parts.append(f"(?:f|p[\\W_]{gap}h)" + again)
        else:
            parts.append(re.escape(char) + f"[\\W_{re.escape(char)}]{gap}")
    return "".join(parts)


Char = tuple[str, str, int]  # folded character, its kind (see `_kind`), its index in the text


class Matcher:
    """A word list compiled for matching: forms, patterns and the quick search."""

    def __init__(self, entries: tuple[str, ...], allowed: tuple[str, ...] = ()) -> None:
        self.entries = entries
        self.allowed = tuple(_phrase_pattern(fold(a).split()) for a in allowed)
        compact = ["".join(fold(e).split()) for e in entries]
        # Plain English words are refused only in these exact forms; "-er" too from five
        # letters ("cheaters"), not below ("butter" is not "butt", "titter" not "tit").
        self.plain_forms = frozenset(
            form for e in compact
            for form in _forms(e, _INFLECTIONS + (("er", "ers") if len(e) >= 5 else ())))
        forms: dict[str, str] = {}  # form: its entry
        for entry, folded in zip(entries, compact, strict=True):
            for form in _forms(folded, _INFLECTIONS + _DERIVED):
                for variant in (form, _collapse(form)):
                    forms.setdefault(variant, entry)
        ordered = sorted(forms, key=len, reverse=True)  # longest first: "fucking", not "fuck"
        self.forms = [(re.compile("".join(map(_char_class, f))), forms[f]) for f in ordered]
        # Greedy over a trie, so a match at a place is the longest form there.
        self.any_form = re.compile(_trie_pattern(ordered))
        by_length: dict[int, list[str]] = {}
        for form in ordered:
            by_length.setdefault(len(form), []).append(form)
        self.by_length = [(n, re.compile(_trie_pattern(fs))) for n, fs in sorted(by_length.items())]
        self.longest = max(by_length)
        self.minimal = _minimal_letters(entries)
        self.quick = {letters: re.compile(_in_order(letters)) for letters in self.minimal}
        # A reading that parses ends with a form: read backwards, a quick way to rule most
        # readings out ("fuckabcd").
        self.backwards = re.compile(_trie_pattern([f[::-1] for f in ordered]))
        self._entries: dict[str, str] = {}
        self.phrases = tuple((entry, _phrase_pattern(fold(entry).split()))
                             for entry in entries if len(entry.split()) > 1)

    def might_contain(self, text: str) -> bool:
        """A cheap test that is never wrong when it says no.

        The quick pattern's letters, in order through separators and repeats, are in
        the text's skeleton (separators dropped, runs read once) one after another.
        """
        return "*" in text or "#" in text or bool(self._maybe(text))

    def _maybe(self, text: str) -> list[str]:
        """The minimal letters found in the text's skeleton (see `might_contain`).

        Each letter may repeat ("fuuuck") and neighbouring letters differ, so the letters
        occur in order through repeats exactly where they are a substring of the skeleton
        with its runs read once: one pass to collapse the runs, then a substring test per
        entry (a search per entry read the whole skeleton each time).
        """
        canonical = fold(text).translate(_CANONICAL)
        skeleton = (canonical.translate(_ASCII_SEPARATORS) if canonical.isascii()
                    else _SEPARATORS.sub("", canonical))
        runs = _collapse_runs(skeleton)
        if "ph" in runs:
            runs = _collapse_runs(runs.replace("ph", "f"))
        return [letters for letters in self.minimal if letters in runs]

    def _places(self, text: str) -> list[tuple[int, int]]:
        """Where the letters of a list word occur in order, through separators and repeats."""
        maybe = self._maybe(text)
        if not maybe:
            return []
        canonical = fold(text).translate(_CANONICAL)
        return [m.span() for letters in maybe for m in self.quick[letters].finditer(canonical)]

    def find(self, text: str, everywhere: bool = False) -> list[WordMatch]:
        """Every match in the text: in the chunks the quick search points at, or in all."""
        places = self._places(text)
        masked = "*" in text or "#" in text
        if not places and not masked and not everywhere:
            return []
        folded = fold(text)
        chunks = [m.span() for m in _CHUNK.finditer(text)]
        starts = [s for s, _ in chunks]
        if everywhere:
            spans = [(0, len(chunks))]
        else:  # the chunks each place touches, as ranges of chunk numbers
            spans = [(max(bisect.bisect_right(starts, start) - 1, 0),
                      bisect.bisect_left(starts, end)) for start, end in places]
            if masked:
                spans += [(i, i + 1) for i, (s, e) in enumerate(chunks)
                          if "*" in text[s:e] or "#" in text[s:e]]
        merged: list[list[int]] = []
        for lo, hi in sorted(spans):
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        found: list[WordMatch] = []
        single: dict[int, bool] = {}

        def is_single(i: int) -> bool:
            if i not in single:
                single[i] = self._is_single(folded, chunks[i])
            return single[i]

        def close(a: int, b: int) -> bool:  # neighbouring chunks of one spaced-out word
            return chunks[b][0] - chunks[a][1] <= SPACED_GAP

        done: set[int] = set()
        for i in (i for lo, hi in merged for i in range(lo, hi)):
            if i in done:
                continue
            if is_single(i):  # read the whole run of single characters around it
                lo = hi = i
                while lo > 0 and is_single(lo - 1) and close(lo - 1, lo):
                    lo -= 1
                while hi + 1 < len(chunks) and is_single(hi + 1) and close(hi, hi + 1):
                    hi += 1
                done.update(range(lo, hi + 1))
                run: list[Char] = []
                for start, end in chunks[lo:hi + 1]:
                    if end - start == 1:  # most of them: one character, no walk needed
                        kind = _kind(folded[start])
                        if kind != "s":
                            run.append((folded[start], kind, start))
                    else:
                        run += _core(self._chars(folded, (start, end)))
                found += self._spaced(run, text, folded)
            else:
                done.add(i)
                start, end = chunks[i]
                plain = folded[start:end]
                if end - start > MAX_CHUNK:
                    continue  # no word is this long: a link, a key held down
                if plain.isalpha() and plain.isascii():  # most chunks: letters only
                    match = self._plain(plain, start, text)
                    found += [match] if match else []
                else:
                    found += self._chunk(self._chars(folded, chunks[i]), text, folded)
        for entry, pattern in self.phrases:
            found += [WordMatch(entry, text[m.start():m.end()], m.start(), m.end())
                      for m in pattern.finditer(folded)]
        if self.allowed and found:  # inside an allowed phrase ("spic and span"): not a match
            allowed = self._allowed(folded)
            found = [m for m in found if not any(a <= m.start and m.end <= b
                                                 for a, b in allowed)]
        found.sort(key=lambda m: (m.start, -m.end))
        kept: list[WordMatch] = []
        for match in found:  # overlapping readings of the same place: keep the widest
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept

    @staticmethod
    def _is_single(folded: str, span: tuple[int, int]) -> bool:
        """One character, perhaps with a mark after it ("k!"): part of a spaced-out word."""
        start, end = span
        if end - start == 1:
            return True
        kinds = [_kind(c) for c in folded[start:min(end, start + 4)]] if end - start < 4 else []
        kept = [k for k in kinds if k != "s"]
        return len(kept) == 1 or len(kept) == 2 and kept.count("l") == 1

    @staticmethod
    def _chars(folded: str, span: tuple[int, int]) -> list[Char]:
        """The letters, symbols and masks of a chunk; separators dropped ("f.u_ck")."""
        start, end = span
        if end - start > MAX_CHUNK:
            return []  # no word is this long: a link, a key held down
        chunk = folded[start:end]
        if not chunk.isascii() and any("a" <= c <= "z" for c in chunk):
            chunk = chunk.translate(_HOMOGLYPHS)  # mixed scripts: "fuсk" is "fuck"
        out = []
        for i, char in enumerate(chunk):
            kind = _kind(char)
            if kind != "s":
                out.append((char, kind, start + i))
        return out

    def _chunk(self, chars: list[Char], text: str, folded: str) -> list[WordMatch]:
        if not chars:
            return []
        letters = "".join(c for c, _, _ in chars)
        once = _collapse(letters)
        if not (self.any_form.search(letters) or self.any_form.search(once)
                or "ph" in once and self.any_form.search(once.replace("ph", "f"))):
            return []  # every reading starts with a form, so some form is in here
        kinds = "".join(k for _, k, _ in chars)
        first, last = kinds.find("l"), kinds.rfind("l")
        if first < 0 and not any(c in "@$!|+€*#" for c, _, _ in chars):
            return []  # no letter at all: a number, a price
        # The edges' symbols may be letters ("5hit") or not ("fuck1", "a$$h0l3!"): try
        # dropping up to three of them at each end.
        if first < 0:
            spans = [(0, len(chars))]
        else:
            spans = list(dict.fromkeys(
                [(lo, hi) for lo in range(min(first, 3) + 1)
                 for hi in range(len(chars), max(last + 1, len(chars) - 3) - 1, -1)]
                + [(first, last + 1)]))
        for lo, hi in spans:
            match = self._read(chars[lo:hi], text, folded)
            if match:
                return [match]
        # Read together, the parts were nothing; each may be a word ("holy-shit", "end.Fuck").
        found = []
        part: list[Char] = []
        for char in [*chars, ("", "s", -2)]:
            if part and char[2] != part[-1][2] + 1:  # a separator came in between
                if len(part) < len(chars) and len(_core(part)) >= 2:
                    found += self._chunk(part, text, folded)
                part = []
            part.append(char)
        return found

    def _plain(self, letters: str, start: int, text: str) -> WordMatch | None:
        """`_read` for a chunk of ASCII letters only, without building its characters."""
        if self._ordinary(letters, letters):
            return None
        readings = {letters, _collapse(letters)}
        if "ph" in letters:
            readings |= {r.replace("ph", "f") for r in readings}
        if any(self._parses(r) for r in readings):
            end = start + len(letters)
            return WordMatch(self._entry(next(r for r in readings if self._parses(r))),
                             text[start:end], start, end)
        return None

    def _spaced(self, run: list[Char], text: str, folded: str) -> list[WordMatch]:
        """Single characters spaced out: any stretch of them may spell a list word."""
        if len(run) < 2:
            return []
        joined = "".join(c for c, _, _ in run)
        found = []
        start = 0
        while start < len(run) - 1:
            prefix = self.any_form.match(joined, start)
            if prefix is not None and prefix.end() - start >= 2:
                match = self._read(run[start:prefix.end()], text, folded)
                if match:
                    found.append(match)
                    start = prefix.end()
                    continue
            start += 1
        return found

    def _read(self, chars: list[Char], text: str, folded: str) -> WordMatch | None:
        if not chars:
            return None
        letters = "".join(c for c, _, _ in chars)
        kinds = "".join(k for _, k, _ in chars)
        masks = kinds.count("m")
        if masks and masks >= len(kinds) - masks:
            return None  # mostly masked ("f***"): already censored, nothing to judge
        start, end = chars[0][2], chars[-1][2] + 1
        plain = kinds == "l" * len(kinds)
        if plain and self._ordinary(letters, folded[start:end]):
            return None  # an ordinary word ("Shiites", "who're"), not a list word
        readings = dict.fromkeys((letters, _collapse(letters)) if "".join(
            dict.fromkeys(letters)) != letters else (letters,))
        if "ph" in letters:
            readings.update(dict.fromkeys(r.replace("ph", "f") for r in list(readings)))
        for reading in readings:
            if self._parses(reading):
                return WordMatch(self._entry(reading), text[start:end], start, end)
        return None

    def _ordinary(self, letters: str, typed: str) -> bool:
        """Whether letters typed plainly are an English word other than a list word's forms."""
        words = english_words()
        if letters not in self.plain_forms and letters in words:
            return True
        # With an apostrophe or hyphen in it: "who're" is not "whore".
        return typed != letters and typed not in self.plain_forms and typed in words

    def _allowed(self, folded: str) -> list[tuple[int, int]]:
        return [m.span() for pattern in self.allowed for m in pattern.finditer(folded)]

    def _parses(self, reading: str) -> bool:
        """Whether the reading is one or more list-word forms in a row ("fuckfuck")."""
        if self.any_form.fullmatch(reading):
            return True
        if not self.backwards.match(reading[::-1]):
            return False
        reachable = [False] * (len(reading) + 1)
        reachable[0] = True
        for position in range(len(reading)):  # word break: each position visited once
            if not reachable[position]:
                continue
            longest = self.any_form.match(reading, position)
            if longest is None:
                continue
            for length, pattern in self.by_length:
                end = position + length
                if end > longest.end():
                    break  # no form here is longer than the longest one that matched
                if pattern.fullmatch(reading, position, end):
                    reachable[end] = True
        return reachable[-1]

    def _entry(self, reading: str) -> str:
        """The list entry a matched reading starts with (remembered: readings repeat)."""
        entry = self._entries.get(reading)
        if entry is None:
            entry = next((e for pattern, e in self.forms if pattern.match(reading)),
                         self.entries[0])
            if len(self._entries) < 10_000:
                self._entries[reading] = entry
        return entry


_Trie = dict[str, "_Trie"]  # a letter: what may follow it ("" where a form ends)


def _trie_pattern(forms: Iterable[str]) -> str:
    """One pattern for many forms, sharing their beginnings: one test per letter, not per form."""
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
            chain.append(_char_class(char))
        branches = [_char_class(char) + build(child) for char, child in sorted(node.items())
                    if char]
        if not branches:
            return "".join(chain)
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "".join(chain) + (f"(?:{body})?" if "" in node else body)

    return build(trie)


def _phrase_pattern(words: list[str]) -> re.Pattern[str]:
    """Words in a row with any separators between them, as whole words."""
    body = r"[\W_]+".join("".join(map(_char_class, w)) for w in words)
    return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")


def _core(chars: list[Char]) -> list[Char]:
    """The characters from the first letter to the last (all of them if there is none)."""
    kinds = "".join(k for _, k, _ in chars)
    first, last = kinds.find("l"), kinds.rfind("l")
    return chars[first:last + 1] if first >= 0 else chars


@lru_cache(maxsize=256)
def compile_list(words: tuple[str, ...]) -> Matcher | None:
    """Compile a word list (cached per list); None for an empty list.

    An entry starting with "!" is an allowed phrase: list words inside it do not count
    ("!spic and span").
    """
    cleaned = {w.strip() for w in words if fold(w).strip(" !")}
    entries = tuple(sorted(w for w in cleaned if not w.startswith("!")))
    allowed = tuple(sorted(w[1:].strip() for w in cleaned if w.startswith("!")))
    return Matcher(entries, allowed) if entries else None


def find_words(text: str, words: Iterable[str]) -> list[WordMatch]:
    """Find each occurrence of a list word in the text.

    >>> [m.typed for m in find_words("What the f*ck, SH1T. f u c k! fuuuck", ["fuck", "shit"])]
    ['f*ck', 'SH1T', 'f u c k', 'fuuuck']
    >>> find_words("Scunthorpe is a classic assessment town.", ["cunt", "ass"])
    []
    >>> [m.typed for m in find_words("They cheated; cheating is cheaters' game.", ["cheat"])]
    ['cheated', 'cheating', 'cheaters']
    """
    matcher = compile_list(tuple(words))
    return [] if matcher is None else matcher.find(text)


def iter_entries(text: str) -> Iterator[str]:
    """The entries of a word-list file: one per line, '#' starts a comment."""
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            yield line


@cache
def default_banned_words() -> tuple[str, ...]:
    """The shipped default banned list."""
    text = resources.files("moderation.analysis").joinpath("data/banned_words.txt").read_text()
    return tuple(iter_entries(text))
