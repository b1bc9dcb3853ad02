"""Property (issue 17): after any sequence of decisions and changes, every stored suggestion
equals a fresh computation, and the grading page, the grid, the participation report and
the exports agree with the stored grades. On both databases, through the real services."""

from __future__ import annotations

import itertools
from datetime import timedelta
from types import SimpleNamespace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Grade,
    Membership,
    RejectionReason,
    Role,
    User,
)
from moderation.services import courses, discussions, policies, staff
from moderation.services.comments import decisions, posting, rescore, revisions
from moderation.services.errors import ServiceError
from moderation.services.grades import rubrics, sheet
from tests.grading.fresh import pages_disagree, stale_suggestions

RESPONSES = (
    "The court keeps its power because states still send cases to it every year, according "
    "to the annual report of the registry.",
    "I think the withdrawal matters less than people say, since the treaty was never "
    "ratified by the parliament anyway.",
    "Too short here.",  # held: too_short
    "According to , the court has no army and so it cannot enforce a single ruling alone.",
    "The cort has no armmy and relys on stats to enforse its rulings evry singel tyme.",
    "Sanctions would work better than withdrawal, because the treaty was never ratified "
    "(Smith, 2019).",
)
REPLIES = ("I agree with your point about ratification.", "Good point, but the report says "
           "otherwise.", "Yes.")
OPERATIONS = ("submit", "submit", "submit", "submit", "submit", "ta_post", "approve",
              "approve", "reject", "reopen", "bulk", "revise", "edit", "grade", "accept",
              "release", "unrelease", "rubric", "policy", "settings", "roster")
tokens = itertools.count()


def _pick(items: list, n: int):
    return items[n % len(items)] if items else None


def _comments(w: SimpleNamespace, *statuses: CommentStatus) -> list[Comment]:
    return list(db.session.scalars(select(Comment).where(
        Comment.discussion_id == w.discussion_id, Comment.status.in_(statuses))
        .order_by(Comment.id)))


def _teacher(w: SimpleNamespace) -> User:
    return db.session.get_one(User, w.teacher_id)


