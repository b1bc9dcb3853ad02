"""Hostile and odd input: redirects, ids, invisible text, and what one student learns of another."""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, User
from moderation.services.comments import posting
from tests.conftest import PASSWORD, instructor_of

COPY = ("Withdrawing a signature is mostly a statement to voters at home, not a legal act, "
        "and the court keeps its support where it matters most among its members.")


@pytest.mark.parametrize("target", [
    "//evil.example/x", "/\\evil.example/x", "/%09/evil.example/x", "%2F%2Fevil.example",
    "https:evil.example", "https://evil.example/", "/%0d%0aSet-Cookie:x=1", "/\r\nX: y",
    "/%2F/evil.example", "/%5Cevil.example", "\t//evil.example", " /x", "javascript:alert(1)",
])
def test_sign_in_never_redirects_off_site(client, make_user, target):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_sign_in_follows_a_local_path(client, make_user):
    user = make_user()
    response = client.post("/login", query_string={"next": "/my/comments?x=1"},
                           data={"email": user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/my/comments?x=1"


ODD_IDS = st.one_of(
    st.sampled_from(["99999999999999999999", "2147483648", "0", "-1", "²", "٣", "1e3",
                     "%20", "00000000000000000000001", "9" * 400]),
    st.text(min_size=1, max_size=12).filter(lambda s: "/" not in s and "?" not in s
                                            and "#" not in s),
)


def id_routes(app):
    return [rule for rule in app.url_map.iter_rules() if "int" in str(rule._converters)
            or any(type(c).__name__ == "IdConverter" for c in rule._converters.values())]


@pytest.fixture
def signed_in_staff(app, client, make_course, make_discussion, login_as):
    course = make_course()
    make_discussion(course)
    login_as(instructor_of(app, course))
    return client


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(odd=ODD_IDS)
def test_no_id_in_any_route_gives_a_500(app, signed_in_staff, odd):
    routes = id_routes(app)
    assert len(routes) >= 5
    for rule in routes:
        path = "".join(odd if is_arg else text for is_arg, text in rule._trace)
        path = path.split("|", 1)[1] if "|" in path else path
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = signed_in_staff.open(path, method=method)
            assert response.status_code < 500, (method, path, response.status_code)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parent=st.one_of(st.sampled_from(["²", "99999999999999999999", "-3", "0", " 1"]),
                        st.text(max_size=8), st.integers(), st.booleans(), st.floats()))
def test_odd_parent_ids_never_give_a_500(app, client, make_course, make_discussion,
                                         make_user, enrol, login_as, parent):
    if not hasattr(test_odd_parent_ids_never_give_a_500, "ready"):
        course = make_course()
        test_odd_parent_ids_never_give_a_500.discussion = make_discussion(course)
        student = make_user()
        enrol(student, course)
        login_as(student)
        test_odd_parent_ids_never_give_a_500.ready = True
    discussion = test_odd_parent_ids_never_give_a_500.discussion
    body = "A reply that is long enough to be stored as it is."
    form = client.post(f"/discussions/{discussion.id}/comments",
                       data={"body": body, "parent_id": str(parent), "submission_token": "t"})
    assert form.status_code < 500
    if form.status_code >= 400:
        assert body in form.text  # refused, with the text kept
    preview = client.post(f"/discussions/{discussion.id}/preview",
                          json={"body": body, "parent_id": parent})
    assert preview.status_code < 500
    show = client.get(f"/discussions/{discussion.id}", query_string={"reply_to": str(parent)})
    assert show.status_code < 500


@pytest.fixture(autouse=True)
def _forget_parent_state():
    yield
    for name in ("ready", "discussion"):
        if hasattr(test_odd_parent_ids_never_give_a_500, name):
            delattr(test_odd_parent_ids_never_give_a_500, name)


INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff \u00a0\u3000\u2800\u202e"


def test_a_comment_of_invisible_characters_is_refused(app, client, make_course,
                                                      make_discussion, make_user, enrol,
                                                      login_as):
    course = make_course()
    discussion = make_discussion(course)
    student = make_user()
    enrol(student, course)
    login_as(student)
    response = client.post(f"/discussions/{discussion.id}/comments",
                           data={"body": INVISIBLE, "submission_token": "t"})
    assert response.status_code == 422 and "Write your comment" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 0


def test_invisible_names_are_refused_in_rosters_and_sign_up(app, client, make_course,
                                                            login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/roster", data={
        "file": (io.BytesIO(f"name,email\n{INVISIBLE},ghost@school.test\n".encode()), "r.csv")})
    assert response.status_code == 422
    assert "line 2: the name shows no visible characters" in response.text
    client.post("/logout")
    with app.app_context():
        join_code = db.session.get(type(course), course.id).join_code
    response = client.post("/signup", data={"display_name": INVISIBLE, "email": "g@school.test",
                                            "password": PASSWORD, "join_code": join_code})
    assert response.status_code == 422 and "Enter your name" in response.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_sign_up_says_the_same_for_activated_and_waiting_accounts(app, client, make_course,
                                                                  make_user, enrol):
    course = make_course()
    make_user(email="active@school.test")
    enrol(make_user(email="waiting@school.test", password=None), course)
    with app.app_context():
        join_code = db.session.get(type(course), course.id).join_code
    pages = []
    for email in ("active@school.test", "waiting@school.test"):
        response = client.post("/signup", data={"display_name": "X", "email": email,
                                                "password": PASSWORD, "join_code": join_code})
        assert response.status_code == 409
        pages.append(response.text.replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_an_outsider_cannot_tell_a_course_exists(app, client, make_course, make_discussion,
                                                 make_user, login_as):
    course = make_course()
    discussion = make_discussion(course)
    login_as(make_user())
    for existing, missing in ((f"/courses/{course.id}", "/courses/99999"),
                              (f"/teach/courses/{course.id}", "/teach/courses/99999"),
                              (f"/discussions/{discussion.id}", "/discussions/99999")):
        a, b = client.get(existing), client.get(missing)
        assert a.status_code == b.status_code == 404
        assert a.text == b.text


def test_the_preview_reveals_nothing_about_held_comments(app, client, make_course,
                                                          make_discussion, make_user, enrol,
                                                          login_as):
    course = make_course()
    discussion = make_discussion(course, min_words=10)
    amara, sam = make_user("Amara Okafor"), make_user("Sam Student")
    enrol(amara, course)
    enrol(sam, course)
    with app.app_context():
        held = posting.submit_comment(db.session.merge(discussion), db.session.merge(amara),
                                    COPY + " Email me at amara@example.com.", "amara").comment
        assert held.status == CommentStatus.PENDING  # held for the contact details
        held_id = held.id
        db.session.commit()
    login_as(sam)

    def preview(text: str) -> dict:
        response = client.post(f"/discussions/{discussion.id}/preview", json={"body": text})
        assert response.status_code == 200
        return response.get_json()

    probe = preview(COPY + " Email me at amara@example.com.")
    assert "copied" not in {f["rule"] for f in probe["findings"]}
    assert "Amara" not in str(probe)
    # The same draft against an unrelated text gives the same answer: no oracle.
    control = preview("Something else entirely, written by me and long enough to count here.")
    assert {f["rule"] for f in control["findings"]} == {f["rule"] for f in probe["findings"]
                                                        } - {"personal_info"}

    # Submitting a copy of a held comment holds it for the instructor, but its note names
    # no one and measures nothing.
    response = client.post(f"/discussions/{discussion.id}/comments",
                           data={"body": COPY + " I agree.", "submission_token": "sam"})
    assert response.status_code == 303
    page = client.get(f"/discussions/{discussion.id}").text
    assert "Amara" not in page and "%" not in page.split("Notes on this comment")[-1]
    assert "closely matches another comment in this discussion" in page

    # Once Amara's comment is approved (visible to all), the preview may name it.
    with app.app_context():
        db.session.get(Comment, held_id).status = CommentStatus.APPROVED
        db.session.commit()
    named = preview(COPY + " Still mine.")
    assert any("Amara Okafor's comment" in f["message"] for f in named["findings"])


def test_the_demo_join_code_is_the_code_the_readme_names(app, client, runner):
    output = runner.invoke(args=["seed-demo"]).output
    assert "join code DEMO101" in output
    response = client.post("/signup", data={"display_name": "New Student",
                                            "email": "new@school.test", "password": PASSWORD,
                                            "join_code": "demo101"})
    assert response.status_code == 302


def test_the_preview_answers_deeply_nested_json_with_a_400(app, client, make_course,
                                                          make_discussion, make_user, enrol,
                                                          login_as):
    course = make_course()
    discussion = make_discussion(course)
    student = make_user()
    enrol(student, course)
    login_as(student)
    for body in ("[" * 100_000, '{"body": ' * 50_000):
        response = client.post(f"/discussions/{discussion.id}/preview", data=body,
                               content_type="application/json")
        assert response.status_code == 400 and "error" in response.json


def test_links_on_staff_pages_and_in_mail_never_come_from_the_host_header(
        app, client, make_course, login_as, mailed):
    """SERVER_NAME (moderation.test here) names the site; a request's Host never does."""
    from tests.conftest import link_in, received

    course = make_course()
    teacher = instructor_of(app, course)
    evil = app.test_client()
    host = {"base_url": "http://evil.example"}  # every request says Host: evil.example
    evil.post("/login", data={"email": teacher.email, "password": PASSWORD}, **host)
    evil.post(f"/teach/courses/{course.id}/staff", data={"email": "ta@school.test"}, **host)
    page = evil.get(f"/teach/courses/{course.id}/staff", **host).text
    assert "http://moderation.test/invitations/" in page and "evil.example" not in page
    app.test_client().post("/signup", data={
        "display_name": "Ada", "email": "ada@school.test", "join_code": course.join_code},
        **host)
    for message in received(mailed):
        assert "evil.example" not in message.get_content()
        assert link_in(message).startswith("/")  # the site's own name, cut off by link_in
