"""Grade passback (AGS): a score row per (link, student) written with the grade change that
causes it, and the sender that posts waiting rows to the link's line item.

What is sent: releasing a grade sends its score (FullyGraded, the feedback as comment);
changing a released grade sends the new one; taking a grade back (or clearing a released
score) sends a score without scoreGiven, Initialized and NotReady, which clears the LMS's
result. Every row's timestamp is later than the last one sent for it, so the LMS keeps the
newest. Unreleased grades send nothing.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session

from moderation.extensions import db
from moderation.lti.messages import (
    AGS_SCOPES,
    LINEITEM_TYPE,
    LINEITEMS_TYPE,
    SCORE_TYPE,
    line_item,
    score,
)
from moderation.models import (
    Discussion,
    Grade,
    LtiContext,
    LtiIdentity,
    LtiResourceLink,
    LtiScore,
    SyncState,
    utcnow,
)
from moderation.services import jobs
from moderation.services.lti.http import Client, ServiceFailure

LEASE = timedelta(minutes=2)  # a claimed row another sender may take once this passes
MAX_ATTEMPTS = 8  # timeouts and 5xx: then failed, shown, sent again by hand
PENDING = "lti.pending"  # session.info: this transaction left scores or a roster waiting
SEND_KIND = "lti.send"  # the job that sends what waits (services/lti_sync.send_waiting)


def backoff(attempts: int) -> timedelta:
    """How long to wait before trying again after this many failures.

    >>> [int(backoff(n).total_seconds()) for n in (1, 2, 3, 12)]
    [30, 60, 120, 21600]
    """
    return timedelta(seconds=min(30 * 2 ** (attempts - 1), 6 * 3600))


# Writing rows: with the grade change ---------------------------------------------------

def _changed(grade: Grade, names: Iterable[str]) -> bool:
    state = inspect(grade)
    return any(state.attrs[name].history.has_changes() for name in names)


def _was_released(grade: Grade) -> bool:
    history = inspect(grade).attrs.released.history
    return bool(history.deleted[0]) if history.deleted else bool(grade.released)


def _due(grades: list[Grade]) -> list[tuple[Grade, bool]]:
    """Grades whose LMS result must change: (grade, send its score) or (grade, take back)."""
    due = []
    for grade in grades:
        if grade.released and grade.score is not None:
            if _changed(grade, ("released", "score", "feedback")):
                due.append((grade, True))
        elif _was_released(grade) and not (grade.released and grade.score is not None):
            due.append((grade, False))
    return due


def queue_changes(session: Session) -> int:
    """Write the score rows that the grade changes about to be flushed call for."""
    grades = [obj for obj in (*session.new, *session.dirty) if isinstance(obj, Grade)]
    if not grades:
        return 0
    due = _due(grades)
    if not due:
        return 0
    with session.no_autoflush:
        links = list(session.scalars(select(LtiResourceLink).where(
            LtiResourceLink.discussion_id.in_({g.discussion_id for g, _ in due}))))
        if not links:
            return 0
        written = 0
        for link in links:
            issuer = link.context.platform.issuer
            for grade, send in due:
                if grade.discussion_id != link.discussion_id:
                    continue
                known = session.scalar(select(LtiIdentity.id).where(
                    LtiIdentity.user_id == grade.student_id, LtiIdentity.issuer == issuer))
                if known is None:
                    continue  # joined here, not from this LMS: nothing to send it
                discussion = session.get(Discussion, grade.discussion_id)
                assert discussion is not None
                _write(session, link, grade.student_id, grade.score if send else None,
                       discussion.points_possible, grade.feedback if send else None)
                written += 1
    if written:
        session.info[PENDING] = True
    return written


def _write(session: Session, link: LtiResourceLink, student_id: int, given: float | None,
           maximum: float, comment: str | None) -> None:
    now = utcnow()
    row = session.scalar(select(LtiScore).where(LtiScore.link_id == link.id,
                                                LtiScore.student_id == student_id))
    if row is None:
        session.add(LtiScore(link_id=link.id, student_id=student_id, score_given=given,
                             score_maximum=maximum, comment=comment, timestamp=now,
                             state=SyncState.WAITING, next_attempt_at=now))
        return
    row.score_given, row.score_maximum, row.comment = given, maximum, comment
    row.timestamp = max(now, row.timestamp + timedelta(milliseconds=1))
    row.state, row.revision, row.attempts = SyncState.WAITING, row.revision + 1, 0
    row.next_attempt_at, row.last_error, row.claim, row.claimed_until = now, None, None, None


def send_again(row: LtiScore) -> None:
    """Put a row back in the queue at once (a person asked), with a newer timestamp."""
    now = utcnow()
    row.state, row.attempts, row.next_attempt_at = SyncState.WAITING, 0, now
    row.revision += 1
    row.timestamp = max(now, row.timestamp + timedelta(milliseconds=1))
    row.last_error, row.claim, row.claimed_until = None, None, None
    db.session.info[PENDING] = True
    db.session.flush()


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    queue_changes(session)


def _before_commit(session: Session) -> None:
    # The job is written in the same transaction as what it sends: nothing waits unseen.
    if session.info.pop(PENDING, False):
        jobs.enqueue(SEND_KIND, dedupe=SEND_KIND)


def _after_rollback(session: Session, _previous: Any = None) -> None:
    session.info.pop(PENDING, None)


def init_app() -> None:
    """Write score rows with every grade change, and a job to send them with the commit."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)


def mark_due() -> None:
    """Note that something waits to be sent: a job to send it commits with this transaction."""
    db.session.info[PENDING] = True


