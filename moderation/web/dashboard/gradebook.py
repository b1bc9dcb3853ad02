"""The course's gradebook: the grid, the participation report with its charts, and exports."""

from __future__ import annotations

from datetime import date

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from moderation.extensions import db
from moderation.lms import FORMATS, csv_safe
from moderation.models import Course, Membership
from moderation.services.courses import Permission, allows
from moderation.services.grades import gradebook, participation
from moderation.web.access import course_or_404
from moderation.web.charts import bar_chart
from moderation.web.csv_export import download
from moderation.web.dashboard import bp
from moderation.web.forms import ConfirmForm
from moderation.web.grade_forms import ExportForm
from moderation.web.ids import MAX_ID
from moderation.web.refusals import REFUSALS, shown


def _sorting(allowed: tuple[str, ...], discussion_ids: list[int]) -> tuple[str, bool]:
    """The sort column and direction asked in the query string, or the default."""
    sort = request.args.get("sort", "name")
    columns = allowed if not discussion_ids else (*allowed, *(f"d{i}" for i in discussion_ids))
    return (sort if sort in columns else "name"), request.args.get("dir") == "desc"


@bp.get("/courses/<int:course_id>/grades")
def gradebook_grid(course_id: int) -> ResponseReturnValue:
    """Students × discussions, with totals and the class average; sortable, by section."""
    course, membership = course_or_404(course_id, staff=True)
    ids = [d.id for d in course.discussions]
    sort, descending = _sorting(gradebook.GRID_SORTS, ids)
    section = request.args.get("section") or None
    grid = gradebook.grid(course, section=section, sort=sort, descending=descending)
    if section is not None and section not in grid.sections:
        abort(404)
    return render_template("grading/grid.html", course=course, grid=grid, sort=sort,
                           descending=descending, section=section,
                           cells=[_score_cells(row) for row in grid.rows],
                           may_export=allows(membership, Permission.EXPORT))


def _score_cells(row: gradebook.GridRow) -> Markup:
    """A row's score cells as HTML, built here: 20,000 cells through a template loop
    take most of the page's time. Only formatted numbers go in, so nothing needs escaping."""
    cells = []
    for score, released in zip(row.scores, row.released, strict=True):
        if score is None:
            cells.append('<td class="num muted">—</td>')
        else:
            shown = csv_safe.number(score)
            cells.append(f'<td class="num">{shown}</td>' if released
                         else f'<td class="num unreleased">{shown}</td>')
    return Markup("".join(cells))  # noqa: S704 - numbers only, see above


def _discussion_filter(course: Course) -> int | None:
    """The discussion the report is narrowed to (`?discussion=ID`), if any."""
    raw = request.args.get("discussion", "")
    if not raw:
        return None
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_ID:
        abort(404)
    if int(raw) not in {d.id for d in course.discussions}:
        abort(404)
    return int(raw)


@bp.get("/courses/<int:course_id>/participation")
def participation_report(course_id: int) -> ResponseReturnValue:
    """Per student: posts, replies received, words, reading grade, times, late, flags, score."""
    course, membership = course_or_404(course_id, staff=True)
    discussion_id = _discussion_filter(course)
    sort, descending = _sorting(tuple(participation.REPORT_COLUMNS), [])
    report = participation.participation(course, discussion_id=discussion_id, sort=sort,
                                     descending=descending)
    histograms = [(h, bar_chart([f"{10 * i}–{10 * i + 10}%" for i in range(10)], [h.bins],
                                width=420, height=150, every=2))
                  for h in report.histograms]
    every = max(1, len(report.days) // 12)
    timeline = bar_chart([_day(d) for d, _, _ in report.days],
                         [[r for _, r, _ in report.days], [r for _, _, r in report.days]],
                         every=every) if report.days else None
    return render_template(
        "grading/participation.html", course=course, report=report, sort=sort,
        descending=descending, discussion_id=discussion_id, histograms=histograms,
        timeline=timeline, columns=participation.REPORT_COLUMNS, confirm=ConfirmForm(),
        may_export=allows(membership, Permission.EXPORT))


def _day(day: date) -> str:
    return f"{day:%-d %b}"


@bp.post("/courses/<int:course_id>/participation.csv")
def participation_csv(course_id: int) -> ResponseReturnValue:
    """The participation report as a CSV file (recorded in the audit log)."""
    course, _ = course_or_404(course_id, permission=Permission.EXPORT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    discussion_id = _discussion_filter(course)
    report = participation.participation(course, discussion_id=discussion_id)
    participation.record_report_download(course, current_user, discussion_id)
    db.session.commit()
    return download(csv_safe.render(participation.report_rows(report)),
                    f"{course.code}-participation.csv", "text/csv; charset=utf-8")


def _export_form(course: Course) -> ExportForm:
    form = ExportForm()
    form.discussion.choices = [SelectChoice(0, "Every discussion"), *(
        SelectChoice(d.id, d.title) for d in gradebook.columns_of(course))]
    return form


def _export_page(course: Course, membership: Membership, form: ExportForm,
                 status: int = 200) -> ResponseReturnValue:
    return render_template("grading/export.html", course=course, form=form, formats=FORMATS,
                           unmatched=gradebook.unmatched_students(course),
                           released=gradebook.released_count(course),
                           limits=gradebook.limits(course),
                           students=len(gradebook.roster_of(course))), status


@bp.get("/courses/<int:course_id>/export")
def export_page(course_id: int) -> ResponseReturnValue:
    """A button per format, and which students each LMS may not match."""
    course, membership = course_or_404(course_id, permission=Permission.EXPORT)
    return _export_page(course, membership, _export_form(course))


@bp.post("/courses/<int:course_id>/export")
def export_grades(course_id: int) -> ResponseReturnValue:
    """Download the grades in the chosen format (recorded in the audit log)."""
    course, membership = course_or_404(course_id, permission=Permission.EXPORT)
    form = _export_form(course)
    if not form.validate_on_submit():
        return _export_page(course, membership, form, 422)
    try:
        exported = gradebook.export(course, current_user, form.format.data,
                                    discussion_id=form.discussion.data or None,
                                    include_feedback=form.feedback.data,
                                    as_percent=form.as_percent.data)
    except REFUSALS as refusal:
        return _export_page(course, membership, form, shown(form, refusal, "format"))
    db.session.commit()
    return download(exported.data, exported.filename, exported.media_type)
