"""The fingerprint index of a course: kept as comments are stored, read to find copies.

`record` adds a stored comment's fingerprints, `forget` takes those of a text it no longer
has (both called by `text_facts.store`), and `similar` finds the earlier comments that
share the most fingerprints with a text, in a bounded number of index reads whatever the
size of the course.

No row is shared between submits: a submit only inserts its own fingerprint rows, and
whether a fingerprint is common is counted when it is read (its rows, or the mark a
pruning job left once it had more than COMMON_FINGERPRINT). A shared count updated by
every submit made a PostgreSQL burst queue on its row locks (issue #19).
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Row,
    Text,
    TextClause,
    bindparam,
    case,
    cast,
    delete,
    func,
    null,
    select,
    text,
    union_all,
)
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
from moderation.services import jobs
from moderation.services.sets import among, among_bound, bound

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
    discussion_id: int = 0


PRUNE_KIND = "fingerprints.prune"
# Fingerprints a read of this transaction found with more than COMMON_FINGERPRINT rows
# and not yet marked common: {course id: hashes}; `record` hands them to a pruning job.
OVERFLOW = "moderation.fingerprints_overflow"


def record(texts: Sequence[tuple[int, int, str]]) -> None:
    """Index stored texts' fingerprints, (course id, comment id, text) each, of one course
    or several, in one statement (`text_facts.store` is the one caller).

    Only the comments' own rows are written (no count shared with other submits); a
    fingerprint already marked common gets none. A fingerprint found with too many rows
    is marked and its rows dropped later, by a job (`prune`).
    """
    triples = sorted({(course_id, value, comment_id) for course_id, comment_id, body in texts
                      for value in fingerprints(body)})
    if triples:
        db.session.execute(_insert_unmarked(), _as_columns(triples))
    _prune_later()


def _insert_unmarked() -> TextClause:
    """INSERT the given (course, fingerprint, comment) rows but those of fingerprints marked
    common: the marks are read by the INSERT itself, so no round trip reads them first."""
    marked = (f"NOT EXISTS (SELECT 1 FROM fingerprint_count c WHERE c.course_id = v.course_id"
              f" AND c.hash = v.hash AND c.comments > {COMMON_FINGERPRINT})")
    if db.session.get_bind().dialect.name == "postgresql":
        return text("INSERT INTO fingerprint (course_id, hash, comment_id) "
                    "SELECT v.course_id, v.hash, v.comment_id FROM unnest("
                    "CAST(:courses AS bigint[]), CAST(:hashes AS bigint[]), "
                    "CAST(:comments AS bigint[])) AS v(course_id, hash, comment_id) "
                    f"WHERE {marked}")
    return text("INSERT INTO fingerprint (course_id, hash, comment_id) "
                "SELECT v.course_id, v.hash, v.comment_id FROM (SELECT "
                "json_extract(value, '$[0]') AS course_id, json_extract(value, '$[1]') AS hash, "
                "json_extract(value, '$[2]') AS comment_id FROM json_each(:rows)) AS v "
                f"WHERE {marked}")


def _as_columns(triples: Sequence[tuple[int, int, int]]) -> dict[str, Any]:
    """The rows as the INSERT's parameters: three arrays (PostgreSQL) or one JSON list."""
    if db.session.get_bind().dialect.name == "postgresql":
        return {"courses": [t[0] for t in triples], "hashes": [t[1] for t in triples],
                "comments": [t[2] for t in triples]}
    return {"rows": json.dumps(triples)}


def forget(course_id: int, comment_id: int, body: str) -> None:
    """Take a comment's fingerprints out of the index (`body`, the text it had, is kept in
    the signature for the callers; the comment's rows are all it has)."""
    if fingerprints(body):
        db.session.execute(delete(Fingerprint).where(Fingerprint.comment_id == comment_id))


