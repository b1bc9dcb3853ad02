"""The instructor side of a course: its page, join code, roster and discussions."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    DiscussionState,
    Membership,
    ModerationMode,
    PostFirst,
    Role,
)
from moderation.services import courses, discussions, invitations, roster
from moderation.services.courses import Permission
from moderation.services.roster import RosterError
from moderation.web.access import course_or_404, discussion_or_404
from moderation.web.dashboard import bp
from moderation.web.dashboard.links import activation_links, invitation_links
from moderation.web.forms import (
    ConfirmForm,
    CourseForm,
    DiscussionForm,
    RosterForm,
    TimeZoneForm,
)
from moderation.web.refusals import REFUSALS, shown


@bp.route("/courses/new", methods=["GET", "POST"])
def new_course() -> ResponseReturnValue:
    """Create a course."""
    if not current_user.can_create_courses:
        abort(403, "Only instructors can create courses.")
    form = CourseForm()
    if form.validate_on_submit():
        try:
            course = courses.create_course(current_user, form.title.data, form.code.data,
                                           form.time_zone.data)
        except REFUSALS as refusal:
            status = shown(form, refusal, "code")
            return render_template("dashboard/course_new.html", form=form), status
        db.session.commit()
        flash(f"Created {course.code}. Share the join code {course.join_code} with students.",
              "success")
        return redirect(url_for("dashboard.course", course_id=course.id))
    return render_template("dashboard/course_new.html", form=form), 422 if form.errors else 200


@bp.get("/courses/<int:course_id>")
def course(course_id: int) -> ResponseReturnValue:
    """The course overview: discussions with their queue counts, and the join code."""
    course, membership = course_or_404(course_id, staff=True)
    return course_page(course, membership)


def course_page(course: Course, membership: Membership,
                zone_form: TimeZoneForm | None = None) -> str:
    """The course page; a settings form refused on it comes back with its errors."""
    pending: dict[int, int] = dict(db.session.execute(
        select(Comment.discussion_id, db.func.count())
        .where(Comment.status == CommentStatus.PENDING,
               Comment.discussion_id.in_([d.id for d in course.discussions]))
        .group_by(Comment.discussion_id)
    ).all())
    if zone_form is None:
        zone_form = TimeZoneForm(time_zone=course.time_zone)
    return render_template("dashboard/course.html", course=course, membership=membership,
                           pending=pending, confirm=ConfirmForm(), zone_form=zone_form)


@bp.post("/courses/<int:course_id>/join-code")
def regenerate_join_code(course_id: int) -> ResponseReturnValue:
    """Replace the join code (the old one stops working)."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    code = courses.regenerate_join_code(course, current_user)
    db.session.commit()
    flash(f"The new join code is {code}.", "success")
    return redirect(url_for("dashboard.course", course_id=course.id))


@bp.route("/courses/<int:course_id>/roster", methods=["GET", "POST"])
def roster_page(course_id: int) -> ResponseReturnValue:
    """Show the roster with activation links, and import a roster file."""
    course, membership = course_or_404(
        course_id, permission=Permission.MANAGE if request.method == "POST" else None,
        staff=True)
    form = RosterForm()
    status = 200
    problems: list[str] = []
    more_problems = 0
    if form.validate_on_submit():
        try:
            result = roster.import_roster(course, form.file.data.read(), current_user,
                                          email_domain=form.email_domain.data)
        except RosterError as refusal:  # every problem, listed beside the form
            status = shown(form, refusal, "file")
            problems, more_problems = refusal.problems, refusal.more
        except REFUSALS as refusal:
            status = shown(form, refusal, "file")
        else:
            db.session.commit()
            flash(f"Imported a {result.format} roster: {result.added} added, {result.updated} "
                  f"updated, {result.unchanged} unchanged.", "success")
            if result.invited:
                flash(f"{len(result.invited)} invited ({', '.join(result.invited[:5])}"
                      f"{', …' if len(result.invited) > 5 else ''}): nobody has confirmed "
                      "these addresses, so each student joins when they open their "
                      "invitation link, listed below.", "info")
            if result.existing_accounts:
                flash(f"{len(result.existing_accounts)} already had an account "
                      f"({', '.join(result.existing_accounts[:5])}"
                      f"{', …' if len(result.existing_accounts) > 5 else ''}): they are "
                      "enrolled and will see this course next time they sign in.", "info")
            return redirect(url_for("dashboard.roster_page", course_id=course.id))
    elif form.errors:
        status = 422
    members = courses.roster(course)
    links = activation_links(members)
    invited = invitations.open_for(course, Role.STUDENT)
    return render_template("dashboard/roster.html", course=course, membership=membership,
                           members=members, links=links, invited=invited,
                           invitation_links=invitation_links(invited), form=form,
                           problems=problems, more_problems=more_problems,
                           confirm=ConfirmForm()), status


