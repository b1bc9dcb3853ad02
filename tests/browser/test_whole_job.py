"""The instructor's whole job for a class of 30, in a real Chromium, by mouse and by keyboard.

A class of 30 has answered a discussion where every comment waits for the instructor:
30 responses and 10 replies. Ten responses were approved the day before (so classmates
could reply to them); today 30 comments wait, 3 of them held by a rule (an empty citation,
a response too short, one copied from a classmate). The instructor, starting from My
courses, approves the 27 with no hold flag, approves the empty citation after reading it,
rejects the short one and the copied one with their reasons, accepts the suggested grades,
gives the copier 0 with a word of feedback, releases the grades and downloads the Canvas
file, whose rows the test reads.

The same job is done twice on two identical classes: once with the mouse only, once with
the keyboard only (no click at all: the page is driven by key presses, Tabs counted). Both
counts are printed (`bench/whole_job.py` runs this test and prints them) and held to the
targets: mouse at most 25 actions, keyboard no more than mouse. See `tests/browser/actions.py`
for what counts as an action.
"""

from __future__ import annotations

import csv
import io
import random
import re
import secrets
from dataclasses import dataclass

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Grade,
    ModerationMode,
    User,
)
from moderation.services.comments import decisions, posting
from tests.browser.actions import Keyboard, Mouse
from tests.browser.conftest import BROWSER, sign_in

pytestmark = BROWSER

VIEWPORT = {"width": 1280, "height": 800}
CLASS_SIZE = 30
LMS_ID = "5501"
FEEDBACK = "This copies Ada's response; write your own and I will regrade it."
MOUSE_TARGET = 25

FIRST = ["Ada", "Ben", "Chloe", "Dev", "Elif", "Femi", "Gus", "Hana", "Ivo", "Jade",
         "Kofi", "Lena", "Mateo", "Nia", "Omar", "Priya", "Quinn", "Rosa", "Sven", "Tara",
         "Uma", "Vik", "Wren", "Xavi", "Yara", "Zeke", "Aiko", "Bram", "Cleo", "Dara"]
LAST = ["Adler", "Baptiste", "Cohen", "Dlamini", "Eriksen", "Fofana", "Garcia", "Hoang",
        "Ivanov", "Jensen", "Kowalski", "Lindqvist", "Moreau", "Nakamura", "Okafor", "Patel",
        "Quispe", "Rossi", "Schmidt", "Tanaka", "Uddin", "Vargas", "Weber", "Xu", "Yilmaz",
        "Zapata", "Abebe", "Brennan", "Castillo", "Demir"]
# Ordinary words, so the texts read as prose to the rules (no misspellings) and no two
# share a passage (the copied rule looks for one).
WORDS = ("court", "state", "treaty", "power", "law", "judges", "nations", "vote", "public",
         "trust", "decision", "case", "history", "reason", "change", "members", "policy",
         "evidence", "argument", "border", "people", "government", "leaders", "rights",
         "justice", "crimes", "prosecutor", "report", "years", "future", "region", "pressure",
         "support", "critics", "research", "students", "article", "example", "question",
         "answer", "system", "office", "journal", "economy", "council")


def prose(rng: random.Random, sentences: int) -> str:
    """Sentences of ordinary words, different for every seed."""
    out = []
    for _ in range(sentences):
        words = [rng.choice(WORDS) for _ in range(rng.randint(9, 13))]
        out.append("The " + " ".join(words) + ".")
    return " ".join(out)


@dataclass
class Class:
    """What the test needs to find again: the course, its discussion, its people."""

    course_id: int
    course_title: str
    discussion_id: int
    title: str
    instructor: User
    held: dict[str, int]  # "citation", "short", "copied" -> comment id
    students: dict[int, str]  # id -> sortable name


