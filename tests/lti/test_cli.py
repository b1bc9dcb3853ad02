"""`moderation lti …`: registering LMSs, what to paste into them, and refusals of bad input."""

from __future__ import annotations

import json

from moderation.extensions import db
from moderation.models import LtiDeployment, LtiKey, LtiPlatform

ARGS = ["lti", "add-platform", "--issuer", "https://canvas.instructure.com", "--client-id",
        "10000000000001", "--deployment-id", "1:abc", "--deployment-id", "2:def",
        "--auth-url", "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "--token-url", "https://sso.canvaslms.com/login/oauth2/token",
        "--jwks-url", "https://sso.canvaslms.com/api/lti/security/jwks",
        "--frame-origin", "https://school.instructure.com", "--name", "Canvas"]


def test_add_list_and_remove_a_platform(app, runner):
    result = runner.invoke(args=ARGS)
    assert result.exit_code == 0, result.output
    assert "Registered platform 1: Canvas" in result.output
    with app.app_context():
        platform = db.session.scalar(db.select(LtiPlatform))
        assert sorted(d.deployment_id for d in platform.deployments) == ["1:abc", "2:def"]
        assert platform.frame_origins == ["https://canvas.instructure.com",
                                          "https://school.instructure.com",
                                          "https://sso.canvaslms.com"]
        assert db.session.scalar(db.select(db.func.count()).select_from(LtiKey)) == 1
    listed = runner.invoke(args=["lti", "list-platforms"])
    assert "client_id=10000000000001" in listed.output and "1:abc, 2:def" in listed.output
    again = runner.invoke(args=ARGS)
    assert again.exit_code != 0 and "already registered" in again.output
    removed = runner.invoke(args=["lti", "remove-platform", "1", "--yes"])
    assert removed.exit_code == 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LtiDeployment)) == 0
    assert "No platform is registered" in runner.invoke(args=["lti", "list-platforms"]).output


def test_bad_input_is_refused_and_nothing_stored(app, runner):
    for bad in (["--jwks-url", "not a url"], ["--auth-url", "javascript:alert(1)"],
                ["--issuer", " "]):
        args = list(ARGS)
        args[args.index(bad[0]) + 1] = bad[1]
        result = runner.invoke(args=args)
        assert result.exit_code != 0 and "Error" in result.output, bad
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(LtiPlatform)) == 0


def test_show_config_prints_the_urls_and_canvas_json(app, runner):
    app.config["PREFERRED_URL_SCHEME"] = "https"
    result = runner.invoke(args=["lti", "show-config"])
    assert result.exit_code == 0, result.output
    for line in ("https://moderation.test/lti/login", "https://moderation.test/lti/launch",
                 "https://moderation.test/lti/jwks"):
        assert line in result.output
    canvas = json.loads(runner.invoke(args=["lti", "show-config", "--canvas-json"]).output)
    assert canvas["oidc_initiation_url"] == "https://moderation.test/lti/login"
    assert canvas["public_jwk_url"] == "https://moderation.test/lti/jwks"
    placements = canvas["extensions"][0]["settings"]["placements"]
    assert {p["placement"] for p in placements} == {"link_selection", "assignment_selection",
                                                    "course_navigation"}
    assert any("score" in s for s in canvas["scopes"])


def test_rotate_key_keeps_the_old_one_published_for_the_grace(app, runner, client):
    runner.invoke(args=ARGS)
    first = client.get("/lti/jwks").get_json()["keys"]
    assert runner.invoke(args=["lti", "rotate-key"]).exit_code == 0
    second = client.get("/lti/jwks").get_json()["keys"]
    assert len(first) == 1 and len(second) == 2 and first[0] in second
    assert all(k["alg"] == "RS256" and k["use"] == "sig" and "d" not in k for k in second)


def test_sync_with_nothing_waiting(runner):
    result = runner.invoke(args=["lti", "sync"])
    assert result.exit_code == 0 and "Scores: 0 sent" in result.output
