"""LTI 1.3: registered platforms, the tool's keys, launches, identities, links and what waits
to be sent to an LMS (scores per line item and student, roster syncs per context)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow
from moderation.models.enums import Role, enum_column

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.courses import Course
    from moderation.models.discussions import Discussion


class SyncState(enum.StrEnum):
    """Where a score or a roster sync stands with the LMS."""

    WAITING = "waiting"  # to be sent (now, or at next_attempt_at after a failure that may pass)
    SENT = "sent"
    FAILED = "failed"  # the LMS refused it (a 4xx) or it kept failing: shown, sent again by hand


class MemberStatus(enum.StrEnum):
    """A person's status in the LMS course, as its roster (NRPS) last said."""

    ACTIVE = "active"
    INACTIVE = "inactive"
    LEFT = "left"  # Deleted in the roster, or absent from the last whole roster


class LtiPlatform(Base):
    """One registration of this tool in an LMS: an issuer and the client id it gave us."""

    __tablename__ = "lti_platform"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_url: Mapped[str] = mapped_column(String(500))
    token_url: Mapped[str] = mapped_column(String(500))
    jwks_url: Mapped[str] = mapped_column(String(500))
    # Origins whose pages may frame the launch pages (CSP frame-ancestors); by default the
    # issuer's and the auth URL's. Canvas frames from the school's own host: add it.
    frame_origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="LtiDeployment.id")

    def __repr__(self) -> str:
        return f"<LtiPlatform {self.id} {self.issuer} {self.client_id}>"


class LtiDeployment(Base):
    """A deployment id the platform may launch with (a school may deploy the tool twice)."""

    __tablename__ = "lti_deployment"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")

    def __repr__(self) -> str:
        return f"<LtiDeployment {self.platform_id} {self.deployment_id}>"


class LtiKey(Base):
    """One of the tool's RSA keys: the public part as a JWK, the private part encrypted.

    The newest key that is not retiring signs; /lti/jwks publishes every key until its
    retire_at has passed, so an LMS that cached the old set still verifies during the grace.
    """

    __tablename__ = "lti_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    # PKCS8 PEM encrypted with Fernet under a key from the configuration (lti_keys).
    private_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    retire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def __repr__(self) -> str:
        return f"<LtiKey {self.kid}>"


class LtiLaunch(Base):
    """One login initiation: its state, its nonce and the browser it belongs to.

    Used once: a launch whose state is already used, expired or bound to another browser
    is refused. The validated claims stay with it for the pages that follow the launch
    (setting up a link, deep linking).
    """

    __tablename__ = "lti_launch"
    __table_args__ = (Index("ix_lti_launch_expires_at", "expires_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    # SHA-256 of the secret in the browser's state cookie: the state is bound to it.
    browser_hash: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    # What the login initiation carried, so "open in a new window" can start it again.
    login_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    claims: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    platform: Mapped[LtiPlatform] = relationship()

    def __repr__(self) -> str:
        return f"<LtiLaunch {self.id} used={self.used_at is not None}>"


class LtiIdentity(Base):
    """An LMS user, keyed by (issuer, sub), and the account it signs in as.

    Never found by email: the LMS's email is kept here for reading only, and the account
    an identity creates has an address of its own that nobody can receive mail at.
    """

    __tablename__ = "lti_identity"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(255))
    sub: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int | None] = mapped_column(
        ForeignKey("lti_platform.id", ondelete="SET NULL"))
    lms_email: Mapped[str | None] = mapped_column(String(254))
    lms_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time value a "link to my account here" link carries (None: none offered).
    link_nonce: Mapped[str | None] = mapped_column(String(32))

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<LtiIdentity {self.issuer} {self.sub} -> {self.user_id}>"


class LtiContext(Base):
    """An LMS course (context) and the course here; the roster sync's state with it."""

    __tablename__ = "lti_context"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platform.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"),
                                           index=True)
    deployment_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    memberships_url: Mapped[str | None] = mapped_column(String(500))
    lineitems_url: Mapped[str | None] = mapped_column(String(500))
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    roster_state: Mapped[SyncState | None] = mapped_column(enum_column(SyncState, "sync_state"))
    roster_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    roster_error: Mapped[str | None] = mapped_column(Text)
    roster_attempts: Mapped[int] = mapped_column(default=0)
    roster_next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    roster_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    roster_claim: Mapped[str | None] = mapped_column(String(32))

    platform: Mapped[LtiPlatform] = relationship()
    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<LtiContext {self.platform_id} {self.context_id} -> {self.course_id}>"


class LtiEnrolment(Base):
    """A person's place in an LMS course as the launches and the roster say (roles, status)."""

    __tablename__ = "lti_enrolment"
    __table_args__ = (UniqueConstraint("context_id", "identity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    identity_id: Mapped[int] = mapped_column(
        ForeignKey("lti_identity.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    status: Mapped[MemberStatus] = mapped_column(
        enum_column(MemberStatus, "member_status"), default=MemberStatus.ACTIVE)
    lms_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    identity: Mapped[LtiIdentity] = relationship(lazy="joined")

    def __repr__(self) -> str:
        return f"<LtiEnrolment {self.context_id} {self.identity_id} {self.status}>"


class LtiResourceLink(Base):
    """A link placed in the LMS course, the discussion it opens, and its line item."""

    __tablename__ = "lti_resource_link"
    __table_args__ = (UniqueConstraint("context_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    context_id: Mapped[int] = mapped_column(ForeignKey("lti_context.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    # None until an instructor says which discussion the link opens.
    discussion_id: Mapped[int | None] = mapped_column(
        ForeignKey("discussion.id", ondelete="SET NULL"), index=True)
    title: Mapped[str | None] = mapped_column(String(255))
    # The line item scores go to (AGS); None: created on the first send if the LMS allows.
    lineitem_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    context: Mapped[LtiContext] = relationship(lazy="joined")
    discussion: Mapped[Discussion | None] = relationship()

    def __repr__(self) -> str:
        return f"<LtiResourceLink {self.resource_link_id} -> {self.discussion_id}>"


class LtiScore(Base):
    """The score to send for one student on one link's line item, and where it stands.

    Written in the transaction that releases, changes or takes back the grade; the sender
    claims a row, sends it, and records the outcome only if the row did not change
    meanwhile (`revision`), so sending twice or in two processes sends each value once.
    """

    __tablename__ = "lti_score"
    __table_args__ = (
        UniqueConstraint("link_id", "student_id"),
        Index("ix_lti_score_state_next", "state", "next_attempt_at"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_link.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                            index=True)
    # None: take the result back (no scoreGiven, NotReady).
    score_given: Mapped[float | None] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    # The score's own time: later for every change, so the LMS keeps the newest.
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[SyncState] = mapped_column(enum_column(SyncState, "sync_state"),
                                             default=SyncState.WAITING)
    revision: Mapped[int] = mapped_column(default=1)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    link: Mapped[LtiResourceLink] = relationship()

    def __repr__(self) -> str:
        return f"<LtiScore {self.link_id}/{self.student_id} {self.score_given} {self.state}>"
