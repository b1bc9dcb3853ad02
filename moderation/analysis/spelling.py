"""Spell checking: misspellings told from rare words and names, with bounded work per text.

The words `words.py` reads (not numbers, units, acronyms, links...) are checked against
what `known.py` knows, the discussion's prompt, the course's word list and the members'
names. An unknown word is a misspelling, with up to three suggestions from `suggest.py`
(one when the first is clearly best), except a name or a foreign phrase (`names.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from moderation.analysis import suggest
from moderation.analysis.known import MIN_UNSEEN_BASE, MIN_VARIANT_ZIPF, is_known, variants
from moderation.analysis.lexicon import english_words, web_zipf, word_frequencies
from moderation.analysis.names import (
    epithets,
    foreign_phrases,
    loan_phrases,
    name_cues,
    near_common,
    proper_nouns,
    proper_suggestion,
    slip,
    starts_sentence,
    vocabulary,
)
from moderation.analysis.words import checkable, stem

__all__ = ["MAX_EXAMINED", "Misspelling", "check", "is_known", "proper_nouns",
           "proper_suggestion", "variants", "vocabulary"]

# Suggestions are the slow part (about 0.1 ms a word); past this many distinct unknown
# words a text is plainly full of them, so the rest are listed without suggestions.
MAX_EXAMINED = 30


@dataclass(frozen=True, slots=True)
class Misspelling:
    """A word the dictionary does not know, where it is, and its likeliest corrections."""

    word: str
    start: int
    end: int
    suggestions: tuple[str, ...]  # best first; one unless the first is not clearly best

    @property
    def suggestion(self) -> str | None:
        """The best suggestion, if any."""
        return self.suggestions[0] if self.suggestions else None


def check(text: str, allowed: frozenset[str] = frozenset(),
          proper: tuple[str, ...] = ()) -> tuple[int, list[Misspelling]]:
    """Return the number of words checked and the misspellings, in order of appearance.

    `allowed` holds lower-case words that are never misspellings (prompt, course words,
    members' names); `proper` the capitalised ones a near miss is suggested from.

    >>> count, found = check("Okonkwo beleive the NATO report about Austrailia.")
    >>> count, [(m.word, m.suggestions) for m in found]
    (7, [('beleive', ('believe',)), ('Austrailia', ('Australia',))])
    """
    count, words = checkable(text, _known_whole, _passed)
    # Most comments are spelled correctly: decide per distinct word before anything else.
    # The web's words cost a typo model's look each (about 0.3 ms): past MAX_EXAMINED of
    # them a text is no prose, and the rest are judged by their frequency alone.
    budget = [MAX_EXAMINED]
    suspects = {plain for plain in {w.plain for w in words}
                if not _fine_anywhere(plain, budget) and stem(plain.lower()) not in allowed}
    if not suspects:
        return count, []
    suspect_words = [w for w in words if w.plain in suspects]
    names = name_cues(text, suspect_words)
    foreign: set[int] = set()
    if len(suspects) <= MAX_EXAMINED:  # a text of prose, not of gibberish: bounded work
        # A word used twice that is no slip from a common word is the text's own term
        # ("teff", "rachillae"); a student's "definately" twice is a slip twice.
        seen: dict[str, int] = {}
        for w in suspect_words:
            seen[w.plain.lower()] = seen.get(w.plain.lower(), 0) + 1
        terms = {lower for lower, n in seen.items() if n > 1 and not slip(lower)}
        names |= {w.plain for w in suspect_words if w.plain.lower() in terms}
        foreign = (foreign_phrases(text, suspect_words) | epithets(text, suspect_words)
                   | loan_phrases(text, suspect_words))
    verdicts: dict[tuple[str, bool], tuple[str, ...] | bool] = {}  # suggestions, True: a name
    examined = 0
    found: list[Misspelling] = []
    for word in words:
        if word.plain not in suspects:
            continue
        capital = word.plain[0].isupper()
        if word.plain in names or word.start in foreign:
            continue
        key = (word.plain, capital and starts_sentence(text, word.start))
        if key not in verdicts:
            if examined < MAX_EXAMINED:
                examined += 1
                verdicts[key] = _verdict(word.plain, key[1], proper)
            else:
                verdicts[key] = ()  # listed without a suggestion: bounded work
        verdict = verdicts[key]
        if verdict is True:
            continue
        found.append(Misspelling(word.typed, word.start, word.end,
                                 verdict if isinstance(verdict, tuple) else ()))
    return count, found


def _verdict(typed: str, sentence_start: bool, proper: tuple[str, ...]) -> tuple[str, ...] | bool:
    """Suggestions (none for a misspelling with none), or True for a name."""
    lower = stem(typed.lower())
    if typed[0].isupper():
        if lower in english_words() or lower[-1] == "s" and lower[:-1] in english_words():
            return True  # a name the CMU dictionary knows ("Nguyen", "the Fergusons")
        near = proper_suggestion(lower, proper)
        if near is not None:
            return (near,)
        if not sentence_start:
            # Mid-sentence a capital is the writer's own word that this is a name ("the
            # Tru Blood series", "Sibu"), whatever common word is near it.
            return True
        best = suggest.shown(lower)
        # At a sentence's start only a near miss of a common word is a misspelling
        # ("Beleive"); the rest are names ("Okonkwo", "Lesnar").
        if not best or not near_common(lower, best[0], 1):
            return True
        return tuple(w.capitalize() for w in best)
    return suggest.shown(lower)


def _known_whole(lower: str) -> bool:
    """Whether a hyphenated word, read whole, is a word ("wifi", "e-mail")."""
    return lower in word_frequencies() or lower in web_zipf()


_typed_cache: dict[str, bool] = {}


def _passed(typed: str) -> bool:
    """Whether an ASCII token is fine at no cost: what `_fine_anywhere` answers first, the
    dictionary's word in either case or a word judged fine before, whatever the budget."""
    if _typed_cache.get(typed):
        return True
    lower = typed.lower()  # `stem` written out: this is asked of every distinct token
    return (lower[:-2] if lower.endswith("'s") else lower) in word_frequencies()


def _fine_anywhere(plain: str, budget: list[int]) -> bool:
    """Whether a word as typed is fine in any course: a known word in either case.

    `budget` counts down the typo model's looks this text may still take.
    """
    fine = _typed_cache.get(plain)
    if fine is None:
        # The dictionary first: it answers for nearly every word.
        lower = stem(plain.lower())
        zipf = web_zipf().get(lower)
        if lower in word_frequencies():
            fine = True
        else:
            # The web's words and long ones (perhaps derivations: "loathsomely") cost a
            # look at their neighbours each.
            costly = zipf is not None or len(lower) > MIN_UNSEEN_BASE
            if costly and budget[0] <= 0:
                # Out of budget: a frequent web word passes; the verdict is not remembered.
                return zipf is not None and zipf >= MIN_VARIANT_ZIPF
            budget[0] -= costly
            fine = is_known(lower)
        if len(_typed_cache) >= 50_000:  # bounded: refills with the live vocabulary
            _typed_cache.clear()
        _typed_cache[plain] = fine
    return fine
