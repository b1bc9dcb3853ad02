"""What an LTI 1.3 launch must carry, read from its (already verified) claims, and its roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
CLAIM = {
    "message_type": LTI + "message_type",
    "version": LTI + "version",
    "deployment_id": LTI + "deployment_id",
    "target_link_uri": LTI + "target_link_uri",
    "roles": LTI + "roles",
    "resource_link": LTI + "resource_link",
    "context": LTI + "context",
    "custom": LTI + "custom",
    "launch_presentation": LTI + "launch_presentation",
    "tool_platform": LTI + "tool_platform",
    "deep_linking_settings": "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings",
    "content_items": "https://purl.imsglobal.org/spec/lti-dl/claim/content_items",
    "dl_data": "https://purl.imsglobal.org/spec/lti-dl/claim/data",
    "ags": "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint",
    "nrps": "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice",
}
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"
MESSAGE_TYPES = (RESOURCE_LINK_REQUEST, DEEP_LINKING_REQUEST)
VERSION = "1.3.0"
MAX_TEXT = 255  # ids and titles are stored in columns of this length


class ClaimError(ValueError):
    """A launch that lacks a claim or carries a wrong one; `hint` says what the admin checks."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class RoleChoice(enum.StrEnum):
    """What an LMS role set becomes here."""

    INSTRUCTOR = "instructor"
    TA = "ta"
    STUDENT = "student"
    READ_ONLY = "read_only"  # Mentor: refused with a page saying why
    NONE = "none"  # no role this tool knows (a guest): refused


def _role_name(uri: str) -> tuple[str, str]:
    """(vocabulary, name) of a role URI; a bare name is a context role.

    >>> _role_name("http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor")
    ('membership', 'Instructor')
    >>> _role_name("http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant")
    ('membership', 'TeachingAssistant')
    >>> _role_name("http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator")
    ('institution', 'Administrator')
    >>> _role_name("Learner")
    ('membership', 'Learner')
    """
    if "#" not in uri:
        return "membership", uri.strip()
    base, name = uri.rsplit("#", 1)
    kind = "membership" if "/membership" in base else (
        "institution" if "/institution/" in base else "system")
    return kind, name


def map_roles(roles: list[str]) -> RoleChoice:
    """The role here of someone with these LMS roles (the highest wins).

    >>> M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
    >>> map_roles([M + "Learner"]), map_roles([M + "Instructor", M + "Learner"])
    (<RoleChoice.STUDENT: 'student'>, <RoleChoice.INSTRUCTOR: 'instructor'>)
    >>> map_roles(["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"])
    <RoleChoice.TA: 'ta'>
    >>> map_roles([M + "ContentDeveloper"]), map_roles([M + "Mentor"]), map_roles([])
    (<RoleChoice.TA: 'ta'>, <RoleChoice.READ_ONLY: 'read_only'>, <RoleChoice.NONE: 'none'>)
    >>> map_roles(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"])
    <RoleChoice.INSTRUCTOR: 'instructor'>
    >>> map_roles(["http://purl.imsglobal.org/vocab/lis/v2/institution/person#Student"])
    <RoleChoice.NONE: 'none'>
    """
    names = {_role_name(role) for role in roles if isinstance(role, str)}
    context = {name for kind, name in names if kind == "membership"}
    if "TeachingAssistant" in context:
        # A sub-role of Instructor: LMSs send it alone or beside Instructor for a TA.
        return RoleChoice.TA
    if {"Instructor", "Administrator"} & context or ("institution", "Administrator") in names \
            or ("system", "Administrator") in names:
        return RoleChoice.INSTRUCTOR
    if "ContentDeveloper" in context:
        return RoleChoice.TA
    if "Learner" in context:
        return RoleChoice.STUDENT
    if "Mentor" in context:
        return RoleChoice.READ_ONLY
    return RoleChoice.NONE


@dataclass(frozen=True)
class LaunchClaims:
    """The parts of a verified launch this tool uses."""

    message_type: str
    deployment_id: str
    sub: str
    roles: list[str]
    role: RoleChoice
    context_id: str | None
    context_title: str | None
    resource_link_id: str | None
    resource_link_title: str | None
    name: str | None
    email: str | None
    custom: dict[str, Any] = field(default_factory=dict)
    lineitem_url: str | None = None
    lineitems_url: str | None = None
    ags_scopes: list[str] = field(default_factory=list)
    memberships_url: str | None = None
    deep_link_return_url: str | None = None
    deep_link_data: Any = None

    @property
    def deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST


def _text(value: Any, claim: str, *, required: bool) -> str | None:
    """A claim that must be a non-empty string (of a storable length), or absent."""
    if value is None or value == "":
        if required:
            raise ClaimError(f"The launch has no {claim}.",
                             f"The LMS must send the {claim} claim in every launch.")
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT or "\x00" in value:
        raise ClaimError(f"The launch's {claim} is not a valid value.",
                         f"The {claim} claim must be a string of at most {MAX_TEXT} characters.")
    return value


