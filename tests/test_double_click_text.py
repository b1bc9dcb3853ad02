"""A double click never reads as "you already posted this", whichever click commits first."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from moderation.extensions import db
from moderation.models import Comment, Discussion
from moderation.services.comments import posting


def test_the_second_click_finding_the_first_clicks_text_returns_the_first_comment(
        app, db_kind, make_user, make_course, make_discussion, enrol, monkeypatch):
    """Found by bench/load.py on PostgreSQL: the second click checks the token, the first
    commits, then the second's duplicate-text check found the first's text (a 409). Now
    the second click checks the token again under the write lock, before the text."""
    course = make_course()
    discussion = make_discussion(course)
    student = make_user()
    enrol(student, course)
    from moderation import db_setup

    checked, committed = threading.Event(), threading.Event()
    real_begin_write = db_setup.begin_write

    def write_after_the_first_commits(**options: bool) -> None:
        # The second click has checked the token and analysed; the first now commits.
        if threading.current_thread().name == "second":
            checked.set()
            committed.wait(timeout=30)
        real_begin_write(**options)

    monkeypatch.setattr(db_setup, "begin_write", write_after_the_first_commits)
    results: dict[str, tuple[int, bool]] = {}
    errors: list[BaseException] = []

    def click(name: str) -> None:
        try:
            with app.app_context():
                db_setup.set_read_only(True)  # as the submit view begins: deferred
                result = posting.submit_comment(db.session.get(Discussion, discussion.id),
                                              db.session.merge(student),
                                              "One comment, clicked twice.", "same-form")
                db.session.commit()
                results[name] = (result.comment.id, result.created)
        except BaseException as error:  # noqa: BLE001 - asserted below
            errors.append(error)
        finally:
            if name == "first":
                committed.set()

    second = threading.Thread(name="second", target=click, args=("second",))
    second.start()
    assert checked.wait(timeout=30)
    first = threading.Thread(name="first", target=click, args=("first",))
    first.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert errors == []
    assert results["first"][1] is True and results["second"] == (results["first"][0], False)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 1