def prune(course_id: int, values: Collection[int]) -> int:
    """Mark as common the fingerprints of these that have more than COMMON_FINGERPRINT
    rows, and drop their rows (a job; idempotent). Returns how many were marked."""
    counts = {value: n for value, n in db.session.execute(
        select(Fingerprint.hash, func.count())
        .where(Fingerprint.course_id == course_id, among(Fingerprint.hash, values))
        .group_by(Fingerprint.hash)) if n > COMMON_FINGERPRINT}
    if not counts:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert_of = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = insert_of(FingerprintCount)
    db.session.execute(upsert.on_conflict_do_update(
        index_elements=[FingerprintCount.course_id, FingerprintCount.hash],
        set_={"comments": upsert.excluded.comments}),
        [{"course_id": course_id, "hash": value, "comments": n}
         for value, n in sorted(counts.items())])
    db.session.execute(delete(Fingerprint).where(Fingerprint.course_id == course_id,
                                                 among(Fingerprint.hash, counts)))
    return len(counts)


def _prune_later() -> None:
    """Record a pruning job for the fingerprints this transaction's reads found too long,
    unless the course has one open already.

    One open job per course, not per set found: in a burst every submit finds a set of
    its own, and a job each (its row, its push to the queue, its run) cost a submit more
    than the lookup it saves (122 jobs for 643 comments in a PostgreSQL load run). A set
    found while a job is open is found again by a later read, once that job is done; until
    then a long list counts as common when read (`_postings`), so no result changes.
    """
    overflow: dict[int, set[int]] = db.session.info.pop(OVERFLOW, {})
    for course_id, values in overflow.items():
        key = f"{PRUNE_KIND}:{course_id}"
        if jobs.is_open(key):  # most often, in a burst: asked cheaply, the job not loaded
            continue
        jobs.enqueue(PRUNE_KIND, {"course_id": course_id, "hashes": sorted(values)},
                     course_id=course_id, dedupe=key)


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
    prints = [(q.indexed if q.indexed is not None else computed[i]) - common
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
    hold each of the others: one read of the marks and the index's rows.

    A fingerprint is common once marked (its rows are gone) or once it has more than
    COMMON_FINGERPRINT rows (a pruning job will mark it: noted for `record`). The database
    groups the rows by fingerprint, one row each with its comments as a list (none for a
    common one): turning thousands of index rows into result rows cost a submit more
    than anything else it did (issue #19).
    """
    common: set[int] = set()
    postings: dict[int, list[int]] = {}
    if not values:
        return common, postings
    long: set[int] = set()
    for value, count, listed in db.session.execute(*_postings_query(course_id, values)):
        if count is None:
            common.add(value)
        elif count > COMMON_FINGERPRINT:
            long.add(value)
        else:
            postings[value] = [int(n) for n in listed.split(",")]
    if long - common:
        db.session.info.setdefault(OVERFLOW, {}).setdefault(course_id, set()).update(
            long - common)
    common |= long
    for value in common:
        postings.pop(value, None)
    return common, postings


def _postings_query(course_id: int, values: Collection[int]) -> tuple[CompoundSelect[Any],
                                                                       dict[str, Any]]:
    """(fingerprint, rows, its comments as "1,2,3") per fingerprint found; a marked one
    has no count, a long one no list. The statement is built once per dialect (building
    it cost a submit more than running it)."""
    dialect = db.session.get_bind().dialect.name
    statement = _POSTINGS.get(dialect)
    if statement is None:
        marks = (select(FingerprintCount.hash, null(), null())
                 .where(FingerprintCount.course_id == bindparam("course_id"),
                        among_bound(FingerprintCount.hash, "marked", dialect=dialect),
                        FingerprintCount.comments > COMMON_FINGERPRINT))
        if dialect == "postgresql":
            listed = func.string_agg(cast(Fingerprint.comment_id, Text), ",")
        else:
            listed = func.group_concat(Fingerprint.comment_id, ",")
        count = func.count()
        rows = (select(Fingerprint.hash, count,
                       case((count <= COMMON_FINGERPRINT, listed)))
                .where(Fingerprint.course_id == bindparam("course_id"),
                       among_bound(Fingerprint.hash, "hashes", dialect=dialect))
                .group_by(Fingerprint.hash))
        statement = _POSTINGS[dialect] = union_all(marks, rows)
    hashes = bound(values)
    return statement, {"course_id": course_id, "marked": hashes, "hashes": hashes}


_POSTINGS: dict[str, CompoundSelect[Any]] = {}


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
               Comment.status, Discussion.title, Comment.discussion_id)
        .join(User, User.id == Comment.author_id)
        .join(Discussion, Discussion.id == Comment.discussion_id)
        .where(among(Comment.id, ids)))}
