"""Post before you see (issue 22): a student reads classmates' comments only after their own
response is submitted or approved, as the instructor chooses; every route a student can
reach keeps them hidden until then. On both databases."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select
from sqlalchemy import text as sql

from moderation.extensions import db
from moderation.models import (
    AuditEvent,
    Comment,
    CommentStatus,
    Discussion,
    ModerationMode,
    PostFirst,
    RejectionReason,
    User,
    utcnow,
)
from moderation.services import discussions
from moderation.services.comments import decisions, posting, revisions
from moderation.services.errors import Conflict
from tests.conftest import PASSWORD, instructor_of
from tests.forms import form_fields
from tests.test_migrations import empty_app  # noqa: F401 - fixture

CLASSMATE = ("The court keeps its reach over what happened before the withdrawal, so leaving "
             "changes less than it seems at first sight.")
REPLY = ("Neighbouring governments reacted slowly, and their silence told voters more than "
         "any speech by the foreign minister did.")
MINE = ("Judges depend on states to arrest suspects, which is why the treaty matters even "
        "for countries that never signed it.")
DEE = ("Sanctions worked better than speeches in the last crisis, and nothing suggests this "
       "one will be any different for the region.")
OTHER = ("A budget cut would hurt the prosecution office sooner than any withdrawal could "
         "hurt the court as an institution.")


def signed_in(app, user: User):
    """A test client of its own, signed in as `user` through the real form."""
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def post(app, discussion_id: int, author_id: int, body: str, parent_id: int | None = None,
         **kwargs) -> Comment:
    with app.app_context():
        comment = posting.submit_comment(
            db.session.get(Discussion, discussion_id), db.session.get(User, author_id), body,
            secrets.token_hex(8), parent_id=parent_id, **kwargs).comment
        db.session.commit()
        db.session.refresh(comment)
        db.session.expunge(comment)
        return comment


def decide(app, comment_id: int, teacher_id: int, status: CommentStatus) -> None:
    with app.app_context():
        comment = decisions.locked(comment_id, db.session.get(User, teacher_id))
        actor = db.session.get(User, teacher_id)
        if status == CommentStatus.APPROVED:
            decisions.approve(comment, actor, None)
        else:
            decisions.reject(comment, actor, RejectionReason.COPIED, None, None)
        db.session.commit()


@pytest.fixture
def gated(app, make_user, make_course, make_discussion, enrol):
    """A discussion with the option given by `request.param` (default "submitted"): Cam's
    response and Dee's reply to it are approved; Vi has posted nothing yet."""

    def make(option: PostFirst = PostFirst.SUBMITTED,
             mode: ModerationMode = ModerationMode.FLAGGED):
        course = make_course()
        discussion = make_discussion(course, min_words=5, post_first=option,
                                     moderation_mode=ModerationMode.FLAGGED)
        cam, dee, vi = make_user("Cam Classmate"), make_user("Dee Replier"), make_user("Vi Viewer")
        for student in (cam, dee, vi):
            enrol(student, course)
        teacher = instructor_of(app, course)
        first = post(app, discussion.id, cam.id, CLASSMATE)
        post(app, discussion.id, dee.id, DEE)  # Dee posted first, so she may reply
        answer = post(app, discussion.id, dee.id, REPLY, parent_id=first.id)
        assert first.status == answer.status == CommentStatus.APPROVED
        if mode != ModerationMode.FLAGGED:
            with app.app_context():
                db.session.get(Discussion, discussion.id).moderation_mode = mode
                db.session.commit()
        return discussion, vi, teacher, first, answer

    return make


def page_of(client, discussion_id: int, query: str = "") -> str:
    response = client.get(f"/discussions/{discussion_id}{query}")
    assert response.status_code == 200
    return response.text


def assert_hidden(text: str) -> None:
    assert CLASSMATE[:40] not in text and REPLY[:40] not in text and DEE[:40] not in text
    assert "Cam Classmate" not in text and "Dee Replier" not in text


# The page and its notice ------------------------------------------------------------------

