"""In Chromium: grade with suggestions, override one, release, the student sees it, export."""

from __future__ import annotations

from tests.browser.conftest import BROWSER, sign_in
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER


def sign_out(browser_page, base_url):
    browser_page.goto(f"{base_url}/")
    browser_page.click("header button[type=submit]")  # "Sign out"
    browser_page.wait_for_url(f"{base_url}/login*")


def test_grade_override_release_then_the_student_sees_it_and_csv_downloads(
        page, server, graded_course, make_comment):  # noqa: F811 - fixtures
    c = graded_course
    kai_response = make_comment(c.discussion, c.kai)
    make_comment(c.discussion, c.amara, "According to the prosecutor's report the court "
                 "keeps its jurisdiction, so the withdrawal changes little in practice.")
    make_comment(c.discussion, c.amara, "I agree with your point here.", parent=kai_response)

    sign_in(page, server, c.teacher)
    page.goto(f"{server}/teach/discussions/{c.discussion.id}/grades")
    page.get_by_text("Accept suggestions for the 3 ungraded").click()
    page.locator(".flash").filter(has_text="Accepted 3 suggested scores").wait_for()
    assert page.locator(f"#g{c.amara.id}-score").input_value() == "8.50"  # 4+1.5+1+1+1
    assert page.locator(f"#g{c.sam.id}-score").input_value() == "0.00"  # posted nothing

    # Override one row; the form works with the page's own buttons, no script needed.
    page.fill(f"#g{c.kai.id}-score", "9.5")
    page.fill(f"#g{c.kai.id}-feedback", "Strong argument; cite the report next time.")
    page.locator(f"#student-{c.kai.id} button", has_text="Save").click()
    page.locator(".flash").filter(has_text="Saved Kai Nguyen's grade.").wait_for()
    assert page.locator(f"#g{c.kai.id}-score").input_value() == "9.50"

    page.get_by_text("Release 3 grades to students").click()
    page.locator(".flash").filter(has_text="Released 3 grades.").wait_for()

    page.goto(f"{server}/teach/courses/{c.course.id}/export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Canvas").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-canvas-grades.csv")
    data = download.path().read_bytes()
    assert data.startswith(b'\xef\xbb\xbfStudent,"ID","SIS User ID","SIS Login ID","Section",'
                           b'"Week 3: Leaving the court (1201)"')
    assert b"9.50" in data

    sign_out(page, server)
    sign_in(page, server, c.kai)
    page.goto(f"{server}/my/comments")
    grade = page.locator(f"#grade-{c.discussion.id}")
    assert "9.5 / 10" in grade.inner_text()
    assert "Strong argument; cite the report next time." in grade.inner_text()
    grade.locator("summary").click()
    assert "Substantive response" in grade.inner_text()


def test_students_awaiting_moderation_are_named_and_left_alone(
        page, server, graded_course, make_comment):  # noqa: F811 - fixtures
    """Issue 17: in Chromium, the page names who waits, Accept leaves them alone, and the
    new notes and buttons pass axe."""
    from moderation.models import CommentStatus
    from tests.browser.a11y import assert_accessible

    c = graded_course
    make_comment(c.discussion, c.amara)
    make_comment(c.discussion, c.sam, status=CommentStatus.PENDING)
    sign_in(page, server, c.teacher)
    page.goto(f"{server}/teach/discussions/{c.discussion.id}/grades")
    note = page.locator(".awaiting-note")
    assert "1 student has comments awaiting moderation" in note.inner_text()
    assert "Sam Rivera (1)" in note.inner_text()
    assert_accessible(page, "grading page with a student awaiting moderation")
    page.get_by_text("Accept suggestions for the 2 ungraded").click()
    page.locator(".flash").filter(has_text="Not accepted for 1 student").wait_for()
    assert page.locator(f"#g{c.sam.id}-score").input_value() == ""
    note.get_by_role("link").click()
    page.wait_for_url(f"{server}/teach/discussions/{c.discussion.id}/queue")
    assert page.locator(".queue-row").count() == 1
