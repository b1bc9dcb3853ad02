"""A long discussion comes in pages of responses; a reply always stays with its response."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event

from moderation.extensions import db
from moderation.models import Discussion, User, utcnow
from moderation.services import discussions
from moderation.services.comments import posting


def post(app, discussion, author, text, token, minutes_ago, parent_id=None):
    with app.app_context():
        comment = posting.submit_comment(
            db.session.get(Discussion, discussion.id), db.session.get(User, author.id), text,
            token, parent_id=parent_id, now=utcnow() - timedelta(minutes=minutes_ago)).comment
        db.session.commit()
        return comment.id


def responses_on(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<article id="comment-(\d+)" class="comment', page)]


def test_pages_walk_every_response_once_with_its_replies(app, client, make_user, make_course,
                                                         make_discussion, enrol, login_as,
                                                         monkeypatch):
    monkeypatch.setattr(discussions, "THREADS_PER_PAGE", 4)
    course = make_course()
    discussion = make_discussion(course, min_words=2)
    writers = [make_user() for _ in range(3)]
    reader = make_user()
    for u in [*writers, reader]:
        enrol(u, course)
    tops, replies = [], {}
    for n in range(10):
        top = post(app, discussion, writers[n % 3], f"Response number {n} here.", f"t{n}",
                   1000 - n)
        tops.append(top)
        if n % 3 == 0:
            replies[top] = post(app, discussion, writers[(n + 1) % 3],
                                f"A reply to response {n}.", f"r{n}", 500 - n, parent_id=top)
    login_as(reader)
    url = f"/discussions/{discussion.id}"
    seen, page, pages = [], client.get(url).text, 0
    while True:
        pages += 1
        on_page = [i for i in responses_on(page) if i in tops]
        seen += on_page
        for top in on_page:
            if top in replies:  # the reply is on the same page, after its response
                assert page.index(f'id="comment-{top}"') < page.index(
                    f'id="comment-{replies[top]}"')
        link = re.search(r'href="([^"]+)" rel="next"', page)
        if not link:
            break
        page = client.get(link.group(1).replace("&amp;", "&")).text
    assert seen == tops and pages == 3
    back = re.search(r'href="([^"]+)" rel="prev"', page).group(1).replace("&amp;", "&")
    assert [i for i in responses_on(client.get(back).text) if i in tops] == tops[4:8]
    # Landing on a comment opens the page reading from the start reaches: the same
    # responses, not a page that starts at the comment's response.
    pages_of = [tops[0:4], tops[4:8], tops[8:10]]
    for n, top in enumerate(tops):
        landing = replies.get(top, top)  # a reply lands on its response's page
        on_page = [i for i in responses_on(client.get(url, query_string={"at": landing}).text)
                   if i in tops]
        assert on_page == pages_of[n // 4], n
    first = client.get(url, query_string={"at": tops[2]}).text
    assert 'rel="prev"' not in first and 'rel="next"' in first


def test_a_page_costs_the_same_queries_whatever_the_discussion(app, client, make_user,
                                                              make_course, make_discussion,
                                                              enrol, login_as, monkeypatch):
    monkeypatch.setattr(discussions, "THREADS_PER_PAGE", 5)
    course = make_course()
    discussion = make_discussion(course, min_words=2)
    writers = [make_user() for _ in range(3)]
    for u in writers:
        enrol(u, course)
    login_as(writers[0])
    with app.app_context():
        engine = db.engine
    counts = {}
    made = 0
    for total in (6, 30):
        while made < total:
            top = post(app, discussion, writers[made % 3], f"Response {made} is here.",
                       f"a{made}", 2000 - made)
            post(app, discussion, writers[(made + 1) % 3], f"Reply {made} is here.",
                 f"b{made}", 1000 - made, parent_id=top)
            made += 1
        statements: list[str] = []

        def listener(*args, seen=statements):
            seen.append(args[2])

        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(f"/discussions/{discussion.id}").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        counts[total] = len(statements)
    assert counts[6] == counts[30], counts
