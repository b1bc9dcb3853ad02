"""The audit log page: readable changes, filters, keyset pages, and a safe, audited CSV."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from moderation.extensions import db
from moderation.models import AuditEvent, CommentStatus, Course, Role, User
from moderation.services import audit, audit_log
from moderation.services.audit_log import AuditFilter, Cursor
from moderation.services.comments import decisions, posting
from tests.conftest import instructor_of
from tests.forms import form_fields

TEXT = "A response long enough for the test discussion, with a clear point of its own."


@pytest.fixture
def course_log(app, client, login_as, make_user, make_course, make_discussion, enrol):
    """A course where a student's comment was approved, with the instructor signed in."""
    course = make_course()
    discussion = make_discussion(course, moderation_mode="all")
    sam, kim = make_user("Sam Student"), make_user("Kim Student")
    enrol(sam, course)
    enrol(kim, course)
    teacher = instructor_of(app, course)
    with app.app_context():
        me = db.session.merge(teacher)
        comment = posting.submit_comment(db.session.merge(discussion), db.session.merge(sam), TEXT,
                                       "t1").comment
        db.session.commit()
        decisions.approve(decisions.locked(comment.id, me), me, CommentStatus.PENDING)
        db.session.commit()
    login_as(teacher)
    return {"course": course, "teacher": teacher, "sam": sam, "kim": kim,
            "url": f"/teach/courses/{course.id}/audit"}


def add_events(app, course: Course, count: int, *, at: datetime | None = None,
               subject: User | None = None, action: str = "test.event",
               reason: str | None = None) -> list[int]:
    """Append events directly (the service stamps the clock; these need chosen times)."""
    with app.app_context():
        rows = [AuditEvent(course_id=course.id, action=action, at=at or datetime.now(UTC),
                           subject_id=subject.id if subject else None, reason=reason,
                           after={"n": i}) for i in range(count)]
        db.session.add_all(rows)
        db.session.commit()
        return [row.id for row in rows]


def table(html: str) -> str:
    return html.split("<tbody>")[1].split("</tbody>")[0]


def test_the_log_says_who_when_what_and_the_change_in_words(client, course_log):
    page = client.get(course_log["url"])
    assert page.status_code == 200
    rows = table(page.text)
    assert "Approved a comment" in rows and "Student: <bdi>Sam Student</bdi>" in rows
    assert "status: pending → approved" in rows
    assert "<bdi>Ina Structor</bdi>" in rows and "Created the course" in rows
    assert "{" not in rows and "&#34;" not in rows  # no JSON on the page


def test_filters_by_student_action_and_dates(app, client, course_log):
    course, sam, kim = course_log["course"], course_log["sam"], course_log["kim"]
    old = datetime(2025, 3, 10, 12, tzinfo=UTC)
    add_events(app, course, 2, at=old, subject=kim, action="test.old")
    url = course_log["url"]

    by_student = table(client.get(url, query_string={"student": sam.id}).text)
    assert "Approved a comment" in by_student and "Created the course" not in by_student
    by_action = table(client.get(url, query_string={"action": "test.old"}).text)
    assert by_action.count("<tr>") == 2 and "Test: old" in by_action
    in_range = table(client.get(url, query_string={"since": "2025-03-10",
                                                   "until": "2025-03-10"}).text)
    assert in_range.count("<tr>") == 2
    assert "No entries match." in client.get(url, query_string={"until": "2025-03-09"}).text
    options = client.get(url).text.split('id="action"')[1].split("</select>")[0]
    assert "Approved a comment" in options and "test.old" in options


def test_a_backwards_date_range_is_refused_beside_the_field_and_kept(client, course_log):
    response = client.get(course_log["url"], query_string={"since": "2026-02-10",
                                                           "until": "2026-02-01"})
    assert response.status_code == 422
    assert 'id="until-errors"' in response.text and "must not come before" in response.text
    assert 'value="2026-02-10"' in response.text and 'value="2026-02-01"' in response.text
    assert "Download" not in response.text


def test_keyset_pages_cover_every_event_once_even_at_the_same_instant(app, course_log):
    course = course_log["course"]
    same = datetime(2026, 1, 5, 9, tzinfo=UTC)
    add_events(app, course, 9, at=same)
    add_events(app, course, 4, at=same + timedelta(seconds=1))
    with app.app_context():
        everything = [e.event.id for e in audit_log.every_entry(course.id, AuditFilter())]
        seen, pages, before = [], [], None
        while True:
            page = audit_log.page(course.id, AuditFilter(), before=before, size=4)
            pages.append(page)
            seen += [e.event.id for e in page.entries]
            if page.older is None:
                break
            before = page.older
        assert seen == everything and len(set(seen)) == len(seen)
        # And back again with the "newer" cursors, page for page.
        back = audit_log.page(course.id, AuditFilter(), after=pages[-1].newer, size=4)
        assert [e.event.id for e in back.entries] == [e.event.id for e in pages[-2].entries]
        assert Cursor.parse(pages[1].older.token()) == pages[1].older


