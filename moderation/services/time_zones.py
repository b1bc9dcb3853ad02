"""A course's time zone: the IANA names offered, setting one, and a UTC instant shown in it.

Every instant is stored in UTC (`UTCDateTime`); a course's zone decides only how a date
is typed in and read back on its pages. The zone database comes from the `tzdata`
package when the system has none, so the names are the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from moderation.extensions import db
from moderation.models import Course, User
from moderation.services import audit
from moderation.services.errors import InvalidInput

DEFAULT = "UTC"


@lru_cache(maxsize=1)
def names() -> tuple[str, ...]:
    """Every IANA zone name an instructor may choose, sorted (Area/City, then the rest)."""
    found = {n for n in available_timezones()
             if "/" in n and not n.startswith(("Etc/", "SystemV/", "posix/", "right/"))}
    return (DEFAULT, *sorted(found))


def is_known(name: str) -> bool:
    """Whether `name` is one of the zones offered."""
    return name in _known()


@lru_cache(maxsize=1)
def _known() -> frozenset[str]:
    return frozenset(names())


@lru_cache(maxsize=64)
def zone(name: str | None) -> tzinfo:
    """The zone called `name`; UTC for None or a name this machine does not know."""
    if not name or name == DEFAULT:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def show(value: datetime | None, where: tzinfo = UTC, *, year: bool = True) -> str:
    """Show an instant in a zone with the zone's abbreviation.

    >>> from zoneinfo import ZoneInfo
    >>> show(datetime(2026, 12, 15, 4, 59, tzinfo=UTC), ZoneInfo("America/New_York"))
    'Mon 14 Dec 2026, 23:59 EST'
    >>> show(datetime(2026, 7, 1, 9, 5, tzinfo=UTC), year=False), show(None)
    ('Wed 1 Jul, 09:05 UTC', '')
    """
    if value is None:
        return ""
    local = value.astimezone(where)
    return local.strftime(f"%a %-d %b{' %Y' if year else ''}, %H:%M ") + _abbreviation(local)


def stamp(value: datetime | None, where: tzinfo = UTC) -> str:
    """An instant in a zone, sortable as text, for a file a person reads.

    >>> stamp(datetime(2026, 12, 15, 4, 59, tzinfo=UTC), zone("America/New_York"))
    '2026-12-14 23:59 EST'
    """
    if value is None:
        return ""
    local = value.astimezone(where)
    return local.strftime("%Y-%m-%d %H:%M ") + _abbreviation(local)


def _abbreviation(local: datetime) -> str:
    """EST, CET; a zone without letters (Asia/Dubai's "+04") reads as "UTC+04"."""
    name = local.tzname() or "UTC"
    return name if name[0].isalpha() else f"UTC{name}"


class NoSuchTime(InvalidInput):
    """A wall-clock time skipped by a change of clocks (spring forward)."""


def to_utc(local: datetime, where: tzinfo) -> datetime:
    """Read a wall-clock time typed in a zone as the UTC instant it names.

    A time that happens twice (clocks go back) is the first of the two, the earlier
    instant, so a deadline is never later than the instructor could have meant. A time
    that never happens (clocks go forward) is refused, naming the times that do.

    >>> from zoneinfo import ZoneInfo
    >>> ny = ZoneInfo("America/New_York")
    >>> to_utc(datetime(2026, 12, 14, 23, 59), ny).isoformat()
    '2026-12-15T04:59:00+00:00'
    >>> to_utc(datetime(2026, 11, 1, 1, 30), ny).isoformat()
    '2026-11-01T05:30:00+00:00'
    >>> try:
    ...     to_utc(datetime(2026, 3, 8, 2, 30), ny)
    ... except NoSuchTime as refusal:
    ...     print(*refusal.message.split(": ", 1), sep=":\\n")
    02:30 on 8 Mar 2026 does not exist in America/New_York:
    the clocks go from 02:00 to 03:00. Choose 01:59 or 03:00.
    """
    naive = local.replace(tzinfo=None, fold=0)
    if not _exists(naive, where):
        start, end = naive, naive
        while not _exists(start - _MINUTE, where):
            start -= _MINUTE
        while not _exists(end, where):
            end += _MINUTE
        # A whole day skipped (Samoa, 2011) names the days too.
        shown = "%H:%M" if (start - _MINUTE).date() == end.date() else "%-d %b %H:%M"
        raise NoSuchTime(
            f"{naive:%H:%M} on {naive:%-d %b %Y} does not exist in {where}: the clocks go "
            f"from {start:{shown}} to {end:{shown}}. Choose {start - _MINUTE:{shown}} or "
            f"{end:{shown}}.")
    return naive.replace(tzinfo=where).astimezone(UTC)


_MINUTE = timedelta(minutes=1)


def _exists(naive: datetime, where: tzinfo) -> bool:
    """Whether a wall-clock time happens in a zone (a skipped one does not round-trip)."""
    back = naive.replace(tzinfo=where).astimezone(UTC).astimezone(where)
    return back.replace(tzinfo=None) == naive


def set_time_zone(course: Course, actor: User, name: str) -> bool:
    """Set the zone a course's dates are typed and shown in; return whether it changed.
    The caller commits."""
    if not is_known(name):
        raise InvalidInput(f"“{name[:60]}” is not a time zone this app knows; choose one "
                           "from the list.", field="time_zone")
    before = course.time_zone
    if before == name:
        return False
    course.time_zone = name
    db.session.flush()
    audit.record("course.time_zone_set", actor=actor, course_id=course.id, obj=course,
                 before={"time_zone": before}, after={"time_zone": name})
    return True
