"""The course's new-student moderation setting (a small form on the course dashboard)."""

from __future__ import annotations

from flask import flash, make_response, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from moderation.extensions import db
from moderation.models.courses import MAX_NEWCOMER_APPROVALS
from moderation.services import newcomers
from moderation.services.courses import Permission
from moderation.web.access import course_or_404
from moderation.web.dashboard import bp, courses
from moderation.web.refusals import REFUSALS


class NewcomerForm(FlaskForm):
    """How many approved comments a student needs before theirs follow the mode."""

    approvals = IntegerField("Approvals needed", validators=[
        InputRequired(), NumberRange(0, MAX_NEWCOMER_APPROVALS)])


def _refused(course_id: int) -> ResponseReturnValue:
    """The course page again, with the refusal flashed at its top, as a 422."""
    return make_response(courses.course(course_id), 422)


@bp.post("/courses/<int:course_id>/newcomers")
def set_newcomers(course_id: int) -> ResponseReturnValue:
    """Hold new students' comments until N of theirs are approved (0: off)."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    form = NewcomerForm()
    back = redirect(url_for("dashboard.course", course_id=course.id, _anchor="newcomers"),
                    code=303)
    if not form.validate_on_submit():
        flash("New students: choose a number from 0 (off) to "
              f"{MAX_NEWCOMER_APPROVALS}.", "error")
        return _refused(course_id)
    try:
        changed = newcomers.set_newcomer_approvals(course, current_user, form.approvals.data)
    except REFUSALS as refusal:
        db.session.rollback()
        flash(refusal.message, "error")  # the form is a line on the course page
        return _refused(course_id)
    db.session.commit()
    if changed:
        n = course.newcomer_approvals
        flash(f"New students' comments now wait until {n} of theirs are approved."
              if n else "New-student moderation is off.", "success")
    return back
