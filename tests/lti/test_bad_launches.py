"""The 1EdTech certification's known-bad launches, each refused with a 4xx page that says what
failed, no session, and nothing stored; and key rotation on both sides."""

from __future__ import annotations

import time
from datetime import timedelta

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization

from moderation.extensions import db
from moderation.lti.claims import CLAIM
from moderation.models import LtiKey, utcnow
from moderation.services.lti import keys as lti_keys
from tests.lti.conftest import Begun, answer, begin, launch, signed_in
from tests.lti.platform import CLIENT_ID, DEPLOYMENT_ID, ROLES, pem_pair
from tests.security.test_access_matrix import every_row


def payload(lms, begun: Begun, uid: str = "s1") -> dict:
    """A valid learner launch for this login, as the LMS would sign it."""
    now = int(time.time())
    return {
        "iss": lms.issuer, "aud": CLIENT_ID, "azp": CLIENT_ID, "sub": uid,
        "iat": now, "exp": now + 300, "nonce": begun.nonce, "name": "Ada Lovelace",
        CLAIM["version"]: "1.3.0", CLAIM["message_type"]: "LtiResourceLinkRequest",
        CLAIM["deployment_id"]: DEPLOYMENT_ID, CLAIM["roles"]: ROLES["learner"],
        CLAIM["target_link_uri"]: "http://moderation.test/lti/launch",
        CLAIM["resource_link"]: {"id": "link1"}, CLAIM["context"]: {"id": "ctx1"},
    }


