"""The ceiling: a bare Flask + SQLAlchemy app that inserts one row per POST.

No session, no CSRF, no analysis: what any Flask app on this database and this gunicorn
configuration can do at best. SQLite gets exactly the app's tuning (WAL, busy timeout,
BEGIN IMMEDIATE), so the comparison measures our work, not a different setup.

    gunicorn -c gunicorn.conf.py 'bench.ceiling:create_app()'    # DATABASE_URL set
"""

from __future__ import annotations

import os

from flask import Flask, Response, request
from sqlalchemy import String, Text, create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from moderation.config import database_url_from_env
from moderation.db_setup import tune_sqlite


class Base(DeclarativeBase):
    pass


class Row(Base):
    """One posted body, with a unique token like a comment's submission token."""

    __tablename__ = "bench_row"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[str] = mapped_column(Text)


def engine_for(url: str) -> Engine:
    """An engine tuned as the app tunes its own."""
    engine = create_engine(database_url_from_env(url), pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        tune_sqlite(engine)  # every transaction begins IMMEDIATE, as a submit does
    return engine


def create_app() -> Flask:
    """The one-endpoint app, on $DATABASE_URL (its table already created by the bench)."""
    app = Flask(__name__)
    engine = engine_for(os.environ["DATABASE_URL"])

    @app.post("/rows")
    def insert_row() -> Response:
        with Session(engine) as session, session.begin():
            session.add(Row(token=request.form["token"], body=request.form["body"]))
        return Response("", 201)

    @app.get("/healthz")
    def healthz() -> Response:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Response("ok\n", 200)

    return app
