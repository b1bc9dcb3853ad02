"""Replies to replies: two levels deep; a reply to the deepest level is placed beside it and
names whom it answers; grading, the participation report, the gradebook and the queue
read whom a reply answers."""

from __future__ import annotations

import re

import pytest

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Course, Discussion, RejectionReason, User
from moderation.services.comments import decisions, posting
from moderation.services.errors import NotFound
from moderation.services.grades import gradebook, participation, suggestions
from moderation.services.grades.rubrics import rubric_of
from tests.conftest import instructor_of

TEXTS = {
    "ben": "Ben's response: the court keeps its reach over what happened before leaving.",
    "ann": "Ann replies to Ben: the reach matters less without police to arrest anyone.",
    "ben2": "Ben answers Ann: the neighbours can arrest people when they travel abroad.",
    "ann3": "Ann answers Ben again: travel bans only work when the neighbours agree to them.",
    "ann_self": "Ann adds to her own reply: and the neighbours rarely agree about anything.",
}


@pytest.fixture
def thread(app, make_user, make_course, make_discussion, enrol):
    """Ben's response (0), Ann's reply to it (1), Ben's reply to Ann's reply (2); every
    comment published (moderation only for flagged ones)."""
    course = make_course()
    discussion = make_discussion(course, moderation_mode="flagged", required_replies=2,
                                 reply_min_words=3)
    ann, ben = make_user("Ann Author"), make_user("Ben Baptiste")
    for person in (ann, ben):
        enrol(person, course)
    ids = {}
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        for key, who, parent in (("ben", ben, None), ("ann", ann, "ben"), ("ben2", ben, "ann")):
            ids[key] = posting.submit_comment(
                d, db.session.get(User, who.id), TEXTS[key], f"tok-{key}",
                parent_id=ids.get(parent)).comment.id
            db.session.commit()
    return {"course": course, "discussion": discussion, "users": {"ann": ann, "ben": ben},
            **ids}


def _submit(app, t, who, key, answers):
    with app.app_context():
        comment = posting.submit_comment(
            db.session.get(Discussion, t["discussion"].id),
            db.session.get(User, t["users"][who].id), TEXTS[key], f"tok-{key}",
            parent_id=answers).comment
        db.session.commit()
        return comment.id, comment.parent_id, comment.reply_to_id, comment.status


def test_a_reply_to_a_reply_is_stored_under_it_two_levels_deep(app, thread):
    with app.app_context():
        deepest = db.session.get(Comment, thread["ben2"])
        assert deepest.parent_id == thread["ann"] and deepest.reply_to_id is None
        assert deepest.status == CommentStatus.APPROVED
        assert deepest.answers.id == thread["ann"]


def test_a_reply_to_the_deepest_level_is_placed_beside_it_naming_whom_it_answers(
        app, client, login_as, thread):
    cid, parent, reply_to, _ = _submit(app, thread, "ann", "ann3", thread["ben2"])
    assert (parent, reply_to) == (thread["ann"], thread["ben2"])
    login_as(thread["users"]["ann"])
    page = client.get(f"/discussions/{thread['discussion'].id}").text
    # Nested twice and no deeper: Ben's response > Ann's reply > (Ben's answer, Ann's).
    article = re.search(rf'<article id="comment-{thread["ben"]}".*', page, re.S).group(0)
    assert article.index(TEXTS["ann"]) < article.index(TEXTS["ben2"]) < article.index(
        TEXTS["ann3"])
    mine = re.search(rf'<article id="comment-{cid}".*?</article>', page, re.S).group(0)
    assert "Replying to <bdi>Ben Baptiste</bdi>" in mine
    # The reply form to a reply says whom it answers and quotes it.
    form = client.get(f"/discussions/{thread['discussion'].id}?reply_to={thread['ben2']}").text
    assert re.search(r'Replying to <bdi>Ben Baptiste</bdi>: <q>Ben answers Ann', form)


