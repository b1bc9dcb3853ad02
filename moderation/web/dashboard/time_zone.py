"""The course's time zone (a small form on the course dashboard)."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.extensions import db
from moderation.services import time_zones
from moderation.services.courses import Permission
from moderation.web.access import course_or_404
from moderation.web.dashboard import bp, courses
from moderation.web.forms import TimeZoneForm
from moderation.web.refusals import REFUSALS, shown


@bp.post("/courses/<int:course_id>/time-zone")
def set_time_zone(course_id: int) -> ResponseReturnValue:
    """Type and show the course's dates in another zone (stored instants do not move)."""
    course, membership = course_or_404(course_id, permission=Permission.MANAGE)
    form = TimeZoneForm()
    if form.validate_on_submit():
        try:
            changed = time_zones.set_time_zone(course, current_user, form.time_zone.data)
        except REFUSALS as refusal:
            status = shown(form, refusal, "time_zone")
        else:
            db.session.commit()
            if changed:
                flash(f"Dates in {course.title} are now typed and shown in "
                      f"{course.time_zone}.", "success")
            return redirect(url_for("dashboard.course", course_id=course.id,
                                    _anchor="time-zone"), code=303)
    else:
        status = 422
    return courses.course_page(course, membership, zone_form=form), status
