"""Names and Role Provisioning Services: the LMS course's roster, every page of it, read into
accounts, memberships and their LMS status (active, inactive, left). Nobody's comments or
grades are touched: a member who left stays in the course, marked as such."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update

from moderation.extensions import db
from moderation.lti import map_roles
from moderation.lti.messages import MEMBERSHIPS_TYPE, NRPS_SCOPE
from moderation.models import LtiContext, LtiEnrolment, MemberStatus, SyncState, utcnow
from moderation.services import audit
from moderation.services.lti import provision as lti_provision
from moderation.services.lti.http import Client, ServiceFailure
from moderation.services.lti.scores import LEASE, MAX_ATTEMPTS, backoff

MAX_PAGES = 1000  # 1,000 pages of a roster is far beyond any course: a loop, not a roster
STATUSES = {"Active": MemberStatus.ACTIVE, "Inactive": MemberStatus.INACTIVE,
            "Deleted": MemberStatus.LEFT}


def _claimable(now: datetime) -> Any:
    return ((LtiContext.roster_state == SyncState.WAITING)
            & or_(LtiContext.roster_next_attempt_at.is_(None),
                  LtiContext.roster_next_attempt_at <= now)
            & or_(LtiContext.roster_claimed_until.is_(None),
                  LtiContext.roster_claimed_until < now))


def anything_due(now: datetime) -> bool:
    """Whether a roster waits to be read whose time has come."""
    return db.session.scalar(select(LtiContext.id).where(_claimable(now)).limit(1)) is not None


def fetch_members(client: Client, lti_context: LtiContext) -> list[dict[str, Any]]:
    """Every member of the context, following the LMS's `Link: <…>; rel="next"` pages."""
    assert lti_context.memberships_url is not None
    url: str | None = lti_context.memberships_url
    members: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        if url is None:
            return members
        if url in seen:
            raise ServiceFailure("roster: the LMS's next page points back to an earlier one",
                                 retry=False)
        seen.add(url)
        response = client.call(lti_context.platform, [NRPS_SCOPE], "GET", url,
                               accept=MEMBERSHIPS_TYPE, what="roster")
        try:
            page = response.json()
        except ValueError as error:
            raise ServiceFailure("roster: the LMS's answer is not JSON", retry=True) from error
        listed = page.get("members") if isinstance(page, dict) else None
        if not isinstance(listed, list):
            raise ServiceFailure("roster: the LMS's answer has no members list", retry=False)
        members.extend(m for m in listed if isinstance(m, dict))
        url = response.links.get("next", {}).get("url")
    raise ServiceFailure(f"roster: more than {MAX_PAGES} pages", retry=False)


def apply_roster(lti_context: LtiContext, members: list[dict[str, Any]]) -> dict[str, int]:
    """Read a whole roster in: accounts, roles, names, statuses; missing members have left."""
    platform = lti_context.platform
    counts = {"members": 0, "inactive": 0, "left": 0, "skipped": 0}
    present: set[int] = set()
    for member in members:
        sub = member.get("user_id")
        listed = member.get("roles")
        roles: list[Any] = listed if isinstance(listed, list) else []
        role = lti_provision.ROLES.get(map_roles([r for r in roles if isinstance(r, str)]))
        if not isinstance(sub, str) or not sub or len(sub) > 255 or role is None:
            counts["skipped"] += 1  # mentors, guests and lines without a user
            continue
        name = member.get("name") or " ".join(
            str(member.get(k) or "") for k in ("given_name", "family_name")).strip()
        email = member.get("email") if isinstance(member.get("email"), str) else None
        ident = lti_provision.identity(platform, sub, str(name) or None, email)
        lti_provision.enrol(lti_context, ident, role, [r for r in roles if isinstance(r, str)])
        enrolment = db.session.scalar(select(LtiEnrolment).where(
            LtiEnrolment.context_id == lti_context.id, LtiEnrolment.identity_id == ident.id))
        assert enrolment is not None
        enrolment.status = STATUSES.get(str(member.get("status") or "Active"),
                                        MemberStatus.ACTIVE)
        present.add(enrolment.id)
        counts["members"] += 1
    for enrolment in db.session.scalars(select(LtiEnrolment).where(
            LtiEnrolment.context_id == lti_context.id)):
        if enrolment.id not in present:
            enrolment.status = MemberStatus.LEFT
        counts["inactive"] += enrolment.status == MemberStatus.INACTIVE
        counts["left"] += enrolment.status == MemberStatus.LEFT
    db.session.flush()
    audit.record("lti.roster_synced", actor=None, course_id=lti_context.course_id,
                 obj=lti_context, after=counts)
    return counts


def sync_waiting(client: Client, now: datetime, *, deadline: float | None = None) -> dict[
        str, int]:
    """Sync every roster that waits (claimed one at a time); return counts by outcome."""
    import time

    counts = {"synced": 0, "retrying": 0, "failed": 0}
    ids = list(db.session.scalars(select(LtiContext.id).where(_claimable(now))))
    db.session.commit()
    for context_id in ids:
        if deadline is not None and time.monotonic() > deadline:
            break
        token = secrets.token_hex(8)
        claimed = db.session.execute(
            update(LtiContext).where(LtiContext.id == context_id, _claimable(now))
            .values(roster_claim=token, roster_claimed_until=now + LEASE)
            .execution_options(synchronize_session=False))
        db.session.commit()
        if getattr(claimed, "rowcount", 0) != 1:
            continue
        lti_context = db.session.get_one(LtiContext, context_id)
        attempts = lti_context.roster_attempts + 1
        try:
            members = fetch_members(client, lti_context)
            apply_roster(lti_context, members)
            lti_context.roster_state, lti_context.roster_synced_at = SyncState.SENT, utcnow()
            lti_context.roster_error = None
            counts["synced"] += 1
        except ServiceFailure as failure:
            db.session.rollback()
            lti_context = db.session.get_one(LtiContext, context_id)
            lti_context.roster_error = failure.reason
            if failure.retry and attempts < MAX_ATTEMPTS:
                lti_context.roster_next_attempt_at = utcnow() + backoff(attempts)
                counts["retrying"] += 1
            else:
                lti_context.roster_state = SyncState.FAILED
                counts["failed"] += 1
        lti_context.roster_attempts = attempts
        lti_context.roster_claim, lti_context.roster_claimed_until = None, None
        db.session.commit()
    return counts

