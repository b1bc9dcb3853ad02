"""The pipeline's decision, the policy's validation, and the finding shape."""

from __future__ import annotations

import pytest

from moderation.analysis import Context, Policy, PolicyError, analyze, status_for
from moderation.analysis.pipeline import RULE_ORDER
from moderation.analysis.rules import known_rules_only

POLITE = ("I read the report carefully and I think the court acted within its role, because "
          "the annexation was never recognised by most governments. ")


def test_clean_text_is_approved():
    result = analyze(POLITE * 6)
    assert result.decision == "approve" and result.findings == ()


def test_any_block_blocks_and_every_reason_is_listed():
    result = analyze("This is fucking nonsense. Email me at a@b.com. According to , it is fine.")
    assert result.decision == "block"
    rules = [f.rule for f in result.findings]
    assert rules[0] == "banned_words"
    assert {"personal_info", "empty_citation", "too_short"} <= set(rules)


def test_findings_follow_the_pipeline_order():
    result = analyze("THIS IS sooooo WRONG!!!!! According to , the court is weak.")
    order = [RULE_ORDER.index(f.rule) for f in result.findings]
    assert order == sorted(order)


def test_one_insult_in_a_long_polite_comment_is_caught_with_its_sentence():
    insult = "Honestly, you are an idiot."
    text = POLITE * 4 + insult + " " + POLITE * 4
    [finding] = [f for f in analyze(text).findings if f.rule == "offensive"]
    start, end = finding.spans[0]
    assert text[start:end].strip() == insult
    assert finding.value >= finding.threshold == 0.95


def test_policy_switches_rules_off_and_changes_severities():
    text = "THIS IS COMPLETELY WRONG AND EVERYONE KNOWS IT, SO THERE."
    assert "shouting" in [f.rule for f in analyze(text).findings]
    off = Policy.from_dict({"disabled_rules": ["shouting"]})
    assert "shouting" not in [f.rule for f in analyze(text, policy=off).findings]
    stricter = Policy.from_dict({"severities": {"shouting": "block"}})
    assert analyze(text, policy=stricter).decision == "block"


def test_course_words_and_banned_list_from_policy():
    policy = Policy.from_dict({"banned_words": ["frack"], "course_words": ["kessenite"],
                               "min_words": 0})
    text = "The rule is kessenite, you frackker."
    result = analyze(text, policy=policy)
    assert result.decision == "block" and result.findings[0].rule == "banned_words"
    misspelled = [text[s:e] for f in result.findings if f.rule == "spelling" for s, e in f.spans]
    assert misspelled == []  # "frackker" is said once, by the banned list; kessenite is known
    typo = analyze("The rule is kessenite, you frackker, I beleive.", policy=policy)
    assert [f.message for f in typo.findings if f.rule == "spelling"] == [
        '"beleive" may be misspelled (did you mean "believe"?).']
    plain = analyze("The rule is kessenite.", policy=Policy.from_dict({"min_words": 0}))
    assert [f.rule for f in plain.findings] == ["spelling"]  # without the course word list


def test_spelling_holds_at_five_per_hundred_words():
    few = analyze(POLITE * 5 + "I beleive it.").findings
    many = analyze("I beleive the goverment is rong and teh court is weeak. " * 3).findings
    [few_spelling] = [f for f in few if f.rule == "spelling"]
    [many_spelling] = [f for f in many if f.rule == "spelling"]
    assert few_spelling.severity == "note" and many_spelling.severity == "hold"
    assert many_spelling.threshold == 5.0 and many_spelling.value >= 5


def test_replies_use_the_reply_word_range():
    text = "I agree with your point about the timing of the withdrawal and its message."
    assert analyze(text, Context(is_reply=False)).decision == "hold"  # 14 < 75
    policy = Policy.from_dict({"reply_min_words": 10})
    assert analyze(text, Context(is_reply=True), policy).decision == "approve"


@pytest.mark.parametrize("data, message", [
    ({"nonsense": 1}, "unknown policy key 'nonsense'"),
    ({"max_links": "two"}, "max_links must be a whole number"),
    ({"max_links": True}, "max_links must be a whole number"),
    ({"offensive_threshold": 2}, "offensive_threshold must be between 0 and 1"),
    ({"min_words": 100, "max_words": 50}, "min_words must be between 0 and max_words"),
    ({"disabled_rules": ["no_such_rule"]}, "unknown rule 'no_such_rule'"),
    ({"severities": {"spelling": "explode"}}, "severity of 'spelling' must be one of"),
    ({"banned_words": "damn"}, "banned_words must be a list of strings"),
])
def test_policy_validation_names_the_problem(data, message):
    with pytest.raises(PolicyError, match=message.replace("(", r"\(")):
        known_rules_only(Policy.from_dict(data))


def test_a_stored_policy_naming_a_retired_rule_still_loads():
    """The policy knows no rules: only a policy a person writes is checked against them."""
    stored = Policy.from_dict({"disabled_rules": ["retired_rule"], "severities": {"gone": "note"}})
    assert stored.disabled_rules == ("retired_rule",)
    with pytest.raises(PolicyError, match="unknown rule 'retired_rule'"):
        known_rules_only(stored)
    assert known_rules_only(Policy()) == Policy()


def test_policy_round_trips_through_json():
    policy = Policy.from_dict({"watched_words": ["cheat"], "max_links": 1,
                               "severities": {"late": "hold"}})
    assert Policy.from_json(policy.to_json()) == policy


def test_overrides_apply_over_a_base():
    course = Policy.from_dict({"max_links": 1, "watched_words": ["cheat"]})
    discussion = Policy.from_dict({"max_links": 4}, base=course)
    assert (discussion.max_links, discussion.watched_words) == (4, ("cheat",))


def test_status_for_mode():
    assert status_for("approve", "none") == "approved"
    assert status_for("hold", "flagged") == "pending"
    with pytest.raises(ValueError):
        status_for("block", "all")


def test_finding_json_shape():
    [finding] = analyze("Too short.").findings
    assert finding.to_dict() == {"rule": "too_short", "severity": "hold",
                                 "message": "Has 2 words; this discussion asks for at least "
                                            "75 in a response.",
                                 "spans": [], "value": 2, "threshold": 75,
                                 "advice": "Develop your point further before submitting."}
