"""A submit marks its author's stored suggestion instead of refreshing it (issue #19): the
mark is one row per student, every reader of the stored copy refreshes marked ones first,
the worker's sweep refreshes them within a minute, and a mark made during a refresh stays."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import event, select

from moderation import jobs as consumer
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Grade,
    Job,
    ModerationMode,
    SuggestionMark,
    User,
)
from moderation.services.comments import decisions, posting
from moderation.services.grades import derived, suggestions
from tests.forms import form_fields
from tests.grading.fresh import stale_suggestions

TEXT = ("The withdrawal shows the limits of the court more than it weakens it, because the "
        "treaty was never ratified. Number {n}.")


def submit(w, student, n: int) -> None:
    posting.submit_comment(db.session.get_one(Discussion, w.discussion.id),
                           db.session.get_one(User, student.id), TEXT.format(n=n), f"t{n}")
    db.session.commit()


def marks() -> dict[tuple[int, int], int]:
    db.session.expire_all()
    return {(d, s): seq for d, s, seq in db.session.execute(
        select(SuggestionMark.discussion_id, SuggestionMark.student_id, SuggestionMark.seq))}


def stored(w, student) -> Grade | None:
    db.session.expire_all()
    return db.session.scalar(select(Grade).where(Grade.discussion_id == w.discussion.id,
                                                 Grade.student_id == student.id))


def fresh_score(w, student) -> float | None:
    discussion = db.session.get_one(Discussion, w.discussion.id)
    return suggestions.suggestions(discussion, [student.id])[student.id].score


def test_a_submit_marks_its_author_and_the_sweep_refreshes_them(app, graded_course):
    w = graded_course
    with app.app_context():
        submit(w, w.amara, 1)
        # Marked, not computed in the request: no grade row yet for a first post.
        assert marks() == {(w.discussion.id, w.amara.id): 1}
        assert stored(w, w.amara) is None
        submit(w, w.amara, 2)
        submit(w, w.kai, 3)
        # One row per student, counting up: no row that every submit writes.
        assert marks() == {(w.discussion.id, w.amara.id): 2, (w.discussion.id, w.kai.id): 1}
        db.session.commit()  # this session's read ends: the consumer writes
        consumer.sweep(app)  # the minute's sweep: a catch-up job, run by the consumer
        assert marks() == {}
        [job] = db.session.scalars(select(Job).where(Job.kind == derived.CATCH_UP_KIND))
        assert job.args == {"refreshed": 2}
        for student in (w.amara, w.kai):
            grade = stored(w, student)
            assert grade is not None and grade.suggested_score == fresh_score(w, student)
        assert stale_suggestions(w.course.id) == []
        db.session.commit()
        consumer.sweep(app)  # nothing marked: no second job
        assert db.session.scalar(select(Job.id).where(Job.kind == derived.CATCH_UP_KIND,
                                                      Job.id != job.id)) is None


def test_the_detailed_export_refreshes_what_is_marked_before_reading_it(app, client,
                                                                       login_as,
                                                                       graded_course):
    w = graded_course
    with app.app_context():
        submit(w, w.amara, 1)
        assert marks() and stored(w, w.amara) is None
        want = fresh_score(w, w.amara)
    login_as(w.teacher)
    url = f"/teach/courses/{w.course.id}/export"
    response = client.post(url, data=form_fields(client.get(url).text) | {"format": "generic"})
    assert response.status_code == 200, response.text[:300]
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    [amara] = [r for r in rows if r["Email"] == w.amara.email]
    assert want is not None and amara["Suggested score"] == f"{want:g}"
    with app.app_context():
        assert marks() == {}
        grade = stored(w, w.amara)
        assert grade is not None and grade.suggested_score == want


def test_a_decision_still_refreshes_before_its_commit(app, graded_course):
    """Only a submit defers: approving a waiting comment stores the suggestion with it."""
    w = graded_course
    with app.app_context():
        discussion = db.session.get_one(Discussion, w.discussion.id)
        discussion.moderation_mode = ModerationMode.ALL
        db.session.commit()
        submit(w, w.sam, 1)
        derived.catch_up()
        db.session.commit()
        grade = stored(w, w.sam)
        assert grade is not None
        before = (grade.suggested_score, grade.breakdown)
        [comment_id] = db.session.scalars(
            select(Comment.id).where(Comment.author_id == w.sam.id))
        teacher = db.session.get_one(User, w.teacher.id)
        decisions.approve(decisions.locked(comment_id, teacher), teacher,
                          CommentStatus.PENDING)
        db.session.commit()
        assert marks() == {}
        after = stored(w, w.sam)
        assert after is not None and after.suggested_score == fresh_score(w, w.sam)
        assert (after.suggested_score, after.breakdown) != before


@pytest.mark.parametrize("db_kind", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_mark_made_while_a_refresh_runs_stays_for_the_next(app, graded_course):
    """A submit that commits between the refresh's read of the marks and its delete (real
    concurrency, a second connection) keeps its mark: the delete matches the seq it read."""
    w = graded_course
    with app.app_context():
        submit(w, w.amara, 1)
        engine = db.engine
        key = (w.discussion.id, w.amara.id)
        raced = []

        def another_submit(_conn, _cursor, statement, *_args):
            if statement.startswith("DELETE FROM suggestion_mark") and not raced:
                raced.append(statement)
                with engine.connect() as other:  # its own transaction, committed now
                    other.execute(
                        SuggestionMark.__table__.update()
                        .where(SuggestionMark.discussion_id == key[0],
                               SuggestionMark.student_id == key[1])
                        .values(seq=SuggestionMark.seq + 1))
                    other.commit()

        event.listen(engine, "before_cursor_execute", another_submit)
        try:
            assert derived.catch_up() == 1
            db.session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", another_submit)
        assert raced
        assert marks() == {key: 2}  # left for the next refresh
        assert derived.catch_up() == 1
        db.session.commit()
        assert marks() == {}