def run(w: SimpleNamespace, operation: str, n: int) -> None:
    """Apply one operation through the services; a refusal changes nothing."""
    discussion = db.session.get_one(Discussion, w.discussion_id)
    course = db.session.get_one(Course, w.course_id)
    teacher = _teacher(w)
    students = [m.user for m in courses.students(course)]
    if operation == "submit":
        author = _pick(students, n)
        approved = _comments(w, CommentStatus.APPROVED)
        parent = _pick(approved, n // 7) if n % 3 == 0 and approved else None
        text = _pick(list(REPLIES if parent else RESPONSES), n // 3)
        late = timedelta(days=2) if n % 5 == 0 else -timedelta(days=1)
        posting.submit_comment(discussion, author, text, f"p{next(tokens)}",
                             parent_id=parent.id if parent else None,
                             now=discussion.due_at + late)
    elif operation == "ta_post":
        ta = db.session.scalar(select(User).join(Membership).where(
            Membership.course_id == w.course_id, Membership.role == Role.TA))
        if ta is not None:
            posting.submit_comment(discussion, ta, _pick(list(RESPONSES), n),
                                 f"p{next(tokens)}")
    elif operation in ("approve", "reject"):
        target = _pick(_comments(w, CommentStatus.PENDING), n)
        if target is not None:
            decisions.decide(decisions.locked(target.id, teacher), teacher, decisions.Decision(
                CommentStatus(operation.replace("approve", "approved")
                              .replace("reject", "rejected")),
                RejectionReason.OFF_TOPIC if operation == "reject" else None),
                CommentStatus.PENDING)
    elif operation == "reopen":
        target = _pick(_comments(w, CommentStatus.APPROVED, CommentStatus.REJECTED), n)
        if target is not None:
            decisions.reopen(decisions.locked(target.id, teacher), teacher, target.status)
    elif operation == "bulk":
        pending = [c.id for c in _comments(w, CommentStatus.PENDING)]
        if pending:
            decisions.bulk(w.course_id, pending, teacher,
                           decisions.Decision(CommentStatus.APPROVED), CommentStatus.PENDING)
    elif operation == "revise":
        target = _pick([c for c in _comments(w, CommentStatus.REJECTED)
                        if revisions.can_revise(c)], n)
        if target is not None:
            posting.revise_comment(target, target.author, _pick(list(RESPONSES), n + 1)
                                 + " Revised.", f"p{next(tokens)}")
    elif operation == "edit":
        target = _pick(_comments(w, *CommentStatus), n)
        if target is not None:
            decisions.edit(decisions.locked(target.id, teacher), teacher,
                           _pick(list(RESPONSES + REPLIES), n // 2))
    elif operation == "grade":
        student = _pick(students, n)
        grade = db.session.scalar(select(Grade).where(Grade.discussion_id == w.discussion_id,
                                                      Grade.student_id == student.id))
        quality = rubrics.rubric_of(discussion).rubric.points["quality"]
        sheet.save_grade(discussion, student.id, teacher, sheet.GradeEntry(
            score=(n % 11) * discussion.points_possible / 10 if n % 2 else None,
            feedback=None, quality=min(quality, (n % 3) / 2) if quality else None,
            version=grade.version_id if grade else 1))
    elif operation == "accept":
        sheet.accept_suggestions(discussion, teacher)
    elif operation in ("release", "unrelease"):
        sheet.set_released(discussion, teacher, operation == "release")
    elif operation == "rubric":
        rubrics.set_course_rubric(course, teacher, {
            "points": {"substantive": 4, "replies": 3 + n % 2, "on_time": 1, "citation": 1,
                       "readability": n % 2, "quality": (n // 2) % 3},
            "replies_partial": ("proportional", "half", "none")[n % 3],
            "late_policy": ("none", "per_day", "cutoff")[(n // 3) % 3],
            "late_percent_per_day": 25, "late_cutoff_days": 1})
    elif operation == "policy":
        policies.set_course_policy(course, teacher, {
            "watched_words": [_pick(["treaty", "court", "sanctions"], n)] if n % 2 else [],
            "max_grade": (10, 18, 30)[n % 3]})
        db.session.flush()
        rescore.rescore_undecided(course, teacher)
    elif operation == "settings":
        discussions.update_discussion(discussion, teacher, discussions.DiscussionFields(
            title=discussion.title, due_at=discussion.due_at + timedelta(days=n % 3 - 1),
            points_possible=(10, 20, 150)[n % 3], required_replies=n % 3,
            min_words=(5, 12)[n % 2], max_words=200, reply_min_words=2))
    elif operation == "roster":
        ta = db.session.scalar(select(Membership).where(
            Membership.course_id == w.course_id, Membership.role == Role.TA))
        if ta is not None and n % 2:
            staff.remove_ta(course, teacher, ta.id)
        else:
            new = User(email=f"joiner{next(tokens)}@school.test", display_name="New Member",
                       sortable_name="Member, New")
            db.session.add(new)
            db.session.flush()
            courses.enrol(new, course, Role.TA if ta is None else Role.STUDENT)


@settings(max_examples=30, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(st.tuples(st.sampled_from(OPERATIONS), st.integers(0, 10_000)),
                      min_size=6, max_size=24))
def test_stored_suggestions_and_every_page_follow_any_sequence(app, make_course, make_user,
                                                               make_discussion, enrol, steps):
    course = make_course()
    discussion = make_discussion(course, min_words=5, max_words=200, reply_min_words=2,
                                 required_replies=1)
    for name in ("Amara Okafor", "Sam Rivera", "Kai Nguyen"):
        enrol(make_user(name), course)
    enrol(make_user("Tess Assistant"), course, Role.TA)
    with app.app_context():
        w = SimpleNamespace(course_id=course.id, discussion_id=discussion.id,
                            teacher_id=db.session.scalar(select(Membership.user_id).where(
                                Membership.course_id == course.id,
                                Membership.role == Role.INSTRUCTOR)))
        for operation, n in steps:
            try:
                run(w, operation, n)
                db.session.commit()
            except ServiceError:
                db.session.rollback()
            assert stale_suggestions(w.course_id) == [], (operation, n)
        assert pages_disagree(w.course_id) == []
