"""The effective analysis policy of a discussion: course defaults, then its overrides."""

from __future__ import annotations

import dataclasses
from typing import Any

from moderation.analysis import Policy, PolicyError
from moderation.extensions import db
from moderation.models import Course, Discussion, User
from moderation.services import audit
from moderation.services.errors import InvalidInput

# The word range has one home: each discussion's own columns, edited on its form.
WORD_RANGE_KEYS = ("min_words", "max_words", "reply_min_words", "reply_max_words")


def course_policy(course: Course) -> Policy:
    """Return the course's default policy."""
    return Policy.from_dict(course.policy or {})


def effective_policy(discussion: Discussion) -> Policy:
    """Return the policy the rules apply to comments in this discussion."""
    policy = Policy.from_dict(discussion.policy_overrides or {}, course_policy(discussion.course))
    return dataclasses.replace(policy, **{key: getattr(discussion, key)
                                          for key in WORD_RANGE_KEYS})


def validated(data: dict[str, Any], base: Policy | None = None) -> Policy:
    """Check a (partial) policy document; refuse it with the key at fault as the field."""
    for key in WORD_RANGE_KEYS:
        if key in data:
            raise InvalidInput("The word range is set on each discussion's settings form, "
                               "not in a policy.", field=key)
    try:
        return Policy.from_dict(data, base)
    except PolicyError as error:
        raise InvalidInput(str(error).capitalize() + ".", field=error.key) from error


def set_course_policy(course: Course, actor: User, data: dict[str, Any]) -> Policy:
    """Validate and store the course's default policy."""
    policy = validated(data)
    before = course.policy
    course.policy = {k: v for k, v in policy.to_dict().items() if k in data}
    audit.record("course.policy_set", actor=actor, course_id=course.id, obj=course,
                 before=before, after=course.policy)
    db.session.flush()
    _refresh_suggestions(course.discussions)
    return policy


def set_discussion_policy(discussion: Discussion, actor: User, data: dict[str, Any]) -> Policy:
    """Validate and store a discussion's overrides of the course policy."""
    policy = validated(data, course_policy(discussion.course))
    before = discussion.policy_overrides
    discussion.policy_overrides = {k: v for k, v in policy.to_dict().items() if k in data}
    audit.record("discussion.policy_set", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before=before, after=discussion.policy_overrides)
    db.session.flush()
    _refresh_suggestions([discussion])
    return policy


def _refresh_suggestions(discussions: list[Discussion]) -> None:
    """The readability band is the policy's: suggestions read it."""
    from moderation.services import grading  # grading reads policies: imported when used

    for discussion in discussions:
        grading.refresh_suggestions(discussion)
