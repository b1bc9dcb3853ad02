"""Calls to an LMS's services: an access token by client_credentials with a signed assertion,
then JSON requests; each failure classified as worth retrying (a timeout, a 5xx, a 429) or not
(any other 4xx: the LMS refused, and says why)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from flask import current_app

from moderation.lti.messages import client_assertion
from moderation.models import LtiPlatform, utcnow
from moderation.services.lti import keys as lti_keys
from moderation.services.lti.launch import USER_AGENT

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class ServiceFailure(Exception):
    """An LMS call that failed; `retry` says whether trying again later may help."""

    def __init__(self, reason: str, *, retry: bool, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason[:500]
        self.retry = retry
        self.status = status


def _timeout() -> tuple[float, float]:
    seconds = float(current_app.config.get("LTI_HTTP_TIMEOUT", 10))
    return (min(seconds, 5.0), seconds)


def _failure(response: requests.Response, what: str) -> ServiceFailure:
    text = " ".join(response.text.split())[:200]
    retry = response.status_code >= 500 or response.status_code == 429
    return ServiceFailure(f"{what}: the LMS answered {response.status_code}"
                          + (f" ({text})" if text else ""), retry=retry,
                          status=response.status_code)


@dataclass
class Client:
    """One sender's calls to LMSs: a token per platform and scope set, kept for the run."""

    session: requests.Session = field(default_factory=requests.Session)
    tokens: dict[tuple[int, tuple[str, ...]], str] = field(default_factory=dict)

    def token(self, platform: LtiPlatform, scopes: list[str], *, fresh: bool = False) -> str:
        """An access token for these scopes (the tool signs an assertion with its key)."""
        key = (platform.id, tuple(sorted(scopes)))
        if key in self.tokens and not fresh:
            return self.tokens[key]
        assertion = lti_keys.sign(client_assertion(platform.client_id, platform.token_url,
                                                   utcnow()))
        data = {"grant_type": "client_credentials", "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion, "scope": " ".join(scopes)}
        try:
            response = self.session.post(platform.token_url, data=data, timeout=_timeout(),
                                         headers={"User-Agent": USER_AGENT,
                                                  "Accept": "application/json"})
        except requests.RequestException as error:
            raise ServiceFailure(f"token: {type(error).__name__}", retry=True) from error
        if response.status_code != 200:
            raise _failure(response, "token")
        try:
            token = response.json()["access_token"]
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceFailure("token: the LMS's answer has no access_token",
                                 retry=False) from error
        self.tokens[key] = str(token)
        return self.tokens[key]

    def call(self, platform: LtiPlatform, scopes: list[str], method: str, url: str, *,
             json: Any = None, content_type: str | None = None,
             accept: str | None = None, what: str = "request") -> requests.Response:
        """One authorised call; a 401 gets one fresh token and one more try."""
        for attempt in (0, 1):
            headers = {"Authorization": f"Bearer {self.token(platform, scopes, fresh=attempt > 0)}",
                       "User-Agent": USER_AGENT}
            if content_type:
                headers["Content-Type"] = content_type
            if accept:
                headers["Accept"] = accept
            try:
                response = self.session.request(
                    method, url, headers=headers, timeout=_timeout(),
                    data=None if json is None else _dumps(json))
            except requests.RequestException as error:
                raise ServiceFailure(f"{what}: {type(error).__name__}", retry=True) from error
            if response.status_code == 401 and attempt == 0:
                continue
            if response.status_code >= 400:
                raise _failure(response, what)
            return response
        raise AssertionError("unreachable")


def _dumps(value: Any) -> str:
    import json

    return json.dumps(value)
