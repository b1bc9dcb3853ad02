"""The queue as a list: filters from the URL, keyset pages, counts, and neighbours.

Reads only. Pages are keyset pages over the course's queue index (no OFFSET), so the
hundredth page costs what the first does, and a bookmark keeps its filters in the URL.
Counts stop at COUNT_CAP ("1,000+"), and the flags beside a long list are counted over
its first COUNT_CAP comments, so no statement of the page reads the whole course.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from functools import cached_property
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ScalarSelect,
    Select,
    UnaryExpression,
    and_,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import aliased, selectinload

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    Flag,
    Membership,
    Severity,
    User,
)
from moderation.services.comments import search
from moderation.services.courses import students_query
from moderation.services.paging import Cursor

PAGE_SIZE = 50
# The tabs and the flags beside the list count up to here and then say "1,000+", as mail
# clients and GitHub's search do: past it an exact number tells an instructor nothing more,
# and counting every row of a 100,000-comment course was most of the page's time.
COUNT_CAP = 1000
SORTS = ("time", "severity")  # time: oldest first; severity: most severe, newest first
STATUSES = frozenset(s.value for s in CommentStatus)
SEVERITIES = frozenset(s.value for s in Severity)
# An alias, so the filters' subqueries never correlate with an outer query over Flag;
# built once (an alias made per call builds its column proxies again when first used).
_FLAG = aliased(Flag, name="flag_filter")
_ORIGINAL = aliased(Comment, name="original")


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: one status, narrowed by the other filters, in one order."""

    status: CommentStatus = CommentStatus.PENDING
    discussion_id: int | None = None
    rule: str | None = None
    severity: Severity | None = None
    section: str | None = None
    student_id: int | None = None
    reviewer_id: int | None = None  # revisions of comments this person rejected
    q: str = ""
    sort: str = "time"

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> QueueFilter:
        """Read filters from a query string; a value that makes no sense is left out.

        >>> QueueFilter.from_args({"status": "approved", "discussion": "7", "sort": "x"})
        QueueFilter(status=<CommentStatus.APPROVED: 'approved'>, discussion_id=7, rule=None, \
severity=None, section=None, student_id=None, reviewer_id=None, q='', sort='time')
        """
        def number(key: str) -> int | None:
            value = args.get(key, "")
            return int(value) if value.isascii() and value.isdigit() and len(value) < 10 \
                else None

        status = args.get("status", "")
        severity = args.get("severity", "")
        return cls(
            status=CommentStatus(status) if status in STATUSES else CommentStatus.PENDING,
            discussion_id=number("discussion"),
            rule=args.get("rule", "")[:40] or None,
            severity=Severity(severity) if severity in SEVERITIES else None,
            section=args.get("section", "")[:120] or None,
            student_id=number("student"),
            reviewer_id=number("reviewer"),
            q=args.get("q", "").strip()[:200],
            sort=args.get("sort", "time") if args.get("sort") in SORTS else "time",
        )

    def to_args(self, **changes: Any) -> dict[str, Any]:
        """The query string of this filter (defaults left out), with some values changed."""
        if not changes:
            return dict(self._args)  # a page asks for this a few hundred times
        return replace(self, **changes)._args

    @cached_property
    def _args(self) -> dict[str, Any]:
        names = {"discussion_id": "discussion", "student_id": "student",
                 "reviewer_id": "reviewer"}
        args: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "") or value == f.default:
                continue
            args[names.get(f.name, f.name)] = str(value)
        return args

    @cached_property
    def narrowing(self) -> list[ColumnElement[bool]]:
        """What narrows the text search by the search index, looked up once for all the
        page's statements (each looked up up to 2,001 ids again)."""
        return search.narrowed(self.q)

    @property
    def narrowed(self) -> bool:
        """Whether anything beyond the status and the order is filtered."""
        return any((self.discussion_id, self.rule, self.severity, self.section,
                    self.student_id, self.reviewer_id, self.q))


@dataclass
class QueuePage:
    """One page of the queue, and the cursors of the pages around it."""

    comments: list[Comment]
    next: Cursor | None
    previous: Cursor | None


