"""Sign in, sign out, sign up with a join code, and activate a roster account."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user

from moderation.extensions import db, limiter
from moderation.models import User
from moderation.services import accounts, courses
from moderation.services.errors import ServiceError
from moderation.web.forms import ActivateForm, LoginForm, SignUpForm
from moderation.web.outcome import commit_or_show
from moderation.web.redirects import safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _start_session(user: User) -> None:
    session.clear()  # no state carries over from before sign-in (session fixation)
    login_user(user)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], error_message="Too many sign-in attempts. "
               "Wait a minute and try again.")
def login() -> ResponseReturnValue:
    """Sign in with email and password; one message for every failure."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            return redirect(safe_next(request.args.get("next"), url_for("discussions.home")))
        form.password.errors.append("Email or password is incorrect.")
    status = 401 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    """Sign out here and on every other device."""
    accounts.sign_out_everywhere(current_user._get_current_object())
    db.session.commit()
    logout_user()
    session.clear()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def signup() -> ResponseReturnValue:
    """Create a student account with a course's join code."""
    form = SignUpForm(join_code=request.args.get("code", ""))
    if form.validate_on_submit():
        membership = commit_or_show(form, lambda: courses.sign_up_with_code(
            form.display_name.data, form.email.data, form.password.data, form.join_code.data),
            "join_code")
        if isinstance(membership, ServiceError):
            return render_template("auth/signup.html", form=form), membership.status
        _start_session(membership.user)
        flash(f"Welcome! You joined {membership.course.title}.", "success")
        return redirect(url_for("discussions.course", course_id=membership.course_id))
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> ResponseReturnValue:
    """Set a password for an account the instructor created from the roster."""
    form = ActivateForm()
    if form.validate_on_submit():
        user = commit_or_show(form, lambda: accounts.activate(token, form.password.data),
                              "password")
        if isinstance(user, ServiceError):
            return render_template("auth/activate.html", form=form), user.status
        _start_session(user)
        flash("Your account is ready.", "success")
        return redirect(url_for("discussions.home"))
    status = 422 if form.errors else 200
    return render_template("auth/activate.html", form=form), status
