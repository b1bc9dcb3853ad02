"""A comment flagged as copied, side by side with the classmate's comment it matches."""

from __future__ import annotations

from flask import render_template, request
from flask.typing import ResponseReturnValue

from moderation.extensions import db
from moderation.models import Comment
from moderation.services.comments import copies
from moderation.services.comments.queue import QueueFilter
from moderation.web.access import course_or_404
from moderation.web.dashboard import bp


@bp.get("/comments/<int:comment_id>/copy")
def compare_copy(comment_id: int) -> ResponseReturnValue:
    """The comment and the comment it matches, the passages they share marked."""
    comment = db.get_or_404(Comment, comment_id)
    course, membership = course_or_404(comment.course_id, staff=True)
    return render_template("dashboard/copies.html", pair=copies.compare(comment),
                           comment=comment, course=course, membership=membership,
                           discussion=comment.discussion,
                           f=QueueFilter.from_args(request.args))
