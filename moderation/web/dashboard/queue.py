"""The moderation queue: lists of comments to decide, one comment, and the decisions."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from moderation.extensions import db
from moderation.models import Comment, CommentStatus
from moderation.web.access import discussion_or_404
from moderation.web.dashboard import bp


@bp.get("/discussions/<int:discussion_id>/queue")
def queue_page(discussion_id: int) -> ResponseReturnValue:
    """The discussion's comments awaiting moderation, oldest first, with their flags."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    pending = list(db.session.scalars(
        select(Comment).where(Comment.discussion_id == discussion.id,
                              Comment.status == CommentStatus.PENDING)
        .options(selectinload(Comment.flags))
        .order_by(Comment.submitted_at, Comment.id)
    ).unique())
    return render_template("dashboard/queue.html", discussion=discussion,
                           membership=membership, pending=pending)
