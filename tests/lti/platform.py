"""A real LTI 1.3 platform for the tests: the lti1p3platform package behind a small Flask adapter.

It ships Django and FastAPI adapters; this is the Flask one. One LMS course ("ctx1") with
people, resource links, line items and the scores posted to them, served on 127.0.0.1 by a
werkzeug thread. Its RSA key is made at test time. The tool's keys are fetched from the
tool's own /lti/jwks on every token request and deep linking response, as an LMS does.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, request
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import (
    AssignmentsGradesService,
    NamesRoleProvisioningService,
    TPage,
)
from werkzeug.serving import make_server

M = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
ROLES = {"instructor": [M + "Instructor"], "learner": [M + "Learner"],
         "ta": ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
         "mentor": [M + "Mentor"], "guest": ["http://purl.imsglobal.org/vocab/lis/v2/membership#Guest"]}
CLIENT_ID, DEPLOYMENT_ID, CONTEXT_ID = "tool-client-1", "deploy-1", "ctx1"


def pem_pair() -> tuple[str, str]:
    """A fresh RSA key pair as PEM (private, public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


@dataclass
class Person:
    name: str
    email: str | None
    role: str
    status: str = "Active"


@dataclass
class State:
    """What the LMS holds: people, links, line items, scores; and failures to play."""

    people: dict[str, Person] = field(default_factory=dict)
    links: dict[str, dict[str, Any]] = field(default_factory=dict)
    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    deep_links: list[dict[str, Any]] = field(default_factory=list)
    page_size: int = 1
    score_failures: list[int | str] = field(default_factory=list)  # 503, 404, "timeout"
    member_pages: int = 0
    tokens_issued: int = 0


class Platform:
    """The LMS: a Flask app, its key, its state; `tool` is where the tool is served."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.state = State()
        self.lock = threading.Lock()
        self.private_pem, self.public_pem = pem_pair()
        self.tool = ""  # the tool's base URL (for its JWKS); the tests set it
        self.tool_launch = "http://moderation.test/lti/launch"
        self.tool_login = "http://moderation.test/lti/login"
        self.app = self._make_app()
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.base = f"http://{host}:{self.server.server_port}"
        self._ids = itertools.count(1)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # Lifecycle -------------------------------------------------------------------------
    def start(self) -> Platform:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)

    @property
    def issuer(self) -> str:
        return self.base

    def registration_args(self) -> list[str]:
        """`moderation lti add-platform` arguments for this LMS."""
        return ["lti", "add-platform", "--issuer", self.issuer, "--client-id", CLIENT_ID,
                "--deployment-id", DEPLOYMENT_ID, "--auth-url", f"{self.base}/auth",
                "--token-url", f"{self.base}/token", "--jwks-url", f"{self.base}/jwks",
                "--name", "Test LMS"]

    def rotate_key(self) -> None:
        """The LMS changes its key: the old one is no longer published."""
        self.private_pem, self.public_pem = pem_pair()

    @property
    def kid(self) -> str:
        return Registration.get_jwk(self.public_pem)["kid"]

    def sign(self, payload: dict[str, Any], headers: dict[str, Any] | None = None,
             key: str | None = None, algorithm: str = "RS256") -> str:
        """Sign claims as this LMS does (kid in the header unless told otherwise)."""
        return jwt.encode(payload, key or self.private_pem, algorithm=algorithm,
                          headers={"kid": self.kid} if headers is None else headers)

    # People and links -----------------------------------------------------------------
    def add_person(self, uid: str, name: str, role: str, email: str | None = None) -> None:
        with self.lock:
            self.state.people[uid] = Person(name, email or f"{uid}@lms.test", role)

    def add_link(self, link_id: str, title: str, *, lineitem: bool = False,
                 custom: dict[str, str] | None = None) -> None:
        with self.lock:
            item = self._new_lineitem(title, 10.0, link_id) if lineitem else None
            self.state.links[link_id] = {"title": title, "custom": custom or {},
                                         "lineitem": item}

    def _new_lineitem(self, label: str, maximum: float, link_id: str | None,
                      resource_id: str | None = None) -> str:
        item_id = str(next(self._ids))
        self.state.lineitems[item_id] = {
            "id": f"{self.base}/lineitems/{item_id}", "label": label,
            "scoreMaximum": maximum, "resourceLinkId": link_id, "resourceId": resource_id}
        self.state.scores[item_id] = []
        return item_id

    def start_url(self, uid: str, link_id: str | None = None, deep: bool = False) -> str:
        return f"{self.base}/start?" + urlencode(
            {"user": uid, "link": link_id or "", "deep": "1" if deep else ""})

    def scores_of(self, link_id: str) -> list[dict[str, Any]]:
        item = self.state.links[link_id]["lineitem"]
        return list(self.state.scores.get(item, [])) if item else []

    # The configuration lti1p3platform asks for -----------------------------------------
    def conf(self) -> LTI1P3PlatformConfAbstract:
        platform = self

        class Conf(LTI1P3PlatformConfAbstract):
            def init_platform_config(self, **_: Any) -> None:
                self._registration = (
                    Registration().set_iss(platform.issuer).set_client_id(CLIENT_ID)
                    .set_deployment_id(DEPLOYMENT_ID).set_launch_url(platform.tool_launch)
                    .set_deeplink_launch_url(platform.tool_launch)
                    .set_oidc_login_url(platform.tool_login)
                    .set_tool_key_set_url(f"{platform.tool}/lti/jwks")
                    .set_platform_public_key(platform.public_pem)
                    .set_platform_private_key(platform.private_pem))

            def get_registration_by_params(self, **_: Any) -> Registration:
                assert self._registration is not None
                return self._registration

        return Conf()

    def _make_app(self) -> Flask:
        app = Flask("test_lms")
        platform = self

        class FlaskRequest(Request):
            def build_metadata(self, req: Any) -> Any:
                args: dict[str, Any] = dict(req.args)
                for key in ("page", "limit"):
                    if key in args:
                        args[key] = int(args[key])
                return {"method": req.method, "form_data": dict(req.form), "get_data": args,
                        "headers": req.headers, "content_type": req.content_type,
                        "path": req.path, "json": req.get_json(silent=True)}

        class Login(OIDCLoginAbstract):
            def set_lti_message_hint(self, **kwargs: Any) -> None:
                self._lti_message_hint = kwargs["hint"]

            def get_redirect(self, url: str) -> Response:
                return Response(status=302, headers={"Location": url})

        class Launch(LTIAdvantageMessageLaunchAbstract):
            def get_preflight_response(self) -> dict[str, Any]:
                return dict(request.args)

            def render_launch_form(self, launch_data: dict[str, Any], **_: Any) -> Response:
                html = (f'<form method="post" action="{launch_data["launch_url"]}" id="f">'
                        f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
                        f'<input type="hidden" name="state" value="{launch_data["state"]}">'
                        '</form><script>document.getElementById("f").submit()</script>')
                return Response(html, mimetype="text/html")

        def service_response(result: Any) -> Response:
            body = result.result
            response = jsonify(body) if body is not None else Response(status=result.code)
            response.status_code = result.code
            if isinstance(body, dict) and body.get("next"):
                response.headers["Link"] = f'<{body["next"]}>; rel="next"'
            return response

        @app.get("/jwks")
        def jwks() -> Any:
            conf = platform.conf()
            conf.get_registration()
            return jsonify(conf.get_jwks())

        @app.get("/start")
        def start() -> Any:
            """The LMS opens a link (or the deep linking flow) for a person."""
            login = Login(FlaskRequest(request), platform.conf())
            hint = f"{request.args['link']}|{request.args.get('deep', '')}"
            login.set_lti_message_hint(hint=hint)
            return login.initiate_login(request.args["user"])

        @app.get("/course")
        def course() -> Any:
            """The LMS's course page, with the tool in an iframe."""
            src = platform.start_url(request.args["user"], request.args.get("link"))
            return (f'<html><body><h1>LMS course</h1><iframe id="tool" src="{src}" '
                    'width="900" height="700"></iframe></body></html>')

        @app.get("/auth")
        def auth() -> Any:
            """The OIDC authorization endpoint: the launch, signed, posted to the tool."""
            conf = platform.conf()
            launch = Launch(FlaskRequest(request), conf)
            uid = request.args.get("login_hint", "")
            link_id, deep = (request.args.get("lti_message_hint", "|").split("|") + [""])[:2]
            person = platform.state.people.get(uid)
            if person is None:
                return Response("unknown user", status=403)
            launch.set_user_data(uid, ROLES[person.role], full_name=person.name,
                                 email_address=person.email)
            launch.set_launch_context_claim(CONTEXT_ID, context_title="History 210",
                                            context_label="HIST210")
            launch.set_nrps(f"{platform.base}/memberships/{CONTEXT_ID}")
            if deep:
                launch.set_dl(f"{platform.base}/deep_link_return", title="Add content")
            else:
                link = platform.state.links[link_id]
                launch.set_resource_link_claim(link_id, title=link["title"])
                item = link["lineitem"]
                launch.set_ags(f"{platform.base}/lineitems",
                               f"{platform.base}/lineitems/{item}" if item else None)
                if link["custom"]:
                    launch.set_custom_parameters_claim(link["custom"])
            return launch.lti_launch()

        @app.post("/token")
        def token() -> Any:
            try:
                answer = platform.conf().get_access_token(dict(request.form))
            except Exception as error:  # noqa: BLE001 - the LMS says no, with a 400
                return jsonify({"error": "invalid_client", "detail": str(error)}), 400
            with platform.lock:
                platform.state.tokens_issued += 1
            return jsonify(answer)

        @app.post("/deep_link_return")
        def deep_link_return() -> Any:
            items = platform.conf().validate_deeplinking_resp(dict(request.form))
            with platform.lock:
                for item in items:
                    platform.state.deep_links.append(item)
                    link_id = f"dl{len(platform.state.deep_links)}"
                    line = item.get("lineItem") or {}
                    lineitem = platform._new_lineitem(
                        line.get("label", ""), line.get("scoreMaximum", 0), link_id,
                        line.get("resourceId")) if line else None
                    platform.state.links[link_id] = {"title": item.get("title"),
                                                     "custom": item.get("custom", {}),
                                                     "lineitem": lineitem}
            return "<p>Content added.</p>"

        def ags() -> AssignmentsGradesService:
            class Ags(AssignmentsGradesService):
                def find_lineitems(self, page: int = 1, limit: int | None = None,
                                   line_item_id: str | None = None,
                                   resource_link_id: str | None = None,
                                   resource_id: str | None = None,
                                   tag: str | None = None) -> TPage:
                    items = [i for i in platform.state.lineitems.values()
                             if resource_link_id in (None, i["resourceLinkId"])]
                    return {"content": items, "has_next": False}

                def find_lineitem(self, line_item_id: str) -> Any:
                    return platform.state.lineitems[line_item_id]

                def create_lineitem(self, creation_data: Any) -> Any:
                    with platform.lock:
                        link_id = creation_data.get("resourceLinkId")
                        item_id = platform._new_lineitem(
                            creation_data["label"], creation_data["scoreMaximum"], link_id,
                            creation_data.get("resourceId"))
                        if link_id in platform.state.links:
                            platform.state.links[link_id]["lineitem"] = item_id
                    return platform.state.lineitems[item_id]

                def update_lineitem(self, update_data: Any) -> Any:
                    raise NotImplementedError

                def delete_lineitem(self, line_item_id: str) -> None:
                    raise NotImplementedError

                def update_score(self, line_item_id: str, score: Any) -> UpdateScoreStatus:
                    with platform.lock:
                        previous = platform.state.scores[line_item_id]
                        mine = [s for s in previous if s["userId"] == score["userId"]]
                        if mine and mine[-1]["timestamp"] >= score["timestamp"]:
                            return UpdateScoreStatus.OLD_TIMESTAMP  # the LMS keeps the newest
                        previous.append(dict(score))
                    return UpdateScoreStatus.SUCCESS

                def get_results(self, line_item_id: str, page: int = 1,
                                limit: int | None = None, user_id: str | None = None) -> TPage:
                    return {"content": [], "has_next": False}

            return Ags(FlaskRequest(request), platform.conf(), f"{platform.base}/lineitems")

        @app.route("/lineitems", methods=["GET", "POST"])
        def lineitems() -> Any:
            service = ags()
            handler = service.handle_get_lineitems if request.method == "GET" \
                else service.handle_create_lineitem
            result = handler()
            if request.method == "GET" and result.code == 200:
                return jsonify(result.result["content"])
            return service_response(result)

        @app.post("/lineitems/<item_id>/scores")
        def scores(item_id: str) -> Any:
            with platform.lock:
                failure = platform.state.score_failures.pop(0) \
                    if platform.state.score_failures else None
            if failure == "timeout":
                time.sleep(3)
                return Response(status=504)
            if isinstance(failure, int):
                return Response("User in requested score is not enrolled" if failure < 500
                                else "unavailable", status=failure)
            if item_id not in platform.state.lineitems:
                return Response(status=404)
            return service_response(ags().handle_update_score(item_id))

        @app.get("/memberships/<context_id>")
        def memberships(context_id: str) -> Any:
            class Nrps(NamesRoleProvisioningService):
                def get_context_by_id(self) -> Context:
                    return Context(id=CONTEXT_ID, label="HIST210", title="History 210")

                def get_member_data_page(self, page: int = 1, limit: int | None = None,
                                         role: str | None = None, since: str | None = None,
                                         **_: Any) -> TPage:
                    people = sorted(platform.state.people.items())
                    size = platform.state.page_size
                    start = (page - 1) * size
                    chunk = [{"user_id": uid, "name": p.name, "email": p.email,
                              "roles": ROLES[p.role], "status": p.status}
                             for uid, p in people[start:start + size]]
                    with platform.lock:
                        platform.state.member_pages += 1
                    return {"content": chunk, "has_next": start + size < len(people)}

            req = FlaskRequest(request)
            req.request["get_data"].setdefault("limit", platform.state.page_size)
            service = Nrps(req, platform.conf(), f"{platform.base}/memberships/{context_id}")
            return service_response(service.handle_get_members())

        return app
