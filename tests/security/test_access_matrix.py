"""Every route × role × GET and POST gets the status one table says; a refusal changes nothing.

The table has a row per route and method of `app.url_map` (a new route fails the test until
someone decides who may use it) and a column per role. Requests carry a valid CSRF token
(CSRF is on here, as in production), so what is tested is authorisation: an allowed POST
may be refused by its form (422) or run, but a forbidden one answers 403/404 (anonymous:
the sign-in redirect) and leaves every row of every table as it was. The method a route
does not have answers 405 to everyone, also without a change. TA flags (tas_manage,
tas_export) are covered route by route in tests/test_dashboard_permissions.py; here a TA
has the default rights.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation.extensions import db
from tests.security.conftest import ROLES, World, csrf_token, sign_in


@pytest.fixture
def app_config() -> dict[str, object]:
    return {"WTF_CSRF_ENABLED": True}


# ok     allowed: a GET gets 200; a POST gets a page, a redirect (not to sign-in), or its
#        form's refusal (400, 409, 422): what it would get with a real form.
# login  302 to the sign-in page, with the page to come back to.
# 403    a member of the course without the right.
# 404    an outsider, who must not learn that the course, discussion or comment exists.
# NNN    exactly this status, for everyone in the column.
#
#                                                    anonym  student other_s ta     instr  other_i
ROUTES: dict[tuple[str, str], str] = {
    # Signed out or in, the same pages; the empty sign-in form is refused with a 401.
    ("auth.login", "GET"):                           "ok     ok      ok      ok     ok     ok",
    ("auth.login", "POST"):                          "401    401     401     401    401    401",
    ("auth.signup", "GET"):                          "ok     ok      ok      ok     ok     ok",
    ("auth.signup", "POST"):                         "422    422     422     422    422    422",
    ("auth.logout", "POST"):                         "login  ok      ok      ok     ok     ok",
    # Links mailed or handed out: a token that is not one is a 404 to everyone, when opened.
    ("auth.activate", "GET"):                        "404    404     404     404    404    404",
    ("auth.activate", "POST"):                       "404    404     404     404    404    404",
    ("auth.email_link", "GET"):                      "404    404     404     404    404    404",
    ("auth.email_link", "POST"):                     "404    404     404     404    404    404",
    ("auth.invitation", "GET"):                      "404    404     404     404    404    404",
    ("auth.invitation", "POST"):                     "404    404     404     404    404    404",
    # Without mail (the tests' default) the page says so; with it, "check your email".
    ("auth.forgot_password", "GET"):                 "ok     ok      ok      ok     ok     ok",
    ("auth.forgot_password", "POST"):                "ok     ok      ok      ok     ok     ok",
    ("auth.send_confirmation", "POST"):              "login  ok      ok      ok     ok     ok",
    ("health.healthz", "GET"):                       "ok     ok      ok      ok     ok     ok",
    ("health.livez", "GET"):                         "ok     ok      ok      ok     ok     ok",
    # The student side: members of the course; staff read it too.
    ("discussions.home", "GET"):                     "login  ok      ok      ok     ok     ok",
    ("discussions.join", "POST"):                    "login  422     422     422    422    422",
    ("discussions.my_comments", "GET"):              "login  ok      ok      ok     ok     ok",
    ("discussions.course", "GET"):                   "login  ok      404     ok     ok     404",
    ("discussions.show", "GET"):                     "login  ok      404     ok     ok     404",
    ("discussions.submit", "POST"):                  "login  422     404     422    422    404",
    ("discussions.preview", "POST"):                 "login  400     404     400    400    404",
    # Revising is the author's own act: staff edit instead; to anyone else it is not there.
    ("discussions.revise", "GET"):                   "login  ok      404     403    403    404",
    ("discussions.submit_revision", "POST"):         "login  422     404     403    403    404",
    # The instructor side: creating a course is the account's flag, not a course role.
    ("dashboard.new_course", "GET"):                 "login  403     403     403    ok     ok",
    ("dashboard.new_course", "POST"):                "login  403     403     403    422    422",
    # Moderate: instructors and TAs.
    ("dashboard.course", "GET"):                     "login  403     404     ok     ok     404",
    ("dashboard.roster_page", "GET"):                "login  403     404     ok     ok     404",
    ("dashboard.queue_page", "GET"):                 "login  403     404     ok     ok     404",
    ("dashboard.course_queue", "GET"):               "login  403     404     ok     ok     404",
    ("dashboard.comment", "GET"):                    "login  403     404     ok     ok     404",
    ("dashboard.compare_copy", "GET"):               "login  403     404     ok     ok     404",
    ("dashboard.decide", "POST"):                    "login  403     404     422    422    404",
    ("dashboard.edit_comment", "GET"):               "login  403     404     ok     ok     404",
    ("dashboard.edit_comment", "POST"):              "login  403     404     422    422    404",
    ("dashboard.bulk", "POST"):                      "login  403     404     ok     ok     404",
    ("dashboard.approve_unflagged", "GET"):          "login  403     404     ok     ok     404",
    ("dashboard.approve_unflagged", "POST"):         "login  403     404     ok     ok     404",
    ("dashboard.audit_page", "GET"):                 "login  403     404     ok     ok     404",
    ("dashboard.grading_sheet", "GET"):              "login  403     404     ok     ok     404",
    ("dashboard.grading_student", "GET"):            "login  403     404     ok     ok     404",
    ("dashboard.save_grade", "POST"):                "login  403     404     422    422    404",
    ("dashboard.accept_suggestions", "POST"):        "login  403     404     ok     ok     404",
    ("dashboard.gradebook_grid", "GET"):             "login  403     404     ok     ok     404",
    ("dashboard.participation_report", "GET"):       "login  403     404     ok     ok     404",
    # Manage: settings, discussions, policy, roster, rubrics, releasing grades.
    ("dashboard.regenerate_join_code", "POST"):      "login  403     404     403    ok     404",
    ("dashboard.set_newcomers", "POST"):             "login  403     404     403    422    404",
    ("dashboard.set_time_zone", "POST"):             "login  403     404     403    422    404",
    ("dashboard.roster_page", "POST"):               "login  403     404     403    422    404",
    ("dashboard.new_discussion", "GET"):             "login  403     404     403    ok     404",
    ("dashboard.new_discussion", "POST"):            "login  403     404     403    422    404",
    ("dashboard.edit_discussion", "GET"):            "login  403     404     403    ok     404",
    ("dashboard.edit_discussion", "POST"):           "login  403     404     403    422    404",
    ("dashboard.set_state", "POST"):                 "login  403     404     403    ok     404",
    ("dashboard.course_policy", "GET"):              "login  403     404     403    ok     404",
    ("dashboard.course_policy", "POST"):             "login  403     404     403    422    404",
    ("dashboard.discussion_policy", "GET"):          "login  403     404     403    ok     404",
    ("dashboard.discussion_policy", "POST"):         "login  403     404     403    422    404",
    ("dashboard.rescore_course", "POST"):            "login  403     404     403    ok     404",
    ("dashboard.rescore_discussion", "POST"):        "login  403     404     403    ok     404",
    ("dashboard.release_all", "POST"):               "login  403     404     403    ok     404",
    ("dashboard.release_one", "POST"):               "login  403     404     403    400    404",
    ("dashboard.discussion_rubric", "GET"):          "login  403     404     403    ok     404",
    ("dashboard.discussion_rubric", "POST"):         "login  403     404     403    422    404",
    ("dashboard.discussion_rubric_default", "POST"): "login  403     404     403    ok     404",
    ("dashboard.course_rubric", "GET"):              "login  403     404     403    ok     404",
    ("dashboard.course_rubric", "POST"):             "login  403     404     403    422    404",
    # Export: grades and names leave the system.
    ("dashboard.audit_csv", "POST"):                 "login  403     404     403    ok     404",
    ("dashboard.participation_csv", "POST"):         "login  403     404     403    ok     404",
    ("dashboard.export_page", "GET"):                "login  403     404     403    ok     404",
    ("dashboard.export_grades", "POST"):             "login  403     404     403    422    404",
    # Staff: who teaches the course.
    ("dashboard.staff_page", "GET"):                 "login  403     404     403    ok     404",
    ("dashboard.add_ta", "POST"):                    "login  403     404     403    422    404",
    ("dashboard.remove_ta", "POST"):                 "login  403     404     403    ok     404",
    ("dashboard.ta_permissions", "POST"):            "login  403     404     403    ok     404",
    ("dashboard.cancel_ta_invitation", "POST"):      "login  403     404     403    ok     404",
    ("dashboard.cancel_student_invitation", "POST"): "login  403     404     403    ok     404",
    # A course's jobs (a rescore): those who may start them see and retry them.
    ("dashboard.job_progress", "GET"):               "login  403     404     403    ok     404",
    ("dashboard.retry_job", "POST"):                 "login  403     404     403    ok     404",
    # The LMS's side of a course (LTI): sending a score again, reading the roster now.
    ("dashboard.send_score_again", "POST"):          "login  403     404     403    ok     404",
    ("dashboard.sync_roster", "POST"):               "login  403     404     403    ok     404",
    # LTI: the LMS's login initiation and launch (no CSRF token: state and nonce protect
    # them) refuse a request without their parameters; a state that is not one is refused.
    ("lti.login", "GET"):                            "400    400     400     400    400    400",
    ("lti.login", "POST"):                           "400    400     400     400    400    400",
    ("lti.launch", "POST"):                          "400    400     400     400    400    400",
    ("lti.relaunch", "GET"):                         "403    403     403     403    403    403",
    ("lti.jwks", "GET"):                             "ok     ok      ok      ok     ok     ok",
    # Pages after a launch: a link or launch that is not the viewer's is not there.
    ("lti.link_page", "GET"):                        "login  404     404     404    404    404",
    ("lti.link_page", "POST"):                       "login  404     404     404    404    404",
    ("lti.deep_link", "GET"):                        "login  404     404     404    404    404",
    ("lti.deep_link", "POST"):                       "login  404     404     404    404    404",
    # Only an account a launch made may ask to be linked to another.
    ("lti.link_account", "GET"):                     "login  400     400     400    400    400",
    ("lti.confirm_link", "GET"):                     "login  404     404     404    404    404",
    ("lti.confirm_link", "POST"):                    "login  404     404     404    404    404",
}

ALLOWED_POST = {200, 302, 303, 400, 409, 422}
METHODS = ("GET", "POST")


def expectation(endpoint: str, method: str, role: str) -> str:
    return ROUTES[(endpoint, method)].split()[ROLES.index(role)]


def routes(app: Flask) -> list[Any]:
    """Every rule but static files."""
    return [r for r in app.url_map.iter_rules() if r.endpoint != "static"]


def test_every_route_has_a_row(app):
    walked = {(rule.endpoint, method) for rule in routes(app)
              for method in rule.methods & set(METHODS)}
    assert sorted(walked - set(ROUTES)) == [], "add these routes to ROUTES"
    assert sorted(set(ROUTES) - walked) == [], "these rows name routes that no longer exist"
    assert all(len(codes.split()) == len(ROLES) for codes in ROUTES.values())


def url_of(app: Flask, rule: Any, world: World) -> str:
    """The rule's URL with each parameter filled from the world."""
    revising = rule.endpoint in ("discussions.revise", "discussions.submit_revision")
    values = {"course_id": world.course_id, "discussion_id": world.discussion_id,
              "comment_id": world.rejected_id if revising else world.pending_id,
              "student_id": world.student_id, "membership_id": world.helper_membership_id,
              "token": "not-a-real-token", "job_id": world.job_id, "link_id": 1, "launch_id": 1,
              "invitation_id": world.student_invitation_id
              if rule.endpoint == "dashboard.cancel_student_invitation"
              else world.ta_invitation_id}
    args = {arg: values[arg] for arg in rule.arguments if arg != "action"}
    if "action" in rule.arguments:  # an any(...) of its own per route: its first choice
        args["action"] = rule._converters["action"].regex[3:-1].split("|")[0]
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


