"""The audit log page: who did what and when in a course, filtered, paged, and as CSV."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from moderation import db_setup
from moderation.extensions import db
from moderation.models import Course, Membership, User
from moderation.services import audit, audit_log, courses
from moderation.services.audit_log import AuditFilter, Cursor, Entry
from moderation.services.courses import Permission
from moderation.web.access import course_or_404
from moderation.web.csv_export import csv_attachment
from moderation.web.dashboard import bp
from moderation.web.forms import AuditFilterForm, ConfirmForm
from moderation.web.rendering import format_number

# What each action reads as; an action not listed reads as its own name.
ACTIONS = {
    "audit.exported": "Downloaded the audit log",
    "comment.approved": "Approved a comment",
    "comment.edited": "Edited a comment",
    "comment.rejected": "Rejected a comment",
    "comment.reopened": "Reopened a comment",
    "comment.rescored": "Rescoring changed a comment's status",
    "comments.rescored": "Rescored comments",
    "course.created": "Created the course",
    "course.invitation_accepted": "Accepted an invitation",
    "course.invitation_cancelled": "Cancelled an invitation",
    "course.invited": "Invited someone by email",
    "course.join_code_regenerated": "Made a new join code",
    "course.newcomer_moderation_set": "Set new-student moderation",
    "course.joined": "Joined the course",
    "course.policy_set": "Changed the course policy",
    "course.ta_added": "Added a TA",
    "course.ta_permissions_set": "Changed what TAs may do",
    "course.ta_removed": "Removed a TA",
    "course.time_zone_set": "Set the time zone",
    "discussion.closed": "Closed a discussion",
    "discussion.created": "Created a discussion",
    "discussion.draft": "Made a discussion a draft",
    "discussion.open": "Opened a discussion",
    "discussion.policy_set": "Changed a discussion's policy",
    "discussion.updated": "Changed a discussion's settings",
    "roster.imported": "Imported a roster",
}
LONG_VALUE = 160  # characters; longer values (a comment's text) fold away on the page
CSV_HEADER = ("When (UTC)", "Who", "Who (email)", "What", "Action", "Object", "Object id",
              "Student", "Student (email)", "Change", "Reason")


def action_label(action: str) -> str:
    """How an action reads on the page and in the CSV."""
    return ACTIONS.get(action) or action.replace(".", ": ").replace("_", " ").capitalize()


@dataclass(frozen=True)
class Change:
    """One value an event changed, written for people."""

    key: str
    before: str | None  # None: the event had no "before" (a creation)
    after: str | None  # None: the event had no "after" (a removal)

    @property
    def long(self) -> bool:
        return max(len(self.before or ""), len(self.after or "")) > LONG_VALUE

    def __str__(self) -> str:
        if self.before is None:
            return f"{self.key}: {self.after}"
        if self.after is None:
            return f"{self.key}: {self.before} (removed)"
        return f"{self.key}: {self.before} → {self.after}"


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[Change]:
    """What an event changed: every key whose value differs, or every key of a one-sided event.

    >>> [str(c) for c in changes({"status": "pending", "reason": None},
    ...                          {"status": "rejected", "reason": "off_topic"})]
    ['status: pending → rejected', 'reason: — → off_topic']
    >>> [str(c) for c in changes(None, {"tags": ["a", "b"], "ok": True})]
    ['tags: a, b', 'ok: yes']
    """
    if after is None:
        return [Change(_key(k), readable(v), None) for k, v in (before or {}).items()]
    if before is None:
        return [Change(_key(k), None, readable(v)) for k, v in after.items()]
    keys = dict.fromkeys([*before, *after])
    return [Change(_key(k), readable(before.get(k)), readable(after.get(k)))
            for k in keys if before.get(k) != after.get(k)]


def _key(key: str) -> str:
    return key.replace("_", " ")


def readable(value: Any) -> str:
    """A stored value as words: lists joined, maps as "key: value", no JSON brackets.

    >>> readable(None), readable(False), readable(2.0), readable({"late": "hold"}), readable([])
    ('—', 'no', '2', 'late: hold', 'none')
    """
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, list | tuple):
        return ", ".join(readable(v) for v in value) if value else "none"
    if isinstance(value, dict):
        return "; ".join(f"{_key(str(k))}: {readable(v)}" for k, v in value.items()) or "none"
    return str(value)


@bp.get("/courses/<int:course_id>/audit")
def audit_page(course_id: int) -> ResponseReturnValue:
    """The course's audit log, newest first, filtered by student, action and dates."""
    course, membership = course_or_404(course_id, permission=Permission.MODERATE)
    form = _filter_form(course, request.args)
    if not form.validate():
        return _render(course, membership, form, audit_log.Page([], None, None)), 422
    page = audit_log.page(course.id, _filter(form, course),
                          before=Cursor.parse(request.args.get("before")),
                          after=Cursor.parse(request.args.get("after")))
    return _render(course, membership, form, page)