@bp.post("/courses/<int:course_id>/roster/invitations/<int:invitation_id>/cancel")
def cancel_student_invitation(course_id: int, invitation_id: int) -> ResponseReturnValue:
    """Withdraw a student's invitation: its link stops working."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    invited = invitations.cancel(course, current_user, invitation_id, Role.STUDENT)
    db.session.commit()
    flash(f"The invitation for {invited.email} is cancelled; its link no longer works.",
          "success")
    return redirect(url_for("dashboard.roster_page", course_id=course.id))


def _fields(form: DiscussionForm) -> discussions.DiscussionFields:
    def utc(value: datetime | None) -> datetime | None:
        # CourseDateTimeField already read the course's wall time as a UTC instant.
        return value.astimezone(UTC) if value else None

    return discussions.DiscussionFields(
        title=form.title.data, prompt=form.prompt.data or "",
        opens_at=utc(form.opens_at.data), due_at=utc(form.due_at.data),
        replies_due_at=utc(form.replies_due_at.data),
        post_first=PostFirst(form.post_first.data),
        points_possible=float(form.points_possible.data),
        required_replies=form.required_replies.data, min_words=form.min_words.data,
        max_words=form.max_words.data, reply_min_words=form.reply_min_words.data,
        reply_max_words=form.reply_max_words.data,
        moderation_mode=ModerationMode(form.moderation_mode.data),
        lms_assignment_id=form.lms_assignment_id.data or None,
    )


@bp.route("/courses/<int:course_id>/discussions/new", methods=["GET", "POST"])
def new_discussion(course_id: int) -> ResponseReturnValue:
    """Create a discussion (as a draft)."""
    course, _ = course_or_404(course_id, permission=Permission.MANAGE)
    form = DiscussionForm()
    if form.validate_on_submit():
        try:
            discussions.create_discussion(course, current_user, _fields(form))
        except REFUSALS as refusal:
            shown(form, refusal, "title")
        else:
            db.session.commit()
            flash("Discussion created as a draft; open it when students should see it.",
                  "success")
            return redirect(url_for("dashboard.course", course_id=course.id))
    return _discussion_form(form, course, None)


def _discussion_form(form: DiscussionForm, course: Course,
                     discussion: Discussion | None) -> ResponseReturnValue:
    """The discussion form page; 422 when it carries errors."""
    return render_template("dashboard/discussion_form.html", form=form, course=course,
                           discussion=discussion), 422 if form.errors else 200


@bp.route("/discussions/<int:discussion_id>/edit", methods=["GET", "POST"])
def edit_discussion(discussion_id: int) -> ResponseReturnValue:
    """Edit a discussion's settings."""
    discussion, _ = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    form = DiscussionForm(obj=discussion)
    if not form.is_submitted():
        form.moderation_mode.data = discussion.moderation_mode.value
        form.post_first.data = discussion.post_first.value
        for name in ("opens_at", "due_at", "replies_due_at"):
            value = getattr(discussion, name)
            getattr(form, name).data = value.replace(tzinfo=None) if value else None
    if form.validate_on_submit():
        try:
            discussions.update_discussion(discussion, current_user, _fields(form))
        except REFUSALS as refusal:
            shown(form, refusal, "title")
        else:
            db.session.commit()
            flash("Discussion saved.", "success")
            return redirect(url_for("dashboard.course", course_id=discussion.course_id))
    return _discussion_form(form, discussion.course, discussion)


@bp.post("/discussions/<int:discussion_id>/<any(open, close):action>")
def set_state(discussion_id: int, action: str) -> ResponseReturnValue:
    """Open or close a discussion."""
    discussion, _ = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    state = DiscussionState.OPEN if action == "open" else DiscussionState.CLOSED
    discussions.set_state(discussion, current_user, state)
    db.session.commit()
    flash(f"{discussion.title} is {state.value}.", "success")
    return redirect(url_for("dashboard.course", course_id=discussion.course_id))
