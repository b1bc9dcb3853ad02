"""Reply deadlines (issue 22): the required replies may have their own due date with their own
late policy, as Canvas's checkpoints do; responses stay judged by the due date. Without one,
everything is as before."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from moderation.extensions import db
from moderation.grading import Expectations, Rubric, suggest
from moderation.models import AuditEvent, Comment, Course, Discussion, User, utcnow
from moderation.services.comments import posting
from moderation.services.grades import gradebook, participation, rubrics, suggestions
from tests.conftest import PASSWORD, instructor_of
from tests.forms import form_fields
from tests.grading.test_exports import parse
from tests.grading.test_suggest import ASKS, DUE, comment, lines

REPLIES_DUE = DUE + timedelta(days=2)
SPLIT = Expectations(required_replies=2, min_words=75, max_words=600, reply_min_words=25,
                     due_at=DUE, min_grade=4, max_grade=18, replies_due_at=REPLIES_DUE)


def replies(*late_by: timedelta) -> list:
    """A response on time, then a reply `late_by` after the responses' due date each."""
    return [comment(1), *(comment(n + 2, reply=True, words=40, late=delay)
                          for n, delay in enumerate(late_by))]


# Pure: the suggestion ---------------------------------------------------------------------

def test_without_a_replies_due_date_the_reply_policy_changes_nothing():
    comments = replies(timedelta(hours=5), timedelta(days=3))
    strict = Rubric.from_dict({"late_policy": "cutoff", "replies_late_policy": "per_day",
                               "replies_late_percent_per_day": 90})
    today = Rubric.from_dict({"late_policy": "cutoff"})
    assert suggest(comments, strict, ASKS) == suggest(comments, today, ASKS)
    assert "2 comments posted after the cut-off" in suggest(comments, today, ASKS).notes[0]


def test_a_reply_before_its_own_deadline_counts_though_after_the_responses():
    rubric = Rubric.from_dict({"late_policy": "cutoff"})  # responses: nothing late counts
    result = suggest(replies(timedelta(hours=5), timedelta(days=1)), rubric, SPLIT)
    assert lines(result)["replies"] == "2 of 2 replies: 3.0 of 3 points"
    assert result.notes == ()


def test_a_late_reply_loses_a_share_per_day_and_says_which_deadline_it_missed():
    rubric = Rubric.from_dict({"replies_late_policy": "per_day",
                               "replies_late_percent_per_day": 50})
    result = suggest(replies(timedelta(hours=5), timedelta(days=2, hours=3)), rubric, SPLIT)
    assert lines(result)["replies"] == (
        "2 of 2 replies; 1 posted after the replies' due date (16 Mar 2026, 23:59 UTC), "
        "50% off per day late: 2.25 of 3 points")
    # "none": a late reply still counts, and the line still says it was late.
    counted = suggest(replies(timedelta(hours=5), timedelta(days=3)), Rubric(), SPLIT)
    assert lines(counted)["replies"].endswith("after the replies' due date "
                                              "(16 Mar 2026, 23:59 UTC): 3.0 of 3 points")


def test_the_best_replies_count_first():
    rubric = Rubric.from_dict({"replies_late_policy": "per_day",
                               "replies_late_percent_per_day": 100})
    result = suggest(replies(timedelta(days=3), timedelta(hours=1), timedelta(hours=2)),
                     rubric, SPLIT)
    assert result.earned("replies") == 3.0  # two on time of three posted


def test_a_reply_after_its_cut_off_does_not_count_and_a_note_names_the_deadline():
    rubric = Rubric.from_dict({"replies_late_policy": "cutoff", "replies_late_cutoff_days": 1})
    result = suggest(replies(timedelta(days=1), timedelta(days=3, hours=1)), rubric, SPLIT)
    assert lines(result)["replies"] == "1 of 2 replies: 1.5 of 3 points"
    assert result.notes == ("1 reply posted after the cut-off of the replies' due date "
                            "(17 Mar 2026, 23:59 UTC) does not count.",)


