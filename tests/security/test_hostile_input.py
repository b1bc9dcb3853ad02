"""Hostile input: markup in every field comes back escaped, no state changes without a CSRF
token, a student's extra form fields set nothing, and every CSV cell is safe to open.

Markup goes into every field a person controls (names, course and discussion titles, the
prompt, comments, sections, the rejection message, grade feedback, policy word lists) and
every page that shows it must show it as text. Every POST route in the url_map, walked so
a new one is covered, refuses a request without the token and changes nothing. A student
posting `status`, `author_id`, `decided_by_id` or a score beside a comment stores only the
comment. Names, sections and feedback starting with = + - @ tab CR or LF come out with a
leading ' in every gradebook format, the audit log CSV and the participation CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.lms import FORMATS
from moderation.lms.csv_safe import FORMULA_START
from moderation.models import Comment, CommentStatus, Course, Grade, Membership, Role, User
from moderation.services import policies, roster
from tests.conftest import PASSWORD
from tests.security.conftest import World, csrf_token, row_counts, sign_in
from tests.security.test_access_matrix import every_row, routes, url_of


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


def payload(key: str) -> str:
    """Markup that would run if a page put it out as HTML; `key` says which field leaked."""
    return f'<script>alert("{key}")</script><img src=x onerror=alert("{key}")>'


def shown_escaped(html: str, key: str) -> bool:
    """Whether the page shows the field's payload as text.

    Jinja writes " as &#34;; the prompt's Markdown leaves it as is in text, which is safe.
    """
    return re.search(rf'&lt;script&gt;alert\((&#34;|&quot;|"){key}(&#34;|&quot;|")\)', html) \
        is not None


# Every field a person types, each with its own payload; comment bodies have words too,
# so they pass the word count.
HOSTILE = {key: payload(key) for key in (
    "student", "ta", "instructor", "course_title", "discussion_title", "prompt", "section",
    "message", "feedback")}
HOSTILE.update({key: f"I think the court matters here {payload(key)}"
                for key in ("approved", "pending", "rejected")})
WATCHED = payload("watched")


@pytest.fixture
def hostile_world(app: Flask, make_world: Callable[..., World]) -> World:
    world = make_world(**HOSTILE)
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        policies.set_course_policy(course, db.session.merge(world.users["instructor"]),
                                   {"watched_words": [WATCHED]})
        db.session.commit()
    return world


# Who reads which page, and the fields the page must show (escaped).
def pages(w: World) -> list[tuple[str, str, set[str]]]:
    c, d = w.course_id, w.discussion_id
    return [
        ("student", "/", {"course_title"}),
        ("student", f"/courses/{c}", {"course_title", "discussion_title"}),
        ("student", f"/discussions/{d}", {"discussion_title", "prompt", "approved", "pending",
                                          "student"}),
        ("student", "/my/comments", {"discussion_title", "approved", "pending", "rejected",
                                     "message", "feedback"}),
        ("student", f"/comments/{w.rejected_id}/revise", {"rejected", "message"}),
        ("instructor", f"/discussions/{d}", {"prompt", "approved", "pending", "student"}),
        ("instructor", f"/teach/courses/{c}", {"course_title", "discussion_title"}),
        ("instructor", f"/teach/courses/{c}/roster", {"student", "ta", "section"}),
        ("instructor", f"/teach/courses/{c}/queue", {"pending", "student"}),
        ("instructor", f"/teach/discussions/{d}/queue", {"pending", "student",
                                                         "discussion_title"}),
        ("instructor", f"/teach/comments/{w.pending_id}", {"pending", "student",
                                                           "approved"}),
        ("instructor", f"/teach/comments/{w.rejected_id}", {"rejected", "message"}),
        ("instructor", f"/teach/comments/{w.pending_id}/edit", {"pending"}),
        ("instructor", f"/teach/discussions/{d}/edit", {"discussion_title", "prompt"}),
        ("instructor", f"/teach/discussions/{d}/grades", {"student", "feedback"}),
        ("instructor", f"/teach/discussions/{d}/grades/{w.student_id}",
         {"student", "approved", "feedback"}),
        ("instructor", f"/teach/courses/{c}/grades", {"student", "section"}),
        ("instructor", f"/teach/courses/{c}/participation", {"student"}),
        ("instructor", f"/teach/courses/{c}/audit", {"student", "message"}),
        ("instructor", f"/teach/courses/{c}/staff", {"ta"}),
        ("instructor", f"/teach/courses/{c}/policy", {"watched"}),
        ("instructor", f"/teach/discussions/{d}/approve-unflagged", {"discussion_title"}),
        ("ta", f"/teach/courses/{c}/audit", {"instructor", "student", "message"}),
    ]


def test_markup_in_every_field_comes_back_escaped_on_every_page(
        app: Flask, client: FlaskClient, hostile_world: World) -> None:
    wrong = []
    signed_in = None
    for role, url, keys in pages(hostile_world):
        if role != signed_in:
            client.post("/logout", headers={"X-CSRFToken": csrf_token(client)})
            sign_in(client, hostile_world.users[role])
            signed_in = role
        response = client.get(url)
        assert response.status_code == 200, (role, url)
        html = response.text
        if "<script>alert(" in html or "<img src=x" in html:
            wrong.append(f"{url} as {role}: markup put out unescaped")
        missing = sorted(k for k in keys if not shown_escaped(html, k))
        if missing:
            wrong.append(f"{url} as {role}: does not show {missing}")
    assert wrong == [], "\n".join(wrong)


def test_flash_messages_naming_people_are_escaped(app, client, hostile_world):
    token = sign_in(client, hostile_world.users["instructor"])
    response = client.post(f"/teach/comments/{hostile_world.pending_id}/decision",
                           data={"status": "approved", "expected": "pending",
                                 "csrf_token": token}, follow_redirects=True)
    assert response.status_code == 200
    assert "Approved" in response.text and shown_escaped(response.text, "student")
    assert "<script>alert(" not in response.text


# CSRF ----------------------------------------------------------------------------------

def post_routes(app: Flask) -> list[object]:
    return [rule for rule in routes(app) if "POST" in rule.methods]


# The LMS's login initiation and launch arrive cross-site without a token: the state bound to
# the browser and the one-time nonce protect them (tests/lti/test_bad_launches.py). Without
# their parameters they are refused (400) with nothing changed, like the rest.
CSRF_EXEMPT = {"lti.login", "lti.launch"}


@pytest.mark.parametrize("role", ["student", "instructor"])
def test_every_post_without_a_token_is_refused_and_changes_nothing(
        app: Flask, client: FlaskClient, make_world: Callable[..., World], role: str) -> None:
    world = make_world()
    sign_in(client, world.users[role])
    posts = post_routes(app)
    assert len(posts) > 30
    wrong = []
    with app.app_context():
        before = every_row()
    for rule in posts:
        url = url_of(app, rule, world)
        # What a real form would send, less the token: the refusal must not be the form's.
        form = {"body": "A comment that is long enough to be stored.", "email":
                world.users[role].email, "password": "correct horse battery",
                "status": "approved", "expected": "pending", "join_code": "ABCDEFGH"}
        response = client.post(url, data=form)
        expired = "form expired" in response.text or rule.endpoint in CSRF_EXEMPT
        if response.status_code != 400 or not expired:
            wrong.append(f"POST {url} ({rule.endpoint}): {response.status_code}")
    with app.app_context():
        after = every_row()
    assert wrong == [], "\n".join(wrong)
    assert [n for n in before if before[n] != after[n]] == []
    assert client.get("/my/comments").status_code == 200  # still signed in: the tokens failed


def test_a_token_from_another_session_is_refused(app, client, make_world):
    world = make_world()
    other = app.test_client()
    stolen = sign_in(other, world.users["instructor"])
    sign_in(client, world.users["student"])
    response = client.post(f"/discussions/{world.discussion_id}/comments", data={
        "body": "A comment that is long enough to be stored.", "csrf_token": stolen})
    assert response.status_code == 400
    with app.app_context():
        assert row_counts()["comment"] == 3


# Fields a student must not set ---------------------------------------------------------

def forbidden_fields(world: World) -> dict[str, str]:
    """What a crafted form adds to a comment: every column a student must not choose."""
    return {"status": "approved", "author_id": str(world.users["other_student"].id),
            "decided_by_id": str(world.users["instructor"].id), "decided_by": "1",
            "decision_reason": "other", "course_id": str(world.other_course_id),
            "discussion_id": "999", "id": "1", "revision_of_id": str(world.approved_id),
            "flag_level": "0", "score": "10", "released": "y", "word_count": "9999",
            "submitted_at": "2000-01-01T00:00:00", "edited_by_id": "1"}


def test_extra_fields_on_a_submit_set_nothing_but_the_comment(app, client, make_world):
    world = make_world()
    token = sign_in(client, world.users["student"])
    body = "A new response that is long enough to be stored as it is."
    response = client.post(f"/discussions/{world.discussion_id}/comments", data={
        "body": body, "submission_token": "crafted", "csrf_token": token,
        **forbidden_fields(world)})
    assert response.status_code == 303
    with app.app_context():
        comment = db.session.scalar(select(Comment).where(Comment.body == body))
        assert comment is not None and comment.id not in (1, world.approved_id)
        assert (comment.author_id, comment.course_id, comment.discussion_id) == (
            world.student_id, world.course_id, world.discussion_id)
        assert comment.status == CommentStatus.PENDING  # every comment is held here
        assert (comment.decided_by_id, comment.decided_at, comment.decision_reason) == (
            None, None, None)
        assert comment.revision_of_id is None and comment.word_count == len(body.split())
        grade = db.session.scalar(select(Grade).where(Grade.student_id == world.student_id))
        assert grade is not None and grade.score == 8.0


def test_extra_fields_on_a_revision_set_nothing_but_the_revision(app, client, make_world):
    world = make_world()
    token = sign_in(client, world.users["student"])
    body = "A revised response, now saying more about the article and the court."
    response = client.post(f"/comments/{world.rejected_id}/revise", data={
        "body": body, "submission_token": "crafted", "csrf_token": token,
        "parent_id": str(world.approved_id), **forbidden_fields(world)})
    assert response.status_code == 303
    with app.app_context():
        revision = db.session.scalar(select(Comment).where(Comment.body == body))
        assert revision is not None
        assert revision.author_id == world.student_id
        assert revision.revision_of_id == world.rejected_id
        assert revision.parent_id is None  # the original's parent, never the form's
        assert revision.status == CommentStatus.PENDING and revision.decided_by_id is None
        assert revision.course_id == world.course_id


def test_sign_up_and_join_cannot_choose_a_role(app, client, make_world):
    world = make_world()
    with app.app_context():
        code = db.session.get(Course, world.course_id).join_code
        other_code = db.session.get(Course, world.other_course_id).join_code
    token = csrf_token(client)
    response = client.post("/signup", data={
        "display_name": "New Person", "email": "new@school.test",
        "password": "correct horse battery", "join_code": code, "csrf_token": token,
        "role": "instructor", "can_create_courses": "y", "is_admin": "1"})
    assert response.status_code == 302
    token = csrf_token(client)
    response = client.post("/courses/join", data={"join_code": other_code, "role": "ta",
                                                  "csrf_token": token})
    assert response.status_code == 302
    assert client.get("/teach/courses/new").status_code == 403
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "new@school.test"))
        assert user is not None and not user.can_create_courses
        roles = set(db.session.scalars(select(Membership.role).where(
            Membership.user_id == user.id)))
        assert roles == {Role.STUDENT}


# CSV cells -----------------------------------------------------------------------------

STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MARK = "2+3"


def hostile_cell(start: str, word: str) -> str:
    """Text beginning with `start`; if the app strips a space first, a formula still follows."""
    return f"{start}{MARK} {word}" if start.strip() else f"{start}={MARK} {word}"


# The hostile cells each file holds (a name's first and last words, by the roster's row).
NEUTRALISED = {
    "canvas": {"First", "sec", "sis"},  # the rostered student's sortable name comes first
    "moodle": {"First", "Last", "feedback", "discussion_title"},
    "blackboard": {"First", "Last"},
    "generic": {"First", "feedback", "sec", "sis", "discussion_title"},
    "audit.csv": {"instructor", "student", "message"},
    "participation.csv": {"First", "sec"},
}


def read_csv(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


@pytest.mark.parametrize("db_kind", ["sqlite"])  # the cells, not the database, are tested
@pytest.mark.parametrize("start", STARTS, ids=repr)
def test_exported_text_starting_like_a_formula_is_neutralised_in_every_file(
        app, client, make_world, start):
    world = make_world(**{key: hostile_cell(start, key) for key in (
        "student", "instructor", "discussion_title", "section", "message", "feedback")})
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        imported = roster.import_roster(course, (
            "Student,ID,SIS User ID,SIS Login ID,Section\r\n"
            f'"{hostile_cell(start, "Last")}, {hostile_cell(start, "First")}",77,'
            f'"{hostile_cell(start, "sis")}",rostered@school.test,'
            f'"{hostile_cell(start, "sec")}"\r\n').encode(),
            db.session.merge(world.users["instructor"]))
        assert imported.added == 1
        db.session.commit()
    token = sign_in(client, world.users["instructor"])
    files: dict[str, list[list[str]]] = {}
    for name, fmt in FORMATS.items():
        response = client.post(f"/teach/courses/{world.course_id}/export", data={
            "format": name, "discussion": "0", "feedback": "y", "csrf_token": token})
        assert response.status_code == 200, (name, response.text[:300])
        files[name] = read_csv(response.data, fmt.DELIMITER)
    for name in ("audit.csv", "participation.csv"):
        response = client.post(f"/teach/courses/{world.course_id}/{name}",
                               data={"csrf_token": token})
        assert response.status_code == 200, name
        files[name] = read_csv(response.data)
    for name, rows in files.items():
        cells = [cell for row in rows for cell in row]
        # Moodle's "no grade" is a lone "-", which no spreadsheet runs as a formula.
        risky = [c for c in cells if c.startswith(FORMULA_START)
                 and not (name == "moodle" and c == "-")]
        assert risky == [], name
        # The hostile text is in the file, neutralised, not dropped: the last word says whose.
        neutralised = {c.rsplit(" ", 1)[-1] for c in cells if c.startswith("'" + start.strip()
                                                                            or "'=")}
        assert NEUTRALISED[name] <= neutralised, name
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Grade)) == 1


def exported_files(app, client, world) -> dict[str, tuple[bytes, str]]:
    """Every CSV the app writes for the world's course: the LMS formats, audit, participation."""
    token = sign_in(client, world.users["instructor"])
    files = {}
    for name, fmt in FORMATS.items():
        response = client.post(f"/teach/courses/{world.course_id}/export", data={
            "format": name, "discussion": "0", "feedback": "y", "csrf_token": token})
        assert response.status_code == 200, (name, response.text[:300])
        files[name] = (response.data, fmt.DELIMITER)
    for name in ("audit.csv", "participation.csv"):
        response = client.post(f"/teach/courses/{world.course_id}/{name}",
                               data={"csrf_token": token})
        assert response.status_code == 200, name
        files[name] = (response.data, ",")
    return files


