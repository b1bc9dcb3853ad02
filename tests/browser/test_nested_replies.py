# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""In Chromium at 375 px: a student replies to a classmate's reply, and then to the reply at
the deepest level; the thread nests twice and no deeper, and nothing scrolls sideways."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import BROWSER, sign_in
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER

WIDTH = 375
ANSWER = ("The reports are public, so anyone can check what the prosecutor already holds "
          "against the officials.")
AGAIN = "Public, yes, but nobody outside the court can act on them without a warrant first."


def fits(page, selector: str) -> None:
    """The element is inside the phone's width, and the page does not scroll sideways."""
    box = page.locator(selector).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, box
    assert page.evaluate("document.scrollingElement.scrollWidth") <= WIDTH


def test_reply_to_a_reply_and_beyond_on_a_phone(app, page, server, graded_course,
                                                make_comment):
    c = graded_course
    kai = make_comment(c.discussion, c.kai, "The prosecutor can still open cases about the "
                       "years before the withdrawal, so little changes at once.")
    amara = make_comment(c.discussion, c.amara, "But the court has no police of its own, so "
                         "its reach depends on the neighbours.", parent=kai)
    page.set_viewport_size({"width": WIDTH, "height": 740})
    sign_in(page, server, c.sam)
    page.goto(f"{server}/discussions/{c.discussion.id}")

    # Sam answers Amara's reply: the form says whom, and the answer nests under hers.
    page.locator(f"#comment-{amara.id} > footer").get_by_role("link", name="Reply").click()
    expect(page.locator(".replying-to")).to_contain_text("Replying to Amara Okafor")
    page.fill("#body", ANSWER)
    page.get_by_role("button", name="Submit").click()
    deepest = page.locator(f"#comment-{amara.id} .reply article.comment").filter(has_text=ANSWER)
    expect(deepest).to_be_visible()
    sam_id = deepest.get_attribute("id")
    fits(page, f"#{sam_id}")
    assert_accessible(page, "a reply to a reply, 375 px")

    # Kai answers Sam's reply at the deepest level: placed beside it, naming Sam, no deeper.
    page.context.clear_cookies()
    sign_in(page, server, c.kai)
    page.goto(f"{server}/discussions/{c.discussion.id}")
    page.locator(f"#{sam_id} > footer").get_by_role("link", name="Reply").click()
    expect(page.locator(".replying-to")).to_contain_text("Replying to Sam Rivera")
    page.fill("#body", AGAIN)
    page.get_by_role("button", name="Submit").click()
    beside = page.locator(f"#comment-{amara.id} > .reply > article.comment").filter(
        has_text=AGAIN)
    expect(beside).to_contain_text("Replying to Sam Rivera")
    assert page.locator(f"#{sam_id} .reply").count() == 0  # not nested a third time
    fits(page, f"#{beside.get_attribute('id')}")
    assert_accessible(page, "a reply beside the deepest one, 375 px")
