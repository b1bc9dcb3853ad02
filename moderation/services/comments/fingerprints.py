"""The fingerprint index of a course: kept as comments are stored, read to find copies.

`record` adds a stored comment's fingerprints, `forget` takes those of a text it no longer
has (both called by `text_facts.store`), and `similar` finds the earlier comments that
share the most fingerprints with a text, in a bounded number of index reads whatever the
size of the course.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Row, and_, delete, insert, select, update
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
from moderation.services.sets import among

CANDIDATES = 40  # earlier comments handed to the similarity rules
# A candidate shares at least this share of the text's uncommon fingerprints. The rules
# look for 80% of a text's shingles in one earlier comment (copied) or 90% alike (repeat);
# a run that long shares nearly all of its fingerprints, so a candidate sharing under 30%
# shares a few phrases, not a copy (tests/test_fingerprint_index.py holds it to the scan).
MIN_SHARED = 0.3


@dataclass(frozen=True)
class Similar:
    """An earlier comment that shares fingerprints with a text."""

    id: int
    author_id: int
    author: str
    body: str
    status: CommentStatus
    discussion: str


def record(texts: Sequence[tuple[int, int, str]]) -> None:
    """Index stored texts' fingerprints, (course id, comment id, text) each, of one course
    or several, in a few statements (`text_facts.store` is the one caller).

    Each fingerprint's count goes up; rows are kept only for fingerprints that are not
    (yet) common in the course, and a fingerprint that just became common loses its rows.
    """
    pairs = {(course_id, value, comment_id) for course_id, comment_id, body in texts
             for value in fingerprints(body)}
    if not pairs:
        return
    per_hash: dict[tuple[int, int], int] = {}
    for course_id, value, _ in pairs:
        per_hash[course_id, value] = per_hash.get((course_id, value), 0) + 1
    counts = _add_counts(per_hash)
    rows = [{"course_id": course_id, "hash": value, "comment_id": comment_id}
            for course_id, value, comment_id in pairs
            if counts[course_id, value] <= COMMON_FINGERPRINT]
    if rows:  # every fingerprint common phrasing: nothing to index (an empty list is no INSERT)
        db.session.execute(insert(Fingerprint), rows)
    crossed = [key for key, added in per_hash.items()
               if counts[key] > COMMON_FINGERPRINT >= counts[key] - added]
    for course_id, value in crossed:
        db.session.execute(delete(Fingerprint).where(Fingerprint.course_id == course_id,
                                                     Fingerprint.hash == value))


def forget(course_id: int, comment_id: int, body: str) -> None:
    """Take a comment's fingerprints of `body` (the text it had) out of the index."""
    values = list(fingerprints(body))
    if not values:
        return
    db.session.execute(update(FingerprintCount).where(
        FingerprintCount.course_id == course_id, among(FingerprintCount.hash, values))
        .values(comments=FingerprintCount.comments - 1)
        .execution_options(synchronize_session=False))  # no counts are loaded as objects
    db.session.execute(delete(Fingerprint).where(Fingerprint.comment_id == comment_id))


def _add_counts(per_hash: dict[tuple[int, int], int]) -> dict[tuple[int, int], int]:
    """Add to each (course, fingerprint)'s count and return the new counts: one upsert
    statement per batch of rows, RETURNING what it wrote (SQLite 3.35+, PostgreSQL)."""
    dialect = db.session.get_bind().dialect.name
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert_of(FingerprintCount)
    statement = upsert.on_conflict_do_update(
        index_elements=[FingerprintCount.course_id, FingerprintCount.hash],
        set_={"comments": FingerprintCount.comments + upsert.excluded.comments},
    ).returning(FingerprintCount.course_id, FingerprintCount.hash, FingerprintCount.comments)
    # Sorted, so concurrent writers on PostgreSQL lock the count rows in one order.
    rows = db.session.execute(statement, [{"course_id": c, "hash": h, "comments": n}
                                          for (c, h), n in sorted(per_hash.items())])
    return {(course_id, value): n for course_id, value, n in rows}


@dataclass(frozen=True)
class Query:
    """One text to find earlier comments for: whose it is, and as of when."""

    author_id: int
    text: str
    before: datetime
    exclude_id: int | None = None
    # A stored comment's uncommon fingerprints as the index holds them (its rows), read
    # with its batch instead of computed from its text again (rescore).
    indexed: frozenset[int] | None = None


def similar(course_id: int, author_id: int, text: str, *, before: datetime,
            exclude_id: int | None = None, visible_only: bool = False) -> list[Similar]:
    """Earlier comments of the course sharing the most fingerprints with `text`."""
    return similar_many(course_id, [Query(author_id, text, before, exclude_id)],
                        visible_only=visible_only)[0]


