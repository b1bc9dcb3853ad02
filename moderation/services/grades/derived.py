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
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, SessionTransaction, UOWTransaction

from moderation.extensions import db
from moderation.models import Comment, Course, Discussion, Grade, Membership, Role

KEY = "moderation.derived"

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


def _refresh(session: Session) -> None:
    """Refresh every touched suggestion once, before the transaction commits."""
    if session.in_nested_transaction():
        return  # a savepoint ends: the transaction goes on, and so do its marks
    if session.new or session.dirty or session.deleted:
        session.flush()  # the commit would flush them after this: they mark first
    if KEY not in session.info:
        return
    if not has_app_context() or session is not db.session():
        return  # not the app's session (a script's own): nothing reads its marks
    # suggestions import the models and policies
    from moderation.services.grades import suggestions

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


def init_app(app: Flask) -> None:
    """Mark on every flush, refresh before every commit, forget on rollback."""
    if not event.contains(Session, "after_flush", _mark_flushed):
        event.listen(Session, "after_flush", _mark_flushed)
        event.listen(Session, "before_commit", _refresh)
        event.listen(Session, "after_soft_rollback", _forget)
