"""How fast people may try: sign-in failures, sign-ups, joining by code, links mailed.

Flask-Limiter counts, in Redis when several workers share it. Sign-in counts failures
only (its `deduct_when`), so a class signing in together in one room is never refused for
succeeding. Failures count per account, per client address (the real one, behind the
proxies that `PROXY_COUNT` names) and per device. A device that signed in to an account
before carries a signed cookie saying so (OWASP's "device cookies"); from such a device
only its own failures count, so someone else's guessing, at the account or from the same
address, never refuses the holder's correct password there.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from flask import current_app, request, url_for
from flask.typing import ResponseReturnValue
from flask_limiter.util import get_remote_address
from flask_login import current_user
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

from moderation.extensions import limiter
from moderation.services.accounts import normalise_email

DEVICE_COOKIE = "moderation_device"
DEVICE_MAX_AGE = 365 * 86400

View = Callable[..., ResponseReturnValue]


def _setting(name: str) -> Callable[[], str]:
    return lambda: str(current_app.config[name])


def _digest(value: str) -> str:
    """A keyed digest: limit keys (which Flask-Limiter logs) never carry an address."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()[:32]


def _typed_email() -> str:
    return normalise_email(request.form.get("email", ""))[:254]


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="device")


def _device() -> dict[str, Any] | None:
    """The signed device cookie, if this browser carries a valid one."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _device_serializer().loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) else None


def _trusted_device() -> bool:
    """Whether this browser signed in before to the account whose address was typed."""
    device, email = _device(), _typed_email()
    return bool(device and email and hmac.compare_digest(
        str(device.get("e", "")), _digest(email)))


def _account_key() -> str:
    email = _typed_email()
    return f"account:{_digest(email)}" if email else ""  # "": no address, no such limit


def _device_key() -> str:
    device = _device()
    return f"device:{device.get('d')}" if device else ""


def _signed_in_user_key() -> str:
    # The id, never the session token: Flask-Limiter logs the keys it refuses.
    return f"user:{current_user.id}" if current_user.is_authenticated else ""


def _email_key() -> str:
    email = _typed_email() or (current_user.email if current_user.is_authenticated else "")
    return f"email:{_digest(email)}" if email else ""


def _failed(response: Response) -> bool:
    return response.status_code == 401


def _apply(*limits: Callable[[View], View]) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        for limit in reversed(limits):
            view = limit(view)
        return view

    return decorate


sign_in_limits = _apply(
    limiter.limit(_setting("LOGIN_ACCOUNT_FAILURE_LIMIT"), key_func=_account_key,
                  methods=["POST"], deduct_when=_failed, exempt_when=_trusted_device,
                  scope="login-account"),
    limiter.limit(_setting("LOGIN_CLIENT_FAILURE_LIMIT"), key_func=get_remote_address,
                  methods=["POST"], deduct_when=_failed, exempt_when=_trusted_device,
                  scope="login-client"),
    limiter.limit(_setting("LOGIN_DEVICE_FAILURE_LIMIT"), key_func=_device_key,
                  methods=["POST"], deduct_when=_failed,
                  exempt_when=lambda: not _trusted_device(), scope="login-device"),
)
sign_up_limits = _apply(
    limiter.limit(_setting("SIGNUP_RATE_LIMIT"), key_func=get_remote_address,
                  methods=["POST"], scope="signup-client"),
    limiter.limit(_setting("EMAIL_LINK_RATE_LIMIT"), key_func=_email_key, methods=["POST"],
                  scope="email-link"),
)
email_link_limits = _apply(
    limiter.limit(_setting("SIGNUP_RATE_LIMIT"), key_func=get_remote_address,
                  methods=["POST"], scope="signup-client"),
    limiter.limit(_setting("EMAIL_LINK_RATE_LIMIT"), key_func=_email_key, methods=["POST"],
                  scope="email-link"),
)
# Guessing join codes while signed in: sign-up's limit, per user.
join_limits = limiter.limit(_setting("SIGNUP_RATE_LIMIT"), key_func=_signed_in_user_key,
                            methods=["POST"], scope="join")


def remember_device(response: Response, email: str) -> None:
    """Mark this browser as one that signed in to the account (sent to the sign-in page only)."""
    value = _device_serializer().dumps({"e": _digest(normalise_email(email)),
                                        "d": secrets.token_urlsafe(16)})
    response.set_cookie(DEVICE_COOKIE, value, max_age=DEVICE_MAX_AGE,
                        path=url_for("auth.login"), secure=request.is_secure, httponly=True,
                        samesite="Lax")


def retry_in() -> int:
    """Seconds until the limit that refused this request lets it through."""
    current = limiter.current_limit
    if current is None:
        return 60
    return max(1, math.ceil(current.reset_at - time.time()))


def retry_after_on_refusal(response: Response) -> Response:
    """Say on a refusal (429) when to try again; other answers read no limit's window."""
    current = limiter.current_limit
    if response.status_code == 429 and current is not None \
            and "Retry-After" not in response.headers:
        # As Flask-Limiter wrote it: whole seconds until the window resets (reset_at is
        # the window's end plus one second), at least one.
        response.headers["Retry-After"] = str(max(1, int(current.reset_at - time.time())))
    return response


def refusal_message() -> str:
    """What a refused person reads: what was refused and when to try again."""
    seconds = retry_in()
    wait = f"{seconds} seconds" if seconds < 120 else f"{math.ceil(seconds / 60)} minutes"
    if request.endpoint == "auth.login":
        return f"Too many failed sign-ins. Try again in {wait}."
    return f"Too many attempts. Try again in {wait}."
