"""Commands for grades: export them for an LMS, refresh the stored suggestions."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
from flask.cli import with_appcontext

from moderation.cli import fail
from moderation.extensions import db
from moderation.services.errors import ServiceError

if TYPE_CHECKING:
    from moderation.models import Course

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
    from moderation.services import courses
    from moderation.services.grades import gradebook

    try:
        course = courses.course_by_code(course_code)
    except ServiceError as error:
        fail(error)
    try:
        fmt, book = gradebook.prepare(course, None, format_name, discussion_id, feedback,
                                      as_percent)
    except ServiceError as error:
        fail(error)
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
    from moderation.services import courses

    try:
        chosen = [courses.course_by_code(course_code)] if course_code else None
    except ServiceError as error:
        fail(error)
    count = _refresh_suggestions(chosen)
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
