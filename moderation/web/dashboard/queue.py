"""The moderation queue: filtered lists, one comment, decisions, edits and bulk decisions.

Every action is a plain form POST that works without JavaScript; with htmx (vendored)
a decision from the list swaps its row in place and the keyboard moves on.
"""

from __future__ import annotations

from dataclasses import replace

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.analysis.rules import RULE_ORDER
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Membership,
    RejectionReason,
)
from moderation.services import policies
from moderation.services.comments import decisions, queue, revisions
from moderation.services.comments.decisions import Decision
from moderation.services.comments.queue import QueueFilter
from moderation.services.paging import Cursor
from moderation.web.access import course_or_404, discussion_or_404
from moderation.web.dashboard import bp
from moderation.web.forms import (
    BulkDecisionForm,
    ConfirmForm,
    DecisionForm,
    StaffEditForm,
)
from moderation.web.ids import parse_id
from moderation.web.refusals import REFUSALS, shown


def _is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


class RowLinks:
    """The addresses a queue row links to, each built once for the page: the rows differ
    only in the comment's id (url_for for each link of 50 rows was a fifth of the list's
    time)."""

    _SLOT = 1_234_567_890  # an id no row has, where each row puts its own

    def __init__(self, f: QueueFilter) -> None:
        args = f.to_args()
        self._parts: dict[str, tuple[str, str]] = {}
        for name, endpoint in (("open", "dashboard.comment"), ("edit", "dashboard.edit_comment"),
                               ("decide", "dashboard.decide"),
                               ("compare", "dashboard.compare_copy")):
            # The path comes before the query string: the first slot is the id's.
            head, _, tail = url_for(endpoint, comment_id=self._SLOT, **args).partition(
                str(self._SLOT))
            self._parts[name] = (head, tail)

    def __call__(self, name: str, comment_id: int) -> str:
        """The address of this link of this row, as url_for gives it."""
        head, tail = self._parts[name]
        return f"{head}{comment_id}{tail}"


def _queue(course: Course, membership: Membership, f: QueueFilter,
           discussion: Discussion | None = None) -> ResponseReturnValue:
    """Render a queue page for a course, or for one of its discussions."""
    after = Cursor.decode(request.args.get("after"))
    before = Cursor.decode(request.args.get("before")) if after is None else None
    page = queue.page(course.id, f, after=after, before=before)
    discussions = {d.id: d for d in course.discussions}
    rules = queue.rule_counts(course.id, f)
    return render_template(
        "dashboard/queue.html", course=course, membership=membership, discussion=discussion,
        f=f, page=page, discussions=discussions, links=RowLinks(f),
        status_counts=queue.status_counts(course.id, f, rules),
        count_label=queue.count_label, rules=rules, rule_ids=RULE_ORDER,
        count_cap=queue.COUNT_CAP,
        sections=queue.sections(course.id), students=queue.students(course.id),
        decision_form=DecisionForm(), bulk_form=BulkDecisionForm(), reasons=RejectionReason,
        # Revisions go back first to whoever rejected the first version.
        for_me=queue.revisions_waiting_for(course.id, current_user.id),
    )


@bp.get("/courses/<int:course_id>/queue")
def course_queue(course_id: int) -> ResponseReturnValue:
    """Every discussion's comments in one queue, filtered by the query string."""
    course, membership = course_or_404(course_id, staff=True)
    return _queue(course, membership, QueueFilter.from_args(request.args))


@bp.get("/discussions/<int:discussion_id>/queue")
def queue_page(discussion_id: int) -> ResponseReturnValue:
    """One discussion's queue: the course queue narrowed to it."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    f = replace(QueueFilter.from_args(request.args), discussion_id=discussion.id)
    return _queue(discussion.course, membership, f, discussion)


def _comment_or_404(comment_id: int) -> tuple[Comment, Membership]:
    comment = db.get_or_404(Comment, comment_id)
    _, membership = course_or_404(comment.course_id, staff=True)
    return comment, membership


@bp.get("/comments/<int:comment_id>")
def comment(comment_id: int) -> ResponseReturnValue:
    """One comment: its text with flagged spans marked, its metrics, its author's history."""
    comment, membership = _comment_or_404(comment_id)
    return _comment_page(comment, membership, DecisionForm())


def _comment_page(comment: Comment, membership: Membership, form: DecisionForm,
                  status: int = 200) -> ResponseReturnValue:
    f = QueueFilter.from_args(request.args)
    previous_id, next_id = queue.neighbours(comment.course_id, f, comment)
    discussion = comment.discussion
    return render_template(
        "dashboard/comment.html", comment=comment, discussion=discussion,
        course=discussion.course, membership=membership, f=f, form=form,
        previous_id=previous_id, next_id=next_id, reasons=RejectionReason,
        policy=policies.effective_policy(discussion),
        medians=queue.class_medians(discussion, comment.parent_id is not None),
        history=queue.history(comment), versions=revisions.version_chain(comment),
    ), status


def _next_url(comment: Comment, f: QueueFilter, where: str) -> str:
    """After a decision: the next comment in the queue, or back to the list."""
    if where == "comment":
        _, next_id = queue.neighbours(comment.course_id, f, comment)
        if next_id is not None:
            return url_for("dashboard.comment", comment_id=next_id, **f.to_args())
    return url_for("dashboard.course_queue", course_id=comment.course_id, **f.to_args(),
                   _anchor=f"row-{comment.id}")


