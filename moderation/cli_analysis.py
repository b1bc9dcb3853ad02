"""Commands for the analysis: check a text (`moderation analyze`), and rescore stored
comments (`moderation rescore`, a batch per transaction, in worker processes)."""

from __future__ import annotations

import sys
from typing import IO

import click
from flask.cli import with_appcontext

from moderation import db_setup
from moderation.cli import fail
from moderation.extensions import db
from moderation.services.errors import ServiceError


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
    from moderation.analysis.rules import known_rules_only

    text = _read_text(file, "the input")
    try:
        policy = known_rules_only(Policy.from_json(_read_text(policy_file, "the policy"))) \
            if policy_file else Policy()
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

    from moderation.services import courses
    from moderation.services.comments import rescore
    from moderation.services.grades import derived

    # Reads begin deferred, so the web's writers are not kept waiting while batches are
    # read and checked; each batch's writes take the lock only for themselves.
    db_setup.set_read_only(True)
    try:
        course_id = courses.course_by_code(course_code).id if course_code else None
    except ServiceError as error:
        fail(error)
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
            # Each batch marks the suggestions it moved (as a submit does) rather than
            # refreshing them: a student's comments come in many batches, and a refresh
            # reads all of them, so refreshing per batch did each one several times (about
            # half the command's own CPU at 100,000 comments). Readers of the stored copy
            # refresh what is marked first; the command refreshes the rest below.
            derived.defer()
            db.session.commit()  # one transaction per batch: short write locks
            db_setup.set_read_only(True)
            bar.update(len(changes))
    click.echo("", err=True)
    db_setup.set_read_only(False)
    db.session.commit()  # ends the last read; what follows writes
    rescore.record(totals, course_id)
    db.session.commit()
    # The marked suggestions (the batches', and any a submit left meanwhile), each
    # refreshed once, a batch of them per transaction.
    for _ in derived.catch_up_in_batches():
        db.session.commit()
    click.echo(f"Rescored {totals.comments} comments: flags changed on {totals.flags_changed}; "
               f"decisions changed on {totals.decisions_changed} ({totals.held} now held, "
               f"{totals.released} released); {totals.kept_decisions} instructor decisions "
               "left as they were.")