def anything_due(now: datetime | None = None) -> bool:
    """Whether a score or a roster waits whose time has come (the minute's sweep asks)."""
    from moderation.services.lti import roster as lti_roster

    now = now or utcnow()
    return bool(db.session.scalar(select(LtiScore.id).where(claimable(now)).limit(1))
                or lti_roster.anything_due(now))


# Sending rows ---------------------------------------------------------------------------

def _service_url(base: str, suffix: str, query: dict[str, str] | None = None) -> str:
    """A line item's sub-URL, keeping its query (Moodle puts the type there).

    >>> _service_url("https://lms/items/3?type_id=1", "/scores")
    'https://lms/items/3/scores?type_id=1'
    """
    parts = urlsplit(base)
    extra = urlencode(query or {})
    joined = "&".join(q for q in (parts.query, extra) if q)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix, query=joined))


def claimable(now: datetime) -> Any:
    """Rows waiting whose time has come and that no live claim holds."""
    return ((LtiScore.state == SyncState.WAITING)
            & or_(LtiScore.next_attempt_at.is_(None), LtiScore.next_attempt_at <= now)
            & or_(LtiScore.claimed_until.is_(None), LtiScore.claimed_until < now))


def _claim(row_id: int, now: datetime) -> str | None:
    token = secrets.token_hex(8)
    result = db.session.execute(
        update(LtiScore).where(LtiScore.id == row_id, claimable(now))
        .values(claim=token, claimed_until=now + LEASE)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return token if getattr(result, "rowcount", 0) == 1 else None


def _finish(row_id: int, token: str, revision: int, **values: Any) -> bool:
    """Record an outcome if the row is still ours and unchanged; else only let it go."""
    result = db.session.execute(
        update(LtiScore).where(LtiScore.id == row_id, LtiScore.claim == token,
                               LtiScore.revision == revision)
        .values(claim=None, claimed_until=None, **values)
        .execution_options(synchronize_session=False))
    done = getattr(result, "rowcount", 0) == 1
    if not done:
        db.session.execute(update(LtiScore).where(LtiScore.id == row_id,
                                                  LtiScore.claim == token)
                           .values(claim=None, claimed_until=None)
                           .execution_options(synchronize_session=False))
    db.session.commit()
    return done


def ensure_line_item(client: Client, link: LtiResourceLink) -> str:
    """The link's line item URL: the LMS's, else one found or made in the context's container."""
    if link.lineitem_url:
        return link.lineitem_url
    lti_context: LtiContext = link.context
    platform = lti_context.platform
    scope = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
    if not lti_context.lineitems_url or scope not in lti_context.ags_scopes:
        raise ServiceFailure("the LMS gave this link no line item and does not let the tool "
                             "make one: enable grading for the link in the LMS", retry=False)
    discussion = link.discussion
    assert discussion is not None
    found = client.call(platform, AGS_SCOPES, "GET", _service_url(
        lti_context.lineitems_url, "", {"resource_link_id": link.resource_link_id}),
        accept=LINEITEMS_TYPE, what="line items").json()
    mine = [item for item in found if isinstance(item, dict) and (
        item.get("resourceId") == str(discussion.id)
        or item.get("resourceLinkId") == link.resource_link_id)] if isinstance(found, list) \
        else []
    if mine:
        url = str(mine[0]["id"])
    else:
        made = client.call(platform, AGS_SCOPES, "POST", lti_context.lineitems_url,
                           json=line_item(discussion.id, discussion.title,
                                          discussion.points_possible, link.resource_link_id),
                           content_type=LINEITEM_TYPE, accept=LINEITEM_TYPE,
                           what="new line item").json()
        url = str(made["id"])
    link.lineitem_url = url
    db.session.commit()
    return url


def send_scores(client: Client, now: datetime, *, limit: int | None,
                deadline: float | None) -> dict[str, int]:
    """Send the waiting score rows whose time has come; return counts by outcome."""
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    ids = list(db.session.scalars(select(LtiScore.id).where(claimable(now))
                                  .order_by(LtiScore.id).limit(limit)))
    db.session.commit()
    stalled: set[int] = set()  # platforms that failed in a way that may pass: try later
    for row_id in ids:
        if deadline is not None and time.monotonic() > deadline:
            break
        token = _claim(row_id, now)
        if token is None:
            continue  # another sender has it, or it changed
        row = db.session.get_one(LtiScore, row_id)
        link = row.link
        platform = link.context.platform
        if platform.id in stalled:
            _finish(row.id, token, row.revision)
            continue
        sub = db.session.scalar(select(LtiIdentity.sub).where(
            LtiIdentity.user_id == row.student_id, LtiIdentity.issuer == platform.issuer))
        revision, attempts = row.revision, row.attempts + 1
        try:
            if sub is None:
                raise ServiceFailure("the student has no identity in this LMS", retry=False)
            url = ensure_line_item(client, link)
            client.call(platform, AGS_SCOPES, "POST", _service_url(url, "/scores"),
                        json=score(sub, row.score_given, row.score_maximum, row.comment,
                                   row.timestamp),
                        content_type=SCORE_TYPE, what="score")
        except ServiceFailure as failure:
            if failure.retry and attempts < MAX_ATTEMPTS:
                stalled.add(platform.id)
                _finish(row_id, token, revision, attempts=attempts, last_error=failure.reason,
                        next_attempt_at=utcnow() + backoff(attempts))
                counts["retrying"] += 1
            else:
                reason = failure.reason if not failure.retry else \
                    f"gave up after {attempts} attempts: {failure.reason}"
                _finish(row_id, token, revision, attempts=attempts, last_error=reason,
                        state=SyncState.FAILED)
                counts["failed"] += 1
            continue
        if _finish(row_id, token, revision, attempts=attempts, state=SyncState.SENT,
                   sent_at=utcnow(), last_error=None):
            counts["sent"] += 1
    return counts