@bp.post("/comments/<int:comment_id>/decision")
def decide(comment_id: int) -> ResponseReturnValue:
    """Approve, reject (with a reason) or reopen, refusing if the comment moved meanwhile."""
    comment, membership = _comment_or_404(comment_id)
    form = DecisionForm()
    f = QueueFilter.from_args(request.args)
    where = request.args.get("from", "list")
    if not form.validate_on_submit():
        return _refused(comment, membership, form, f, where, 422)
    decision = Decision(CommentStatus(form.status.data),
                        RejectionReason(form.reason.data) if form.reason.data else None,
                        form.message.data)
    expected = CommentStatus(form.expected.data)
    try:
        outcome = decisions.decide(decisions.locked(comment.id, current_user), current_user,
                                   decision, expected)
    except REFUSALS as refusal:
        status = shown(form, refusal, "status")
        db.session.expire_all()  # show where the comment stands now
        return _refused(comment, membership, form, f, where, status)
    db.session.commit()
    if _is_htmx() and where == "list":
        return _row(outcome, f, decided=True)
    flash(_said(outcome), "success")
    return redirect(_next_url(outcome, f, where), code=303)


def _said(comment: Comment) -> str:
    who = comment.author.display_name
    return {CommentStatus.APPROVED: f"Approved {who}'s comment.",
            CommentStatus.REJECTED: f"Rejected {who}'s comment; they can revise it.",
            CommentStatus.PENDING: f"{who}'s comment is back in the queue."}[comment.status]


def _refused(comment: Comment, membership: Membership, form: DecisionForm, f: QueueFilter,
             where: str, status: int) -> ResponseReturnValue:
    if _is_htmx() and where == "list":
        errors = [e for field in form for e in field.errors]
        return _row(db.session.get(Comment, comment.id) or comment, f, errors=errors), status
    return _comment_page(db.session.get(Comment, comment.id) or comment, membership, form,
                         status)


def _row(comment: Comment, f: QueueFilter, decided: bool = False,
         errors: list[str] | None = None) -> str:
    """One queue row, as the list shows it (htmx swaps it in place)."""
    discussion = comment.discussion
    return render_template(
        "dashboard/_queue_row.html", c=comment, f=f, decided=decided, errors=errors or [],
        discussions={discussion.id: discussion}, decision_form=DecisionForm(),
        links=RowLinks(f),
        reasons=RejectionReason)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int) -> ResponseReturnValue:
    """Correct or redact a comment's text; the student's words stay retrievable."""
    comment, membership = _comment_or_404(comment_id)
    form = StaffEditForm(data={"body": comment.body} if request.method == "GET" else None)
    f = QueueFilter.from_args(request.args)
    if form.validate_on_submit():
        try:
            decisions.edit(decisions.locked(comment.id, current_user), current_user,
                           form.body.data, form.note.data)
        except REFUSALS as refusal:
            shown(form, refusal, "body")
        else:
            db.session.commit()
            flash("Saved. The comment now shows \"edited by staff\"; the student's own text "
                  "is kept.", "success")
            return redirect(url_for("dashboard.comment", comment_id=comment.id,
                                    **f.to_args()), code=303)
    status = 422 if form.errors else 200
    return render_template("dashboard/comment_edit.html", comment=comment, form=form, f=f,
                           membership=membership, course=comment.discussion.course), status


@bp.post("/courses/<int:course_id>/queue/bulk")
def bulk(course_id: int) -> ResponseReturnValue:
    """Decide the selected comments at once; those decided meanwhile are skipped and named."""
    course, _ = course_or_404(course_id, staff=True)
    form = BulkDecisionForm()
    f = QueueFilter.from_args(request.args)
    back = url_for("dashboard.course_queue", course_id=course.id, **f.to_args())
    if not form.validate_on_submit():
        for errors in form.errors.values():
            flash(" ".join(errors), "error")
        return redirect(back, code=303)
    ids = [parse_id(value, "A selected comment") for value in request.form.getlist("ids")]
    decision = Decision(CommentStatus(form.status.data),
                        RejectionReason(form.reason.data) if form.reason.data else None,
                        form.message.data)
    try:
        outcome = decisions.bulk(course.id, ids, current_user, decision, f.status)
    except REFUSALS as refusal:
        db.session.rollback()
        flash(refusal.message, "error")  # the queue page has no form to show it beside
    else:
        db.session.commit()
        verb = {"approved": "Approved", "rejected": "Rejected", "pending": "Reopened"}[
            form.status.data]
        flash(f"{verb} {len(outcome.decided)} comment{'s' if len(outcome.decided) != 1 else ''}"
              + (f"; {len(outcome.skipped)} skipped because they were decided meanwhile or "
                 "are not in this queue." if outcome.skipped else "."), "success")
    return redirect(back, code=303)


@bp.route("/discussions/<int:discussion_id>/approve-unflagged", methods=["GET", "POST"])
def approve_unflagged(discussion_id: int) -> ResponseReturnValue:
    """Approve every pending comment with no hold flag in a discussion, after a confirmation."""
    discussion, membership = discussion_or_404(discussion_id, staff=True)
    ids = decisions.unflagged_pending(discussion)
    form = ConfirmForm()
    if form.validate_on_submit():
        confirmed = request.form.get("count", "")
        if confirmed != str(len(ids)):
            flash("The queue changed while you were confirming; check the new count.", "error")
        else:
            outcome = decisions.bulk(discussion.course_id, ids, current_user,
                                     Decision(CommentStatus.APPROVED), CommentStatus.PENDING)
            db.session.commit()
            flash(f"Approved {len(outcome.decided)} comments with no hold flag.", "success")
            return redirect(url_for("dashboard.queue_page", discussion_id=discussion.id),
                            code=303)
    return render_template("dashboard/approve_unflagged.html", discussion=discussion,
                           course=discussion.course, membership=membership, count=len(ids),
                           form=form)