def seed_class(app, make_user, make_course, make_discussion, enrol, tag: str) -> Class:
    """A class of 30 as it stands the morning the instructor does the job."""
    teacher = make_user(f"Ina Structor {tag}", instructor=True, email=f"ina{tag}@school.test")
    course = make_course(teacher, code=f"CIV-{tag}")
    discussion = make_discussion(
        course, title=f"Week 5: The court and its members ({tag})", min_words=20,
        max_words=250, reply_min_words=8, reply_max_words=120, required_replies=1,
        points_possible=10, lms_assignment_id=LMS_ID, moderation_mode=ModerationMode.ALL)
    people = [make_user(f"{FIRST[i]} {LAST[i]}", email=f"s{i}{tag}@school.test")
              for i in range(CLASS_SIZE)]
    for person in people:
        enrol(person, course)
    rng = random.Random(7)
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        me = db.session.get(User, teacher.id)
        texts = [prose(rng, 3) for _ in range(CLASS_SIZE)]
        texts[27] = ("According to , the court loses most of its power when a state leaves "
                     "the treaty, because the government no longer has to hand anyone over "
                     "to the judges.")
        texts[28] = "The court matters and states should stay in it."
        texts[29] = texts[0].replace("The ", "So the ", 1)
        ids = []

        def submit(i: int) -> None:
            author = db.session.get(User, people[i].id)
            ids.append(posting.submit_comment(d, author, texts[i], secrets.token_hex(8))
                       .comment.id)
            db.session.commit()

        for i in range(CLASS_SIZE - 1):
            submit(i)
        for cid in ids[:10]:  # yesterday's session: the first ten, so classmates could reply
            decisions.approve(db.session.get(Comment, cid), me, CommentStatus.PENDING)
        db.session.commit()
        submit(CLASS_SIZE - 1)  # the copier, who copies a response they could read
        for i in range(10):
            author = db.session.get(User, people[10 + i].id)
            posting.submit_comment(d, author, "I agree with you, and " + prose(rng, 1).lower(),
                                 secrets.token_hex(8), parent_id=ids[i])
            db.session.commit()
        held = {}
        for key, i in (("citation", 27), ("short", 28), ("copied", 29)):
            comment = db.session.get(Comment, ids[i])
            assert comment.status == CommentStatus.PENDING
            held[key] = comment.id
        rules = {key: {f.rule for f in db.session.get(Comment, cid).flags}
                 for key, cid in held.items()}
        assert "empty_citation" in rules["citation"] and "too_short" in rules["short"]
        assert "copied" in rules["copied"], rules
        assert len(decisions.unflagged_pending(d)) == 27
        students = {p.id: f"{LAST[i]}, {FIRST[i]}" for i, p in enumerate(people)}
        return Class(course.id, db.session.get(Course, course.id).title, discussion.id,
                     d.title, teacher, held, students)


def check_result(app, c: Class, download) -> None:
    """The Canvas file and the database say the job was done."""
    assert download.suggested_filename.endswith("-canvas-grades.csv")
    table = list(csv.reader(io.StringIO(download.path().read_bytes().decode("utf-8-sig"))))
    assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                        f"{c.title} ({LMS_ID})"]
    assert "Points Possible" in table[1][0] and float(table[1][5]) == 10
    rows = {r[0]: r for r in table[2:]}
    assert set(rows) == set(c.students.values())
    assert all(r[5] != "" for r in rows.values()), "every grade is released and exported"
    assert float(rows["Demir, Dara"][5]) == 0  # the copier
    assert float(rows["Adler, Ada"][5]) > 0
    with app.app_context():
        statuses = {cid: db.session.get(Comment, cid) for cid in c.held.values()}
        assert statuses[c.held["citation"]].status == CommentStatus.APPROVED
        short, copied = statuses[c.held["short"]], statuses[c.held["copied"]]
        assert (short.status, short.decision_reason) == (
            CommentStatus.REJECTED, "too_short"), c.title
        assert (copied.status, copied.decision_reason) == (CommentStatus.REJECTED, "copied")
        assert db.session.scalar(select(db.func.count()).select_from(Comment).where(
            Comment.discussion_id == c.discussion_id,
            Comment.status == CommentStatus.PENDING)) == 0
        grades = db.session.scalars(select(Grade).where(
            Grade.discussion_id == c.discussion_id)).all()
        assert len(grades) == CLASS_SIZE and all(g.released for g in grades)
        copier = next(g for g in grades if c.students[g.student_id] == "Demir, Dara")
        assert copier.feedback == FEEDBACK