@pytest.mark.parametrize("option, notice", [
    (PostFirst.SUBMITTED, "Post your response to see your classmates'."),
    (PostFirst.APPROVED, "Post your response to see your classmates' once your response is "
                         "approved."),
])
def test_a_student_who_has_not_posted_is_told_why_and_sees_no_classmate(app, gated, option,
                                                                       notice):
    discussion, vi, teacher, *_ = gated(option)
    text = page_of(signed_in(app, vi), discussion.id)
    assert notice.replace("'", "&#39;") in text
    assert_hidden(text)
    assert "No responses yet" not in text  # there are some: they are hidden, not missing
    staff = page_of(signed_in(app, teacher), discussion.id)
    assert CLASSMATE[:40] in staff and REPLY[:40] in staff and "post-first" not in staff


def test_with_the_option_off_a_student_sees_classmates_at_once(app, gated):
    discussion, vi, *_ = gated(PostFirst.OFF)
    text = page_of(signed_in(app, vi), discussion.id)
    assert CLASSMATE[:40] in text and REPLY[:40] in text and "post-first" not in text


def test_after_submitting_a_waiting_response_opens_the_discussion(app, gated):
    discussion, vi, *_ = gated(PostFirst.SUBMITTED, ModerationMode.ALL)
    mine = post(app, discussion.id, vi.id, MINE)
    assert mine.status == CommentStatus.PENDING
    text = page_of(signed_in(app, vi), discussion.id)
    assert CLASSMATE[:40] in text and REPLY[:40] in text and MINE[:40] in text


def test_after_approval_only_an_approved_response_opens_the_discussion(app, gated):
    discussion, vi, teacher, *_ = gated(PostFirst.APPROVED, ModerationMode.ALL)
    mine = post(app, discussion.id, vi.id, MINE)
    client = signed_in(app, vi)
    text = page_of(client, discussion.id)
    assert "once your response is approved" in text and MINE[:40] in text
    assert_hidden(text)
    decide(app, mine.id, teacher.id, CommentStatus.APPROVED)
    text = page_of(client, discussion.id)
    assert CLASSMATE[:40] in text and REPLY[:40] in text


def test_a_reply_does_not_open_the_discussion(app, gated):
    """Only a response counts: a reply (to the student's own comment, the one thing they
    can reply to) is not a response."""
    discussion, vi, teacher, first, _ = gated(PostFirst.SUBMITTED)
    with app.app_context():
        seen = discussions.sight(db.session.get(Discussion, discussion.id),
                                 db.session.get(User, vi.id), staff=False)
    assert not seen.classmates


@pytest.mark.parametrize("option", [PostFirst.SUBMITTED, PostFirst.APPROVED])
def test_a_rejected_only_response_closes_the_discussion_again(app, gated, option):
    """Decided: sight is read from the comments each time, so rejecting the student's only
    response hides classmates again until its revision counts (it must be their own work
    too: "copied" is a common reason)."""
    discussion, vi, teacher, *_ = gated(option)
    mine = post(app, discussion.id, vi.id, MINE)
    assert mine.status == CommentStatus.APPROVED
    client = signed_in(app, vi)
    assert CLASSMATE[:40] in page_of(client, discussion.id)
    decide(app, mine.id, teacher.id, CommentStatus.REJECTED)
    text = page_of(client, discussion.id)
    assert_hidden(text)
    assert "Your response was rejected: revise it" in text
    with app.app_context():
        revision = posting.revise_comment(db.session.get(Comment, mine.id),
                                          db.session.get(User, vi.id), OTHER, "tok-rev").comment
        db.session.commit()
        revision_id = revision.id
    text = page_of(client, discussion.id)
    if option == PostFirst.SUBMITTED:  # the revision waits: submitted is enough
        assert CLASSMATE[:40] in text
    else:
        assert_hidden(text)
        decide(app, revision_id, teacher.id, CommentStatus.APPROVED)
        assert CLASSMATE[:40] in page_of(client, discussion.id)


# Every other route a student can reach ------------------------------------------------------

