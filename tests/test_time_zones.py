# ruff: noqa: F811 - the fixture imported from tests/grading/conftest.py is a parameter here
"""A course's time zone (issue 22): dates are typed and shown in it, stored in UTC; the late
rule reads the stored instant; a skipped time and an unknown zone are refused with the form
kept; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Course, Discussion, User
from moderation.services import audit_log, time_zones
from moderation.services.grades import participation
from moderation.web.forms import DiscussionForm
from moderation.web.zones import CourseDateTimeField
from tests.conftest import committed, instructor_of
from tests.grading.conftest import make_comment  # noqa: F401 - fixture
from tests.test_discussions import FORM

NEW_YORK = "America/New_York"


@pytest.fixture
def ny_course(app, make_course):
    """A course whose dates are on New York's clock."""
    course = make_course()
    teacher = instructor_of(app, course)
    with app.app_context():
        row = db.session.get(Course, course.id)
        time_zones.set_time_zone(row, db.session.get(User, teacher.id), NEW_YORK)
        committed(row)  # the fixture's copy is New York's too (factories merge it)
    return row, teacher


def only_discussion(app) -> Discussion:
    with app.app_context():
        discussion = db.session.scalar(select(Discussion))
        db.session.expunge(discussion)
        return discussion


def test_a_due_date_typed_in_new_york_is_stored_in_utc_and_shown_back(
        app, client, login_as, ny_course):
    course, teacher = ny_course
    login_as(teacher)
    form_page = client.get(f"/teach/courses/{course.id}/discussions/new").text
    assert f"Due ({NEW_YORK})" in form_page  # the label says which clock
    response = client.post(f"/teach/courses/{course.id}/discussions/new",
                           data=FORM | {"due_at": "2026-12-14T23:59"})
    assert response.status_code == 302, response.text
    discussion = only_discussion(app)
    assert discussion.due_at == datetime(2026, 12, 15, 4, 59, tzinfo=UTC)
    edit = client.get(f"/teach/discussions/{discussion.id}/edit").text
    assert 'value="2026-12-14T23:59"' in edit  # back in the input on the course's clock
    page = client.get(f"/teach/courses/{course.id}").text
    assert "Mon 14 Dec 2026, 23:59 EST" in page
    # Saving the form again without touching the date leaves the instant where it was.
    assert client.post(f"/teach/discussions/{discussion.id}/edit",
                       data=FORM | {"due_at": "2026-12-14T23:59"}).status_code == 302
    assert only_discussion(app).due_at == datetime(2026, 12, 15, 4, 59, tzinfo=UTC)


def test_summer_time_is_read_with_its_own_offset(app, client, login_as, ny_course):
    course, teacher = ny_course
    login_as(teacher)
    client.post(f"/teach/courses/{course.id}/discussions/new",
                data=FORM | {"due_at": "2026-07-01T23:59"})
    discussion = only_discussion(app)
    assert discussion.due_at == datetime(2026, 7, 2, 3, 59, tzinfo=UTC)  # EDT, UTC-4
    assert "Wed 1 Jul 2026, 23:59 EDT" in client.get(f"/teach/courses/{course.id}").text


def test_a_time_the_clocks_skip_is_refused_with_the_form_kept(
        app, client, login_as, ny_course):
    course, teacher = ny_course
    login_as(teacher)
    response = client.post(f"/teach/courses/{course.id}/discussions/new",
                           data=FORM | {"due_at": "2026-03-08T02:30"})
    assert response.status_code == 422
    assert ("02:30 on 8 Mar 2026 does not exist in America/New_York: the clocks go from "
            "02:00 to 03:00. Choose 01:59 or 03:00.") in response.text
    assert 'value="2026-03-08T02:30"' in response.text and 'value="Week 2: Sources"' in \
        response.text
    with app.app_context():
        assert db.session.scalar(select(Discussion)) is None


def test_a_time_that_happens_twice_is_the_first(app, client, login_as, ny_course):
    course, teacher = ny_course
    login_as(teacher)
    client.post(f"/teach/courses/{course.id}/discussions/new",
                data=FORM | {"due_at": "2026-11-01T01:30"})
    # 01:30 EDT (UTC-4), not the 01:30 EST an hour later: never later than meant.
    assert only_discussion(app).due_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert "Sun 1 Nov 2026, 01:30 EDT" in client.get(f"/teach/courses/{course.id}").text


def test_the_late_rule_reads_the_stored_instant(app, make_discussion, make_comment,
                                                make_user, enrol, ny_course):
    course, _ = ny_course
    due = datetime(2026, 12, 15, 4, 59, tzinfo=UTC)  # 23:59 on 14 Dec in New York
    discussion = make_discussion(course, due_at=due, opens_at=due - timedelta(days=7))
    on_time, late = make_user("On Time"), make_user("Late Comer")
    for student in (on_time, late):
        enrol(student, course)
    make_comment(discussion, on_time, ago=timedelta(minutes=1))  # 23:58 New York
    make_comment(discussion, late, ago=timedelta(minutes=-1))  # 00:00 New York, 15 Dec
    with app.app_context():
        report = participation.participation(db.session.get(Course, course.id))
        lates = {r.student.display_name: r.late for r in report.rows}
        csv_rows = participation.report_rows(report)
    assert lates == {"On Time": 0, "Late Comer": 1}
    # The report's file, read by a person, gives the times on the course's clock.
    assert "2026-12-14 23:58 EST" in csv_rows[1] + csv_rows[2]
    assert "2026-12-15 00:00 EST" in csv_rows[1] + csv_rows[2]


