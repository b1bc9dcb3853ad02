"""The LMS side of a course (LTI): send a student's score again, sync the roster now."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import LtiContext, LtiResourceLink, LtiScore, SyncState
from moderation.services import audit
from moderation.services.courses import Permission
from moderation.services.lti import provision as lti_provision
from moderation.services.lti import scores as lti_scores
from moderation.web.access import course_or_404, discussion_or_404
from moderation.web.dashboard import bp
from moderation.web.forms import ConfirmForm


@bp.post("/discussions/<int:discussion_id>/grades/<int:student_id>/lms")
def send_score_again(discussion_id: int, student_id: int) -> ResponseReturnValue:
    """Send a student's released (or taken back) score to the LMS again."""
    discussion, _ = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rows = list(db.session.scalars(
        select(LtiScore).join(LtiResourceLink, LtiResourceLink.id == LtiScore.link_id)
        .where(LtiResourceLink.discussion_id == discussion.id,
               LtiScore.student_id == student_id)))
    if not rows:
        flash("Nothing of this student's has been sent to the LMS.", "info")
    for row in rows:
        lti_scores.send_again(row)
        audit.record("lti.score_resent", actor=current_user, course_id=discussion.course_id,
                     obj=row, subject_id=student_id)
    db.session.commit()
    if rows:
        flash("Sending the score to the LMS again.", "success")
    return redirect(url_for("dashboard.grading_sheet", discussion_id=discussion.id,
                            _anchor=f"student-{student_id}"), code=303)


@bp.post("/courses/<int:course_id>/lms-roster")
def sync_roster(course_id: int) -> ResponseReturnValue:
    """Read the LMS's roster again now (names, roles, who left)."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    contexts = list(db.session.scalars(select(LtiContext).where(
        LtiContext.course_id == course.id)))
    asked = [c for c in contexts if lti_provision.request_roster(c, force=True)]
    if asked:
        audit.record("lti.roster_requested", actor=current_user, course_id=course.id,
                     obj=course)
    db.session.commit()
    waiting = any(c.roster_state == SyncState.WAITING for c in contexts)
    flash("Reading the roster from the LMS." if waiting else
          "This course has no roster in an LMS to read.", "success" if waiting else "info")
    return redirect(url_for("dashboard.roster_page", course_id=course.id), code=303)
