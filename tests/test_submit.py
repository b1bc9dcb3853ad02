"""Students submit responses and replies; bad input keeps the text and stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Discussion, Flag, ModerationMode, User
from moderation.services.comments import posting

GOOD = "I think the court loses little, because the state never ratified the treaty."


@pytest.fixture
def setup(make_user, make_course, make_discussion, enrol, login_as):
    """A course with an open discussion and a signed-in student."""
    course = make_course()
    discussion = make_discussion(course)
    student = make_user("Sam Student")
    enrol(student, course)
    login_as(student)
    return discussion, student


def post(client, discussion, body, token="token-1", **extra):
    return client.post(f"/discussions/{discussion.id}/comments",
                       data={"body": body, "submission_token": token, **extra})


def comments(app):
    with app.app_context():
        return list(db.session.scalars(select(Comment).order_by(Comment.id)).unique())


def test_happy_path(app, client, setup):
    discussion, student = setup
    response = post(client, discussion, GOOD)
    assert response.status_code == 303
    [comment] = comments(app)
    assert (comment.author_id, comment.body, comment.status) == (
        student.id, GOOD, CommentStatus.APPROVED)
    assert comment.word_count == 13 and comment.metrics["words"] == 13
    assert comment.analysis_version is not None
    page = client.get(response.headers["Location"]).text
    assert GOOD in page and "Sam Student" in page


def test_form_shows_a_fresh_token_each_time(client, setup):
    discussion, _ = setup
    first = client.get(f"/discussions/{discussion.id}").text
    second = client.get(f"/discussions/{discussion.id}").text
    token = lambda html: html.split('name="submission_token"')[1].split('value="')[1].split('"')[0]  # noqa: E731
    assert token(first) and token(first) != token(second)


@pytest.mark.parametrize("body, message", [
    ("", "Write your comment first."),
    ("   \n\t  ", "Write your comment first."),
    ("hello\x00world and more words", "NUL character"),
])
def test_empty_blank_and_nul_are_refused(app, client, setup, body, message):
    discussion, _ = setup
    response = post(client, discussion, body)
    assert response.status_code == 422
    assert message in response.text
    assert comments(app) == []


def test_too_long_is_refused_with_the_text_kept(app, client, setup):
    discussion, _ = setup
    limit = app.config["MAX_COMMENT_CHARS"]
    at_limit = ("é" * (limit - 1)) + "!"  # multi-byte characters count as characters
    over = at_limit + "x"
    response = post(client, discussion, over)
    assert response.status_code == 422
    assert f"{limit + 1:,} characters; the limit is {limit:,}" in response.text
    assert over in response.text  # the student's text is still in the form
    assert comments(app) == []
    assert post(client, discussion, at_limit, token="t2").status_code == 303
    assert len(comments(app)) == 1


def test_the_same_form_posted_twice_makes_one_row(app, client, setup):
    discussion, _ = setup
    first = post(client, discussion, GOOD, token="same-token")
    second = post(client, discussion, GOOD, token="same-token")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(comments(app)) == 1


def test_the_same_text_posted_again_is_a_conflict_with_the_text_kept(app, client, setup):
    discussion, _ = setup
    post(client, discussion, GOOD, token="a")
    response = post(client, discussion, "  " + GOOD.upper() + " ", token="b")
    assert response.status_code == 409
    assert "already posted this comment" in response.text
    assert GOOD.upper() in response.text
    assert len(comments(app)) == 1


def test_a_row_stored_without_its_text_key_still_counts_as_posted(app, client, setup):
    """Rows written without the ORM before migration 0005 have no key: read by their text."""
    discussion, student = setup
    post(client, discussion, GOOD, token="a")
    with app.app_context():
        db.session.execute(Comment.__table__.update().values(body_key=None))
        db.session.commit()
    response = post(client, discussion, GOOD.lower(), token="b")
    assert response.status_code == 409
    assert len(comments(app)) == 1


def test_the_text_key_follows_a_staff_edit(app, client, setup, make_user, enrol):
    """An edited comment is a duplicate of its new text, no longer of the old one."""
    from moderation.services.comments import decisions

    discussion, student = setup
    post(client, discussion, GOOD, token="a")
    from moderation.models import Course, Role

    teacher = make_user("Tess Teacher")
    with app.app_context():
        course = db.session.get(Course, discussion.course_id)
    enrol(teacher, course, Role.INSTRUCTOR)
    edited = ("The treaty was never ratified, so the court loses little; the ruling is at "
              "https://example.org/ruling.")
    with app.app_context():
        comment = db.session.scalars(select(Comment)).one()
        assert comment.cites_source is False
        decisions.edit(comment, db.session.get(User, teacher.id), edited)
        db.session.commit()
        assert db.session.scalars(select(Comment)).one().cites_source is True
    assert post(client, discussion, GOOD, token="b").status_code == 303
    assert post(client, discussion, edited, token="c").status_code == 409


def test_too_short_goes_to_the_queue_with_a_flag(app, client, setup):
    discussion, _ = setup
    response = post(client, discussion, "Agreed.")
    assert response.status_code == 303
    [comment] = comments(app)
    assert comment.status == CommentStatus.PENDING
    with app.app_context():
        [flag] = db.session.scalars(select(Flag)).all()
        assert (flag.rule, flag.severity.value, flag.value, flag.threshold) == (
            "too_short", "hold", 1, 3)
    page = client.get(response.headers["Location"]).text
    assert "Awaiting moderation" in page


def test_moderation_mode_all_holds_everything(app, client, make_user, make_course,
                                              make_discussion, enrol, login_as):
    course = make_course()
    discussion = make_discussion(course, moderation_mode=ModerationMode.ALL)
    student = make_user()
    enrol(student, course)
    login_as(student)
    post(client, discussion, GOOD)
    assert comments(app)[0].status == CommentStatus.PENDING


def test_reply_to_an_approved_comment(app, client, setup, make_user, enrol):
    discussion, _ = setup
    post(client, discussion, GOOD, token="a")
    parent = comments(app)[0]
    response = post(client, discussion, "Good point about ratification.", token="b",
                    parent_id=str(parent.id))
    assert response.status_code == 303
    reply = comments(app)[1]
    assert reply.parent_id == parent.id and reply.status == CommentStatus.APPROVED


def test_reply_to_a_missing_comment_is_404_with_text_kept(app, client, setup):
    discussion, _ = setup
    response = post(client, discussion, "Replying to nothing at all.", parent_id="9999")
    assert response.status_code == 404
    assert "Replying to nothing at all." in response.text
    assert comments(app) == []


def test_my_comments_lists_status(client, setup):
    discussion, _ = setup
    post(client, discussion, "Too short.", token="a")
    post(client, discussion, GOOD, token="b")
    page = client.get("/my/comments").text
    assert "Awaiting moderation" in page and "Approved" in page and discussion.title in page


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "SUBMIT_RATE_LIMIT": "2 per minute"}])
def test_submissions_are_rate_limited(app, client, setup):
    discussion, _ = setup
    assert post(client, discussion, GOOD, token="a").status_code == 303
    assert post(client, discussion, GOOD + " Two.", token="b").status_code == 303
    response = post(client, discussion, GOOD + " Three.", token="c")
    assert response.status_code == 429
    assert "posting too fast" in response.text
    assert GOOD + " Three." in response.text
    assert len(comments(app)) == 2


def test_a_refused_comment_leaves_no_rows_behind(app, client, setup):
    """A refusal after the analysis found several things stores neither comment nor flags."""
    discussion, _ = setup
    text = "According to , the court is fucking useless and I beleive it is weak."
    response = post(client, discussion, text, token="refused")
    assert response.status_code == 422 and text in response.text
    with app.app_context():
        analysed = posting.preview(db.session.get(Discussion, discussion.id),
                                 db.session.scalar(select(User).where(User.id == setup[1].id)),
                                 text).analysis
        assert {"banned_words", "empty_citation", "spelling"} <= {
            f.rule for f in analysed.findings}  # there were flags to store
        assert db.session.scalar(select(func.count()).select_from(Flag)) == 0
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_a_token_taken_by_someone_else_stores_nothing(app, client, setup, make_user, enrol):
    """A form token already used by another student is refused, and nothing is stored."""
    discussion, _ = setup
    other = make_user()
    enrol(other, discussion_course(app, discussion))
    with app.app_context():
        posting.submit_comment(db.session.get(Discussion, discussion.id),
                             db.session.merge(other), GOOD, "shared-token")
        db.session.commit()
    response = post(client, discussion, GOOD + " Mine.", token="shared-token")
    assert response.status_code == 409 and GOOD + " Mine." in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1


def discussion_course(app, discussion):
    with app.app_context():
        course = db.session.get(Discussion, discussion.id).course
        db.session.expunge(course)
        return course


def test_staff_comments_are_not_moderated(app, client, make_course, make_discussion, login_as):
    from tests.conftest import instructor_of

    course = make_course()
    discussion = make_discussion(course)
    login_as(instructor_of(app, course))
    assert post(client, discussion, "Short note.").status_code == 303
    with app.app_context():
        comment = db.session.scalar(select(Comment))
        assert comment.status == CommentStatus.APPROVED
        assert [f.rule for f in comment.flags] == ["too_short"]  # analysed all the same
