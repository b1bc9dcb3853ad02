"""Command line: thin click commands over the services."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from moderation import db_setup
from moderation.extensions import db
from moderation.services.errors import ServiceError

if TYPE_CHECKING:
    from moderation.models import Course


def _fail(error: ServiceError) -> NoReturn:
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

    from moderation.models import Course
    from moderation.services import roster
    from moderation.services.roster import RosterError

    course = db.session.scalar(select(Course).where(Course.code == course_code))
    if course is None:
        raise click.ClickException(f"No course with code {course_code}.")
    try:
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
        _fail(error)
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


def _read_text(stream: IO[bytes], what: str) -> str:
    """Decode a file as UTF-8 exactly as given (no newline translation, so spans match)."""
    try:
        return stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.BadParameter(f"{what} is not UTF-8 text: {exc}") from None


@click.command("analyze")
@click.argument("file", type=click.File("rb"), default="-")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--policy", "policy_file", type=click.File("rb"),
              help="A policy JSON file (a partial policy is fine).")
@click.option("--prompt", "prompt_file", type=click.File("rb"),
              help="The discussion prompt, for the copied and spelling rules.")
@click.option("--reply", is_flag=True, help="Use the reply word range.")
def analyze_command(file: IO[bytes], as_json: bool, policy_file: IO[bytes] | None,
                    prompt_file: IO[bytes] | None, reply: bool) -> None:
    """Print a text's metrics, findings and decision (FILE, or - for standard input)."""
    import json

    from moderation.analysis import Context, Policy, PolicyError, analyze
    from moderation.analysis.pipeline import public_metrics

    text = _read_text(file, "the input")
    try:
        policy = Policy.from_json(_read_text(policy_file, "the policy")) if policy_file \
            else Policy()
    except PolicyError as error:
        raise click.BadParameter(str(error), param_hint="--policy") from None
    prompt = _read_text(prompt_file, "the prompt") if prompt_file else ""
    result = analyze(text, Context(is_reply=reply, prompt=prompt), policy)
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False))
        return
    click.echo("Metrics")
    for key, value in public_metrics(result.metrics).items():
        click.echo(f"  {key:<30} {value}")
    click.echo("Findings" if result.findings else "Findings: none")
    for finding in result.findings:
        click.echo(f"  [{finding.severity}] {finding.rule}: {finding.message}")
        if finding.advice:
            click.echo(f"      advice: {finding.advice}")
        measured = []
        if finding.value is not None:
            measured.append(f"value {finding.value:g}")
        if finding.threshold is not None:
            measured.append(f"threshold {finding.threshold:g}")
        if measured:
            click.echo(f"      {', '.join(measured)}")
        for start, end in finding.spans[:10]:
            excerpt = text[start:end].replace("\n", " ")
            excerpt = excerpt if len(excerpt) <= 60 else excerpt[:57] + "…"
            click.echo(f"      at {start}-{end}: {excerpt!r}")
    click.echo(f"Decision: {result.decision}")


@click.command("rescore")
@click.option("--course", "course_code", help="Only this course (its code).")
@click.option("--batch-size", default=500, show_default=True, type=click.IntRange(1, 5000))
@click.option("--jobs", type=click.IntRange(1, 64),
              help="Worker processes that check batches (default: the cores, for 5,000 "
                   "comments or more; else 1).")
