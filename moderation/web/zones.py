"""Dates on a course's pages, in the course's time zone: the one date field every form uses
and the one `when` filter every template uses.

The zone is the request's: `access` sets it when it loads the course a page is about
(`use_zone`), so a field or a filter never needs the course passed in; a page about no
course (My comments, My courses) shows UTC unless a template names the course.
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from typing import Any

from flask import g, has_app_context
from wtforms.fields import DateTimeLocalField

from moderation.extensions import db
from moderation.models import Course
from moderation.services import time_zones

# What a browser's <input type="datetime-local"> sends, with or without seconds.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]


def use_zone(course_id: int) -> None:
    """Type and show this request's dates in this course's zone (read when first needed:
    the course is usually in the session already, so it costs no statement)."""
    g.zone_course_id = course_id


def zone_name() -> str:
    """The IANA name of the zone this request's dates are in."""
    course_id = g.get("zone_course_id") if has_app_context() else None
    course = db.session.get(Course, course_id) if course_id is not None else None
    return course.time_zone if course is not None else time_zones.DEFAULT


def current_zone() -> tzinfo:
    """The zone this request's dates are in."""
    return time_zones.zone(zone_name())


def when(value: datetime | None, where: Course | str | None = None, year: bool = True) -> str:
    """Show a stored instant in the page's zone (or `where`'s), e.g. "Mon 14 Dec 2026, 23:59
    EST"; the one filter every date on a page goes through."""
    if where is None:
        zone = current_zone()
    else:
        zone = time_zones.zone(where.time_zone if isinstance(where, Course) else where)
    return time_zones.show(value, zone, year=year)


class CourseDateTimeField(DateTimeLocalField):
    """A date and time typed in the course's zone, read as an aware UTC instant; a stored
    instant is put back in the input in that zone. Every date a course's form asks for
    uses it (`tests/test_time_zones.py` holds that)."""

    data: datetime | None

    def __init__(self, label: str | None = None, validators: Any = None, **kwargs: Any):
        kwargs.setdefault("format", DATETIME_FORMATS)
        super().__init__(label, validators, **kwargs)
        # Bound when the form is built, after the view loaded the course: the label says
        # which clock the date is on.
        self.label.text = f"{self.label.text} ({zone_name()})"

    def process_formdata(self, valuelist: list[Any]) -> None:
        """Parse the wall time, then place it in the zone; a skipped time is refused."""
        super().process_formdata(valuelist)
        if self.data is not None:
            try:
                self.data = time_zones.to_utc(self.data, current_zone())
            except time_zones.NoSuchTime as refusal:
                self.data = None
                raise ValueError(refusal.message) from None

    def _value(self) -> str:
        if self.raw_data:
            return " ".join(self.raw_data)
        if self.data is not None:
            value = self.data if self.data.tzinfo else self.data.replace(tzinfo=UTC)
            return value.astimezone(current_zone()).strftime(self.format[0])
        return ""
