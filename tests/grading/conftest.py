"""Fixtures for grading and gradebook tests: comments set up directly, and a small course."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace

import pytest
from flask import Flask

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Flag,
    Role,
    Severity,
    User,
    utcnow,
)
from tests.conftest import committed, instructor_of

TEXT = ("The withdrawal shows the limits of the court more than it weakens it, because the "
        "treaty was never ratified and the court depends on states to act.")


@pytest.fixture
def make_comment(app: Flask) -> Callable[..., Comment]:
    """Return a factory of committed comments, stored as the analysis would have left them."""

    def make(discussion: Discussion, author: User, body: str = TEXT, *,
             status: CommentStatus = CommentStatus.APPROVED, parent: Comment | None = None,
             words: int | None = None, grade: float = 9.0, ago: timedelta | None = None,
             flags: tuple[tuple[str, Severity], ...] = ()) -> Comment:
        with app.app_context():
            when = (discussion.due_at or utcnow()) - (ago if ago is not None
                                                       else timedelta(days=1))
            comment = Comment(
                discussion_id=discussion.id, course_id=discussion.course_id,
                author_id=author.id, parent_id=parent.id if parent else None, body=body,
                status=status, submitted_at=when, submission_token=secrets.token_hex(8),
                word_count=words if words is not None else len(body.split()),
                metrics={"words": words or len(body.split()), "flesch_kincaid_grade": grade},
                flag_level=max((s.level for _, s in flags), default=0),
                flags=[Flag(rule=rule, severity=severity, message=f"{rule} found")
                       for rule, severity in flags])
            db.session.add(comment)
            return committed(comment)

    return make


@pytest.fixture
def graded_course(app, make_user, make_course, make_discussion, enrol):
    """A course with one discussion (10 points, 2 replies, 5–200 words), students and a TA."""
    course = make_course()
    discussion = make_discussion(course, title="Week 3: Leaving the court", min_words=5,
                                 max_words=200, reply_min_words=3, required_replies=2,
                                 points_possible=10, lms_assignment_id="1201")
    people = {name: make_user(full) for name, full in (
        ("amara", "Amara Okafor"), ("sam", "Sam Rivera"), ("kai", "Kai Nguyen"),
        ("ta", "Tess Assistant"))}
    for name, user in people.items():
        enrol(user, course, Role.TA if name == "ta" else Role.STUDENT)
    return SimpleNamespace(course=course, discussion=discussion,
                           teacher=instructor_of(app, course), **people)


def reload(obj):
    """The object's row in this session."""
    return db.session.get(type(obj), obj.id)


def course_row(course: Course) -> Course:
    return db.session.get(Course, course.id)