def test_the_page_links_walk_the_log_without_offset(app, client, course_log):
    course = course_log["course"]
    add_events(app, course, 60)
    statements: list[tuple[str, object]] = []

    def keep(conn, cursor, statement, parameters, *args):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        first = client.get(course_log["url"]).text
        older = re.search(r'href="([^"]*before=[^"]*)">Older', first).group(1)
        second = client.get(older.replace("&amp;", "&")).text
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert table(first).count("<tr>") == 50
    assert "Older" not in second and "Newest" in second
    assert table(second).count("<tr>") >= 12
    # SQLite's dialect writes "OFFSET 0" after every LIMIT; no page ever skips rows by count.
    offsets = [params[-1] for sql, params in statements if "OFFSET" in sql.upper()]
    assert all(offset == 0 for offset in offsets)
    assert Cursor.parse("12-x") is None and Cursor.parse("9" * 18 + "-1") is None
    for junk in ("junk", "9" * 17 + "-9999999999", "-1-1"):
        assert client.get(course_log["url"], query_string={"before": junk}).status_code == 200
        assert client.get(course_log["url"], query_string={"after": junk}).status_code == 200


def test_the_csv_is_an_uncached_attachment_formula_safe_and_itself_recorded(
        app, client, course_log):
    course, teacher = course_log["course"], course_log["teacher"]
    add_events(app, course, 1, action="test.formula", reason="=HYPERLINK(\"http://x\")")
    add_events(app, course, 1, action="test.dash", reason="-2 points, tab\tinside")
    page = client.get(course_log["url"]).text
    form = form_fields(page, f"/teach/courses/{course.id}/audit.csv")
    response = client.post(f"/teach/courses/{course.id}/audit.csv", data=form)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    assert re.fullmatch(r'attachment; filename="audit-C\d+-\d{8}-\d{6}\.csv"',
                        response.headers["Content-Disposition"])
    text = response.data.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    reasons = {row["Action"]: row["Reason"] for row in rows}
    assert reasons["test.formula"] == "'=HYPERLINK(\"http://x\")"
    assert reasons["test.dash"] == "'-2 points, tab\tinside"
    approved = next(row for row in rows if row["Action"] == "comment.approved")
    assert approved["Change"] == "status: pending → approved"
    assert approved["Student"] == "Sam Student" and approved["Who"] == "Ina Structor"
    # Ids are written as they are, with no guard (every field is quoted).
    object_id = approved["Object id"]
    assert re.search(rf',"comment","{object_id}",', text)
    assert "audit.exported" not in reasons  # the file holds what was there before it
    with app.app_context():
        export = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "audit.exported"))
        assert export.actor_id == teacher.id and export.after["rows"] == len(rows)


def test_a_filtered_csv_holds_the_filtered_rows_and_names_the_student(app, client,
                                                                      course_log):
    course, sam = course_log["course"], course_log["sam"]
    response = client.post(f"/teach/courses/{course.id}/audit.csv",
                           data={"student": str(sam.id)})
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows and {row["Student"] for row in rows} == {"Sam Student"}
    with app.app_context():
        export = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "audit.exported"))
        assert export.subject_id == sam.id and export.after["student"] == "Sam Student"


@pytest.mark.parametrize("export, shown", [(False, False), (True, True)])
def test_tas_read_the_log_and_download_it_only_when_allowed(app, client, login_as, make_user,
                                                            enrol, course_log, export, shown):
    course = course_log["course"]
    tess = make_user("Tess Assistant")
    enrol(tess, course, Role.TA)
    with app.app_context():
        db.session.get(Course, course.id).tas_export = export
        db.session.commit()
    client.post("/logout")
    login_as(tess)
    page = client.get(course_log["url"])
    assert page.status_code == 200 and ("Download these entries" in page.text) == shown
    response = client.post(f"/teach/courses/{course.id}/audit.csv")
    assert response.status_code == (200 if export else 403)


def test_the_service_reads_newest_first_and_counts(app, course_log):
    course = course_log["course"]
    ids = add_events(app, course, 3, at=datetime(2026, 1, 1, tzinfo=UTC), action="test.x")
    with app.app_context():
        assert audit_log.count(course.id, AuditFilter(action="test.x")) == 3
        found = [e.event.id for e in audit_log.every_entry(course.id,
                                                           AuditFilter(action="test.x"))]
        assert found == sorted(ids, reverse=True)
        assert audit_log.count(course.id, AuditFilter(since=date(2026, 1, 2))) >= 1
        audit.record("test.y", actor=None, course_id=course.id)
        db.session.commit()
        assert "test.y" in audit_log.actions(course.id)
