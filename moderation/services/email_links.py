"""Links mailed to an address: sign-up, password reset and confirmation all prove the holder.

A link goes only to the address it names, so opening it proves that the person reads mail
there. What opening one may do:
- someone signed in as the account with that address confirms it (their password stays);
- anyone else chooses a password: a new account is made for the address, or the account
  that holds it is taken over (every session of its previous holder ends). An address
  nobody proved belongs to whoever proves it first.
A link works once: it carries a digest of the account's state (its password and whether
the address is proved) when it was made, and using it changes that state.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from moderation.extensions import db
from moderation.models import Course, Membership, User
from moderation.services import accounts, audit, mail
from moderation.services.courses import course_for_join_code, enrol, membership_of
from moderation.services.errors import InvalidInput, NotFound
from moderation.services.text import clean_name


@dataclass(frozen=True)
class EmailLink:
    """What an opened link proves, and what it was sent for."""

    email: str
    holder: User | None  # the account with this address now, if any
    course: Course | None  # a course to join once the address is proved (sign-up)
    name: str | None  # the name typed at sign-up


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="email-link")


def _state(user: User | None) -> str | None:
    """What using a link changes: the account's password and whether its address is proved."""
    if user is None:
        return None
    raw = f"{user.password_hash or ''}|{user.email_verified_at or ''}"
    return hashlib.sha256(raw.encode()).hexdigest()[:20]


def make_token(email: str, *, course: Course | None = None, name: str | None = None) -> str:
    """A link's token for this address, valid until used or EMAIL_LINK_MAX_AGE_HOURS."""
    email = accounts.normalise_email(email)
    holder = accounts.find_user(email)
    return _serializer().dumps({"e": email, "s": _state(holder),
                                "c": course.id if course else None, "n": name})


def read(token: str) -> EmailLink:
    """Open a link's token, or refuse: not valid, expired, or already used."""
    max_age = int(current_app.config["EMAIL_LINK_MAX_AGE_HOURS"]) * 3600
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise InvalidInput("This link has expired. Ask for a new one: sign up again, or "
                           "use “Forgot your password?” on the sign-in page.") from exc
    except BadSignature as exc:
        raise NotFound("This link is not valid. Copy the whole link from the email.") from exc
    email = str(data.get("e") or "")
    holder = accounts.find_user(email)
    if not email or data.get("s") != _state(holder):
        raise InvalidInput("This link has already been used. "
                           "Sign in, or ask for a new link.")
    course_id = data.get("c")
    course = db.session.get(Course, course_id) if isinstance(course_id, int) else None
    name = data.get("n") if isinstance(data.get("n"), str) else None
    return EmailLink(email, holder, course, name)


def sign_up(display_name: str, email: str, join_code: str) -> Course:
    """Mail the address a link that finishes joining the course; the same for every address.

    Nothing is stored: the account is made (or the address's unproved holder is replaced)
    when the link is opened. A known address gets a message saying so, with the same link,
    so the page tells the person who typed the address nothing about it.
    """
    course = course_for_join_code(join_code)
    name = clean_name(display_name, "display_name", "your name")
    email = accounts.normalise_email(email)
    link = _link(make_token(email, course=course, name=name))
    title = mail.one_line(course.title)
    holder = accounts.find_user(email)
    if holder is not None and holder.email_verified:
        body = [f"Hello {holder.display_name},", "",
                f"Someone asked to join \"{title}\" with this address, which already has an "
                "account. If it was you, sign in and enter the join code on your home page, "
                "or use this link to choose a new password and join at once:", "", link,
                "", "If it was not you, ignore this message: nothing has changed."]
    else:
        body = [f"Hello {name},", "",
                f"To finish joining \"{title}\", open this link and choose your password:",
                "", link, "",
                "If you did not ask to join, ignore this message: nothing has changed."]
    mail.queue(email, f"Finish joining {title}", "\n".join(body + _expiry()))
    return course


def send_password_link(email: str) -> None:
    """Mail a link that sets a new password, if the address has an account; else nothing."""
    holder = accounts.find_user(email)
    if holder is None:
        return
    link = _link(make_token(holder.email))
    body = [f"Hello {holder.display_name},", "",
            "Someone asked to set a new password for this account. If it was you, open "
            "this link and choose one:", "", link, "",
            "If it was not you, ignore this message: your password has not changed."]
    mail.queue(holder.email, "Set a new password", "\n".join(body + _expiry()))


def send_confirmation(user: User) -> None:
    """Mail the signed-in user a link that proves their address."""
    link = _link(make_token(user.email))
    body = [f"Hello {user.display_name},", "",
            "Open this link to confirm that this is your address. Until you do, your "
            "instructors cannot add you to a course or a staff role by your email:", "",
            link, "", "If you did not ask for this, ignore this message."]
    mail.queue(user.email, "Confirm your email address", "\n".join(body + _expiry()))


def _link(token: str) -> str:
    link = mail.link("email_link", token=token)
    if link is None:  # callers check mail.enabled(), which needs the site's name
        raise RuntimeError("set SERVER_NAME: links in mail are built from it")
    return link


def _expiry() -> list[str]:
    hours = int(current_app.config["EMAIL_LINK_MAX_AGE_HOURS"])
    return ["", f"The link works once, for {hours} hours."]


def confirm(link: EmailLink, user: User) -> Membership | None:
    """The signed-in holder proves their address; join the link's course, if any."""
    if link.holder is None or link.holder.id != user.id:
        raise InvalidInput(f"This link is for {link.email}. Sign out, then open it again.")
    accounts.mark_verified(user)
    db.session.flush()
    return _join(user, link.course)


def complete(link: EmailLink, display_name: str | None, password: str) -> tuple[User,
                                                                               Membership | None]:
    """Whoever opened the link sets the password of the address's account (made if needed)."""
    user = accounts.claim_address(link.email, display_name or link.name, password)
    db.session.flush()
    return user, _join(user, link.course)


def _join(user: User, course: Course | None) -> Membership | None:
    if course is None:
        return None
    existing = membership_of(user, course)
    if existing is not None:
        return existing
    membership = enrol(user, course)
    audit.record("course.joined", actor=user, course_id=course.id, obj=membership)
    return membership
