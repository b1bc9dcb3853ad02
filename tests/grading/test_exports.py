"""Exports: each format as its LMS imports it, Canvas's importer rules, the round trip, the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.lms import csv_safe
from moderation.models import AuditEvent, Course, Discussion, Membership, User
from moderation.services import roster
from moderation.services.grades import gradebook, sheet
from tests.grading import canvas_rules

DATA = Path(__file__).parent.parent / "data"


def parse(data: bytes, delimiter: str = ",") -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=delimiter))


def grade(discussion, student, teacher, score, feedback=None, release=True):
    sheet.save_grade(discussion, student.id, teacher,
                       sheet.GradeEntry(score, feedback, None, version=1))
    if release:
        sheet.set_released(discussion, teacher, True, student_id=student.id)


@pytest.fixture
def canvas_course(app, make_course, make_discussion):
    """A course whose roster came from Canvas, one discussion matching its assignment 1201."""
    course = make_course()
    discussion = make_discussion(course, title="Week 1 discussion", lms_assignment_id="1201",
                                 points_possible=10)
    with app.app_context():
        course_row = db.session.get(Course, course.id)
        teacher = db.session.scalar(select(User).join(Membership).where(
            Membership.course_id == course.id))
        roster.import_roster(course_row, (DATA / "canvas_gradebook.csv").read_bytes(), teacher)
        people = {m.user.email.split("@")[0]: m.user for m in db.session.scalars(
            select(Membership).where(Membership.course_id == course.id))}
        d = db.session.get(Discussion, discussion.id)
        grade(d, people["bblend"], teacher, 9.5, "Clear and well argued.")
        grade(d, people["aokafor"], teacher, 8, release=False)
        db.session.commit()
    return course, discussion


def test_canvas_round_trip_keeps_header_points_ids_sis_ids_and_sections(app, canvas_course):
    course, _ = canvas_course
    original = parse((DATA / "canvas_gradebook.csv").read_bytes())
    with app.app_context():
        exported = gradebook.export(db.session.get(Course, course.id), None, "canvas")
    assert exported.data.startswith(b"\xef\xbb\xbfStudent,\"ID\",")
    ours = parse(exported.data)
    assert ours[0] == original[0][:6]  # Student … Section, "Week 1 discussion (1201)"
    assert "Points Possible" in ours[1][0] and ours[1][5] == original[1][5] == "10.00"
    wanted = {row[1]: row[:5] for row in original[2:] if row[0] != "Student, Test"}
    assert {row[1]: row[:5] for row in ours[2:]} == wanted
    scores = {row[1]: row[5] for row in ours[2:]}
    assert scores == {"6": "9.50", "7": "", "8": ""}  # unreleased and ungraded: blank
    # And our own roster import reads our export back to the same people.
    assert {(r.lms_user_id, r.sis_user_id, r.sis_login_id, r.section)
            for r in roster.parse_roster(exported.data)[1]} == {
        (row[1], row[2], row[3], row[4]) for row in wanted.values()}


def test_canvas_file_passes_every_importer_rule(app, canvas_course, make_user, enrol,
                                                make_discussion):
    course, _ = canvas_course
    make_discussion(course, title="Week 2: no Canvas id yet", points_possible=7.5)
    tricky = make_user("=1+2", email="joined@school.test")
    enrol(tricky, course)  # joined by code: no Canvas ids at all
    with app.app_context():
        data = gradebook.export(db.session.get(Course, course.id), None, "canvas").data
    assert canvas_rules.problems(data) == []
    rows = parse(data)
    assert rows[0][5:] == ["Week 1 discussion (1201)", "Week 2: no Canvas id yet"]
    assert rows[1][5:] == ["10.00", "7.50"]
    joined = next(r for r in rows if r[3] == "joined@school.test")
    assert joined[:3] == ["'=1+2", "", ""]  # no Canvas ids; matched by login, then name


def test_the_checker_catches_what_canvas_refuses():
    good = b"Student,ID,SIS Login ID,Section,Assignment 1\r\nPoints Possible,,,,10\r\n" \
           b"\"Blend, Bill\",6,bblend,My Course,9.5\r\n"
    assert canvas_rules.problems(good) == []
    assert canvas_rules.problems(b"\xef\xbb\xbf" + good) == []
    assert "Invalid header row" in canvas_rules.problems(good.replace(b"ID", b"Id", 1))[0]
    assert canvas_rules.problems(good.replace(b"Section", b"Group"))
    assert canvas_rules.problems(good.replace(b"9.5", b"9,5"))
    assert canvas_rules.problems(good.replace(b"Points Possible,,,,10", b"Points,,,,10"))
    assert canvas_rules.problems(b"\xef\xbb\xbf\"Student\"" + good[7:])
    assert canvas_rules.problems(good.replace(b"bblend", b"=cmd"))


def test_canvas_sample_from_canvas_itself_passes():
    assert canvas_rules.problems((DATA / "canvas_gradebook.csv").read_bytes()) == []


def test_moodle_blackboard_and_generic_formats(app, canvas_course):
    course, discussion = canvas_course
    with app.app_context():
        course_row = db.session.get(Course, course.id)
        moodle = parse(gradebook.export(course_row, None, "moodle", include_feedback=True).data)
        board = gradebook.export(course_row, None, "blackboard")
        generic = parse(gradebook.export(course_row, None, "generic").data)
    assert moodle[0] == ["First name", "Last name", "Email address", "Week 1 discussion",
                         "Week 1 discussion (feedback)"]
    assert ["Bill", "Blend", "bblend@school.test", "9.5", "Clear and well argued."] in moodle
    assert ["Amara", "Okafor", "aokafor@school.test", "-", ""] in moodle  # not released
    assert board.filename.endswith("-blackboard-grades.xls")  # Blackboard: tab-delimited is .xls
    text = board.data.decode("utf-8")
    assert text.splitlines()[0] == ('"Last Name"\t"First Name"\t"Username"\t'
                                    '"Week 1 discussion [Total Pts: 10] |1201"')
    assert '"Blend"\t"Bill"\t"bblend@school.test"\t"9.5"' in text
    assert generic[0][:3] == ["Student", "Email", "Section"]
    assert "Substantive response" in generic[0] and generic[0][-1] == "Feedback"
    assert len(generic) == 1 + 3  # one row per student per discussion
    amara = next(r for r in generic if r[1] == "aokafor@school.test")
    column = dict(zip(generic[0], amara, strict=True))
    assert (column["Score"], column["Released"], column["Missing"]) == ("8", "no", "yes")


def test_every_text_cell_is_formula_safe_and_scores_stay_numbers():
    from moderation.lms import FORMATS, Assignment, Gradebook, Mark, Student

    student = Student(1, "@SUM(A1) Evil", "-Evil, @SUM(A1)", "evil@x.test", "+1 section",
                      None, "=1+1", "\tlogin")
    assignment = Assignment(1, "=cmd|' /C calc'!A0", 10, "42")
    book = Gradebook([student], [assignment], shown={1: {1: 10.0}},
                     feedback={1: {1: "=HYPERLINK(\"x\")"}},
                     marks={1: {1: Mark(score=10, released=True, feedback="=HYPERLINK(\"x\")")}},
                     criteria=("Substantive response",), include_feedback=True)
    for name, fmt in FORMATS.items():
        rows = list(fmt.rows(book))
        for row in rows:
            for cell in row:
                assert not cell.startswith(csv_safe.FORMULA_START), (name, cell)
        assert any("10" in cell for cell in rows[-1]), name  # the score is a plain number


def test_unmatched_students_are_named_per_format(app, canvas_course, make_user, enrol):
    course, _ = canvas_course
    enrol(make_user("Joan Joiner", email="joan@school.test"), course)
    with app.app_context():
        course_row = db.session.get(Course, course.id)
        canvas = gradebook.unmatched(course_row, "canvas")
        assert [u.student.email for u in canvas] == ["joan@school.test"]
        assert "SIS Login ID (joan@school.test)" in canvas[0].reason
        assert [u.student.email for u in gradebook.unmatched(course_row, "moodle")] == [
            "joan@school.test"]
        assert [u.student.email for u in gradebook.unmatched(course_row, "blackboard")] == [
            "joan@school.test"]
        assert gradebook.unmatched(course_row, "generic") == []


def test_every_export_is_in_the_audit_log(app, canvas_course):
    course, discussion = canvas_course
    with app.app_context():
        gradebook.export(db.session.get(Course, course.id), None, "moodle",
                         discussion_id=discussion.id)
        db.session.commit()
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "gradebook.exported"))
        assert event.after == {"format": "moodle", "discussion_id": discussion.id,
                               "students": 3, "columns": 1, "feedback": False}


def test_export_grades_command(app, runner, canvas_course, tmp_path):
    course, discussion = canvas_course
    with app.app_context():
        code = db.session.get(Course, course.id).code
    result = runner.invoke(args=["export-grades", code, "--format", "canvas"])
    assert result.exit_code == 0, result.output
    assert canvas_rules.problems(result.stdout_bytes) == []
    assert result.stdout_bytes.startswith(b"\xef\xbb\xbfStudent,\"ID\",")
    out = tmp_path / "grades.txt"
    result = runner.invoke(args=["export-grades", code, "--format", "blackboard",
                                 "--discussion", str(discussion.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text("utf-8").startswith('"Last Name"\t')
    assert "Wrote 3 students" in result.output
    result = runner.invoke(args=["export-grades", "NOPE", "--format", "canvas"])
    assert result.exit_code != 0 and "No course with code NOPE" in result.output
    result = runner.invoke(args=["export-grades", code, "--format", "excel"])
    assert result.exit_code != 0
    with app.app_context():
        assert len(list(db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "gradebook.exported")))) == 2


def test_refresh_suggestions_command(app, runner, graded_course, make_comment):
    from moderation.models import Grade

    c = graded_course
    make_comment(c.discussion, c.amara)
    with app.app_context():
        code = db.session.get(Course, c.course.id).code
        # As after an upgrade that computes suggestions differently: no row, nothing stored.
        db.session.execute(Grade.__table__.delete())
        db.session.commit()
    result = runner.invoke(args=["refresh-suggestions", "--course", code])
    assert result.exit_code == 0 and "Refreshed the suggestions of 1 discussions" in result.output
    with app.app_context():
        from moderation.models import Grade

        [row] = db.session.scalars(select(Grade))
        assert (row.student_id, row.suggested_score, row.score) == (c.amara.id, 6, None)


def test_a_large_export_shows_progress_on_standard_error(app, runner, canvas_course,
                                                         monkeypatch):
    from moderation import cli_grades

    course, _ = canvas_course
    monkeypatch.setattr(cli_grades, "PROGRESS_FROM", 2)
    with app.app_context():
        code = db.session.get(Course, course.id).code
    result = runner.invoke(args=["export-grades", code, "--format", "moodle"])
    assert result.exit_code == 0, result.output
    assert "Exporting" in result.stderr and "Exporting" not in result.stdout
    assert result.stdout.startswith('"First name","Last name","Email address"')


def test_a_policy_change_refreshes_the_readability_criterion(app, graded_course, make_comment):
    from moderation.models import Grade
    from moderation.services import policies

    c = graded_course
    make_comment(c.discussion, c.amara, grade=12.0)
    with app.app_context():
        discussion = db.session.get(Discussion, c.discussion.id)
        assert db.session.scalar(select(Grade.suggested_score)) == 6
        policies.set_discussion_policy(discussion, db.session.get(User, c.teacher.id),
                                       {"max_grade": 10})
        db.session.commit()
        assert db.session.scalar(select(Grade.suggested_score)) == 5


@pytest.fixture
def worth_150(app, canvas_course, make_discussion):
    """A 150-point discussion in the Canvas course, with a released 120 for Bill Blend."""
    course, _ = canvas_course
    big = make_discussion(course, title="Term essay", points_possible=150)
    with app.app_context():
        teacher = db.session.scalar(select(User).join(Membership).where(
            Membership.course_id == course.id, Membership.role == "instructor"))
        bill = db.session.scalar(select(User).where(User.email == "bblend@school.test"))
        grade(db.session.get(Discussion, big.id), bill, teacher, 120)
        db.session.commit()
    return course, big


def test_moodle_refuses_a_file_its_importer_would_refuse_and_offers_percentages(
        app, runner, worth_150):
    """Issue 17, item 5: Moodle stops a whole import at one grade above 100."""
    from moderation.services.errors import InvalidInput

    course, big = worth_150
    with app.app_context():
        course_row = db.session.get(Course, course.id)
        with pytest.raises(InvalidInput, match=r"Moodle refuses a grade above 100 .* Term "
                                               r"essay: 1 score up to 120 of 150") as refused:
            gradebook.export(course_row, None, "moodle")
        assert refused.value.field == "format"
        moodle = parse(gradebook.export(course_row, None, "moodle", as_percent=True).data)
        assert gradebook.limits(course_row)["moodle"][0].startswith(
            "Term essay is worth 150 points: Moodle refuses a grade above 100")
        # Only Moodle's file can carry percentages.
        with pytest.raises(InvalidInput, match="Only the Moodle file"):
            gradebook.export(course_row, None, "canvas", as_percent=True)
    assert moodle[0] == ["First name", "Last name", "Email address", "Week 1 discussion (%)",
                         "Term essay (%)"]
    assert ["Bill", "Blend", "bblend@school.test", "95", "80"] in moodle
    code = course.code
    result = runner.invoke(args=["export-grades", code, "--format", "moodle"])
    assert result.exit_code != 0 and "Moodle refuses a grade above 100" in result.output
    result = runner.invoke(args=["export-grades", code, "--format", "moodle", "--percent"])
    assert result.exit_code == 0 and "Term essay (%)" in result.stdout


def test_the_export_page_warns_before_and_refuses_beside_the_format(app, client, login_as,
                                                                    worth_150):
    course, _ = worth_150
    with app.app_context():
        teacher = db.session.scalar(select(User).join(Membership).where(
            Membership.course_id == course.id, Membership.role == "instructor"))
    login_as(teacher)
    page = client.get(f"/teach/courses/{course.id}/export").text
    assert "Term essay is worth 150 points: Moodle refuses a grade above 100" in page
    assert "Moodle: scores as percentages" in page
    refused = client.post(f"/teach/courses/{course.id}/export",
                          data={"format": "moodle", "discussion": "0"})
    assert refused.status_code == 422 and "stops the whole import" in refused.text
    sent = client.post(f"/teach/courses/{course.id}/export",
                       data={"format": "moodle", "discussion": "0", "as_percent": "y"})
    assert sent.status_code == 200 and b"Term essay (%)" in sent.data
    board = client.post(f"/teach/courses/{course.id}/export",
                        data={"format": "blackboard", "discussion": "0"})
    assert board.headers["Content-Disposition"].endswith('-blackboard-grades.xls"')


def test_a_score_is_stored_as_it_is_shown_to_the_hundredth(app, client, login_as,
                                                           graded_course):
    """9.999 was stored as 9.999 but shown and exported as 10: now 10 everywhere."""
    from moderation.models import Grade

    c = graded_course
    login_as(c.teacher)
    p = f"g{c.kai.id}-"
    response = client.post(f"/teach/discussions/{c.discussion.id}/grades/{c.kai.id}",
                           data={p + "score": "9.999", p + "version": "1"})
    assert response.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Grade.score)) == 10.0
        sheet.save_grade(db.session.get(Discussion, c.discussion.id), c.kai.id,
                           db.session.get(User, c.teacher.id),
                           sheet.GradeEntry(2.675, None, None, version=2))
        db.session.commit()
        assert db.session.scalar(select(Grade.score)) == 2.68  # halves up, not 2.67


def test_the_export_page_names_each_unmatched_student_once_and_warns_when_nothing_is_released(
        app, client, login_as, make_course, make_discussion, make_user, enrol):
    course = make_course()
    discussion = make_discussion(course, points_possible=10)
    joan = make_user("Joan Joiner", email="joan@school.test")
    enrol(joan, course)
    with app.app_context():
        teacher = db.session.scalar(select(User).join(Membership).where(
            Membership.course_id == course.id, Membership.role == "instructor"))
    login_as(teacher)
    page = client.get(f"/teach/courses/{course.id}/export").text
    # Joan joined by code: Canvas, Moodle and Blackboard may each miss her, and she is
    # listed once with the three reasons, not three times.
    assert page.count("Joiner, Joan") == 1, page
    assert "Canvas: no Canvas ID" in page and "Moodle: joined with the join code" in page
    assert "Blackboard: no Blackboard username" in page
    assert 'id="nothing-released"' in page
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        grade(d, db.session.get(User, joan.id), db.session.get(User, teacher.id), 7)
        db.session.commit()
    assert 'id="nothing-released"' not in client.get(f"/teach/courses/{course.id}/export").text
