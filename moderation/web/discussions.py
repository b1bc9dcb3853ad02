"""The student side: courses, reading a discussion, submitting comments, my comments."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import TooManyRequests

from moderation.analysis.pipeline import public_metrics
from moderation.db_setup import read_first, read_only
from moderation.extensions import db, limiter
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    DiscussionState,
    Membership,
)
from moderation.services import courses, overview
from moderation.services.comments import posting, revisions
from moderation.services.comments.posting import Blocked
from moderation.services.discussions import accepts_comments, sight, thread_page
from moderation.services.errors import ServiceError
from moderation.services.grades import sheet
from moderation.services.paging import Cursor
from moderation.web import flag_words, throttle
from moderation.web.access import course_or_404, discussion_or_404, own_comment_or_404
from moderation.web.forms import CommentForm, JoinForm
from moderation.web.ids import parse_id
from moderation.web.refusals import REFUSALS, shown

bp = Blueprint("discussions", __name__)


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here needs a signed-in user."""


@bp.get("/")
def home() -> ResponseReturnValue:
    """List the user's courses."""
    return _home(JoinForm())


def _home(join_form: JoinForm, status: int = 200) -> ResponseReturnValue:
    """My courses, with what waits for a decision in the courses the user teaches."""
    memberships = courses.courses_of(current_user)
    taught = [m.course_id for m in memberships if m.role.is_staff]
    return render_template("home.html", memberships=memberships, join_form=join_form,
                           waiting_by_course=overview.waiting(taught)), status


@bp.post("/courses/join")
@throttle.join_limits
def join() -> ResponseReturnValue:
    """Join a course with its join code."""
    form = JoinForm()
    if form.validate_on_submit():
        try:
            membership = courses.join_course(current_user, form.join_code.data)
        except REFUSALS as refusal:
            shown(form, refusal, "join_code")
        else:
            db.session.commit()
            flash(f"You joined {membership.course.title}.", "success")
            return redirect(url_for("discussions.course", course_id=membership.course_id))
    return _home(form, 422)


@bp.get("/courses/<int:course_id>")
def course(course_id: int) -> ResponseReturnValue:
    """List the course's discussions (staff also see drafts)."""
    course, membership = course_or_404(course_id)
    discussions = [d for d in course.discussions
                   if membership.role.is_staff or d.state != DiscussionState.DRAFT]
    return render_template("courses/show.html", course=course, membership=membership,
                           discussions=discussions)


def _render_discussion(discussion: Discussion, membership: Membership, form: CommentForm,
                       status: int = 200, blocked: Blocked | None = None) -> ResponseReturnValue:
    form.fresh_token()
    after = Cursor.decode(request.args.get("after"))
    before = Cursor.decode(request.args.get("before")) if after is None else None
    at = parse_id(request.args["at"], "That comment") if "at" in request.args else None
    page = thread_page(discussion, current_user, membership.role.is_staff,
                       after=after, before=before, at=at)
    if not page.sight.classmates and request.method == "GET":
        form.parent_id.data = ""  # ?reply_to= while classmates are hidden: the response form
    return render_template(
        "discussions/show.html", discussion=discussion, membership=membership, form=form,
        top=page.top, replies=page.replies, page=page,
        open_for_comments=accepts_comments(discussion), blocked=blocked,
        my_grade=next((g for g in sheet.released_grades(current_user)
                       if g.discussion_id == discussion.id), None),
    ), status


@bp.get("/discussions/<int:discussion_id>")
def show(discussion_id: int) -> ResponseReturnValue:
    """Read the prompt and the approved comments, threaded; post a response or a reply."""
    discussion, membership = discussion_or_404(discussion_id)
    form = CommentForm()
    if "reply_to" in request.args:
        form.parent_id.data = str(parse_id(request.args["reply_to"]))
    return _render_discussion(discussion, membership, form)


TOO_FAST = "You are posting too fast. Wait a minute, then submit again; your text is kept below."


def _submit_limit() -> str:
    return str(current_app.config["SUBMIT_RATE_LIMIT"])


def _user_key() -> str:
    return f"user:{current_user.id}"  # the id, never the session token: limits are logged