def test_the_audit_logs_days_are_the_courses_days(app, ny_course):
    course, teacher = ny_course
    evening = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)  # 22:00 on 14 Dec in New York
    with app.app_context():
        db.session.add(AuditEvent(course_id=course.id, action="test.evening", at=evening,
                                  actor_id=teacher.id))
        db.session.commit()
        day = datetime(2026, 12, 14).date()
        found = audit_log.page(course.id, audit_log.AuditFilter(
            action="test.evening", since=day, until=day, zone=NEW_YORK))
        next_day = audit_log.page(course.id, audit_log.AuditFilter(
            action="test.evening", since=day + timedelta(days=1), zone=NEW_YORK))
        assert [e.event.at for e in found.entries] == [evening]
        assert next_day.entries == []


def test_the_course_page_sets_the_zone_and_refuses_an_unknown_one(
        app, client, login_as, make_course):
    course = make_course()
    login_as(instructor_of(app, course))
    refused = client.post(f"/teach/courses/{course.id}/time-zone",
                          data={"time_zone": "Mars/Olympus_Mons"})
    assert refused.status_code == 422
    assert 'id="time-zone"' in refused.text and "Not a valid choice" in refused.text
    with app.app_context():
        assert db.session.get(Course, course.id).time_zone == "UTC"
    done = client.post(f"/teach/courses/{course.id}/time-zone", data={"time_zone": NEW_YORK})
    assert done.status_code == 303
    with app.app_context():
        assert db.session.get(Course, course.id).time_zone == NEW_YORK
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "course.time_zone_set"))
        assert (event.before, event.after) == ({"time_zone": "UTC"}, {"time_zone": NEW_YORK})
    page = client.get(f"/teach/courses/{course.id}").text
    assert f'<option selected value="{NEW_YORK}">' in page


def test_the_service_refuses_an_unknown_zone_and_changes_nothing(app, make_course):
    course = make_course()
    teacher = instructor_of(app, course)
    with app.app_context():
        row = db.session.get(Course, course.id)
        with pytest.raises(time_zones.InvalidInput):
            time_zones.set_time_zone(row, db.session.get(User, teacher.id), "Not/AZone")
        assert row.time_zone == "UTC"


def test_a_new_course_takes_the_zone_chosen_and_refuses_an_unknown_one(
        app, client, make_user, login_as):
    login_as(make_user("Ina Structor", instructor=True))
    refused = client.post("/teach/courses/new", data={
        "title": "Politics", "code": "POL-1", "time_zone": "Europe/Nowhere"})
    assert refused.status_code == 422 and 'value="Politics"' in refused.text
    assert client.post("/teach/courses/new", data={
        "title": "Politics", "code": "POL-1", "time_zone": "Europe/Paris"}).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Course.time_zone)) == "Europe/Paris"


def test_an_existing_course_and_a_course_made_without_a_zone_are_utc(app, make_course):
    course = make_course()
    with app.app_context():
        assert db.session.get(Course, course.id).time_zone == "UTC"


def test_every_date_a_discussion_asks_for_is_on_the_courses_clock(app):
    # A second due date added later must use the same field, so it is typed in the zone too.
    with app.test_request_context():
        form = DiscussionForm(meta={"csrf": False})
        dates = [f for f in form if "DateTime" in type(f).__name__ or f.type == "DateField"]
        assert dates and all(isinstance(f, CourseDateTimeField) for f in dates), dates


def test_an_instant_is_shown_with_its_zones_abbreviation():
    from moderation.services.time_zones import show, zone
    at = datetime(2026, 12, 15, 4, 59, tzinfo=UTC)
    assert show(at, zone(NEW_YORK), year=False) == "Mon 14 Dec, 23:59 EST"
    assert show(at, zone("Asia/Dubai")) == "Tue 15 Dec 2026, 08:59 UTC+04"
    assert zone("Not/AZone") is UTC  # a stored name this machine lacks reads as UTC


@pytest.mark.parametrize(("name", "typed", "said"), [
    ("Australia/Lord_Howe", datetime(2026, 10, 4, 2, 15),  # clocks go half an hour forward
     "the clocks go from 02:00 to 02:30. Choose 01:59 or 02:30."),
    ("Pacific/Apia", datetime(2011, 12, 30, 12, 0),  # Samoa skipped a whole day
     "the clocks go from 30 Dec 00:00 to 31 Dec 00:00. Choose 29 Dec 23:59 or 31 Dec 00:00."),
])
def test_a_skipped_time_names_the_times_either_side(name, typed, said):
    with pytest.raises(time_zones.NoSuchTime) as refused:
        time_zones.to_utc(typed, time_zones.zone(name))
    assert refused.value.message.endswith(said)