def test_leak_permalink_to_a_classmates_comment(app, gated):
    discussion, vi, _, first, answer = gated()
    client = signed_in(app, vi)
    for target in (first.id, answer.id):
        assert_hidden(page_of(client, discussion.id, f"?at={target}#comment-{target}"))


def test_leak_reply_form_quoting_its_parent(app, gated):
    discussion, vi, _, first, _ = gated()
    text = page_of(signed_in(app, vi), discussion.id, f"?reply_to={first.id}")
    assert_hidden(text)
    assert "Replying to" not in text and "Your response" in text


def test_leak_posting_a_reply_is_refused_with_the_text_kept(app, gated):
    discussion, vi, _, first, _ = gated()
    response = signed_in(app, vi).post(f"/discussions/{discussion.id}/comments", data={
        "body": OTHER, "parent_id": str(first.id), "submission_token": "tok-reply"})
    assert response.status_code == 409
    assert "Post your response to see your classmates" in response.text
    assert OTHER in response.text  # the student's text is kept
    assert_hidden(response.text)
    with app.app_context():
        assert db.session.scalar(select(Comment).where(Comment.author_id == vi.id)) is None


def test_leak_preview_of_a_copy_names_and_measures_nothing(app, gated):
    discussion, vi, *_ = gated()
    client = signed_in(app, vi)
    data = client.post(f"/discussions/{discussion.id}/preview",
                       json={"body": CLASSMATE}).get_json()
    assert "copied" not in [f["rule"] for f in data["findings"]]
    assert "Cam" not in str(data) and "matches" not in str(data)


def test_the_same_preview_without_the_option_names_the_classmate(app, gated):
    """The preview test above can fail: with the option off, the copy is named."""
    discussion, vi, *_ = gated(PostFirst.OFF)
    data = signed_in(app, vi).post(f"/discussions/{discussion.id}/preview",
                                   json={"body": CLASSMATE}).get_json()
    assert "Cam Classmate" in str(data["findings"])


def test_leak_a_copy_submitted_is_flagged_without_naming_the_classmate(app, gated):
    """The copy check still compares with classmates' texts on the server."""
    discussion, vi, *_ = gated()
    mine = post(app, discussion.id, vi.id, CLASSMATE + " I agree.")
    assert mine.status == CommentStatus.PENDING
    with app.app_context():
        flags = {f.rule: f.message for f in db.session.get(Comment, mine.id).flags}
    assert "copied" in flags and "Cam" not in flags["copied"]
    assert "another comment" in flags["copied"]


def test_leak_my_comments_and_revising_a_reply_after_losing_sight(app, gated):
    """Vi could see, replied to Cam, then her only response was rejected: her own pages show
    her reply but not Cam's text, and the reply cannot be revised until she can see."""
    discussion, vi, teacher, first, _ = gated(PostFirst.APPROVED)
    mine = post(app, discussion.id, vi.id, MINE)
    reply = post(app, discussion.id, vi.id, OTHER, parent_id=first.id)
    decide(app, reply.id, teacher.id, CommentStatus.REJECTED)
    decide(app, mine.id, teacher.id, CommentStatus.REJECTED)
    client = signed_in(app, vi)
    text = client.get("/my/comments").text
    assert OTHER[:40] in text
    assert_hidden(text)
    assert f"/comments/{reply.id}/revise" not in text
    response = client.get(f"/comments/{reply.id}/revise")
    assert response.status_code == 409
    assert "Your response was rejected" in response.text
    assert_hidden(response.text)
    assert CLASSMATE[:40] not in page_of(client, discussion.id)
    with app.app_context():  # the navigation's count: the response, not the reply
        assert revisions.to_revise_count(db.session.get(User, vi.id)) == 1


def test_the_service_refuses_a_reply_while_classmates_are_hidden(app, gated):
    discussion, vi, _, first, _ = gated()
    with app.app_context(), pytest.raises(Conflict):
        posting.submit_comment(db.session.get(Discussion, discussion.id),
                               db.session.get(User, vi.id), OTHER, "tok-x", parent_id=first.id)