def conditions(course_id: int, f: QueueFilter, *, with_status: bool = True,
               unordered: bool = False) -> list[ColumnElement[bool]]:
    """The WHERE clauses of a filter (without the status, for the per-status counts;
    `unordered` for a statement that reads the rows in no order, as a count does)."""
    where: list[ColumnElement[bool]] = [Comment.course_id == course_id]
    if with_status:
        where.append(Comment.status == f.status)
    if f.discussion_id is not None:
        where.append(Comment.discussion_id == f.discussion_id)
    if f.student_id is not None:
        where.append(Comment.author_id == f.student_id)
    if f.reviewer_id is not None:
        # Named, so the partial index of revisions serves it: only revisions are read.
        where += [Comment.revision_of_id.is_not(None), _revision_for(f.reviewer_id)]
    flag = _FLAG
    # A comment's flag_level is its most severe flag's (text_facts.store writes both), so a
    # comment with a flag of some severity has at least that level: said here, the course's
    # severity index skips the comments that cannot match (a third have no flag at all).
    if f.rule:
        where += [Comment.flag_level >= 1,
                  exists().where(flag.comment_id == Comment.id, flag.rule == f.rule)]
    if f.severity is not None:
        where += [Comment.flag_level >= f.severity.level,
                  exists().where(flag.comment_id == Comment.id, flag.severity == f.severity)]
    if f.section:
        if unordered:
            # A count may read the section's students' comments author by author from the
            # course's author index (on SQLite 20 ms less than a lookup per comment); a
            # list in time order must not (SQLite then sorted every one of them).
            where.append(Comment.author_id.in_(select(Membership.user_id).where(
                Membership.course_id == course_id, Membership.section == f.section)))
        else:
            where.append(exists().where(Membership.course_id == course_id,
                                        Membership.user_id == Comment.author_id,
                                        Membership.section == f.section))
    if f.q:
        where.extend(f.narrowing)
        where.append(search.holds(f.q))
    return where


def _revision_for(reviewer_id: int) -> ColumnElement[bool]:
    """A revision of a comment this person rejected: it goes back to them first."""
    original = _ORIGINAL
    return exists().where(original.id == Comment.revision_of_id,
                          original.decided_by_id == reviewer_id)


def revisions_waiting_for(course_id: int, reviewer_id: int) -> int:
    """How many revisions of comments this person rejected wait in the course's queue."""
    return db.session.scalar(
        select(func.count()).select_from(Comment)
        .where(Comment.course_id == course_id, Comment.status == CommentStatus.PENDING,
               Comment.revision_of_id.is_not(None), _revision_for(reviewer_id))) or 0


def _after(f: QueueFilter, cursor: Cursor, forward: bool) -> ColumnElement[bool]:
    """Rows past the cursor in the filter's order (or before it, going back)."""
    key = tuple_(Comment.submitted_at, Comment.id)
    at = (cursor.submitted_at, cursor.id)
    if f.sort == "time":
        return key > at if forward else key < at
    # Severity: flag_level, then time, all descending.
    if forward:
        return or_(Comment.flag_level < cursor.flag_level,
                   and_(Comment.flag_level == cursor.flag_level, key < at))
    return or_(Comment.flag_level > cursor.flag_level,
               and_(Comment.flag_level == cursor.flag_level, key > at))


def _order(f: QueueFilter, forward: bool, rows: Any = Comment) -> list[UnaryExpression[object]]:
    """The filter's order, over comments or over the columns of a subquery of them."""
    ascending = (f.sort == "time") == forward
    columns = [rows.submitted_at, rows.id]
    if f.sort == "severity":
        columns.insert(0, rows.flag_level)
    return [c.asc() if ascending else c.desc() for c in columns]


def page(course_id: int, f: QueueFilter, *, after: Cursor | None = None,
         before: Cursor | None = None, size: int | None = None) -> QueuePage:
    """One page of comments, with their flags and what replies answer.

    `after` gives the page that follows a cursor, `before` the page that precedes it.
    """
    size = size or PAGE_SIZE
    forward = before is None
    cursor = after if forward else before
    query = select(Comment).where(*conditions(course_id, f))
    if cursor is not None:
        query = query.where(_after(f, cursor, forward))
    query = query.order_by(*_order(f, forward)).limit(size + 1).options(
        selectinload(Comment.flags), selectinload(Comment.parent),
        # A revision's row says who rejected the first version: it goes back to them.
        selectinload(Comment.revision_of).selectinload(Comment.decided_by))
    rows = list(db.session.scalars(query).unique())
    more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    if not rows:
        return QueuePage([], None, None)
    has_next = more if forward else True
    has_previous = cursor is not None if forward else more
    return QueuePage(rows, Cursor.of(rows[-1]) if has_next else None,
                     Cursor.of(rows[0]) if has_previous else None)


def count_label(count: int) -> str:
    """A capped count as the page shows it.

    >>> count_label(7), count_label(1000), count_label(1001)
    ('7', '1,000', '1,000+')
    """
    return f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"


def _capped(query: Select[Any]) -> ScalarSelect[int]:
    """How many rows the query gives, counting no further than COUNT_CAP + 1."""
    return select(func.count()).select_from(
        query.limit(COUNT_CAP + 1).subquery()).scalar_subquery()


