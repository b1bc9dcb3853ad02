"""Spelling: suggestions a student would accept, names told from misspellings, bounded work."""

from __future__ import annotations

import random
import string

import pytest

from moderation.analysis import Context, analyze, spelling, suggest
from moderation.analysis.policy import Policy


def found(text: str, allowed: frozenset[str] = frozenset(),
          proper: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    return [(m.word, m.suggestion) for m in spelling.check(text, allowed, proper)[1]]


@pytest.mark.parametrize("typo, right", [
    # The student comment and its wrong suggestions.
    ("dosent", "doesn't"), ("countrys", "countries"), ("chanse", "chance"),
    ("beleive", "believe"), ("goverment", "government"), ("definately", "definitely"),
    ("seperate", "separate"), ("becuase", "because"), ("recieve", "receive"),
    ("untill", "until"), ("enviroment", "environment"), ("arguement", "argument"),
])
def test_suggestions_a_student_would_accept(typo, right):
    assert suggest.suggestions(typo)[0] == right


def test_names_pass_and_near_misses_of_proper_nouns_are_flagged():
    text = ("The Phillipeans left the ICC. Okonkwo and Nguyen visited Austrailia and Germny. "
            "Okonkwo agreed.")
    assert found(text) == [("Phillipeans", "Philippines"), ("Austrailia", "Australia"),
                           ("Germny", "Germany")]


def test_a_classmates_name_passes_and_a_near_miss_of_it_is_flagged():
    names = ("Amara Okafor", "Tobenna Eze")
    context = Context(names=names, prompt="How should Astrava answer the court?")
    policy = Policy.from_dict({"min_words": 0})
    text = "I agree with Amara and Tobenna that Astrava should stay. Tobena disagrees."
    [finding] = [f for f in analyze(text, context, policy).findings if f.rule == "spelling"]
    assert finding.message == '"Tobena" may be misspelled (did you mean "Tobenna"?).'
    assert [f.rule for f in analyze(text, Context(), policy).findings].count("spelling") == 1


def test_a_sentence_opening_misspelling_is_flagged_and_capitalised():
    assert found("Beleive me, it matters.") == [("Beleive", "Believe")]


def test_british_and_american_spellings_both_pass():
    assert found("The neighbouring governments recognise the colour of its organisation "
                 "and travelled to the centre.") == []
    assert found("The neighboring governments recognize the color of its organization "
                 "and traveled to the center.") == []


def test_prompt_words_links_and_acronyms_are_not_misspellings():
    allowed = spelling.vocabulary("Astrava annexed the Kessen Peninsula.")
    text = "Astrava and Kessen, per the ICC at https://exmpl.org/rprt or kses@exmpl.org."
    assert found(text, allowed) == []


def test_the_message_lists_every_misspelling():
    text = "Teh goverment beleive the countrys dosent agre wiht the cort abot it, I thnik."
    [finding] = [f for f in analyze(text).findings if f.rule == "spelling"]
    assert "more" not in finding.message
    assert finding.message.count("did you mean") == 10


def test_suggestion_work_is_bounded_on_gibberish(monkeypatch):
    """A 64 KB comment of gibberish: every word counted, suggestions for a bounded few."""
    rng = random.Random(0)
    text = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                    for _ in range(12_000))[:65_536]
    calls = []
    real = suggest.suggestions

    def counting(word, limit=5):
        calls.append(word)
        return real(word, limit)

    monkeypatch.setattr(suggest, "suggestions", counting)
    checked, misspelled = spelling.check(text)
    assert checked > 8000 and len(misspelled) > 0.9 * checked
    assert len(calls) <= spelling.MAX_EXAMINED
