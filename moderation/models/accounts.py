"""Users: sign-in identity, names, and the session token rotated on sign-out."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.models.base import Base, UTCDateTime, utcnow

if TYPE_CHECKING:
    from moderation.models.courses import Membership


# The password hash of an account made for an LMS identity: no password opens it (it is
# not a hash, so every check fails) and it signs in only by launching from the LMS.
LAUNCH_ONLY = "!lti-launch-only"


def new_session_token() -> str:
    """Return a fresh random session token."""
    return secrets.token_urlsafe(32)


class User(Base):
    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Stored lower-cased by accounts.normalise_email, so unique means case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    sortable_name: Mapped[str] = mapped_column(String(120))
    # None until a roster-imported student activates the account.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    can_create_courses: Mapped[bool] = mapped_column(default=False)
    # When the holder proved they read mail at this address: a link mailed to it, or an
    # activation or invitation link that staff handed to them. None: anyone could have
    # typed it, so nothing is ever attached to the account by its email (a course, a staff
    # role, a roster line), and whoever proves the address takes the account over.
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    session_token: Mapped[str] = mapped_column(
        String(64), unique=True, default=new_session_token
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def email_verified(self) -> bool:
        """Whether the holder has proved they read mail at this address."""
        return self.email_verified_at is not None

    @property
    def launch_only(self) -> bool:
        """Whether the account was made by an LMS launch and opens only that way."""
        return self.password_hash == LAUNCH_ONLY

    @property
    def attachable_by_email(self) -> bool:
        """Whether staff may enrol this account by typing its email.

        A proved address, or an account nobody holds yet (no password: a roster placeholder
        that only its activation link opens).
        """
        return self.email_verified or self.password_hash is None

    # Flask-Login protocol. The id it stores is the session token, so rotating
    # the token on sign-out ends every session of this user, on every worker.
    @property
    def is_active(self) -> bool:
        return self.active and self.password_hash is not None

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return self.session_token

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"
