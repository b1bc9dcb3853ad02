"""The late rule: submitted after the due date, and by how much."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


def describe(delta: timedelta) -> str:
    """Say how long a delay is, in its two largest units.

    >>> describe(timedelta(days=1, hours=3, minutes=5)), describe(timedelta(minutes=42))
    ('1 day 3 hours', '42 minutes')
    """
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [(days, "day"), (hours, "hour"), (minutes, "minute")]
    named = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(named[:2]) or "less than a minute"


@rule("late", "note")
def late(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Submitted after the discussion's due date (a reply: after the replies' due date).

    Context: {"late_minutes": -30}
    Okay: On time.
    Context: {"late_minutes": 1625}
    Flag: A day late.
    Context: {"late_minutes": 1625, "is_reply": true, "reply_late_minutes": -30}
    Okay: A reply after the responses' due date, before the replies' own.
    Context: {"late_minutes": -30, "is_reply": true, "reply_late_minutes": 90}
    Flag: A reply after the replies' due date.
    """
    due, deadline = context.due_at, "the due date"
    if context.is_reply and context.replies_due_at is not None:
        due, deadline = context.replies_due_at, "the replies' due date"
    if due is None or context.submitted_at is None:
        return
    delay = context.submitted_at - due
    if delay > timedelta(0):
        yield Hit(f"Submitted {describe(delay)} after {deadline} "
                  f"({due:%-d %b %Y, %H:%M} UTC).",
                  value=round(delay.total_seconds() / 60), threshold=0,
                  advice="Ask your instructor whether late comments count for this discussion.")
