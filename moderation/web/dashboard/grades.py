"""Grading a discussion: each student's suggestion, score and feedback; release; rubrics."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.blueprints import BlueprintSetupState
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.extensions import db
from moderation.grading import LABELS, LATE_POLICIES, LATE_REPLIES, REPLIES_PARTIAL, line_text
from moderation.models import Discussion, Membership
from moderation.services import courses
from moderation.services.courses import Permission, allows
from moderation.services.grades import rubrics, sheet
from moderation.web.access import course_or_404, discussion_or_404
from moderation.web.dashboard import bp
from moderation.web.forms import ConfirmForm
from moderation.web.grade_forms import GradeForm, ReleaseForm, RubricForm
from moderation.web.refusals import REFUSALS, shown


def _row_form(row: sheet.Row, back: str = "sheet") -> GradeForm:
    """A row's form showing the grade as stored (never bound to the request)."""
    grade = row.grade
    return GradeForm(formdata=None, prefix=f"g{row.student.id}", data={
        "score": grade.score if grade else None,
        "quality": grade.quality_points if grade else None,
        "feedback": grade.feedback if grade else "", "version": row.version, "back": back})


def _release_form(row: sheet.Row, back: str = "sheet") -> ReleaseForm:
    # `awaiting`: the comments awaiting moderation the button says it releases anyway.
    return ReleaseForm(formdata=None, prefix=f"r{row.student.id}",
                       data={"version": row.version, "back": back, "awaiting": row.pending})


def _sheet(discussion: Discussion, membership: Membership, *, status: int = 200,
           bound: GradeForm | None = None, bound_release: ReleaseForm | None = None,
           student_id: int | None = None, action_error: str | None = None) -> ResponseReturnValue:
    """The grading page; a form that was refused is shown as typed, beside its row."""
    rows = sheet.sheet(discussion)
    forms = {row.student.id: (bound if bound is not None and row.student.id == student_id
                              else _row_form(row)) for row in rows}
    releases = {row.student.id: (bound_release if bound_release is not None
                                 and row.student.id == student_id else _release_form(row))
                for row in rows}
    return render_template(
        "grading/sheet.html", discussion=discussion, rows=rows, forms=forms,
        releases=releases, rubric=rubrics.rubric_of(discussion), confirm=ConfirmForm(),
        may_release=allows(membership, Permission.MANAGE), action_error=action_error,
        may_export=allows(membership, Permission.EXPORT)), status


@bp.get("/discussions/<int:discussion_id>/grades")
def grading_sheet(discussion_id: int) -> ResponseReturnValue:
    """Every enrolled student: comments a click away, suggestion, score, feedback."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    return _sheet(discussion, membership)


def _student_page(discussion: Discussion, membership: Membership, student_id: int, *,
                  status: int = 200, form: GradeForm | None = None,
                  release: ReleaseForm | None = None) -> ResponseReturnValue:
    """One student's comments in the discussion, their suggestion and their grade."""
    rows = sheet.sheet(discussion)
    index = next((i for i, r in enumerate(rows) if r.student.id == student_id), None)
    if index is None:
        abort(404)
    row = rows[index]
    return render_template(
        "grading/student.html", discussion=discussion, row=row,
        form=form or _row_form(row, "student"), release=release or _release_form(
            row, "student"),
        comments=sheet.student_comments(discussion, student_id),
        previous=rows[index - 1].student if index > 0 else None,
        following=rows[index + 1].student if index + 1 < len(rows) else None,
        rubric=rubrics.rubric_of(discussion),
        may_release=allows(membership, Permission.MANAGE)), status


