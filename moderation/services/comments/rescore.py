"""Rescoring: re-run analysis over stored comments after a policy or rule change.

A rescore reads a batch of comments, checks each as a submit would (`checking.verdict`,
with the earlier similar comments of the whole batch found at once), and then writes
what changed in a few statements per batch: new flags, metrics, and an automatic
decision that moved, audited. Reading and checking are separate from writing, so the
command line can check batches in worker processes while one process writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, cast

from sqlalchemy import Row, Select, Table, bindparam, exists, func, insert, select

from moderation import grading
from moderation.extensions import db
from moderation.models import (
    AuditEvent,
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Membership,
    Role,
    Severity,
    User,
    utcnow,
)
from moderation.models.jobs import Job
from moderation.services import audit, jobs, newcomers
from moderation.services.comments import checking, fingerprints, text_facts
from moderation.services.errors import Conflict
from moderation.services.sets import among

STAFF_ROLES = [role for role in Role if role.is_staff]


@dataclass
class RescoreTotals:
    """What a rescore changed."""

    comments: int = 0
    flags_changed: int = 0  # comments whose flags differ now
    held: int = 0  # auto-approved comments that now wait in the queue
    released: int = 0  # auto-held comments that no longer need to wait
    kept_decisions: int = 0  # instructor decisions, never overturned

    @property
    def decisions_changed(self) -> int:
        return self.held + self.released

    def add(self, other: RescoreTotals) -> None:
        """Count another batch's totals in."""
        for name in ("comments", "flags_changed", "held", "released", "kept_decisions"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# What a rescore reads of a comment.
COLUMNS = (Comment.id, Comment.course_id, Comment.discussion_id, Comment.author_id,
           Comment.parent_id, Comment.body, Comment.status, Comment.decided_by_id,
           Comment.submitted_at, Comment.revision_of_id)


def comments_query(course_id: int | None = None) -> Select[*tuple[Any, ...]]:
    """Comments to rescore, oldest first, optionally in one course."""
    query: Select[*tuple[Any, ...]] = select(*COLUMNS).order_by(Comment.id)
    if course_id is not None:
        query = query.where(Comment.course_id == course_id)
    return query


def count(course_id: int | None = None) -> int:
    """How many comments a rescore would visit."""
    return db.session.scalar(
        select(func.count()).select_from(comments_query(course_id).subquery())) or 0


def ranges(course_id: int | None, size: int) -> Iterator[tuple[int, int]]:
    """Id ranges (first, last) of successive batches, read by keyset (no OFFSET scans)."""
    last_id = 0
    while True:
        ids = list(db.session.scalars(
            select(Comment.id).where(Comment.id > last_id,
                                     *([Comment.course_id == course_id] if course_id else []))
            .order_by(Comment.id).limit(size)))
        if not ids:
            return
        yield ids[0], ids[-1]
        last_id = ids[-1]


def load(course_id: int | None, first: int, last: int) -> list[Row[Any]]:
    """The comments of one batch."""
    return list(db.session.execute(
        comments_query(course_id).where(Comment.id.between(first, last))).all())


class Scopes:
    """The scopes and staff of the discussions a rescore meets, each read once."""

    def __init__(self) -> None:
        self._scopes: dict[int, checking.Scope] = {}
        self._staff: dict[int, set[int]] = {}

    def scope(self, discussion_id: int) -> checking.Scope:
        """The discussion's policy and names."""
        if discussion_id not in self._scopes:
            discussion = db.session.get(Discussion, discussion_id)
            assert discussion is not None
            self._scopes[discussion_id] = checking.Scope.of(discussion)
        return self._scopes[discussion_id]

    def staff(self, course_id: int) -> set[int]:
        """The course's instructors and TAs: their comments are not moderated."""
        if course_id not in self._staff:
            self._staff[course_id] = set(db.session.scalars(
                select(Membership.user_id).where(Membership.course_id == course_id,
                                                 Membership.role.in_(STAFF_ROLES))))
        return self._staff[course_id]


@dataclass
class Change:
    """What checking one stored comment again found, ready to write."""

    id: int
    course_id: int
    discussion_id: int
    author_id: int
    body: str
    status: CommentStatus
    facts: text_facts.Facts  # everything the text decides, read again (the reading of a
    # source may improve, and rows stored without the ORM lack body_key and cites_source)
    flags_changed: bool
    holds_changed: bool  # which quality rules hold it (what a suggestion reads of flags)
    decided: bool  # a person decided it: its status is never moved
    new_status: CommentStatus | None = None  # an automatic decision that moves


def check(rows: Sequence[Row[Any]], scopes: Scopes) -> list[Change]:
    """Check stored comments again, as each was when submitted; write nothing.

    The checking path of a submit (`checking.verdict`), with the earlier similar
    comments of the whole batch found at once (`fingerprints.similar_many`), from the
    fingerprints the index already holds for them rather than their texts again.
    """
    similar: dict[int, list[fingerprints.Similar]] = {}
    by_course: dict[int, list[Row[Any]]] = {}
    for row in rows:
        if checking.wants_similar(row.body):
            by_course.setdefault(row.course_id, []).append(row)
    stored = fingerprints.indexed([r.id for group in by_course.values() for r in group])
    for course_id, group in by_course.items():
        found = fingerprints.similar_many(course_id, [
            fingerprints.Query(r.author_id, r.body, r.submitted_at, r.id, stored[r.id])
            for r in group])
        similar.update((r.id, f) for r, f in zip(group, found, strict=True))
    before = text_facts.stored_signatures([row.id for row in rows])
    new = newcomers.still_new_authors({(row.course_id, row.author_id) for row in rows})
    changes = []
    for row in rows:
        staff = row.author_id in scopes.staff(row.course_id)
        verdict = checking.verdict(
            scopes.scope(row.discussion_id), row.author_id, row.body,
            similar.get(row.id, []), is_reply=row.parent_id is not None,
            now=row.submitted_at, staff=staff, stored=True,
            revision=row.revision_of_id is not None,
            newcomer=(row.course_id, row.author_id) in new)
        facts = text_facts.Facts.of(row.body, verdict.analysis)
        changes.append(Change(
            id=row.id, course_id=row.course_id, discussion_id=row.discussion_id,
            author_id=row.author_id, body=row.body, status=row.status, facts=facts,
            flags_changed=facts.signature() != before.get(row.id, set()),
            holds_changed=_holds(facts.signature()) != _holds(before.get(row.id, set())),
            decided=row.decided_by_id is not None,
            new_status=automatic_status(row.status, row.decided_by_id, verdict, staff)))
    return changes


def automatic_status(status: CommentStatus, decided_by_id: int | None,
                     verdict: checking.Verdict, staff: bool) -> CommentStatus | None:
    """The status a rescore moves a comment to, or None when it keeps the one it has.

    Only automatic decisions move: never a person's decision, a rejection, a comment by
    staff (staff comments are not moderated), or a revision of a rejected comment (it
    waits for a person; one published before revisions always waited stays published).
    """
    if (decided_by_id is not None or staff or status == CommentStatus.REJECTED
            or verdict.revision):
        return None
    return verdict.status if verdict.status != status else None


def write(changes: Sequence[Change], actor: User | None = None) -> RescoreTotals:
    """Write what a check found: a few statements for the whole batch; return its totals.

    What the texts decide goes through `text_facts.store`, as for a submit; a rescore adds
    the automatic decisions that move, audited. `actor` is the person who asked for the
    rescore (None: the command line).
    """
    totals = RescoreTotals(comments=len(changes))
    if not changes:
        return totals
    changes, current = _still_as_checked(changes)
    totals.flags_changed = sum(c.flags_changed for c in changes)
    totals.kept_decisions = sum(c.decided for c in changes)
    text_facts.store([text_facts.Stored(
        c.id, c.course_id, c.discussion_id, c.author_id, c.body, c.facts, reindex=False,
        flags_changed=c.flags_changed,
        moves_grade=c.new_status is not None or current[c.id].moves_grade(c))
        for c in changes])
    moved = [c for c in changes if c.new_status is not None]
    if moved:
        comment = cast(Table, Comment.__table__)
        db.session.execute(
            comment.update().where(comment.c.id == bindparam("comment_id"))
            .values(status=bindparam("new_status")),
            [{"comment_id": c.id, "new_status": c.new_status} for c in moved])
        now = utcnow()
        db.session.execute(insert(AuditEvent), [
            {"at": now, "actor_id": actor.id if actor else None, "course_id": c.course_id,
             "action": "comment.rescored", "object_type": "comment", "object_id": c.id,
             "subject_id": c.author_id, "before": {"status": c.status.value},
             "after": {"status": c.new_status.value},  # type: ignore[union-attr]
             "reason": "automatic decision after a policy or rule change"} for c in moved])
    totals.held = sum(c.new_status == CommentStatus.PENDING for c in moved)
    totals.released = len(moved) - totals.held
    return totals


def _holds(signature: set[tuple[object, ...]]) -> set[object]:
    """The quality rules that hold a comment, from its flags' signature."""
    return {rule for rule, severity, *_ in signature if rule in grading.QUALITY_RULES
            and severity in (Severity.HOLD, Severity.BLOCK)}


@dataclass(frozen=True)
class Current:
    """What a stored comment's suggestion reads of it now, before a rescore writes."""

    status: CommentStatus
    word_count: int
    cites_source: bool | None
    reading_grade: float | None

    def moves_grade(self, change: Change) -> bool:
        """Whether writing the change moves its author's suggestion: only an approved
        comment counts, through its quality holds and what is measured of it (a status
        that moves says so itself)."""
        facts = change.facts
        return self.status == CommentStatus.APPROVED and (
            change.holds_changed or self.word_count != facts.word_count
            or self.cites_source != facts.cites_source
            or self.reading_grade != facts.metrics.get("flesch_kincaid_grade"))


def _still_as_checked(changes: Sequence[Change]) -> tuple[list[Change], dict[int, Current]]:
    """The comments whose changes still apply, read again under the write lock (rows
    locked on PostgreSQL): the command line checks batches ahead of writing them.

    A comment whose text a staff edit changed meanwhile keeps what the edit's own check
    wrote (left out); a status moves only if nobody decided the comment meanwhile.
    """
    comment = cast(Table, Comment.__table__)
    reading = Comment.metrics["flesch_kincaid_grade"].as_float()
    now = {row.id: row for row in db.session.execute(
        select(comment.c.id, comment.c.body_key, comment.c.status, comment.c.decided_by_id,
               comment.c.word_count, comment.c.cites_source,
               reading.label("reading"))
        .where(among(comment.c.id, [c.id for c in changes])).with_for_update())}
    kept: list[Change] = []
    current: dict[int, Current] = {}
    for change in changes:
        row = now.get(change.id)
        if row is None or row.body_key not in (None, change.facts.body_key):
            continue  # deleted, or its text edited since it was checked
        if change.new_status is not None and (row.decided_by_id is not None
                                              or row.status != change.status):
            change = replace(change, new_status=None, decided=row.decided_by_id is not None)
        kept.append(change)
        current[change.id] = Current(row.status, row.word_count, row.cites_source,
                                     row.reading)
    return kept, current


def record(totals: RescoreTotals, course_id: int | None, *, actor: User | None = None,
           scope: Course | Discussion | None = None) -> None:
    """Log the rescore in the audit trail (`scope`: what was rescored, the course by default)."""
    obj = scope or (db.session.get(Course, course_id) if course_id else None)
    audit.record("comments.rescored", actor=actor, course_id=course_id,
                 obj=obj, after={"comments": totals.comments,
                                 "flags_changed": totals.flags_changed,
                                 "held": totals.held, "released": totals.released,
                                 "kept_decisions": totals.kept_decisions})


# --- Rescoring one course or discussion from the policy page, as a job --------------------

# The page previews what a rescore would move only up to this many comments: it waits for
# its answer. The rescore itself runs as a job, for any size, with its progress shown.
MAX_PREVIEW = 1000
PAGE_BATCH = 500
JOB_KIND = "rescore"


def undecided(course_id: int,
              discussion_id: int | None = None) -> Select[*tuple[Any, ...]]:
    """The comments a policy change may move, oldest first: pending or approved automatically.

    Never a comment a person decided, a rejected one, or one by the course's staff.
    """
    by_staff = exists().where(Membership.user_id == Comment.author_id,
                              Membership.course_id == Comment.course_id,
                              Membership.role.in_(STAFF_ROLES))
    query: Select[*tuple[Any, ...]] = select(*COLUMNS).where(
        Comment.course_id == course_id, Comment.decided_by_id.is_(None),
        Comment.status != CommentStatus.REJECTED, ~by_staff).order_by(Comment.id)
    if discussion_id is not None:
        query = query.where(Comment.discussion_id == discussion_id)
    return query


def count_undecided(course: Course, discussion: Discussion | None = None) -> int:
    """How many comments rescoring this course (or discussion) would look at."""
    query = undecided(course.id, discussion.id if discussion else None)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def preview(course: Course, discussion: Discussion | None = None) -> RescoreTotals:
    """What rescoring the undecided comments would change, without changing anything.

    The same check and the same status decision as the rescore itself.
    """
    total = count_undecided(course, discussion)
    if total > MAX_PREVIEW:
        raise Conflict(f"{total:,} comments are too many to preview here; rescoring them "
                       "runs in the background, with its progress on this page.",
                       field="rescore")
    rows = list(db.session.execute(undecided(course.id, discussion.id if discussion else None)))
    changes = check(rows, Scopes())
    moved = [c for c in changes if c.new_status is not None]
    held = sum(c.new_status == CommentStatus.PENDING for c in moved)
    return RescoreTotals(comments=len(changes), held=held, released=len(moved) - held)


def _job_key(course: Course, discussion: Discussion | None) -> str:
    return f"rescore:discussion:{discussion.id}" if discussion else f"rescore:course:{course.id}"


def start(course: Course, actor: User, discussion: Discussion | None = None) -> Job:
    """Queue a rescore of the undecided comments (one at a time per course or discussion)."""
    return jobs.enqueue(JOB_KIND, {"course_id": course.id,
                                   "discussion_id": discussion.id if discussion else None},
                        course_id=course.id, actor=actor, dedupe=_job_key(course, discussion),
                        max_attempts=3)


def latest_job(course: Course, discussion: Discussion | None = None) -> Job | None:
    """The most recent rescore of this course (or discussion), whatever its state."""
    return db.session.scalar(select(Job).where(
        Job.course_id == course.id, Job.dedupe_key == _job_key(course, discussion))
        .order_by(Job.id.desc()).limit(1))


def rescore_undecided(course: Course, actor: User | None,
                      discussion: Discussion | None = None,
                      after_batch: Callable[[RescoreTotals], None] | None = None
                      ) -> RescoreTotals:
    """Rescore the undecided comments of a course (or one discussion) in batches; audit it.

    `after_batch` gets the running totals after each batch is written (a job commits and
    reports its progress there). Each batch is read under lock (PostgreSQL) and written
    only where it is still as checked, so a decision made meanwhile is never overwritten;
    a rescore run again (a job killed half-way) finds the batches already done unchanged.
    """
    totals = RescoreTotals()
    discussion_id = discussion.id if discussion else None
    last = 0
    while True:
        rows = list(db.session.execute(
            undecided(course.id, discussion_id).where(Comment.id > last)
            .limit(PAGE_BATCH).with_for_update(of=Comment)))
        if not rows:
            break
        last = rows[-1].id
        totals.add(write(check(rows, Scopes()), actor))
        db.session.flush()
        if after_batch is not None:
            after_batch(totals)
    record(totals, course.id, actor=actor, scope=discussion or course)
    db.session.flush()
    return totals


# --- The command line: batches, checked in worker processes or here, written here --------

def check_range(course_id: int | None, first: int, last: int, scopes: Scopes) -> list[Change]:
    """Load and check one batch (in a worker process, or in the writing process)."""
    return check(load(course_id, first, last), scopes)
