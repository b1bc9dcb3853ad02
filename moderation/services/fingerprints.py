"""The fingerprint index of a course: kept as comments are stored, read to find copies.

`record` adds a stored comment's fingerprints, `forget` takes them back (before its text
changes), and `similar` finds the earlier comments that share the most fingerprints with
a text, in a bounded number of index reads whatever the size of the course.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from moderation.analysis.fingerprints import fingerprints
from moderation.extensions import db
from moderation.models import (
    COMMON_FINGERPRINT,
    Comment,
    CommentStatus,
    Discussion,
    Fingerprint,
    FingerprintCount,
    User,
)

CANDIDATES = 40  # earlier comments handed to the similarity rules


@dataclass(frozen=True)
class Similar:
    """An earlier comment that shares fingerprints with a text."""

    id: int
    author_id: int
    author: str
    body: str
    status: CommentStatus
    discussion: str


def record(comments: Sequence[Comment]) -> None:
    """Index stored comments' fingerprints (of one course or several), in a few statements.

    Each fingerprint's count goes up; rows are kept only for fingerprints that are not
    (yet) common in the course, and a fingerprint that just became common loses its rows.
    """
    pairs = {(c.course_id, value, c.id) for c in comments for value in fingerprints(c.body)}
    if not pairs:
        return
    per_hash: dict[tuple[int, int], int] = {}
    for course_id, value, _ in pairs:
        per_hash[course_id, value] = per_hash.get((course_id, value), 0) + 1
    _add_counts(per_hash)
    counts = _counts(per_hash)
    db.session.execute(insert(Fingerprint), [
        {"course_id": course_id, "hash": value, "comment_id": comment_id}
        for course_id, value, comment_id in pairs
        if counts[course_id, value] <= COMMON_FINGERPRINT])
    crossed = [key for key, added in per_hash.items()
               if counts[key] > COMMON_FINGERPRINT >= counts[key] - added]
    for course_id, value in crossed:
        db.session.execute(delete(Fingerprint).where(Fingerprint.course_id == course_id,
                                                     Fingerprint.hash == value))


def forget(comment: Comment) -> None:
    """Take a comment's fingerprints out of the index (its text is about to change)."""
    values = list(fingerprints(comment.body))
    if not values:
        return
    db.session.execute(update(FingerprintCount).where(
        FingerprintCount.course_id == comment.course_id, FingerprintCount.hash.in_(values))
        .values(comments=FingerprintCount.comments - 1))
    db.session.execute(delete(Fingerprint).where(Fingerprint.comment_id == comment.id))


def _add_counts(per_hash: dict[tuple[int, int], int]) -> None:
    """Add to each (course, fingerprint)'s count: one upsert statement."""
    dialect = db.session.get_bind().dialect.name
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert_of(FingerprintCount)
    statement = statement.on_conflict_do_update(
        index_elements=[FingerprintCount.course_id, FingerprintCount.hash],
        set_={"comments": FingerprintCount.comments + statement.excluded.comments})
    db.session.execute(statement, [{"course_id": c, "hash": h, "comments": n}
                                   for (c, h), n in sorted(per_hash.items())])


def _counts(per_hash: Collection[tuple[int, int]]) -> dict[tuple[int, int], int]:
    found: dict[tuple[int, int], int] = {}
    by_course: dict[int, list[int]] = {}
    for course_id, value in per_hash:
        by_course.setdefault(course_id, []).append(value)
    for course_id, values in by_course.items():
        for start in range(0, len(values), 5000):  # within every database's parameter limit
            found.update(((course_id, h), n) for h, n in db.session.execute(
                select(FingerprintCount.hash, FingerprintCount.comments).where(
                    FingerprintCount.course_id == course_id,
                    FingerprintCount.hash.in_(values[start:start + 5000]))).all())
    return found


def similar(course_id: int, author_id: int, text: str, *, before: datetime,
            exclude_id: int | None = None, visible_only: bool = False) -> list[Similar]:
    """Earlier comments of the course sharing the most fingerprints with `text`.

    One statement: the text's uncommon fingerprints (an index read each, each at most
    COMMON_FINGERPRINT rows long), grouped by comment, best first. Rejected comments and
    comments from `before` on never count; with `visible_only`, a classmate's comment
    counts only once approved (what the author can read).
    """
    values = list(fingerprints(text))
    if not values:
        return []
    where: list[Any] = [Comment.status != CommentStatus.REJECTED, Comment.submitted_at < before]
    if exclude_id is not None:
        where.append(Comment.id != exclude_id)
    if visible_only:
        where.append(or_(Comment.author_id == author_id,
                         Comment.status == CommentStatus.APPROVED))
    shared = func.count().label("shared")
    best = (select(Fingerprint.comment_id, shared)
            .join(Comment, Comment.id == Fingerprint.comment_id)
            .where(Fingerprint.course_id == course_id, Fingerprint.hash.in_(values), *where)
            .group_by(Fingerprint.comment_id).order_by(shared.desc(), Fingerprint.comment_id)
            .limit(CANDIDATES).subquery())
    rows = db.session.execute(
        select(Comment.id, Comment.author_id, User.display_name, Comment.body, Comment.status,
               Discussion.title)
        .join(best, best.c.comment_id == Comment.id)
        .join(User, User.id == Comment.author_id)
        .join(Discussion, Discussion.id == Comment.discussion_id)
        .order_by(best.c.shared.desc(), Comment.id)).all()
    return [Similar(*row) for row in rows]
