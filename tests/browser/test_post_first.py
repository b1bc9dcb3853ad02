# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""In Chromium, post before you see: a student who has not posted reads the notice and no
classmate's text; once they post, the classmates' responses appear. axe passes on the
hidden state at 1280 and 375 px."""

from __future__ import annotations

from playwright.sync_api import expect

from moderation.analysis import Context, Policy, analyze
from moderation.extensions import db
from moderation.models import Discussion, PostFirst
from tests.browser.conftest import BROWSER, sign_in
from tests.browser.test_fit_and_axe import survey
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER

CLASSMATE = ("The prosecutor can still open cases about the years before the withdrawal, so "
             "little changes at once.")
RESPONSE = ("Leaving the court changes less than it seems, because the court keeps its reach "
            "over what happened before the withdrawal took effect.")


def test_a_student_posts_first_and_then_sees_classmates(app, page, server, graded_course,
                                                        make_comment):
    c = graded_course
    make_comment(c.discussion, c.kai, CLASSMATE)
    with app.app_context():
        db.session.get(Discussion, c.discussion.id).post_first = PostFirst.SUBMITTED
        db.session.commit()
        # The first analysis in a process loads its word lists and models (seconds on a
        # busy machine): done here, not inside the click's wait for its navigation.
        analyze(RESPONSE, Context(), Policy())
    sign_in(page, server, c.amara)
    path = f"/discussions/{c.discussion.id}"
    problems = survey(page, server, [path])  # axe and the phone width, hidden state
    assert not problems, "\n".join(problems)

    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(server + path)
    expect(page.locator("#post-first")).to_have_text(
        "Post your response to see your classmates'.")
    expect(page.locator("main")).not_to_contain_text("The prosecutor can still open cases")
    expect(page.locator("main")).not_to_contain_text("Kai Nguyen")

    page.fill("#body", RESPONSE)
    page.get_by_role("button", name="Submit").click()
    expect(page.locator("article.comment .just-posted")).to_be_visible()
    expect(page.locator("#post-first")).to_have_count(0)
    expect(page.locator("main")).to_contain_text("The prosecutor can still open cases")
    expect(page.locator("main")).to_contain_text("Kai Nguyen")
    problems = survey(page, server, [path])  # and the opened state
    assert not problems, "\n".join(problems)
