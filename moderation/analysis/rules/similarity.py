"""Similarity rules: repeating your own comment, copying a classmate's or the prompt."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context, PriorComment
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule
from moderation.analysis.similarity import containment, resemblance, shared_passages

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy

MIN_WORDS = 10  # short comments ("I agree with you.") resemble each other by nature


def _closest(text: str, priors: tuple[PriorComment, ...],
             similarity: Callable[[str, str], float]) -> tuple[PriorComment | None, float]:
    """The earlier comment most like `text`, and how alike they are."""
    best, score = None, 0.0
    for prior in priors:
        value = similarity(text, prior.text)
        if value > score:
            best, score = prior, value
    return best, score


@rule("repeat", "hold")
def repeat(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Nearly the same as one of the author's own earlier comments in the course.

    Context: {"own": ["The timing of the withdrawal tells us more than the withdrawal itself does."]}
    Okay: The withdrawal matters less than the reaction of the neighbouring governments to it.
    Flag: The timing of the withdrawal tells us more than the withdrawal itself does!
    """
    if metrics.words < MIN_WORDS:
        return
    best, similarity = _closest(text, context.own_comments, resemblance)
    if best is not None and similarity >= policy.repeat_similarity:
        where = f' in "{best.where}"' if best.where else ""
        yield Hit(f"Nearly the same as the author's own earlier comment{where} "
                  f"({similarity:.0%} alike).", spans=((0, len(text)),),
                  value=round(similarity, 3), threshold=policy.repeat_similarity,
                  advice="Write something new for this discussion.")


@rule("copied", "hold")
def copied(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A near-copy of a classmate's comment, or a long verbatim passage of the prompt.

    Policy: {"copied_prompt_words": 8}
    Context: {"prompt": "The court said the annexation does not change the legal character of the territory at all.", "classmates": ["Withdrawing a signature is mostly a statement to voters at home, not a legal act."]}
    Okay: I think withdrawing is a statement to voters, and the court's legal view will not change.
    Flag: Withdrawing a signature is mostly a statement to voters at home, not a legal act at all.
    Flag: As the prompt says, the annexation does not change the legal character of the territory, and I agree.
    """
    if metrics.words < MIN_WORDS:
        return
    best, share = _closest(text, context.classmate_comments, containment)
    if best is not None and share >= policy.copied_similarity:
        if best.visible:
            message = f"{share:.0%} of this comment matches {best.author}'s comment."
            advice = ("Respond in your own words, and quote briefly with their name if you "
                      "build on it.")
        else:  # the author cannot read that comment: neither name nor measure it
            message = "This comment closely matches another comment in this discussion."
            advice = "Respond in your own words."
        yield Hit(message, spans=((0, len(text)),), value=round(share, 3),
                  threshold=policy.copied_similarity, advice=advice, matched=best.id)
    if context.prompt:
        passages = shared_passages(text, context.prompt, policy.copied_prompt_words)
        if passages:
            longest = max(passages, key=lambda p: p.words)
            excerpt = text[longest.start:longest.end]
            if len(excerpt) > 70:
                excerpt = excerpt[:33] + " … " + excerpt[-33:]
            yield Hit(f'{longest.words} words are copied from the prompt ("{excerpt}").',
                      spans=tuple((p.start, p.end) for p in passages), value=longest.words,
                      threshold=policy.copied_prompt_words,
                      advice="Quote a short phrase and explain it in your own words.")
