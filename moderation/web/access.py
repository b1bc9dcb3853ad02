"""Fetch-or-refuse helpers shared by every view that loads a course object."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy.orm import joinedload

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, Membership
from moderation.services.comments.revisions import require_author
from moderation.services.courses import Permission, require_member
from moderation.services.discussions import visible_to_students


def course_or_404(course_id: int, *, staff: bool = False,
                  permission: Permission | None = None) -> tuple[Course, Membership]:
    """Return the course and the viewer's membership (404 to outsiders, 403 to students)."""
    course = db.get_or_404(Course, course_id)
    return course, require_member(current_user, course, staff=staff, permission=permission)


def discussion_or_404(discussion_id: int, *, staff: bool = False,
                      permission: Permission | None = None) -> tuple[Discussion, Membership]:
    """Return the discussion and the viewer's membership; students never see drafts."""
    # The course comes in the same query: every caller checks membership of it next.
    discussion = db.get_or_404(Discussion, discussion_id,
                               options=[joinedload(Discussion.course)])
    membership = require_member(current_user, discussion.course, staff=staff,
                                permission=permission)
    if not membership.role.is_staff and not visible_to_students(discussion):
        abort(404)
    return discussion, membership


def comment_or_404(comment_id: int, *, staff: bool = False) -> tuple[Comment, Membership]:
    """Return the comment and the viewer's membership."""
    comment = db.get_or_404(Comment, comment_id)
    membership = require_member(current_user, comment.discussion.course, staff=staff)
    return comment, membership


def own_comment_or_404(comment_id: int) -> tuple[Comment, Membership]:
    """Return the viewer's own comment (404 to classmates and outsiders, 403 to staff)."""
    comment = db.get_or_404(Comment, comment_id)
    return comment, require_author(comment, current_user)
