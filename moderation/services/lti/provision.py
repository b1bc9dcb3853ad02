"""What a launch (or a roster line) makes here: the account of an LMS identity, the course of
an LMS context, the membership with its mapped role, and the link to a discussion.

An LMS user is found by (issuer, sub) only. The account made for one has an address of its
own under `.invalid` (RFC 2606: no mail is ever delivered there) and no password: it signs
in only by launching, and nobody can take it over by proving an address. An LMS's email is
kept on the identity for reading; it never finds, names or claims an account here.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from moderation.extensions import db
from moderation.lms.roster import sortable_name_of
from moderation.lti import LaunchClaims, RoleChoice
from moderation.lti.messages import DISCUSSION_PARAMETER
from moderation.models import (
    Course,
    Discussion,
    DiscussionState,
    LtiContext,
    LtiEnrolment,
    LtiIdentity,
    LtiLaunch,
    LtiPlatform,
    LtiResourceLink,
    Membership,
    MemberStatus,
    Role,
    SyncState,
    User,
    utcnow,
)
from moderation.models.accounts import LAUNCH_ONLY
from moderation.services import audit, courses, discussions
from moderation.services.courses import Permission, allows
from moderation.services.errors import Forbidden, InvalidInput, NotFound
from moderation.services.lti import scores as lti_scores

EMAIL_DOMAIN = "lti.invalid"
ROSTER_EVERY = timedelta(minutes=5)  # an instructor's launches sync the roster at most this often
ROLES = {RoleChoice.INSTRUCTOR: Role.INSTRUCTOR, RoleChoice.TA: Role.TA,
         RoleChoice.STUDENT: Role.STUDENT}


def account_email(issuer: str, sub: str) -> str:
    """The address of an account made for an LMS identity: unique, and never a mailbox.

    >>> account_email("https://canvas.instructure.com", "42")
    'lti-30224ce3b0120a860f90d26b@lti.invalid'
    """
    digest = hashlib.sha256(f"{issuer}\n{sub}".encode()).hexdigest()[:24]
    return f"lti-{digest}@{EMAIL_DOMAIN}"


def _name(name: str | None, sub: str) -> str:
    name = " ".join((name or "").split())[:120]
    return name or f"LMS user {sub[:12]}"


def identity(platform: LtiPlatform, sub: str, name: str | None,
             email: str | None) -> LtiIdentity:
    """The identity (issuer, sub), with a launch-only account made for it if it is new."""
    found = db.session.scalar(select(LtiIdentity).where(
        LtiIdentity.issuer == platform.issuer, LtiIdentity.sub == sub))
    if found is None:
        display = _name(name, sub)
        user = User(email=account_email(platform.issuer, sub), display_name=display,
                    sortable_name=sortable_name_of(display), password_hash=LAUNCH_ONLY)
        db.session.add(user)
        db.session.flush()
        found = LtiIdentity(issuer=platform.issuer, sub=sub, user=user,
                            platform_id=platform.id)
        db.session.add(found)
        db.session.flush()
        audit.record("lti.account_created", actor=None, obj=user, subject_id=user.id,
                     after={"issuer": platform.issuer, "name": display})
    found.lms_name = _name(name, sub) if name else found.lms_name
    found.lms_email = email or found.lms_email
    user = found.user
    if name and user.password_hash == LAUNCH_ONLY and user.display_name != _name(name, sub):
        # The LMS is where a launch-only account's name is kept; a linked account's own
        # name is its holder's to change.
        user.display_name = _name(name, sub)
        user.sortable_name = sortable_name_of(user.display_name)
    return found


def _course_code(context_id: str) -> str:
    base = "LTI-" + re.sub(r"[^A-Za-z0-9]", "", context_id)[:8]
    code, n = base, 1
    while db.session.scalar(select(Course.id).where(Course.code == code)) is not None:
        n += 1
        code = f"{base}-{n}"
    return code


def _join_code() -> str:
    while True:
        code = courses.new_join_code()
        if db.session.scalar(select(Course.id).where(Course.join_code == code)) is None:
            return code


def context(platform: LtiPlatform, claims: LaunchClaims, user: User) -> LtiContext | None:
    """The course of the launch's context: made on an instructor's first launch, else None."""
    if claims.context_id is None:
        raise Forbidden("The LMS did not say which course this launch is from.")
    found = db.session.scalar(select(LtiContext).where(
        LtiContext.platform_id == platform.id, LtiContext.context_id == claims.context_id))
    if found is None:
        if claims.role != RoleChoice.INSTRUCTOR:
            return None
        title = (claims.context_title or f"Course {claims.context_id}")[:200]
        course = Course(title=title, code=_course_code(claims.context_id),
                        join_code=_join_code(), policy={}, rubric={})
        db.session.add(course)
        db.session.flush()
        found = LtiContext(platform_id=platform.id, context_id=claims.context_id,
                           course=course, deployment_id=claims.deployment_id)
        db.session.add(found)
        db.session.flush()
        audit.record("course.created", actor=user, course_id=course.id, obj=course,
                     after={"title": title, "code": course.code, "lms": platform.issuer,
                            "context_id": claims.context_id})
    found.title = claims.context_title or found.title
    found.memberships_url = claims.memberships_url or found.memberships_url
    found.lineitems_url = claims.lineitems_url or found.lineitems_url
    found.ags_scopes = claims.ags_scopes or found.ags_scopes
    return found


def enrol(lti_context: LtiContext, ident: LtiIdentity, role: Role,
          lms_roles: list[str]) -> Membership:
    """Enrol the identity's account in the context's course with this role (the LMS's word)."""
    course = lti_context.course
    user = ident.user
    membership = courses.membership_of(user, course)
    if membership is None:
        membership = courses.enrol(user, course, role, lms_user_id=ident.sub[:64])
        audit.record("lti.enrolled", actor=None, course_id=course.id, obj=membership,
                     subject_id=user.id, after={"role": role.value})
    elif membership.role != role:
        audit.record("lti.role_changed", actor=None, course_id=course.id, obj=membership,
                     subject_id=user.id, before={"role": membership.role.value},
                     after={"role": role.value})
        membership.role = role
    enrolment = db.session.scalar(select(LtiEnrolment).where(
        LtiEnrolment.context_id == lti_context.id, LtiEnrolment.identity_id == ident.id))
    if enrolment is None:
        enrolment = LtiEnrolment(context_id=lti_context.id, identity_id=ident.id, role=role)
        db.session.add(enrolment)
    enrolment.role, enrolment.status, enrolment.lms_roles = role, MemberStatus.ACTIVE, lms_roles
    db.session.flush()
    return membership


def resource_link(lti_context: LtiContext, claims: LaunchClaims) -> LtiResourceLink | None:
    """The launch's resource link (made if new), with its line item as the LMS gives it."""
    if claims.resource_link_id is None:
        return None
    link = db.session.scalar(select(LtiResourceLink).where(
        LtiResourceLink.context_id == lti_context.id,
        LtiResourceLink.resource_link_id == claims.resource_link_id))
    if link is None:
        link = LtiResourceLink(context_id=lti_context.id,
                               resource_link_id=claims.resource_link_id)
        db.session.add(link)
    link.title = claims.resource_link_title or link.title
    link.lineitem_url = claims.lineitem_url or link.lineitem_url
    placed = claims.custom.get(DISCUSSION_PARAMETER, "")
    if link.discussion_id is None and placed.isdigit():
        # A deep-linked link names its discussion; only one of the context's own course.
        discussion = db.session.get(Discussion, int(placed))
        if discussion is not None and discussion.course_id == lti_context.course_id:
            link.discussion_id = discussion.id
    db.session.flush()
    return link


def request_roster(lti_context: LtiContext, *, force: bool = False) -> bool:
    """Ask for a roster sync (at most every ROSTER_EVERY unless forced); whether it was."""
    if lti_context.memberships_url is None or lti_context.roster_state == SyncState.WAITING:
        return False
    synced = lti_context.roster_synced_at
    if not force and synced is not None and utcnow() - synced < ROSTER_EVERY:
        return False
    now = utcnow()
    lti_context.roster_state = SyncState.WAITING
    lti_context.roster_requested_at = lti_context.roster_next_attempt_at = now
    lti_context.roster_attempts = 0
    lti_context.roster_error = None
    db.session.flush()
    lti_scores.mark_due()
    return True


@dataclass
class Landing:
    """Where a checked launch lands: who signs in, in which course and link."""

    user: User
    identity: LtiIdentity
    membership: Membership | None
    lti_context: LtiContext | None
    link: LtiResourceLink | None


def land(launch: LtiLaunch, claims: LaunchClaims) -> Landing:
    """Make or update the identity, course, membership and link of a checked launch."""
    platform = launch.platform
    if claims.role == RoleChoice.READ_ONLY:
        raise Forbidden("Mentors cannot open moderation from the LMS: it shows a student's "
                        "comments and grades only to the student and the course's staff.")
    if claims.role == RoleChoice.NONE:
        raise Forbidden("Your role in this LMS course is not one moderation knows (instructor, "
                        "teaching assistant, content developer, administrator or learner), "
                        "so it cannot open here. Ask your instructor.")
    ident = identity(platform, claims.sub, claims.name, claims.email)
    ident.last_launch_at = utcnow()
    lti_context = context(platform, claims, ident.user)
    launch.user_id = ident.user_id
    if lti_context is None:
        return Landing(ident.user, ident, None, None, None)
    membership = enrol(lti_context, ident, ROLES[claims.role], claims.roles)
    link = resource_link(lti_context, claims)
    if claims.role == RoleChoice.INSTRUCTOR:
        request_roster(lti_context)
    return Landing(ident.user, ident, membership, lti_context, link)


def link_of(link_id: int, user: User, permission: Permission | None = None) -> tuple[
        LtiResourceLink, Membership]:
    """A link and the user's membership in its course (404 to outsiders, 403 without right)."""
    link = db.session.get(LtiResourceLink, link_id)
    if link is None:
        raise NotFound()
    membership = courses.require_member(user, link.context.course, permission=permission)
    return link, membership


def set_up_link(link: LtiResourceLink, actor: User, discussion_id: int | None,
                new_title: str | None = None) -> Discussion:
    """Say which discussion a link opens: one of the course's, or a new one (opened)."""
    course = link.context.course
    membership = courses.require_member(actor, course, permission=Permission.MANAGE)
    if discussion_id is not None:
        found = db.session.get(Discussion, discussion_id)
        if found is None or found.course_id != course.id:
            raise InvalidInput("Choose a discussion of this course.", field="discussion")
        discussion = found
    else:
        title = (new_title or link.title or "Discussion").strip()[:200]
        discussion = discussions.create_discussion(
            course, actor, discussions.DiscussionFields(title=title))
        discussions.set_state(discussion, actor, DiscussionState.OPEN)
    before = link.discussion_id
    link.discussion_id = discussion.id
    db.session.flush()
    audit.record("lti.link_set_up", actor=actor, course_id=course.id, obj=link,
                 before={"discussion_id": before}, after={"discussion_id": discussion.id})
    assert allows(membership, Permission.MANAGE)
    return discussion


# Deep linking ---------------------------------------------------------------------------

def launch_claims(launch: LtiLaunch) -> LaunchClaims:
    """The checked claims a launch kept, for the pages that follow it."""
    from moderation.lti import check_claims

    assert launch.claims is not None
    return check_claims(launch.claims)


def context_of(launch: LtiLaunch, claims: LaunchClaims) -> LtiContext:
    """The context a deep linking launch came from (made by its landing)."""
    found = db.session.scalar(select(LtiContext).where(
        LtiContext.platform_id == launch.platform_id,
        LtiContext.context_id == claims.context_id))
    if found is None:
        raise NotFound()
    return found


def discussion_for_deep_link(lti_context: LtiContext, actor: User, discussion_id: int | None,
                             title: str | None) -> Discussion:
    """The discussion a deep link places: one of the course's, or a new one (opened)."""
    course = lti_context.course
    courses.require_member(actor, course, permission=Permission.MANAGE)
    if discussion_id is not None:
        found = db.session.get(Discussion, discussion_id)
        if found is None or found.course_id != course.id:
            raise InvalidInput("Choose a discussion of this course.", field="discussion")
        return found
    discussion = discussions.create_discussion(
        course, actor, discussions.DiscussionFields(title=(title or "Discussion").strip()))
    discussions.set_state(discussion, actor, DiscussionState.OPEN)
    audit.record("lti.deep_linked", actor=actor, course_id=course.id, obj=discussion,
                 after={"context_id": lti_context.context_id})
    return discussion
