"""Words built from known words by English's regular endings and prefixes.

"sortied", "embargoing", "mastless", "loathsomely", "unfeasibility" and "rebanding" are
in the dictionary only as "sortie", "embargo"...: each is a dictionary word with a regular
ending or prefix, spelled as English spells it. A derivation counts only when no other
spelling of it is itself a word: the rules that make "visiting" also make "begining"
(beside "beginning"), "truely" (beside "truly") and "countrys" (beside "countries"), which
are misspellings students make, so those stay misspellings. Endings that students misspell
most ("-ment", "-able", "-ible": "arguement", "noticable") are not derived at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

# Endings, longest first. Each is tried on the word; the base must be a known word.
SUFFIXES = (
    "ingly", "ness", "less", "ings", "ers", "ies", "ied", "ily", "ing", "ish", "ist", "ism",
    "ed", "er", "es", "ly", "s", "d",
)
# Prefixes that make a word of a word; never "a" ("alot") or "in" ("infront").
PREFIXES = (
    "counter", "under", "super", "inter", "multi", "over", "anti", "semi", "post", "non",
    "mis", "dis", "out", "pre", "sub", "un", "re",
)
_VOWELS = frozenset("aeiou")
MIN_BASE = 4  # letters: "ed" is not the base of "edged", nor "stat" of "statment"


def is_derived(word: str, known: Callable[[str], bool]) -> bool:
    """Whether a lower-case word is a known word with a regular ending or prefix.

    >>> words = {"earflare", "embargo", "mast", "loathsome", "feasibility", "band", "begin",
    ...          "beginning", "true", "truly", "country", "countries", "sortie", "banding"}
    >>> [is_derived(w, words.__contains__) for w in ("earflares", "embargoing", "mastless",
    ...  "loathsomely", "unfeasibility", "rebanding", "sortied")]
    [True, True, True, True, True, True, True]
    >>> [is_derived(w, words.__contains__) for w in ("begining", "truely", "countrys")]
    [False, False, False]
    """
    return base_of(word, known) is not None


def base_of(word: str, known: Callable[[str], bool]) -> str | None:
    """The known word a lower-case word derives from by `is_derived`'s rules, if any.

    >>> base_of("loathsomely", {"loathsome"}.__contains__), base_of("becauze", bool)
    ('loathsome', None)
    """
    for base, other_spellings in _analyses(word):
        if len(base) >= MIN_BASE and known(base) and not any(map(known, other_spellings)):
            return base
    # A prefix before a dictionary word of five letters or more ("unfeasibility"): shorter
    # ones make too many slips look like words ("un" + "till", "re" + "fered").
    return next((word[len(prefix):] for prefix in PREFIXES if word.startswith(prefix)
                 and len(word) - len(prefix) >= MIN_BASE + 1
                 and known(word[len(prefix):])), None)


def _analyses(word: str) -> Iterator[tuple[str, list[str]]]:
    """(base, the other spellings English rules allow for base + ending) for each ending."""
    for suffix in SUFFIXES:
        if not word.endswith(suffix) or len(word) - len(suffix) < MIN_BASE - 2:
            continue
        stem = word[: -len(suffix)]
        for base in _bases(stem, suffix):
            forms = _forms(base, suffix)
            if word in forms:
                yield base, [f for f in forms if f != word]


def _bases(stem: str, suffix: str) -> list[str]:
    """The words a stem may have come from before the ending was added."""
    bases = [stem]
    if suffix[0] in "aeiouy" or suffix in ("d",):
        bases.append(stem + "e")  # "embargoing" <- "embargo"; "hoping" <- "hope"
    if len(stem) >= 2 and stem[-1] == stem[-2] and stem[-1] not in _VOWELS:
        bases.append(stem[:-1])  # "stopping" <- "stop"
    if suffix in ("ies", "ied", "ily", "ier"):
        bases.append(stem + "y")
    if suffix in ("ly", "ably") and stem.endswith(("l", "b")):
        bases.append(stem + "le")  # "gently" <- "gentle"
    return bases


def _forms(base: str, suffix: str) -> list[str]:
    """Every spelling English's rules could give base + ending (one or two)."""
    last = base[-1]
    if suffix in ("s", "es"):
        if last == "y" and base[-2:-1] not in ("", *_VOWELS):
            return [base[:-1] + "ies"]
        if base.endswith(("s", "x", "z", "ch", "sh")) or last == "o":
            return [base + "es", base + "s"] if last == "o" else [base + "es"]
        return [base + "s"]
    if suffix in ("ies", "ied", "ily", "ier"):
        return [base[:-1] + suffix] if last == "y" else []
    if suffix == "d":
        return [base + "d"] if last == "e" else []
    if suffix in ("ly", "ably") and base.endswith("le"):
        return [base[:-2] + suffix[-2:] if suffix == "ly" else base[:-2] + "ably",
                base + suffix]
    if suffix[0] in "aeiouy":
        if last == "e":
            return [base[:-1] + suffix, base + suffix]  # "hoping"; "agreeing", "seeing"
        if last == "y" and base[-2:-1] not in ("", *_VOWELS) and suffix[0] != "i":
            return [base[:-1] + "i" + suffix]
        if len(base) >= 3 and last not in _VOWELS | {"w", "x", "y"} \
                and base[-2] in _VOWELS and base[-3] not in _VOWELS:
            return [base + suffix, base + last + suffix]  # "visiting"; "beginning"
        return [base + suffix]
    if last == "e" and suffix in ("ly", "ment", "ful", "less", "ness"):
        return [base + suffix, base[:-1] + suffix]  # "completely"; "truly", "argument"
    if last == "y" and base[-2:-1] not in ("", *_VOWELS):
        return [base[:-1] + "i" + suffix]  # "happiness", "merciless"
    return [base + suffix]
