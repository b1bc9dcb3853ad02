"""The spelling rule: misspelled words with suggestions; many of them hold the comment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit, Severity
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule
from moderation.analysis.spelling import Misspelling, check, proper_nouns, vocabulary
from moderation.analysis.wordlists import find_default, find_words

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


# A hold needs this many distinct misspellings besides the rate: two unknown names in a
# 30-word reply are a rate of 6.7, not a careless comment.
MIN_HELD = 3


@rule("spelling", "note")
def spelling(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Misspelled words, each with its span and up to three suggestions; many of them hold.

    Words of the prompt, the course's word list and the members' names, acronyms, units
    ("25 km"), ordinals ("19th"), names ("Okonkwo", "La Venta"), words in other alphabets
    ("Dürnstein") and rare words the web knows ("pedipalps") are not misspellings; a near
    miss of a country, a capital, a nationality, a name in the prompt or a member's name is
    ("Phillipeans": "Philippines"). It holds the comment at 5 or more misspellings per 100
    words (and at least three): only words with a suggestion count, since an unknown word
    with nothing close to it is more often a term than a slip.

    Context: {"prompt": "Astrava left the court.", "names": ["Amara Okafor"]}
    Okay: Okonkwo thinks Astrava made a mistake, as Amara said, according to the NATO summary.
    Okay: On 19th May, MPs flew 25 km to Dürnstein for the pre-season café opening.
    Okay: This ruling is complete fcuking nonsense.
    Flag: I beleive Austrailia made a mistake.
    Flag: The Phillipeans left the court.
    """
    names = " ".join(context.names)
    allowed = vocabulary(context.prompt, " ".join(policy.course_words), names)
    _, found = check(text, allowed, proper_nouns(context.prompt, names))
    if found:
        flagged = _listed(text, policy)
        found = [m for m in found if not any(s <= m.start and m.end <= e for s, e in flagged)]
    if not found:
        return
    listed = list(dict.fromkeys(_described(m) for m in found))  # each once, in order
    if len(listed) > 1:
        message = f"{len(listed)} words may be misspelled: {', '.join(listed)}."
    else:
        word, _, suggested = listed[0].partition(" (")
        message = f"{word} may be misspelled" + (f" ({suggested}." if suggested else ".")
    slips = {m.word for m in found if m.suggestions}
    rate = 100 * len([m for m in found if m.suggestions]) / max(metrics.words, 1)
    held = rate >= policy.spelling_hold_per_100_words and len(slips) >= MIN_HELD
    severity: Severity | None = "hold" if held else None
    yield Hit(message, spans=tuple((m.start, m.end) for m in found),
              value=round(rate, 1), threshold=policy.spelling_hold_per_100_words,
              severity=severity, advice="Check the spelling before submitting.")


def _listed(text: str, policy: Policy) -> list[tuple[int, int]]:
    """Where a word list flags a word already ("fcuking"): that rule says it, once, and
    the spelling rule does not offer the word it disguises as a correction."""
    matches = [*find_words(text, policy.banned_words), *find_words(text, policy.watched_words)]
    if policy.use_default_banned_words:
        refused, held = find_default(text)
        matches += [*refused, *held]
    return [(m.start, m.end) for m in matches]


def _described(found: Misspelling) -> str:
    """ "word" (did you mean "a"?) or (did you mean "a", "b" or "c"?), or just "word"."""
    if not found.suggestions:
        return f'"{found.word}"'
    quoted = [f'"{s}"' for s in found.suggestions]
    options = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " or " + quoted[-1]
    return f'"{found.word}" (did you mean {options}?)'
