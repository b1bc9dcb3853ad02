"""Derived data with one owner: stored suggestions follow what they are computed from.

A grade's stored suggestion (`Grade.suggested_score`, `Grade.breakdown`: the score, its
lines, whether the student posted nothing, how many comments wait for moderation) is
derived from decisions, texts, rubrics, policies, discussion settings and the roster.
Nothing recomputes it by hand. State changes mark what they touched on the session: every
ORM flush is read here against `INPUTS` (which columns of which tables a suggestion reads),
and a writer that bypasses the ORM (a rescore's Core statements) calls `touched`. Then one
place, just before the transaction commits, refreshes each touched suggestion once.

Before the commit, not after it (as `notifications` sends mail): the suggestion belongs
to the same transaction as the change it follows. It commits with it or not at all, no
reader ever sees a decision without its suggestion, and on SQLite it needs no second turn
at the write lock. The cost is that the refresh's reads run inside the writer's
transaction (a few statements per touched discussion).

A submit is the exception (`defer`): it was the largest share of a submit's time, for a
copy that no page shows at once (the grading page computes suggestions live). Its author's
suggestion is marked instead (`SuggestionMark`, one row per student, one statement), and
`catch_up` refreshes marked ones: first thing in every reader of the stored copy (the
detailed export), and in the worker within a minute (`suggestions.catch_up` jobs). The
`moderation rescore` command's batches defer too, and it catches up once after them: a
student's comments come in many batches, and a refresh per batch read them all each time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import Insert, delete, event, func, inspect, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, Grade, Membership, Role, SuggestionMark

KEY = "moderation.derived"
DEFER = "moderation.derived.defer"
CATCH_UP_KIND = "suggestions.catch_up"
CATCH_UP_BATCH = 500  # marks a job refreshes per transaction

# What a stored suggestion reads, per table: a change to any of these columns (or a row
# added or removed) marks it. Kept beside the refresh so that a new input is one line.
INPUTS: dict[type[Any], frozenset[str]] = {
    # The comment's author, in its discussion: what is approved and by whom, what it
    # measures, what held it, when, and whether it replies to someone.
    Comment: frozenset({"status", "decided_by_id", "body", "word_count", "metrics",
                        "flag_level", "flags", "cites_source", "submitted_at", "parent_id",
                        "reply_to_id", "discussion_id", "author_id"}),
    # Every student of the discussion: points, dates, the word range, replies asked, its
    # rubric and its policy (the readability band).
    Discussion: frozenset({"points_possible", "due_at", "replies_due_at", "required_replies",
                           "min_words", "max_words", "reply_min_words", "rubric",
                           "policy_overrides"}),
    # Every discussion of the course: the default rubric and policy.
    Course: frozenset({"rubric", "policy"}),
    # The roster: who is a student (graded) and who is staff (a reply to staff does not
    # count as a reply to a classmate).
    Membership: frozenset({"role", "user_id", "course_id"}),
    # The person's quality judgement is added to the suggestion.
    Grade: frozenset({"quality_points"}),
}


@dataclass
class Touched:
    """What changed in this transaction, by the reach of the change."""

    students: dict[int, set[int]] = field(default_factory=dict)  # discussion -> students
    discussions: set[int] = field(default_factory=set)  # every student of each
    courses: set[int] = field(default_factory=set)  # every discussion of each

    def __bool__(self) -> bool:
        return bool(self.students or self.discussions or self.courses)


def _touched(session: Session) -> Touched:
    found = session.info.get(KEY)
    if found is None:
        found = session.info[KEY] = Touched()
    return found


def touched(pairs: Iterable[tuple[int, int]], session: Session | None = None) -> None:
    """Mark (discussion id, student id) pairs whose suggestion a Core write may have moved."""
    marks = _touched(session or db.session())
    for discussion_id, student_id in pairs:
        marks.students.setdefault(discussion_id, set()).add(student_id)


def touched_discussions(discussion_ids: Iterable[int],
                        session: Session | None = None) -> None:
    """Mark whole discussions (every student's suggestion), e.g. to recompute them all."""
    _touched(session or db.session()).discussions.update(discussion_ids)


def _changed(obj: object, names: frozenset[str]) -> bool:
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in names)


def _mark_flushed(session: Session, _flush: UOWTransaction) -> None:
    """Read what a flush wrote against INPUTS (after it: every new row has its id)."""
    marks = _touched(session)
    for obj in (*session.new, *session.dirty, *session.deleted):
        names = INPUTS.get(type(obj))
        if names is None:
            continue
        row_changed = obj in session.new or obj in session.deleted
        if not row_changed and not _changed(obj, names):
            continue
        if isinstance(obj, Comment):
            marks.students.setdefault(obj.discussion_id, set()).add(obj.author_id)
        elif isinstance(obj, Grade):
            marks.students.setdefault(obj.discussion_id, set()).add(obj.student_id)
        elif isinstance(obj, Discussion):
            if not row_changed:  # a new discussion has no comments yet
                marks.discussions.add(obj.id)
        elif isinstance(obj, Course):
            if not row_changed:
                marks.courses.add(obj.id)
        # A student who joins has posted nothing: no stored suggestion moves. Anyone who
        # leaves, or staff coming and going, moves what replies to them count for.
        elif isinstance(obj, Membership) and not (obj in session.new
                                                  and obj.role == Role.STUDENT):
            marks.courses.add(obj.course_id)


def defer(session: Session | None = None) -> None:
    """Store this transaction's single-student marks as `SuggestionMark` rows, refreshed
    later by `catch_up`, instead of refreshing before the commit (a submit)."""
    (session or db.session()).info[DEFER] = True


