"""Offensive-language scores from alt-profanity-check's model, applied directly.

The package ships a TF-IDF vectoriser and five sigmoid-calibrated linear SVMs. Calling
it through scikit-learn costs milliseconds per call and ~100 MB of imports; the same
numbers come from a dictionary lookup per token and five dot products. The weights are
read from the installed package once, in a child process (so this process never imports
scikit-learn), and kept as a small JSON file in the cache directory.
"""

from __future__ import annotations

import itertools
import json
import math
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import metadata
from pathlib import Path

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
        radius2 = sum(map(self.reach.get, set(tokens), itertools.repeat(0.0)))
        return radius2 >= self.radius_needed(threshold) ** 2

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


def cache_dir() -> Path:
    """Where derived model files live: $MODERATION_CACHE_DIR, else ~/.cache/moderation.

    A home that cannot be written to (a locked-down container) falls back to a
    per-user folder in the system's temporary directory.
    """
    configured = os.environ.get("MODERATION_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    preferred = Path(base) / "moderation"
    try:
        preferred.mkdir(parents=True, exist_ok=True)
        if os.access(preferred, os.W_OK):
            return preferred
    except OSError:
        pass
    return Path(tempfile.gettempdir()) / f"moderation-{os.getuid()}"


def weights_path() -> Path:
    """The weights file for the installed version of the model."""
    version = metadata.version("alt-profanity-check")
    return cache_dir() / f"offensive-weights-{version}.json"


def extract_weights(path: Path) -> None:
    """Read the installed model through scikit-learn and write its weights as JSON."""
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
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so a second worker never reads half a file.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".weights-")
    with os.fdopen(fd, "w") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


@cache
def load_model() -> OffensiveModel:
    """Load the weights, extracting them from the installed package on first use."""
    path = weights_path()
    if not path.exists():
        subprocess.run([sys.executable, "-m", "moderation.analysis.offensive", str(path)],
                       check=True, timeout=300)
    data = json.loads(path.read_text())
    if len(data["intercepts"]) != 5:
        raise ValueError(f"expected 5 calibrated classifiers in {path}")
    return OffensiveModel(
        terms={term: (idf, *(idf * w for w in weights))
               for term, (idf, weights) in data["terms"].items()},
        intercepts=tuple(data["intercepts"]),
        calibration=tuple((a, b) for a, b in data["calibration"]),
        reach={term: max(0.0, *weights) ** 2 for term, (_, weights) in data["terms"].items()
               if max(weights) > 0},
    )


if __name__ == "__main__":
    extract_weights(Path(sys.argv[1]))
