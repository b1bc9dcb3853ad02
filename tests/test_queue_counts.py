"""The queue's status tabs count what each tab's list holds, under every filter, whether the
current tab's count comes from the flags' statement (issue 19: the list is read once) or is
counted on its own; checked against the comments filtered in Python."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Membership, Severity
from moderation.services.comments import posting, queue
from moderation.services.comments.queue import QueueFilter

WORDS = ["court", "treaty", "verdict", "state", "power", "Parking", "evidence", "report"]
CAP = 6


@pytest.fixture
def course(app, make_user, make_course, make_discussion, enrol):
    """Sixty comments in two discussions, in every status, with and without flags."""
    course = make_course()
    discussions = [make_discussion(course, title=f"Week {n}", min_words=8,
                                   moderation_mode="all") for n in (1, 2)]
    students = [make_user(f"Student {n}") for n in range(4)]
    for student in students:
        enrol(student, course)
    rng = random.Random(5)
    with app.app_context():
        from moderation.models import Discussion, User
        for n, student in enumerate(students):
            db.session.scalars(select(Membership).where(
                Membership.user_id == student.id)).one().section = "A" if n % 2 else "B"
        for n in range(60):
            words = rng.choices(WORDS, k=rng.choice((3, 12, 12)))  # 3: too short (held)
            comment = posting.submit_comment(
                db.session.get(Discussion, discussions[n % 2].id),
                db.session.get(User, students[n % 4].id), " ".join(words) + f" ({n}).",
                f"t{n}").comment
            comment.status = rng.choice(list(CommentStatus))
        db.session.commit()
    return course


def expected(course_id: int, f: QueueFilter) -> dict[CommentStatus, int]:
    """Each tab's list under the filter, counted in Python and capped as the page caps."""
    comments = db.session.scalars(select(Comment).where(Comment.course_id == course_id)).all()
    sections = dict(db.session.execute(select(Membership.user_id, Membership.section).where(
        Membership.course_id == course_id)).all())
    counts = dict.fromkeys(CommentStatus, 0)
    for c in comments:
        if ((f.discussion_id is None or c.discussion_id == f.discussion_id)
                and (f.student_id is None or c.author_id == f.student_id)
                and (not f.section or sections.get(c.author_id) == f.section)
                and (not f.rule or any(fl.rule == f.rule for fl in c.flags))
                and (f.severity is None or any(fl.severity == f.severity for fl in c.flags))
                and (not f.q or f.q.lower() in c.body.lower())):
            counts[c.status] += 1
    return {status: min(count, CAP + 1) for status, count in counts.items()}


@pytest.mark.parametrize("changes", [
    {}, {"rule": "too_short"}, {"severity": Severity.HOLD}, {"section": "A"},
    {"rule": "too_short", "section": "B"}, {"q": "verdict"}, {"q": "parking"}, {"q": "zzz"},
    {"q": "court", "sort": "severity"}, {"student": 0}, {"discussion": 0},
])
def test_each_tab_counts_its_list(app, course, monkeypatch, changes):
    monkeypatch.setattr(queue, "COUNT_CAP", CAP)
    with app.app_context():
        course_id = course.id
        if "student" in changes:
            changes = {"student_id": db.session.scalars(select(Comment.author_id).where(
                Comment.course_id == course_id)).first()}
        if "discussion" in changes:
            changes = {"discussion_id": db.session.scalars(select(Comment.discussion_id).where(
                Comment.course_id == course_id)).first()}
        seen = set()
        for status in CommentStatus:
            f = replace(QueueFilter(status=status), **changes)
            want = expected(course_id, f)
            seen.update(want.values())
            rules = queue.rule_counts(course_id, f)
            assert queue.status_counts(course_id, f, rules) == want, (status, changes)
            assert queue.status_counts(course_id, f) == want, (status, changes)
            if f.rule is None:
                assert rules.listed == want[status]
                assert rules.sampled == (want[status] > CAP)
        if "q" not in changes or changes["q"] != "zzz":
            assert seen - {0}  # the filter found something to count
