"""The student's side of revise and resubmit: the reason in place, the form, the refusals."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    DiscussionState,
    RejectionReason,
)
from moderation.services import discussions
from moderation.services.comments import decisions, posting
from tests.conftest import instructor_of

ORIGINAL = "The court lost its power when the state withdrew, as everyone says."
REVISED = ("The court lost some power when the state withdrew, according to Smith (2019), "
           "because the treaty was never ratified.")
MESSAGE = "Say who says so & name your source <please>."


@pytest.fixture
def setup(app, make_user, make_course, make_discussion, enrol, login_as):
    """Sam's rejected response in a discussion that holds every comment; Sam is signed in."""
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all", min_words=5, max_words=150,
                                 reply_min_words=2, reply_max_words=40)
    student, classmate = make_user("Sam Student"), make_user("Cam Classmate")
    enrol(student, course)
    enrol(classmate, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.merge(student), ORIGINAL, "original").comment
        reject(comment.id, teacher)
        db.session.commit()
        comment_id = comment.id
    login_as(student)
    return {"course": course, "discussion": discussion, "student": student,
            "classmate": classmate, "teacher": teacher, "comment_id": comment_id}


def reject(comment_id, teacher, reason=RejectionReason.NEEDS_CITATION, message=MESSAGE):
    teacher = db.session.merge(teacher)
    decisions.reject(decisions.locked(comment_id, teacher), teacher, reason, message, None)


def post_revision(client, comment_id, body=REVISED, token="rev-1"):
    return client.post(f"/comments/{comment_id}/revise",
                       data={"body": body, "submission_token": token})


def comment_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Comment)) or 0


def switch_to(client, login_as, user) -> None:
    client.post("/logout")
    login_as(user)


def test_the_author_sees_the_rejection_in_place_and_classmates_never_do(
        client, login_as, setup):
    page = client.get(f"/discussions/{setup['discussion'].id}").text
    assert ORIGINAL in page and "Rejected · only you can see this" in page
    assert "Reason: Needs a citation." in page and "needs_citation" not in page
    assert "Say who says so &amp; name your source &lt;please&gt;." in page
    assert f'href="/comments/{setup["comment_id"]}/revise"' in page
    switch_to(client, login_as, setup["classmate"])
    page = client.get(f"/discussions/{setup['discussion'].id}").text
    assert ORIGINAL not in page and "Say who says so" not in page and "Rejected" not in page


def test_my_comments_shows_the_reason_and_the_navigation_counts_what_to_revise(
        client, login_as, setup):
    page = client.get("/my/comments").text
    assert "Reason: Needs a citation." in page and "Say who says so &amp; name" in page
    assert f'href="/comments/{setup["comment_id"]}/revise"' in page
    assert "My comments <span class=\"attention\">(1 to revise)</span>" in page
    assert "(1 to revise)" in client.get("/").text  # every page's navigation
    switch_to(client, login_as, setup["classmate"])
    assert "to revise" not in client.get("/").text


def test_the_revise_form_opens_with_the_text_and_the_same_live_feedback(client, setup):
    page = client.get(f"/comments/{setup['comment_id']}/revise").text
    assert f"{ORIGINAL}</textarea>" in page
    assert "Reason: Needs a citation." in page and "Your revised comment" in page
    assert (f'data-preview-url="/discussions/{setup["discussion"].id}/preview?revision='
            f'{setup["comment_id"]}"') in page
    assert 'data-min-words="5"' in page and 'data-max-words="150"' in page
    assert 'data-feedback-for="body"' in page
    assert re.search(r'name="parent_id" type="hidden" value=""', page)
    assert re.search(r'name="submission_token" type="hidden" value="[\w-]{20,}"', page)


def test_a_revision_replaces_the_rejected_comment_on_the_page(app, client, setup):
    response = post_revision(client, setup["comment_id"])
    assert response.status_code == 303
    with app.app_context():
        revision = db.session.scalar(select(Comment).where(
            Comment.revision_of_id == setup["comment_id"]))
        assert revision.status == CommentStatus.PENDING and revision.body == REVISED
        revision_id = revision.id
    assert response.headers["Location"].endswith(
        f"/discussions/{setup['discussion'].id}?at={revision_id}#comment-{revision_id}")
    page = client.get(response.headers["Location"]).text
    teacher = setup["teacher"].display_name
    assert f"Your revision went back to {teacher}, who rejected the comment" in page
    assert REVISED in page and "Awaiting moderation" in page
    assert ORIGINAL not in page  # the revision took its place
    assert "to revise" not in page
    mine = client.get("/my/comments").text
    assert ORIGINAL in mine and f'<a href="#comment-{revision_id}">see your revision</a>' in mine
    assert f'href="/comments/{setup["comment_id"]}/revise"' not in mine


def test_a_reply_is_revised_with_the_reply_range_under_the_same_parent(app, client, setup):
    with app.app_context():
        discussion = db.session.get(Discussion, setup["discussion"].id)
        parent = posting.submit_comment(discussion, db.session.merge(setup["classmate"]),
                                      "A classmate's response that was approved.", "p").comment
        teacher = db.session.merge(setup["teacher"])
        decisions.approve(decisions.locked(parent.id, teacher), teacher, None)
        reply = posting.submit_comment(discussion, db.session.merge(setup["student"]),
                                     "Nope, wrong.", "r", parent_id=parent.id).comment
        reject(reply.id, teacher, RejectionReason.TOO_SHORT, None)
        db.session.commit()
        parent_id, reply_id = parent.id, reply.id
    page = client.get(f"/comments/{reply_id}/revise").text
    assert "Revise your reply" in page and "in reply to <bdi>Cam Classmate</bdi>" in page
    assert 'data-min-words="2"' in page and 'data-max-words="40"' in page
    assert f'name="parent_id" type="hidden" value="{parent_id}"' in page
    # The preview the form calls measures the draft as a reply (2–40 words).
    preview = client.post(f"/discussions/{setup['discussion'].id}/preview",
                          json={"body": "I disagree: it was ratified.", "parent_id": parent_id})
    assert preview.status_code == 200
    assert not {"too_short", "too_long"} & {f["rule"] for f in preview.json["findings"]}
    # A parent_id posted with the form is ignored: the revision keeps the original's.
    response = client.post(f"/comments/{reply_id}/revise", data={
        "body": "I disagree: it was ratified.", "submission_token": "x", "parent_id": ""})
    assert response.status_code == 303
    with app.app_context():
        revision = db.session.scalar(select(Comment).where(Comment.revision_of_id == reply_id))
        assert revision.parent_id == parent_id


