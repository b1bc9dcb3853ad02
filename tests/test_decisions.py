"""Staff decisions: each audited in its transaction, conflicts refused, never overwritten."""

from __future__ import annotations

import email
import email.policy
import threading

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus, RejectionReason, Role, User
from moderation.services.comments import decisions, posting
from moderation.services.errors import Conflict, Forbidden, InvalidInput
from tests.conftest import instructor_of

TEXT = "A response long enough for the test discussion, with a clear point of its own."


@pytest.fixture
def setup(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all")
    student = make_user("Sam Student")
    ta = make_user("Tess Assistant")
    enrol(student, course)
    enrol(ta, course, Role.TA)
    with app.app_context():
        comment = posting.submit_comment(db.session.merge(discussion), db.session.merge(student),
                                       TEXT, "first").comment
        assert comment.status == CommentStatus.PENDING
        db.session.commit()
        return {"course": course, "discussion": discussion, "student": student, "ta": ta,
                "teacher": instructor_of(app, course), "comment_id": comment.id}


def events(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_approve_reject_reopen_each_write_their_audit_event(app, setup):
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        comment = decisions.locked(setup["comment_id"], teacher)
        decisions.approve(comment, teacher, CommentStatus.PENDING)
        db.session.commit()
        [approved] = events("comment.approved")
        assert (approved.before["status"], approved.after["status"]) == ("pending", "approved")
        assert approved.subject_id == setup["student"].id and approved.actor_id == teacher.id

        comment = decisions.locked(setup["comment_id"], teacher)
        decisions.reopen(comment, teacher, CommentStatus.APPROVED)
        comment = decisions.locked(setup["comment_id"], teacher)
        decisions.reject(comment, teacher, RejectionReason.NEEDS_CITATION,
                         "Name the source you quote.", CommentStatus.PENDING)
        db.session.commit()
        comment = db.session.get(Comment, setup["comment_id"])
        assert comment.status == CommentStatus.REJECTED
        assert (comment.decision_reason, comment.decision_message) == (
            "needs_citation", "Name the source you quote.")
        [rejected] = events("comment.rejected")
        assert rejected.reason == "Name the source you quote."
        assert len(events("comment.reopened")) == 1


def test_a_second_decision_from_a_stale_page_is_refused(app, setup):
    with app.app_context():
        teacher, ta = db.session.merge(setup["teacher"]), db.session.merge(setup["ta"])
        decisions.approve(decisions.locked(setup["comment_id"], ta), ta, CommentStatus.PENDING)
        db.session.commit()
        with pytest.raises(Conflict, match=r"Already approved by Tess Assistant at .*UTC"):
            decisions.reject(decisions.locked(setup["comment_id"], teacher), teacher,
                             RejectionReason.OFF_TOPIC, None, CommentStatus.PENDING)
        db.session.rollback()
        assert db.session.get(Comment, setup["comment_id"]).status == CommentStatus.APPROVED
        assert events("comment.rejected") == []


def test_two_staff_deciding_at_once_one_wins_the_other_is_told(app, setup):
    """Both pages showed "pending"; the row lock makes the second see the first's decision."""
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def decide(who: str, reason: RejectionReason | None) -> None:
        with app.app_context():
            barrier.wait(timeout=30)  # before any query: on SQLite the first query locks
            actor = db.session.merge(setup[who])
            try:
                comment = decisions.locked(setup["comment_id"], actor)
                if reason is None:
                    decisions.approve(comment, actor, CommentStatus.PENDING)
                else:
                    decisions.reject(comment, actor, reason, None, CommentStatus.PENDING)
                db.session.commit()
                outcomes[who] = "decided"
            except Conflict as error:
                db.session.rollback()
                outcomes[who] = error.message

    threads = [threading.Thread(target=decide, args=("teacher", None)),
               threading.Thread(target=decide, args=("ta", RejectionReason.OFF_TOPIC))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes.values())[0].startswith("Already")
    assert list(outcomes.values()).count("decided") == 1
    with app.app_context():
        decided = len(events("comment.approved")) + len(events("comment.rejected"))
        assert decided == 1


def test_reject_needs_a_reason_and_students_cannot_decide(app, setup):
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        comment = decisions.locked(setup["comment_id"], teacher)
        with pytest.raises(InvalidInput, match="Choose a reason"):
            decisions.decide(comment, teacher, decisions.Decision(CommentStatus.REJECTED),
                             CommentStatus.PENDING)
        db.session.rollback()
        with pytest.raises(Forbidden):
            decisions.locked(setup["comment_id"], db.session.merge(setup["student"]))


def test_a_staff_edit_keeps_the_students_words_and_reanalyses(app, setup):
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        comment = decisions.locked(setup["comment_id"], teacher)
        decisions.edit(comment, teacher, TEXT + " Call me on 555 123 4567.", "typo")
        comment = decisions.locked(setup["comment_id"], teacher)
        decisions.edit(comment, teacher, TEXT + " Call me on [removed].", "redacted a phone")
        db.session.commit()
        comment = db.session.get(Comment, setup["comment_id"])
        assert comment.original_body == TEXT  # the first edit kept the student's own words
        assert comment.body.endswith("[removed].") and comment.edited
        assert comment.status == CommentStatus.PENDING  # an edit is not a decision
        edits = events("comment.edited")
        assert [e.reason for e in edits] == ["typo", "redacted a phone"]
        assert edits[0].before["body"] == TEXT and edits[1].after["body"] == comment.body


def test_bulk_skips_comments_that_moved(app, setup, make_user, enrol):
    others = [make_user() for _ in range(3)]
    for other in others:
        enrol(other, setup["course"])
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        ids = [setup["comment_id"]]
        for i, other in enumerate(others):
            other = db.session.merge(other)
            ids.append(posting.submit_comment(db.session.merge(setup["discussion"]), other,
                                            f"{TEXT} Number {i}.", f"bulk{i}").comment.id)
        db.session.commit()
        decisions.approve(decisions.locked(ids[0], teacher), teacher, CommentStatus.PENDING)
        db.session.commit()
        result = decisions.bulk(setup["course"].id, ids + [999_999], teacher,
                                decisions.Decision(CommentStatus.REJECTED,
                                                   RejectionReason.OFF_TOPIC),
                                CommentStatus.PENDING)
        db.session.commit()
        assert result.decided == ids[1:] and sorted(result.skipped) == [ids[0], 999_999]
        assert len(events("comment.rejected")) == 3


def test_the_audit_table_refuses_update_and_delete(app, setup):
    """Append-only at the database: a trigger on SQLite and on PostgreSQL."""
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        decisions.approve(decisions.locked(setup["comment_id"], teacher), teacher,
                          CommentStatus.PENDING)
        db.session.commit()
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        for statement in ("UPDATE audit_event SET action = 'x'", "DELETE FROM audit_event"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(text(statement))
            db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert db.session.scalar(select(func.count()).select_from(User)) >= 3


def test_a_rejection_emails_the_student_through_smtp(app, setup, inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port,
                      MAIL_FROM="course@school.test")
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        decisions.reject(decisions.locked(setup["comment_id"], teacher), teacher,
                         RejectionReason.COPIED, "Write it in your own words.",
                         CommentStatus.PENDING)
        db.session.rollback()  # rolled back: nothing is sent
        assert inbox.messages == []
        decisions.reject(decisions.locked(setup["comment_id"], teacher), teacher,
                         RejectionReason.COPIED, "Write it in your own words.",
                         CommentStatus.PENDING)
        db.session.commit()
    [raw] = inbox.messages
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["To"] == setup["student"].email and mail["From"] == "course@school.test"
    assert mail["Subject"] == 'Your comment in "Week 1" was not approved: please revise it'
    text = mail.get_content().replace("\r\n", "\n")  # SMTP sends CRLF
    assert text.startswith("Hello Sam Student,\n\nYour instructor did not approve your "
                           'comment in "Week 1" (Course).')
    assert "Reason: Copied.\n" in text and "> Write it in your own words." in text
    assert f"> {TEXT}" in text  # which comment it is
    # The link opens the revise form of that very comment (SERVER_NAME is set in tests).
    assert (f"while the discussion is open:\nhttp://moderation.test/comments/"
            f"{setup['comment_id']}/revise\n") in text


def test_without_a_request_or_server_name_the_email_names_my_comments(app, setup, inbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=inbox.port, SERVER_NAME=None)
    with app.app_context():
        discussion = db.session.get(Comment, setup["comment_id"]).discussion
        discussion.title = "Week 1:\r\nBcc: everyone@school.test"  # folded, never a header
        teacher = db.session.merge(setup["teacher"])
        decisions.reject(decisions.locked(setup["comment_id"], teacher), teacher,
                         RejectionReason.OFF_TOPIC, None, CommentStatus.PENDING)
        db.session.commit()
    [raw] = inbox.messages
    mail = email.message_from_bytes(raw, policy=email.policy.default)
    assert mail["Bcc"] is None and "Week 1: Bcc: everyone@school.test" in mail["Subject"]
    text = mail.get_content().replace("\r\n", "\n")  # SMTP sends CRLF
    assert "Reason: Off topic." in text and "instructor's message" not in text
    assert 'from "My comments" while the discussion is open.' in text and "http" not in text


def test_no_email_is_queued_unless_mail_is_configured(app, setup):
    from moderation.models import Job

    assert app.config["MAIL_SERVER"] is None  # off by default
    with app.app_context():
        teacher = db.session.merge(setup["teacher"])
        decisions.reject(decisions.locked(setup["comment_id"], teacher), teacher,
                         RejectionReason.COPIED, None, CommentStatus.PENDING)
        db.session.commit()
        assert db.session.scalars(select(Job)).all() == []