def _title(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    value = " ".join(value.replace("\x00", "").split())
    return value[:MAX_TEXT] or None


def _object(payload: dict[str, Any], key: str) -> dict[str, Any]:
    value = payload.get(CLAIM[key])
    return value if isinstance(value, dict) else {}


def check_claims(payload: dict[str, Any]) -> LaunchClaims:
    """Check the LTI claims of a verified id_token; raise ClaimError naming the first missing.

    >>> base = {CLAIM["version"]: "1.3.0", CLAIM["message_type"]: "LtiResourceLinkRequest",
    ...         CLAIM["deployment_id"]: "d1", "sub": "u1", CLAIM["target_link_uri"]: "x",
    ...         CLAIM["roles"]: [], CLAIM["resource_link"]: {"id": "r1"}}
    >>> check_claims(base).resource_link_id
    'r1'
    >>> check_claims({**base, CLAIM["version"]: "1.1"})
    Traceback (most recent call last):
    ...
    moderation.lti.claims.ClaimError: The launch says LTI version '1.1'; this tool speaks 1.3.0.
    """
    version = payload.get(CLAIM["version"])
    if version is None:
        raise ClaimError("The launch has no LTI version.",
                         "The LMS must send the version claim (1.3.0).")
    if version != VERSION:
        raise ClaimError(f"The launch says LTI version {version!r}; this tool speaks {VERSION}.",
                         "Register the tool as an LTI 1.3 tool in the LMS.")
    message_type = payload.get(CLAIM["message_type"])
    if message_type is None:
        raise ClaimError("The launch has no message type.",
                         "The LMS must send the message_type claim.")
    if message_type not in MESSAGE_TYPES:
        raise ClaimError(f"This tool does not accept {str(message_type)[:60]!r} launches.",
                         "Place the tool as a resource link or a deep linking (content) item.")
    deployment_id = _text(payload.get(CLAIM["deployment_id"]), "deployment_id", required=True)
    sub = _text(payload.get("sub"), "sub (the user)", required=True)
    roles = payload.get(CLAIM["roles"])
    if roles is None:
        raise ClaimError("The launch has no roles.", "The LMS must send the roles claim.")
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ClaimError("The launch's roles are not a list of roles.",
                         "The roles claim must be a list of role URIs.")
    _text(payload.get(CLAIM["target_link_uri"]), "target_link_uri", required=True)
    context = _object(payload, "context")
    link = _object(payload, "resource_link")
    link_id = None
    if message_type == RESOURCE_LINK_REQUEST:
        if not link:
            raise ClaimError("The launch has no resource link.",
                             "A resource link launch must send the resource_link claim.")
        link_id = _text(link.get("id"), "resource link id", required=True)
    settings = _object(payload, "deep_linking_settings")
    return_url = None
    if message_type == DEEP_LINKING_REQUEST:
        return_url = settings.get("deep_link_return_url")
        if not isinstance(return_url, str) or not return_url.startswith(("https://", "http://")):
            raise ClaimError("The deep linking request has no return URL.",
                             "The LMS must send deep_linking_settings.deep_link_return_url.")
    ags = _object(payload, "ags")
    nrps = _object(payload, "nrps")
    custom = _object(payload, "custom")
    name = payload.get("name") or " ".join(
        str(payload.get(k) or "") for k in ("given_name", "family_name")).strip()
    email = payload.get("email")
    return LaunchClaims(
        message_type=message_type, deployment_id=deployment_id or "", sub=sub or "",
        roles=roles, role=map_roles(roles),
        context_id=_text(context.get("id"), "context id", required=False),
        context_title=_title(context.get("title") or context.get("label")),
        resource_link_id=link_id, resource_link_title=_title(link.get("title")),
        name=_title(name), email=email if isinstance(email, str) and len(email) <= 254 else None,
        custom={k: v for k, v in custom.items() if isinstance(v, str)},
        lineitem_url=_url(ags.get("lineitem")), lineitems_url=_url(ags.get("lineitems")),
        ags_scopes=[s for s in ags.get("scope", []) if isinstance(s, str)]
        if isinstance(ags.get("scope"), list) else [],
        memberships_url=_url(nrps.get("context_memberships_url")),
        deep_link_return_url=return_url, deep_link_data=settings.get("data"))


def _url(value: Any) -> str | None:
    """An http(s) URL of a storable length, else None.

    >>> _url("https://lms.example/items/1"), _url("javascript:alert(1)"), _url(3)
    ('https://lms.example/items/1', None, None)
    """
    if isinstance(value, str) and value.startswith(("https://", "http://")) \
            and len(value) <= 500:
        return value
    return None
