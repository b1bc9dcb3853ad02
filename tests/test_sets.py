"""`among`: membership in a large set of integers as one bound parameter, on both databases."""

from __future__ import annotations

from sqlalchemy import event, select

from moderation.extensions import db
from moderation.models import Course
from moderation.services.sets import among


def test_among_finds_exactly_the_listed_rows(app, make_course):
    ids = sorted(make_course().id for _ in range(4))
    with app.app_context():
        def found(values):
            return list(db.session.scalars(
                select(Course.id).where(among(Course.id, values)).order_by(Course.id)))

        assert found(ids[1:3]) == ids[1:3]
        assert found([]) == []
        # Thousands of values, and integers as large as a fingerprint (63 bits).
        assert found([ids[0], *range(10**6, 10**6 + 20_000), 2**62 + 7]) == [ids[0]]


def test_every_size_of_set_is_one_statement(app, make_course):
    """One placeholder whatever the count: the driver prepares the statement once (a
    rescore's varying IN lists had filled SQLite's statement cache with megabytes)."""
    make_course()
    sent: list[str] = []
    with app.app_context():
        def keep(_conn, _cursor, statement, *_args):
            if statement.startswith("SELECT"):
                sent.append(statement)

        event.listen(db.engine, "before_cursor_execute", keep)
        try:
            for size in (1, 7, 5_000):
                db.session.scalars(select(Course.id).where(among(Course.id, range(size)))).all()
        finally:
            event.remove(db.engine, "before_cursor_execute", keep)
    assert len(sent) == 3 and len(set(sent)) == 1, sent
