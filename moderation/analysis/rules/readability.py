"""Readability rules: the reading level band, and run-on sentences."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics, count_sentences, sentence_spans
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy

MIN_WORDS_FOR_GRADE = 30  # below this a reading grade says little
MIN_WORDS_FOR_LOW = 60  # short sentences are a reply's or a dialogue's before they are a fault
# A grade from one or two sentences measures only their length (the run-on rule's matter):
# on edited prose it put a note on one paragraph in sixteen (bench/clean_prose.py).
MIN_SENTENCES_FOR_HIGH = 3
# A run-on sentence runs on: over the policy's length, with a stretch this share of it (30
# words of 45) without a comma, semicolon, colon, dash or bracket. Long sentences that
# are punctuated, as in good literature, read well.
RUN_ON_CLAUSE = 2 / 3
_PAUSE = re.compile(r"[,;:()\[\]\u2013\u2014\"“”]|\s-\s|--")


def reading_grade(text: str, metrics: TextMetrics) -> float:
    """Flesch-Kincaid grade, counting every sentence when most are fragments.

    textstat leaves sentences of two words or fewer uncounted, so "Cat sat. Dog ran."
    repeated reads as one long sentence; counting them all gives the low grade it is.

    >>> from moderation.analysis.metrics import measure
    >>> text = "Cat sat. Dog ran. " * 10
    >>> round(measure(text).flesch_kincaid_grade, 1), round(reading_grade(text, measure(text)), 1)
    (11.8, -3.0)
    """
    spans = len(sentence_spans(text))
    if metrics.words and metrics.sentences * 2 < spans:
        return 0.39 * metrics.words / spans + 11.8 * metrics.syllables / metrics.words - 15.59
    return metrics.flesch_kincaid_grade


@rule("readability", "note")
def readability(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Flesch-Kincaid grade, as a whole grade, outside the policy's band: above it over three sentences or more, below it over 60 words or more.

    Policy: {"min_grade": 4, "max_grade": 16}
    Okay: The prosecutor described the annexation as an occupation, and the government responded by withdrawing its signature. Some observers believe this weakens the court, while others argue it reveals the limits of international institutions.
    Okay: Notwithstanding multilateral institutional commitments, unilateral withdrawal constitutes extraordinarily consequential repudiation of internationally recognised jurisdictional obligations undermining prosecutorial independence considerably.
    Flag: Notwithstanding multilateral institutional commitments, unilateral withdrawal constitutes extraordinarily consequential repudiation of obligations. Internationally recognised jurisdictional obligations necessitate institutional deliberation regarding prosecutorial accountability. Prosecutorial independence consequently deteriorates considerably under governmental intimidation. Constitutional jurisprudence characteristically accommodates international adjudication notwithstanding sovereignty.
    Flag: I saw it. It is bad. I do not like it. It is not good. We all saw. He is sad. She is mad. We do not know. I am not sure. It is what it is. Ok. I saw it. It is bad. I do not like it. It is not good. We all saw. He is sad. She is mad. We do not know. I am not sure. It is what it is. Ok.
    Flag: Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran. Cat sat. Dog ran.
    """
    if metrics.words < MIN_WORDS_FOR_GRADE:
        return
    grade = round(reading_grade(text, metrics), 1)
    band = f"grades {policy.min_grade:g}–{policy.max_grade:g}"
    # Said as people say it ("grade 19"), and judged as said: 18.4 is grade 18, inside a
    # band of 4–18, not "grade 18, above" it. The value keeps the decimal for sorting.
    whole = round(grade)
    said = f"grade {max(whole, 0)}"
    if whole > policy.max_grade and len(sentence_spans(text)) >= MIN_SENTENCES_FOR_HIGH:
        yield Hit(f"Reads at {said}, above this course's range ({band}).",
                  value=grade, threshold=policy.max_grade,
                  advice="Shorter sentences and plainer words would make the point clearer.")
    elif whole < policy.min_grade and metrics.words >= MIN_WORDS_FOR_LOW:
        yield Hit(f"Reads at {said}, below this course's range ({band}).",
                  value=grade, threshold=policy.min_grade,
                  advice="Connect the ideas in fuller sentences and explain the reasoning.")


@rule("run_on_sentence", "note")
def run_on_sentence(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A sentence longer than the policy allows (45 words) that runs on: 30 words or more without a pause.

    Policy: {"max_sentence_words": 10}
    Okay: This sentence is short. So is this one, really.
    Okay: This sentence is long, but it pauses: at a colon, at commas, and (once) in brackets.
    Flag: This sentence goes on and on and on because the writer never stops to breathe at all.
    """
    clause = max(2, round(policy.max_sentence_words * RUN_ON_CLAUSE))
    # Words of a sentence take a character each and a space between: one shorter than
    # this has at most the policy's words (most sentences), and is not split to count.
    shortest = 2 * policy.max_sentence_words + 1
    for start, end in sentence_spans(text):
        if end - start < shortest:
            continue
        sentence = text[start:end]
        count = len(sentence.split())
        if count <= policy.max_sentence_words or not count_sentences(sentence):
            continue
        stretch = max(len(part.split()) for part in _PAUSE.split(sentence))
        if stretch >= clause:
            yield Hit(f"A sentence has {count} words (more than {policy.max_sentence_words}), "
                      f"{stretch} of them without a pause.",
                      spans=((start, end),), value=count, threshold=policy.max_sentence_words,
                      advice="Split it so each sentence makes one point.")
