"""Commands for the database itself: back it up, restore a backup, print a role's GRANTs."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from flask_migrate import upgrade

from moderation.extensions import db


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