DATA_ROSTER = b"name,email\r\nRo Stered,rostered@school.test\r\n"


@pytest.mark.parametrize("db_kind", ["sqlite"])  # the cells, not the database, are tested
@pytest.mark.parametrize("separator", [";", "\t", "|", "\n", ","], ids=repr)
def test_no_formula_follows_a_separator_in_any_file(app, client, make_world, separator):
    """Excel in de-DE or fr-FR splits a CSV on ";": "Name;=1+1;" must not become a formula."""
    world = make_world(**{key: f"{key}{separator}=1+1{separator} @SUM(A1)" for key in (
        "student", "instructor", "discussion_title", "section", "message", "feedback")})
    with app.app_context():
        course = db.session.get(Course, world.course_id)
        line_break = separator == "\n"  # a name with one is refused by the roster import
        roster.import_roster(course, (
            "Student,ID,SIS User ID,SIS Login ID,Section\r\n"
            f'"Last{separator}-2+3, First{separator}=1+1",77,'
            f'"sis{separator}+1",rostered@school.test,"sec{separator}=1"\r\n').encode()
            if not line_break else DATA_ROSTER, db.session.merge(world.users["instructor"]))
        db.session.commit()
    for name, (data, _delimiter) in exported_files(app, client, world).items():
        text = data.decode("utf-8-sig")
        assert text.count(f"{separator}'=1+1") or separator == "\n", name
        for split_on in (";", "\t", ","):
            cells = [c.strip().strip('"').strip() for line in text.splitlines()
                     for c in line.split(split_on)]
            risky = [c for c in cells if c.startswith(FORMULA_START) and c != "-"]
            assert risky == [], (name, split_on, risky[:3])