@pytest.mark.parametrize("who, status", [("classmate", 404), ("teacher", 403),
                                         ("outsider", 404)])
def test_only_the_author_may_open_or_post_the_form(app, client, login_as, make_course, setup,
                                                   who, status):
    user = instructor_of(app, make_course()) if who == "outsider" else setup[who]
    switch_to(client, login_as, user)
    assert client.get(f"/comments/{setup['comment_id']}/revise").status_code == status
    assert post_revision(client, setup["comment_id"]).status_code == status
    assert client.get("/comments/999999/revise").status_code == 404
    assert comment_count(app) == 1


def test_signed_out_visitors_are_sent_to_sign_in(client, setup):
    client.post("/logout")
    response = client.get(f"/comments/{setup['comment_id']}/revise")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_second_revision_is_a_409_with_the_text_kept(app, client, setup):
    assert post_revision(client, setup["comment_id"], token="a").status_code == 303
    again = REVISED + " A second thought."
    response = post_revision(client, setup["comment_id"], again, token="b")
    assert response.status_code == 409
    assert "already revised this comment" in response.text and again in response.text
    assert comment_count(app) == 2
    page = client.get(f"/comments/{setup['comment_id']}/revise")
    assert page.status_code == 409 and "already revised" in page.text
    assert "<textarea" not in page.text


def test_a_double_click_makes_one_revision(app, client, setup):
    first = post_revision(client, setup["comment_id"], token="same")
    second = post_revision(client, setup["comment_id"], token="same")
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert comment_count(app) == 2


@pytest.mark.parametrize("body, status, message", [
    (ORIGINAL, 422, "same as the rejected comment"),
    ("", 422, "Write your comment first."),
    (REVISED + " This is fucking nonsense.", 422, "Your comment was not posted"),
])
def test_refusals_keep_the_text(app, client, setup, body, status, message):
    response = post_revision(client, setup["comment_id"], body)
    assert response.status_code == status and message in response.text
    assert body in response.text
    assert comment_count(app) == 1


def test_no_revision_after_the_discussion_closes(app, client, setup):
    with app.app_context():
        discussions.set_state(db.session.get(Discussion, setup["discussion"].id),
                              db.session.merge(setup["teacher"]), DiscussionState.CLOSED)
        db.session.commit()
    page = client.get(f"/comments/{setup['comment_id']}/revise")
    assert page.status_code == 409 and "not open for comments any more" in page.text
    assert ORIGINAL in page.text  # still there to copy
    response = post_revision(client, setup["comment_id"])
    assert response.status_code == 409 and REVISED in response.text
    assert comment_count(app) == 1
    mine = client.get("/my/comments").text
    assert "can no longer be revised" in mine and "to revise" not in mine


def test_only_a_rejected_comment_has_a_revise_form(app, client, setup):
    with app.app_context():
        pending = posting.submit_comment(db.session.get(Discussion, setup["discussion"].id),
                                       db.session.merge(setup["student"]),
                                       "Another comment, still pending.", "pending").comment
        db.session.commit()
        pending_id = pending.id
    page = client.get(f"/comments/{pending_id}/revise")
    assert page.status_code == 409 and "Only a rejected comment can be revised" in page.text
    assert post_revision(client, pending_id).status_code == 409


@pytest.mark.parametrize("app_config", [{"RATELIMIT_ENABLED": True,
                                         "SUBMIT_RATE_LIMIT": "1 per minute"}])
def test_revisions_are_rate_limited_with_the_text_kept(app, client, setup):
    assert post_revision(client, setup["comment_id"], "", token="a").status_code == 422
    response = post_revision(client, setup["comment_id"], token="b")
    assert response.status_code == 429 and "posting too fast" in response.text
    assert REVISED in response.text
    assert comment_count(app) == 1


def test_the_navigation_count_is_one_query_and_only_for_signed_in_users(app, client, setup):
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        assert "(1 to revise)" in client.get("/").text
        assert sum("revision_of_id" in s for s in statements) == 1
        client.post("/logout")
        statements.clear()
        client.get("/login")
        assert not any("revision_of_id" in s for s in statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_revision_without_the_csrf_token_is_refused(app, client, setup):
    app.config["WTF_CSRF_ENABLED"] = True  # after signing in: checked on each request
    response = post_revision(client, setup["comment_id"])
    assert response.status_code == 400 and "form expired" in response.text
    assert comment_count(app) == 1


def test_an_older_free_text_reason_is_shown_as_written(app, client, setup):
    with app.app_context():
        db.session.get(Comment, setup["comment_id"]).decision_reason = "Off-topic <rant>"
        db.session.commit()
    for url in ("/my/comments", f"/discussions/{setup['discussion'].id}",
                f"/comments/{setup['comment_id']}/revise"):
        assert "Reason: Off-topic &lt;rant&gt;." in client.get(url).text
