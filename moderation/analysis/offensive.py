"""Offensive-language scores from alt-profanity-check's model, applied directly.

The package ships a TF-IDF vectoriser and five sigmoid-calibrated linear SVMs. Calling
it through scikit-learn costs milliseconds per call and ~100 MB of imports; the same
numbers come from a dictionary lookup per token and five dot products. The weights were
extracted once with `python -m moderation.analysis.offensive` (MIT licence, notice in
data/offensive_weights.LICENSE) and ship in this package, so nothing is prepared at run
time and the app never imports scikit-learn; a test checks them against the model.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

# scikit-learn's default token pattern, which the vectoriser was fitted with.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@dataclass(frozen=True)
class OffensiveModel:
    """Per term: its idf, and idf times its weight in each of the five calibrated classifiers."""

    terms: dict[str, tuple[float, float, float, float, float, float]]
    intercepts: tuple[float, float, float, float, float]
    calibration: tuple[tuple[float, float], ...]  # (a, b) of each sigmoid
    # Per term: the square of its largest positive weight in any classifier.
    reach: dict[str, float] = field(default_factory=dict)

    def could_reach(self, tokens: list[str], threshold: float) -> bool:
        """Whether any text with these terms could score `threshold`: never wrong when false.

        The TF-IDF vector x is non-negative with unit length, so each classifier's
        decision w.x + b is at most b + ||w+ restricted to the terms present|| (Cauchy-
        Schwarz); the calibrated probability grows with the decision, so a radius too
        small for the threshold rules the text out without scoring it.
        """
        return self.reach_of(tokens) >= self.radius_needed(threshold) ** 2

    def reach_of(self, tokens: list[str]) -> float:
        """The squared radius `could_reach` compares: of the terms' largest positive weights."""
        return sum(map(self.reach.get, set(tokens), itertools.repeat(0.0)))

    def radius_needed(self, threshold: float) -> float:
        """The smallest radius whose bound reaches the threshold (bisection, cached)."""
        return _radius_needed(self.intercepts, self.calibration, threshold)

    def tokens(self, lowered: str, start: int, end: int) -> list[str]:
        """The model's tokens of `lowered[start:end]` (an already lower-cased text)."""
        return _TOKEN.findall(lowered, start, end)

    def score(self, text: str) -> float:
        """Return the probability that `text` is offensive, as the package's predict_prob does."""
        return self.score_tokens(_TOKEN.findall(text.lower()))

    def score_tokens(self, tokens: list[str]) -> float:
        """Score a text's tokens (lower-cased, scikit-learn's token pattern)."""
        terms = self.terms
        # The five classifiers unrolled: this is the hot loop of the whole pipeline.
        s0 = s1 = s2 = s3 = s4 = norm = 0.0
        for token, count in Counter(tokens).items():
            weights = terms.get(token)
            if weights is None:
                continue
            idf, w0, w1, w2, w3, w4 = weights
            norm += (count * idf) ** 2
            s0 += count * w0
            s1 += count * w1
            s2 += count * w2
            s3 += count * w3
            s4 += count * w4
        norm = math.sqrt(norm) or 1.0
        total = 0.0
        for raw, intercept, (a, b) in zip((s0, s1, s2, s3, s4), self.intercepts,
                                          self.calibration, strict=True):
            total += _sigmoid(-(a * (raw / norm + intercept) + b))
        return total / 5


@lru_cache(maxsize=32)
def _radius_needed(intercepts: tuple[float, ...], calibration: tuple[tuple[float, float], ...],
                   threshold: float) -> float:
    if any(a >= 0 for a, _ in calibration):
        return 0.0  # a falling sigmoid breaks the bound's reasoning: never rule out

    def bound(radius: float) -> float:
        return sum(_sigmoid(-(a * (b0 + radius) + b))
                   for b0, (a, b) in zip(intercepts, calibration, strict=True)) / len(intercepts)

    if bound(0.0) >= threshold:
        return 0.0
    low, high = 0.0, 1.0
    while bound(high) < threshold:
        high *= 2
        if high > 1e6:
            return math.inf  # no text can reach this threshold
    for _ in range(60):
        middle = (low + high) / 2
        if bound(middle) >= threshold:
            high = middle
        else:
            low = middle
    return low  # the bound stays below the threshold up to here


def _sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


WEIGHTS_FILE = "data/offensive_weights.json.gz"
MODEL_VERSION = "1.9.1"  # the alt-profanity-check release the shipped weights come from


def weights_data() -> dict[str, Any]:
    """The shipped weights as the JSON document `extract_weights` writes."""
    raw = resources.files("moderation.analysis").joinpath(WEIGHTS_FILE).read_bytes()
    data: dict[str, Any] = json.loads(gzip.decompress(raw))
    return data


def extract_weights() -> dict[str, Any]:
    """Read the installed alt-profanity-check model through scikit-learn (a dev dependency)."""
    from profanity_check import profanity_check as package  # imports scikit-learn

    vectorizer, model = package.vectorizer, package.model
    assert list(model.classes_) == [0, 1]
    classifiers = model.calibrated_classifiers_
    coefs = [c.estimator.coef_.ravel() for c in classifiers]
    terms = {
        term: [float(vectorizer.idf_[index]), [float(coef[index]) for coef in coefs]]
        for term, index in vectorizer.vocabulary_.items()
    }
    data = {
        "terms": terms,
        "intercepts": [float(c.estimator.intercept_[0]) for c in classifiers],
        "calibration": [[float(c.calibrators[0].a_), float(c.calibrators[0].b_)]
                        for c in classifiers],
    }
    return data


@cache
def load_model() -> OffensiveModel:
    """Load the shipped weights (once per process)."""
    data = weights_data()
    if len(data["intercepts"]) != 5:
        raise ValueError(f"expected 5 calibrated classifiers in {WEIGHTS_FILE}")
    return OffensiveModel(
        terms={term: (idf, *(idf * w for w in weights))
               for term, (idf, weights) in data["terms"].items()},
        intercepts=tuple(data["intercepts"]),
        calibration=tuple((a, b) for a, b in data["calibration"]),
        reach={term: max(0.0, *weights) ** 2 for term, (_, weights) in data["terms"].items()
               if max(weights) > 0},
    )


if __name__ == "__main__":
    # Regenerate the shipped file after upgrading alt-profanity-check (then update
    # MODEL_VERSION): python -m moderation.analysis.offensive moderation/analysis/data/…
    document = json.dumps(extract_weights(), separators=(",", ":"), sort_keys=True)
    Path(sys.argv[1]).write_bytes(gzip.compress(document.encode(), mtime=0))