@with_appcontext
def rescore_command(course_code: str | None, batch_size: int, jobs: int | None) -> None:
    """Re-run analysis over stored comments; never overturns an instructor's decision."""
    import os

    from flask import current_app
    from sqlalchemy import select

    from moderation.models import Course
    from moderation.services.comments import rescore

    # Reads begin deferred, so the web's writers are not kept waiting while batches are
    # read and checked; each batch's writes take the lock only for themselves.
    db_setup.set_read_only(True)
    course_id = None
    if course_code:
        course_id = db.session.scalar(select(Course.id).where(Course.code == course_code))
        if course_id is None:
            raise click.ClickException(f"No course with code {course_code}.")
    total = rescore.count(course_id)
    jobs = jobs or (min(os.cpu_count() or 1, 4) if total >= 5000 else 1)
    ranges = rescore.ranges(course_id, batch_size)
    if jobs > 1:
        from moderation import workers

        config = {key: current_app.config[key]
                  for key in ("SQLALCHEMY_DATABASE_URI", "SECRET_KEY")}
        batches = workers.checked_batches(config, course_id, ranges, jobs)
    else:
        scopes = rescore.Scopes()
        batches = (rescore.check_range(course_id, first, last, scopes)
                   for first, last in ranges)
    totals = rescore.RescoreTotals()
    with click.progressbar(length=total, label=f"Rescoring ({jobs} processes)",
                           file=sys.stderr) as bar:
        for changes in batches:
            db_setup.begin_write()
            totals.add(rescore.write(changes))
            db.session.commit()  # one transaction per batch: short write locks
            db_setup.set_read_only(True)
            bar.update(len(changes))
    click.echo("", err=True)
    db_setup.set_read_only(False)
    db.session.commit()  # ends the last read; what follows writes
    rescore.record(totals, course_id)
    db.session.commit()
    # The suggestions of the students each batch moved were refreshed as it committed.
    click.echo(f"Rescored {totals.comments} comments: flags changed on {totals.flags_changed}; "
               f"decisions changed on {totals.decisions_changed} ({totals.held} now held, "
               f"{totals.released} released); {totals.kept_decisions} instructor decisions "
               "left as they were.")


def _course(course_code: str) -> Course:
    from sqlalchemy import select

    from moderation.models import Course

    course = db.session.scalar(select(Course).where(Course.code == course_code))
    if course is None:
        raise click.ClickException(f"No course with code {course_code}.")
    return course


PROGRESS_FROM = 500  # students: a bar for a large course, silence for a small one


@click.command("export-grades")
@click.argument("course_code")
@click.option("--format", "format_name", required=True,
              type=click.Choice(["canvas", "moodle", "blackboard", "generic"]),
              help="The gradebook format of your LMS.")
@click.option("--discussion", "discussion_id", type=click.IntRange(1, 2**31 - 1),
              help="Only this discussion (its id); default: every discussion.")
