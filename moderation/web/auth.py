"""Sign in and out, sign up with a join code, and the links that prove an address.

Sign-up, "forgot your password" and "confirm your address" all mail a link (when mail is
set up) and answer the same page whatever the address, so they tell nobody who has an
account. Opening a link proves the address (`services/email_links.py`); invitations and
activation links do the same for links that staff hand out.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from moderation.extensions import db
from moderation.models import Membership, User
from moderation.services import accounts, courses, email_links, invitations, mail
from moderation.web import throttle
from moderation.web.forms import (
    ActivateForm,
    ChoosePasswordForm,
    ConfirmForm,
    ForgotPasswordForm,
    LoginForm,
    PasswordSignUpForm,
    SignUpForm,
)
from moderation.web.redirects import safe_next
from moderation.web.refusals import REFUSALS, shown

bp = Blueprint("auth", __name__)


def _start_session(user: User) -> None:
    session.clear()  # no state carries over from before sign-in (session fixation)
    login_user(user)


def _welcome(user: User, membership: Membership | None) -> ResponseReturnValue:
    """Sign in whoever just proved their address, and take them where they were going."""
    _start_session(user)
    if membership is not None:
        flash(f"Welcome! You joined {membership.course.title}.", "success")
        return redirect(url_for("discussions.course", course_id=membership.course_id))
    flash("Your account is ready.", "success")
    return redirect(url_for("discussions.home"))


@bp.route("/login", methods=["GET", "POST"])
@throttle.sign_in_limits
def login() -> ResponseReturnValue:
    """Sign in with email and password; one message for every failure."""
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None:
            _start_session(user)
            response = redirect(safe_next(request.args.get("next"), url_for("discussions.home")))
            throttle.remember_device(response, user.email)
            return response
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
@throttle.sign_up_limits
def signup() -> ResponseReturnValue:
    """Join a course with its join code: by a link mailed to the address, or (no mail) at once."""
    by_mail = mail.enabled()
    form_class = SignUpForm if by_mail else PasswordSignUpForm
    form = form_class(join_code=request.args.get("code", ""))
    if form.validate_on_submit():
        if by_mail:
            try:
                course = email_links.sign_up(form.display_name.data, form.email.data,
                                             form.join_code.data)
            except REFUSALS as refusal:
                status = shown(form, refusal, "join_code")
                return render_template("auth/signup.html", form=form), status
            db.session.commit()
            return render_template("auth/check_email.html", email=form.email.data,
                                   course=course)
        try:
            membership = courses.sign_up_with_code(form.display_name.data, form.email.data,
                                                   form.password.data, form.join_code.data)
        except REFUSALS as refusal:
            status = shown(form, refusal, "join_code")
            return render_template("auth/signup.html", form=form), status
        db.session.commit()
        return _welcome(membership.user, membership)
    status = 422 if form.errors else 200
    return render_template("auth/signup.html", form=form), status


@bp.route("/password/forgot", methods=["GET", "POST"])
@throttle.email_link_limits
def forgot_password() -> ResponseReturnValue:
    """Mail a link that sets a new password; the same answer for every address."""
    if not mail.enabled():
        return render_template("auth/forgot.html", form=None), 200
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email_links.send_password_link(form.email.data)
        db.session.commit()
        return render_template("auth/check_email.html", email=form.email.data, course=None)
    return render_template("auth/forgot.html", form=form), 422 if form.errors else 200


@bp.post("/account/confirm-email")
@login_required
@throttle.email_link_limits
def send_confirmation() -> ResponseReturnValue:
    """Mail the signed-in user a link that proves their address."""
    if not ConfirmForm().validate_on_submit() or not mail.enabled():
        return redirect(url_for("discussions.home"))
    if not current_user.email_verified:
        email_links.send_confirmation(current_user)
        db.session.commit()
        flash(f"We sent a link to {current_user.email}. Open it to confirm your address.",
              "info")
    return redirect(safe_next(request.form.get("next"), url_for("discussions.home")))


@bp.route("/email/<token>", methods=["GET", "POST"])
def email_link(token: str) -> ResponseReturnValue:
    """A link mailed to an address: confirm it, or choose the password of its account."""
    link = email_links.read(token)
    signed_in_holder = (current_user.is_authenticated and link.holder is not None
                        and current_user.id == link.holder.id)
    if signed_in_holder:
        form = ConfirmForm()
        if form.validate_on_submit():
            membership = email_links.confirm(link, current_user)
            db.session.commit()
            flash(f"Thank you: {link.email} is confirmed.", "success")
            if membership is not None:
                return redirect(url_for("discussions.course", course_id=membership.course_id))
            return redirect(url_for("discussions.home"))
        return render_template("auth/email_link.html", link=link, confirm=form)
    form = ChoosePasswordForm(display_name=link.name or (link.holder.display_name
                                                         if link.holder else ""))
    if form.validate_on_submit():
        try:
            user, membership = email_links.complete(link, form.display_name.data,
                                                    form.password.data)
        except REFUSALS as refusal:
            status = shown(form, refusal, "password")
            return render_template("auth/email_link.html", link=link, form=form), status
        db.session.commit()
        return _welcome(user, membership)
    status = 422 if form.errors else 200
    return render_template("auth/email_link.html", link=link, form=form), status


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def invitation(token: str) -> ResponseReturnValue:
    """An invitation staff sent or handed out: accept it, creating an account if needed."""
    invited = invitations.read(token)
    holder = accounts.find_user(invited.email)
    if current_user.is_authenticated:
        form = ConfirmForm()
        if current_user.email == invited.email and form.validate_on_submit():
            membership = invitations.accept(invited, current_user)
            db.session.commit()
            flash(f"You joined {invited.course.title}.", "success")
            return redirect(url_for("discussions.course", course_id=membership.course_id))
        return render_template("auth/invitation.html", invitation=invited, confirm=form)
    if holder is not None and holder.email_verified:
        # The address has a proved account: its password proves the person too.
        return render_template("auth/invitation.html", invitation=invited, sign_in=True)
    form = ChoosePasswordForm(display_name=invited.display_name or "")
    if form.validate_on_submit():
        try:
            user = accounts.claim_address(invited.email, form.display_name.data,
                                          form.password.data)
            membership = invitations.accept(invited, user)
        except REFUSALS as refusal:
            status = shown(form, refusal, "password")
            return render_template("auth/invitation.html", invitation=invited,
                                   form=form), status
        db.session.commit()
        return _welcome(user, membership)
    status = 422 if form.errors else 200
    return render_template("auth/invitation.html", invitation=invited, form=form), status


@bp.route("/activate/<token>", methods=["GET", "POST"])
def activate(token: str) -> ResponseReturnValue:
    """Set a password for an account the instructor created from the roster."""
    # A spent or broken link says so when opened, not after a password is typed.
    accounts.read_activation(token)
    form = ActivateForm()
    if form.validate_on_submit():
        try:
            user = accounts.activate(token, form.password.data)
        except REFUSALS as refusal:
            status = shown(form, refusal, "password")
            return render_template("auth/activate.html", form=form), status
        db.session.commit()
        return _welcome(user, None)
    status = 422 if form.errors else 200
    return render_template("auth/activate.html", form=form), status


@bp.errorhandler(429)
def _too_many(error: TooManyRequests) -> ResponseReturnValue:
    """Refuse, keeping what was typed (never the password) and saying when to try again."""
    message = throttle.refusal_message()
    pages = {
        "auth.login": ("auth/login.html", LoginForm, "password"),
        "auth.signup": ("auth/signup.html",
                        SignUpForm if mail.enabled() else PasswordSignUpForm, "email"),
        "auth.forgot_password": ("auth/forgot.html", ForgotPasswordForm, "email"),
    }
    if request.endpoint in pages:
        template, form_class, field = pages[request.endpoint]
        form = form_class()
        getattr(form, field).errors = [message]
        return render_template(template, form=form), 429
    if request.endpoint == "auth.send_confirmation":
        flash(message, "error")
        return redirect(url_for("discussions.home"))
    return render_template("error.html", status=429, message=message), 429


@bp.app_context_processor
def _mail_enabled() -> dict[str, object]:
    return {"mail_enabled": mail.enabled}