@bp.get("/discussions/<int:discussion_id>/grades/<int:student_id>")
def grading_student(discussion_id: int, student_id: int) -> ResponseReturnValue:
    """One student's comments and grade, with links to the previous and next student."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    return _student_page(discussion, membership, student_id)


def _back_to(discussion: Discussion, student_id: int, back: str) -> ResponseReturnValue:
    if back == "student" and request.form.get("then") == "next":  # "Save and next"
        ids = [m.user_id for m in courses.students(discussion.course)]  # the page's order
        if student_id in ids and ids.index(student_id) + 1 < len(ids):
            student_id = ids[ids.index(student_id) + 1]
    if back == "student":
        return redirect(url_for("dashboard.grading_student", discussion_id=discussion.id,
                                student_id=student_id), code=303)
    return redirect(url_for("dashboard.grading_sheet", discussion_id=discussion.id,
                            _anchor=f"student-{student_id}"), code=303)


@bp.post("/discussions/<int:discussion_id>/grades/<int:student_id>")
def save_grade(discussion_id: int, student_id: int) -> ResponseReturnValue:
    """Save one student's score, quality and feedback, unless the page was stale."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    form = GradeForm(prefix=f"g{student_id}")
    back = form.back.data if form.back.data in ("sheet", "student") else "sheet"
    if form.validate_on_submit():
        entry = sheet.GradeEntry(
            score=float(form.score.data) if form.score.data is not None else None,
            feedback=form.feedback.data, version=form.version.data,
            quality=float(form.quality.data) if form.quality.data is not None else None)
        try:
            grade, changed = sheet.save_grade(discussion, student_id, current_user, entry)
        except REFUSALS as refusal:
            status = shown(form, refusal, "score")
        else:
            db.session.commit()
            name = grade.student.display_name
            flash(f"Saved {name}'s grade." if changed else f"Nothing changed for {name}.",
                  "success" if changed else "info")
            return _back_to(discussion, student_id, back)
    else:
        status = 422
    if back == "student":
        return _student_page(discussion, membership, student_id, status=status, form=form)
    return _sheet(discussion, membership, status=status, bound=form, student_id=student_id)


