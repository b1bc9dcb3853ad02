"""The effective analysis policy of a discussion: course defaults, then its overrides."""

from __future__ import annotations

import dataclasses
from typing import Any

from moderation.analysis import Policy
from moderation.extensions import db
from moderation.models import Course, Discussion, User
from moderation.services import audit


def course_policy(course: Course) -> Policy:
    """Return the course's default policy."""
    return Policy.from_dict(course.policy or {})


def effective_policy(discussion: Discussion) -> Policy:
    """Return the policy the rules apply to comments in this discussion."""
    policy = Policy.from_dict(discussion.policy_overrides or {}, course_policy(discussion.course))
    # The discussion's own word range is edited on its form, so it wins.
    return dataclasses.replace(
        policy,
        min_words=discussion.min_words,
        max_words=discussion.max_words,
        reply_min_words=discussion.reply_min_words,
        reply_max_words=discussion.reply_max_words,
    )


def set_course_policy(course: Course, actor: User, data: dict[str, Any]) -> Policy:
    """Validate and store the course's default policy (PolicyError names the bad key)."""
    policy = Policy.from_dict(data)
    before = course.policy
    course.policy = {k: v for k, v in policy.to_dict().items() if k in data}
    audit.record("course.policy_set", actor=actor, course_id=course.id, obj=course,
                 before=before, after=course.policy)
    db.session.flush()
    return policy


def set_discussion_policy(discussion: Discussion, actor: User, data: dict[str, Any]) -> Policy:
    """Validate and store a discussion's overrides of the course policy."""
    policy = Policy.from_dict(data, course_policy(discussion.course))
    before = discussion.policy_overrides
    discussion.policy_overrides = {k: v for k, v in policy.to_dict().items() if k in data}
    audit.record("discussion.policy_set", actor=actor, course_id=discussion.course_id,
                 obj=discussion, before=before, after=discussion.policy_overrides)
    db.session.flush()
    return policy