def test_a_reply_answering_a_classmate_counts_and_one_to_oneself_does_not(app, thread):
    """Ann's flattened answer to Ben sits under her own reply but answers Ben: it counts;
    her reply to her own reply does not (nor would it at any depth)."""
    _submit(app, thread, "ann", "ann3", thread["ben2"])
    _submit(app, thread, "ann", "ann_self", thread["ann"])
    with app.app_context():
        d = db.session.get(Discussion, thread["discussion"].id)
        facts = {f.id: f for f in suggestions.gather(d, rubric_of(d).rubric).facts[
            thread["users"]["ann"].id]}
        by_text = {db.session.get(Comment, cid).body: f.to_classmate
                   for cid, f in facts.items()}
        assert by_text == {TEXTS["ann"]: True, TEXTS["ann3"]: True, TEXTS["ann_self"]: False}
        # Ben's depth-2 answer counts for him too: it answers Ann.
        assert [f.to_classmate for f in suggestions.gather(d, rubric_of(d).rubric).facts[
            thread["users"]["ben"].id] if f.is_reply] == [True]
        report = {row.student.display_name: row for row in participation.participation(
            db.session.get(Course, thread["course"].id)).rows}
        ann_row = next(r for name, r in report.items() if "Ann" in name)
        ben_row = next(r for name, r in report.items() if "Ben" in name)
        # Ann received Ben's answer; Ben received Ann's reply and her flattened answer.
        assert (ann_row.replies, ann_row.replies_received) == (3, 1)
        assert (ben_row.replies, ben_row.replies_received) == (1, 2)
        book = gradebook.book(db.session.get(Course, thread["course"].id), detailed=True)
        mark = book.marks[thread["users"]["ann"].id][d.id]
        assert (mark.responses, mark.replies) == (0, 3)


def test_a_revision_of_a_flattened_reply_keeps_its_place_and_whom_it_answers(app, thread):
    cid, _, _, _ = _submit(app, thread, "ann", "ann3", thread["ben2"])
    teacher = instructor_of(app, thread["course"])
    with app.app_context():
        teacher = db.session.merge(teacher)
        decisions.reject(decisions.locked(cid, teacher), teacher,
                         RejectionReason.NEEDS_CITATION, None, CommentStatus.APPROVED)
        db.session.commit()
        revised = posting.revise_comment(db.session.get(Comment, cid),
                                         db.session.get(User, thread["users"]["ann"].id),
                                         TEXTS["ann3"] + " See the 2024 report.", "tok-rev")
        db.session.commit()
        assert (revised.comment.parent_id, revised.comment.reply_to_id) == (
            thread["ann"], thread["ben2"])


def test_a_reply_under_a_hidden_reply_is_refused_with_the_text_kept(
        app, client, login_as, thread):
    """Ann's reply was rejected: Ben's answer to it is hidden with it, and answering that
    answer is refused (404, nothing stored) with the text in the form."""
    teacher = instructor_of(app, thread["course"])
    with app.app_context():
        who = db.session.merge(teacher)
        decisions.reject(decisions.locked(thread["ann"], who), who,
                         RejectionReason.OFF_TOPIC, None, CommentStatus.APPROVED)
        db.session.commit()
        with pytest.raises(NotFound):
            posting.placement(db.session.get(Discussion, thread["discussion"].id),
                              thread["ben2"])
        count = db.session.query(Comment).count()
    login_as(thread["users"]["ann"])
    page = client.get(f"/discussions/{thread['discussion'].id}")
    token = re.search(r'name="submission_token"[^>]*value="([^"]+)"', page.text).group(1)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    response = client.post(f"/discussions/{thread['discussion'].id}/comments", data={
        "body": TEXTS["ann3"], "parent_id": str(thread["ben2"]), "submission_token": token,
        **({"csrf_token": csrf.group(1)} if csrf else {})})
    assert response.status_code == 404
    assert TEXTS["ann3"] in response.text
    assert "The comment you are replying to is not available." in response.text
    with app.app_context():
        assert db.session.query(Comment).count() == count


def test_the_queue_says_whom_a_nested_reply_answers(app, client, login_as, thread):
    cid, _, _, _ = _submit(app, thread, "ann", "ann3", thread["ben2"])
    login_as(instructor_of(app, thread["course"]))
    queue = client.get(f"/teach/courses/{thread['course'].id}/queue?status=approved").text
    row = re.search(rf'<article class="queue-row[^"]*" id="row-{cid}".*?</article>', queue,
                    re.S).group(0)
    assert re.search(r"Reply to <bdi>Ben Baptiste</bdi>'s reply to <bdi>Ann Author</bdi>: "
                     r"“Ben answers Ann", row), row
    page = client.get(f"/teach/comments/{thread['ben2']}").text
    assert re.search(r"Replying to <bdi>Ann Author</bdi>'s reply to <bdi>Ben Baptiste</bdi>:",
                     page)
