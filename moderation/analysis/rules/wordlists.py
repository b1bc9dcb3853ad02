"""Word-list rules: banned words refuse a comment, watched words hold it for review."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule
from moderation.analysis.wordlists import default_banned_words, find_words

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


def _quoted(typed: list[str]) -> str:
    unique = list(dict.fromkeys(typed))
    return ", ".join(f'"{t}"' for t in unique[:5]) + (" …" if len(unique) > 5 else "")


@rule("banned_words", "block")
def banned_words(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A banned word, however it is spelled: whole words and inflections, "f*ck", "sh1t".

    Okay: Scunthorpe is a classic assessment of the situation.
    Flag: This ruling is complete bullsh1t.
    Flag: What the f u c k is the court doing?
    """
    banned = policy.banned_words + (default_banned_words() if policy.use_default_banned_words
                                    else ())
    matches = find_words(text, banned)
    if matches:
        yield Hit(f"Uses {_quoted([m.typed for m in matches])}, not allowed in this course.",
                  spans=tuple((m.start, m.end) for m in matches), value=len(matches),
                  threshold=0, advice="Make the same point in other words.")


@rule("watched_words", "hold")
def watched_words(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A word on the course's watched list: the comment waits for an instructor.

    Policy: {"watched_words": ["cheat"]}
    Okay: Cheetahs are fast, and the cheapest option won.
    Flag: They cheated on the referendum.
    """
    matches = find_words(text, policy.watched_words)
    if matches:
        yield Hit(f"Uses {_quoted([m.typed for m in matches])}, on this course's watched list.",
                  spans=tuple((m.start, m.end) for m in matches), value=len(matches),
                  threshold=0, advice="Your instructor reads comments with these words before "
                  "they are posted.")
