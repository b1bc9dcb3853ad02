"""/healthz (readiness, each dependency's state) and /livez (the process): no session, no limit."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_app

CLOSED_PORT = "redis://127.0.0.1:1/0"  # nothing listens on port 1: refused at once


def test_healthz_reports_each_dependency_and_answers_200_while_all_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["database"]["state"] == "up"
    assert response.json["redis"] == {"state": "unused"}  # memory:// in tests
    assert "Set-Cookie" not in response.headers  # no session started or refreshed
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]
    assert client.head("/healthz").status_code == 200
    assert client.get("/livez").text == "ok\n"


@pytest.mark.parametrize("url", [
    "sqlite:///{tmp}/no-such-folder/moderation.sqlite",
    # Nothing listens on port 1: the connection is refused at once.
    "postgresql+psycopg://moderation@127.0.0.1:1/moderation",
], ids=["sqlite-unreachable-file", "postgresql-refused"])
def test_healthz_answers_503_when_the_database_does_not_and_livez_200(tmp_path: Path, url: str):
    app = make_app(url.format(tmp=tmp_path), tmp_path / "instance")
    client = app.test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"
    assert response.json["database"] == {"state": "down", "error": "OperationalError"}
    assert "Set-Cookie" not in response.headers
    assert client.get("/livez").status_code == 200  # the process itself is fine


def test_healthz_says_degraded_but_ready_when_redis_is_away(tmp_path: Path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "instance",
                   RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=CLOSED_PORT)
    response = app.test_client().get("/healthz")
    assert response.status_code == 200  # writes are served: a load balancer keeps it
    assert response.json["status"] == "degraded"
    assert response.json["redis"]["state"] == "down"


def test_healthz_is_never_rate_limited_nor_needs_csrf(tmp_path: Path):
    app = make_app(f"sqlite:///{tmp_path / 'db.sqlite'}", tmp_path / "instance",
                   RATELIMIT_ENABLED=True, RATELIMIT_DEFAULT="1 per minute",
                   WTF_CSRF_ENABLED=True)
    client = app.test_client()
    assert [client.get("/healthz").status_code for _ in range(5)] == [200] * 5
    assert [client.get("/livez").status_code for _ in range(5)] == [200] * 5
    # A route under the same default limit is refused the second time: the limit is on.
    assert [client.get("/login").status_code for _ in range(2)] == [200, 429]
