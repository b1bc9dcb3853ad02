"""In a real Chromium: a new course starts on the browser's clock (UTC without script), and a
due date typed on that clock is shown back on it."""

from __future__ import annotations

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Course
from tests.browser.conftest import BROWSER, PASSWORD

pytestmark = BROWSER


def signed_in(page, server, user, **context):
    """A new browser window with these settings (a time zone, script off), signed in."""
    window = page.context.browser.new_context(**context).new_page()
    window.set_default_timeout(15_000)
    window.goto(f"{server}/login")
    window.fill("#email", user.email)
    window.fill("#password", PASSWORD)
    window.click("button[type=submit]")
    window.wait_for_url(f"{server}/")
    return window


def test_a_new_course_starts_on_the_browsers_clock(app, page, server, make_user):
    teacher = make_user("Ina Structor", instructor=True)
    window = signed_in(page, server, teacher, timezone_id="America/New_York")
    window.goto(f"{server}/teach/courses/new")
    assert window.locator("#time_zone").input_value() == "America/New_York"
    window.fill("#title", "International Law")
    window.fill("#code", "LAW-210")
    window.get_by_role("button", name="Create course").click()
    window.get_by_role("button", name="New discussion").click()
    window.fill("#title", "Week 1")
    window.fill("#due_at", "2026-12-14T23:59")
    window.get_by_role("button", name="Save").click()
    window.get_by_text("Mon 14 Dec 2026, 23:59 EST").wait_for()
    with app.app_context():
        assert db.session.scalar(select(Course.time_zone)) == "America/New_York"


def test_without_script_a_new_course_is_in_utc(page, server, make_user):
    teacher = make_user("Ina Structor", instructor=True)
    window = signed_in(page, server, teacher, timezone_id="Asia/Tokyo",
                       java_script_enabled=False)
    window.goto(f"{server}/teach/courses/new")
    assert window.locator("#time_zone").input_value() == "UTC"
