"""One whole discussion in a real Chromium, through the real UI, checked by axe on every page.

What it proves, end to end and only through pages a person would use: an instructor makes
a course and a discussion (every comment held) and opens it; a classmate and the student
join with the course's join code; the student gets live feedback while typing and submits
a response held with a flag; the instructor works the queue with the keyboard (j, k, a, r),
approving the classmate's response and rejecting the student's with a reason; the student
reads the reason, replies to the classmate and revises; the instructor approves the reply
(a), opens the revision (o), reads its diff with the flag highlighted and approves it (a);
accepts the suggested grades, adds feedback, releases them and downloads the Canvas CSV,
whose header, Points Possible row and student row the test reads; the student then sees
the released grade and the feedback. On each page axe-core finds no serious or critical
violation, focus on a link and a button is visible (≥ 3:1), and no page logs a script or
CSP error or gets a 4xx/5xx answer. Full-page screenshots of the key pages are kept
($MODERATION_TEST_SCREENSHOTS, else the test's tmp_path); `bench/screenshots.py` copies
the best two to docs/screenshots/.
"""

from __future__ import annotations

import csv
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Grade, utcnow
from tests.browser.a11y import assert_accessible, assert_focus_visible
from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER

# The screenshots are read by people: one width, the README's (1280).
VIEWPORT = {"width": 1280, "height": 800}
LMS_ID = "1201"
TITLE = "Week 3: Leaving the court"
PROMPT = ("Read the article on the state that left the International Criminal Court.\n\n"
          "Does leaving weaken the court? Respond with your view and a source, then reply "
          "to a classmate.")
CLASSMATE = ("The court keeps its reach over what happened before the withdrawal, as "
             "Jones (2020) explains, so leaving changes less than it seems.")
# "According to ," cites nobody: the empty_citation rule holds it for the instructor. The
# misspelling is on purpose: the revision keeps it, so its page shows a highlighted flag.
HELD = ("According to , the court loses most of its power when a state withdraws from "
        "the treaty, because the goverment no longer has to hand anyone over.")
