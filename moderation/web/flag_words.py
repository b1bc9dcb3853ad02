"""A flag in a few words with its value, as a chip in the queue reads ("Too short: 22 of 75
words"), where the stored message is the sentence the student reads."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol


class Shown(Protocol):
    """What a chip needs of a flag (a models.Flag, or anything shaped like it)."""

    rule: str
    message: str
    value: float | None
    threshold: float | None
    spans: Sequence[Sequence[int]]


def _n(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# The classmate's name, from the copied rule's message ("88% of this comment matches Ada
# Adler's comment."): the flag stores no name of its own.
_MATCHES = re.compile(r"matches (.+)'s comment\.$")


def _copied(f: Shown) -> str:
    if f.value is not None and f.value > 1:  # words of the prompt, not a share
        return f"Copies {_n(f.value)} words of the prompt"
    found = _MATCHES.search(f.message)
    share = f"{(f.value or 0):.0%}"
    return f"Copied {share} from {found.group(1) if found else 'a classmate'}"


def _late(f: Shown) -> str:
    minutes = int(f.value or 0)
    if minutes >= 48 * 60:
        return f"Late by {minutes // (24 * 60)} days"
    if minutes >= 60:
        return f"Late by {_plural(minutes // 60, 'hour')}"
    return f"Late by {_plural(minutes, 'minute')}"


def _marked(f: Shown) -> int:
    return len(f.spans) or int(f.value or 0)


WORDS: dict[str, Callable[[Shown], str]] = {
    "too_short": lambda f: f"Too short: {_n(f.value)} of {_n(f.threshold)} words",
    "too_long": lambda f: f"Too long: {_n(f.value)} of at most {_n(f.threshold)} words",
    "copied": _copied,
    "repeat": lambda f: f"Repeats an own comment ({(f.value or 0):.0%} alike)",
    "empty_citation": lambda f: _plural(_marked(f), "citation") + " without a source",
    "spelling": lambda f: _plural(_marked(f), "misspelling"),
    "links": lambda f: ("A link that is not a web link" if "not a web link" in f.message
                        else f"{_n(f.value)} links (at most {_n(f.threshold)})"),
    "offensive": lambda f: "May read as offensive",
    "personal_info": lambda f: "Contact details",
    "readability": lambda f: f"Reading grade {_n(f.value)} (limit {_n(f.threshold)})",
    "run_on_sentence": lambda f: f"A sentence of {_n(f.value)} words",
    "shouting": lambda f: f"Shouting: {(f.value or 0):.0%} capitals",
    "repeated_characters": lambda f: "Stretched letters",
    "late": _late,
    "banned_words": lambda f: _plural(_marked(f), "banned word"),
    "profanity": lambda f: "Strong language",
    "watched_words": lambda f: _plural(_marked(f), "watched word"),
}

# A rule by name where flags are listed or chosen by kind (the queue's rule filter and the
# flags beside a list): the chip gives the value, the name only the kind.
NAMES: dict[str, str] = {
    "too_short": "Too short",
    "too_long": "Too long",
    "copied": "Copied",
    "repeat": "Repeats an earlier comment",
    "empty_citation": "Citation without a source",
    "spelling": "Misspellings",
    "links": "Links",
    "offensive": "May read as offensive",
    "personal_info": "Contact details",
    "readability": "Reading grade",
    "run_on_sentence": "Long sentence",
    "shouting": "Shouting",
    "repeated_characters": "Stretched letters",
    "late": "Late",
    "banned_words": "Banned words",
    "profanity": "Strong language",
    "watched_words": "Watched words",
}


def rule_name(rule: str) -> str:
    """A rule's name in words; a rule without one here shows its id.

    >>> rule_name("empty_citation"), rule_name("a_new_rule")
    ('Citation without a source', 'a_new_rule')
    """
    return NAMES.get(rule, rule)


def chip_text(flag: Shown) -> str:
    """The flag in words with its value; a rule without words here shows its id.

    >>> from types import SimpleNamespace as F
    >>> chip_text(F(rule="too_short", message="", value=22, threshold=75, spans=[]))
    'Too short: 22 of 75 words'
    >>> chip_text(F(rule="copied", message="88% of this comment matches Ada Adler's comment.",
    ...             value=0.877, threshold=0.6, spans=[[0, 9]]))
    'Copied 88% from Ada Adler'
    >>> chip_text(F(rule="spelling", message="", value=4.1, threshold=3, spans=[[0, 3]] * 3))
    '3 misspellings'
    >>> chip_text(F(rule="late", message="", value=150, threshold=0, spans=[]))
    'Late by 2 hours'
    >>> chip_text(F(rule="a_new_rule", message="", value=None, threshold=None, spans=[]))
    'a_new_rule'
    """
    words = WORDS.get(flag.rule)
    return words(flag) if words else flag.rule


# What the live feedback says of a finding whose number its count line already gives
# ("5 words (asked: 10–200) · reading level: grade 19"), so each number is said once.
_READS_AT = re.compile(r"^Reads at grade -?\d+, (above|below) this course's range")
LIVE: dict[str, Callable[[str], str]] = {
    "too_short": lambda message: "Too short for this discussion.",
    "too_long": lambda message: "Longer than this discussion allows.",
    "readability": lambda message: _READS_AT.sub(
        lambda m: f"{m.group(1).capitalize()} this course's reading range", message),
}


def live_message(rule: str, message: str) -> str:
    """A finding's message as the live feedback lists it beside the count line.

    >>> live_message("too_short", "Has 5 words; this discussion asks for at least 10 …")
    'Too short for this discussion.'
    >>> live_message("readability", "Reads at grade 19, above this course's range (grades 4–18).")
    "Above this course's reading range (grades 4–18)."
    >>> live_message("copied", "88% of this comment matches Ada Adler's comment.")
    "88% of this comment matches Ada Adler's comment."
    """
    said = LIVE.get(rule)
    return said(message) if said else message
