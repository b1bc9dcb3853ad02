"""The framework floor: the same stack as our submit, without our checking.

Flask-Login session (the user loaded by id on each request), a Flask-WTF form with its
CSRF token, WTForms validation of the body and the submission token, and one ORM
transaction inserting the comment and an audit row; a double submit (one token twice)
finds the stored row and answers with it, as ours does. What any app on this stack pays
per submit: the honest limit our submit is measured against (issue #19).

    gunicorn -c gunicorn.conf.py 'bench.floor:create_app()'   # DATABASE_URL, SECRET_KEY set

Its tables (`floor_*`) are created by the bench (`create_tables`), beside the ceiling's.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

from flask import Flask, Response, g, redirect, render_template_string
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import DateTime, ForeignKey, String, Text, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash
from wtforms import EmailField, HiddenField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from bench.ceiling import engine_for


class Base(DeclarativeBase):
    pass


def now() -> datetime:
    return datetime.now(UTC)


class FloorUser(Base, UserMixin):
    """A signed-in student: what Flask-Login loads on every request."""

    __tablename__ = "floor_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)


class FloorComment(Base):
    """A comment with its unique submission token, as ours has."""

    __tablename__ = "floor_comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"))
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class FloorAudit(Base):
    """The audit row written in the same transaction."""

    __tablename__ = "floor_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("floor_user.id"))
    action: Mapped[str] = mapped_column(String(40))
    comment_id: Mapped[int] = mapped_column(ForeignKey("floor_comment.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=now)


class SignInForm(FlaskForm):
    email = EmailField(validators=[DataRequired(), Length(max=254)])
    password = PasswordField(validators=[DataRequired()])


class CommentForm(FlaskForm):
    body = TextAreaField(validators=[DataRequired(), Length(max=20_000)])
    submission_token = HiddenField(validators=[DataRequired(), Length(max=64)])
    parent_id = HiddenField()


PAGE = """<!doctype html><title>Floor</title>
<form method="post">{{ form.csrf_token }}{{ form.submission_token() }}{{ form.body() }}
{{ form.parent_id() }}<button>Post</button></form>"""
SIGN_IN = """<!doctype html><title>Sign in</title>
<form method="post">{{ form.csrf_token }}{{ form.email() }}{{ form.password() }}</form>"""


def create_tables(engine: Engine) -> None:
    """Create the floor's tables (the bench calls this before starting the server)."""
    Base.metadata.create_all(engine)


def add_users(engine: Engine, emails: list[str], password: str, method: str) -> None:
    """Seed students who can sign in (one hash for all: sign-in is not what is timed)."""
    hashed = generate_password_hash(password, method=method)
    with Session(engine) as session, session.begin():
        session.add_all(FloorUser(email=e, password_hash=hashed) for e in emails)


def create_app() -> Flask:
    """The floor app on $DATABASE_URL with $SECRET_KEY."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ["SECRET_KEY"], SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax")
    engine = engine_for(os.environ["DATABASE_URL"])
    CSRFProtect(app)
    login = LoginManager(app)

    def session() -> Session:
        """The request's one session (as Flask-SQLAlchemy keeps one): the user's load
        and the insert are one transaction."""
        if "session" not in g:
            g.session = Session(engine)
        return g.session  # type: ignore[no-any-return]

    @app.teardown_appcontext
    def close_session(_error: BaseException | None) -> None:
        found = g.pop("session", None)
        if found is not None:
            found.close()

    @login.user_loader
    def load_user(user_id: str) -> FloorUser | None:
        return session().get(FloorUser, int(user_id))

    @app.route("/login", methods=["GET", "POST"])
    def sign_in() -> Response | str:
        form = SignInForm()
        if form.validate_on_submit():
            user = session().scalar(select(FloorUser).where(FloorUser.email == form.email.data))
            if user is not None and check_password_hash(user.password_hash,
                                                        form.password.data or ""):
                login_user(user)
                return redirect("/discussion", 302)  # type: ignore[return-value]
        return render_template_string(SIGN_IN, form=form)

    @app.get("/discussion")
    @login_required
    def discussion() -> str:
        form = CommentForm(submission_token=os.urandom(18).hex())
        return render_template_string(PAGE, form=form)

    @app.post("/comments")
    @login_required
    def submit() -> Response | tuple[str, int]:
        form = CommentForm()
        if not form.validate():
            return render_template_string(PAGE, form=form), 400
        token = form.submission_token.data or ""
        db = session()
        try:
            comment = FloorComment(author_id=current_user.id, body=form.body.data,
                                   submission_token=token)
            db.add(comment)
            db.flush()
            db.add(FloorAudit(actor_id=current_user.id, action="comment.submitted",
                              comment_id=comment.id))
            comment_id = comment.id
            db.commit()
        except IntegrityError:  # the same form twice: answer with the row the first made
            db.rollback()
            comment_id = db.scalar(select(FloorComment.id).where(
                FloorComment.submission_token == token))
            db.commit()
            if comment_id is None:
                raise
        return redirect(f"/discussion#comment-{comment_id}", 303)  # type: ignore[return-value]

    @app.get("/healthz")
    def healthz() -> Response:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Response("ok\n", 200)

    return app
