"""Reading a course's audit log: filters, keyset pages newest first, and every matching row.

Writing it is `services.audit.record`; nothing here changes a row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from moderation.extensions import db
from moderation.models import AuditEvent, User
from moderation.services import time_zones

PAGE_SIZE = 50
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_TOKEN = re.compile(r"^([0-9]{1,17})-([0-9]{1,10})$")
_MAX_ID = 2**31 - 1  # PostgreSQL's INTEGER: a larger id in a query is an error, not no rows
# Built once, at import: an alias made per call builds a proxy of each of the table's
# columns again when first used (about a millisecond a page).
_ACTOR, _SUBJECT = aliased(User, name="actor"), aliased(User, name="subject")


@dataclass(frozen=True)
class AuditFilter:
    """Which events to show: about one student, of one action, within dates (inclusive,
    days on the clock of `zone`, the course's)."""

    subject_id: int | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None
    zone: str = time_zones.DEFAULT


@dataclass(frozen=True)
class Cursor:
    """A position in the log: an event's time and id, the keyset order."""

    at: datetime
    id: int

    def token(self) -> str:
        """The cursor as it travels in a link: microseconds since 1970, then the id."""
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.id}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """Read a cursor from a link; None for anything that is not one."""
        match = _TOKEN.match(token or "")
        if match is None or int(match.group(2)) > _MAX_ID:
            return None
        try:
            at = _EPOCH + timedelta(microseconds=int(match.group(1)))
        except OverflowError:
            return None
        return cls(at, int(match.group(2)))

    @classmethod
    def of(cls, event: AuditEvent) -> Cursor:
        """The cursor at an event."""
        return cls(event.at, event.id)


@dataclass(frozen=True)
class Entry:
    """An event with the names of who acted and whom it is about."""

    event: AuditEvent
    actor_name: str | None
    actor_email: str | None
    subject_name: str | None
    subject_email: str | None


@dataclass(frozen=True)
class Page:
    """One page of the log, newest first, with the cursors of its neighbours."""

    entries: list[Entry]
    older: Cursor | None  # pass as `before` for the next page back in time
    newer: Cursor | None  # pass as `after` for the page before this one


# An event with its actor's and its student's name and email (None when there is none).
LogQuery = Select[AuditEvent, str, str, str, str]


def _query(course_id: int, audit_filter: AuditFilter) -> LogQuery:
    actor, subject = _ACTOR, _SUBJECT
    query = (
        select(AuditEvent, actor.display_name, actor.email, subject.display_name, subject.email)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .outerjoin(subject, subject.id == AuditEvent.subject_id)
        .where(AuditEvent.course_id == course_id))
    if audit_filter.subject_id is not None:
        query = query.where(AuditEvent.subject_id == audit_filter.subject_id)
    if audit_filter.action:
        query = query.where(AuditEvent.action == audit_filter.action)
    if audit_filter.since:
        query = query.where(AuditEvent.at >= _midnight(audit_filter.since, audit_filter.zone))
    if audit_filter.until:
        query = query.where(AuditEvent.at < _midnight(audit_filter.until + timedelta(days=1),
                                                      audit_filter.zone))
    return query


def _midnight(day: date, zone: str) -> datetime:
    """The instant a day starts on the zone's clock."""
    return datetime.combine(day, time(), tzinfo=time_zones.zone(zone)).astimezone(UTC)


def _older_than(cursor: Cursor) -> Any:
    return or_(AuditEvent.at < cursor.at,
               and_(AuditEvent.at == cursor.at, AuditEvent.id < cursor.id))


def _newer_than(cursor: Cursor) -> Any:
    return or_(AuditEvent.at > cursor.at,
               and_(AuditEvent.at == cursor.at, AuditEvent.id > cursor.id))


_NEWEST_FIRST = (AuditEvent.at.desc(), AuditEvent.id.desc())


def page(course_id: int, audit_filter: AuditFilter, *, before: Cursor | None = None,
         after: Cursor | None = None, size: int = PAGE_SIZE) -> Page:
    """A page of the course's events, newest first: the newest, or just older than `before`,
    or just newer than `after`. Keyset paging: each page is one index range, never an OFFSET.
    """
    query = _query(course_id, audit_filter)
    if after is not None:
        rows = _entries(query.where(_newer_than(after))
                        .order_by(AuditEvent.at, AuditEvent.id).limit(size + 1))
        more_newer = len(rows) > size
        entries = rows[:size][::-1]
        return Page(entries, Cursor.of(entries[-1].event) if entries else after,
                    Cursor.of(entries[0].event) if more_newer and entries else None)
    if before is not None:
        query = query.where(_older_than(before))
    rows = _entries(query.order_by(*_NEWEST_FIRST).limit(size + 1))
    entries = rows[:size]
    older = Cursor.of(entries[-1].event) if len(rows) > size else None
    newer = Cursor.of(entries[0].event) if before is not None and entries else None
    return Page(entries, older, newer)


def _entries(query: LogQuery) -> list[Entry]:
    return [Entry(*row) for row in db.session.execute(query)]


def every_entry(course_id: int, audit_filter: AuditFilter,
                before: Cursor | None = None) -> Iterator[Entry]:
    """Every matching event (older than `before`), newest first, fetched a batch at a time."""
    query = _query(course_id, audit_filter)
    if before is not None:
        query = query.where(_older_than(before))
    result = db.session.execute(query.order_by(*_NEWEST_FIRST).execution_options(yield_per=500))
    for row in result:
        yield Entry(*row)


def count(course_id: int, audit_filter: AuditFilter) -> int:
    """How many events match."""
    return db.session.scalar(
        select(func.count()).select_from(_query(course_id, audit_filter).subquery())) or 0


def actions(course_id: int) -> list[str]:
    """The actions present in the course's log, for the filter's choices."""
    return list(db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.course_id == course_id).distinct()
        .order_by(AuditEvent.action)))