def status_counts(course_id: int, f: QueueFilter, rules: RuleCounts | None = None
                  ) -> dict[CommentStatus, int]:
    """How many comments each status tab holds under the other filters, up to
    COUNT_CAP + 1 (`count_label` shows that as "1,000+"); one statement.

    The current tab's count is taken from `rules` when it counted that same list (no rule
    filter): the list's comments are then read once, not twice (a search's LIKE over a
    thousand bodies was a quarter of its page).
    """
    known = {f.status: rules.listed} if rules is not None and f.rule is None else {}
    where = conditions(course_id, f, with_status=False, unordered=True)
    counted = [status for status in CommentStatus if status not in known]
    # SQLite counts a rule's comments by reading the severity index and looking up each
    # comment's flags: read most severe first, it meets a hold rule's comments at once, not
    # after every comment with notes only (a third of the course; 20 ms of the page). The
    # order changes no capped count. PostgreSQL joins the rule's flags whole, and would
    # read in parallel for the order.
    severe_first = bool(f.rule) and db.session.get_bind().dialect.name == "sqlite"
    counts = db.session.execute(select(*(
        _capped(select(literal(1)).select_from(Comment)
                .where(*where, Comment.status == status)
                .order_by(*([Comment.flag_level.desc()] if severe_first else [])))
        for status in counted))).one()
    known.update(zip(counted, counts, strict=True))
    return {status: known[status] for status in CommentStatus}


@dataclass
class RuleCounts:
    """How many comments of the list carry each rule's flag, most first; counted over the
    list's first COUNT_CAP comments in its order when it is longer (`sampled`).

    `listed`: how many comments the list holds under every filter but the rule, up to
    COUNT_CAP + 1.
    """

    counts: dict[str, int]
    listed: int

    @property
    def sampled(self) -> bool:
        """Whether the list is longer than the comments its flags were counted over."""
        return self.listed > COUNT_CAP


def rule_counts(course_id: int, f: QueueFilter) -> RuleCounts:
    """The flags in the current list (the other filters, any rule), and the list's capped
    length: one statement.

    Exact for a list of up to COUNT_CAP comments; a longer one is counted over its first
    COUNT_CAP, as the page would list them, so the cost never grows with the course (an
    exact count per rule over 100,000 comments read every row and flag of the course).
    """
    unfiltered = replace(f, rule=None) if f.rule else f  # the same filter: its search kept
    listed = (select(Comment.id, Comment.flag_level, Comment.submitted_at)
              .where(*conditions(course_id, unfiltered))
              .order_by(*_order(unfiltered, True)).limit(COUNT_CAP + 1).cte("listed"))
    first = (select(listed.c.id).order_by(*_order(unfiltered, True, listed.c))
             .limit(COUNT_CAP))
    # The length on a row of its own (no rule: rules are never NULL), so that a list with
    # no flag at all still says how long it is.
    length = select(literal(None, Flag.rule.type).label("rule"),
                    select(func.count()).select_from(listed).scalar_subquery())
    flags = (select(Flag.rule, func.count(func.distinct(Flag.comment_id)))
             .where(Flag.comment_id.in_(first)).group_by(Flag.rule))
    rows = db.session.execute(union_all(length, flags)).all()
    counts = sorted(((rule, count) for rule, count in rows if rule is not None),
                    key=lambda r: (-r[1], r[0]))
    return RuleCounts(dict(counts), next(count for rule, count in rows if rule is None))


def neighbours(course_id: int, f: QueueFilter, comment: Comment) -> tuple[int | None, int | None]:
    """The ids of the comments before and after this one in the filtered queue."""
    cursor = Cursor.of(comment)
    found: list[int | None] = []
    for forward in (False, True):
        found.append(db.session.scalar(
            select(Comment.id).where(*conditions(course_id, f), _after(f, cursor, forward))
            .order_by(*_order(f, forward)).limit(1)))
    return found[0], found[1]


@dataclass
class ClassComparison:
    """A student's comment against the medians of the discussion."""

    median_words: float | None
    median_grade: float | None
    comments: int


def class_medians(discussion: Discussion, is_reply: bool) -> ClassComparison:
    """Medians of words and reading grade of the discussion's comments of this kind."""
    grade = Comment.metrics["flesch_kincaid_grade"].as_float()
    rows = db.session.execute(
        select(Comment.word_count, grade).where(
            Comment.discussion_id == discussion.id,
            Comment.status != CommentStatus.REJECTED,
            Comment.parent_id.is_not(None) if is_reply else Comment.parent_id.is_(None))
    ).all()
    words = [w for w, _ in rows]
    grades = [g for _, g in rows if g is not None]
    return ClassComparison(statistics.median(words) if words else None,
                           statistics.median(grades) if grades else None, len(rows))


def history(comment: Comment, limit: int = 20) -> list[Comment]:
    """The author's other comments in the course, newest first, with their decisions."""
    return list(db.session.scalars(
        select(Comment).where(Comment.course_id == comment.course_id,
                              Comment.author_id == comment.author_id, Comment.id != comment.id)
        .order_by(Comment.submitted_at.desc(), Comment.id.desc()).limit(limit)
        .options(selectinload(Comment.decided_by))).unique())


def sections(course_id: int) -> list[str]:
    """The course's sections, for the filter."""
    return list(db.session.scalars(
        select(Membership.section).where(Membership.course_id == course_id,
                                         Membership.section.is_not(None))
        .distinct().order_by(Membership.section)))


def students(course_id: int) -> list[tuple[int, str]]:
    """The course's students (id, sortable name), for the filter: not its staff."""
    return [(id_, name) for id_, name in db.session.execute(
        students_query(course_id).with_only_columns(User.id, User.sortable_name)).all()]
