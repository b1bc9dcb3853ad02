"""Fetch-or-refuse helpers shared by every view that loads a course object."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import joinedload, lazyload

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, Membership
from moderation.services.comments.revisions import require_author
from moderation.services.courses import Permission, remember_membership, require_member
from moderation.services.discussions import visible_to_students
from moderation.web.zones import use_zone


def course_or_404(course_id: int, *, staff: bool = False,
                  permission: Permission | None = None) -> tuple[Course, Membership]:
    """Return the course and the viewer's membership (404 to outsiders, 403 to students)."""
    course = db.get_or_404(Course, course_id)
    membership = require_member(current_user, course, staff=staff, permission=permission)
    use_zone(course.id)
    return course, membership


def discussion_or_404(discussion_id: int, *, staff: bool = False,
                      permission: Permission | None = None) -> tuple[Discussion, Membership]:
    """Return the discussion and the viewer's membership; students never see drafts."""
    discussion, loaded = _discussion_with_membership(discussion_id)
    membership = require_member(current_user, discussion.course, staff=staff,
                                permission=permission)
    del loaded  # held until require_member read it back (the session holds it weakly)
    if not membership.role.is_staff and not visible_to_students(discussion):
        abort(404)
    use_zone(discussion.course_id)
    return discussion, membership


# Every discussion page and submit reads it, so it is built once: building it cost more
# than running it (issue #19).
_WITH_MEMBERSHIP = (
    select(Discussion, Membership)
    .outerjoin(Membership, and_(Membership.course_id == Discussion.course_id,
                                Membership.user_id == bindparam("user")))
    # The member is the signed-in user, already loaded: no join to read it again.
    .options(joinedload(Discussion.course), lazyload(Membership.user))
    .where(Discussion.id == bindparam("discussion")))


def _discussion_with_membership(discussion_id: int) -> tuple[Discussion, Membership | None]:
    """The discussion, its course and the viewer's membership of it in one statement (every
    caller checks the membership next: `require_member` finds it without a query)."""
    if not current_user.is_authenticated:
        return db.get_or_404(Discussion, discussion_id,
                             options=[joinedload(Discussion.course)]), None
    row = db.session.execute(_WITH_MEMBERSHIP, {"discussion": discussion_id,
                                                "user": current_user.id}).first()
    if row is None:
        abort(404)
    discussion, membership = row
    if membership is not None:
        remember_membership(membership)
    return discussion, membership


def comment_or_404(comment_id: int, *, staff: bool = False) -> tuple[Comment, Membership]:
    """Return the comment and the viewer's membership."""
    comment = db.get_or_404(Comment, comment_id)
    membership = require_member(current_user, comment.discussion.course, staff=staff)
    use_zone(comment.course_id)
    return comment, membership


def own_comment_or_404(comment_id: int) -> tuple[Comment, Membership]:
    """Return the viewer's own comment (404 to classmates and outsiders, 403 to staff)."""
    comment = db.get_or_404(Comment, comment_id)
    membership = require_author(comment, current_user)
    use_zone(comment.course_id)
    return comment, membership
