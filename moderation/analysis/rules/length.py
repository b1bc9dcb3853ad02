"""Length rules: the discussion's word range."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics, word_start
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


def word_range(context: Context, policy: Policy) -> tuple[int, int]:
    """Return the (min, max) words for this kind of comment."""
    if context.is_reply:
        return policy.reply_min_words, policy.reply_max_words
    return policy.min_words, policy.max_words


def _kind(context: Context) -> str:
    return "reply" if context.is_reply else "response"


def _words(count: int) -> str:
    return f"{count} word" if count == 1 else f"{count} words"


@rule("too_short", "hold")
def too_short(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Fewer words than the discussion asks for.

    Policy: {"min_words": 4}
    Okay: One two three four.
    Flag: One two three.
    Flag:
    """
    low, _ = word_range(context, policy)
    if metrics.words < low:
        yield Hit(
            f"Has {_words(metrics.words)}; this discussion asks for at least {low} "
            f"in a {_kind(context)}.",
            value=metrics.words,
            threshold=low,
            advice="Develop your point further before submitting.",
        )


@rule("too_long", "hold")
def too_long(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """More words than the discussion allows; the span is the part past the limit.

    Policy: {"min_words": 0, "max_words": 3}
    Okay: One two three.
    Flag: One two three four.
    """
    _, high = word_range(context, policy)
    if metrics.words > high:
        yield Hit(
            f"Has {_words(metrics.words)}; this discussion allows at most {high} "
            f"in a {_kind(context)}.",
            spans=((word_start(text, high), len(text.rstrip())),),
            value=metrics.words,
            threshold=high,
            advice="Cut it down to your strongest points.",
        )
