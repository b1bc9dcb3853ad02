"""The queue's text search: the comments whose text holds what was typed, in any case (the
LIKE's meaning), narrowed first by the search index where it pays (models/search.py)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, literal_column, or_, select, table

from moderation.extensions import db
from moderation.models import Comment
from moderation.models.search import SEARCH_TABLE
from moderation.services.sets import among

# Characters whose lowercase depends on the letters around them (Unicode's SpecialCasing:
# the final sigma, the Lithuanian and Turkish dotted i), under an ICU or builtin collation.
_CONTEXTUAL_CASE = frozenset("\u03a3IJ\u012e\u00cc\u00cd\u0128\u0130\u0307")


def holds(q: str) -> ColumnElement[bool]:
    """The body holds the text, in any case (ILIKE: the search's meaning).

    PostgreSQL's ILIKE lowers the whole body before it looks (20 µs a comment, and a search
    counts thousands), while a body that holds the text as typed holds it in every case: the
    exact LIKE (2 µs) answers first, and the ILIKE runs only where it fails. The rows are
    the same: lowering maps each character alone, except for the few characters above,
    whose texts take the ILIKE alone.

    SQLite's LIKE itself ignores the case of ASCII letters, the only ones its lower() folds:
    the ILIKE's lower(body) LIKE lower(text) finds the same rows at twice the cost.
    """
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    like = Comment.body.like(pattern, escape="\\")
    dialect = db.session.get_bind().dialect.name
    if dialect == "sqlite":
        return like
    ilike = Comment.body.ilike(pattern, escape="\\")
    if dialect != "postgresql" or not _CONTEXTUAL_CASE.isdisjoint(q):
        return ilike
    return or_(like, ilike)


# Past this many comments holding the text, the index narrows too little to pay: the LIKE
# alone reads the course (a word in most comments: "the", or a course's own topic).
SEARCH_NARROWS_BELOW = 2000


def narrowed(q: str) -> list[ColumnElement[bool]]:
    """What narrows a text search by the search index before the LIKE (models/search.py).

    On PostgreSQL nothing: its trigram index serves the LIKE and ILIKE themselves. On
    SQLite the FTS5 trigram table lists the comments holding the text (three characters or
    more, case folded more widely than LIKE does), and the LIKE then keeps exactly what it
    kept before, reading only those; unless the text is in so many comments that the list
    would cost more than it saves.
    """
    if len(q) < 3 or db.session.get_bind().dialect.name != "sqlite":
        return []
    phrase = '"' + q.replace('"', '""') + '"'
    found: list[int] = list(db.session.scalars(
        select(literal_column("rowid")).select_from(table(SEARCH_TABLE))
        .where(literal_column(SEARCH_TABLE).op("MATCH")(phrase))
        .limit(SEARCH_NARROWS_BELOW + 1)))
    if len(found) > SEARCH_NARROWS_BELOW:
        return []
    return [among(Comment.id, found)]
