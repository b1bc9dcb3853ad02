# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""Every page, at 1280 px and at 375 px (a phone), in Chromium: axe-core finds no serious or
critical violation, and at 375 px no page scrolls sideways (a wide table scrolls in its own
box, which the keyboard can reach). The grading rows stack on a phone: Score, Feedback and
Save are on the screen without scrolling sideways.

The pages are visited in the states that matter: comments awaiting, flagged, approved and
rejected; grades accepted, one released; for an instructor and for a student.
"""

from __future__ import annotations

import pytest
from sqlalchemy import update

from moderation.extensions import db
from moderation.models import CommentStatus, Discussion, Flag, Severity, User
from moderation.services import accounts
from moderation.services.grades import sheet
from tests.browser.a11y import FAILING_IMPACTS, axe_violations, describe
from tests.browser.conftest import BROWSER, sign_in
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures

pytestmark = BROWSER

WIDTHS = (1280, 375)


@pytest.fixture
def world(app, graded_course, make_comment):
    """A discussion in every state the pages show."""
    c = graded_course
    kai = make_comment(c.discussion, c.kai)
    answer = make_comment(c.discussion, c.amara,
                          "I agree, and the prosecutor still has the reports.", parent=kai)
    held = make_comment(c.discussion, c.sam, "Short one.", status=CommentStatus.PENDING,
                        flags=(("too_short", Severity.HOLD), ("spelling", Severity.NOTE)))
    rejected = make_comment(c.discussion, c.amara, "Off topic entirely, sorry about that.",
                            status=CommentStatus.REJECTED)
    # A reply to a reply (the deepest level), and a copy of Kai's response flagged as one.
    make_comment(c.discussion, c.kai, "The reports are public, so anyone can check them.",
                 parent=answer)
    copy = make_comment(c.discussion, c.sam, "Honestly, " + kai.body,
                        status=CommentStatus.PENDING, flags=(("copied", Severity.HOLD),))
    with app.app_context():
        db.session.execute(update(Flag).where(Flag.comment_id == copy.id).values(
            value=0.97, matched_comment_id=kai.id,
            message="97% of this comment matches Kai Nguyen's comment."))
        d = db.session.get(Discussion, c.discussion.id)
        teacher = db.session.get(User, c.teacher.id)
        sheet.accept_suggestions(d, teacher)
        sheet.set_released(d, teacher, True, student_id=c.kai.id, version=2)
        db.session.commit()
    c.held, c.rejected, c.copy, c.answer = held, rejected, copy, answer
    return c


def instructor_pages(c) -> list[str]:
    d, course = c.discussion.id, c.course.id
    return ["/", f"/teach/courses/{course}", f"/teach/courses/{course}/queue",
            f"/teach/discussions/{d}/queue", f"/teach/courses/{course}/queue?status=rejected",
            f"/teach/comments/{c.held.id}", f"/teach/comments/{c.held.id}/edit",
            f"/teach/comments/{c.copy.id}", f"/teach/comments/{c.copy.id}/copy",
            f"/teach/discussions/{d}/approve-unflagged", f"/teach/discussions/{d}/grades",
            f"/teach/discussions/{d}/grades/{c.kai.id}", f"/teach/courses/{course}/grades",
            f"/teach/courses/{course}/participation", f"/teach/courses/{course}/export",
            f"/teach/courses/{course}/policy", f"/teach/discussions/{d}/policy",
            f"/teach/courses/{course}/rubric", f"/teach/discussions/{d}/rubric",
            f"/teach/courses/{course}/roster", f"/teach/courses/{course}/staff",
            f"/teach/courses/{course}/audit", f"/teach/discussions/{d}/edit",
            f"/teach/courses/{course}/discussions/new", "/teach/courses/new",
            f"/discussions/{d}"]


def student_pages(c) -> list[str]:
    return ["/", f"/courses/{c.course.id}", f"/discussions/{c.discussion.id}",
            f"/discussions/{c.discussion.id}?reply_to={c.rejected.id - 3}",
            f"/discussions/{c.discussion.id}?reply_to={c.answer.id}", "/my/comments",
            f"/comments/{c.rejected.id}/revise"]


def survey(page, server, paths: list[str], refused: bool = False) -> list[str]:
    """Every problem of every page at both widths, one line each (`refused`: pages that
    answer with a 4xx, which must be as readable as any other)."""
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for path in paths:
            response = page.goto(server + path)
            if refused:
                assert 400 <= response.status < 500, f"{path}: {response.status}"
            else:
                assert response.status < 400, f"{path}: {response.status}"
            failing = [v for v in axe_violations(page) if v["impact"] in FAILING_IMPACTS]
            if failing:
                problems.append(f"{width} px {path}:\n{describe(failing)}")
            wide = page.evaluate("document.scrollingElement.scrollWidth")
            if width < 1280 and wide > width:
                problems.append(f"{width} px {path}: the page is {wide} px wide")
    return problems


def test_every_instructor_page_fits_and_passes_axe(page, server, world):
    sign_in(page, server, world.teacher)
    problems = survey(page, server, instructor_pages(world))
    assert not problems, "\n".join(problems)


def test_every_student_page_fits_and_passes_axe(page, server, world):
    sign_in(page, server, world.amara)
    problems = survey(page, server, student_pages(world))
    assert not problems, "\n".join(problems)


def test_every_public_page_fits_and_passes_axe(app, page, server, world, make_user, enrol):
    roster_student = make_user("Rory Roster", password=None)  # made from a roster
    enrol(roster_student, world.course)
    with app.app_context():
        token = accounts.activation_token(db.session.get_one(User, roster_student.id),
                                          db.session.get_one(User, world.teacher.id))
    problems = survey(page, server, ["/login", "/signup", "/password/forgot",
                                     f"/activate/{token}"])
    assert not problems, "\n".join(problems)


def test_every_refusal_page_fits_and_passes_axe(page, server, world):
    # Not found, forbidden, a bad or used mailed link, an LTI launch that cannot start.
    public = ["/email/not-a-token", "/invitations/not-a-token", "/activate/not-a-token",
              "/lti/login",
              "/lti/relaunch/not-a-token", "/no/such/page"]
    problems = survey(page, server, public, refused=True)
    sign_in(page, server, world.amara)
    problems += survey(page, server, [f"/teach/courses/{world.course.id}/queue",
                                      "/discussions/999999"], refused=True)
    assert not problems, "\n".join(problems)


def test_the_grading_rows_stack_on_a_phone(page, server, world):
    sign_in(page, server, world.teacher)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{server}/teach/discussions/{world.discussion.id}/grades")
    row = page.locator(f"#student-{world.sam.id}")
    for control in (row.locator(".score-input"), row.locator(".feedback-input"),
                    row.get_by_role("button", name="Save")):
        box = control.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375, box


def test_the_queue_starts_with_a_comment_on_a_phone(page, server, world):
    sign_in(page, server, world.teacher)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{server}/teach/discussions/{world.discussion.id}/queue")
    first = page.locator(".queue-row").first
    box = first.bounding_box()
    assert box is not None and box["y"] < 740, box  # the filters folded away above it
    page.locator(".filters-fold summary").click()  # and they open on a tap
    assert page.locator(".queue-filters select[name=student]").is_visible()


def inside(page, locator, width: int, height: int) -> dict:
    """The element's box, asserted wholly inside the first screen (no scrolling either way)."""
    box = locator.bounding_box()
    assert box is not None, "not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width, box
    assert box["y"] >= 0 and box["y"] + box["height"] <= height, box
    return box


def test_the_participation_score_is_on_screen_at_1280(page, server, world):
    sign_in(page, server, world.teacher)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{server}/teach/courses/{world.course.id}/participation")
    table = page.locator("table.report")
    inside(page, table.locator("thead th", has_text="Score"), 1280, 800)
    inside(page, table.locator("tbody tr").first.locator("td").last, 1280, 800)
    box = page.locator(".report-wrap, .overflow-auto").filter(has=table).first
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth", box.element_handle())


def test_the_course_dashboards_actions_are_on_the_first_screen_of_a_phone(page, server, world):
    sign_in(page, server, world.teacher)
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{server}/teach/courses/{world.course.id}")
    inside(page, page.get_by_role("button", name="New discussion"), 375, 740)
    row = page.locator("table.stack tbody tr").first
    for name in ("Grade", "Edit", "Policy"):
        inside(page, row.get_by_role("link", name=name, exact=True), 375, 740)
