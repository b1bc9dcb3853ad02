"""Word-list rules: banned words refuse a comment, watched words hold it for review."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule
from moderation.analysis.wordlists import find_default, find_words

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


def _quoted(typed: list[str]) -> str:
    unique = list(dict.fromkeys(typed))
    return ", ".join(f'"{t}"' for t in unique[:5]) + (" …" if len(unique) > 5 else "")


@rule("banned_words", "block")
def banned_words(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A banned word, however it is spelled: the course's list, and the shipped list's severe entries.

    Whole words and inflections, "f*ck", "sh1t", "phuk", "fcuk", "motherfucker"; never an
    ordinary English word ("Scunthorpe", "cocktail", "chink of light", "spick and span").

    Okay: Scunthorpe is a classic assessment of the situation, a chink in the armour.
    Flag: What the f u c k is the court doing?
    Flag: This ruling is complete fcuking nonsense.
    """
    matches = find_words(text, policy.banned_words)
    if policy.use_default_banned_words:
        matches = sorted([*matches, *find_default(text)[0]], key=lambda m: m.start)
    if matches:
        yield Hit(f"Uses {_quoted([m.typed for m in matches])}, not allowed in this course.",
                  spans=tuple((m.start, m.end) for m in matches), value=len(matches),
                  threshold=0, advice="Make the same point in other words.")


@rule("profanity", "hold")
def profanity(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Strong language from the shipped list that is not refused: held for the instructor.

    An entry that is an ordinary English word counts only disguised ("c0ck", "b1tch"):
    typed plainly ("cock", "bloody", "rape") it has an innocent sense, and the offensive
    rule reads the sentence. The policy can make this a note or switch it off.

    Okay: I hear the cock crow at dawn, and the bloody battle was over by noon.
    Flag: This argument is b1tch-level whining.
    Flag: The minister is a total sh1thead.
    """
    if not policy.use_default_banned_words:
        return
    matches = find_default(text)[1]
    if matches:
        yield Hit(f"Uses {_quoted([m.typed for m in matches])}, strong language the course "
                  "reviews.", spans=tuple((m.start, m.end) for m in matches),
                  value=len(matches), threshold=0,
                  advice="Your instructor reads comments with strong language before they "
                  "are posted; make the point in other words.")


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