@pytest.mark.parametrize("path", [
    "/teach/comments/{first}", "/teach/discussions/{discussion}/queue?q=withdrawal",
    "/teach/courses/{course}/queue?q=withdrawal", "/teach/courses/{course}/participation",
    "/teach/discussions/{discussion}/grades",
])
def test_leak_staff_views_search_and_counts_are_refused(app, gated, path):
    discussion, vi, _, first, _ = gated()
    response = signed_in(app, vi).get(path.format(first=first.id, discussion=discussion.id,
                                                  course=discussion.course_id))
    assert response.status_code in (403, 404)
    assert_hidden(response.text)


# The setting ------------------------------------------------------------------------------

def form_data(**changes: str) -> dict[str, str]:
    data = {"title": "Week 2", "prompt": "Read it.", "points_possible": "10",
            "required_replies": "2", "min_words": "5", "max_words": "200",
            "reply_min_words": "2", "reply_max_words": "100", "moderation_mode": "flagged",
            "post_first": "approved"}
    data.update(changes)
    return data


def test_the_setting_is_saved_from_the_form_and_audited(app, make_course, make_discussion):
    course = make_course()
    discussion = make_discussion(course)
    client = signed_in(app, instructor_of(app, course))
    edit = f"/teach/discussions/{discussion.id}/edit"
    offered = form_fields(client.get(edit).text)
    assert offered["post_first"] == "off"
    response = client.post(edit, data={**offered, "post_first": "approved"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Discussion, discussion.id).post_first == PostFirst.APPROVED
        event = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "discussion.updated")).one()
        assert event.before["post_first"] == "off" and event.after["post_first"] == "approved"
    assert form_fields(client.get(edit).text)["post_first"] == "approved"


def test_a_bad_setting_is_a_422_with_the_form_kept(app, make_course, make_discussion):
    course = make_course()
    discussion = make_discussion(course)
    client = signed_in(app, instructor_of(app, course))
    response = client.post(f"/teach/discussions/{discussion.id}/edit",
                           data=form_data(post_first="always", title="Kept title"))
    assert response.status_code == 422
    assert "Kept title" in response.text and "Not a valid choice" in response.text
    with app.app_context():
        stored = db.session.get(Discussion, discussion.id)
        assert stored.post_first == PostFirst.OFF and stored.title == "Week 1"


def test_a_new_discussion_takes_the_setting(app, make_course):
    course = make_course()
    client = signed_in(app, instructor_of(app, course))
    due = (utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(f"/teach/courses/{course.id}/discussions/new",
                           data=form_data(post_first="submitted", due_at=due))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Discussion.post_first)).one() == PostFirst.SUBMITTED


def test_0014_adds_both_options_off_and_goes_back(empty_app):  # noqa: F811 - fixture
    with empty_app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            conn.execute(sql(
                "INSERT INTO course (id, title, code, join_code, policy, rubric, tas_manage, "
                "tas_export, created_at) VALUES (1, 'Law', 'LAW1', 'JOIN1234', '{}', '{}', "
                "false, false, '2026-01-01 00:00:00')"))
            conn.execute(sql(
                "INSERT INTO discussion (id, course_id, title, prompt, state, due_at, "
                "points_possible, required_replies, min_words, max_words, reply_min_words, "
                "reply_max_words, moderation_mode, policy_overrides, created_at, updated_at) "
                "VALUES (1, 1, 'Week 1', '', 'open', '2026-03-01 17:00:00', 10, 2, 5, 200, 2, "
                "100, 'flagged', '{}', '2026-01-01 00:00:00', '2026-01-01 00:00:00')"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(sql(
                "SELECT post_first, replies_due_at FROM discussion")).one() == ("off", None)
        for bad in ("post_first = 'always'", "replies_due_at = '2026-02-28 17:00:00'"):
            with pytest.raises(Exception, match="(?i)check|constraint"), \
                    db.engine.begin() as conn:
                conn.execute(sql(f"UPDATE discussion SET {bad}"))
        downgrade(revision="0011")
        with db.engine.connect() as conn:
            assert conn.execute(sql("SELECT title FROM discussion")).scalar() == "Week 1"