def test_every_post_route_is_walked(app):
    """The CSRF walk covers the sign-in routes too, not only the dashboard's."""
    endpoints = {rule.endpoint for rule in post_routes(app)}
    assert {"auth.login", "auth.logout", "auth.signup", "auth.activate", "discussions.submit",
            "discussions.preview", "discussions.submit_revision", "discussions.join"} <= endpoints


NUL = "a\x00b"


@pytest.mark.parametrize("path, data", [
    ("/login", {"email": f"{NUL}@x.example.edu", "password": "whatever it is"}),
    ("/signup", {"display_name": "Ada", "email": "ada@school.test", "password": PASSWORD,
                 "join_code": NUL}),
    ("/signup", {"display_name": NUL, "email": "ada@school.test", "password": PASSWORD,
                 "join_code": "ABCDEFGH"}),
])
def test_a_nul_in_an_anonymous_form_is_refused_beside_its_field(app, client, path, data):
    response = client.post(path, data={**data, "csrf_token": csrf_token(client)})
    assert 400 <= response.status_code < 500, response.status_code
    assert "Remove the NUL character from this field." in response.text


def test_a_nul_in_a_signed_in_form_or_any_address_is_a_clean_4xx(app, client, make_world):
    world = make_world()
    sign_in(client, world.users["instructor"])
    token = csrf_token(client)
    joined = client.post("/courses/join", data={"join_code": NUL, "csrf_token": token})
    assert joined.status_code == 422 and "Remove the NUL" in joined.text
    wrong = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        url = url_of(app, rule, world)
        for name in ("q", "rule", "section", "student", "sort", NUL):
            response = client.get(url, query_string={name: NUL})
            if response.status_code != 400 or "NUL character" not in response.text:
                wrong.append(f"{url}?{name!r}: {response.status_code}")
    assert wrong == []
