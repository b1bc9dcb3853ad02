"""The spelling rule: misspelled words with suggestions; many of them hold the comment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit, Severity
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule
from moderation.analysis.spelling import check, proper_nouns, vocabulary

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


@rule("spelling", "note")
def spelling(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Misspelled words, each with its span and a suggestion; 5 or more per 100 words holds.

    Words of the prompt, the course's word list and the members' names, acronyms, and
    capitalised names with nothing close to them ("Okonkwo") are not misspellings; a
    near miss of a country, a capital, a nationality, a name in the prompt or a member's
    name is ("Phillipeans": "Philippines").

    Context: {"prompt": "Astrava left the court.", "names": ["Amara Okafor"]}
    Okay: Okonkwo thinks Astrava made a mistake, as Amara said, according to the NATO summary.
    Flag: I beleive Austrailia made a mistake.
    Flag: The Phillipeans left the court.
    """
    names = " ".join(context.names)
    allowed = vocabulary(context.prompt, " ".join(policy.course_words), names)
    _, found = check(text, allowed, proper_nouns(context.prompt, names))
    if not found:
        return
    rate = 100 * len(found) / max(metrics.words, 1)
    listed = list(dict.fromkeys(  # each word once, in order of appearance
        f'"{m.word}" (did you mean "{m.suggestion}"?)' if m.suggestion else f'"{m.word}"'
        for m in found))
    if len(listed) > 1:
        message = f"{len(listed)} words may be misspelled: {', '.join(listed)}."
    elif found[0].suggestion:
        message = f'"{found[0].word}" may be misspelled (did you mean "{found[0].suggestion}"?).'
    else:
        message = f'"{found[0].word}" may be misspelled.'
    severity: Severity | None = "hold" if rate >= policy.spelling_hold_per_100_words else None
    yield Hit(message, spans=tuple((m.start, m.end) for m in found),
              value=round(rate, 1), threshold=policy.spelling_hold_per_100_words,
              severity=severity, advice="Check the spelling before submitting.")
