"""Property-based: any text through the analysis gives a well-formed result, never an error."""

from __future__ import annotations

import textstat
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moderation.analysis import Context, analyze
from moderation.analysis.metrics import MAX_WORD_LENGTH, measure, strip_punctuation

# Text with the characters that trip parsers: punctuation, digits, capitals, emoji, accents,
# line breaks, lookalike letters and URL/email pieces.
ALPHABET = st.sampled_from(list(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 \n\t.,;:!?'\"()[]-_*#@$/"
    "éüñçßøΩЖ日😀👍\u200b\u00a0"))
TEXTS = st.text(alphabet=ALPHABET, max_size=400) | st.text(max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_any_text_analyses(text):
    result = analyze(text, Context(prompt="The court said so.", is_reply=len(text) % 2 == 0))
    assert result.decision in ("approve", "hold", "block")
    for finding in result.findings:
        assert finding.message
        for start, end in finding.spans:
            assert 0 <= start < end <= len(text)


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=300))
def test_word_and_sentence_counts_match_textstat(text):
    metrics = measure(text)
    assert metrics.words == textstat.lexicon_count(text)
    assert metrics.sentences == textstat.sentence_count(text)
    if max(map(len, strip_punctuation(text).split()), default=0) <= MAX_WORD_LENGTH:
        assert metrics.syllables == textstat.syllable_count(text)  # longer: an estimate


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_three_words_shortcut_agrees_with_counting(text):
    from moderation.analysis.metrics import _THREE_WORDS, _count_words

    assert bool(_THREE_WORDS.match(text, 0, len(text))) == (_count_words(text) >= 3)
