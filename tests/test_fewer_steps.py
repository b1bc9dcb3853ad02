# ruff: noqa: F811 - the fixtures imported from tests/grading/conftest.py are parameters here
"""Issue 22's shorter paths, through the test client on both databases: what waits on My
courses, Save and next, Release offered after accepting, Close asking first, and the course
navigation's Grades and Export."""

from __future__ import annotations

import re

import pytest

from moderation.models import CommentStatus
from tests.grading.conftest import graded_course, make_comment  # noqa: F401 - fixtures


@pytest.fixture
def teacher_client(client, login_as, graded_course):  # noqa: F811 - fixture
    login_as(graded_course.teacher)
    return client


def test_my_courses_says_what_waits_and_links_to_its_queue(
        client, login_as, graded_course, make_comment):  # noqa: F811 - fixtures
    c = graded_course
    make_comment(c.discussion, c.kai, status=CommentStatus.PENDING)
    make_comment(c.discussion, c.sam, status=CommentStatus.PENDING)
    make_comment(c.discussion, c.amara)  # approved: waits for nobody
    login_as(c.teacher)
    page = client.get("/").text
    link = re.search(r'<a href="([^"]+)"[^>]*><strong>(\d+)</strong> in ([^<]+)</a>', page)
    assert link is not None, page
    assert link.groups() == (f"/teach/discussions/{c.discussion.id}/queue", "2",
                             c.discussion.title)
    assert 'data-key="q"' in page and 'id="keys-help"' in page
    client.post("/logout")
    login_as(c.kai)  # a student sees no queue
    assert "Waiting for a decision" not in client.get("/").text


def test_nothing_waiting_is_said_quietly(teacher_client):
    page = teacher_client.get("/").text
    assert "Nothing waits for a decision." in page and 'data-key="q"' not in page


def test_save_and_next_goes_to_the_following_student(teacher_client, graded_course):
    c = graded_course  # the page's order: Nguyen, Okafor, Rivera
    base = f"/teach/discussions/{c.discussion.id}/grades"

    def save(student, **extra):
        p = f"g{student.id}-"
        return teacher_client.post(f"{base}/{student.id}", data={
            p + "score": "8", p + "version": "1", p + "back": "student", **extra})

    assert save(c.kai, then="next").headers["Location"] == f"{base}/{c.amara.id}"
    assert save(c.amara).headers["Location"] == f"{base}/{c.amara.id}"  # plain Save stays
    assert save(c.sam, then="next").headers["Location"] == f"{base}/{c.sam.id}"  # the last
    page = teacher_client.get(f"{base}/{c.kai.id}").text
    assert re.search(r'name="then" value="next"[^>]*>Save and next: <bdi>Amara Okafor', page)


def test_accepting_opens_the_page_on_release(teacher_client, graded_course):
    response = teacher_client.post(f"/teach/discussions/{graded_course.discussion.id}"
                                   "/grades/accept")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/grades#release")
    page = teacher_client.get(response.headers["Location"]).text
    assert re.search(r'id="release"[^>]*>Release 3 grades', page)


def test_close_asks_first(teacher_client, graded_course):
    page = teacher_client.get(f"/teach/courses/{graded_course.course.id}").text
    details = re.search(r'<details class="confirm-close">(.*?)</details>', page, re.S)
    assert details is not None and "<summary" in details.group(1)
    assert f"Close {graded_course.discussion.title}</button>" in details.group(1)
    assert ">Close</button>" not in page


def test_course_navigation_has_grades_and_export_for_those_who_may(
        app, client, login_as, graded_course, enrol, make_user):  # noqa: F811 - fixture
    c = graded_course
    login_as(c.teacher)
    nav = client.get(f"/teach/courses/{c.course.id}/queue").text
    nav = nav[nav.index('class="course-nav"'):]
    nav = nav[:nav.index("</nav>")]
    assert f'/teach/courses/{c.course.id}/grades">Grades' in nav
    assert f'/teach/courses/{c.course.id}/export">Export' in nav
    client.post("/logout")
    login_as(c.ta)  # a TA may not export unless the instructor allows it
    nav = client.get(f"/teach/courses/{c.course.id}/queue").text
    nav = nav[nav.index('class="course-nav"'):]
    nav = nav[:nav.index("</nav>")]
    assert ">Grades<" in nav and ">Export<" not in nav