@bp.post("/discussions/<int:discussion_id>/grades/accept")
def accept_suggestions(discussion_id: int) -> ResponseReturnValue:
    """Give every ungraded student their suggested score."""
    discussion, _ = discussion_or_404(discussion_id, staff=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    outcome = sheet.accept_suggestions(discussion, current_user)
    db.session.commit()
    accepted, zeros = len(outcome.grades), outcome.posted_nothing
    flash(f"Accepted {accepted} suggested score{'s' if accepted != 1 else ''}"
          + (f" ({zeros} who posted nothing got 0)." if zeros else "."), "success")
    _left_alone(outcome, "accepted")
    # Releasing is what usually comes next: the page opens with the focus on its button.
    return redirect(url_for("dashboard.grading_sheet", discussion_id=discussion.id,
                            _anchor="release"), code=303)


def _left_alone(outcome: sheet.Outcome, done: str) -> None:
    """Name the students an action on every grade left alone, and why."""
    if outcome.waiting:
        n = len(outcome.waiting)
        flash(f"Not {done} for {n} student{'s' if n != 1 else ''} whose comments await "
              f"moderation: {sheet.names(outcome.waiting)}. Decide those comments in the "
              "queue first; their suggestions follow the decisions.", "info")


@bp.post("/discussions/<int:discussion_id>/grades/<any(release, unrelease):action>")
def release_all(discussion_id: int, action: str) -> ResponseReturnValue:
    """Release every graded grade of the discussion to its student, or take them all back."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        outcome = sheet.set_released(discussion, current_user, action == "release")
    except REFUSALS as refusal:  # the sheet shows it above the table: no field to put it by
        db.session.rollback()
        return _sheet(discussion, membership, status=refusal.status,
                      action_error=refusal.message)
    db.session.commit()
    verb = "Released" if action == "release" else "Took back"
    changed = len(outcome.grades)
    flash(f"{verb} {changed} grade{'s' if changed != 1 else ''}.", "success")
    _left_alone(outcome, "released")
    return redirect(url_for("dashboard.grading_sheet", discussion_id=discussion.id), code=303)


@bp.post("/discussions/<int:discussion_id>/grades/<int:student_id>/"
         "<any(release, unrelease):action>")
def release_one(discussion_id: int, student_id: int, action: str) -> ResponseReturnValue:
    """Release one student's grade, or take it back."""
    # Refuse a TA without the right before reading the form: a refusal must not depend on
    # what was posted (sheet.set_released checks the same permission).
    discussion, membership = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    form = ReleaseForm(prefix=f"r{student_id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        sheet.set_released(discussion, current_user, action == "release",
                           student_id=student_id, version=form.version.data,
                           awaiting_seen=form.awaiting.data or 0)
    except REFUSALS as refusal:
        status = shown(form, refusal, "version")
        if form.back.data == "student":
            return _student_page(discussion, membership, student_id, status=status,
                                 release=form)
        return _sheet(discussion, membership, status=status, bound_release=form,
                      student_id=student_id)
    db.session.commit()
    flash("Released the grade." if action == "release" else "Took the grade back.",
          "success")
    return _back_to(discussion, student_id, form.back.data)


# Rubrics -------------------------------------------------------------------------------

def _rubric_page(form: RubricForm, discussion: Discussion | None, course_id: int,
                 status: int = 200) -> ResponseReturnValue:
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    effective = rubrics.rubric_of(discussion) if discussion is not None else None
    return render_template("grading/rubric.html", form=form, course=course,
                           discussion=discussion, effective=effective,
                           confirm=ConfirmForm()), status


@bp.route("/discussions/<int:discussion_id>/rubric", methods=["GET", "POST"])
def discussion_rubric(discussion_id: int) -> ResponseReturnValue:
    """The discussion's rubric: its own points, adding up to its points possible."""
    discussion, _ = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    form = RubricForm()
    if form.validate_on_submit():
        try:
            rubrics.set_discussion_rubric(discussion, current_user, form.document())
        except REFUSALS as refusal:
            return _rubric_page(form, discussion, discussion.course_id,
                                shown(form, refusal, "total"))
        db.session.commit()
        flash("Saved the discussion's rubric; suggestions are up to date.", "success")
        return redirect(url_for("dashboard.grading_sheet", discussion_id=discussion.id),
                        code=303)
    if form.errors:
        return _rubric_page(form, discussion, discussion.course_id, 422)
    form.fill(rubrics.rubric_of(discussion).rubric.to_dict())
    return _rubric_page(form, discussion, discussion.course_id)


@bp.post("/discussions/<int:discussion_id>/rubric/default")
def discussion_rubric_default(discussion_id: int) -> ResponseReturnValue:
    """Drop the discussion's own rubric: the course default applies again, scaled."""
    discussion, _ = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rubrics.set_discussion_rubric(discussion, current_user, None)
    db.session.commit()
    flash("The course's default rubric applies to this discussion again.", "success")
    return redirect(url_for("dashboard.discussion_rubric", discussion_id=discussion.id),
                    code=303)


@bp.route("/courses/<int:course_id>/rubric", methods=["GET", "POST"])
def course_rubric(course_id: int) -> ResponseReturnValue:
    """The course's default rubric, scaled to each discussion without one of its own."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    form = RubricForm()
    if form.validate_on_submit():
        try:
            rubrics.set_course_rubric(course, current_user, form.document())
        except REFUSALS as refusal:
            return _rubric_page(form, None, course.id, shown(form, refusal, "total"))
        db.session.commit()
        flash("Saved the course's default rubric; suggestions are up to date.", "success")
        return redirect(url_for("dashboard.course_rubric", course_id=course.id), code=303)
    if form.errors:
        return _rubric_page(form, None, course.id, 422)
    form.fill(rubrics.checked_rubric(course.rubric).to_dict())
    return _rubric_page(form, None, course.id)


@bp.record_once
def _words(state: BlueprintSetupState) -> None:
    """The grading pages' words, for every template (the student's "My comments" too)."""
    state.app.jinja_env.globals.update(labels=LABELS, replies_partial=REPLIES_PARTIAL,
                                       late_policies=LATE_POLICIES, late_replies=LATE_REPLIES,
                                       line_text=line_text)