def test_a_late_response_is_judged_by_the_due_date_and_says_so():
    rubric = Rubric.from_dict({"late_policy": "cutoff", "late_cutoff_days": 1})
    late = [comment(1, late=timedelta(days=1, hours=1)), *replies(timedelta(hours=1))[1:]]
    result = suggest(late, rubric, SPLIT)
    assert result.notes == ("1 response posted after the cut-off of the due date "
                            "(15 Mar 2026, 23:59 UTC) does not count.",)
    assert lines(result)["replies"] == "1 of 2 replies: 1.5 of 3 points"
    on_time = suggest([comment(1, late=timedelta(hours=2))], Rubric(), SPLIT)
    assert lines(on_time)["on_time"] == "Response posted 2 hours after the due date: " \
        "0.0 of 1 point"


def test_the_rubric_refuses_a_bad_reply_policy():
    with pytest.raises(ValueError, match="Choose one of"):
        Rubric.from_dict({"replies_late_policy": "sometimes"})
    assert Rubric.from_dict(Rubric().to_dict()) == Rubric()


# On both databases: the discussion, grading, exports, the late flag ------------------------

TEXTS = {
    "cam": "The court keeps its reach over what happened before the withdrawal, so leaving "
           "changes less than it seems at first sight.",
    "dee": "Sanctions worked better than speeches in the last crisis, and nothing suggests "
           "this one will be any different for the region.",
    "vi": "Judges depend on states to arrest suspects, which is why the treaty matters even "
          "for countries that never signed it.",
    "early": "Your point about timing is fair, though the court moved slowly for years.",
    "late": "I would add that the budget matters more than any single withdrawal does.",
}


def signed_in(app, user):
    client = app.test_client()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    return client


def post(app, discussion_id, author_id, key, at, parent_id=None):
    with app.app_context():
        comment = posting.submit_comment(
            db.session.get(Discussion, discussion_id), db.session.get(User, author_id),
            TEXTS[key], secrets.token_hex(8), parent_id=parent_id, now=at).comment
        db.session.commit()
        return comment.id


@pytest.fixture
def split_course(app, make_user, make_course, make_discussion, enrol):
    """Responses due at T, replies at T + 2 days; Vi replies once on time for replies (a
    day after T) and once a day after the replies' due date."""
    course = make_course()
    due = (utcnow() + timedelta(days=1)).replace(microsecond=0)
    discussion = make_discussion(course, min_words=5, due_at=due,
                                 replies_due_at=due + timedelta(days=2))
    teacher = instructor_of(app, course)
    people = {name: make_user(name.title()) for name in ("cam", "dee", "vi")}
    for person in people.values():
        enrol(person, course)
    with app.app_context():
        rubrics.set_discussion_rubric(
            db.session.get(Discussion, discussion.id), db.session.get(User, teacher.id),
            {"late_policy": "cutoff", "replies_late_policy": "per_day",
             "replies_late_percent_per_day": 50})
        db.session.commit()
    cam = post(app, discussion.id, people["cam"].id, "cam", due - timedelta(hours=3))
    dee = post(app, discussion.id, people["dee"].id, "dee", due - timedelta(hours=2))
    post(app, discussion.id, people["vi"].id, "vi", due - timedelta(hours=1))
    early = post(app, discussion.id, people["vi"].id, "early", due + timedelta(days=1),
                 parent_id=cam)
    late = post(app, discussion.id, people["vi"].id, "late", due + timedelta(days=3),
                parent_id=dee)
    return course, discussion, people, teacher, early, late


def test_grading_and_the_generic_export_follow_the_replies_due_date(app, split_course):
    course, discussion, people, teacher, *_ = split_course
    vi = people["vi"].id
    with app.app_context():
        found = suggestions.suggestions(db.session.get(Discussion, discussion.id), [vi])[vi]
        assert found.earned("replies") == 2.25  # of 3: one on time, one at 50%
        assert "1 posted after the replies' due date" in lines(found)["replies"]
        assert found.earned("on_time") == 1.0
        export = gradebook.export(db.session.get(Course, course.id), None, "generic")
    rows = parse(export.data)
    column = dict(zip(rows[0], next(r for r in rows if r[0] == "Vi"), strict=True))
    assert column["Replies to classmates"] == "2.25"
    assert column["Suggested score"] == f"{found.score:g}"
    # Without the replies' due date, exactly as before: the responses' cut-off drops both.
    with app.app_context():
        db.session.get(Discussion, discussion.id).replies_due_at = None
        db.session.commit()
        before = suggestions.suggestions(db.session.get(Discussion, discussion.id), [vi])[vi]
        assert before.earned("replies") == 0.0
        assert before.notes[0].startswith("2 comments posted after the cut-off")


