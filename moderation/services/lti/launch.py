"""LTI 1.3 launches as the 1EdTech security framework asks: OIDC login initiation, then the
id_token checked (RS256 only, kid from the platform's JWKS, iss, aud/azp, exp/iat, a one-time
nonce, a state bound to the browser that began the login, the deployment, the version, the
message type and the required claims). Every refusal says what failed and what to check.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import current_app
from sqlalchemy import select, update

from moderation.extensions import db
from moderation.lti import ClaimError, LaunchClaims, check_claims
from moderation.models import LtiDeployment, LtiLaunch, LtiPlatform, utcnow
from moderation.services.errors import ServiceError
from moderation.services.lti import platforms as lti_platforms

LAUNCH_LIFETIME = timedelta(minutes=10)
LEEWAY_SECONDS = 60  # clocks of the LMS and this server may differ this much
USER_AGENT = "moderation-lti/1.0"
LOGIN_PARAMS = ("iss", "login_hint", "target_link_uri", "lti_message_hint", "client_id",
                "lti_deployment_id", "lti_storage_target")


class LaunchRefused(ServiceError):
    """A login or launch this tool refuses; `hint` tells the LMS's admin what to check."""

    status = 403

    def __init__(self, message: str, hint: str, status: int | None = None) -> None:
        super().__init__(message)
        self.hint = hint
        if status is not None:
            self.status = status


class BrowserUnknown(LaunchRefused):
    """The launch came back without the state cookie: the browser refused it in the frame."""

    def __init__(self, launch: LtiLaunch) -> None:
        super().__init__(
            "Your browser did not send back the cookie this launch set, as browsers do "
            "inside another site's frame when they block its cookies.",
            "Open the tool in a new window, or allow this site's cookies in the LMS's frame.")
        self.launch = launch


def browser_hash(secret: str) -> str:
    """What a state is bound to: a digest of the secret in the browser's cookie."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class Login:
    """A login initiation accepted: where to send the browser, and the launch it began."""

    launch: LtiLaunch
    redirect_url: str


def begin_login(params: dict[str, str], browser_secret: str, launch_url: str) -> Login:
    """Check an OIDC login initiation and make the launch's state and nonce (flushed)."""
    iss, hint = params.get("iss", ""), params.get("login_hint", "")
    if not iss or not hint or not params.get("target_link_uri"):
        raise LaunchRefused("The LMS's login request lacks iss, login_hint or target_link_uri.",
                            "Check the tool's login initiation URL in the LMS.", status=400)
    client_id = params.get("client_id") or None
    found = lti_platforms.find(iss, client_id)
    if len(found) != 1:
        raise LaunchRefused(
            f"No platform is registered here for issuer {iss[:200]!r}"
            + (f" and client id {client_id[:100]!r}." if client_id else "."),
            "Register it with `moderation lti add-platform` (see `moderation lti "
            "list-platforms`)." if not found else
            "This issuer has several registrations: the LMS must send client_id.")
    platform = found[0]
    now = utcnow()
    launch = LtiLaunch(state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32),
                       browser_hash=browser_hash(browser_secret), platform_id=platform.id,
                       login_params={k: params[k][:2000] for k in LOGIN_PARAMS if params.get(k)},
                       created_at=now, expires_at=now + LAUNCH_LIFETIME)
    db.session.add(launch)
    db.session.flush()
    query = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
             "prompt": "none", "client_id": platform.client_id, "redirect_uri": launch_url,
             "login_hint": hint, "state": launch.state, "nonce": launch.nonce}
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_url else "?"
    return Login(launch, f"{platform.auth_url}{separator}{urlencode(query)}")


def pending_launch(state: str) -> LtiLaunch:
    """The unused, unexpired launch of a state, or a refusal saying to launch again."""
    launch = db.session.scalar(select(LtiLaunch).where(LtiLaunch.state == state[:64]))
    if launch is None or launch.used_at is not None or launch.expires_at <= utcnow():
        raise LaunchRefused(
            "This launch was already used or has expired (or did not start here).",
            "Launch the tool again from the LMS; a launch works once, within 10 minutes.")
    return launch


@lru_cache(maxsize=64)
def _jwk_client(url: str, timeout: float) -> jwt.PyJWKClient:
    """One client per key set URL, so its cache of the platform's keys lasts between launches.

    The set is cached for five minutes, and fetched again at once for a kid it does not
    hold (cooldown 0): a platform that rotated its key is verified at the next launch.
    Only a launch whose state checked out can cause that fetch.
    """
    return jwt.PyJWKClient(url, lifespan=300, timeout=timeout, cooldown_duration=0,
                           headers={"User-Agent": USER_AGENT})


def _signing_key(platform: LtiPlatform, kid: str) -> Any:
    timeout = float(current_app.config.get("LTI_HTTP_TIMEOUT", 10))
    try:
        return _jwk_client(platform.jwks_url, timeout).get_signing_key(kid).key
    except jwt.PyJWKClientConnectionError as error:
        raise LaunchRefused("The LMS's public keys could not be fetched.",
                            f"Check the JWKS URL registered for the platform "
                            f"({platform.jwks_url}) answers from this server.",
                            status=502) from error
    except jwt.PyJWKClientError as error:
        raise LaunchRefused(f"The launch is signed with a key (kid {kid[:64]!r}) that the LMS "
                            "does not publish.",
                            f"Check the JWKS URL registered for the platform "
                            f"({platform.jwks_url}).") from error


