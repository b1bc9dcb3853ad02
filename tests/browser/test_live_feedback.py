"""In a real Chromium: live feedback while typing, and one row from a double click."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from moderation.extensions import db
from moderation.models import Comment
from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
                       reason="Debian's chromium is not installed (.ci/run installs it)"),
]


@pytest.fixture
def db_kind():
    return "sqlite"  # the browser exercises the page; the database tests cover both


@pytest.fixture
def app_config():
    return {"SERVER_NAME": None}


@pytest.fixture
def server(app) -> Iterator[str]:
    """Serve the app on a free port of 127.0.0.1 for the length of the test."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def page(server):
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM) or os.path.exists(CHROMIUM), "chromium is missing"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


@pytest.fixture
def student_in_discussion(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=10, max_words=200)
    student = make_user("Robin Student")
    enrol(student, course)
    return student, discussion


def sign_in(page, server, user):
    page.goto(f"{server}/login")
    page.fill("#email", user.email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def test_live_feedback_while_typing(page, server, student_in_discussion):
    student, discussion = student_in_discussion
    sign_in(page, server, student)
    page.goto(f"{server}/discussions/{discussion.id}")
    page.locator("#body").press_sequentially("According to , the court has no power.")
    feedback = page.locator(".live-feedback")
    feedback.filter(has_text="reading level: grade").wait_for()
    assert "7 words (asked: 10–200)" in feedback.inner_text()
    findings = page.locator(".live-findings li")
    findings.filter(has_text="A citation is missing its source").wait_for()
    assert "out-of-range" in (feedback.get_attribute("class") or "")


def test_double_click_makes_one_comment(app, page, server, student_in_discussion):
    student, discussion = student_in_discussion
    sign_in(page, server, student)
    page.goto(f"{server}/discussions/{discussion.id}")
    page.fill("#body", "The withdrawal mostly shows the limits of the court, since the "
                       "treaty was never ratified by the state.")
    page.dblclick("#comment-form button[type=submit]")
    page.wait_for_url(f"{server}/discussions/{discussion.id}#comment-*")
    page.locator(".comment").filter(has_text="never ratified").first.wait_for()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
