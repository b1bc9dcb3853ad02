"""The policy pages: a course's defaults, a discussion's overrides, and rescoring after a change."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from moderation.analysis import Policy
from moderation.analysis.rules import RULES
from moderation.extensions import db
from moderation.models import Course, Discussion, Membership
from moderation.services import policies
from moderation.services.comments import rescore
from moderation.services.courses import Permission
from moderation.services.errors import Conflict, ServiceError
from moderation.web.access import course_or_404, discussion_or_404
from moderation.web.dashboard import bp
from moderation.web.dashboard.jobs import progress
from moderation.web.forms import LIST_FIELDS, NUMBER_FIELDS, ConfirmForm, PolicyForm
from moderation.web.refusals import REFUSALS, shown
from moderation.web.rendering import format_number


@bp.route("/courses/<int:course_id>/policy", methods=["GET", "POST"])
def course_policy(course_id: int) -> ResponseReturnValue:
    """The course's default policy: every discussion follows it unless it overrides a value."""
    course, membership = course_or_404(course_id, permission=Permission.MANAGE)
    form = PolicyForm.for_policy(policies.course_policy(course))
    if form.validate_on_submit():
        try:
            changed = policies.set_course_policy(course, current_user, form.document())
        except REFUSALS as refusal:
            shown(form, refusal, PolicyForm.RULES_FIELD)
        else:
            return _saved(changed, url_for("dashboard.course_policy", course_id=course.id,
                                           impact=1))
    return _page(form, course, None, membership)


@bp.route("/discussions/<int:discussion_id>/policy", methods=["GET", "POST"])
def discussion_policy(discussion_id: int) -> ResponseReturnValue:
    """A discussion's overrides of the course policy; what it does not override it inherits."""
    discussion, membership = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    form = PolicyForm.for_policy(policies.effective_policy(discussion))
    if form.validate_on_submit():
        # "Use the course's policy" stores no override at all.
        document = {} if form.reset.data else form.document()
        try:
            changed = policies.set_discussion_policy(discussion, current_user, document)
        except REFUSALS as refusal:
            shown(form, refusal, PolicyForm.RULES_FIELD)
        else:
            return _saved(changed, url_for("dashboard.discussion_policy",
                                           discussion_id=discussion.id, impact=1))
    return _page(form, discussion.course, discussion, membership)


@bp.post("/courses/<int:course_id>/policy/rescore")
def rescore_course(course_id: int) -> ResponseReturnValue:
    """Rescore the course's undecided comments under its policy now."""
    course, membership = course_or_404(course_id, permission=Permission.MANAGE)
    return _rescore(course, None, membership)


@bp.post("/discussions/<int:discussion_id>/policy/rescore")
def rescore_discussion(discussion_id: int) -> ResponseReturnValue:
    """Rescore a discussion's undecided comments under its policy now."""
    discussion, membership = discussion_or_404(discussion_id, permission=Permission.MANAGE)
    return _rescore(discussion.course, discussion, membership)


def _saved(changed: bool, target: str) -> ResponseReturnValue:
    db.session.commit()
    flash("Policy saved." if changed else "Nothing changed: the policy is as it was.",
          "success")
    return redirect(target)


def _rescore(course: Course, discussion: Discussion | None,
             membership: Membership) -> ResponseReturnValue:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    rescore.start(course, current_user, discussion)
    db.session.commit()
    flash("Rescoring runs in the background; how far it is shows below, and you may leave "
          "this page.", "info")
    if discussion is not None:
        return redirect(url_for("dashboard.discussion_policy", discussion_id=discussion.id,
                                _anchor="rescore"))
    return redirect(url_for("dashboard.course_policy", course_id=course.id, _anchor="rescore"))


@dataclass(frozen=True)
class Impact:
    """What rescoring would do now, or why the page cannot preview it."""

    comments: int = 0
    summary: str = ""
    refusal: str | None = None


def _impact(course: Course, discussion: Discussion | None) -> Impact:
    try:
        totals = rescore.preview(course, discussion)
    except Conflict as error:
        # Too many to preview: the rescore itself still runs, in the background.
        return Impact(rescore.count_undecided(course, discussion), refusal=error.message)
    return Impact(totals.comments, f"Rescoring would move {_comments(totals.released, 'pending')} "
                                   f"to approved and {totals.held:,} to held.")


def describe_result(result: dict[str, int] | None) -> str:
    """A finished rescore in words."""
    if not result:
        return ""
    return (f"Rescored {_comments(result['comments'])}: {result['released']:,} moved to "
            f"approved, {result['held']:,} to held.")


def _comments(n: int, kind: str = "") -> str:
    return f"{n:,} {kind + ' ' if kind else ''}comment{'' if n == 1 else 's'}"


def _page(form: PolicyForm, course: Course, discussion: Discussion | None,
          membership: Membership, refusal: ServiceError | None = None) -> ResponseReturnValue:
    """The policy page; 422 when the form carries errors, the refusal's status with one."""
    if discussion is not None:
        base, stored = policies.course_policy(course), discussion.policy_overrides
        wording = ("Inherited from the course.", "Overrides the course ({}).")
    else:
        base, stored = Policy(), course.policy
        wording = ("The default.", "Changed from the default ({}).")
    _describe_inheritance(form, base, policies.overridden(stored), wording)
    impact = None
    if refusal is not None:
        impact = Impact(refusal=refusal.message)
    elif request.method == "GET" and request.args.get("impact") == "1":
        impact = _impact(course, discussion)
    latest = rescore.latest_job(course, discussion)
    rules = [_RuleRow(rule.id, rule.id.replace("_", " ").capitalize(),
                      rule.doc.strip().splitlines()[0] if rule.doc.strip() else "",
                      rule.severity, _rule_setting(base, rule.id)) for rule in RULES]
    status = refusal.status if refusal else 422 if form.errors else 200
    return render_template("dashboard/policy.html", form=form, course=course,
                           discussion=discussion, membership=membership, rules=rules,
                           impact=impact, confirm=ConfirmForm(),
                           job=progress(latest) if latest else None,
                           job_result=describe_result(latest.args.get("result")
                                                      if latest else None),
                           number_fields=NUMBER_FIELDS), status


@dataclass(frozen=True)
class _RuleRow:
    id: str
    name: str
    description: str
    default: str
    inherited: str  # the base policy's setting: "on, hold" or "off"


def _rule_setting(policy: Policy, rule_id: str) -> str:
    if not policy.rule_enabled(rule_id):
        return "off"
    default = next(r.severity for r in RULES if r.id == rule_id)
    return f"on, {policy.severities.get(rule_id, default)}"


def _describe_inheritance(form: PolicyForm, base: Policy, overridden: set[str],
                          wording: tuple[str, str]) -> None:
    """Say beside each value whether it is inherited or overrides its base, and the base's."""
    inherited, overrides = wording
    for key in (*LIST_FIELDS, *NUMBER_FIELDS, "use_default_banned_words"):
        field = form[key]
        note = overrides.format(_show(getattr(base, key))) if key in overridden else inherited
        field.description = f"{field.description} {note}".strip()


def _show(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple):
        return ", ".join(value) if value else "none"
    if isinstance(value, int | float):
        return format_number(value)
    return str(value)