def _decode(id_token: str, launch: LtiLaunch) -> dict[str, Any]:
    """Verify the id_token's signature and registered claims against the launch's platform."""
    try:
        header = jwt.get_unverified_header(id_token)
        unverified = jwt.decode(id_token, options={"verify_signature": False})
    except jwt.PyJWTError as error:
        raise LaunchRefused("The launch's id_token is not a JWT.",
                            "The LMS must post an id_token (a signed JWT).", 400) from error
    if header.get("alg") != "RS256":
        raise LaunchRefused(f"The launch is signed with {str(header.get('alg'))[:20]!r}; only "
                            "RS256 is accepted.", "The LMS must sign launches with RS256.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise LaunchRefused("The launch's JWT header names no key (kid).",
                            "The LMS must name its signing key in the JWT header.")
    platform = launch.platform
    if unverified.get("iss") != platform.issuer:
        raise LaunchRefused("The launch comes from another issuer than its login.",
                            f"The registered issuer is {platform.issuer}.")
    key = _signing_key(platform, kid)
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token, key, algorithms=["RS256"], audience=platform.client_id,
            issuer=platform.issuer, leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "aud"]})
    except jwt.ExpiredSignatureError as error:
        raise LaunchRefused("The launch has expired (its exp is past).",
                            "Check the LMS's clock, then launch again.") from error
    except jwt.ImmatureSignatureError as error:
        raise LaunchRefused("The launch was issued in the future (its iat).",
                            "Check the LMS's clock and this server's.") from error
    except jwt.InvalidAudienceError as error:
        raise LaunchRefused("The launch is addressed to another client (aud).",
                            f"The registered client id is {platform.client_id}.") from error
    except jwt.InvalidSignatureError as error:
        raise LaunchRefused("The launch's signature does not verify.",
                            "The id_token was changed on its way, or signed with another "
                            "key than the one published.") from error
    except jwt.PyJWTError as error:
        raise LaunchRefused(f"The launch's JWT is not valid: {error}.",
                            "Check the platform's registration.") from error
    aud = claims["aud"]
    if (isinstance(aud, list) and len(aud) > 1 and "azp" not in claims) or \
            ("azp" in claims and claims["azp"] != platform.client_id):
        raise LaunchRefused("The launch's authorized party (azp) is not this tool.",
                            f"azp must be the client id {platform.client_id}.")
    return claims


def validate(id_token: str, state: str, browser_secret: str | None) -> tuple[
        LtiLaunch, dict[str, Any], LaunchClaims]:
    """Check a launch; mark its state and nonce used. Raises LaunchRefused, nothing changed."""
    if not id_token or not state:
        raise LaunchRefused("The launch lacks its id_token or state.",
                            "The LMS must post id_token and state to the redirect URI.", 400)
    launch = pending_launch(state)
    if browser_secret is None:
        raise BrowserUnknown(launch)
    if not hmac.compare_digest(browser_hash(browser_secret), launch.browser_hash):
        raise LaunchRefused("This launch was begun in another browser.",
                            "Launch the tool again from the LMS in this browser.")
    payload = _decode(id_token, launch)
    if not isinstance(payload.get("nonce"), str) or \
            not hmac.compare_digest(payload["nonce"], launch.nonce):
        raise LaunchRefused("The launch's nonce is not the one this login asked for.",
                            "A launch can be used once: launch again from the LMS.")
    try:
        claims = check_claims(payload)
    except ClaimError as error:
        raise LaunchRefused(error.message, error.hint) from error
    known = db.session.scalar(select(LtiDeployment.id).where(
        LtiDeployment.platform_id == launch.platform_id,
        LtiDeployment.deployment_id == claims.deployment_id))
    if known is None:
        raise LaunchRefused(f"The deployment {claims.deployment_id[:100]!r} is not registered.",
                            "Add it: `moderation lti add-platform … --deployment-id ID` (or "
                            "remove and add the platform with every deployment).")
    _use(launch, payload)
    return launch, payload, claims


def _use(launch: LtiLaunch, payload: dict[str, Any]) -> None:
    """Mark the launch used, once: of two requests with one state, only one passes."""
    now = utcnow()
    used = db.session.execute(
        update(LtiLaunch).where(LtiLaunch.id == launch.id, LtiLaunch.used_at.is_(None))
        .values(used_at=now, claims=payload).execution_options(synchronize_session=False))
    if getattr(used, "rowcount", 1) != 1:
        raise LaunchRefused("This launch was already used.",
                            "Launch the tool again from the LMS.")
    db.session.refresh(launch)


def forget_expired(now: datetime | None = None) -> int:
    """Delete unused launches past their time and used ones a day old; return how many."""
    now = now or utcnow()
    from sqlalchemy import delete, or_

    result = db.session.execute(delete(LtiLaunch).where(or_(
        (LtiLaunch.used_at.is_(None)) & (LtiLaunch.expires_at < now),
        LtiLaunch.used_at < now - timedelta(days=1))))
    return int(getattr(result, "rowcount", 0) or 0)
