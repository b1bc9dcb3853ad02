"""The suggested score, criterion by criterion, on plain values (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from moderation.grading import CommentFacts, Expectations, Rubric, effective, suggest

DUE = datetime(2026, 3, 14, 23, 59, tzinfo=UTC)
ASKS = Expectations(required_replies=3, min_words=75, max_words=600, reply_min_words=25,
                    due_at=DUE, min_grade=4, max_grade=18)


def comment(n: int = 1, *, reply: bool = False, words: int = 200, late: timedelta | None = None,
            grade: float | None = 9.0, holds: frozenset[str] = frozenset(),
            cites: bool = False, to_classmate: bool = True) -> CommentFacts:
    when = DUE + late if late is not None else DUE - timedelta(days=1, minutes=n)
    return CommentFacts(id=n, submitted_at=when, words=words, is_reply=reply,
                        to_classmate=reply and to_classmate, reading_grade=grade,
                        quality_holds=holds, cites_source=cites)


def lines(result):
    return {line.key: line.text for line in result.lines}


def test_full_participation_earns_every_point():
    result = suggest([comment(1, cites=True), *(comment(n, reply=True, words=40)
                                                 for n in (2, 3, 4))], Rubric(), ASKS)
    assert result.score == 10 and not result.missing
    assert lines(result) == {
        "substantive": "Response of 200 words (asked 75–600 words): 4.0 of 4 points",
        "replies": "3 of 3 replies: 3.0 of 3 points",
        "on_time": "Response posted by the due date: 1.0 of 1 point",
        "citation": "Names a source: 1.0 of 1 point",
        "readability": "Reading grade 9.0 (band 4–18): 1.0 of 1 point",
    }


def test_two_of_three_replies_and_the_partial_credit_rules():
    comments = [comment(1), comment(2, reply=True, words=40), comment(3, reply=True, words=40)]
    assert lines(suggest(comments, Rubric(), ASKS))["replies"] == \
        "2 of 3 replies: 2.0 of 3 points"
    half = Rubric.from_dict({"replies_partial": "half"})
    assert lines(suggest(comments, half, ASKS))["replies"] == "2 of 3 replies: 1.5 of 3 points"
    none = Rubric.from_dict({"replies_partial": "none"})
    assert lines(suggest(comments, none, ASKS))["replies"] == "2 of 3 replies: 0.0 of 3 points"


def test_short_replies_and_replies_to_oneself_or_staff_do_not_count():
    comments = [comment(1), comment(2, reply=True, words=10),
                comment(3, reply=True, words=40, to_classmate=False)]
    assert lines(suggest(comments, Rubric(), ASKS))["replies"] == \
        "0 of 3 replies; 1 under 25 words not counted: 0.0 of 3 points"


def test_a_response_held_for_quality_or_out_of_range_is_not_substantive():
    copied = suggest([comment(1, holds=frozenset({"copied"}))], Rubric(), ASKS)
    assert lines(copied)["substantive"] == "Response held for copied: 0.0 of 4 points"
    short = suggest([comment(1, words=30)], Rubric(), ASKS)
    assert lines(short)["substantive"].startswith("Response of 30 words, fewer than asked")
    # A later substantive response is the one that counts (and is read for timing).
    both = suggest([comment(1, words=30), comment(2, words=120, late=timedelta(hours=2))],
                   Rubric(), ASKS)
    assert lines(both)["substantive"].endswith("4.0 of 4 points")
    assert lines(both)["on_time"] == "Response posted 2 hours late: 0.0 of 1 point"


@pytest.mark.parametrize(("policy", "late", "earned"), [
    ({"late_policy": "none"}, timedelta(hours=30), 0.0),
    # 30 hours late is a second started day: 2 points less 2 × 25%.
    ({"late_policy": "per_day", "late_percent_per_day": 25}, timedelta(hours=30), 1.0),
    ({"late_policy": "per_day", "late_percent_per_day": 25}, timedelta(days=9), 0.0),
    ({"late_policy": "cutoff", "late_cutoff_days": 2}, timedelta(hours=30), 0.0),
])
def test_late_policies_act_on_the_on_time_points(policy, late, earned):
    rubric = Rubric.from_dict({"points": {"on_time": 2, "substantive": 3}, **policy})
    result = suggest([comment(1, late=late)], rubric, ASKS)
    assert result.earned("on_time") == earned
    assert result.earned("substantive") == 3


def test_a_cut_off_drops_everything_posted_after_it():
    rubric = Rubric.from_dict({"late_policy": "cutoff", "late_cutoff_days": 1})
    result = suggest([comment(1, late=timedelta(days=3), cites=True)], rubric, ASKS)
    assert result.score == 0 and not result.missing
    assert "1 comment posted after the cut-off" in result.notes[0]


def test_no_comments_is_missing_and_scores_zero_but_keeps_a_quality_judgement():
    rubric = Rubric.from_dict({"points": {"quality": 2, "substantive": 2}})
    result = suggest([], rubric, ASKS)
    assert (result.score, result.missing) == (0, True)
    assert {line.detail for line in result.lines} == {"Posted nothing", "Not judged yet"}
    assert suggest([], rubric, ASKS, quality=1.5).score == 1.5


def test_readability_band_and_no_due_date():
    asks = Expectations(**{**ASKS.__dict__, "due_at": None})
    result = suggest([comment(1, grade=19.5)], Rubric(), asks)
    assert lines(result)["readability"] == "Reading grade 19.5, outside 4–18: 0.0 of 1 point"
    assert lines(result)["on_time"] == "No due date: 1.0 of 1 point"


def test_no_replies_asked_gives_the_points_to_anyone_who_responded():
    asks = Expectations(**{**ASKS.__dict__, "required_replies": 0})
    assert suggest([comment(1)], Rubric(), asks).earned("replies") == 3
    assert suggest([comment(1, reply=True)], Rubric(), asks).earned("replies") == 0


def test_course_default_scales_and_own_rubric_must_add_up():
    scaled = effective({}, None, 20)
    assert scaled.rubric.points["substantive"] == 8 and scaled.rubric.total == 20
    own = effective({}, {"points": {"substantive": 5, "replies": 3, "on_time": 1,
                                    "citation": 1, "readability": 0, "quality": 0}}, 20)
    assert own.mismatch and "adds up to 10 points" in own.mismatch
    assert own.rubric.total == 20  # suggestions never exceed points possible
    # A discussion worth nothing suggests nothing.
    assert suggest([comment(1)], effective({}, None, 0).rubric, ASKS).score == 0


def test_breakdown_round_trips_as_json():
    import json

    result = suggest([comment(1)], Rubric(), ASKS)
    stored = json.loads(json.dumps(result.to_breakdown()))
    assert stored["lines"][0] == {"key": "substantive", "label": "Substantive response",
                                  "earned": 4.0, "points": 4.0,
                                  "detail": "Response of 200 words (asked 75–600 words)"}
