"""Command line: thin click commands over the services (parse, call a service, print).

Here: the database's creation, the demo, accounts and rosters; the rest by idea in
cli_analysis (analyze, rescore), cli_grades (export, suggestions), cli_backup (backup,
restore, grants), cli_jobs (the worker) and cli_lti (`moderation lti …`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from moderation.extensions import db
from moderation.services.errors import ServiceError

if TYPE_CHECKING:
    pass


def fail(error: ServiceError) -> NoReturn:
    """Roll back and stop the command with the refusal's message."""
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
    click.echo(f"  A new student signs up at /signup with the join code {result.course.join_code}.")
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
            user = accounts.create_user(email, name, password, can_create_courses=True,
                                            verified=True)
        else:
            user.can_create_courses = True
            accounts.set_password(user, password)
        db.session.commit()
    except ServiceError as error:
        fail(error)
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
        fail(error)
    click.echo(f"New password for {user.email}: {password}")


@click.command("import-roster")
@click.argument("course_code")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--email-domain", help="Build emails from SIS Login IDs that are usernames.")
@with_appcontext
def import_roster_command(course_code: str, file: Path, email_domain: str | None) -> None:
    """Import a roster (Canvas gradebook export or name,email,section,sis id CSV)."""
    from moderation.services import courses, roster
    from moderation.services.roster import RosterError

    try:
        course = courses.course_by_code(course_code)
        result = roster.import_roster(course, file.read_bytes(), None,
                                      email_domain=email_domain)
        db.session.commit()
    except RosterError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(problem, err=True)
        if error.more:
            click.echo(f"…and {error.more:,} more.", err=True)
        raise click.ClickException("Nothing was imported.") from None
    except ServiceError as error:
        fail(error)
    click.echo(f"Imported a {result.format} roster into {course.code}: {result.added} added, "
               f"{result.updated} updated, {result.unchanged} unchanged.")
    if result.existing_accounts:
        click.echo(f"{len(result.existing_accounts)} already had an account and are now "
                   "enrolled: " + ", ".join(result.existing_accounts))


@click.command("activation-link")
@click.argument("email")
@with_appcontext
def activation_link_command(email: str) -> None:
    """Print a one-time activation link for an account nobody has activated yet."""
    from flask import current_app, url_for

    from moderation.services import accounts

    user = accounts.find_user(email)
    if user is None or user.password_hash is not None:
        raise click.ClickException(f"No account waiting for activation has email {email}.")
    token = accounts.activation_token(user, None)
    if current_app.config.get("SERVER_NAME"):
        click.echo(url_for("auth.activate", token=token, _external=True))
    else:
        click.echo(f"{url_for('auth.activate', token=token)}  (after your site's address; "
                   "set MODERATION_SERVER_NAME to print the whole link)")


def init_app(app: Flask) -> None:
    """Attach the commands to the app's CLI group."""
    from moderation.cli_analysis import analyze_command, rescore_command
    from moderation.cli_backup import backup_command, grants_command, restore_command
    from moderation.cli_grades import export_grades_command, refresh_suggestions_command
    from moderation.cli_jobs import jobs_group, worker_command
    from moderation.cli_lti import lti_group

    for command in (init_db_command, seed_demo_command, create_instructor_command,
                    reset_password_command, import_roster_command, activation_link_command,
                    analyze_command, rescore_command, export_grades_command,
                    refresh_suggestions_command):
        app.cli.add_command(command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)

    app.cli.add_command(lti_group)
    app.cli.add_command(worker_command)
    app.cli.add_command(jobs_group)
    # Beside Flask-Migrate's upgrade and downgrade, as `moderation db grants ROLE`.
    migrations = app.cli.commands.get("db")
    if isinstance(migrations, click.Group):
        migrations.add_command(grants_command)


def main() -> None:
    """Entry point of the `moderation` console script."""
    from moderation import create_app

    cli = FlaskGroup(create_app=create_app, help="moderation: discussion moderation and grading.")
    sys.exit(cli.main())