def hs256_with_public_key(lms, claims):
    """The old trick: HS256 keyed with the platform's public key (PyJWT refuses to make it)."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    head = b64(json.dumps({"alg": "HS256", "kid": lms.kid, "typ": "JWT"}).encode())
    body = b64(json.dumps(claims).encode())
    signature = hmac.new(lms.public_pem.encode(), f"{head}.{body}".encode(),
                         hashlib.sha256).digest()
    return f"{head}.{body}.{b64(signature)}"


def unsigned(claims):
    return jwt.encode(claims, None, algorithm="none", headers={"kid": "x"})


def tampered(lms, claims):
    token = lms.sign(claims)
    head, body, signature = token.split(".")
    forged = jwt.utils.base64url_encode(jwt.utils.base64url_decode(body).replace(
        b'"s1"', b'"s2"')).decode()
    return f"{head}.{forged}.{signature}"


def without(key):
    def change(claims):
        del claims[CLAIM.get(key, key)]
    return change


BAD = {
    "no kid": (lambda lms, c: lms.sign(c, headers={}), "names no key"),
    "unknown kid": (lambda lms, c: lms.sign(c, headers={"kid": "imstester_66067"}),
                    "does not publish"),
    "alg none": (lambda lms, c: unsigned(c), "only RS256"),
    "alg HS256": (hs256_with_public_key, "only RS256"),
    "tampered signature": (tampered, "does not verify"),
    "expired exp": ({"exp": -3600, "iat": -7200}, "expired"),
    "iat in the future": ({"iat": 3600, "exp": 7200}, "in the future"),
    "wrong aud": ({"aud": "someone-else"}, "another client"),
    "wrong azp": ({"aud": [CLIENT_ID, "other"], "azp": "other"}, "authorized party"),
    "unknown deployment": ({CLAIM["deployment_id"]: "deploy-unknown"}, "not registered"),
    "missing sub": (without("sub"), "no sub"),
    "missing roles": (without("roles"), "no roles"),
    "missing message type": (without("message_type"), "no message type"),
    "missing resource link": (without("resource_link"), "no resource link"),
    "missing version": (without("version"), "no LTI version"),
    "wrong version": ({CLAIM["version"]: "1.1"}, "1.3.0"),
    "wrong nonce": ({"nonce": "not-the-one"}, "nonce"),
    "not a 1.3 launch": (lambda lms, c: lms.sign({"name": "badltilaunch"}), "issuer"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_known_bad_launch_is_refused_with_nothing_stored(app, client, lms, case):
    lms.add_link("link1", "Week 1")
    launch(app.test_client(), lms, "teacher", "link1")  # the course exists
    begun = begin(client, lms, "s1", "link1")
    claims = payload(lms, begun)
    change, words = BAD[case]
    if isinstance(change, dict):
        for key, value in change.items():
            claims[key] = (int(time.time()) + value) if key in ("exp", "iat") else value
        token = lms.sign(claims)
    elif change.__name__ == "change":
        change(claims)
        token = lms.sign(claims)
    else:
        token = change(lms, claims)
    with app.app_context():
        before = every_row()
    response = client.post("/lti/launch", data={"id_token": token, "state": begun.state})
    assert 400 <= response.status_code < 500, (case, response.status_code)
    assert words in response.text, (case, response.text[-1500:])
    assert "Set-Cookie" not in response.headers or "session=" not in response.headers[
        "Set-Cookie"]
    assert not signed_in(client)
    with app.app_context():
        assert every_row() == before, case


def test_a_replayed_state_and_nonce_are_refused(app, client, lms):
    lms.add_link("link1", "Week 1")
    launch(app.test_client(), lms, "teacher", "link1")
    begun = begin(client, lms, "s1", "link1")
    posted = answer(begun)
    assert client.post("/lti/launch", data=posted).status_code == 303
    replay = app.test_client()
    replay.set_cookie("moderation_lti_browser", client.get_cookie(
        "moderation_lti_browser", domain="moderation.test", path="/lti/").value,
        domain="moderation.test", path="/lti/")
    with app.app_context():
        before = every_row()
    again = replay.post("/lti/launch", data=posted)
    assert again.status_code == 403 and "already used" in again.text
    # The same id_token (its nonce) with a fresh state of this browser: refused too.
    fresh = begin(replay, lms, "s1", "link1")
    other = replay.post("/lti/launch", data={"id_token": posted["id_token"],
                                             "state": fresh.state})
    assert other.status_code == 403 and "nonce" in other.text
    assert not signed_in(replay)
    with app.app_context():
        after = every_row()
    assert {k: v for k, v in after.items() if k != "lti_launch"} == \
        {k: v for k, v in before.items() if k != "lti_launch"}  # only the new login's row


def test_a_state_begun_in_another_browser_is_refused(app, client, lms):
    lms.add_link("link1", "Week 1")
    launch(app.test_client(), lms, "teacher", "link1")
    begun = begin(client, lms, "s1", "link1")
    other = app.test_client()
    other.set_cookie("moderation_lti_browser", "x" * 43, domain="moderation.test",
                     path="/lti/")
    response = other.post("/lti/launch", data=answer(begun))
    assert response.status_code == 403 and "another browser" in response.text


def test_no_cookie_relays_once_then_offers_a_new_window(app, client, lms):
    lms.add_link("link1", "Week 1")
    launch(app.test_client(), lms, "teacher", "link1")
    begun = begin(client, lms, "s1", "link1")
    blocked = app.test_client()  # the frame's browser refused the cookie
    posted = answer(begun)
    relay = blocked.post("/lti/launch", data=posted)
    assert relay.status_code == 200 and 'name="relayed"' in relay.text
    offer = blocked.post("/lti/launch", data={**posted, "relayed": "1"})
    assert offer.status_code == 403 and "Open in a new window" in offer.text
    assert "state not found" not in offer.text.lower()
    # The new window starts the login again, top level, and completes.
    relaunch = blocked.get(f"/lti/relaunch/{begun.state}")
    assert relaunch.status_code == 302 and relaunch.headers["Location"].startswith(lms.base)
    assert blocked.get(f"/lti/relaunch/{begun.state}").status_code == 403  # once only
    from urllib.parse import parse_qs, urlsplit

    query = parse_qs(urlsplit(relaunch.headers["Location"]).query)
    again = Begun(query["state"][0], query["nonce"][0], relaunch.headers["Location"])
    done = blocked.post("/lti/launch", data=answer(again))
    assert done.status_code == 303 and signed_in(blocked)


def test_the_platform_rotates_its_key_and_the_next_launch_works(app, client, lms):
    lms.add_link("link1", "Week 1")
    assert launch(app.test_client(), lms, "teacher", "link1").status_code == 303
    lms.rotate_key()  # the tool holds the old key set in its cache
    learner = app.test_client()
    assert launch(learner, lms, "teacher", "link1").status_code == 303
    assert signed_in(learner)


def test_the_tool_rotates_its_key_and_the_platform_still_verifies(app, client, lms):
    lms.add_link("link1", "Week 1", lineitem=True)
    from tests.lti.test_passback import course_with_learners, grade

    discussion_id, ada, _ = course_with_learners(app, client, lms)
    result = app.test_cli_runner().invoke(args=["lti", "rotate-key", "--grace-days", "2"])
    assert result.exit_code == 0 and "Signing with key" in result.output
    with app.app_context():
        keys = list(db.session.scalars(db.select(LtiKey).order_by(LtiKey.id)))
        assert len(keys) == 2 and keys[0].retire_at is not None and keys[1].retire_at is None
        published = {k["kid"] for k in requests.get(f"{lms.tool}/lti/jwks", timeout=5)
                     .json()["keys"]}
        assert published == {keys[0].kid, keys[1].kid}  # the old one, for the grace
        after_grace = {k["kid"] for k in lti_keys.jwks(utcnow() + timedelta(days=3))["keys"]}
        assert after_grace == {keys[1].kid}
        new_kid = keys[1].kid
    tokens = lms.state.tokens_issued
    grade(app, discussion_id, ada, 4.0, None)
    client.post(f"/teach/discussions/{discussion_id}/grades/release")
    assert lms.state.tokens_issued == tokens + 1  # a token asked for with the new key
    assert [s["scoreGiven"] for s in lms.scores_of("link1")] == [4.0]
    with app.app_context():
        assert jwt.get_unverified_header(lti_keys.sign({"x": 1}))["kid"] == new_kid


def test_private_keys_are_encrypted_with_the_configured_key(app, lms):
    with app.app_context():
        key = db.session.scalar(db.select(LtiKey))
        assert "PRIVATE KEY" not in key.private_encrypted
        private = lti_keys.private_key(key)
        public = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        assert b"PUBLIC KEY" in public
        app.config["LTI_KEY_ENCRYPTION_KEY"] = "another key altogether"
        with pytest.raises(lti_keys.KeyUnreadable):
            lti_keys.private_key(key)
    assert pem_pair  # the test LMS makes its own keys the same way, at test time