@click.option("--feedback", is_flag=True, help="Moodle: add a feedback column per discussion.")
@click.option("--percent", "as_percent", is_flag=True,
              help="Moodle: scores as percentages of each discussion's points (Moodle refuses "
                   "grades above 100 by default).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@with_appcontext
def export_grades_command(course_code: str, format_name: str, discussion_id: int | None,
                          feedback: bool, as_percent: bool, output: Path | None) -> None:
    """Export a course's grades for an LMS (standard output unless -o); recorded in the log."""
    import io

    from moderation.lms import csv_safe
    from moderation.services.grades import gradebook

    course = _course(course_code)
    try:
        fmt, book = gradebook.prepare(course, None, format_name, discussion_id, feedback,
                                      as_percent)
    except ServiceError as error:
        _fail(error)
    sys.stdout.flush()
    binary: IO[bytes] = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
    out = io.TextIOWrapper(binary, encoding="utf-8", newline="")
    rows = fmt.rows(book)
    try:
        if len(book.students) >= PROGRESS_FROM:
            with click.progressbar(length=len(book.students), label="Exporting",
                                   file=sys.stderr) as bar:
                csv_safe.write(_counted(rows, bar), out, delimiter=fmt.DELIMITER, bom=fmt.BOM)
        else:
            csv_safe.write(rows, out, delimiter=fmt.DELIMITER, bom=fmt.BOM)
        out.flush()
    finally:
        out.detach()
        if output:
            binary.close()
    gradebook.record_export(course, None, fmt, book, discussion_id)
    db.session.commit()
    students, columns = len(book.students), len(book.assignments)
    click.echo(f"Wrote {students} student{'s' if students != 1 else ''} × {columns} "
               f"discussion{'s' if columns != 1 else ''} ({fmt.LABEL})"
               f"{f' to {output}' if output else ''}.", err=True)


def _counted(rows: Iterator[list[str]], bar: Any) -> Iterator[list[str]]:
    """Pass rows through, moving the bar once per student row."""
    for row in rows:
        yield row
        bar.update(1)


@click.command("refresh-suggestions")
@click.option("--course", "course_code", help="Only this course (its code).")
@with_appcontext
def refresh_suggestions_command(course_code: str | None) -> None:
    """Recompute every stored suggested score (after an upgrade); scores people set stay."""
    count = _refresh_suggestions([_course(course_code)] if course_code else None)
    click.echo(f"Refreshed the suggestions of {count} discussions.")


def _refresh_suggestions(chosen: list[Course] | None) -> int:
    """Recompute the suggestions of these courses' discussions (None: every course)."""
    from sqlalchemy import select

    from moderation.models import Course
    from moderation.services.grades import derived

    if chosen is None:
        chosen = list(db.session.scalars(select(Course).order_by(Course.id)))
    count = 0
    for course in chosen:
        for discussion in course.discussions:
            # Marked as a change would mark it; the commit refreshes it (services.grades.derived).
            derived.touched_discussions([discussion.id])
            db.session.commit()  # one discussion per transaction: short write locks
            count += 1
    return count


@click.command("backup")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Copy the live database consistently to PATH (or instance/backups/); PostgreSQL: pg_dump."""
    from flask import current_app

    from moderation import backup

    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        click.echo("On PostgreSQL, pg_dump takes a consistent copy while the server runs:")
        click.echo("  " + backup.pg_dump_command(url, str(path or "moderation.dump")))
        click.echo("(the password comes from PGPASSWORD or ~/.pgpass, never the command line)")
        return
    live = backup.sqlite_file(url)
    if live is None:
        raise click.ClickException(f"Cannot back up {url.get_backend_name()} databases.")
    target = path or backup.default_target(current_app.instance_path)
    try:
        copied = backup.backup_sqlite(live, target)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {live} to {copied.path} ({copied.size:,} bytes, schema "
               f"{copied.revision}). It holds student records: keep it private.")


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database with the backup.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Bring back a backup made by `moderation backup`; stop the server first."""
    from flask import current_app

    from moderation import backup

    url = db.engine.url
    if url.get_backend_name() == "postgresql":
        click.echo("On PostgreSQL, with the server stopped:")
        click.echo("  " + backup.pg_restore_command(url, str(path)))
        return
    live = backup.sqlite_file(url)
    if live is None:
        raise click.ClickException(f"Cannot restore {url.get_backend_name()} databases.")
    try:
        held = backup.check_backup(path, backup.known_revisions(
            current_app.extensions["migrate"].directory))
        if not yes:
            raise backup.BackupError(
                f"This replaces {live} with {path} (schema {held}): everything written "
                "since that backup is lost and users signed in since then must sign in "
                "again. Stop the server, then run again with --yes.")
        db.engine.dispose()  # this command's own connections, before the file changes
        kept = backup.restore_sqlite(path, live, backup.default_target(
            current_app.instance_path, "before-restore"))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    upgrade()  # a backup from an older version is migrated to this code's schema
    if kept is not None:
        click.echo(f"The database as it was is kept in {kept.path}.")
    click.echo(f"Restored {path} into {live}. Start the server again.")


@click.command("grants")
@click.argument("role")
@with_appcontext
def grants_command(role: str) -> None:
    """Print the GRANTs for running the app as ROLE on PostgreSQL (a role that owns nothing)."""
    from moderation.db_grants import grant_statements

    url = db.engine.url
    if url.get_backend_name() != "postgresql":
        raise click.ClickException("Roles and grants are PostgreSQL's; SQLite has none.")
    click.echo(f"-- Run as the owner of the tables (who runs `moderation init-db`), then run "
               f"the app with DATABASE_URL naming {role}. Run again after each upgrade.")
    for statement in grant_statements(db.metadata, url.database or "", role):
        click.echo(statement)


def init_app(app: Flask) -> None:
    """Attach the commands to the app's CLI group."""
    for command in (init_db_command, seed_demo_command, create_instructor_command,
                    reset_password_command, import_roster_command, activation_link_command,
                    analyze_command, rescore_command, export_grades_command,
                    refresh_suggestions_command):
        app.cli.add_command(command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    from moderation.cli_jobs import jobs_group, worker_command
    from moderation.cli_lti import lti_group

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
