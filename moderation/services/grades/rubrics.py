"""Rubrics: the one a discussion uses (its own over the course default) and setting them."""

from __future__ import annotations

from typing import Any

from moderation import grading
from moderation.extensions import db
from moderation.grading import Expectations, Rubric, RubricError
from moderation.models import Course, Discussion, User
from moderation.services import audit, policies
from moderation.services.courses import Permission, require_member
from moderation.services.errors import InvalidInput


def rubric_of(discussion: Discussion) -> grading.Effective:
    """The rubric that applies to a discussion: its own over the course default, scaled."""
    return grading.effective(discussion.course.rubric, discussion.rubric,
                             discussion.points_possible)


def checked_rubric(data: dict[str, Any], base: Rubric | None = None) -> Rubric:
    """Validate a rubric document; refuse it beside the field at fault."""
    try:
        return Rubric.from_dict(data, base)
    except RubricError as error:
        raise InvalidInput(str(error), field=error.key) from error


def set_course_rubric(course: Course, actor: User, data: dict[str, Any]) -> Rubric:
    """Store the course's default rubric (the discussions that use it follow at commit)."""
    require_member(actor, course, permission=Permission.MANAGE)
    rubric = checked_rubric(data)
    if rubric.total <= 0:
        raise InvalidInput("Give at least one criterion some points.", field="total")
    before = course.rubric
    course.rubric = rubric.to_dict()
    audit.record("course.rubric_set", actor=actor, course_id=course.id, obj=course,
                 before=before or None, after=course.rubric)
    db.session.flush()
    return rubric


def set_discussion_rubric(discussion: Discussion, actor: User,
                          data: dict[str, Any] | None) -> grading.Effective:
    """Give a discussion its own rubric, or (None) return it to the course default.

    Its points must add up to the discussion's points possible.
    """
    require_member(actor, discussion.course, permission=Permission.MANAGE)
    if data is not None:
        rubric = checked_rubric(data, Rubric.from_dict(discussion.course.rubric))
        if abs(rubric.total - discussion.points_possible) > 0.005:
            raise InvalidInput(
                f"The criteria add up to {rubric.total:g} points; the discussion is worth "
                f"{discussion.points_possible:g}. Change the points so they add up.",
                field="total")
        data = rubric.to_dict()
    before = discussion.rubric
    discussion.rubric = data
    audit.record("discussion.rubric_set", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before=before, after=data)
    db.session.flush()
    return rubric_of(discussion)


def expectations(discussion: Discussion) -> Expectations:
    """What the discussion asks of each student, with its policy's readability band."""
    policy = policies.effective_policy(discussion)
    return Expectations(
        required_replies=discussion.required_replies, min_words=discussion.min_words,
        max_words=discussion.max_words, reply_min_words=discussion.reply_min_words,
        due_at=discussion.due_at, min_grade=policy.min_grade, max_grade=policy.max_grade,
        replies_due_at=discussion.replies_due_at)
