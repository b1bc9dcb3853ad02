"""Command line: thin click commands over the services."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from moderation.extensions import db
from moderation.services.errors import ServiceError


def _fail(error: ServiceError) -> None:
    db.session.rollback()
    raise click.ClickException(error.message)


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database, or migrate it to the latest schema."""
    upgrade()
    click.echo(f"Database ready: {db.engine.url.render_as_string(hide_password=True)}")


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Load the demo course DEMO101 on first run and print how to sign in."""
    from moderation.services import demo

    result = demo.seed_demo()
    db.session.commit()
    click.echo("")
    if result.created:
        click.echo(f"Loaded the demo course {demo.DEMO_CODE}. Passwords are shown only now:")
    else:
        click.echo(f"The demo course {demo.DEMO_CODE} is loaded.")
    for role, email, password in (
        ("instructor", demo.INSTRUCTOR_EMAIL, result.instructor_password),
        ("student   ", demo.STUDENT_EMAIL, result.student_password),
    ):
        shown = password or (
            "(printed on first run; `moderation reset-password EMAIL` sets a new one)")
        click.echo(f"  Sign in as the {role}: {email}  password: {shown}")
    click.echo(f"  Students join with the code {result.course.join_code}.")
    click.echo("")


@click.command("create-instructor")
@click.argument("email")
@click.option("--name", prompt="Display name", help="The instructor's name as students see it.")
@with_appcontext
def create_instructor_command(email: str, name: str) -> None:
    """Create an instructor account (who may create courses) and print its password once."""
    from moderation.services import accounts

    password = accounts.generate_password()
    try:
        user = accounts.find_user(email)
        if user is None:
            user = accounts.create_user(email, name, password, can_create_courses=True)
        else:
            user.can_create_courses = True
            accounts.set_password(user, password)
        db.session.commit()
    except ServiceError as error:
        _fail(error)
    click.echo(f"Instructor {user.email} can sign in with password: {password}")


@click.command("reset-password")
@click.argument("email")
@with_appcontext
def reset_password_command(email: str) -> None:
    """Give a user a new generated password and print it once."""
    from moderation.services import accounts

    try:
        user, password = accounts.reset_password(email)
        db.session.commit()
    except ServiceError as error:
        _fail(error)
    click.echo(f"New password for {user.email}: {password}")


@click.command("import-roster")
@click.argument("course_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--email-domain", help="Build emails from SIS Login IDs that are usernames.")
@with_appcontext
def import_roster_command(course_code: str, file: Path, email_domain: str | None) -> None:
    """Import a roster (Canvas gradebook export or name,email,section,sis id CSV)."""
    from sqlalchemy import select

    from moderation.models import Course, Membership, Role
    from moderation.services import roster
    from moderation.services.roster import RosterError

    course = db.session.scalar(select(Course).where(Course.code == course_code))
    if course is None:
        raise click.ClickException(f"No course with code {course_code}.")
    actor = db.session.scalars(
        select(Membership).where(Membership.course_id == course.id,
                                 Membership.role == Role.INSTRUCTOR)
    ).first()
    try:
        result = roster.import_roster(course, file.read_bytes(), actor.user if actor else None,
                                      email_domain=email_domain)
        db.session.commit()
    except RosterError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        raise click.ClickException("Nothing was imported.") from None
    click.echo(f"Imported a {result.format} roster into {course.code}: {result.added} added, "
               f"{result.updated} updated, {result.unchanged} unchanged.")


def init_app(app: Flask) -> None:
    """Attach the commands to the app's CLI group."""
    for command in (init_db_command, seed_demo_command, create_instructor_command,
                    reset_password_command, import_roster_command):
        app.cli.add_command(command)


def main() -> None:
    """Entry point of the `moderation` console script."""
    from moderation import create_app

    cli = FlaskGroup(create_app=create_app, help="moderation: discussion moderation and grading.")
    sys.exit(cli.main())