def by_mouse(page, server, c: Class):
    """The job with the mouse alone; returns the count and the download."""
    m = Mouse(page)
    sign_in(page, server, c.instructor)
    m.click(page.locator(".waiting").get_by_role("link", name=f"30 in {c.title}"))
    m.click(page.get_by_role("link", name="Approve every pending comment with no hold flag"))
    m.click(page.get_by_role("button", name="Approve 27"))
    page.locator(".flash").filter(has_text="Approved 27").wait_for()
    # Flags read in words with their values; statuses say so in words and icons.
    assert page.locator(f"#row-{c.held['short']} .chips").inner_text().strip().endswith(
        "Too short: 9 of 20 words")
    assert re.search(r"Copied \d+% from Ada Adler",
                     page.locator(f"#row-{c.held['copied']} .chips").inner_text())
    assert "Awaiting" in page.locator(f"#row-{c.held['copied']} .badge").inner_text()
    m.click(page.locator(f"#row-{c.held['citation']} [data-approve]"))
    page.locator(f"#row-{c.held['citation']}.decided").wait_for()
    for key, reason in (("short", "too_short"), ("copied", "copied")):
        row = page.locator(f"#row-{c.held[key]}")
        m.click(row.locator("summary"))
        m.select(row.locator("select[name=reason]"), reason)
        m.click(row.get_by_role("button", name="Reject", exact=True))
        page.locator(f"#row-{c.held[key]}.decided").wait_for()
    assert "Reason: Copied" in page.locator(f"#row-{c.held['copied']} .rejected-reason")\
        .inner_text()
    m.click(page.get_by_role("link", name="Grade this discussion"))
    m.click(page.get_by_role("button", name="Accept suggestions for the 30 ungraded"))
    page.locator(".flash").filter(has_text="Accepted").wait_for()
    copier = page.locator("table.grading tbody tr").filter(has_text="Demir, Dara")
    assert float(copier.locator(".score-input").input_value()) == 0  # rejected: nothing counts
    m.fill(copier.locator(".feedback-input"), FEEDBACK)
    m.click(copier.get_by_role("button", name="Save"))
    page.locator(".flash").filter(has_text="Saved Dara Demir's grade.").wait_for()
    m.click(page.get_by_role("button", name="Release 30 grades to students"))
    page.locator(".flash").filter(has_text="Released 30 grades").wait_for()
    m.click(page.get_by_role("link", name="Export grades").first)
    with page.expect_download() as info:
        m.click(page.get_by_role("button", name="Canvas"))
    return m.count, info.value


def by_keyboard(page, server, c: Class):
    """The job with the keyboard alone (Tabs counted); returns the count and the download."""
    k = Keyboard(page)
    sign_in(page, server, c.instructor)
    k.press("q")  # My courses: the first queue with comments waiting
    page.get_by_role("link", name="Approve every pending comment with no hold flag").wait_for()
    k.press("A")  # approve every comment with no hold flag: it asks first, Enter confirms
    expect(page.get_by_role("button", name="Approve 27")).to_be_focused()
    k.press("Enter")
    page.locator(".flash").filter(has_text="Approved 27").wait_for()
    # The queue focuses its first row: a approves it, and focus moves to the next.
    k.tab_to(page.locator(f"#row-{c.held['citation']}"))
    k.press("a")
    page.locator(f"#row-{c.held['citation']}.decided").wait_for()
    for key, digit in (("short", "2"), ("copied", "4")):
        row = page.locator(f"#row-{c.held[key]}")
        k.tab_to(row)
        k.press("r")  # the reasons open; a digit rejects with that reason
        k.press(digit)
        page.locator(f"#row-{c.held[key]}.decided").wait_for()
    k.press("g")  # grade this discussion
    page.get_by_role("button", name="Accept suggestions for the 30 ungraded").wait_for()
    k.press("A")
    page.locator(".flash").filter(has_text="Accepted").wait_for()
    expect(page.locator("#release")).to_be_focused()  # releasing is offered first
    k.press("/")  # find the copier's row, write the feedback, save
    expect(page.get_by_label("Find a student")).to_be_focused()
    k.type("Demir")
    k.press("Enter")
    copier = page.locator("table.grading tbody tr").filter(has_text="Demir, Dara")
    expect(copier).to_be_focused()
    k.press("f")
    expect(copier.locator(".feedback-input")).to_be_focused()
    k.type(FEEDBACK)
    k.press("Control+Enter")
    page.locator(".flash").filter(has_text="Saved Dara Demir's grade.").wait_for()
    k.press("R")
    page.locator(".flash").filter(has_text="Released 30 grades").wait_for()
    k.press("E")
    page.get_by_role("button", name="Canvas").wait_for()
    with page.expect_download() as info:
        k.press("c")
    return k.count, info.value


@pytest.fixture
def two_classes(app, make_user, make_course, make_discussion, enrol):
    return [seed_class(app, make_user, make_course, make_discussion, enrol, tag)
            for tag in ("M", "K")]


def test_the_whole_job_by_mouse_and_by_keyboard(app, page, server, two_classes, capsys):
    mouse_class, keyboard_class = two_classes
    page.set_viewport_size(VIEWPORT)
    clicks, download = by_mouse(page, server, mouse_class)
    check_result(app, mouse_class, download)
    page.context.clear_cookies()
    keys, download = by_keyboard(page, server, keyboard_class)
    check_result(app, keyboard_class, download)
    with capsys.disabled():
        print(f"\nwhole job, class of {CLASS_SIZE}: mouse {clicks} actions, "
              f"keyboard {keys} actions")
    assert clicks <= MOUSE_TARGET, f"mouse: {clicks} actions"
    assert keys <= clicks, f"keyboard: {keys} actions, mouse {clicks}"
