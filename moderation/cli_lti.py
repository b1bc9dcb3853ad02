"""`moderation lti …`: register LMSs, print what to paste into them, rotate keys, send."""

from __future__ import annotations

import json
from datetime import timedelta

import click
from flask import current_app, url_for
from flask.cli import with_appcontext

from moderation.extensions import db
from moderation.lti.messages import canvas_config
from moderation.services.errors import ServiceError
from moderation.services.lti import keys as lti_keys
from moderation.services.lti import platforms as lti_platforms
from moderation.services.lti import sync as lti_sync


def _fail(error: ServiceError) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(error.message)


@click.group("lti")
def lti_group() -> None:
    """LTI 1.3: the LMSs that launch this tool."""


@lti_group.command("add-platform")
@click.option("--issuer", required=True, help="The LMS's issuer (iss).")
@click.option("--client-id", required=True, help="The client id the LMS gave the tool.")
@click.option("--deployment-id", "deployment_ids", multiple=True, required=True,
              help="A deployment id (repeat for several).")
@click.option("--auth-url", required=True, help="The LMS's OIDC authorization endpoint.")
@click.option("--token-url", required=True, help="The LMS's OAuth 2 token endpoint.")
@click.option("--jwks-url", required=True, help="The LMS's public key set (JWKS) URL.")
@click.option("--name", help="A name for people (default: the issuer).")
@click.option("--frame-origin", "frame_origins", multiple=True,
              help="Another origin the LMS frames the tool from (Canvas: the school's host).")
@with_appcontext
def add_platform_command(issuer: str, client_id: str, deployment_ids: tuple[str, ...],
                         auth_url: str, token_url: str, jwks_url: str, name: str | None,
                         frame_origins: tuple[str, ...]) -> None:
    """Register an LMS that may launch this tool."""
    try:
        platform = lti_platforms.add_platform(
            issuer=issuer, client_id=client_id, deployment_ids=deployment_ids,
            auth_url=auth_url, token_url=token_url, jwks_url=jwks_url, name=name,
            frame_origins=frame_origins)
        db.session.commit()
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"Registered platform {platform.id}: {platform.name} ({platform.issuer}, "
               f"client {platform.client_id}, {len(platform.deployments)} deployment(s)).")


@lti_group.command("list-platforms")
@with_appcontext
def list_platforms_command() -> None:
    """List the registered LMSs."""
    found = lti_platforms.platforms()
    if not found:
        click.echo("No platform is registered. Add one with `moderation lti add-platform`.")
    for p in found:
        deployments = ", ".join(d.deployment_id for d in p.deployments)
        click.echo(f"{p.id}\t{p.name}\tissuer={p.issuer}\tclient_id={p.client_id}\t"
                   f"deployments={deployments}\tjwks={p.jwks_url}")


@lti_group.command("remove-platform")
@click.argument("platform_id", type=int)
@click.option("--yes", is_flag=True, help="Remove without asking.")
@with_appcontext
def remove_platform_command(platform_id: int, yes: bool) -> None:
    """Remove a registered LMS: its launches stop; courses, accounts and grades stay."""
    if not yes:
        click.confirm(f"Remove platform {platform_id}? Its launches stop working", abort=True)
    try:
        platform = lti_platforms.remove_platform(platform_id)
        db.session.commit()
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"Removed platform {platform_id} ({platform.issuer}).")


def endpoints() -> dict[str, str]:
    """The tool's URLs an LMS needs, built from SERVER_NAME."""
    if not current_app.config.get("SERVER_NAME"):
        raise click.ClickException("Set MODERATION_SERVER_NAME (and PREFERRED_URL_SCHEME=https) "
                                   "first: the LMS needs this site's full addresses.")
    return {"login": url_for("lti.login", _external=True),
            "launch": url_for("lti.launch", _external=True),
            "jwks": url_for("lti.jwks", _external=True),
            "base": url_for("discussions.home", _external=True).rstrip("/"),
            "domain": str(current_app.config["SERVER_NAME"]).split(":")[0]}


@lti_group.command("show-config")
@click.option("--canvas-json", is_flag=True, help="Print only Canvas's developer key JSON.")
@with_appcontext
def show_config_command(canvas_json: bool) -> None:
    """Print what an admin pastes into the LMS: URLs, placements, Canvas's JSON."""
    urls = endpoints()
    lti_keys.ensure_key()
    db.session.commit()
    canvas = canvas_config(
        title="moderation", description="Discussions, moderated and graded.",
        base_url=urls["base"], login_url=urls["login"], launch_url=urls["launch"],
        jwks_url=urls["jwks"], domain=urls["domain"])
    if canvas_json:
        click.echo(json.dumps(canvas, indent=2))
        return
    click.echo(f"Login initiation URL (OIDC):  {urls['login']}")
    click.echo(f"Redirect URI(s):              {urls['launch']}")
    click.echo(f"Target link / launch URL:     {urls['launch']}")
    click.echo(f"Deep linking URL:             {urls['launch']}")
    click.echo(f"Public keyset (JWKS) URL:     {urls['jwks']}")
    click.echo("Placements:                   deep linking (link / assignment selection), "
               "course navigation")
    click.echo("Services:                     Assignment and Grade Services (scores, line "
               "items), Names and Role Provisioning Services")
    click.echo("Send the user's name and email: yes (names show on grading pages; the email "
               "is kept for reading and never signs anyone in).")
    click.echo("\nCanvas (Developer Keys → + LTI Key → Method: Paste JSON):")
    click.echo(json.dumps(canvas, indent=2))


@lti_group.command("rotate-key")
@click.option("--grace-days", default=lti_keys.DEFAULT_GRACE_DAYS, show_default=True,
              type=click.IntRange(0, 365),
              help="Days the old keys stay published for LMSs that cached them.")
@with_appcontext
def rotate_key_command(grace_days: int) -> None:
    """Add a new signing key; the old ones are retired after the grace period."""
    try:
        new, retiring = lti_keys.rotate(timedelta(days=grace_days))
        db.session.commit()
    except ServiceError as error:
        raise _fail(error) from None
    click.echo(f"Signing with key {new.kid} from now on; "
               f"{len(retiring)} older key(s) published for {grace_days} more day(s).")


@lti_group.command("sync")
@with_appcontext
def sync_command() -> None:
    """Send every waiting score and read every waiting roster (run it from cron)."""
    report = lti_sync.send_waiting()
    s, r = report.scores, report.rosters
    click.echo(f"Scores: {s.get('sent', 0)} sent, {s.get('retrying', 0)} to retry, "
               f"{s.get('failed', 0)} failed. Rosters: {r.get('synced', 0)} read, "
               f"{r.get('retrying', 0)} to retry, {r.get('failed', 0)} failed.")
