"""Roster import: Canvas and generic files, errors by line, all or nothing, no duplicates."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Course, Membership, Role, User
from moderation.services import roster
from tests.conftest import instructor_of

DATA = Path(__file__).parent / "data"


def import_file(app, course, name, **kwargs):
    teacher = instructor_of(app, course)
    with app.app_context():
        result = roster.import_roster(db.session.get(Course, course.id),
                                      (DATA / name).read_bytes(),
                                      db.session.merge(teacher), **kwargs)
        db.session.commit()
        return result


def students(app, course):
    with app.app_context():
        return {m.user.email: m for m in db.session.scalars(
            select(Membership).where(Membership.course_id == course.id,
                                     Membership.role == Role.STUDENT))}


def test_canvas_gradebook_export(app, make_course):
    course = make_course()
    result = import_file(app, course, "canvas_gradebook.csv")
    assert (result.format, result.added) == ("canvas", 3)  # the Test Student is skipped
    members = students(app, course)
    bill = members["bblend@school.test"]
    assert (bill.lms_user_id, bill.sis_user_id, bill.sis_login_id, bill.section) == (
        "6", "S1006", "bblend@school.test", "Section A")
    assert bill.user.sortable_name == "Blend, Bill" and bill.user.display_name == "Bill Blend"
    assert members["mjdelacruz@school.test"].user.display_name == "María José de la Cruz"
    assert bill.user.password_hash is None  # waits for its activation link


def test_canvas_usernames_need_an_email_domain(app, make_course):
    course = make_course()
    with pytest.raises(roster.RosterError) as error:
        import_file(app, course, "canvas_usernames.csv")
    assert error.value.problems[0].startswith("line 3: no email for Blend, Bill")
    result = import_file(app, course, "canvas_usernames.csv", email_domain="school.test")
    assert result.added == 1
    assert students(app, course)["bblend@school.test"].sis_login_id == "bblend"


def test_generic_roster(app, make_course):
    course = make_course()
    result = import_file(app, course, "generic_roster.csv")
    assert (result.format, result.added) == ("generic", 3)
    members = students(app, course)
    assert set(members) == {"ada@school.test", "alan@school.test", "grace@school.test"}
    assert members["alan@school.test"].sis_user_id == "1002"
    assert members["grace@school.test"].section is None


def test_bad_file_lists_every_line_and_imports_nothing(app, make_course):
    course = make_course()
    with pytest.raises(roster.RosterError) as error:
        import_file(app, course, "bad_roster.csv")
    assert error.value.problems == [
        "line 3: the name is empty",
        "line 4: 'not-an-email' is not an email address",
        "line 5: ada@school.test is already on line 2",
    ]
    assert students(app, course) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1  # the instructor


def test_reimport_updates_and_never_duplicates(app, make_course):
    course = make_course()
    import_file(app, course, "canvas_gradebook.csv")
    again = import_file(app, course, "canvas_gradebook.csv")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    moved = (DATA / "canvas_gradebook.csv").read_text().replace(
        "bblend@school.test,Section A", "bblend@school.test,Section C")
    teacher = instructor_of(app, course)
    with app.app_context():
        result = roster.import_roster(db.session.get(Course, course.id), moved,
                                      db.session.merge(teacher))
        db.session.commit()
    assert (result.added, result.updated, result.unchanged) == (0, 1, 2)
    members = students(app, course)
    assert len(members) == 3 and members["bblend@school.test"].section == "Section C"


def test_roster_page_upload_and_errors(app, client, make_course, login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    response = client.post(f"/teach/courses/{course.id}/roster", data={
        "file": (io.BytesIO((DATA / "bad_roster.csv").read_bytes()), "bad.csv")})
    assert response.status_code == 422
    assert "Nothing was imported" in response.text and "line 4:" in response.text
    response = client.post(f"/teach/courses/{course.id}/roster", data={
        "file": (io.BytesIO((DATA / "generic_roster.csv").read_bytes()), "roster.csv")})
    assert response.status_code == 302
    page = client.get(f"/teach/courses/{course.id}/roster").text
    assert "Lovelace, Ada" in page and page.count("/activate/") == 3


def test_activation_link_from_the_roster_page_signs_the_student_in(app, client, make_course,
                                                                   login_as):
    course = make_course()
    import_file(app, course, "generic_roster.csv")
    login_as(instructor_of(app, course))
    page = client.get(f"/teach/courses/{course.id}/roster").text
    link = page.split('value="http://moderation.test')[1].split('"')[0]
    client.post("/logout")
    response = client.post(link, data={"password": "my own password"})
    assert response.status_code == 302
    assert client.get(f"/courses/{course.id}").status_code == 200


def test_import_roster_command(app, runner, make_course):
    course = make_course(code="HIST210")
    result = runner.invoke(args=["import-roster", "HIST210", str(DATA / "bad_roster.csv")])
    assert result.exit_code != 0 and "line 4:" in result.output
    assert "Nothing was imported" in result.output
    result = runner.invoke(args=["import-roster", "HIST210", str(DATA / "generic_roster.csv")])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output
    assert len(students(app, course)) == 3


@pytest.mark.parametrize("data, problem", [
    # Old Mac files end lines with a lone CR: read as lines, not one long refusal.
    (b"name,email\rAda Lovelace,ada@school.test\rBob Bell,bob@school.test\r", None),
    (b'name,email\r\n"Ada\rLovelace",ada@school.test\r\n', "line 3: the name has a line break"),
    (b"name,email\r\nAda," + b"a" * 140_000 + b"\r\n",
     "line 2: a cell is longer than 131,072 characters"),
    (b'name,email\r\n"Ada,ada@school.test\r\n', None),  # an open quote to the end: one cell
])
def test_a_file_the_csv_module_cannot_read_is_refused_by_line(app, make_course, data,
                                                              problem):
    course = make_course()
    teacher = instructor_of(app, course)
    with app.app_context():
        try:
            result = roster.import_roster(db.session.get(Course, course.id), data,
                                          db.session.merge(teacher))
        except roster.RosterError as error:
            db.session.rollback()
            assert problem is None or problem in error.problems[0], error.problems
            assert error.message.startswith("Nothing was imported")
        else:
            assert problem is None and result.added == 2
    if problem is not None:
        assert students(app, course) == {}


def test_a_huge_bad_file_shows_the_first_50_problems_and_a_count(app, client, make_course,
                                                                 login_as):
    course = make_course()
    login_as(instructor_of(app, course))
    lines = b"name,email\r\n" + b"".join(b"x,not-an-email\r\n" for _ in range(4000))
    response = client.post(f"/teach/courses/{course.id}/roster", data={
        "file": (io.BytesIO(lines), "bad.csv")})
    assert response.status_code == 422
    assert response.text.count("is not an email address") == 50
    assert "…and 3,950 more." in response.text
    many = b"name,email\r\n" + b"".join(b"x,y@z.test\r\n" for _ in range(100_000))
    with app.app_context(), pytest.raises(roster.RosterError) as refused:
        roster.parse_roster(many)
    assert refused.value.problems == ["the file has more than 5,000 students; split it into "
                                      "smaller files"]
