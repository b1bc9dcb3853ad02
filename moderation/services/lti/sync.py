"""What waits to be sent to an LMS, sent: scores (AGS) and rosters (NRPS).

`send_waiting` is the one entry point: the "lti.send" job runs it (written with every
change that leaves something waiting, and by the minute's sweep when a retry's time has
come), and so does `moderation lti sync`. Safe to run twice or in two processes at once: each row
is claimed by an atomic UPDATE before it is sent, and its outcome is recorded only if the
row is still the one that was sent. It commits as it goes (never holding a lock over a
network call), so it is a job, not a service a request's transaction calls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Discussion,
    LtiContext,
    LtiEnrolment,
    LtiIdentity,
    LtiResourceLink,
    LtiScore,
    MemberStatus,
    SyncState,
    utcnow,
)
from moderation.services.lti import launch as lti_launch
from moderation.services.lti import roster as lti_roster
from moderation.services.lti import scores as lti_scores
from moderation.services.lti.http import Client


@dataclass
class SyncReport:
    """What one run sent, left to retry, and gave up on."""

    scores: dict[str, int] = field(default_factory=dict)
    rosters: dict[str, int] = field(default_factory=dict)


def send_waiting(*, now: datetime | None = None, limit: int | None = None,
                 budget_seconds: float | None = None, client: Client | None = None) -> SyncReport:
    """Sync the rosters and send the scores that wait and whose time has come."""
    now = now or utcnow()
    client = client or Client()
    deadline = time.monotonic() + budget_seconds if budget_seconds is not None else None
    rosters = lti_roster.sync_waiting(client, now, deadline=deadline)
    scores = lti_scores.send_scores(client, now, limit=limit, deadline=deadline)
    lti_launch.forget_expired(now)
    db.session.commit()
    return SyncReport(scores=scores, rosters=rosters)


@dataclass(frozen=True)
class StudentSync:
    """A student's row on a grading page, as the LMS sees it."""

    state: SyncState | None  # None: nothing sent or waiting
    reason: str | None
    sent_at: datetime | None
    member_status: MemberStatus | None
    row_id: int | None


def states_for(discussion: Discussion) -> dict[int, StudentSync] | None:
    """Each student's score sync and LMS status for a discussion's page; None: not linked."""
    links = list(db.session.scalars(select(LtiResourceLink.id).where(
        LtiResourceLink.discussion_id == discussion.id)))
    if not links:
        return None
    rows = {row.student_id: row for row in db.session.scalars(
        select(LtiScore).where(LtiScore.link_id.in_(links)).order_by(LtiScore.id))}
    statuses: dict[int, MemberStatus] = {user_id: status for user_id, status in db.session.execute(
        select(LtiIdentity.user_id, LtiEnrolment.status)
        .join(LtiEnrolment, LtiEnrolment.identity_id == LtiIdentity.id)
        .join(LtiContext, LtiContext.id == LtiEnrolment.context_id)
        .where(LtiContext.course_id == discussion.course_id))}
    students = set(rows) | set(statuses)
    return {sid: StudentSync(
        state=rows[sid].state if sid in rows else None,
        reason=rows[sid].last_error if sid in rows else None,
        sent_at=rows[sid].sent_at if sid in rows else None,
        member_status=statuses.get(sid), row_id=rows[sid].id if sid in rows else None)
        for sid in students}


def contexts_of(course_id: int) -> list[LtiContext]:
    """The LMS contexts a course is linked to (usually one)."""
    return list(db.session.scalars(select(LtiContext).where(LtiContext.course_id == course_id)
                                   .order_by(LtiContext.id)))
