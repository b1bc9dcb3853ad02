"""Platform registrations: the LMSs that may launch this tool, added by the school's admin."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select

from moderation.extensions import db
from moderation.lti.messages import origin
from moderation.models import LtiDeployment, LtiPlatform
from moderation.services import audit
from moderation.services.errors import Conflict, InvalidInput, NotFound
from moderation.services.lti import keys as lti_keys


def _url(value: str, field: str) -> str:
    value = value.strip()
    if origin(value) is None or len(value) > 500:
        raise InvalidInput(f"{field} must be an http(s) URL (at most 500 characters).",
                           field=field)
    return value


def _text(value: str, field: str, limit: int = 255) -> str:
    value = value.strip()
    if not value or len(value) > limit or "\x00" in value:
        raise InvalidInput(f"{field} must be 1 to {limit} characters.", field=field)
    return value


def add_platform(*, issuer: str, client_id: str, deployment_ids: Sequence[str], auth_url: str,
                 token_url: str, jwks_url: str, name: str | None = None,
                 frame_origins: Sequence[str] = ()) -> LtiPlatform:
    """Register an LMS (issuer and client id) with its deployments and endpoints."""
    issuer, client_id = _text(issuer, "issuer"), _text(client_id, "client-id")
    if not deployment_ids:
        raise InvalidInput("Give at least one --deployment-id.", field="deployment-id")
    deployments = sorted({_text(d, "deployment-id") for d in deployment_ids})
    urls = {"auth-url": _url(auth_url, "auth-url"), "token-url": _url(token_url, "token-url"),
            "jwks-url": _url(jwks_url, "jwks-url")}
    if db.session.scalar(select(LtiPlatform.id).where(
            LtiPlatform.issuer == issuer, LtiPlatform.client_id == client_id)) is not None:
        raise Conflict(f"A platform with issuer {issuer} and client id {client_id} is "
                       "already registered.", field="client-id")
    origins = [_url(o, "frame-origin") for o in frame_origins]
    framers = {o for o in (origin(issuer), origin(urls["auth-url"]),
                           *(origin(o) for o in origins)) if o}
    platform = LtiPlatform(
        name=_text(name or issuer, "name", 120), issuer=issuer, client_id=client_id,
        auth_url=urls["auth-url"], token_url=urls["token-url"], jwks_url=urls["jwks-url"],
        frame_origins=sorted(framers),
        deployments=[LtiDeployment(deployment_id=d) for d in deployments])
    db.session.add(platform)
    db.session.flush()
    lti_keys.ensure_key()
    audit.record("lti.platform_added", actor=None, obj=platform,
                 after={"issuer": issuer, "client_id": client_id, "deployments": deployments})
    return platform


def platforms() -> list[LtiPlatform]:
    """Every registered platform, oldest first."""
    return list(db.session.scalars(select(LtiPlatform).order_by(LtiPlatform.id)))


def find(issuer: str, client_id: str | None = None) -> list[LtiPlatform]:
    """The registrations of an issuer (one client id, or all of them)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id is not None:
        query = query.where(LtiPlatform.client_id == client_id)
    return list(db.session.scalars(query.order_by(LtiPlatform.id)))


def remove_platform(platform_id: int) -> LtiPlatform:
    """Remove a registration: its launches stop; courses, accounts and grades stay."""
    platform = db.session.get(LtiPlatform, platform_id)
    if platform is None:
        raise NotFound(f"No platform with id {platform_id}.")
    audit.record("lti.platform_removed", actor=None, obj=platform,
                 before={"issuer": platform.issuer, "client_id": platform.client_id})
    db.session.delete(platform)
    db.session.flush()
    return platform


def frame_origins(platform_ids: Sequence[int] | None = None) -> list[str]:
    """The origins that may frame launch pages: every registered platform's, or these."""
    query = select(LtiPlatform.frame_origins)
    if platform_ids is not None:
        query = query.where(LtiPlatform.id.in_(list(platform_ids)))
    return sorted({o for origins in db.session.scalars(query) for o in origins or []})
