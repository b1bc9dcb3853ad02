"""The databases the bench and the server tests run on: emptied, migrated, ready."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, make_url, text

from bench import ceiling, floor
from bench.classroom import FAST_PASSWORD_METHOD
from moderation import create_app
from moderation.config import database_url_from_env


@dataclass
class Database:
    """Where one database's runs happen: the app's URL, the ceiling's, a scratch folder."""

    label: str  # "SQLite WAL" or "PostgreSQL"
    key: str  # "sqlite" or "postgresql"
    app_url: str
    ceiling_url: str
    folder: Path


def sqlite_database(folder: Path) -> Database:
    """Two SQLite files in a scratch folder: the app's and the ceiling's."""
    return Database("SQLite WAL", "sqlite", f"sqlite:///{folder / 'moderation.sqlite'}",
                    f"sqlite:///{folder / 'ceiling.sqlite'}", folder)


def postgres_database(url: str, folder: Path) -> Database:
    """One PostgreSQL database (emptied first) for both apps' tables."""
    url = database_url_from_env(url)
    return Database("PostgreSQL", "postgresql", url, url, folder)


def baseline_database(database: Database) -> Database:
    """Where the baseline checkout's app (`main`) keeps its comments: its own SQLite file,
    or a PostgreSQL database named after this one with `_main` (created when missing)."""
    if database.key == "sqlite":
        return replace(database, app_url=f"sqlite:///{database.folder / 'main.sqlite'}")
    url = make_url(database.app_url)
    return replace(database, app_url=url.set(database=f"{url.database}_main")
                   .render_as_string(hide_password=False))


def create_postgres_database(url: str) -> None:
    """Create the PostgreSQL database `url` names, unless it exists."""
    target = make_url(url)
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": target.database}):
            connection.execute(text(f'CREATE DATABASE "{target.database}"'))
    engine.dispose()


def bench_app(database: Database) -> Flask:
    """The app in this process, for migrating, seeding classes and counting rows."""
    os.environ["MODERATION_INSTANCE_PATH"] = str(database.folder / "instance")
    try:
        return create_app({"SQLALCHEMY_DATABASE_URI": database.app_url, "SECRET_KEY": "bench",
                           "PASSWORD_METHOD": FAST_PASSWORD_METHOD})
    finally:
        del os.environ["MODERATION_INSTANCE_PATH"]


def prepare(database: Database, app: Flask, revision: str = "head") -> None:
    """Empty the database, migrate it (to the latest schema, or the baseline's `revision`),
    create the ceiling's and the floor's tables."""
    from flask_migrate import upgrade

    from moderation.extensions import db

    if database.key == "postgresql":
        create_postgres_database(database.app_url)
        engine = create_engine(database.app_url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    with app.app_context():
        upgrade(revision=revision)
        db.session.remove()
        db.engine.dispose()
    engine = ceiling.engine_for(database.ceiling_url)
    ceiling.Base.metadata.create_all(engine)
    floor.create_tables(engine)
    engine.dispose()