@bp.post("/courses/<int:course_id>/audit.csv")
def audit_csv(course_id: int) -> ResponseReturnValue:
    """Download the filtered log as CSV; the download is itself recorded in the log."""
    course, membership = course_or_404(course_id, permission=Permission.EXPORT)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    form = _filter_form(course, request.form)
    if not form.validate():
        return _render(course, membership, form, audit_log.Page([], None, None)), 422
    chosen = _filter(form, course)
    rows = audit_log.count(course.id, chosen)
    event = audit.record("audit.exported", actor=current_user, course_id=course.id, obj=course,
                         subject_id=chosen.subject_id, after={
                             "rows": rows, "student": _student_name(chosen.subject_id),
                             "action": chosen.action,
                             "since": chosen.since.isoformat() if chosen.since else None,
                             "until": chosen.until.isoformat() if chosen.until else None})
    upto = Cursor.of(event)  # the file holds what was there before its own download
    db.session.commit()
    # The rows stream after the commit in a reading transaction: on SQLite it must not hold
    # the write lock for as long as the download takes.
    db_setup.set_read_only(True)
    return csv_attachment(f"audit-{course.code}-{upto.at:%Y%m%d-%H%M%S}.csv", CSV_HEADER,
                          _csv_rows(audit_log.every_entry(course.id, chosen, before=upto)))


def _csv_rows(entries: Iterator[Entry]) -> Iterator[tuple[object, ...]]:
    for entry in entries:
        event = entry.event
        yield (event.at.isoformat(timespec="seconds"), entry.actor_name or "the system",
               entry.actor_email, action_label(event.action), event.action, event.object_type,
               event.object_id, entry.subject_name, entry.subject_email,
               "; ".join(str(c) for c in changes(event.before, event.after)), event.reason)


def _filter_form(course: Course, data: Mapping[str, Any]) -> AuditFilterForm:
    form = AuditFilterForm(formdata=data)
    for date_field in (form.since, form.until):  # days on the course's clock
        date_field.label.text = f"{date_field.label.text} ({course.time_zone})"
    students = courses.students(course)
    form.student.choices = [SelectChoice("", "Any student")] + [
        SelectChoice(str(m.user_id), m.user.sortable_name) for m in students]
    form.action.choices = [SelectChoice("", "Any action")] + [
        SelectChoice(a, action_label(a)) for a in audit_log.actions(course.id)]
    return form


def _filter(form: AuditFilterForm, course: Course) -> AuditFilter:
    return AuditFilter(subject_id=int(form.student.data) if form.student.data else None,
                       action=form.action.data or None, since=form.since.data,
                       until=form.until.data, zone=course.time_zone)


def _student_name(user_id: int | None) -> str | None:
    user = db.session.get(User, user_id) if user_id else None
    return user.display_name if user else None


def _render(course: Course, membership: Membership, form: AuditFilterForm,
            page: audit_log.Page) -> str:
    filters = {name: request.values.get(name, "") for name in ("student", "action", "since",
                                                                "until")}
    return render_template("dashboard/audit.html", course=course, membership=membership,
                           form=form, page=page, filters={k: v for k, v in filters.items() if v},
                           action_label=action_label, changes=changes, confirm=ConfirmForm())