def test_participation_counts_a_reply_late_by_the_replies_due_date(app, split_course):
    course, discussion, people, *_ = split_course
    with app.app_context():
        report = participation.participation(db.session.get(Course, course.id))
        vi = next(r for r in report.rows if r.student.id == people["vi"].id)
        assert (vi.replies, vi.late) == (2, 1)


def test_the_late_flag_of_a_reply_names_the_replies_due_date(app, split_course):
    *_, early, late = split_course
    with app.app_context():
        flags = {cid: [f.message for f in db.session.get(Comment, cid).flags if f.rule == "late"]
                 for cid in (early, late)}
    assert flags[early] == []  # after the responses' due date, before the replies'
    assert "after the replies' due date" in flags[late][0]


def test_the_student_sees_both_deadlines(app, split_course):
    course, discussion, people, *_ = split_course
    text = signed_in(app, people["vi"]).get(f"/discussions/{discussion.id}").text
    assert "Responses due" in text and "Replies due" in text
    assert "replies due" in signed_in(app, people["vi"]).get(f"/courses/{course.id}").text


def test_the_form_refuses_replies_due_before_responses_and_keeps_it(app, make_course,
                                                                   make_discussion):
    course = make_course()
    discussion = make_discussion(course, due_at=datetime(2030, 3, 10, 17, 0, tzinfo=UTC))
    client = signed_in(app, instructor_of(app, course))
    edit = f"/teach/discussions/{discussion.id}/edit"
    offered = form_fields(client.get(edit).text)
    assert offered["due_at"] == "2030-03-10T17:00" and offered["replies_due_at"] == ""
    bad = {**offered, "replies_due_at": "2030-03-09T17:00", "title": "Kept title"}
    response = client.post(edit, data=bad)
    assert response.status_code == 422
    assert "Replies cannot be due before" in response.text
    assert "Kept title" in response.text and "2030-03-09T17:00" in response.text
    with app.app_context():
        assert db.session.get(Discussion, discussion.id).replies_due_at is None
    response = client.post(edit, data={**offered, "replies_due_at": "2030-03-12T17:00"})
    assert response.status_code == 302
    with app.app_context():
        stored = db.session.get(Discussion, discussion.id)
        assert stored.replies_due_at == datetime(2030, 3, 12, 17, 0, tzinfo=UTC)
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "discussion.updated")).one()
        assert event.before["replies_due_at"] is None
        assert event.after["replies_due_at"].startswith("2030-03-12T17:00")
    assert form_fields(client.get(edit).text)["replies_due_at"] == "2030-03-12T17:00"


def test_the_database_refuses_replies_due_before_responses(app, make_course, make_discussion):
    course = make_course()
    discussion = make_discussion(course)
    with app.app_context():
        row = db.session.get(Discussion, discussion.id)
        row.replies_due_at = row.due_at - timedelta(minutes=1)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_the_rubric_page_sets_the_reply_late_policy(app, make_course, make_discussion):
    course = make_course()
    discussion = make_discussion(course)
    client = signed_in(app, instructor_of(app, course))
    url = f"/teach/discussions/{discussion.id}/rubric"
    offered = form_fields(client.get(url).text)
    assert offered["replies_late_policy"] == "none"
    response = client.post(url, data={**offered, "replies_late_policy": "sometimes"})
    assert response.status_code == 422
    response = client.post(url, data={**offered, "replies_late_policy": "cutoff",
                                      "replies_late_cutoff_days": "2"})
    assert response.status_code in (302, 303)
    with app.app_context():
        stored = db.session.get(Discussion, discussion.id).rubric
        assert (stored["replies_late_policy"], stored["replies_late_cutoff_days"]) == \
            ("cutoff", 2.0)
