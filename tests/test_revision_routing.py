"""Issue 17, item 3: a revision of a rejected comment goes back to the queue in every mode,
to whoever rejected the first version first; the revise page says so beforehand."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Course, Discussion, RejectionReason, Role
from moderation.services import policies
from moderation.services.comments import decisions, posting, rescore
from tests.conftest import instructor_of

ORIGINAL = "The court lost its power when the state withdrew, as everyone says."
REVISED = ("The court lost some power when the state withdrew, according to Smith (2019), "
           "because the treaty was never ratified.")


@pytest.fixture
def rejected_by_ta(app, make_user, make_course, make_discussion, enrol):
    """Sam's response in a discussion of the default mode ("flagged"), rejected by a TA."""
    course = make_course()
    discussion = make_discussion(course)  # moderation mode: flagged (nothing flagged waits)
    sam, tess = make_user("Sam Student"), make_user("Tess Assistant")
    enrol(sam, course)
    enrol(tess, course, Role.TA)
    with app.app_context():
        comment = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                       db.session.merge(sam), ORIGINAL, "original").comment
        assert comment.status == CommentStatus.APPROVED  # nothing flagged: published
        ta = db.session.merge(tess)
        decisions.reject(decisions.locked(comment.id, ta), ta, RejectionReason.NEEDS_CITATION,
                         None, CommentStatus.APPROVED)
        db.session.commit()
        return {"course": course, "discussion": discussion, "sam": sam, "tess": tess,
                "teacher": instructor_of(app, course), "comment_id": comment.id}


@pytest.mark.parametrize("mode", ["flagged", "all"])
def test_a_revision_waits_for_a_person_in_every_mode(app, rejected_by_ta, mode):
    s = rejected_by_ta
    with app.app_context():
        db.session.get(Discussion, s["discussion"].id).moderation_mode = mode
        db.session.commit()
        revision = posting.revise_comment(db.session.get(Comment, s["comment_id"]),
                                        db.session.merge(s["sam"]), REVISED, "rev").comment
        db.session.commit()
        assert revision.status == CommentStatus.PENDING and revision.flags == []


def test_the_revise_page_and_its_live_feedback_say_who_sees_it(client, login_as,
                                                               rejected_by_ta):
    s = rejected_by_ta
    login_as(s["sam"])
    page = client.get(f"/comments/{s['comment_id']}/revise").text
    assert "It goes back to <bdi>Tess Assistant</bdi>, who rejected it, before classmates " \
           "see it" in page
    preview = client.post(f"/discussions/{s['discussion'].id}/preview?revision="
                          f"{s['comment_id']}", json={"body": REVISED}).get_json()
    assert preview["summary"] == ("Your revision goes back to Tess Assistant, who rejected the "
                                  "comment, before classmates see it.")
    assert preview["outcome"] == "held"
    # A plain draft in the same discussion would be posted.
    plain = client.post(f"/discussions/{s['discussion'].id}/preview",
                        json={"body": REVISED}).get_json()
    assert plain["summary"] == "This will be posted when you submit."


def test_the_person_who_rejected_it_sees_it_first(app, client, login_as, rejected_by_ta):
    s = rejected_by_ta
    with app.app_context():
        revision_id = posting.revise_comment(db.session.get(Comment, s["comment_id"]),
                                           db.session.merge(s["sam"]), REVISED,
                                           "rev").comment.id
        db.session.commit()
    course_id = s["course"].id
    login_as(s["tess"])
    queue_page = client.get(f"/teach/courses/{course_id}/queue").text
    assert "1 revision waits for you</a>: the student has revised a comment you rejected." \
        in queue_page
    assert "of a comment rejected by you: it comes back to you first" in queue_page
    mine = client.get(f"/teach/courses/{course_id}/queue?reviewer={s['tess'].id}").text
    assert f'id="row-{revision_id}"' in mine and "Showing revisions of comments you rejected" \
        in mine
    client.post("/logout")
    login_as(s["teacher"])
    theirs = client.get(f"/teach/courses/{course_id}/queue").text
    assert "waits for you" not in theirs
    assert "rejected by <bdi>Tess Assistant</bdi>, who sees it first" in theirs
    assert f'id="row-{revision_id}"' not in client.get(
        f"/teach/courses/{course_id}/queue?reviewer={s['teacher'].id}").text


def test_a_rescore_never_publishes_a_waiting_revision(app, rejected_by_ta):
    s = rejected_by_ta
    with app.app_context():
        revision_id = posting.revise_comment(db.session.get(Comment, s["comment_id"]),
                                           db.session.merge(s["sam"]), REVISED,
                                           "rev").comment.id
        db.session.commit()
        teacher = db.session.merge(s["teacher"])
        course = db.session.get(Course, s["course"].id)
        policies.set_course_policy(course, teacher, {"watched_words": ["nothing-here"]})
        totals = rescore.rescore_undecided(course, teacher)
        db.session.commit()
        assert totals.decisions_changed == 0
        assert db.session.scalar(select(Comment.status).where(
            Comment.id == revision_id)) == CommentStatus.PENDING
