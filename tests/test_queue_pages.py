"""The instructor's queue: filters in the URL, keyset pages, decisions in place or by form."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from moderation.extensions import db
from moderation.models import AuditEvent, Comment, CommentStatus, ModerationMode, Role, utcnow
from moderation.services.comments import posting, queue
from tests.conftest import instructor_of

OK = "A response that says something clear about the reading, in enough words to count."
OTHER = "Another view entirely: sanctions from neighbours matter more than any treaty does."


@pytest.fixture
def course_setup(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    week1 = make_discussion(course, title="Week 1", min_words=5)
    week2 = make_discussion(course, title="Week 2", min_words=5)
    students = [make_user(f"Student {n:02d}") for n in range(4)]
    for student in students:
        enrol(student, course)
    with app.app_context():
        from moderation.models import Membership
        db.session.scalars(select(Membership).where(
            Membership.user_id == students[0].id)).one().section = "A"
        db.session.commit()
    return {"course": course, "week1": week1, "week2": week2, "students": students,
            "teacher": instructor_of(app, course)}


def submit(app, discussion, student, body, token, minutes_ago=0):
    with app.app_context():
        from moderation.models import Discussion, User
        comment = posting.submit_comment(
            db.session.get(Discussion, discussion.id), db.session.get(User, student.id), body,
            token,
            now=utcnow() - timedelta(minutes=minutes_ago)).comment
        db.session.commit()
        return comment.id


def ids_on(page_html: str) -> list[int]:
    return [int(i) for i in re.findall(r'id="row-(\d+)"', page_html)]


def test_filters_counts_and_order(app, client, login_as, course_setup):
    s = course_setup
    short = submit(app, s["week1"], s["students"][0], "Too short.", "a", 30)  # held: too_short
    email = submit(app, s["week2"], s["students"][1], OK + " Mail me: x@school.test", "b", 20)
    fine = submit(app, s["week1"], s["students"][2], OTHER, "c", 10)  # approved automatically
    login_as(s["teacher"])
    url = f"/teach/courses/{s['course'].id}/queue"
    page = client.get(url).text
    assert ids_on(page) == [short, email]  # pending, oldest first
    assert "Pending <small>(2)</small>" in page and "Approved <small>(1)</small>" in page
    assert ids_on(client.get(url, query_string={"status": "approved"}).text) == [fine]
    assert ids_on(client.get(url, query_string={"discussion": s["week2"].id}).text) == [email]
    assert ids_on(client.get(url, query_string={"rule": "personal_info"}).text) == [email]
    assert ids_on(client.get(url, query_string={"severity": "hold"}).text) == [short, email]
    assert ids_on(client.get(url, query_string={"section": "A"}).text) == [short]
    assert ids_on(client.get(url, query_string={"student": s["students"][1].id}).text) == [email]
    assert ids_on(client.get(url, query_string={"q": "MAIL ME"}).text) == [email]
    assert ids_on(client.get(url, query_string={"q": "100%_"}).text) == []
    # The per-discussion queue is the same list narrowed to it.
    assert ids_on(client.get(f"/teach/discussions/{s['week1'].id}/queue").text) == [short]
    # Nonsense in the URL is ignored, not a 500.
    assert client.get(url, query_string={"status": "x", "severity": "y", "student": "²",
                                         "after": "bad", "sort": "z"}).status_code == 200


def test_keyset_pages_walk_forward_and_back(app, client, login_as, course_setup, monkeypatch):
    s = course_setup
    made = [submit(app, s["week1"], s["students"][i % 4], f"Short {i}.", f"t{i}", 100 - i)
            for i in range(7)]
    monkeypatch.setattr(queue, "PAGE_SIZE", 3)
    login_as(s["teacher"])
    url = f"/teach/courses/{s['course'].id}/queue"
    seen, page, pages = [], client.get(url).text, []
    while True:
        pages.append(ids_on(page))
        seen += ids_on(page)
        link = re.search(r'href="([^"]+)" rel="next"', page)
        if not link:
            break
        page = client.get(link.group(1).replace("&amp;", "&")).text
    assert seen == made and [len(p) for p in pages] == [3, 3, 1]
    back = re.search(r'href="([^"]+)" rel="prev"', page).group(1).replace("&amp;", "&")
    assert ids_on(client.get(back).text) == made[3:6]
    by_severity = client.get(url, query_string={"sort": "severity"}).text
    assert ids_on(by_severity) == list(reversed(made))[:3]  # all hold: newest first


def test_decisions_from_the_list_with_and_without_javascript(app, client, login_as,
                                                            course_setup):
    s = course_setup
    first = submit(app, s["week1"], s["students"][0], "Too short.", "a", 30)
    second = submit(app, s["week1"], s["students"][1], "Also short.", "b", 20)
    login_as(s["teacher"])
    # htmx: the row comes back decided, in place.
    response = client.post(f"/teach/comments/{first}/decision", headers={"HX-Request": "true"},
                           data={"status": "approved", "expected": "pending"})
    assert response.status_code == 200
    assert f'id="row-{first}"' in response.text and "decided" in response.text
    assert "<html" not in response.text
    # A second decision from a stale page is refused with who decided, and changes nothing.
    response = client.post(f"/teach/comments/{first}/decision", headers={"HX-Request": "true"},
                           data={"status": "rejected", "expected": "pending",
                                 "reason": "off_topic"})
    assert response.status_code == 409 and "Already approved by Ina Structor" in response.text
    # Without JavaScript: a plain POST, then back to the list at that row.
    response = client.post(f"/teach/comments/{second}/decision", data={
        "status": "rejected", "expected": "pending", "reason": "too_short",
        "message": "Develop it, please."})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teach/courses/{s['course'].id}/queue"
                                                 f"#row-{second}")
    # A rejection without a reason is refused beside the field, nothing stored.
    response = client.post(f"/teach/comments/{second}/decision?from=comment",
                           data={"status": "approved", "expected": "rejected"})
    assert response.status_code == 303
    response = client.post(f"/teach/comments/{second}/decision?from=comment",
                           data={"status": "rejected", "expected": "approved"})
    assert response.status_code == 422 and "Choose a reason" in response.text
    with app.app_context():
        statuses = dict(db.session.execute(select(Comment.id, Comment.status)).all())
        assert statuses == {first: CommentStatus.APPROVED, second: CommentStatus.APPROVED}
        actions = list(db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.action.like("comment.%")).order_by(AuditEvent.id)))
        assert actions == ["comment.approved", "comment.rejected", "comment.approved"]


def test_the_comment_page_marks_spans_and_walks_the_filtered_queue(app, client, login_as,
                                                                   course_setup):
    s = course_setup
    a = submit(app, s["week1"], s["students"][0], "Too short.", "a", 30)
    b = submit(app, s["week1"], s["students"][1], OK + " Call 555 123 4567 now.", "b", 20)
    c = submit(app, s["week2"], s["students"][2], "Short too.", "c", 10)
    login_as(s["teacher"])
    page = client.get(f"/teach/comments/{b}").text
    flag_id = re.search(r'<li class="flag flag-hold" id="flag-(\d+)"', page).group(1)
    assert f'<mark aria-describedby="flag-{flag_id}">555 123 4567</mark>' in page
    assert "Class median" in page and "5–200" in page
    assert f'href="/teach/comments/{a}"' in page and f'href="/teach/comments/{c}"' in page
    # Narrowed to Week 1, b is the last one: no next.
    narrowed = client.get(f"/teach/comments/{b}", query_string={"discussion": s["week1"].id})
    assert f"/teach/comments/{c}?" not in narrowed.text and 'rel="next"' not in narrowed.text
    # Deciding from the comment page goes on to the next comment of the same queue.
    response = client.post(f"/teach/comments/{a}/decision?from=comment", data={
        "status": "approved", "expected": "pending"})
    assert response.headers["Location"].endswith(f"/teach/comments/{b}")


def test_staff_edit_shows_and_keeps_the_original(app, client, login_as, course_setup):
    s = course_setup
    cid = submit(app, s["week1"], s["students"][0], OK + " Call 555 123 4567.", "a")
    login_as(s["teacher"])
    form = client.get(f"/teach/comments/{cid}/edit")
    assert "Call 555 123 4567." in form.text
    response = client.post(f"/teach/comments/{cid}/edit", data={
        "body": OK + " Call [removed].", "note": "phone number"})
    assert response.status_code == 303
    page = client.get(f"/teach/comments/{cid}").text
    assert "Edited by staff" in page and "Call 555 123 4567." in page  # the student's words
    with app.app_context():
        comment = db.session.get(Comment, cid)
        assert comment.body.endswith("[removed].") and comment.original_body.endswith("4567.")
        assert "personal_info" not in {f.rule for f in comment.flags}  # re-analysed
    thread = client.get(f"/discussions/{s['week1'].id}").text
    assert "edited by staff" in thread
    response = client.post(f"/teach/comments/{cid}/edit", data={"body": "   "})
    assert response.status_code == 422


def test_bulk_and_approve_every_unflagged(app, client, login_as, course_setup):
    s = course_setup
    a = submit(app, s["week1"], s["students"][0], "Too short.", "a", 30)
    b = submit(app, s["week1"], s["students"][1], "Too short as well.", "b", 20)
    login_as(s["teacher"])
    response = client.post(f"/teach/courses/{s['course'].id}/queue/bulk", data={
        "ids": [str(a), str(b)], "status": "rejected", "reason": "too_short"},
        follow_redirects=True)
    assert "Rejected 2 comments." in response.text
    with app.app_context():
        assert set(db.session.scalars(select(Comment.status))) == {CommentStatus.REJECTED}
    # Notes only: "approve every pending comment with no hold flag" shows the count first.
    with app.app_context():
        from moderation.models import Discussion
        db.session.get(Discussion, s["week2"].id).moderation_mode = ModerationMode.ALL
        db.session.commit()
    n1 = submit(app, s["week2"], s["students"][2], OK, "c")
    submit(app, s["week2"], s["students"][3], "Held for being short.", "d")
    confirm = client.get(f"/teach/discussions/{s['week2'].id}/approve-unflagged").text
    assert "<strong>1</strong> pending comment carries no hold flag" in confirm
    response = client.post(f"/teach/discussions/{s['week2'].id}/approve-unflagged",
                           data={"count": "3"}, follow_redirects=True)
    assert "The queue changed" in response.text
    response = client.post(f"/teach/discussions/{s['week2'].id}/approve-unflagged",
                           data={"count": "1"}, follow_redirects=True)
    assert "Approved 1 comments with no hold flag." in response.text
    with app.app_context():
        assert db.session.get(Comment, n1).status == CommentStatus.APPROVED


@pytest.mark.parametrize("who, expected", [("student", 403), ("outsider", 404), ("ta", 200)])
def test_who_may_see_and_decide(app, client, login_as, course_setup, make_user, make_course,
                                enrol, who, expected):
    s = course_setup
    cid = submit(app, s["week1"], s["students"][0], "Too short.", "a")
    user = {"student": lambda: s["students"][1], "outsider": lambda: instructor_of(
        app, make_course()), "ta": lambda: make_user("Tess")}[who]()
    if who == "ta":
        enrol(user, s["course"], Role.TA)
    login_as(user)
    for url in (f"/teach/courses/{s['course'].id}/queue", f"/teach/comments/{cid}",
                f"/teach/comments/{cid}/edit"):
        assert client.get(url).status_code == expected, url
    response = client.post(f"/teach/comments/{cid}/decision",
                           data={"status": "approved", "expected": "pending"})
    assert response.status_code == (303 if who == "ta" else expected)


def count_queries(app, client, url):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_queries_per_page_do_not_grow_with_the_rows(app, client, login_as, course_setup,
                                                    monkeypatch):
    s = course_setup
    login_as(s["teacher"])
    url = f"/teach/courses/{s['course'].id}/queue"
    parent = submit(app, s["week1"], s["students"][3], OK, "parent", 500)
    counts = {}
    made = 0
    for rows in (10, 60):
        while made < rows:
            student = s["students"][made % 3]
            with app.app_context():
                posting.submit_comment(db.session.merge(s["week1"]), db.session.merge(student),
                                     f"Short{made}.", f"r{made}", parent_id=parent)
                db.session.commit()
            made += 1
        monkeypatch.setattr(queue, "PAGE_SIZE", rows)
        counts[rows] = count_queries(app, client, url)
        assert len(ids_on(client.get(url).text)) == rows
    assert counts[10] == counts[60], counts
    comment_page = count_queries(app, client, f"/teach/comments/{parent}")
    assert comment_page <= 16, comment_page


def test_a_revision_shows_its_diff_and_the_original_cannot_come_back(app, client, login_as,
                                                                     course_setup):
    s = course_setup
    original = submit(app, s["week1"], s["students"][0], "Weak court.", "o", 30)  # held
    login_as(s["teacher"])
    client.post(f"/teach/comments/{original}/decision", data={
        "status": "rejected", "expected": "pending", "reason": "too_short"})
    with app.app_context():
        from moderation.models import Comment as C
        from moderation.models import User
        revision = posting.revise_comment(db.session.get(C, original),
                                        db.session.get(User, s["students"][0].id),
                                        "Weak court, because it has no police of its own.",
                                        "rev").comment.id
        db.session.commit()
    page = client.get(f"/teach/comments/{revision}").text
    assert "Versions (2)" in page and "<ins" in page and "police" in page
    assert "revision</strong> of a comment rejected by you: it comes back to you first" in \
        client.get(f"/teach/courses/{s['course'].id}/queue").text
    response = client.post(f"/teach/comments/{original}/decision?from=comment", data={
        "status": "approved", "expected": "rejected"})
    assert response.status_code == 409 and "decide on the revision" in response.text


def test_the_student_filter_lists_students_only(app, client, login_as, course_setup,
                                                make_user, enrol):
    """Issue 17, item 7: "All students" listed the instructor and the TAs too."""
    s = course_setup
    enrol(make_user("Tess Assistant"), s["course"], Role.TA)
    login_as(s["teacher"])
    page = client.get(f"/teach/courses/{s['course'].id}/queue").text
    select = re.search(r'<select name="student">.*?</select>', page, re.S)
    assert select is not None
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]+)</option>", select.group())
    assert names == [f"{n:02d}, Student" for n in range(4)]  # sortable names
    with app.app_context():
        assert [name for _, name in queue.students(s["course"].id)] == names


def test_counts_stop_at_the_cap_and_a_long_list_counts_its_first_comments(
        app, client, login_as, course_setup, monkeypatch):
    """Issue 19: the tabs say "3+" past the cap instead of counting every comment, and the
    flags beside a longer list are counted over its first comments, in the list's order."""
    s = course_setup
    monkeypatch.setattr(queue, "COUNT_CAP", 3)
    short = [submit(app, s["week1"], s["students"][i % 3], f"Short {i}.", f"s{i}", 100 - i)
             for i in range(3)]
    login_as(s["teacher"])
    url = f"/teach/courses/{s['course'].id}/queue"
    page = client.get(url).text
    assert "Pending <small>(3)</small>" in page  # at the cap: still exact
    assert "Flags in this list" in page
    assert re.search(r'rule=too_short">Too short</a> <small>3</small>', page)
    # Two more, newer, each with an email address: five pending, past the cap.
    mail = [submit(app, s["week2"], s["students"][i], OK + f" Mail me: s{i}@school.test",
                   f"m{i}", 10 - i) for i in range(2)]
    page = client.get(url).text
    assert "Pending <small>(3+)</small>" in page
    assert ids_on(page) == short + mail  # the list itself is whole
    # Counted over the first three of the list (the oldest): the newer ones' rule is not.
    assert "Flags in the first 3 comments of this list" in page
    assert "personal_info</a> <small>" not in page
    # Every rule can still be chosen, counted or not; narrowed, the list is counted exactly.
    assert '<option value="personal_info">Contact details</option>' in page
    page = client.get(url, query_string={"rule": "personal_info"}).text
    assert ids_on(page) == mail and "Pending <small>(2)</small>" in page
    page = client.get(url, query_string={"discussion": s["week2"].id}).text
    assert ids_on(page) == mail and "Flags in this list" in page
    assert re.search(r'rule=personal_info">Contact details</a> <small>2</small>', page)
    # Newest first by severity: the first three are now the two with an address and one
    # short comment (all hold): the address's rule is counted.
    page = client.get(url, query_string={"sort": "severity"}).text
    assert ids_on(page) == list(reversed(short + mail))
    assert re.search(r'rule=personal_info[^"]*">Contact details</a> <small>2</small>', page)
    assert re.search(r'rule=too_short[^"]*">Too short</a> <small>1</small>', page)