@bp.post("/discussions/<int:discussion_id>/comments")
@read_first
@limiter.limit(_submit_limit, key_func=_user_key, error_message=TOO_FAST)
def submit(discussion_id: int) -> ResponseReturnValue:
    """Submit a response or a reply; refusals keep the text in the form."""
    discussion, membership = discussion_or_404(discussion_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_discussion(discussion, membership, form, 422)
    try:
        parent_id = parse_id(form.parent_id.data) if form.parent_id.data else None
        result = posting.submit_comment(discussion, current_user, form.body.data,
                                        form.submission_token.data or "", parent_id=parent_id)
    except Blocked as blocked:
        db.session.rollback()  # every reason is listed above the form, not beside it
        return _render_discussion(discussion, membership, form, blocked.status, blocked=blocked)
    except ServiceError as refusal:  # any refusal keeps the text: catch them all
        return _render_discussion(discussion, membership, form, shown(form, refusal, "body"))
    db.session.commit()
    comment = result.comment
    if comment.status.value == "pending":
        flash("Thanks! Your comment is awaiting moderation; only you can see it until "
              "your instructor approves it. The notes under it say why it is held.", "info")
    elif result.created:
        # flag_level, not the flags themselves: reading them now would begin another
        # transaction, on SQLite a second turn at the write lock.
        flash("Your comment is posted."
              + (" See the notes under it." if comment.flag_level else ""), "success")
    return redirect(url_for("discussions.show", discussion_id=discussion.id, at=comment.id,
                            _anchor=f"comment-{comment.id}"), code=303)


def _preview_limit() -> str:
    return str(current_app.config["PREVIEW_RATE_LIMIT"])


@bp.post("/discussions/<int:discussion_id>/preview")
@read_only
@limiter.limit(_preview_limit, key_func=_user_key)
def preview(discussion_id: int) -> ResponseReturnValue:
    """Analyse a draft for live feedback (JSON); nothing is stored."""
    discussion, _ = discussion_or_404(discussion_id)
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # "[[[[…": nested deeper than the parser goes; bad JSON too
        data = None
    body = data.get("body") if isinstance(data, dict) else None
    if not isinstance(body, str):
        return jsonify(error="Send the draft as {\"body\": \"...\"}."), 400
    try:
        parent = data.get("parent_id") if isinstance(data, dict) else None
        parent_id = parse_id(parent) if parent not in (None, "") else None
        # The revise page asks with ?revision=<the rejected comment>: a revision waits.
        original = _revised(discussion) if "revision" in request.args else None
        verdict = posting.preview(discussion, current_user, body, parent_id,
                                revision=original is not None)
    except ServiceError as error:
        return jsonify(error=error.message), error.status
    analysis = verdict.analysis
    metrics = public_metrics(analysis.metrics)
    return jsonify(
        words=metrics["words"],
        grade=round(metrics["flesch_kincaid_grade"]),  # as people read it: "grade 10"
        reading_time_s=metrics["reading_time_s"],
        decision=analysis.decision,
        outcome=verdict.outcome,
        summary=verdict.summary(reviewer=_reviewer(original)),
        # Each thing once: the count line gives the words, the summary the outcome, the
        # findings why (`live_message` leaves out what the count line says).
        findings=[{"rule": f.rule, "severity": f.severity,
                   "message": flag_words.live_message(f.rule, f.message),
                   "advice": f.advice} for f in analysis.findings],
    )


def _revised(discussion: Discussion) -> Comment:
    """The viewer's own comment named by `?revision=`, in this discussion, or a 404."""
    original, _ = own_comment_or_404(parse_id(request.args["revision"], "That comment"))
    if original.discussion_id != discussion.id:
        abort(404)
    return original


def _reviewer(original: Comment | None) -> str | None:
    """Who a revision of this comment goes back to: whoever rejected it."""
    if original is None or original.decided_by is None:
        return None
    return original.decided_by.display_name


def _render_revision(original: Comment, form: CommentForm, status: int = 200,
                     blocked: Blocked | None = None,
                     refusal: ServiceError | None = None) -> ResponseReturnValue:
    form.fresh_token()
    # Only for the live preview (a reply's revision is measured against the reply range);
    # the revision takes its parent from the original, never from the form.
    form.parent_id.data = str(original.parent_id or "")
    form.body.label.text = "Your revised comment"
    # Post before you see: a reply's parent is not named while classmates are hidden.
    parent_hidden = original.parent_id is not None and not sight(
        original.discussion, current_user, staff=False).classmates
    return render_template("discussions/revise.html", original=original,
                           discussion=original.discussion, form=form, blocked=blocked,
                           refusal=refusal, reviewer=_reviewer(original),
                           parent_hidden=parent_hidden), status


@bp.get("/comments/<int:comment_id>/revise")
def revise(comment_id: int) -> ResponseReturnValue:
    """The form to revise a rejected comment, opened with its text and the reason."""
    original, _ = own_comment_or_404(comment_id)
    form = CommentForm(data={"body": original.body})
    try:
        revisions.check_revisable(original)
    except ServiceError as refusal:
        return _render_revision(original, form, refusal.status, refusal=refusal)
    return _render_revision(original, form)


@bp.post("/comments/<int:comment_id>/revise")
@read_first
@limiter.limit(_submit_limit, key_func=_user_key, error_message=TOO_FAST)
def submit_revision(comment_id: int) -> ResponseReturnValue:
    """Submit the revision: a new comment in the rejected one's place; refusals keep the text."""
    original, _ = own_comment_or_404(comment_id)
    form = CommentForm()
    if not form.validate_on_submit():
        return _render_revision(original, form, 422)
    who = _reviewer(original) or "your instructor"  # read now: after the commit is a new read
    try:
        result = posting.revise_comment(original, current_user, form.body.data,
                                        form.submission_token.data or "")
    except Blocked as blocked:
        db.session.rollback()  # every reason is listed above the form, not beside it
        return _render_revision(original, form, blocked.status, blocked=blocked)
    except ServiceError as refusal:  # any refusal keeps the text: catch them all
        return _render_revision(original, form, shown(form, refusal, "body"))
    db.session.commit()
    revision = result.comment
    if revision.status == CommentStatus.PENDING:
        flash(f"Thanks! Your revision went back to {who}, who rejected the comment; only you "
              "can see it until it is approved.", "info")
    elif result.created:
        flash("Your revision is posted in place of the rejected comment.", "success")
    return redirect(url_for("discussions.show", discussion_id=revision.discussion_id,
                            at=revision.id, _anchor=f"comment-{revision.id}"), code=303)


@bp.errorhandler(429)
def _too_fast(error: TooManyRequests) -> ResponseReturnValue:
    """Refuse a flood of posts but keep the student's text in the form."""
    message = error.description
    if request.endpoint == "discussions.submit" and request.view_args:
        discussion, membership = discussion_or_404(request.view_args["discussion_id"])
        form = CommentForm()
        form.body.errors = [message]
        return _render_discussion(discussion, membership, form, 429)
    if request.endpoint == "discussions.submit_revision" and request.view_args:
        original, _ = own_comment_or_404(request.view_args["comment_id"])
        form = CommentForm()
        form.body.errors = [message]
        return _render_revision(original, form, 429)
    if request.endpoint == "discussions.join":
        form = JoinForm()
        form.join_code.errors = [throttle.refusal_message()]
        return render_template("home.html", memberships=courses.courses_of(current_user),
                               join_form=form), 429
    return render_template("error.html", status=429, message=message), 429


@bp.get("/my/comments")
def my_comments() -> ResponseReturnValue:
    """Every comment of mine with its status, flags, and any released grade."""
    comments = posting.comments_by(current_user)
    open_ids = {c.discussion_id for c in comments if accepts_comments(c.discussion)}
    revisable = {c.id for c in comments if revisions.can_revise(c)}
    return render_template("comments/mine.html", comments=comments,
                           released=sheet.released_grades(current_user),
                           open_ids=open_ids, revisable=revisable)


def to_revise() -> int:
    """How many of the signed-in user's comments wait for a revision (one query a request)."""
    if "to_revise" not in g:
        g.to_revise = 0
        if current_user.is_authenticated:
            try:
                g.to_revise = revisions.to_revise_count(current_user)
            except SQLAlchemyError:
                # An error page after a failed transaction still renders its navigation.
                db.session.rollback()
    return int(g.to_revise)


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    # A function, not a number: only pages that show the navigation run the query.
    return {"to_revise": to_revise}
