"""Realistic student comments for load: 150–300 words, distinct, some with a misspelling.

Each writer draws its own sentences from templates and word lists, so two students'
comments share no more than classmates' real comments do (the `copied` and `repeat`
rules stay quiet), and the same student never posts the same text twice. About one
comment in three carries a common misspelling, so flags are written under load too.
"""

from __future__ import annotations

import random
from typing import Any

PROMPT = (
    "Our city council proposes replacing street parking on Main Street with wider "
    "sidewalks, a protected bike lane and outdoor seating for cafes. Read the council's "
    "summary and the two letters from local business owners, then argue for or against "
    "the plan. Use at least one piece of evidence and respond to a classmate."
)

TEMPLATES = [
    "The {adj} argument about {noun} convinced me that {noun2} matters more than {noun3}.",
    "In my experience, {noun} tends to {verb} when the {noun2} is {adj}.",
    "One of the letters claims that {noun} will {verb}, but the council's summary suggests "
    "the opposite for {noun2}.",
    "I think the strongest evidence is the {adj} {noun} described in the second letter.",
    "If the plan goes ahead, {noun} could {verb} within a few years, which would help {noun2}.",
    "Critics worry about {noun}, and that concern seems {adj} to me because {noun2} already "
    "struggles.",
    "A classmate pointed out that {noun} is {adj}; I agree, although {noun2} complicates it.",
    "The summary does not explain how {noun} will be paid for, which makes the {noun2} "
    "section feel {adj}.",
    "When I walk down Main Street, I notice that {noun} and {noun2} compete for the same "
    "space.",
    "Other towns that tried something similar saw {noun} {verb} after about {number} months.",
    "It would be fair to ask whether {noun} really depends on {noun2} or on {noun3}.",
    "The business owners are right that {noun} matters, but they overlook {adj} {noun2}.",
    "My main reservation is that {noun} might {verb} before {noun2} has time to adjust.",
    "Overall, the evidence about {noun} looks {adj}, so I lean toward supporting the plan.",
    "Still, a pilot on {number} blocks would show whether {noun} can {verb} without harming "
    "{noun2}.",
    "Safety is the part I find most {adj}, since {noun} near schools affects {noun2} directly.",
    "Several residents quoted in the summary describe {noun} as {adj}, which surprised me.",
    "Because {noun} changes slowly, the council should measure {noun2} before and after.",
    "I would like to see data on {noun}, not only opinions about {noun2}.",
    "The second letter makes a {adj} point: {noun} is how many older shoppers arrive.",
]
NOUNS = [
    "foot traffic", "delivery access", "parking revenue", "local shops", "cyclists",
    "older residents", "bus riders", "restaurant owners", "street safety", "noise",
    "property values", "the weekly market", "public transport", "tourism", "air quality",
    "commuters", "families with children", "emergency access", "outdoor dining", "rent",
    "the downtown economy", "seasonal visitors", "storm drainage", "tree cover",
    "accessibility", "sales tax income", "traffic congestion", "loading zones",
    "pedestrian crossings", "neighbourhood character", "school routes", "night life",
]
ADJECTIVES = [
    "convincing", "weak", "surprising", "reasonable", "narrow", "persuasive", "limited",
    "important", "uncertain", "compelling", "practical", "optimistic", "cautious",
    "detailed", "vague", "balanced", "one-sided", "thoughtful", "incomplete", "realistic",
]
VERBS = [
    "increase", "decline", "recover", "improve", "shift", "stabilise", "grow", "suffer",
    "adapt", "disappear", "double", "change", "benefit", "slow down", "spread",
]
# Common misspellings the spelling rule notes; a real class makes them too.
MISSPELLINGS = ["definately", "recieve", "seperate", "occured", "goverment", "untill",
                "beleive", "wich", "enviroment", "tommorow"]


MIN_WORDS, MAX_WORDS = 150, 300


class Writer:
    """One student's comments: a private pool of sentences, combined differently each time."""

    def __init__(self, seed: int, sentences: int = 160) -> None:
        self.seed = seed
        self.rng = random.Random(seed)
        self.pool = [self._sentence() for _ in range(sentences)]
        self.count = 0

    def _sentence(self) -> str:
        rng = self.rng
        n1, n2, n3 = rng.sample(NOUNS, 3)
        text = rng.choice(TEMPLATES).format(
            noun=n1, noun2=n2, noun3=n3, adj=rng.choice(ADJECTIVES), verb=rng.choice(VERBS),
            number=rng.randint(3, 24))
        return text[0].upper() + text[1:]

    def comment(self) -> str:
        """A new comment of 150–300 words, never the same text twice."""
        rng = self.rng
        self.count += 1
        # A different opening each time: the same author never repeats a text.
        opening = f"Looking at point {self.count} of the proposal again,"
        target = rng.randint(150, 280)
        chosen: list[str] = []
        words = opening.count(" ") + 1
        while words < target:
            sentence = rng.choice(self.pool)
            length = sentence.count(" ") + 1
            if words + length > MAX_WORDS - 12:  # keep room for a sign-off
                if words >= MIN_WORDS:
                    break
                continue
            chosen.append(sentence)
            words += length
        if rng.random() < 0.33:
            at = rng.randrange(len(chosen))
            chosen[at] = chosen[at].replace(" the ", f" the {rng.choice(MISSPELLINGS)} ", 1)
        if rng.random() < 0.08:  # personal information: held for the instructor
            chosen.append(f"Write to me at writer{self.seed}@school.example to compare notes.")
        paragraphs = [" ".join(chosen[i:i + 4]) for i in range(0, len(chosen), 4)]
        return opening + " " + "\n\n".join(paragraphs)


def text_facts(body: str) -> dict[str, Any]:
    """What the app stores beside a comment's text that the text alone decides (body_key,
    cites_source; services.comments.text_facts writes them with the analysis's), for the benches
    that insert rows directly, so they measure the path the app takes."""
    from moderation.grading.citations import cites_source
    from moderation.models import text_key

    return {"body_key": text_key(body), "cites_source": cites_source(body)}