def similar_many(course_id: int, queries: Sequence[Query], *,
                 visible_only: bool = False) -> list[list[Similar]]:
    """For each query, the earlier comments sharing the most fingerprints, best first.

    Three reads whatever the course's size: which of the texts' fingerprints are common
    and where the others occur (each list at most COMMON_FINGERPRINT long), the facts of
    the comments that share at least MIN_SHARED of a text's uncommon fingerprints, and
    the text of the best of them. Rejected
    comments and comments from a query's `before` on never count; with `visible_only`, a
    classmate's comment counts only once approved (what the author can read). Submit and
    rescore both find their candidates here, one text or a batch at a time.
    """
    computed = {i: fingerprints(q.text) for i, q in enumerate(queries) if q.indexed is None}
    common, postings = _postings(course_id, set().union(
        *computed.values(), *(q.indexed for q in queries if q.indexed is not None)))
    prints = [q.indexed if q.indexed is not None else computed[i] - common
              for i, q in enumerate(queries)]
    shared: list[dict[int, int]] = []
    for values in prints:
        counts: dict[int, int] = {}
        for value in values:
            for comment_id in postings.get(value, ()):
                counts[comment_id] = counts.get(comment_id, 0) + 1
        least = max(1, math.ceil(MIN_SHARED * len(values)))
        shared.append({cid: n for cid, n in counts.items() if n >= least})
    facts = _facts({cid for counts in shared for cid in counts},
                   before=max(q.before for q in queries))
    chosen: list[list[int]] = []
    for query, counts in zip(queries, shared, strict=True):
        eligible = [
            (n, cid) for cid, n in counts.items()
            if cid in facts and cid != query.exclude_id
            and facts[cid].submitted_at < query.before
            and (not visible_only or facts[cid].author_id == query.author_id
                 or facts[cid].approved)]
        eligible.sort(key=lambda pair: (-pair[0], pair[1]))
        chosen.append([cid for _, cid in eligible[:CANDIDATES]])
    texts = _texts({cid for ids in chosen for cid in ids})
    return [[texts[cid] for cid in ids] for ids in chosen]


def indexed(comment_ids: Collection[int]) -> dict[int, frozenset[int]]:
    """Stored comments' uncommon fingerprints, as the index holds them (one read)."""
    found: dict[int, set[int]] = {comment_id: set() for comment_id in comment_ids}
    if comment_ids:
        for comment_id, value in db.session.execute(
                select(Fingerprint.comment_id, Fingerprint.hash)
                .where(among(Fingerprint.comment_id, comment_ids))):
            found[comment_id].add(value)
    return {comment_id: frozenset(values) for comment_id, values in found.items()}


def _postings(course_id: int, values: Collection[int]) -> tuple[set[int], dict[int, list[int]]]:
    """Which of these fingerprints are common phrasing in the course, and which comments
    hold each of the others: one read, the counts joined to the index's rows (a common
    fingerprint has none left)."""
    common: set[int] = set()
    postings: dict[int, list[int]] = {}
    if not values:
        return common, postings
    for value, is_common, comment_id in db.session.execute(
            select(FingerprintCount.hash, FingerprintCount.comments > COMMON_FINGERPRINT,
                   Fingerprint.comment_id)
            .outerjoin(Fingerprint, and_(Fingerprint.course_id == FingerprintCount.course_id,
                                         Fingerprint.hash == FingerprintCount.hash))
            .where(FingerprintCount.course_id == course_id,
                   among(FingerprintCount.hash, values))):
        if is_common:
            common.add(value)
        elif comment_id is not None:
            postings.setdefault(value, []).append(comment_id)
    return common, postings


def _facts(ids: Collection[int], before: datetime) -> dict[int, Row[int, int, bool, datetime]]:
    """Who wrote each comment found, whether it is approved and when: enough to filter them.

    Rejected comments and those from `before` on (the latest of the texts' own times)
    never count, so the database leaves them out: in a rescore's batch, about half of
    what shares fingerprints was written later.
    """
    if not ids:
        return {}
    return {row.id: row for row in db.session.execute(
        select(Comment.id, Comment.author_id,
               (Comment.status == CommentStatus.APPROVED).label("approved"),
               Comment.submitted_at)
        .where(among(Comment.id, ids), Comment.status != CommentStatus.REJECTED,
               Comment.submitted_at < before))}


def _texts(ids: Collection[int]) -> dict[int, Similar]:
    """The chosen comments, with what the rules read of them."""
    if not ids:
        return {}
    return {row.id: Similar(*row) for row in db.session.execute(
        select(Comment.id, Comment.author_id, User.display_name, Comment.body,
               Comment.status, Discussion.title)
        .join(User, User.id == Comment.author_id)
        .join(Discussion, Discussion.id == Comment.discussion_id)
        .where(among(Comment.id, ids)))}