def catch_up(discussion_ids: Collection[int] | None = None, *,
             limit: int | None = None) -> int:
    """Refresh now the stored suggestions submits marked (of these discussions, or the
    oldest `limit` of any) and drop the marks read; the caller commits. Returns how many.

    A mark made after it was read has a higher `seq` and stays: its refresh runs next time.
    """
    session = db.session()
    query = select(SuggestionMark.discussion_id, SuggestionMark.student_id,
                   SuggestionMark.seq).order_by(SuggestionMark.discussion_id,
                                                SuggestionMark.student_id)
    if discussion_ids is not None:
        query = query.where(SuggestionMark.discussion_id.in_(sorted(discussion_ids)))
    if limit is not None:
        query = query.limit(limit)
    found = session.execute(query).all()
    if not found:
        return 0
    touched((d, s) for d, s, _ in found)
    session.execute(delete(SuggestionMark).where(
        tuple_(SuggestionMark.discussion_id, SuggestionMark.student_id,
               SuggestionMark.seq).in_([tuple(row) for row in found])))
    _refresh_touched(session)
    return len(found)


def marked(discussion_ids: Collection[int] | None = None) -> bool:
    """Whether any stored suggestion (of these discussions) waits for `catch_up`."""
    query = select(SuggestionMark.seq)
    if discussion_ids is not None:
        query = query.where(SuggestionMark.discussion_id.in_(sorted(discussion_ids)))
    return db.session.scalar(query.limit(1)) is not None


def marks_waiting() -> int:
    """How many stored suggestions wait for `catch_up`."""
    return db.session.scalar(select(func.count()).select_from(SuggestionMark)) or 0


def catch_up_in_batches() -> Iterator[int]:
    """`catch_up` a batch (CATCH_UP_BATCH) at a time, as many batches as are marked now
    (later marks are the next run's), until none is left; yields each batch's count, and
    the caller commits each before asking for the next."""
    for _ in range(marks_waiting() // CATCH_UP_BATCH + 1):
        refreshed = catch_up(limit=CATCH_UP_BATCH)
        if not refreshed:
            return
        yield refreshed


def _store_marks(session: Session, students: dict[int, set[int]]) -> None:
    """Mark each (discussion, student) in one statement; a mark already there counts up."""
    dialect = session.get_bind().dialect.name
    statement = _MARK.get(dialect)
    if statement is None:  # built once per dialect: every submit runs it
        upsert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(SuggestionMark)
        statement = _MARK[dialect] = upsert.on_conflict_do_update(
            index_elements=[SuggestionMark.discussion_id, SuggestionMark.student_id],
            set_={"seq": SuggestionMark.seq + 1})
    session.execute(statement, [{"discussion_id": d, "student_id": s, "seq": 1}
                                for d in sorted(students) for s in sorted(students[d])])


_MARK: dict[str, Insert] = {}


def _refresh(session: Session) -> None:
    """Refresh every touched suggestion once, before the transaction commits."""
    if session.in_nested_transaction():
        return  # a savepoint ends: the transaction goes on, and so do its marks
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush them after this: they mark first
    deferred = session.info.pop(DEFER, False)
    if KEY not in session.info:
        return
    if not has_app_context() or session is not db.session():
        return  # not the app's session (a script's own): nothing reads its marks
    marks: Touched = session.info[KEY]
    if deferred and marks.students and not (marks.discussions or marks.courses):
        _store_marks(session, session.info.pop(KEY).students)
        return
    _refresh_touched(session)


def _refresh_touched(session: Session) -> None:
    """Refresh what this transaction marked touched, now."""
    # suggestions import the models and policies
    from moderation.services.grades import suggestions

    if session.new or session.dirty or session.deleted:
        session.flush()
    for _ in range(3):  # refreshing writes with Core statements, which mark nothing
        marks: Touched = session.info.pop(KEY, Touched())
        if not marks:
            return
        whole = set(marks.discussions)
        if marks.courses:
            whole.update(session.scalars(select(Discussion.id).where(
                Discussion.course_id.in_(sorted(marks.courses)))))
        touched = {d: None if d in whole else marks.students[d]
                   for d in sorted(whole | set(marks.students))}
        # Usually in the session already (the change loaded it): no query.
        found = {d: discussion for d in touched
                 if (discussion := session.get(Discussion, d)) is not None}
        # A course's students are locked at once, in one order, before its discussions are
        # refreshed one by one: two transactions touching the same students in different
        # discussions would otherwise lock them in different orders (PostgreSQL). With one
        # discussion, its refresh takes them in that order itself.
        by_course: dict[int, list[set[int] | None]] = {}
        for discussion_id, only in touched.items():
            if discussion_id in found:
                by_course.setdefault(found[discussion_id].course_id, []).append(only)
        for course_id, wanted in sorted(by_course.items()):
            if len(wanted) > 1:
                suggestions.lock_students(course_id, None if None in wanted else set().union(
                    *(only for only in wanted if only is not None)))
        for discussion_id, only in touched.items():
            if discussion_id in found:
                suggestions.store_suggestions(found[discussion_id], only)
        session.flush()


def _forget(session: Session, previous: SessionTransaction) -> None:
    """A rolled-back transaction changed nothing: drop its marks (a savepoint's stay, as
    refreshing too much is only work, and its transaction may still commit)."""
    if not previous.nested:
        session.info.pop(KEY, None)
        session.info.pop(DEFER, None)


def init_app(app: Flask) -> None:
    """Mark on every flush, refresh before every commit, forget on rollback."""
    if not event.contains(Session, "after_flush", _mark_flushed):
        event.listen(Session, "after_flush", _mark_flushed)
        event.listen(Session, "before_commit", _refresh)
        event.listen(Session, "after_soft_rollback", _forget)
