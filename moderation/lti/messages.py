"""The messages the tool sends an LMS, as plain dicts: deep linking responses, line items,
scores, client assertions, and the configuration an admin pastes into Canvas."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from moderation.lti.claims import CLAIM, VERSION

AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    # Implied by scope/lineitem in the spec; Moodle wants it named for a GET.
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
MEMBERSHIPS_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
DISCUSSION_PARAMETER = "moderation_discussion_id"


def origin(url: str) -> str | None:
    """The origin (scheme://host[:port]) of a URL, for CSP.

    >>> origin("https://canvas.instructure.com/api/lti/authorize"), origin("nonsense")
    ('https://canvas.instructure.com', None)
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or "@" in parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"


def iso(moment: datetime) -> str:
    """An ISO 8601 time with milliseconds, as AGS asks ("subsecond precision").

    >>> from datetime import UTC, datetime
    >>> iso(datetime(2026, 12, 1, 9, 30, 0, 123456, tzinfo=UTC))
    '2026-12-01T09:30:00.123+00:00'
    """
    return moment.isoformat(timespec="milliseconds")


def client_assertion(client_id: str, token_url: str, now: datetime) -> dict[str, Any]:
    """The claims of the JWT a tool signs to ask for an access token (client_credentials)."""
    return {"iss": client_id, "sub": client_id, "aud": token_url, "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
            "jti": secrets.token_urlsafe(16)}


def line_item(discussion_id: int, title: str, points: float,
              resource_link_id: str | None = None) -> dict[str, Any]:
    """A line item for a discussion: its points, its title, its id as the resourceId."""
    item: dict[str, Any] = {"scoreMaximum": points, "label": title,
                            "resourceId": str(discussion_id)}
    if resource_link_id:
        item["resourceLinkId"] = resource_link_id
    return item


def deep_linking_response(*, client_id: str, issuer: str, deployment_id: str, now: datetime,
                          launch_url: str, discussion_id: int, title: str, points: float,
                          data: Any = None) -> dict[str, Any]:
    """The claims of a signed LtiDeepLinkingResponse placing one discussion, with a line item.

    >>> from datetime import UTC, datetime
    >>> msg = deep_linking_response(client_id="c", issuer="https://lms", deployment_id="d",
    ...     now=datetime(2026, 1, 1, tzinfo=UTC), launch_url="https://t/lti/launch",
    ...     discussion_id=7, title="Week 1", points=10.0)
    >>> item = msg[CLAIM["content_items"]][0]
    >>> item["type"], item["custom"]
    ('ltiResourceLink', {'moderation_discussion_id': '7'})
    >>> item["lineItem"]
    {'scoreMaximum': 10.0, 'label': 'Week 1', 'resourceId': '7'}
    >>> msg["iss"], msg["aud"]
    ('c', 'https://lms')
    """
    message: dict[str, Any] = {
        "iss": client_id, "sub": client_id, "aud": issuer, "iat": int(now.timestamp()),
        "exp": int((now + timedelta(minutes=10)).timestamp()),
        "nonce": secrets.token_urlsafe(16),
        CLAIM["deployment_id"]: deployment_id,
        CLAIM["message_type"]: "LtiDeepLinkingResponse",
        CLAIM["version"]: VERSION,
        CLAIM["content_items"]: [{
            "type": "ltiResourceLink", "title": title, "url": launch_url,
            "lineItem": line_item(discussion_id, title, points),
            "custom": {DISCUSSION_PARAMETER: str(discussion_id)},
        }],
    }
    if data is not None:
        # The spec: the response carries back the request's data value unchanged.
        message[CLAIM["dl_data"]] = data
    return message


def score(user_id: str, given: float | None, maximum: float, comment: str | None,
          timestamp: datetime) -> dict[str, Any]:
    """An AGS score: a graded result, or (given None) the result taken back.

    A score without scoreGiven, Initialized and NotReady is AGS's way to clear the
    student's result (Canvas and Moodle then show no grade).

    >>> from datetime import UTC, datetime
    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> score("u1", 8.5, 10.0, "Good", at)["gradingProgress"]
    'FullyGraded'
    >>> sorted(score("u1", None, 10.0, None, at))
    ['activityProgress', 'gradingProgress', 'timestamp', 'userId']
    """
    body: dict[str, Any] = {"userId": user_id, "timestamp": iso(timestamp)}
    if given is None:
        body.update(activityProgress="Initialized", gradingProgress="NotReady")
        return body
    body.update(scoreGiven=given, scoreMaximum=maximum, activityProgress="Completed",
                gradingProgress="FullyGraded")
    if comment:
        body["comment"] = comment
    return body


def canvas_config(*, title: str, description: str, base_url: str, login_url: str,
                  launch_url: str, jwks_url: str, domain: str) -> dict[str, Any]:
    """The JSON an admin pastes into Canvas (Developer Keys → LTI Key → Paste JSON)."""
    placements = [
        {"placement": "link_selection", "message_type": "LtiDeepLinkingRequest",
         "target_link_uri": launch_url, "text": title},
        {"placement": "assignment_selection", "message_type": "LtiDeepLinkingRequest",
         "target_link_uri": launch_url, "text": title},
        {"placement": "course_navigation", "message_type": "LtiResourceLinkRequest",
         "target_link_uri": launch_url, "text": title, "default": "disabled"},
    ]
    return {
        "title": title, "description": description, "oidc_initiation_url": login_url,
        "target_link_uri": launch_url, "public_jwk_url": jwks_url,
        "scopes": [*AGS_SCOPES, NRPS_SCOPE],
        "extensions": [{
            "platform": "canvas.instructure.com", "domain": domain, "tool_id": "moderation",
            "privacy_level": "public",
            "settings": {"text": title, "placements": placements},
        }],
        "custom_fields": {},
        "base_url": base_url,
    }
