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

The package: `normalise` (folding, look-alikes, runs), `compiler` (an entry's forms and
the patterns), `matcher` (a compiled list applied to a text), `default` (the shipped,
severity-rated list), `variants` (its severe roots respelled past its forms:
"mothafucka"); here, the lists themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache, lru_cache

from moderation.analysis.wordlists.default import default_words, disguised_only
from moderation.analysis.wordlists.matcher import Matcher, WordMatch
from moderation.analysis.wordlists.normalise import fold
from moderation.analysis.wordlists.variants import find_variants

__all__ = ["Matcher", "WordMatch", "compile_list", "default_banned_words", "default_matcher",
           "default_words", "find_default", "find_words", "fold", "iter_entries"]


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


def default_banned_words() -> tuple[str, ...]:
    """The shipped list's entries that are refused (see `default.py`)."""
    return tuple(sorted(e for e, action in default_words().items() if action == "refuse"))


@cache
def default_matcher() -> Matcher:
    """The shipped list compiled once: what it refuses matches misspelled and in compounds."""
    words = default_words()
    entries = tuple(sorted(e for e, action in words.items() if action in ("refuse", "hold")))
    allowed = tuple(sorted(e[1:].strip() for e, action in words.items() if action == "allow"))
    return Matcher(entries, allowed, disguised_only=disguised_only(),
                   severe=frozenset(default_banned_words()))


@lru_cache(maxsize=8)  # the texts in flight: the banned-words and profanity rules both ask
def find_default(text: str) -> tuple[tuple[WordMatch, ...], tuple[WordMatch, ...]]:
    """The shipped list's matches in the text: (those it refuses, those it holds)."""
    words = default_words()
    found = default_matcher().find(text)
    refused = [m for m in found if words.get(m.word) == "refuse"]
    held = [m for m in found if words.get(m.word) != "refuse"]
    # Respellings the list's forms miss ("mothafucka"), where nothing matched already.
    for start, end, entry, action in find_variants(text, [(m.start, m.end) for m in found]):
        match = WordMatch(entry, text[start:end], start, end)
        (refused if action == "refuse" else held).append(match)
    return (tuple(sorted(refused, key=lambda m: m.start)),
            tuple(sorted(held, key=lambda m: m.start)))
