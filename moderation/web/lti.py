"""The LTI 1.3 endpoints (/lti/login, /lti/launch, /lti/jwks), the pages a launch leads to
(setting up a link, deep linking, linking an account here), and the frame policy.

Launch pages may be framed by the registered platforms only: /lti/login and /lti/launch by
every registered platform's origins; the lti and student pages by the launching platform's,
in a session a launch began. Every other page refuses framing (security.CSP).
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user
from werkzeug.wrappers import Response as BaseResponse
from wtforms import SelectField, StringField
from wtforms.validators import Length, Optional

from moderation import db_setup
from moderation.extensions import csrf, db, limiter
from moderation.lti import LaunchClaims
from moderation.lti.messages import deep_linking_response, origin
from moderation.models import LtiLaunch, utcnow
from moderation.services.courses import Permission, allows, membership_of
from moderation.services.errors import ServiceError
from moderation.services.lti import accounts as lti_accounts
from moderation.services.lti import keys as lti_keys
from moderation.services.lti import launch as lti_launch
from moderation.services.lti import platforms as lti_platforms
from moderation.services.lti import provision as lti_provision
from moderation.services.lti import scores as lti_scores
from moderation.services.lti import sync as lti_sync
from moderation.web.forms import ConfirmForm, Form
from moderation.web.refusals import REFUSALS, shown
from moderation.web.security import CSP

bp = Blueprint("lti", __name__, url_prefix="/lti")
BROWSER_COOKIE = "moderation_lti_browser"
SESSION_KEY = "lti"  # in a session a launch began: {"platform": id, "identity": id}
NEW = "new"


# Cookies and sessions ----------------------------------------------------------------

def secure_request() -> bool:
    """Whether cookies may be Secure: HTTPS (through the counted proxies), or configured so."""
    return bool(request.is_secure or current_app.config.get("SESSION_COOKIE_SECURE"))


def _browser_secret() -> str:
    value = request.cookies.get(BROWSER_COOKIE, "")
    return value if re.fullmatch(r"[A-Za-z0-9_-]{32,64}", value) else secrets.token_urlsafe(32)


def _set_browser_cookie(response: BaseResponse, secret: str) -> None:
    # In the LMS's frame only a SameSite=None cookie comes back, and browsers take those
    # only when Secure; over plain HTTP it is Lax (a top-level launch, re-posted once).
    secure = secure_request()
    response.set_cookie(BROWSER_COOKIE, secret, max_age=3600, path="/lti/", httponly=True,
                        secure=secure, samesite="None" if secure else "Lax")


def _refused(error: ServiceError) -> ResponseReturnValue:
    db.session.rollback()
    hint = getattr(error, "hint", None)
    return render_template("lti/refused.html", message=error.message, hint=hint,
                           status=error.status), error.status


def _start(landing: lti_provision.Landing, platform_id: int) -> None:
    session.clear()  # nothing carries over from before (session fixation)
    login_user(landing.user)
    session[SESSION_KEY] = {"platform": platform_id, "identity": landing.identity.id}


# The three endpoints of the contract ---------------------------------------------------

@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
@limiter.exempt
def login() -> ResponseReturnValue:
    """OIDC third-party login initiation: a state and nonce, then off to the LMS."""
    params = {k: v for k, v in (request.form if request.method == "POST" else request.args)
              .items() if isinstance(v, str)}
    db_setup.begin_write()
    secret = _browser_secret()
    try:
        started = lti_launch.begin_login(params, secret, url_for("lti.launch", _external=True))
        db.session.commit()
    except ServiceError as error:
        return _refused(error)
    response = redirect(started.redirect_url, code=302)
    _set_browser_cookie(response, secret)
    return response


@bp.post("/launch")
@csrf.exempt
@limiter.exempt
@db_setup.read_first
def launch() -> ResponseReturnValue:
    """The redirect URI: a checked id_token signs its user in and lands them."""
    id_token, state = request.form.get("id_token", ""), request.form.get("state", "")
    secret = request.cookies.get(BROWSER_COOKIE)
    try:
        checked, _payload, claims = lti_launch.validate(id_token, state, secret)
    except lti_launch.BrowserUnknown as unknown:
        db.session.rollback()
        if not request.form.get("relayed"):
            # A cross-site POST carries no Lax cookie; the same POST from our own page does.
            return render_template("lti/relay.html", id_token=id_token, state=state)
        return render_template("lti/new_window.html", message=unknown.message,
                               launch=unknown.launch), 403
    except ServiceError as error:
        return _refused(error)
    try:
        db_setup.begin_write()
        checked = db.session.get_one(LtiLaunch, checked.id)
        landing = lti_provision.land(checked, claims)
        if landing.lti_context is None:
            db.session.rollback()
            return render_template(
                "lti/refused.html", status=409, message="Your instructor has not set up "
                "moderation in this course yet. Try again after they open it from the LMS.",
                hint=None), 409
        db.session.commit()
    except ServiceError as error:
        return _refused(error)
    _start(landing, checked.platform_id)
    return redirect(_destination(checked, claims, landing), code=303)


def _destination(checked: LtiLaunch, claims: LaunchClaims,
                 landing: lti_provision.Landing) -> str:
    if claims.deep_linking:
        return url_for("lti.deep_link", launch_id=checked.id)
    link = landing.link
    assert link is not None and landing.membership is not None
    if landing.membership.role.is_staff:
        return url_for("lti.link_page", link_id=link.id)
    if link.discussion_id is None:
        return url_for("lti.link_page", link_id=link.id)
    return url_for("discussions.show", discussion_id=link.discussion_id)


@bp.get("/relaunch/<token>")
@limiter.exempt
def relaunch(token: str) -> ResponseReturnValue:
    """Start a launch again in this (new, top-level) window from the one the frame began.

    `token` is the frame's state (named so, the access log hides it); it works once.
    """
    db_setup.begin_write()
    try:
        pending = lti_launch.pending_launch(token)
        secret = _browser_secret()
        started = lti_launch.begin_login(dict(pending.login_params), secret,
                                         url_for("lti.launch", _external=True))
        pending.used_at = utcnow()
        db.session.commit()
    except ServiceError as error:
        return _refused(error)
    response = redirect(started.redirect_url, code=302)
    _set_browser_cookie(response, secret)
    return response


@bp.get("/jwks")
@limiter.exempt
def jwks() -> ResponseReturnValue:
    """The tool's public keys, every one not retired."""
    response = jsonify(lti_keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


# Pages after a launch ------------------------------------------------------------------

class LinkForm(Form):
    """Which discussion a link opens: one of the course's, or a new one."""

    discussion = SelectField("Discussion", choices=[])
    title = StringField("Title of a new discussion", validators=[Optional(), Length(max=200)])


@bp.route("/links/<int:link_id>", methods=["GET", "POST"])
@login_required
def link_page(link_id: int) -> ResponseReturnValue:
    """A link's page: the discussion it opens, or (staff) choosing one."""
    try:
        link, membership = lti_provision.link_of(link_id, current_user)
    except ServiceError as error:
        return _refused(error)
    course = link.context.course
    may_manage = allows(membership, Permission.MANAGE)
    form = LinkForm()
    form.discussion.choices = [(NEW, "A new discussion")] + [
        (str(d.id), d.title) for d in course.discussions]
    if request.method == "POST":
        if not may_manage:
            abort(403)
        if form.validate_on_submit():
            chosen = None if form.discussion.data == NEW else int(form.discussion.data)
            try:
                lti_provision.set_up_link(link, current_user, chosen, form.title.data)
            except REFUSALS as refusal:
                status = shown(form, refusal, "discussion")
                return render_template("lti/link.html", link=link, form=form, staff=True,
                                       may_manage=may_manage), status
            db.session.commit()
            return redirect(url_for("lti.link_page", link_id=link.id), code=303)
        return render_template("lti/link.html", link=link, form=form, staff=True,
                               may_manage=may_manage), 422
    if not membership.role.is_staff and link.discussion_id is not None:
        return redirect(url_for("discussions.show", discussion_id=link.discussion_id))
    form.title.data = link.title or ""
    status = 200 if membership.role.is_staff or link.discussion_id else 409
    return render_template("lti/link.html", link=link, form=form, may_manage=may_manage,
                           staff=membership.role.is_staff), status


@bp.route("/deep-link/<int:launch_id>", methods=["GET", "POST"])
@login_required
def deep_link(launch_id: int) -> ResponseReturnValue:
    """Deep linking: choose or create a discussion; a signed response goes back to the LMS."""
    found = db.session.get(LtiLaunch, launch_id)
    if found is None or found.user_id != current_user.id or not found.claims:
        abort(404)
    claims = lti_provision.launch_claims(found)
    course_context = lti_provision.context_of(found, claims)
    membership = membership_of(current_user, course_context.course)
    if membership is None or not allows(membership, Permission.MANAGE):
        return _refused(ServiceError("Only the course's instructors can add moderation "
                                     "discussions to the LMS course."))
    form = LinkForm()
    form.discussion.choices = [(NEW, "A new discussion")] + [
        (str(d.id), d.title) for d in course_context.course.discussions]
    if not form.validate_on_submit():
        return render_template("lti/deep_link.html", form=form,
                               course=course_context.course), 422 if form.errors else 200
    try:
        discussion = lti_provision.discussion_for_deep_link(
            course_context, current_user, None if form.discussion.data == NEW
            else int(form.discussion.data), form.title.data)
        platform = found.platform
        message = deep_linking_response(
            client_id=platform.client_id, issuer=platform.issuer,
            deployment_id=claims.deployment_id, now=utcnow(),
            launch_url=url_for("lti.launch", _external=True), discussion_id=discussion.id,
            title=discussion.title, points=discussion.points_possible,
            data=claims.deep_link_data)
        token = lti_keys.sign(message)
        db.session.commit()
    except ServiceError as error:
        return _refused(error)
    g.lti_form_target = origin(claims.deep_link_return_url or "")
    return render_template("lti/deep_link_return.html", url=claims.deep_link_return_url,
                           jwt=token, discussion=discussion)


@bp.get("/link-account")
@login_required
def link_account() -> ResponseReturnValue:
    """Offer to link this LMS identity to an account made here before (a new window)."""
    known = session.get(SESSION_KEY) or {}
    if not current_user.launch_only or not known.get("identity"):
        return _refused(ServiceError("Only an account made by an LMS launch can be linked "
                                     "to another account.", field=None))
    db_setup.begin_write()
    token = lti_accounts.offer_link(int(known["identity"]), current_user)
    db.session.commit()
    return render_template("lti/link_account.html", token=token)


@bp.route("/link-account/<token>", methods=["GET", "POST"])
@login_required
def confirm_link(token: str) -> ResponseReturnValue:
    """Signed in here with a password, and holding the launch's link: link the two."""
    form = ConfirmForm()
    try:
        ident = lti_accounts.offered(token)
    except ServiceError as error:
        return _refused(error)
    if form.validate_on_submit():
        try:
            lti_accounts.link(token, current_user)
            db.session.commit()
        except ServiceError as error:
            return _refused(error)
        return render_template("lti/linked.html", identity=ident)
    return render_template("lti/confirm_link.html", identity=ident, form=form)


# Frames and what waits -----------------------------------------------------------------

FRAME_ANCESTORS = re.compile(r"frame-ancestors [^;]*")


def _framers() -> list[str] | None:
    """The origins that may frame this response, or None: framing stays refused."""
    endpoint = request.endpoint or ""
    if endpoint in ("lti.login", "lti.launch", "lti.relaunch"):
        return lti_platforms.frame_origins()
    if not endpoint.startswith(("lti.", "discussions.")):
        return None  # and the session is not read: no Vary: Cookie on other responses
    launched = session.get(SESSION_KEY)
    if launched and current_user.is_authenticated:
        return lti_platforms.frame_origins([int(launched["platform"])])
    return None


def _frame_policy(response: Response) -> Response:
    """Let the registered platforms frame launch pages; form posts to the LMS where needed."""
    framers = _framers()
    csp = CSP
    if framers:
        csp = FRAME_ANCESTORS.sub("frame-ancestors " + " ".join(framers), csp)
    target = g.get("lti_form_target")
    if target:
        # The deep linking response is a form the browser posts to the LMS.
        csp = csp.replace("form-action 'self'", f"form-action 'self' {target}")
    if csp != CSP:
        response.headers["Content-Security-Policy"] = csp
    return response


def init_app(app: Flask) -> None:
    """Register the blueprint, the frame policy, and score rows written with each grade."""
    lti_scores.init_app()
    app.register_blueprint(bp)
    app.after_request(_frame_policy)

    @app.context_processor
    def _lti() -> dict[str, Any]:
        return {"lti_sync_for": lti_sync.states_for,
                "lti_contexts_of": lti_sync.contexts_of,
                "lti_session": lambda: bool(session.get(SESSION_KEY))}

