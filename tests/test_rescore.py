"""`moderation rescore` re-runs analysis and never overturns an instructor's decision."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus, Course, User, utcnow
from moderation.services import policies
from moderation.services.comments import posting
from tests.conftest import instructor_of

TEXTS = [
    "Sanctions would work better than withdrawal, because the treaty was never ratified.",
    "I think targeted sanctions on the ministers are fairer than cutting ties with the court.",
    "The court cannot arrest anyone, so sanctions by neighbours are what gives it teeth.",
]


@pytest.fixture
def posted_class(app, make_user, make_course, make_discussion, enrol):
    """A course, its instructor, and the ids of `n` students' comments (one of TEXTS each)."""

    def make(n: int, code: str | None = None) -> tuple[Course, User, list[int]]:
        course = make_course(code=code)
        discussion = make_discussion(course, min_words=5)
        students = [make_user() for _ in range(n)]
        for student in students:
            enrol(student, course)
        teacher = instructor_of(app, course)
        with app.app_context():
            ids = [posting.submit_comment(db.session.merge(discussion), db.session.merge(s),
                                        TEXTS[i], f"t{i}").comment.id
                   for i, s in enumerate(students)]
            db.session.commit()
        return course, teacher, ids

    return make


@pytest.mark.parametrize("jobs", ["1", "2"])  # checked here, or in worker processes
def test_rescore_after_a_policy_change(app, runner, posted_class, jobs):
    course, teacher, ids = posted_class(3, code="POL1")
    with app.app_context():
        # An instructor decided the last one; the rescore must leave that alone.
        decided = db.session.get(Comment, ids[2])
        decided.decided_by_id = teacher.id
        decided.decided_at = utcnow()
        db.session.commit()
        assert {c.status for c in db.session.scalars(select(Comment))} == {CommentStatus.APPROVED}
        policies.set_course_policy(db.session.get(Course, course.id),
                                   db.session.merge(teacher),
                                   {"watched_words": ["sanction"]})
        db.session.commit()

    result = runner.invoke(args=["rescore", "--course", "POL1", "--batch-size", "2",
                                 "--jobs", jobs])
    assert result.exit_code == 0, result.output
    assert "Rescored 3 comments: flags changed on 3; decisions changed on 2 (2 now held" in (
        result.output)
    assert "1 instructor decisions left as they were" in result.output
    with app.app_context():
        statuses = {c.id: c.status for c in db.session.scalars(select(Comment))}
        assert statuses == {ids[0]: CommentStatus.PENDING, ids[1]: CommentStatus.PENDING,
                            ids[2]: CommentStatus.APPROVED}
        assert db.session.get(Comment, ids[2]).flags[0].rule == "watched_words"
        assert db.session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc())) == (
            "comments.rescored")
        # One audit row per comment whose status the rescore changed, in its transaction.
        changes = db.session.execute(
            select(AuditEvent.object_id, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.action == "comment.rescored").order_by(AuditEvent.object_id)).all()
        assert changes == [(ids[0], {"status": "approved"}, {"status": "pending"}),
                           (ids[1], {"status": "approved"}, {"status": "pending"})]

    again = runner.invoke(args=["rescore", "--jobs", jobs])
    assert "flags changed on 0; decisions changed on 0" in again.output


def test_a_worker_process_builds_no_web_side(app):
    """A rescore's worker process only reads and checks comments: it starts with the app's
    settings and database, without the pages, LTI and migrations (about 40 MB each)."""
    import json
    import subprocess
    import sys

    config = {key: app.config[key] for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}
    started = subprocess.run(
        [sys.executable, "-c", "import json, sys\n"
         "from moderation import workers\n"
         "workers._start(json.loads(sys.argv[1]))\n"
         "from moderation.services.comments import rescore\n"
         "print(rescore.count(None))\n"
         "print(json.dumps(sorted(sys.modules)))", json.dumps(config)],
        capture_output=True, text=True, check=True)
    counted, modules = started.stdout.splitlines()
    assert counted == "0"  # its database works
    loaded = set(json.loads(modules))
    assert "moderation.services.comments.rescore" in loaded
    assert not loaded & {"moderation.web", "moderation.cli", "moderation.jobs",
                         "lti1p3platform", "jwcrypto"}


def test_rescore_unknown_course(runner):
    result = runner.invoke(args=["rescore", "--course", "NOPE"])
    assert result.exit_code != 0 and "No course with code NOPE" in result.output


