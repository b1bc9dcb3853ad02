"""Browser fixtures: the app served on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from tests.conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]

# Each browser test module sets `pytestmark = BROWSER`.
BROWSER = [
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
