"""Every /teach route, for every role: the right permission, 403 to students, 404 to outsiders.

The table below must have a row for each route and method in the app: a new dashboard
route fails this test until someone decides who may use it.
"""

from __future__ import annotations

import pytest
from flask import url_for

from moderation.extensions import db
from moderation.models import Course, JobState, Role
from moderation.services import courses, invitations, jobs
from moderation.services.comments import posting, rescore
from moderation.services.courses import Permission
from tests.conftest import instructor_of

MODERATE, MANAGE, EXPORT, STAFF = (Permission.MODERATE, Permission.MANAGE, Permission.EXPORT,
                                   Permission.STAFF)
CREATE = "create courses"  # not a course permission: the account's own flag

# (endpoint, method) → (what it needs, the status a user who may gets for this request).
# POSTs carry no fields: a form refuses it (422) or a confirm-only action runs (302).
ROUTES: dict[tuple[str, str], tuple[Permission | str, int]] = {
    ("dashboard.new_course", "GET"): (CREATE, 200),
    ("dashboard.new_course", "POST"): (CREATE, 422),
    ("dashboard.course", "GET"): (MODERATE, 200),
    ("dashboard.regenerate_join_code", "POST"): (MANAGE, 302),
    ("dashboard.set_newcomers", "POST"): (MANAGE, 422),
    ("dashboard.set_time_zone", "POST"): (MANAGE, 422),
    ("dashboard.roster_page", "GET"): (MODERATE, 200),
    ("dashboard.roster_page", "POST"): (MANAGE, 422),
    ("dashboard.new_discussion", "GET"): (MANAGE, 200),
    ("dashboard.new_discussion", "POST"): (MANAGE, 422),
    ("dashboard.edit_discussion", "GET"): (MANAGE, 200),
    ("dashboard.edit_discussion", "POST"): (MANAGE, 422),
    ("dashboard.set_state", "POST"): (MANAGE, 302),
    ("dashboard.queue_page", "GET"): (MODERATE, 200),
    ("dashboard.course_queue", "GET"): (MODERATE, 200),
    ("dashboard.comment", "GET"): (MODERATE, 200),
    ("dashboard.compare_copy", "GET"): (MODERATE, 200),
    ("dashboard.decide", "POST"): (MODERATE, 422),
    ("dashboard.edit_comment", "GET"): (MODERATE, 200),
    ("dashboard.edit_comment", "POST"): (MODERATE, 422),
    ("dashboard.bulk", "POST"): (MODERATE, 303),
    ("dashboard.approve_unflagged", "GET"): (MODERATE, 200),
    ("dashboard.approve_unflagged", "POST"): (MODERATE, 200),
    ("dashboard.course_policy", "GET"): (MANAGE, 200),
    ("dashboard.course_policy", "POST"): (MANAGE, 422),
    ("dashboard.discussion_policy", "GET"): (MANAGE, 200),
    ("dashboard.discussion_policy", "POST"): (MANAGE, 422),
    ("dashboard.rescore_course", "POST"): (MANAGE, 302),
    ("dashboard.rescore_discussion", "POST"): (MANAGE, 302),
    ("dashboard.staff_page", "GET"): (STAFF, 200),
    ("dashboard.add_ta", "POST"): (STAFF, 422),
    ("dashboard.remove_ta", "POST"): (STAFF, 302),
    ("dashboard.ta_permissions", "POST"): (STAFF, 302),
    ("dashboard.cancel_ta_invitation", "POST"): (STAFF, 302),
    ("dashboard.cancel_student_invitation", "POST"): (MANAGE, 302),
    ("dashboard.job_progress", "GET"): (MANAGE, 200),
    ("dashboard.retry_job", "POST"): (MANAGE, 302),
    ("dashboard.audit_page", "GET"): (MODERATE, 200),
    ("dashboard.audit_csv", "POST"): (EXPORT, 200),
    ("dashboard.grading_sheet", "GET"): (MODERATE, 200),
    ("dashboard.grading_student", "GET"): (MODERATE, 200),
    ("dashboard.save_grade", "POST"): (MODERATE, 422),
    ("dashboard.accept_suggestions", "POST"): (MODERATE, 303),
    # Its one student's comment awaits moderation: accepting left them ungraded, so there is
    # nothing to release (refused beside the button).
    ("dashboard.release_all", "POST"): (MANAGE, 422),
    ("dashboard.release_one", "POST"): (MANAGE, 400),
    ("dashboard.discussion_rubric", "GET"): (MANAGE, 200),
    ("dashboard.discussion_rubric", "POST"): (MANAGE, 422),
    ("dashboard.discussion_rubric_default", "POST"): (MANAGE, 303),
    ("dashboard.course_rubric", "GET"): (MANAGE, 200),
    ("dashboard.course_rubric", "POST"): (MANAGE, 422),
    ("dashboard.gradebook_grid", "GET"): (MODERATE, 200),
    ("dashboard.participation_report", "GET"): (MODERATE, 200),
    ("dashboard.participation_csv", "POST"): (EXPORT, 200),
    ("dashboard.export_page", "GET"): (EXPORT, 200),
    ("dashboard.export_grades", "POST"): (EXPORT, 422),
    ("dashboard.send_score_again", "POST"): (MANAGE, 303),
    ("dashboard.sync_roster", "POST"): (MANAGE, 303),
}

