"""A list's forms: each entry with its endings, stretched and misspelled, and its entry.

A course's list gives every entry its inflections and derived forms ("fuckers",
"shithead"), each also read with its runs collapsed ("fuuuck" reads "fuck"). The shipped
list (`severe` entries given) is long, so it is spared what would make junk match: only
its severe entries of five letters or fewer get derived forms and deliberate
misspellings ("fcuk", "phuk"), only entries of five letters or more are read stretched
("assin" read once is "ASIN"), and no form is shorter than three letters besides an entry
itself ("ass" is never "as"). Its entries of four letters or more make compounds with a
dictionary word (see `Matcher._compound`).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from math import prod

from moderation.analysis.wordlists.compiler import (
    DERIVED,
    INFLECTIONS,
    MAX_MISSPELLED,
    MIN_COMPOUND,
    forms_of,
    misspellings,
)
from moderation.analysis.wordlists.normalise import MASKS, REVERSE, collapse

MIN_FORM = 3  # characters of the shortest form besides an entry itself
MIN_STRETCHED = 5  # letters of the shortest entry of a long list read with runs collapsed


@dataclass
class ListForms:
    """Every form of a list, the entry each names, and the forms that make compounds."""

    entry_of: dict[str, str]  # form: its entry (a severe entry's where two share a form)
    plain: frozenset[str]  # forms an ordinary English word may be typed in and still count
    misspelled: list[str]  # severe entries' deliberate misspellings ("fcuk")
    compounds: list[str]  # forms that may start or end a compound, longest first
    severe: list[str]  # severe entries' forms of four letters or more, longest first
    _by_length: dict[int, str] = field(default_factory=dict)

    def entry(self, typed: str, default: str) -> str:
        """The entry of a form as typed: look-alikes read as each letter they may stand for."""
        options = [REVERSE.get(c, c) for c in typed]
        if not any(c in MASKS for c in typed) and prod(map(len, options)) <= 64:
            for letters in itertools.product(*options):
                entry = self.entry_of.get("".join(letters))
                if entry is not None:
                    return entry
        # Masks stand for any letter: one search through the forms of that length.
        pattern = "".join("." if c in MASKS else f"[{re.escape(REVERSE.get(c, c))}]"
                          for c in typed)
        found = re.search(f"^{pattern}$", self._of_length(len(typed)), re.MULTILINE)
        return self.entry_of[found.group()] if found else default

    def _of_length(self, length: int) -> str:
        """The forms of one length, one a line (built when first needed)."""
        joined = self._by_length.get(length)
        if joined is None:
            joined = self._by_length[length] = "\n".join(
                f for f in self.entry_of if len(f) == length)
        return joined


def list_forms(entries: tuple[str, ...], compact: list[str], disguised_only: frozenset[str],
               severe: frozenset[str]) -> ListForms:
    """The forms of `entries` (folded and run together: `compact`), as the docstring says."""
    # Plain English words are refused only in these exact forms; "-er" too from five
    # letters ("cheaters"), not below ("butter" is not "butt", "titter" not "tit").
    plain = frozenset(
        form for entry, e in zip(entries, compact, strict=True) if entry not in disguised_only
        for form in forms_of(e, INFLECTIONS + (("er", "ers") if len(e) >= 5 else ())))
    forms: dict[str, str] = {}  # form: its entry
    misspelled: list[str] = []
    compound_forms: set[str] = set()
    # Severe entries first: a form two entries share ("wetback", "wet back") is severe.
    for entry, folded in sorted(zip(entries, compact, strict=True),
                                key=lambda pair: pair[0] not in severe):
        spellings = [folded]
        if severe and len(entry.split()) == 1 and len(folded) >= MIN_COMPOUND:
            compound_forms.update(forms_of(folded, INFLECTIONS))
        if entry in severe:
            spellings += misspellings(folded)
            misspelled += spellings[1:]
        # Derived forms of a phrase run together mean nothing ("2girls1cupheads"); a long
        # list derives only its short severe entries ("fuckface", not "bitchface", and a
        # long compound needs none: "...nigger" is caught at its end).
        derive = len(entry.split()) == 1 and (not severe or entry in severe
                                              and len(folded) <= MAX_MISSPELLED)
        endings = INFLECTIONS + DERIVED if derive else INFLECTIONS
        stretched = not severe or len(folded) >= MIN_STRETCHED
        for spelling in spellings:  # a misspelling only inflected: "fcuked", not "fcuker"
            for form in forms_of(spelling, endings if spelling == folded else INFLECTIONS):
                for variant in (form, collapse(form)) if stretched else (form,):
                    if len(variant) >= MIN_FORM or variant == folded:
                        forms.setdefault(variant, entry)
    ordered = sorted(forms, key=len, reverse=True)
    return ListForms(forms, plain, misspelled, [f for f in ordered if f in compound_forms],
                     [f for f in ordered if forms[f] in severe and len(f) >= MIN_COMPOUND])