def every_row() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, so a refused request can be shown to have changed nothing."""
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


def judge(code: str, method: str, response: Any) -> bool:
    """Whether the response is what the table's code says."""
    location = response.headers.get("Location", "")
    to_sign_in = response.status_code == 302 and location.startswith("/login?next=")
    if code == "login":
        return to_sign_in
    if code == "ok":
        if method == "GET":
            return response.status_code == 200
        return response.status_code in ALLOWED_POST and not to_sign_in
    return response.status_code == int(code)


def requests(app: Flask, world: World) -> list[tuple[str, str, str | None]]:
    """(method, url, endpoint) for GET and POST on every route's URL; endpoint None: 405.

    Sign-out comes last: it ends the session every other request uses.
    """
    served: dict[str, dict[str, str]] = {}
    for rule in routes(app):
        for method in rule.methods & set(METHODS):
            served.setdefault(url_of(app, rule, world), {})[method] = rule.endpoint
    return sorted(((method, url, endpoints.get(method)) for url, endpoints in served.items()
                   for method in METHODS),
                  key=lambda r: (r[2] == "auth.logout", r[1], r[0]))


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_the_table_status_and_refusals_change_nothing(
        app: Flask, client: FlaskClient, make_world: Callable[..., World], role: str) -> None:
    world = make_world()
    token = csrf_token(client) if role == "anonymous" else sign_in(client, world.users[role])
    wrong = []
    for method, url, endpoint in requests(app, world):
        code = expectation(endpoint, method, role) if endpoint else "405"
        refused = code in ("login", "403", "404", "405")
        if refused:
            with app.app_context():
                before = every_row()
        response = client.open(url, method=method, headers={"X-CSRFToken": token})
        response.close()  # ends a streamed download's request, as a server would
        if not judge(code, method, response):
            wrong.append(f"{method} {url} ({endpoint}): {response.status_code} "
                         f"{response.headers.get('Location', '')}, expected {code}")
        elif refused:
            with app.app_context():
                after = every_row()
            changed = [name for name in before if before[name] != after[name]]
            if changed:
                wrong.append(f"{method} {url} ({endpoint}) was refused but changed {changed}")
    assert wrong == [], "\n".join(wrong)
