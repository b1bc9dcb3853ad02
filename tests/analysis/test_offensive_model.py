"""The directly applied weights give the package's own probabilities."""

from __future__ import annotations

import json

import pytest

from moderation.analysis.offensive import (
    MODEL_VERSION,
    extract_weights,
    load_model,
    weights_data,
)

SENTENCES = [
    "", "you are an idiot", "I think the court is right about the annexation.",
    "Shut up, nobody cares about your opinion, moron.", "What a stupid, stupid argument.",
    "The prosecutor's report was careful and measured.", "go to hell", "I hate this class",
    "Idiots like you ruin discussions.", "A well-argued point; thank you for sharing it!",
    "ÜBER résumé naïve 😀", "damn", "kill", "This is dumb", "the the the the",
]


def test_scores_equal_the_package_predict_prob():
    from profanity_check import predict_prob  # scikit-learn: only the test imports it

    expected = predict_prob(SENTENCES)
    model = load_model()
    for sentence, probability in zip(SENTENCES, expected, strict=True):
        assert model.score(sentence) == pytest.approx(float(probability), abs=1e-9), sentence


def test_shipped_weights_equal_the_installed_model():
    """The weights in the package are exactly what the installed model holds."""
    from importlib import metadata

    assert metadata.version("alt-profanity-check") == MODEL_VERSION
    assert weights_data() == json.loads(json.dumps(extract_weights()))


@pytest.mark.parametrize("threshold", [0.5, 0.8, 0.95])
def test_the_reach_bound_never_rules_out_a_high_score(threshold):
    """could_reach may say yes too often, never no for a text that scores high."""
    import random

    model = load_model()
    vocabulary = sorted(model.terms)
    rng = random.Random(threshold)
    ruled_out = 0
    for sentence in SENTENCES + [" ".join(rng.choices(vocabulary, k=rng.randint(1, 20)))
                                 for _ in range(3000)]:
        tokens = model.tokens(sentence.lower(), 0, len(sentence))
        if not model.could_reach(tokens, threshold):
            ruled_out += 1
            assert model.score_tokens(tokens) < threshold, sentence
    assert ruled_out > 100  # the bound does rule things out


def test_radius_needed_is_where_the_bound_crosses():
    model = load_model()
    radius = model.radius_needed(0.8)
    assert 0 < radius < 10
    assert model.radius_needed(0.0) == 0.0
