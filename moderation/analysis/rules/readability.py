"""Readability rules: the reading level band, and run-on sentences."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics, count_sentences, sentence_spans
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy

MIN_WORDS_FOR_GRADE = 30  # below this a reading grade says little


@rule("readability", "note")
def readability(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Flesch-Kincaid grade outside the policy's band (only for 30 words or more).

    Policy: {"min_grade": 4, "max_grade": 16}
    Okay: The prosecutor described the annexation as an occupation, and the government responded by withdrawing its signature. Some observers believe this weakens the court, while others argue it reveals the limits of international institutions.
    Flag: Notwithstanding multilateral institutional commitments, unilateral withdrawal constitutes extraordinarily consequential repudiation of internationally recognised jurisdictional obligations undermining prosecutorial independence considerably.
    Flag: I saw it. It is bad. I do not like it. It is not good. We all saw. He is sad. She is mad. We do not know. I am not sure. It is what it is. Ok.
    """
    if metrics.words < MIN_WORDS_FOR_GRADE and metrics.flesch_kincaid_grade <= policy.max_grade:
        return
    grade = round(metrics.flesch_kincaid_grade, 1)
    band = f"grades {policy.min_grade:g}–{policy.max_grade:g}"
    # Said as people say it ("grade 19"); the value keeps the decimal for sorting.
    said = f"grade {max(round(grade), 0)}"
    if grade > policy.max_grade:
        yield Hit(f"Reads at {said}, above this course's range ({band}).",
                  value=grade, threshold=policy.max_grade,
                  advice="Shorter sentences and plainer words would make the point clearer.")
    elif grade < policy.min_grade and metrics.words >= MIN_WORDS_FOR_GRADE:
        yield Hit(f"Reads at {said}, below this course's range ({band}).",
                  value=grade, threshold=policy.min_grade,
                  advice="Connect the ideas in fuller sentences and explain the reasoning.")


@rule("run_on_sentence", "note")
def run_on_sentence(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A sentence longer than the policy allows (45 words by default).

    Policy: {"max_sentence_words": 10}
    Okay: This sentence is short. So is this one, really.
    Flag: This sentence goes on and on and on because the writer never stops to breathe at all.
    """
    for start, end in sentence_spans(text):
        count = len(text[start:end].split())
        if count > policy.max_sentence_words and count_sentences(text[start:end]):
            yield Hit(f"A sentence has {count} words (more than {policy.max_sentence_words}).",
                      spans=((start, end),), value=count, threshold=policy.max_sentence_words,
                      advice="Split it so each sentence makes one point.")
