"""Clean, edited prose gets no hold and few notes; the words that matter are still caught.

The sentences are issue 21's, found by bench/clean_prose.py on Wikipedia, BBC News,
OneStopEnglish and Gutenberg paragraphs.
"""

from __future__ import annotations

import pytest

from moderation.analysis import Policy, analyze

POLICY = Policy.from_dict({"min_words": 0})


@pytest.mark.parametrize("text", [
    "Antelope soon became fat.",
    "I hear the cock crow at dawn.",
    "She was brightly flushed, gay, a different creature.",
    "The hyena had decided to eat the donkey.",
    "Just give yourself a mental break while your brain heals.",
])
def test_an_innocent_sentence_is_not_held_for_offensive_language(text):
    result = analyze(text, policy=POLICY)
    assert result.decision == "approve"
    assert all(f.severity == "note" for f in result.findings if f.rule == "offensive")


@pytest.mark.parametrize("text", [
    "You are an idiot.", "Shut up, you stupid moron.", "What a pathetic loser you are.",
])
def test_an_insult_is_still_held(text):
    [finding] = [f for f in analyze(text, policy=POLICY).findings if f.rule == "offensive"]
    assert finding.severity == "hold"


@pytest.mark.parametrize("text, rule", [
    ("They called him a kike.", "banned_words"), ("Go home, wetback.", "banned_words"),
    ("He is a fcuking disgrace.", "banned_words"), ("Some sand nigger wrote this.", "banned_words"),
    ("What a sh1thead.", "profanity"), ("You b1tch.", "profanity"),
])
def test_the_shipped_list_refuses_severe_entries_and_holds_the_others(text, rule):
    result = analyze(text, policy=POLICY)
    assert rule in {f.rule for f in result.findings if f.severity != "note"}
    assert result.decision == ("block" if rule == "banned_words" else "hold")


def test_cat_sat_reads_as_a_low_grade_not_grade_twelve():
    text = "Cat sat. Dog ran. " * 20
    [finding] = [f for f in analyze(text, policy=POLICY).findings if f.rule == "readability"]
    assert finding.value < 0 and "below this course's range" in finding.message


def test_literature_gets_no_readability_or_run_on_note():
    """Austen (Persuasion, chapter 1): long sentences, well punctuated, three of them."""
    text = ("Vanity was the beginning and the end of Sir Walter Elliot's character; vanity of "
            "person and of situation. He had been remarkably handsome in his youth; and, at "
            "fifty-four, was still a very fine man. Few women could think more of their personal "
            "appearance than he did, nor could the valet of any new made lord be more delighted "
            "with the place he held in society. He considered the blessing of beauty as inferior "
            "only to the blessing of a baronetcy; and the Sir Walter Elliot, who united these "
            "gifts, was the constant object of his warmest respect and devotion.")
    rules = {f.rule for f in analyze(text, policy=POLICY).findings}
    assert not rules & {"readability", "run_on_sentence", "spelling"}


def test_a_run_on_sentence_without_a_pause_is_noted():
    text = ("I think the court was right because the annexation was illegal and the government "
            "should have known that withdrawing would not change anything and the people who "
            "live there would still be under occupation no matter what the politicians say "
            "about it on the news every night of the week.")
    [finding] = [f for f in analyze(text, policy=POLICY).findings if f.rule == "run_on_sentence"]
    assert finding.value > 45 and "without a pause" in finding.message