def test_rescore_reads_and_checks_without_holding_the_write_lock(app, runner, db_kind, make_user,
                                                                make_course, make_discussion,
                                                                enrol, monkeypatch):
    """Between its batches' writes the command holds no write lock (SQLite: the writers'
    turn), so submits from the web are not kept waiting while it analyses."""
    import fcntl
    import os

    from moderation.services.comments import rescore

    if db_kind != "sqlite":
        pytest.skip("PostgreSQL's writers never wait for a reader")
    course = make_course(code="LCK1")
    discussion = make_discussion(course, min_words=5)
    student = make_user()
    enrol(student, course)
    with app.app_context():
        for i, text in enumerate(TEXTS):
            posting.submit_comment(db.session.merge(discussion), db.session.merge(student),
                                 text, f"l{i}")
        db.session.commit()
        lock = db.engine.url.database + "-writers.lock"
    checked = []
    real_check = rescore.check_range

    def check_and_look(*args, **kwargs):
        changes = real_check(*args, **kwargs)
        fd = os.open(lock, os.O_RDONLY | os.O_CREAT)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            checked.append("free")
        except BlockingIOError:
            checked.append("held")
        finally:
            os.close(fd)
        return changes

    monkeypatch.setattr(rescore, "check_range", check_and_look)
    result = runner.invoke(args=["rescore", "--course", "LCK1", "--batch-size", "1",
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert checked == ["free"] * 3


def test_a_batch_checked_before_an_edit_or_a_decision_writes_around_them(app, posted_class):
    """The command line checks batches ahead of writing them: what a staff edit or an
    instructor's decision changed meanwhile is kept, not overwritten by the older check."""
    from moderation.services.comments import decisions, rescore

    course, teacher, ids = posted_class(2)
    with app.app_context():
        policies.set_course_policy(db.session.get(Course, course.id), db.session.merge(teacher),
                                   {"watched_words": ["sanction"]})
        db.session.commit()
        changes = rescore.check(rescore.load(None, min(ids), max(ids)), rescore.Scopes())
        assert all(c.new_status == CommentStatus.PENDING for c in changes)
        db.session.rollback()
        # Meanwhile: the first comment is edited, the second approved by the instructor.
        edited = "The court needs its neighbours to act; see https://example.org/ruling."
        decisions.edit(db.session.get(Comment, ids[0]), db.session.merge(teacher), edited)
        decisions.approve(db.session.get(Comment, ids[1]), db.session.merge(teacher),
                          CommentStatus.APPROVED)
        db.session.commit()
        totals = rescore.write(changes)
        db.session.commit()
        first, second = db.session.get(Comment, ids[0]), db.session.get(Comment, ids[1])
        assert (first.body, first.cites_source, first.status) == (
            edited, True, CommentStatus.APPROVED)
        assert [f.rule for f in first.flags] == []  # the edit's own check, kept
        assert second.status == CommentStatus.APPROVED and second.decided_by_id is not None
        assert [f.rule for f in second.flags] == ["watched_words"]  # flags still refreshed
        assert (totals.held, totals.released, totals.kept_decisions) == (0, 0, 1)


def test_each_moved_suggestion_is_refreshed_once_after_the_batches(app, runner, make_user,
                                                                   make_course, make_discussion,
                                                                   enrol, monkeypatch):
    """A student's comments come in several batches and a refresh reads all of them: the
    command refreshes each suggestion it moved once, after its batches, not after each one;
    none is left waiting when it ends."""
    from moderation.services.grades import derived, suggestions
    from tests.grading.fresh import stale_suggestions

    course = make_course(code="ONCE")
    discussion = make_discussion(course, min_words=5)
    student = make_user()
    enrol(student, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        for i, text in enumerate(TEXTS):
            posting.submit_comment(db.session.merge(discussion), db.session.merge(student),
                                 text, f"o{i}")
        db.session.commit()
        derived.catch_up()
        policies.set_course_policy(db.session.get(Course, course.id), db.session.merge(teacher),
                                   {"watched_words": ["sanction"]})
        db.session.commit()
    refreshed: list[list[int] | None] = []
    real_store = suggestions.store_suggestions

    def store_and_count(discussion, student_ids=None):
        refreshed.append(None if student_ids is None else sorted(student_ids))
        return real_store(discussion, student_ids)

    monkeypatch.setattr(suggestions, "store_suggestions", store_and_count)
    result = runner.invoke(args=["rescore", "--course", "ONCE", "--batch-size", "1",
                                 "--jobs", "1"])
    assert result.exit_code == 0, result.output
    assert "decisions changed on 3 (3 now held" in result.output
    assert refreshed == [[student.id]]
    with app.app_context():
        assert derived.marks_waiting() == 0
        assert stale_suggestions(course.id) == []
