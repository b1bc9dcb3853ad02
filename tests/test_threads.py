"""Threads follow decisions: approval shows a comment; replies stay hidden with their parent."""

from __future__ import annotations

import pytest

from moderation.extensions import db
from moderation.models import Discussion, RejectionReason
from moderation.services.comments import decisions, posting
from tests.conftest import instructor_of

PARENT = "The parent response, which an instructor will reject later on."
REPLY = "A reply that was approved before its parent went."
OTHER = "An unrelated response that stays approved throughout."


@pytest.fixture
def thread(app, make_user, make_course, make_discussion, enrol):
    """Ann's response with Ben's approved reply, Cai's other response, and a reader, Dee."""
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all")
    people = {name: make_user(name) for name in ("Ann Author", "Ben Replier", "Cai Other",
                                                 "Dee Reader")}
    for person in people.values():
        enrol(person, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        parent = posting.submit_comment(d, db.session.merge(people["Ann Author"]), PARENT, "a")
        other = posting.submit_comment(d, db.session.merge(people["Cai Other"]), OTHER, "c")
        approve(parent.comment.id, teacher)
        approve(other.comment.id, teacher)
        reply = posting.submit_comment(d, db.session.merge(people["Ben Replier"]), REPLY, "b",
                                     parent_id=parent.comment.id)
        approve(reply.comment.id, teacher)
        db.session.commit()
        ids = {"parent": parent.comment.id, "reply": reply.comment.id}
    return {"discussion": discussion, "teacher": teacher, **people, **ids}


def approve(comment_id, teacher):
    teacher = db.session.merge(teacher)
    decisions.approve(decisions.locked(comment_id, teacher), teacher, None)


def page_of(client, login_as, user, url):
    client.post("/logout")
    login_as(user)
    return client.get(url).text


def test_approval_makes_a_comment_visible_in_the_thread(app, client, login_as, make_user,
                                                        make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all")
    author, reader = make_user("Ann Author"), make_user("Dee Reader")
    enrol(author, course)
    enrol(reader, course)
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.merge(author), PARENT, "t").comment
        db.session.commit()
        comment_id = comment.id
    url = f"/discussions/{discussion.id}"
    page = page_of(client, login_as, reader, url)
    assert PARENT not in page and "No responses yet" in page
    with app.app_context():
        approve(comment_id, instructor_of(app, course))
        db.session.commit()
    page = page_of(client, login_as, reader, url)
    assert PARENT in page and f'id="comment-{comment_id}"' in page
    assert f"reply_to={comment_id}" in page  # and it can be replied to


def test_a_reply_to_a_comment_rejected_later_is_hidden_with_it(app, client, login_as, thread):
    url = f"/discussions/{thread['discussion'].id}"
    assert REPLY in page_of(client, login_as, thread["Dee Reader"], url)  # before
    with app.app_context():
        teacher = db.session.merge(thread["teacher"])
        decisions.reject(decisions.locked(thread["parent"], teacher), teacher,
                         RejectionReason.OFF_TOPIC, None, None)
        db.session.commit()

    # A classmate: neither the parent nor the reply, anywhere on the page.
    page = page_of(client, login_as, thread["Dee Reader"], url)
    assert PARENT not in page and REPLY not in page and OTHER in page
    assert f'id="comment-{thread["reply"]}"' not in page
    # Staff reading the discussion: the same thread, no orphan.
    page = page_of(client, login_as, thread["teacher"], url)
    assert PARENT not in page and REPLY not in page and OTHER in page
    # The reply's author: not on the page either, but under My comments, with why.
    page = page_of(client, login_as, thread["Ben Replier"], url)
    assert REPLY not in page
    mine = client.get("/my/comments").text
    assert REPLY in mine and "The comment this replies to is not shown in the discussion" in mine
    # The parent's author sees their rejected comment in place, without the replies under it.
    page = page_of(client, login_as, thread["Ann Author"], url)
    assert PARENT in page and "Rejected · only you can see this" in page
    assert REPLY not in page


def test_a_reopened_parent_hides_its_replies_until_approved_again(app, client, login_as,
                                                                   thread):
    url = f"/discussions/{thread['discussion'].id}"
    with app.app_context():
        teacher = db.session.merge(thread["teacher"])
        decisions.reopen(decisions.locked(thread["parent"], teacher), teacher, None)
        db.session.commit()
    page = page_of(client, login_as, thread["Dee Reader"], url)
    assert PARENT not in page and REPLY not in page
    with app.app_context():
        approve(thread["parent"], thread["teacher"])
        db.session.commit()
    page = page_of(client, login_as, thread["Dee Reader"], url)
    assert PARENT in page and REPLY in page
    assert page.index(PARENT) < page.index(REPLY)  # back under its parent