REVISED = HELD.replace("According to ,", "According to Smith (2019),")
REPLY = "I agree, and the prosecutor can still open cases about those earlier years."
REASON_MESSAGE = "Who says so? Name your source."
FEEDBACK = "A clear argument; the source makes it much stronger."


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where the screenshots go: $MODERATION_TEST_SCREENSHOTS, else the test's own folder."""
    # MODERATION_TEST_*: the one prefix the autouse environment cleaner leaves in place.
    folder = Path(os.environ.get("MODERATION_TEST_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def sign_up(page, server, join_code: str, name: str, email: str) -> None:
    """Create a student account with the course's join code, through the sign-up page."""
    page.goto(f"{server}/")
    page.get_by_role("link", name="Join a course", exact=True).click()
    page.fill("#join_code", join_code)
    page.fill("#display_name", name)
    page.fill("#email", email)
    page.fill("#password", "correct horse battery")
    page.get_by_role("button", name="Create my account").click()
    page.locator(".flash").filter(has_text="You joined International Law").wait_for()


def test_a_whole_discussion_from_join_code_to_released_grade(
        app, page, server, make_user, shots):
    teacher_user = make_user("Ina Structor", instructor=True, email="ina@school.test")
    teacher = page
    teacher.set_viewport_size(VIEWPORT)
    browser = page.context.browser
    student = browser.new_context(viewport=VIEWPORT).new_page()
    student.set_default_timeout(15_000)

    # A CSP violation shows as a console error; a refused request as a 4xx or 5xx.
    problems: list[str] = []

    def watch(p) -> None:
        """Collect the page's console errors, script errors and failed requests."""
        p.on("console", lambda m: problems.append(f"{p.url}: {m.text}")
             if m.type == "error" else None)
        p.on("pageerror", lambda e: problems.append(f"{p.url}: {e}"))
        p.on("response", lambda r: problems.append(f"{r.status} {r.url}")
             if r.status >= 400 else None)

    watch(teacher)
    watch(student)

    def check(p, name: str, shot: bool = False) -> None:
        """axe on the page as it is now, and a screenshot of it when asked."""
        assert_accessible(p, name)
        if shot:
            p.screenshot(path=shots / f"{name}.png", full_page=True)

    # The instructor makes the course and the discussion, and opens it.
    sign_in(teacher, server, teacher_user)
    check(teacher, "home-instructor")
    teacher.get_by_role("button", name="Create a course").click()  # a link styled as a button
    check(teacher, "course-new")
    teacher.fill("#title", "International Law")
    teacher.fill("#code", "LAW-210")
    teacher.get_by_role("button", name="Create course").click()
    join_code = teacher.locator("code.join-code").inner_text()
    check(teacher, "course-dashboard")
    teacher.get_by_role("button", name="New discussion").click()
    check(teacher, "discussion-new")
    teacher.fill("#title", TITLE)
    teacher.fill("#prompt", PROMPT)
    due = (utcnow() + timedelta(days=7)).replace(second=0, microsecond=0)
    teacher.fill("#due_at", due.strftime("%Y-%m-%dT%H:%M"))
    teacher.fill("#required_replies", "1")
    teacher.select_option("#moderation_mode", "all")  # every comment waits for a decision
    teacher.fill("#min_words", "10")
    teacher.fill("#reply_min_words", "5")
    teacher.fill("#lms_assignment_id", LMS_ID)
    teacher.get_by_role("button", name="Save").click()
    teacher.locator(".flash").filter(has_text="Discussion created as a draft").wait_for()
    teacher.get_by_role("button", name="Open", exact=True).click()
    teacher.get_by_role("cell", name="open", exact=True).wait_for()

    # A classmate joins and responds (held, as every comment here), then leaves.
    classmate_context = browser.new_context(viewport=VIEWPORT)
    classmate = classmate_context.new_page()
    watch(classmate)
    sign_up(classmate, server, join_code, "Kai Nguyen", "kai@school.test")
    classmate.get_by_role("link", name=TITLE).click()
    classmate.fill("#body", CLASSMATE)
    classmate.get_by_role("button", name="Submit").click()
    classmate.locator("article.comment.pending").filter(has_text="Jones (2020)").wait_for()
    classmate_context.close()

    # The student joins with the code and gets feedback while typing the response.
    student.goto(f"{server}/signup")
    check(student, "signup")
    sign_up(student, server, join_code, "Robin Student", "robin@school.test")
    check(student, "course-student")
    student.get_by_role("link", name=TITLE).click()
    student.locator("#body").press_sequentially(HELD[:40])  # typing, as a person would
    student.locator("#body").fill(HELD)
    student.locator("#body").press("End")
    student.locator(".live-findings li").filter(
        has_text="A citation is missing its source").wait_for()
    student.locator(".live-verdict").filter(has_text="wait for your instructor").wait_for()
    check(student, "discussion-live-feedback", shot=True)
    assert_focus_visible(student, "a", "the discussion page")
    student.get_by_role("button", name="Submit").click()
    held = student.locator("article.comment.pending").filter(has_text="goverment")
    held.wait_for()
    assert "Awaiting moderation" in held.inner_text()
    assert "Jones (2020)" not in student.content()  # the classmate's waits unseen
    check(student, "discussion-held")

    # The instructor works the queue with the keyboard alone: approve the classmate's,
    # reject the student's with a reason.
    teacher.goto(f"{server}/")
    teacher.get_by_role("link", name="Dashboard").click()
    teacher.get_by_role("link", name="2 in queue").click()
    rows = teacher.locator(".queue-row")
    rows.nth(1).wait_for()
    classmate_row, held_row = (rows.nth(i).get_attribute("id") for i in range(2))
    assert "1 citation without a source" in teacher.locator(f"#{held_row} .chips").inner_text()
    check(teacher, "queue", shot=True)
    assert_focus_visible(teacher, "button", "the queue")
    teacher.reload()  # arriving, the first row has the focus
    focused = "document.activeElement.id"
    # A locator's wait, not wait_for_function: a string predicate is an eval, which the
    # page's CSP (script-src 'self') may refuse.
    expect(teacher.locator(f"#{classmate_row}")).to_be_focused()
    teacher.keyboard.press("j")
    assert teacher.evaluate(focused) == held_row
    teacher.keyboard.press("k")
    assert teacher.evaluate(focused) == classmate_row
    teacher.keyboard.press("a")
    teacher.locator(f"#{classmate_row}.decided").wait_for()
    assert teacher.evaluate(focused) == held_row  # on to the next undecided
    teacher.keyboard.press("r")
    teacher.locator(f"#{held_row} select[name=reason]").select_option("needs_citation")
    teacher.keyboard.press("Tab")
    teacher.keyboard.type(REASON_MESSAGE)
    check(teacher, "queue-rejecting")
    teacher.keyboard.press("Tab")
    teacher.keyboard.press("Enter")
    teacher.locator(f"#{held_row}.decided").wait_for()
    check(teacher, "queue-decided")

    # The student reads why, replies to the classmate, and revises.
    student.goto(f"{server}/")
    assert "(1 to revise)" in student.locator("header nav").inner_text()
    student.get_by_role("link", name="My comments").click()
    check(student, "my-comments")
    student.get_by_role("link", name=TITLE).first.click()
    rejected = student.locator(f"#comment-{held_row.removeprefix('row-')}")
    assert "Reason: Needs a citation." in rejected.inner_text()
    assert REASON_MESSAGE in rejected.inner_text()
    check(student, "discussion-rejected")
    student.locator(f"#comment-{classmate_row.removeprefix('row-')}").get_by_role(
        "link", name="Reply").click()
    student.locator("h2").filter(has_text="Your reply").wait_for()
    student.fill("#body", REPLY)
    student.get_by_role("button", name="Submit").click()
    student.locator(".reply article.comment.pending").filter(has_text="prosecutor").wait_for()
    student.locator(f"#comment-{held_row.removeprefix('row-')}").get_by_role(
        "button", name="Revise").click()
    student.locator(".live-feedback").filter(has_text="reading level").wait_for()
    check(student, "revise")
    student.fill("#body", REVISED)
    student.get_by_role("button", name="Submit the revision").click()
    student.locator(".flash").filter(has_text="Your revision went back to").wait_for()

    # The instructor approves the reply with "a", opens the revision with "o", reads the
    # diff and approves it with "a" there.
    teacher.goto(f"{server}/")
    teacher.get_by_role("link", name="Dashboard").click()
    teacher.get_by_role("link", name="2 in queue").click()
    reply_row, revision_row = (rows.nth(i).get_attribute("id") for i in range(2))
    assert "revision" in teacher.locator(f"#{revision_row}").inner_text()
    expect(teacher.locator(f"#{reply_row}")).to_be_focused()
    teacher.keyboard.press("a")
    teacher.locator(f"#{reply_row}.decided").wait_for()
    assert teacher.evaluate(focused) == revision_row
    teacher.keyboard.press("o")
    teacher.locator(".versions .diff ins").filter(has_text="Smith").wait_for()
    assert "According to" in teacher.locator(".versions .diff").inner_text()
    assert teacher.locator(".comment-text mark").count() >= 1  # the misspelling, highlighted
    check(teacher, "comment-diff", shot=True)
    teacher.keyboard.press("a")
    teacher.locator(".empty-queue").filter(has_text="Nothing waits").wait_for()

    # Grade with the suggestions, add feedback, release, export for Canvas.
    teacher.goto(f"{server}/")
    teacher.get_by_role("link", name="Dashboard").click()
    teacher.get_by_role("link", name="Grade", exact=True).click()
    check(teacher, "grades-ungraded")
    teacher.get_by_role("button", name="Accept suggestions for the 2 ungraded").click()
    teacher.locator(".flash").filter(has_text="Accepted 2 suggested scores").wait_for()
    row = teacher.locator("table.grading tbody tr").filter(has_text="Student, Robin")
    suggested = row.locator("details.suggestion summary").inner_text().strip()
    score = row.locator(".score-input").input_value()
    # Response, a reply to a classmate, on time, a source, readable: full marks.
    assert float(score) == float(suggested) == 10
    row.locator(".feedback-input").fill(FEEDBACK)
    row.get_by_role("button", name="Save").click()
    teacher.locator(".flash").filter(has_text="Saved Robin Student's grade.").wait_for()
    row.locator("details.suggestion summary").click()  # the breakdown, for the screenshot
    check(teacher, "grading", shot=True)
    teacher.get_by_role("button", name="Release 2 grades to students").click()
    teacher.locator(".flash").filter(has_text="Released 2 grades").wait_for()

    teacher.get_by_role("link", name="Export grades").first.click()
    check(teacher, "export")
    with teacher.expect_download() as download_info:
        teacher.get_by_role("button", name="Canvas").click()
    download = download_info.value
    assert download.suggested_filename.endswith("-canvas-grades.csv")
    table = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))
    # Canvas's importer: first cells Student and ID, the last student column Section, each
    # assignment as "Title (id)"; then the Points Possible row; students as "Last, First".
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        f"{TITLE} ({LMS_ID})"]
    assert "Points Possible" in table[1][0] and float(table[1][5]) == 10
    students = {r[0]: r for r in table[2:]}
    assert set(students) == {"Student, Robin", "Nguyen, Kai"}  # the instructor is not graded
    assert float(students["Student, Robin"][5]) == float(score)

    # The student sees the released grade, with the feedback.
    student.goto(f"{server}/")
    student.get_by_role("link", name="My comments").click()
    grade = student.locator("article.grade")
    grade.wait_for()
    assert "10 / 10" in grade.inner_text()
    assert FEEDBACK in grade.inner_text()
    check(student, "my-grade")

    with app.app_context():
        statuses = sorted(s.value for s in db.session.scalars(
            select(Comment.status).where(Comment.author.has(email="robin@school.test"))))
        assert statuses == ["approved", "approved", "rejected"]
        assert db.session.scalar(select(db.func.count()).select_from(Comment).where(
            Comment.status == CommentStatus.PENDING)) == 0
        assert all(db.session.scalars(select(Grade.released)))
    assert problems == []
