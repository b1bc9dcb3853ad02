"""The offensive-language rule: an offline classifier, sentence by sentence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics, sentence_spans
from moderation.analysis.offensive import load_model
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy


@rule("offensive", "hold")
def offensive(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A sentence the classifier scores high: a hold from 0.95, a note from 0.6.

    Scored sentence by sentence, so one insult inside a long polite comment is caught.
    The classifier reads words, not senses: one word with an innocent sense ("fat",
    "cock", "gay", "donkey") can score a clean sentence 0.6 to 0.95, so that range is a
    note for the student and the grader, not a hold. On OLID's training tweets this flags
    with F1 0.55 (alt-profanity-check's own `predict` 0.51), while holding fewer clean
    paragraphs than the old single threshold of 0.8 (bench/clean_prose.py).

    Okay: I disagree with your reading of the report, and here is why.
    Flag: You are an idiot.
    Flag: I read the report carefully and I think the court had good reasons. Shut up, moron. Anyway, the timing matters most.
    """
    model = load_model()
    lowered = text.lower()
    same_length = len(lowered) == len(text)  # false only for rare letters like "İ"
    spans = []
    worst = 0.0
    noted = min(policy.offensive_note_threshold, policy.offensive_threshold)
    needed = model.radius_needed(noted) ** 2  # `could_reach`'s test, its bound found once
    for start, end in sentence_spans(text) or [(0, len(text))]:
        tokens = (model.tokens(lowered, start, end) if same_length
                  else model.tokens(text[start:end].lower(), 0, end - start))
        if model.reach_of(tokens) < needed:
            continue  # provably below the threshold: no need to score it
        score = model.score_tokens(tokens)
        if score >= noted:
            spans.append((start, end))
        worst = max(worst, score)
    if spans:
        quoted = text[spans[0][0]:spans[0][1]].strip()
        if len(quoted) > 80:
            quoted = quoted[:77] + "…"
        more = f" (and {len(spans) - 1} more)" if len(spans) > 1 else ""
        held = worst >= policy.offensive_threshold
        yield Hit(f'"{quoted}"{more} may read as insulting or offensive.',
                  spans=tuple(spans), value=round(worst, 3),
                  threshold=policy.offensive_threshold if held else noted,
                  severity=None if held else "note",
                  advice="Disagree with the idea, not the person.")
