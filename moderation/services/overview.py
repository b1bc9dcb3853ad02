"""What waits for a member of staff, counted for the pages that list their courses."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Discussion


def waiting(course_ids: Collection[int]) -> dict[int, list[tuple[Discussion, int]]]:
    """Each course's discussions with comments awaiting a decision, and how many, by title."""
    if not course_ids:
        return {}
    found: dict[int, list[tuple[Discussion, int]]] = {}
    rows = db.session.execute(
        select(Discussion, func.count(Comment.id))
        .join(Comment, Comment.discussion_id == Discussion.id)
        .where(Discussion.course_id.in_(course_ids), Comment.status == CommentStatus.PENDING)
        .group_by(Discussion.id).order_by(Discussion.title, Discussion.id))
    for discussion, count in rows:
        found.setdefault(discussion.course_id, []).append((discussion, count))
    return found
