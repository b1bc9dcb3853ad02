"""The queue page built cheaply (issue 19) shows what it showed before: each row's links are
the addresses url_for gives, and the student filter lists, keeps and applies its choice."""

from __future__ import annotations

import re
from html import unescape

import pytest
from flask import url_for
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Comment, User
from moderation.services.comments import posting
from moderation.services.comments.queue import QueueFilter
from moderation.web.dashboard.queue import RowLinks
from tests.conftest import instructor_of

OK = "A response that says something clear about the reading, in enough words to count."


@pytest.fixture
def world(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, title="Week 1", min_words=5, moderation_mode="all")
    students = [make_user(name) for name in ("Ann Ng", "Bo <O'Hara> & Co", "Cy Zed")]
    for student in students:
        enrol(student, course)
    with app.app_context():
        from moderation.models import Discussion
        for n, student in enumerate(students * 2):
            posting.submit_comment(db.session.get(Discussion, discussion.id),
                                   db.session.get(User, student.id), f"{OK} ({n})", f"t{n}")
        db.session.commit()
    return {"course": course, "students": students, "teacher": instructor_of(app, course)}


@pytest.mark.parametrize("args", [
    {}, {"status": "approved", "q": "a&b ü=%", "section": "S 1"},
    {"student": "7", "sort": "severity"},
])
def test_row_links_are_the_addresses_url_for_gives(app, args):
    f = QueueFilter.from_args(args)
    with app.test_request_context("/"):
        links = RowLinks(f)
        for comment_id in (1, 42, 1234567890, 98765):
            for name, endpoint in (("open", "dashboard.comment"),
                                   ("edit", "dashboard.edit_comment"),
                                   ("decide", "dashboard.decide"),
                                   ("compare", "dashboard.compare_copy")):
                assert links(name, comment_id) == url_for(endpoint, comment_id=comment_id,
                                                          **f.to_args())


def test_the_student_filter_keeps_its_choice_and_filters(app, client, login_as, world):
    login_as(world["teacher"])
    url = f"/teach/courses/{world['course'].id}/queue"
    chosen = world["students"][1]
    page = client.get(url, query_string={"student": chosen.id}).text
    select_html = re.search(r'<select name="student">.*?</select>', page, re.S).group()
    options = re.findall(r'<option value="(\d*)"( selected)?>([^<]*)</option>', select_html)
    assert [(value, bool(on)) for value, on, _ in options if on] == [(str(chosen.id), True)]
    assert len(options) == 1 + len(world["students"])  # "All students" and each student
    assert "Co, Bo <O'Hara> &" in {unescape(name) for _, _, name in options}  # sortable
    assert "<O'Hara>" not in select_html  # the name is escaped, not markup
    with app.app_context():
        theirs = set(db.session.scalars(select(Comment.id).where(
            Comment.author_id == chosen.id)))
    rows = {int(i) for i in re.findall(r'id="row-(\d+)"', page)}
    assert rows == theirs and len(rows) == 2
