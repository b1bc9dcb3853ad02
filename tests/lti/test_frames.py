"""Framing: the registered LMS may frame launch routes only. Every page of the app is read, in a
session begun by signing in here and in one begun by a launch; CSRF is on, as in production."""

from __future__ import annotations

import pytest

from tests.lti.conftest import launch
from tests.security.conftest import make_world, sign_in  # noqa: F401 - a fixture
from tests.security.test_access_matrix import routes, url_of

LAUNCH_ROUTES = {"lti.login", "lti.launch", "lti.relaunch"}


def frame_ancestors(response) -> str:
    csp = response.headers["Content-Security-Policy"]
    return next(p.strip() for p in csp.split(";") if p.strip().startswith("frame-ancestors"))


def pages(app, world):
    for rule in routes(app):
        if "GET" in rule.methods:
            yield rule.endpoint, url_of(app, rule, world)


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_only_launch_routes_may_be_framed_by_the_lms(app, client, lms, make_world):  # noqa: F811
    world = make_world()
    sign_in(client, world.users["instructor"])
    wrong = []
    for endpoint, url in pages(app, world):
        response = client.get(url)
        allowed = frame_ancestors(response)
        if endpoint in LAUNCH_ROUTES:
            ok = allowed == f"frame-ancestors {lms.base}" and "X-Frame-Options" not in \
                response.headers
        else:
            ok = allowed == "frame-ancestors 'none'" and \
                response.headers.get("X-Frame-Options") == "DENY"
        if not ok:
            wrong.append(f"{endpoint} {url}: {allowed}")
    posted = client.post("/lti/launch")
    assert frame_ancestors(posted) == f"frame-ancestors {lms.base}"
    assert wrong == []


def test_in_a_launched_session_the_student_pages_follow_the_lms_frame(
        app, lms, make_world):  # noqa: F811
    world = make_world()
    lms.add_link("link1", "Week 1")
    browser = app.test_client()
    launch(browser, lms, "teacher", "link1")
    wrong = []
    for endpoint, url in pages(app, world):
        response = browser.get(url)
        framed = endpoint.startswith(("lti.", "discussions."))
        want = f"frame-ancestors {lms.base}" if framed else "frame-ancestors 'none'"
        if frame_ancestors(response) != want or \
                (response.headers.get("X-Frame-Options") == "DENY") == framed:
            wrong.append(f"{endpoint} {url}: {frame_ancestors(response)}")
    assert wrong == []
