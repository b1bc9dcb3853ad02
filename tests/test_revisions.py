"""Revise and resubmit: the author revises a rejected comment once, through the submit path."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import event, func, select

from moderation.extensions import db
from moderation.models import (
    AuditEvent,
    Comment,
    CommentStatus,
    Discussion,
    DiscussionState,
    RejectionReason,
    User,
)
from moderation.services import discussions
from moderation.services.comments import decisions, posting, revisions
from moderation.services.errors import Conflict, Forbidden, InvalidInput, NotFound
from tests.conftest import instructor_of

ORIGINAL = "The court lost its power when the state withdrew, as everyone says."
REVISED = ("The court lost some power when the state withdrew, according to Smith (2019), "
           "because the treaty was never ratified.")
MESSAGE = "Say who says so, and name your source."


@pytest.fixture
def setup(app, make_user, make_course, make_discussion, enrol):
    """A rejected response by Sam, and a classmate and the teacher in the same course."""
    course = make_course()
    discussion = make_discussion(course)
    student, classmate = make_user("Sam Student"), make_user("Cam Classmate")
    enrol(student, course)
    enrol(classmate, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        comment = submit(discussion, student, ORIGINAL, "original")
        reject(comment.id, teacher)
        db.session.commit()
        return {"course": course, "discussion": discussion, "student": student,
                "classmate": classmate, "teacher": teacher, "comment_id": comment.id}


def submit(discussion, author, body, token, parent_id=None) -> Comment:
    return posting.submit_comment(db.session.get(Discussion, discussion.id),
                                db.session.merge(author), body, token, parent_id).comment


def reject(comment_id, teacher, reason=RejectionReason.NEEDS_CITATION, message=MESSAGE):
    teacher = db.session.merge(teacher)
    return decisions.reject(decisions.locked(comment_id, teacher), teacher, reason, message,
                            None)


def revise(comment_id, author, body=REVISED, token="revision"):
    return posting.revise_comment(db.session.get(Comment, comment_id), db.session.merge(author),
                                body, token)


def count_comments() -> int:
    return db.session.scalar(select(func.count()).select_from(Comment)) or 0


# The service ---------------------------------------------------------------------------

def test_a_revision_is_a_new_comment_linked_to_the_rejected_one_and_audited(app, setup):
    with app.app_context():
        result = revise(setup["comment_id"], setup["student"])
        db.session.commit()
        revision = db.session.get(Comment, result.comment.id)
        assert result.created and revision.id != setup["comment_id"]
        assert revision.revision_of_id == setup["comment_id"] and revision.parent_id is None
        assert revision.body == REVISED and revision.author_id == setup["student"].id
        # Flagged mode and nothing flagged, yet it waits: a person rejected the first version.
        assert revision.status == CommentStatus.PENDING
        assert revision.analysis_version and revision.word_count == 19  # checked as a submit
        original = db.session.get(Comment, setup["comment_id"])
        assert original.status == CommentStatus.REJECTED and original.body == ORIGINAL
        [event_] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "comment.revised")).all()
        assert (event_.actor_id, event_.subject_id) == (setup["student"].id,
                                                        setup["student"].id)
        assert (event_.object_type, event_.object_id) == ("comment", revision.id)
        assert event_.before == {"comment_id": original.id, "status": "rejected"}
        assert event_.after == {"comment_id": revision.id, "status": "pending"}


def test_a_revision_is_checked_like_a_submit(app, setup):
    """Held by the same rules, refused by the same blocks, with nothing stored."""
    with app.app_context():
        with pytest.raises(posting.Blocked, match="not allowed"):
            revise(setup["comment_id"], setup["student"], REVISED + " This is fucking nonsense.")
        db.session.rollback()
        assert count_comments() == 1
        result = revise(setup["comment_id"], setup["student"], "Smith (2019) disagrees.")
        assert result.comment.status == CommentStatus.PENDING  # every revision waits
        assert result.comment.flags == []
        db.session.rollback()
        result = revise(setup["comment_id"], setup["student"], "Smith agrees.")
        assert result.comment.status == CommentStatus.PENDING  # too short: held
        assert [f.rule for f in result.comment.flags] == ["too_short"]


def test_only_the_author_may_revise(app, setup, make_course):
    outsider = instructor_of(app, make_course())
    with app.app_context():
        with pytest.raises(NotFound):
            revise(setup["comment_id"], setup["classmate"])
        with pytest.raises(NotFound):
            revise(setup["comment_id"], outsider)
        with pytest.raises(Forbidden, match="Only the student who wrote"):
            revise(setup["comment_id"], setup["teacher"])
        db.session.rollback()
        assert count_comments() == 1


def test_only_a_rejected_comment_and_only_once(app, setup):
    with app.app_context():
        pending = submit(setup["discussion"], setup["student"], "Short.", "pending")
        with pytest.raises(Conflict, match="this one is waiting for your instructor"):
            revise(pending.id, setup["student"], token="x")
        db.session.rollback()
        revise(setup["comment_id"], setup["student"], token="first")
        db.session.commit()
        with pytest.raises(Conflict, match="already revised") as refused:
            revise(setup["comment_id"], setup["student"], REVISED + " Again.", token="second")
        assert refused.value.status == 409 and refused.value.field == "body"
        db.session.rollback()
        assert count_comments() == 2  # the original and its one revision


def test_the_same_form_twice_returns_the_first_revision(app, setup):
    with app.app_context():
        first = revise(setup["comment_id"], setup["student"], token="same")
        db.session.commit()
        again = revise(setup["comment_id"], setup["student"], token="same")
        assert (again.comment.id, again.created) == (first.comment.id, False)
        assert count_comments() == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "comment.revised")) == 1


def test_an_unchanged_revision_is_refused(app, setup):
    with app.app_context(), pytest.raises(InvalidInput, match="same as the rejected comment"):
        revise(setup["comment_id"], setup["student"], "  " + ORIGINAL.upper() + "\n")


def test_no_revision_once_the_discussion_is_closed(app, setup):
    with app.app_context():
        discussion = db.session.get(Discussion, setup["discussion"].id)
        discussions.set_state(discussion, db.session.merge(setup["teacher"]),
                              DiscussionState.CLOSED)
        db.session.commit()
        with pytest.raises(Conflict, match="not open for comments any more"):
            revise(setup["comment_id"], setup["student"])
        student = db.session.merge(setup["student"])
        assert revisions.to_revise_count(student) == 0


def test_a_reply_is_revised_as_a_reply_under_the_same_parent(app, setup):
    with app.app_context():
        parent = submit(setup["discussion"], setup["classmate"], REVISED + " Indeed.", "p")
        reply = submit(setup["discussion"], setup["student"], "I disagree with you there.",
                       "r", parent_id=parent.id)
        reject(reply.id, setup["teacher"], RejectionReason.TOO_SHORT, None)
        db.session.commit()
        revision = revise(reply.id, setup["student"], "I disagree: the treaty was ratified "
                          "by the state in 1998.").comment
        assert revision.parent_id == parent.id
        # The reply word range (2–100 in the test discussion), not the response range.
        assert not any(f.rule in ("too_short", "too_long") for f in revision.flags)


def test_a_reply_whose_parent_is_hidden_now_cannot_be_revised(app, setup):
    with app.app_context():
        parent = submit(setup["discussion"], setup["classmate"], REVISED + " Indeed.", "p")
        reply = submit(setup["discussion"], setup["student"], "I disagree with you there.",
                       "r", parent_id=parent.id)
        reject(reply.id, setup["teacher"], RejectionReason.TOO_SHORT, None)
        db.session.commit()
        student = db.session.merge(setup["student"])
        assert revisions.to_revise_count(student) == 2
        reject(parent.id, setup["teacher"], RejectionReason.OFF_TOPIC, None)
        db.session.commit()
        assert revisions.to_revise_count(student) == 1  # only the response is left
        reply = db.session.get(Comment, reply.id)
        assert not revisions.can_revise(reply)
        with pytest.raises(Conflict, match="no longer shown in the discussion"):
            revise(reply.id, setup["student"], "I disagree: it was ratified in 1998.")


def test_a_rejected_revision_can_be_revised_and_the_chain_is_the_same_from_any_version(
        app, setup):
    with app.app_context():
        second = revise(setup["comment_id"], setup["student"], token="r1").comment
        db.session.commit()
        reject(second.id, setup["teacher"], RejectionReason.OTHER, "Closer; one more try.")
        db.session.commit()
        third = revise(second.id, setup["student"], REVISED + " Smith is right.",
                       token="r2").comment
        db.session.commit()
        ids = [setup["comment_id"], second.id, third.id]
        statements = []
        listener = lambda *args: (  # noqa: E731 - BEGIN is not a query
            None if args[2].startswith("BEGIN") else statements.append(args[2]))
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            for member in ids:
                db.session.expire_all()
                statements.clear()
                chain = revisions.version_chain(db.session.get(Comment, member))
                assert [c.id for c in chain] == ids
                assert len(statements) <= 3  # the get, the chain, who decided
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        assert [c.status for c in chain] == [CommentStatus.REJECTED, CommentStatus.REJECTED,
                                             CommentStatus.PENDING]
        assert chain[1].decided_by.display_name == "Ina Structor"
        lone = submit(setup["discussion"], setup["classmate"], "A lone comment of mine.", "l")
        assert revisions.version_chain(lone) == [lone]


def test_two_tabs_revising_at_once_make_one_revision_and_one_conflict(app, db_kind, setup,
                                                                      monkeypatch):
    """Different form tokens, so only the unique revision_of_id can refuse the second.

    On PostgreSQL the second insert waits on the unique index and fails once the first
    commits; on SQLite the second write transaction waits and then finds the revision.
    """
    inserted, go = threading.Event(), threading.Event()
    real_check = revisions.check_revisable
    outcomes: dict[str, object] = {}

    def racing_check(comment, now=None):
        if threading.current_thread().name == "second" and db_kind == "postgresql":
            return None  # it read "not revised" before the first committed
        return real_check(comment, now)

    monkeypatch.setattr(revisions, "check_revisable", racing_check)
    recoveries: list[str] = []
    real_revision_id = revisions.revision_id

    def spy(comment):
        recoveries.append(threading.current_thread().name)
        return real_revision_id(comment)

    monkeypatch.setattr(revisions, "revision_id", spy)

    def tab(name: str) -> None:
        with app.app_context():
            if name == "second":
                inserted.wait(timeout=30)
            try:
                result = revise(setup["comment_id"], setup["student"], f"{REVISED} ({name})",
                                token=name)
                if name == "first":
                    inserted.set()
                    go.wait(timeout=30)
                db.session.commit()
                outcomes[name] = result.comment.id
            except Conflict as error:
                db.session.rollback()
                outcomes[name] = error
            finally:
                inserted.set()

    threads = [threading.Thread(name=n, target=tab, args=(n,)) for n in ("first", "second")]
    for t in threads:
        t.start()
    assert inserted.wait(timeout=30)
    threads[1].join(timeout=1)  # let the second tab reach its insert (it waits there)
    go.set()
    for t in threads:
        t.join(timeout=60)
    assert isinstance(outcomes["first"], int)
    assert isinstance(outcomes["second"], Conflict) and outcomes["second"].status == 409
    assert "already revised" in outcomes["second"].message
    with app.app_context():
        assert count_comments() == 2
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "comment.revised")) == 1
    if db_kind == "postgresql":
        # The second tab got past every check: the unique constraint refused its insert.
        assert recoveries.count("second") == 1


def test_to_revise_counts_rejected_comments_without_a_revision(app, setup):
    with app.app_context():
        student = db.session.merge(setup["student"])
        assert revisions.to_revise_count(student) == 1
        assert revisions.to_revise_count(db.session.merge(setup["classmate"])) == 0
        revise(setup["comment_id"], setup["student"])
        db.session.commit()
        assert revisions.to_revise_count(db.session.get(User, student.id)) == 0
