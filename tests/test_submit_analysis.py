"""The submit path runs the pipeline: blocks refuse, holds queue, flags are stored with spans."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Course, Flag, utcnow
from moderation.services import policies
from moderation.services.comments import posting
from tests.conftest import instructor_of

LONG_ENOUGH = ("The withdrawal mostly shows the limits of the court, since the state never "
               "ratified the treaty and was never bound by it. ")


@pytest.fixture
def setup(app, make_user, make_course, make_discussion, enrol, login_as):
    course = make_course()
    discussion = make_discussion(course, min_words=10)
    student = make_user("Sam Student")
    enrol(student, course)
    login_as(student)
    return course, discussion, student


def post(client, discussion, body, token="tok", **extra):
    return client.post(f"/discussions/{discussion.id}/comments",
                       data={"body": body, "submission_token": token, **extra})


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_banned_word_is_refused_with_every_reason_and_the_text_kept(app, client, setup):
    _, discussion, _ = setup
    body = LONG_ENOUGH + "This is fvcking stupid and my email is sam@example.com."
    response = post(client, discussion, body)
    assert response.status_code == 422
    assert "Your comment was not posted" in response.text
    assert "Uses &#34;fvcking&#34;, not allowed in this course." in response.text
    assert "sam@example.com" in response.text  # the text is still in the form
    assert count(app, Comment) == 0 and count(app, Flag) == 0


def test_held_comment_stores_flags_with_spans_into_the_stored_body(app, client, setup):
    _, discussion, _ = setup
    body = "According to , the court is weak.\r\n\r\n" + LONG_ENOUGH + "Email me: sam@example.com"
    assert post(client, discussion, body).status_code == 303
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.status == CommentStatus.PENDING
        flags = {f.rule: f for f in comment.flags}
        assert {"empty_citation", "personal_info"} <= set(flags)
        start, end = flags["personal_info"].spans[0]
        assert comment.body[start:end] == "sam@example.com"
        start, end = flags["empty_citation"].spans[0]
        assert comment.body[start:end].strip() == "According to"
        assert comment.metrics["words"] == comment.word_count > 10
    page = client.get(f"/discussions/{discussion.id}").text
    assert "Notes on this comment (2)" in page and "Contains an email address." in page


def test_late_comment_gets_a_late_note(app, client, make_user, make_course, make_discussion,
                                       enrol, login_as):
    course = make_course()
    discussion = make_discussion(course, min_words=10,
                                 due_at=utcnow() - timedelta(days=1, hours=2))
    student = make_user()
    enrol(student, course)
    login_as(student)
    post(client, discussion, LONG_ENOUGH)
    with app.app_context():
        [flag] = db.session.scalars(select(Flag)).all()
        assert flag.rule == "late" and flag.severity.value == "note"
        assert "1 day 2 hours after the due date" in flag.message
        assert db.session.scalar(select(Comment.status)) == CommentStatus.APPROVED


def test_copying_a_classmate_names_them(app, client, setup, make_user, enrol):
    course, discussion, _ = setup
    amara = make_user("Amara Okafor")
    enrol(amara, course)
    with app.app_context():
        posting.submit_comment(db.session.merge(discussion), db.session.merge(amara),
                             LONG_ENOUGH * 2, "amara")
        db.session.commit()
    post(client, discussion, LONG_ENOUGH * 2 + "I agree.")
    with app.app_context():
        flag = db.session.scalar(select(Flag).where(Flag.rule == "copied"))
        assert flag is not None and "Amara Okafor's comment" in flag.message


def test_course_policy_changes_what_is_held(app, client, setup):
    course, discussion, _ = setup
    teacher = instructor_of(app, course)
    with app.app_context():
        policies.set_course_policy(db.session.get(Course, course.id), db.session.merge(teacher),
                                   {"watched_words": ["sanction"]})
        db.session.commit()
    post(client, discussion, LONG_ENOUGH + "Sanctions would work better.")
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.status == CommentStatus.PENDING
        assert [f.rule for f in comment.flags] == ["watched_words"]


def test_preview_returns_live_feedback_and_stores_nothing(app, client, setup):
    _, discussion, _ = setup
    response = client.post(f"/discussions/{discussion.id}/preview",
                           json={"body": "According to , it is weak."})
    assert response.status_code == 200
    data = response.get_json()
    assert data["words"] == 5 and isinstance(data["grade"], int)  # "grade 10", as people read
    assert data["decision"] == "hold" and data["outcome"] == "held"
    assert data["summary"].startswith("This will wait for your instructor")
    assert {f["rule"] for f in data["findings"]} == {"too_short", "empty_citation"}
    assert all(f["advice"].endswith(".") for f in data["findings"])
    refused = client.post(f"/discussions/{discussion.id}/preview",
                          json={"body": "This ruling is fucking nonsense, honestly."}).get_json()
    assert refused["outcome"] == "refused"
    assert refused["summary"] == "This would be refused: change what is marked below."
    posted = client.post(f"/discussions/{discussion.id}/preview", json={
        "body": "The withdrawal mostly shows the limits of the court, since the state never "
                "ratified the treaty."}).get_json()
    assert (posted["outcome"], posted["summary"]) == ("posted",
                                                      "This will be posted when you submit.")
    assert count(app, Comment) == 0
    assert client.post(f"/discussions/{discussion.id}/preview", json={}).status_code == 400
    response = client.post(f"/discussions/{discussion.id}/preview", json={"body": "a\x00b"})
    assert response.status_code == 422


def test_preview_is_for_members_only(app, client, setup, make_user, login_as):
    _, discussion, _ = setup
    client.post("/logout")
    login_as(make_user())
    response = client.post(f"/discussions/{discussion.id}/preview", json={"body": "Hello"})
    assert response.status_code == 404


def test_policy_services_validate_and_store_only_what_was_set(app, setup):
    from moderation.models import AuditEvent, Discussion
    from moderation.services.errors import InvalidInput

    course, discussion, _ = setup
    teacher = instructor_of(app, course)
    with app.app_context():
        course_row = db.session.get(Course, course.id)
        with pytest.raises(InvalidInput, match="Unknown policy key 'max_linkz'") as refused:
            policies.set_course_policy(course_row, db.session.merge(teacher), {"max_linkz": 1})
        assert (refused.value.status, refused.value.field) == (422, "max_linkz")
        # The word range lives on the discussion: a course-level one would have no effect.
        with pytest.raises(InvalidInput, match="discussion's settings form") as refused:
            policies.set_course_policy(course_row, db.session.merge(teacher), {"min_words": 5})
        assert refused.value.field == "min_words"
        db.session.rollback()
        policies.set_course_policy(course_row, db.session.merge(teacher), {"max_links": 1})
        row = db.session.get(Discussion, discussion.id)
        policies.set_discussion_policy(row, db.session.merge(teacher),
                                       {"max_links": 3, "severities": {"late": "hold"}})
        db.session.commit()
        assert db.session.get(Course, course.id).policy == {"max_links": 1}
        effective = policies.effective_policy(db.session.get(Discussion, discussion.id))
        assert (effective.max_links, effective.severities) == (3, {"late": "hold"})
        assert effective.min_words == 10  # the discussion's own word range wins
        actions = set(db.session.scalars(select(AuditEvent.action)))
        assert {"course.policy_set", "discussion.policy_set"} <= actions


def test_classmates_names_pass_and_a_country_is_corrected(app, client, setup, make_user,
                                                          enrol):
    """The roster's names are words; a near miss of a country is its misspelling."""
    course, discussion, _ = setup
    enrol(make_user("Amara Nwachukwu"), course)
    def spelling(text: str) -> str:
        response = client.post(f"/discussions/{discussion.id}/preview", json={"body": text})
        [finding] = [f for f in response.get_json()["findings"] if f["rule"] == "spelling"]
        return finding["message"]

    right = spelling("I agree with Nwachukwu that the Phillipeans left the court for good "
                     "reasons of their own.")
    assert "Phillipeans" in right and "Philippines" in right and "Nwachukwu" not in right
    # The roster is known to the checker: a classmate's name one letter off is corrected.
    assert '"Nwachuku" (did you mean "Nwachukwu"?)' in spelling(
        "I agree with Nwachuku that the Phillipeans left the court for good reasons.")
