"""A launch inside the LMS's iframe, cross-site (the LMS on localhost, the tool on 127.0.0.1),
in Debian's Chromium. A browser that keeps third-party cookies completes it in the frame (with
Secure cookies: SameSite=None); one that refuses them (Chromium's headless and incognito
default, Safari) gets "Open in a new window", and the launch completes there, with Secure
cookies or (plain HTTP) through the same-site relay of the launch."""

from __future__ import annotations

import pytest

from tests.browser.a11y import FAILING_IMPACTS, axe_violations, describe
from tests.browser.conftest import BROWSER
from tests.lti.platform import Platform
from tests.lti.test_launches import set_up

pytestmark = BROWSER


@pytest.fixture
def lms(app, server):
    platform = Platform(host="localhost").start()
    platform.tool = server
    platform.tool_login, platform.tool_launch = f"{server}/lti/login", f"{server}/lti/launch"
    result = app.test_cli_runner().invoke(args=platform.registration_args())
    assert result.exit_code == 0, result.output
    platform.add_person("teacher", "Ina Structor", "instructor")
    platform.add_person("s1", "Ada Lovelace", "learner")
    platform.add_link("link1", "Week 1: the treaty")
    set_up(app.test_client(), platform, title="Week 1: the treaty")
    yield platform
    platform.stop()


def course_page(page, lms):
    page.goto(f"{lms.base}/course?user=s1&link=link1")
    return page.frame_locator("#tool")


def completes(page, lms):
    """The launch lands on the discussion, in the frame or in the new window it offers."""
    frame = course_page(page, lms)
    landed = frame.locator("h1", has_text="Week 1: the treaty")
    offer = frame.locator("#lti-new-window")
    landed.or_(offer).wait_for()
    if landed.is_visible():
        frame.locator("textarea").first.wait_for()  # the response form, in the LMS's page
        return "frame"
    assert "state not found" not in frame.locator("body").inner_text().lower()
    with page.context.expect_page() as opened:
        offer.click()
    window = opened.value
    window.wait_for_url("**/discussions/*")
    window.locator("h1", has_text="Week 1: the treaty").wait_for()
    window.locator("textarea").first.wait_for()
    return "window"


def test_with_secure_cookies(app, page, lms):
    app.config["SESSION_COOKIE_SECURE"] = True  # as behind HTTPS; Chromium trusts 127.0.0.1
    assert completes(page, lms) in ("frame", "window")


def test_over_plain_http(app, page, lms):
    assert completes(page, lms) == "window"  # no SameSite=None cookie without Secure


def test_the_launch_pages_pass_axe(app, page, lms):
    # The offer inside the LMS's frame and the page the new window lands on: a launch is a
    # student's first sight of the tool, and the same WCAG 2.1 AA bar applies to it.
    frame = course_page(page, lms)
    frame.locator("#lti-new-window").wait_for()
    [tool] = [f for f in page.frames if f.url.startswith(lms.tool)]
    failing = [v for v in axe_violations(tool) if v["impact"] in FAILING_IMPACTS]
    with page.context.expect_page() as opened:
        frame.locator("#lti-new-window").click()
    window = opened.value
    window.locator("h1", has_text="Week 1: the treaty").wait_for()
    failing += [v for v in axe_violations(window) if v["impact"] in FAILING_IMPACTS]
    assert not failing, describe(failing)
