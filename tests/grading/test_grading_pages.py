"""The grading pages through the test client: forms that work without JavaScript."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import AuditEvent, Course, Grade
from tests.grading.conftest import reload


def grade_of(app, discussion, student):
    with app.app_context():
        grade = db.session.scalar(select(Grade).where(Grade.discussion_id == discussion.id,
                                                      Grade.student_id == student.id))
        if grade is not None:
            db.session.expunge(grade)
        return grade


@pytest.fixture
def teacher_client(client, login_as, graded_course):
    login_as(graded_course.teacher)
    return client


def test_the_grading_page_lists_every_student_with_suggestions(teacher_client, graded_course,
                                                               make_comment):
    c = graded_course
    make_comment(c.discussion, c.amara)
    page = teacher_client.get(f"/teach/discussions/{c.discussion.id}/grades")
    assert page.status_code == 200
    text = page.text
    for name in ("Okafor, Amara", "Rivera, Sam", "Nguyen, Kai"):
        assert f"<bdi>{name}</bdi>" in text
    assert "Assistant, Tess" not in text
    assert text.count("missing</mark>") == 2
    assert "Response of 27 words (asked 5–200 words): 4.0 of 4 points" in text
    assert "Accept suggestions for the 3 ungraded" in text
    assert f'id="grade-{c.amara.id}"' in text and f'form="grade-{c.amara.id}"' in text


def test_save_a_row_then_a_stale_tab_is_refused_with_its_input_kept(app, teacher_client,
                                                                    graded_course):
    c = graded_course
    url = f"/teach/discussions/{c.discussion.id}/grades/{c.kai.id}"
    p = f"g{c.kai.id}-"
    response = teacher_client.post(url, data={p + "score": "7.5", p + "feedback": "Good.",
                                              p + "version": "1", p + "back": "sheet"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#student-{c.kai.id}")
    assert grade_of(app, c.discussion, c.kai).score == 7.5
    stale = teacher_client.post(url, data={p + "score": "9", p + "feedback": "Changed my mind",
                                           p + "version": "1", p + "back": "sheet"})
    assert stale.status_code == 409
    assert "now 7.5 of 10, set by Ina Structor" in stale.text
    assert 'value="9"' in stale.text or 'value="9.00"' in stale.text  # the input is kept
    assert "Changed my mind" in stale.text
    assert grade_of(app, c.discussion, c.kai).score == 7.5


def test_a_score_out_of_range_is_refused_beside_it(app, teacher_client, graded_course):
    c = graded_course
    p = f"g{c.kai.id}-"
    response = teacher_client.post(
        f"/teach/discussions/{c.discussion.id}/grades/{c.kai.id}",
        data={p + "score": "12", p + "version": "1", p + "back": "student"})
    assert response.status_code == 422
    assert "Enter a score from 0 to 10." in response.text
    assert re.search(r'aria-invalid="true"[^>]*|id="g\d+-score-errors"', response.text)
    assert grade_of(app, c.discussion, c.kai) is None


def test_accept_all_release_and_the_student_sees_it(app, client, login_as, graded_course,
                                                    make_comment):
    c = graded_course
    make_comment(c.discussion, c.amara)
    login_as(c.teacher)
    assert client.post(f"/teach/discussions/{c.discussion.id}/grades/accept").status_code == 303
    assert grade_of(app, c.discussion, c.amara).score == 6
    response = client.post(f"/teach/discussions/{c.discussion.id}/grades/release")
    assert response.status_code == 303
    # Released again: nothing left to release is refused beside the button.
    again = client.post(f"/teach/discussions/{c.discussion.id}/grades/release")
    assert again.status_code == 422 and "No grades here are graded and not yet released" in \
        again.text
    client.post("/logout")
    login_as(c.amara)
    mine = client.get("/my/comments").text
    assert "6 / 10" in mine
    assert "Substantive response: Response of 27 words" in mine


def test_per_student_page_release_and_take_back(app, teacher_client, graded_course,
                                                make_comment):
    c = graded_course
    make_comment(c.discussion, c.sam, "A response with a link https://example.org/report "
                 "that names its source.")
    base = f"/teach/discussions/{c.discussion.id}/grades/{c.sam.id}"
    page = teacher_client.get(base)
    assert page.status_code == 200 and "https://example.org/report" in page.text
    p = f"g{c.sam.id}-"
    teacher_client.post(base, data={p + "score": "8", p + "version": "1", p + "back": "student"})
    r = f"r{c.sam.id}-"
    response = teacher_client.post(base + "/release", data={r + "version": "2",
                                                            r + "back": "student"})
    assert response.status_code == 303 and response.headers["Location"].endswith(base)
    assert grade_of(app, c.discussion, c.sam).released
    stale = teacher_client.post(base + "/unrelease", data={r + "version": "2",
                                                           r + "back": "student"})
    assert stale.status_code == 409 and "released to the student" in stale.text
    taken = teacher_client.post(base + "/unrelease", data={r + "version": "3",
                                                           r + "back": "student"})
    assert taken.status_code == 303 and not grade_of(app, c.discussion, c.sam).released


def test_rubric_form_refuses_points_that_do_not_add_up(app, teacher_client, graded_course):
    c = graded_course
    url = f"/teach/discussions/{c.discussion.id}/rubric"
    assert teacher_client.get(url).status_code == 200
    data = {"substantive": "5", "replies": "3", "on_time": "1", "citation": "0",
            "readability": "0", "quality": "0", "replies_partial": "half",
            "late_policy": "per_day", "late_percent_per_day": "20", "late_cutoff_days": "0"}
    response = teacher_client.post(url, data=data)
    assert response.status_code == 422
    assert "The criteria add up to 9 points; the discussion is worth 10" in response.text
    assert 'value="5' in response.text  # kept
    data["quality"] = "1"
    assert teacher_client.post(url, data=data).status_code == 303
    with app.app_context():
        assert reload(c.discussion).rubric["late_policy"] == "per_day"
    page = teacher_client.get(f"/teach/discussions/{c.discussion.id}/grades").text
    assert "Quality <small>(of 1)</small>" in page


def test_course_grid_participation_and_export_pages(app, teacher_client, graded_course,
                                                    make_comment):
    c = graded_course
    make_comment(c.discussion, c.amara)
    teacher_client.post(f"/teach/discussions/{c.discussion.id}/grades/accept")
    grid = teacher_client.get(f"/teach/courses/{c.course.id}/grades?sort=total&dir=desc")
    assert grid.status_code == 200
    assert grid.text.index("Okafor, Amara") < grid.text.index("Nguyen, Kai")
    assert "Class average" in grid.text
    report = teacher_client.get(f"/teach/courses/{c.course.id}/participation?sort=words")
    assert report.status_code == 200
    assert "<svg" in report.text and "<table class=\"chart-data\">" in report.text
    # Nothing on the page is fetched from anywhere else: no external src or href.
    assert not re.search(r'(?:src|href)="(?:https?:)?//', report.text)
    csv_response = teacher_client.post(f"/teach/courses/{c.course.id}/participation.csv")
    assert csv_response.status_code == 200
    assert csv_response.headers["Cache-Control"] == "no-store"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.text.splitlines()[0].startswith('"Student","Section","Responses"')
    export = teacher_client.get(f"/teach/courses/{c.course.id}/export")
    assert export.status_code == 200
    assert "no Canvas ID" in export.text  # made by join code: no LMS ids
    download = teacher_client.post(f"/teach/courses/{c.course.id}/export",
                                   data={"format": "canvas", "discussion": "0"})
    assert download.status_code == 200
    assert download.headers["Cache-Control"] == "no-store"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert download.data.startswith(
        b'\xef\xbb\xbfStudent,"ID","SIS User ID","SIS Login ID","Section"')
    with app.app_context():
        actions = [e.action for e in db.session.scalars(select(AuditEvent))]
        assert "gradebook.exported" in actions and "participation.exported" in actions


def test_tas_and_students_are_kept_to_their_rights(app, client, login_as, graded_course):
    c = graded_course
    login_as(c.ta)
    assert client.get(f"/teach/discussions/{c.discussion.id}/grades").status_code == 200
    assert client.get(f"/teach/courses/{c.course.id}/export").status_code == 403
    assert client.post(f"/teach/courses/{c.course.id}/export",
                       data={"format": "canvas", "discussion": "0"}).status_code == 403
    assert client.post(f"/teach/discussions/{c.discussion.id}/grades/release").status_code \
        == 403
    with app.app_context():
        db.session.get(Course, c.course.id).tas_export = True
        db.session.commit()
    assert client.get(f"/teach/courses/{c.course.id}/export").status_code == 200
    client.post("/logout")
    login_as(c.amara)
    assert client.get(f"/teach/discussions/{c.discussion.id}/grades").status_code == 403
    assert client.get(f"/teach/courses/{c.course.id}/grades").status_code == 403
    assert client.post(f"/teach/courses/{c.course.id}/export",
                       data={"format": "canvas", "discussion": "0"}).status_code == 403


def test_outsiders_and_swapped_ids_get_not_found(app, client, login_as, graded_course,
                                                 make_user, make_course):
    c = graded_course
    login_as(c.teacher)
    base = f"/teach/discussions/{c.discussion.id}/grades"
    assert client.get(f"{base}/{c.ta.id}").status_code == 404  # staff are not graded
    p = f"g{c.ta.id}-"
    assert client.post(f"{base}/{c.ta.id}", data={p + "score": "5", p + "version": "1",
                                                  p + "back": "sheet"}).status_code == 404
    client.post("/logout")
    stranger = make_user("Other Teacher", instructor=True)
    make_course(stranger)
    login_as(stranger)
    for url in (base, f"{base}/{c.amara.id}", f"/teach/courses/{c.course.id}/grades",
                f"/teach/courses/{c.course.id}/participation",
                f"/teach/courses/{c.course.id}/export"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/teach/courses/{c.course.id}/export",
                       data={"format": "canvas", "discussion": "0"}).status_code == 404
