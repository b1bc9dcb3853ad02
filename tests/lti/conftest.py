"""LTI fixtures: the test LMS on 127.0.0.1, the tool served beside it (for its JWKS), the LMS
registered through the real CLI, and a launch that goes through every step a browser takes."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from moderation.extensions import db
from tests.lti.platform import Platform


@pytest.fixture
def platform() -> Iterator[Platform]:
    lms = Platform().start()
    yield lms
    lms.stop()


@pytest.fixture
def tool_url(app: Flask) -> Iterator[str]:
    """The tool served on 127.0.0.1, so the LMS can fetch its keys as an LMS does."""
    http = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{http.server_port}"
    http.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def lms(app: Flask, platform: Platform, tool_url: str) -> Platform:
    """The LMS, registered with the tool by `moderation lti add-platform`."""
    platform.tool = tool_url
    result = app.test_cli_runner().invoke(args=platform.registration_args())
    assert result.exit_code == 0, result.output
    platform.add_person("teacher", "Ina Structor", "instructor")
    platform.add_person("ta", "Tess Assistant", "ta")
    platform.add_person("s1", "Ada Lovelace", "learner", email="ada@school.test")
    platform.add_person("s2", "Bo Brown", "learner")
    return platform


@dataclass
class Begun:
    """A login begun at the tool: its state and nonce, and where the LMS should answer."""

    state: str
    nonce: str
    auth_url: str


def begin(client: FlaskClient, lms: Platform, uid: str, link: str | None = None,
          deep: bool = False) -> Begun:
    """The LMS sends the browser to /lti/login; the tool sends it to the LMS's auth URL."""
    start = requests.get(lms.start_url(uid, link, deep), allow_redirects=False, timeout=10)
    assert start.status_code == 302, start.text
    login = urlsplit(start.headers["Location"])
    response = client.get(f"{login.path}?{login.query}")
    assert response.status_code == 302, response.text
    location = response.headers["Location"]
    query = parse_qs(urlsplit(location).query)
    return Begun(query["state"][0], query["nonce"][0], location)


def answer(begun: Begun) -> dict[str, str]:
    """The LMS's auth endpoint answers with the signed launch (id_token and state)."""
    page = requests.get(begun.auth_url, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="(id_token|state)" value="([^"]*)"', page.text))
    return {k: unescape(v) for k, v in fields.items()}


def launch(client: FlaskClient, lms: Platform, uid: str, link: str | None = None,
           deep: bool = False) -> Any:
    """A whole launch: login initiation, the LMS's answer, the id_token posted to the tool."""
    begun = begin(client, lms, uid, link, deep)
    return client.post("/lti/launch", data=answer(begun))


def signed_in(client: FlaskClient) -> bool:
    """Whether the client's session is signed in (the home page does not send it away)."""
    return client.get("/").status_code == 200


def rows(app: Flask, model: Any) -> list[Any]:
    with app.app_context():
        return list(db.session.scalars(db.select(model)))