# role → (member of the course as, course flags, may create courses)
ROLES = {
    "instructor": (Role.INSTRUCTOR, {}, True),
    "ta": (Role.TA, {}, False),
    "ta_manage": (Role.TA, {"tas_manage": True}, False),
    "ta_export": (Role.TA, {"tas_export": True}, False),
    "student": (Role.STUDENT, {}, False),
    "other_instructor": (None, {}, True),  # teaches another course
    "other_ta": (None, {}, False),  # a TA of another course
}


def expected(role: str, needs: Permission | str, allowed: int) -> int:
    """The status this role must get from a route that needs `needs`."""
    member_as, flags, creates = ROLES[role]
    if needs == CREATE:
        return allowed if creates else 403
    if member_as is None:
        return 404  # an outsider learns nothing, not even that the course exists
    if member_as == Role.STUDENT:
        return 403
    if member_as == Role.INSTRUCTOR or needs == MODERATE:
        return allowed
    ta_may = {MANAGE: flags.get("tas_manage"), EXPORT: flags.get("tas_export"), STAFF: False}
    return allowed if ta_may[needs] else 403


def test_every_dashboard_route_has_a_row(app):
    walked = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/teach")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert sorted(walked - set(ROUTES)) == [], "add these routes to ROUTES"
    assert sorted(set(ROUTES) - walked) == [], "these rows name routes that no longer exist"


@pytest.mark.parametrize("role", list(ROLES))
def test_each_role_gets_the_right_status_from_every_route(app, client, login_as, make_user,
                                                          make_course, make_discussion, enrol,
                                                          role):
    course = make_course()
    discussion = make_discussion(course)
    other = make_course()
    people = {"instructor": instructor_of(app, course),
              "other_instructor": instructor_of(app, other)}
    for name in ("ta", "ta_manage", "ta_export", "student", "other_ta"):
        people[name] = make_user(name.replace("_", " ").title())
    member_as, flags, _ = ROLES[role]
    if member_as is not None and role != "instructor":
        enrol(people[role], course, member_as)
    enrol(people["other_ta"], other, Role.TA)
    helper = make_user("Helper TA")  # the TA an instructor may remove
    enrol(helper, course, Role.TA)
    student = make_user("Some Student")
    enrol(student, course)
    with app.app_context():
        row = db.session.get(Course, course.id)
        for flag, value in flags.items():
            setattr(row, flag, value)
        comment = posting.submit_comment(db.session.merge(discussion), db.session.merge(student),
                                       "Short.", "tok").comment
        teacher = db.session.merge(people["instructor"])
        invited = {role_of: invitations.invite(row, teacher, f"invited.{role_of}@school.test",
                                               role_of).id
                   for role_of in (Role.TA, Role.STUDENT)}
        job = rescore.start(row, teacher)
        db.session.info.pop(jobs.TO_PUSH, None)
        job.state = JobState.FAILED
        db.session.flush()
        values = {"course_id": course.id, "discussion_id": discussion.id, "comment_id": comment.id,
                  "job_id": job.id,
                  "membership_id": courses.membership_of(db.session.merge(helper), row).id,
                  "student_id": student.id}
        db.session.commit()

    login_as(people[role])
    wrong = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/teach"):
            continue
        args = {arg: values[arg] for arg in rule.arguments if arg not in ("action",
                                                                          "invitation_id")}
        if "invitation_id" in rule.arguments:
            role_of = Role.TA if rule.endpoint == "dashboard.cancel_ta_invitation" else Role.STUDENT
            args["invitation_id"] = invited[role_of]
        if "action" in rule.arguments:  # an any(...) of its own per route: its first choice
            args["action"] = rule._converters["action"].regex[3:-1].split("|")[0]
        with app.test_request_context():
            url = url_for(rule.endpoint, **args)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            needs, allowed = ROUTES[(rule.endpoint, method)]
            want = expected(role, needs, allowed)
            got = client.open(url, method=method).status_code
            if got != want:
                wrong.append(f"{method} {url} ({rule.endpoint}): {got}, expected {want}")
    assert wrong == [], "\n".join(wrong)
