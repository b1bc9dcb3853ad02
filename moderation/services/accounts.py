"""Accounts: sign-up, sign-in, passwords, activation links, sign-out everywhere."""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from werkzeug.security import check_password_hash, generate_password_hash

from moderation.extensions import db
from moderation.lms.roster import sortable_name_of
from moderation.models import Membership, Role, User, utcnow
from moderation.models.accounts import new_session_token
from moderation.services import audit
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.text import clean_name

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128

# Checked when the email is unknown, so a wrong email costs as long as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def normalise_email(email: str) -> str:
    """Trim and lower-case an email address so uniqueness is case-insensitive.

    >>> normalise_email("  Ada.Lovelace@Example.EDU ")
    'ada.lovelace@example.edu'
    """
    return email.strip().lower()


def hash_password(password: str) -> str:
    """Hash a password with the configured strong method."""
    check_password_rules(password)
    return generate_password_hash(password, method=current_app.config["PASSWORD_METHOD"])


def check_password_rules(password: str) -> None:
    """Refuse passwords that are too short or too long; no composition rules (ASVS 6.2.1)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Use at least {MIN_PASSWORD_LENGTH} characters.", field="password"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            f"Use at most {MAX_PASSWORD_LENGTH} characters.", field="password"
        )


def find_user(email: str) -> User | None:
    """Return the user with this email, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(
    email: str,
    display_name: str,
    password: str | None,
    *,
    sortable_name: str | None = None,
    can_create_courses: bool = False,
    verified: bool = False,
) -> User:
    """Create a user; with no password the account waits for activation.

    `verified`: the address is known to be the holder's (the administrator vouches, or the
    holder just opened a link mailed to it).
    """
    email = normalise_email(email)
    display_name = clean_name(display_name, "display_name", "your name")
    if find_user(email) is not None:
        raise Conflict("An account with this email already exists.", field="email")
    user = User(
        email=email,
        display_name=display_name,
        sortable_name=(sortable_name or sortable_name_of(display_name)).strip(),
        password_hash=hash_password(password) if password is not None else None,
        can_create_courses=can_create_courses,
        email_verified_at=utcnow() if verified else None,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """Return the active user whose email and password match, else None."""
    user = find_user(email)
    if user is None or user.password_hash is None:
        method = current_app.config["PASSWORD_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.is_active:
        return None
    return user


def set_password(user: User, password: str, *, actor: User | None = None) -> None:
    """Set a new password and end every existing session of the user."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    audit.record("user.password_set", actor=actor, obj=user)
    db.session.flush()


def reset_password(email: str) -> tuple[User, str]:
    """Give the user a new generated password; return it (shown once, never stored)."""
    user = find_user(email)
    if user is None:
        raise NotFound(f"No account with email {normalise_email(email)}.")
    password = generate_password()
    set_password(user, password)
    return user, password


def mark_verified(user: User) -> bool:
    """Record that the holder proved the address; return whether it was news."""
    if user.email_verified_at is not None:
        return False
    user.email_verified_at = utcnow()
    audit.record("user.email_verified", actor=user, obj=user, after={"email": user.email})
    return True


def claim_address(email: str, display_name: str | None, password: str) -> User:
    """Give whoever proved `email` an account with this password: a new one, or the holder's.

    The holder of an address nobody proved loses it to the person who proves it: the
    password and name are replaced and every session of the previous holder ends.
    """
    user = find_user(email)
    if user is None:
        name = clean_name(display_name or "", "display_name", "your name")
        user = create_user(email, name, password, verified=True)
        audit.record("user.created", actor=user, obj=user, after={"email": user.email})
        return user
    before = {"name": user.display_name, "verified": user.email_verified,
              "activated": user.password_hash is not None}
    if display_name is not None and display_name.strip() != user.display_name:
        user.display_name = clean_name(display_name, "display_name", "your name")
        user.sortable_name = sortable_name_of(user.display_name)
    check_password_rules(password)
    set_password(user, password, actor=user)  # rotates the session token: others sign out
    user.email_verified_at = user.email_verified_at or utcnow()
    action = "user.password_reset_by_link" if before["verified"] else "user.address_claimed"
    audit.record(action, actor=user, obj=user, before=before,
                 after={"name": user.display_name, "verified": True})
    return user


def generate_password() -> str:
    """Return a random password that is easy to type."""
    return secrets.token_urlsafe(12)


def sign_out_everywhere(user: User) -> None:
    """Rotate the session token, so every session of this user ends."""
    user.session_token = new_session_token()
    db.session.flush()


# Read on every signed-in request, so built once: building a statement cost more than
# running it (issue #19).
_BY_SESSION = select(User).where(User.session_token == bindparam("token"))


def user_for_session(token: str) -> User | None:
    """Return the active user whose current session token this is."""
    user = db.session.scalar(_BY_SESSION, {"token": token})
    return user if user is not None and user.is_active else None


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="activate-account")


def taught_by(user: User) -> set[int]:
    """The ids of the courses the user teaches as an instructor."""
    return set(db.session.scalars(select(Membership.course_id).where(
        Membership.user_id == user.id, Membership.role == Role.INSTRUCTOR)))


def may_hand_over(user: User, teaching: set[int]) -> bool:
    """Whether someone teaching these courses may activate (or rename) this account.

    Only an account that nobody has activated, and that belongs to no course outside
    `teaching`: handing it over can then change no other course's view of that person.
    """
    if user.password_hash is not None:
        return False
    courses = set(db.session.scalars(
        select(Membership.course_id).where(Membership.user_id == user.id)))
    return bool(courses) and courses <= teaching


ADMINISTRATOR = 0  # the issuer of links made on the server's command line


def activation_token(user: User, issuer: User | None) -> str:
    """Return a one-time activation token that `issuer` (None: the administrator) may hand out."""
    # Bound to the session token, which activation rotates: the link works once. Bound to
    # the issuer: it stops working if the account joins a course the issuer does not teach.
    by = issuer.id if issuer is not None else ADMINISTRATOR
    return _serializer().dumps({"u": user.id, "s": user.session_token, "by": by})


def activate(token: str, password: str) -> User:
    """Set the password of a roster account from its one-time link."""
    user, by = read_activation(token)
    set_password(user, password, actor=user)
    # Staff handed the link to this person: opening it proves the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    audit.record("user.activated", actor=user, obj=user, after={"issued_by": by})
    return user


def read_activation(token: str) -> tuple[User, int | str]:
    """The account a one-time activation link sets up, and who issued it; or refuse the
    link (not valid, expired, used, or no longer one staff may hand over), writing nothing."""
    max_age = current_app.config["ACTIVATION_MAX_AGE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput(
            "This activation link has expired; ask your instructor for a new one.") from exc
    except BadSignature as exc:
        raise NotFound("This activation link is not valid.") from exc
    user = db.session.get(User, data.get("u"))
    if user is None or user.session_token != data.get("s") or user.password_hash is not None:
        raise InvalidInput("This activation link has already been used.")
    by = data.get("by")
    if by != ADMINISTRATOR:
        issuer = db.session.get(User, by) if isinstance(by, int) else None
        if issuer is None or not may_hand_over(user, taught_by(issuer)):
            raise InvalidInput("This activation link can no longer be used: your account is "
                               "in more than one course. Ask your school's administrator "
                               "for a link.")
    return user, by
