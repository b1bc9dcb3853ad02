"""The matcher: a compiled word list applied to a text, chunk by chunk.

A text is read word by word (whitespace-separated chunks, so a Cyrillic list word never
matches inside a longer Cyrillic word), and only where the quick search points. A chunk
matches when, separators dropped and up to three symbols at each edge made optional, it
reads as one or more list-word forms in a row; single characters spaced out are read
together; an entry of several words matches with any spacing between them.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

from moderation.analysis.lexicon import english_words, word_frequencies
from moderation.analysis.wordlists.compiler import (
    MAX_CHUNK,
    MIN_COMPOUND,
    MIN_PREFIX,
    minimal_letters,
    phrase_pattern,
    phrases_pattern,
    trie_pattern,
)
from moderation.analysis.wordlists.forms import list_forms
from moderation.analysis.wordlists.normalise import (
    HOMOGLYPHS,
    Char,
    collapse,
    core,
    fold,
    kind_of,
)
from moderation.analysis.wordlists.quick import QuickSearch, without_ordinary

SPACED_GAP = 20  # spaces at most between the characters of a spaced-out word
_CHUNK = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class WordMatch:
    """A list word found in the text, as typed."""

    word: str  # the list entry
    typed: str  # what the text says
    start: int
    end: int



class Matcher:
    """A word list compiled for matching: forms, patterns and the quick search."""

    def __init__(self, entries: tuple[str, ...], allowed: tuple[str, ...] = (), *,
                 disguised_only: frozenset[str] = frozenset(),
                 severe: frozenset[str] = frozenset()) -> None:
        """Compile `entries`; `allowed` phrases never match.

        `disguised_only` entries are ordinary words that count only when disguised
        ("ch1nk"); `severe` ones also match misspelled ("fcuk", "phuk"), after any prefix
        ("motherfucker") and before any other entry of a match (see `entry_of`).
        """
        self.entries = entries
        self.allowed = tuple(phrase_pattern(fold(a).split()) for a in allowed)
        self.disguised_only = disguised_only
        compact = ["".join(fold(e).split()) for e in entries]
        self.forms = list_forms(entries, compact, disguised_only, severe)
        self.plain_forms = self.forms.plain
        ordered = sorted(self.forms.entry_of, key=len, reverse=True)  # longest first
        # Greedy over a trie, so a match at a place is the longest form there.
        self.any_form = re.compile(trie_pattern(ordered))
        self.lengths = sorted({len(form) for form in ordered})
        self.quick = QuickSearch(minimal_letters(entries + tuple(self.forms.misspelled)))
        self._compound_set = frozenset(self.forms.compounds)
        self._compound_lengths = sorted({len(f) for f in self.forms.compounds})
        self._entries: dict[str, str] = {}
        self._phrases = tuple(entry for entry in entries if len(entry.split()) > 1)
        # Any phrase at all, in one pattern: most texts have none, and each phrase's own
        # pattern (`phrases`) is compiled only when one might be there.
        self.any_phrase = re.compile(r"(?<![^\W_])(?:" + phrases_pattern(
            fold(e).split() for e in self._phrases) + r")(?![^\W_])") \
            if self._phrases else None

    @cached_property
    def phrases(self) -> tuple[tuple[str, re.Pattern[str]], ...]:
        """Each entry of several words with its pattern."""
        return tuple((entry, phrase_pattern(fold(entry).split())) for entry in self._phrases)

    @cached_property
    def compound_tail(self) -> re.Pattern[str]:
        """A list form at the end of a word: "motherfucker", "timbernigger"."""
        return re.compile(f"(?:{trie_pattern(self.forms.compounds)})$")

    @cached_property
    def compound_form(self) -> re.Pattern[str]:
        """A list form anywhere (the start of a compound is `any_form`'s)."""
        return re.compile(trie_pattern(self.forms.compounds))

    @cached_property
    def severe_form(self) -> re.Pattern[str] | None:
        """Any severe form, anywhere in a reading."""
        return re.compile(trie_pattern(self.forms.severe)) if self.forms.severe else None

    def might_contain(self, text: str) -> bool:
        """A cheap test that is never wrong when it says no (see `quick.py`)."""
        return "*" in text or "#" in text or bool(self.quick.found(text))

    def find(self, text: str, everywhere: bool = False) -> list[WordMatch]:
        """Every match in the text: in the chunks the quick search points at, or in all."""
        if self.quick.long:
            # A phrase's letters are found too: read phrases if any letters are.
            phrases = self.quick.any_found(text)
            # A long list's letters occur in many ordinary words ("class", "title"): look
            # without them, since an ordinary word typed plainly is never a match (though
            # it may be a word of a phrase, "camel jockey", read below).
            probe = without_ordinary(text, self.plain_forms) if phrases else ""
            places = self.quick.places(probe, self.quick.found(probe)) if phrases else []
        else:
            letters = self.quick.found(text)
            phrases = bool(letters)
            places = self.quick.places(text, letters)
        masked = "*" in text or "#" in text
        if not places and not masked and not everywhere and not phrases:
            return []
        folded = fold(text)
        # Chunks are read only where a place or a mask points (most texts: phrases only).
        chunks = [m.span() for m in _CHUNK.finditer(text)] if places or masked or everywhere \
            else []
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
                        kind = kind_of(folded[start])
                        if kind != "s":
                            run.append((folded[start], kind, start))
                    else:
                        run += core(self._chars(folded, (start, end)))
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
        for entry, pattern in self.phrases if self.any_phrase and self.any_phrase.search(
                folded) else ():
            found += [WordMatch(entry, text[m.start():m.end()], m.start(), m.end())
                      for m in pattern.finditer(folded)
                      if entry not in self.disguised_only
                      or not m.group().replace(" ", "").isalpha()]
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
        kinds = [kind_of(c) for c in folded[start:min(end, start + 4)]] if end - start < 4 else []
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
            chunk = chunk.translate(HOMOGLYPHS)  # mixed scripts: "fuсk" is "fuck"
        out = []
        for i, char in enumerate(chunk):
            kind = kind_of(char)
            if kind != "s":
                out.append((char, kind, start + i))
        return out

    def _chunk(self, chars: list[Char], text: str, folded: str) -> list[WordMatch]:
        if not chars:
            return []
        letters = "".join(c for c, _, _ in chars)
        once = collapse(letters)
        if not (self.any_form.search(letters) or once != letters and self.any_form.search(once)
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
                if len(part) < len(chars) and len(core(part)) >= 2:
                    found += self._chunk(part, text, folded)
                part = []
            part.append(char)
        return found

    def _plain(self, letters: str, start: int, text: str) -> WordMatch | None:
        """`_read` for a chunk of ASCII letters only, without building its characters."""
        if self._ordinary(letters, letters):
            return None
        readings = {letters, collapse(letters)}
        if "ph" in letters:
            readings |= {r.replace("ph", "f") for r in readings}
        end = start + len(letters)
        compound = _compound_kind(text[start:end])
        parsed = next((r for r in readings if self._parses(r, compound)), None)
        return None if parsed is None else WordMatch(self._entry(parsed), text[start:end],
                                                     start, end)

    def _spaced(self, run: list[Char], text: str, folded: str) -> list[WordMatch]:
        """Single characters spaced out: any stretch of them may spell a list word."""
        if len(run) < 2:
            return []
        joined = "".join(c for c, _, _ in run)
        found = []
        start = 0
        while start < len(run) - 1:
            # The next place a form starts, found by the regex engine rather than one
            # match per position (a run of 10,000 letters took 20 ms that way).
            prefix = self.any_form.search(joined, start)
            if prefix is None:
                break
            start = prefix.start()
            if prefix.end() - start >= 2:
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
        # Letters only, and nothing between them but a word's own apostrophe or hyphen:
        # "s.h.i.t" and "s h i t" are disguised, "who're" is not.
        gaps = (folded[a + 1:b] for (_, _, a), (_, _, b) in zip(chars, chars[1:], strict=False))
        plain = kinds == "l" * len(kinds) and (end - start == len(chars)
                                               or not any(g.strip("'’-") for g in gaps))
        if plain and self._ordinary(letters, folded[start:end]):
            return None  # an ordinary word ("Shiites", "who're"), not a list word
        readings = dict.fromkeys((letters, collapse(letters)) if "".join(
            dict.fromkeys(letters)) != letters else (letters,))
        if "ph" in letters:
            readings.update(dict.fromkeys(r.replace("ph", "f") for r in list(readings)))
        together = end - start == len(chars)
        if "l" not in kinds and not together:
            return None  # digits and marks spaced out ("4 – 5", "a 5"): numbers, not a word
        compound = _compound_kind(text[start:end]) if together else False
        for reading in readings:
            if self._parses(reading, compound):
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

    def _parses(self, reading: str, compound: bool | str = True) -> bool:
        """Whether the reading is one or more list-word forms in a row ("fuckfuck").

        Or, with `compound`, a compound of a list form and a word (see `_compound`): only
        for English letters typed together, never across a separator ("the end.Fuck").
        """
        if self.any_form.fullmatch(reading):
            return True
        reachable = [False] * (len(reading) + 1)
        reachable[0] = True
        for position in range(len(reading)):  # word break: each position visited once
            if not reachable[position]:
                continue
            longest = self.any_form.match(reading, position)
            if longest is None:
                continue
            for length in self.lengths:
                if position and length < MIN_COMPOUND:
                    continue  # a second word of three letters is too easily junk: "fuckwog"
                end = position + length
                if end > longest.end():
                    break  # no form here is longer than the longest one that matched
                if end == longest.end() or self.any_form.fullmatch(reading, position, end):
                    reachable[end] = True
        if reachable[-1] or not compound or not self.forms.compounds:
            return reachable[-1]
        return self._compound(reading) and (compound != "name" or bool(
            self.severe_form and self.severe_form.search(reading)))

    def _compound(self, reading: str) -> bool:
        """A dictionary word and a list form, either way round, in a word that is not English.

        "motherfucker", "timbernigger", "cuntlick", "bitchslap"; never a list form with
        letters that make no word of four letters ("fuckqzx", "fuckunt", "fuckwog");
        ordinary words ("Dickson", "cocktail") never reach here.
        """
        words = word_frequencies()
        if reading.isalpha():  # most readings: plain letters, so plain lookups suffice
            return any(reading[-n:] in self._compound_set and reading[:-n] in words
                       or reading[:n] in self._compound_set and reading[n:] in words
                       and len(reading) - n >= MIN_COMPOUND
                       for n in self._compound_lengths if len(reading) - n >= MIN_PREFIX)
        tail = self.compound_tail.search(reading)
        if tail is not None and reading[:tail.start()] in words \
                and tail.start() >= MIN_PREFIX:
            return True
        head = self.any_form.match(reading)
        while head is not None and head.end() >= MIN_COMPOUND:
            rest = reading[head.end():]
            if len(rest) >= MIN_COMPOUND and rest in words \
                    and self.compound_form.fullmatch(reading, 0, head.end()):
                return True
            head = self.any_form.match(reading, 0, head.end() - 1)  # a shorter form
        return False

    def _entry(self, reading: str) -> str:
        """The list entry a matched reading names (remembered: readings repeat).

        A severe form anywhere in the reading names it ("assfuck" is "fuck"); otherwise the
        longest form the reading starts with does.
        """
        entry = self._entries.get(reading)
        if entry is None:
            found = self.severe_form.search(reading) if self.severe_form else None
            found = found or self.any_form.match(reading) or (
                self.compound_form.search(reading) if self.forms.compounds else None)
            entry = self.forms.entry(found.group(), self.entries[0]) if found \
                else self.entries[0]
            if len(self._entries) < 10_000:
                self._entries[reading] = entry
        return entry


def _compound_kind(typed: str) -> bool | str:
    """Whether a word may be a compound: of English letters only ("Gospić" is a town), and
    capitalised ("name") only with a severe entry ("Penistone" is a town too)."""
    if not typed.isascii():
        return False
    return "name" if typed[:1].isupper() and not typed.isupper() else True