@pytest.mark.parametrize("query", [
    {}, {"status": "approved"}, {"sort": "severity"}, {"severity": "hold"},
    {"rule": "too_short"}, {"section": "A"}, {"rule": "too_short", "section": "A"},
    {"student": "STUDENT"}, {"reviewer": "TEACHER"}, {"q": "short"}, {"q": "sh"},
    {"discussion": "WEEK1", "sort": "severity", "rule": "too_short"},
])
def test_statements_per_filtered_page_do_not_grow_with_the_rows(
        app, client, login_as, course_setup, monkeypatch, query):
    """Every filter's page runs the same statements for 5 comments and for 40 (and past
    the counts' cap): nothing is counted or loaded per row."""
    s = course_setup
    monkeypatch.setattr(queue, "COUNT_CAP", 20)
    login_as(s["teacher"])
    values = {"STUDENT": str(s["students"][0].id), "TEACHER": str(s["teacher"].id),
              "WEEK1": str(s["week1"].id)}
    query = {k: values.get(v, v) for k, v in query.items()}
    url = f"/teach/courses/{s['course'].id}/queue"
    counts, made = {}, 0
    for rows in (5, 40):
        while made < rows:
            submit(app, s["week1"], s["students"][made % 4], f"Short {made}.", f"r{made}",
                   500 - made)
            made += 1
        counts[rows] = count_queries(app, client, url + "?" + "&".join(
            f"{k}={v}" for k, v in query.items()))
    assert counts[5] == counts[40], counts
    assert counts[40] <= 16, counts  # pinned: the page's statements, whatever the filter
