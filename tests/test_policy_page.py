"""Policy pages: course defaults, discussion overrides, refusals beside their field, rescoring."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    AuditEvent,
    Comment,
    CommentStatus,
    Course,
    Discussion,
    RejectionReason,
    Role,
)
from moderation.services import policies
from moderation.services.comments import decisions, posting, rescore
from tests.conftest import instructor_of
from tests.forms import form_fields

TEXTS = {
    "c1": "Sanctions would work better than withdrawal, because the treaty was never ratified.",
    "c2": "I think targeted sanctions on the ministers are fairer than cutting ties with it.",
    "rejected": "The court cannot arrest anyone, so sanctions by neighbours give it teeth.",
    "reopened": "History suggests economic sanctions rarely change what a government wants.",
    "held": "The tribunal should publish its reasoning so every member state can follow it.",
    "staff": "Remember that sanctions are only one of the tools we discussed in week one.",
    "other": "Sanctions against the whole country hurt the people more than the leaders.",
}


@pytest.fixture
def course_with_comments(app, make_user, make_course, make_discussion, enrol):
    """A course watching "tribunal", with comments in every state a rescore must respect."""
    course = make_course()
    teacher = instructor_of(app, course)
    week1 = make_discussion(course)
    week2 = make_discussion(course, title="Week 2")
    ta = make_user("Tess Assistant")
    enrol(ta, course, Role.TA)
    students = {}
    for key in ("c1", "c2", "rejected", "reopened", "held", "other"):
        students[key] = make_user(f"Student {key}")
        enrol(students[key], course)
    ids = {}
    with app.app_context():
        # Set last: the factories merge the course object they were given, policy and all.
        policies.set_course_policy(db.session.get(Course, course.id), db.session.merge(teacher),
                                   {"watched_words": ["tribunal"]})
        for key, text in TEXTS.items():
            author = ta if key == "staff" else students[key]
            where = week2 if key == "other" else week1
            ids[key] = posting.submit_comment(db.session.merge(where), db.session.merge(author),
                                            text, f"tok-{key}").comment.id
        db.session.commit()
        me = db.session.merge(teacher)
        decisions.reject(decisions.locked(ids["rejected"], me), me, RejectionReason.OFF_TOPIC,
                         None, CommentStatus.APPROVED)
        decisions.reopen(decisions.locked(ids["reopened"], me), me, CommentStatus.APPROVED)
        db.session.commit()
        assert statuses(ids) == {"c1": "approved", "c2": "approved", "rejected": "rejected",
                                 "reopened": "pending", "held": "pending", "staff": "approved",
                                 "other": "approved"}
    return {"course": course, "week1": week1, "week2": week2, "teacher": teacher, "ta": ta,
            "ids": ids}


def statuses(ids: dict[str, int]) -> dict[str, str]:
    return {key: db.session.get(Comment, id_).status.value for key, id_ in ids.items()}


def audit_actions(app) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_saving_shows_what_a_rescore_would_move_and_the_rescore_moves_exactly_that(
        app, client, login_as, course_with_comments):
    setup = course_with_comments
    course, ids = setup["course"], setup["ids"]
    login_as(setup["teacher"])
    url = f"/teach/courses/{course.id}/policy"
    data = form_fields(client.get(url).text)
    assert data["watched_words"] == "tribunal"
    data["watched_words"] = "sanction\n  \n"
    response = client.post(url, data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith("impact=1")
    with app.app_context():
        assert db.session.get(Course, course.id).policy == {"watched_words": ["sanction"]}
        assert statuses(ids)["c1"] == "approved"  # saving alone moves nothing
    page = client.get(response.headers["Location"]).text
    assert "Policy saved." in page
    # c1, c2 and week 2's comment would be held; the "tribunal" comment released. Never the
    # rejected, the reopened (a person's decision) or the TA's comment.
    assert "Rescoring would move 1 pending comment to approved and 3 to held." in page
    assert "Rescore 4 comments now" in page
    with app.app_context():
        preview = rescore.preview(db.session.get(Course, course.id))

    response = client.post(f"/teach/courses/{course.id}/policy/rescore")
    assert response.status_code == 302
    assert "3 to held" in client.get(response.headers["Location"]).text
    with app.app_context():
        assert statuses(ids) == {"c1": "pending", "c2": "pending", "rejected": "rejected",
                                 "reopened": "pending", "held": "approved", "staff": "approved",
                                 "other": "pending"}
        moved = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "comment.rescored")).all()
        assert len(moved) == preview.held + preview.released == 4
        assert {e.actor_id for e in moved} == {setup["teacher"].id}
        assert all(e.subject_id == db.session.get(Comment, e.object_id).author_id
                   for e in moved)
        [summary] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "comments.rescored")).all()
        assert (summary.actor_id, summary.object_type) == (setup["teacher"].id, "course")
        assert (summary.after["held"], summary.after["released"]) == (3, 1)


def test_a_discussion_rescore_touches_only_that_discussion(app, client, login_as,
                                                           course_with_comments):
    setup = course_with_comments
    ids = setup["ids"]
    login_as(setup["teacher"])
    with app.app_context():
        policies.set_course_policy(db.session.get(Course, setup["course"].id),
                                   db.session.merge(setup["teacher"]),
                                   {"watched_words": ["sanction"]})
        db.session.commit()
    page = client.get(f"/teach/discussions/{setup['week1'].id}/policy?impact=1").text
    assert "Rescoring would move 1 pending comment to approved and 2 to held." in page
    response = client.post(f"/teach/discussions/{setup['week1'].id}/policy/rescore")
    assert response.status_code == 302
    with app.app_context():
        assert statuses(ids)["c1"] == "pending" and statuses(ids)["other"] == "approved"
        summary = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "comments.rescored"))
        assert (summary.object_type, summary.object_id) == ("discussion", setup["week1"].id)


def test_beyond_the_preview_a_rescore_of_any_size_runs_as_a_job(
        app, client, login_as, course_with_comments, monkeypatch):
    setup = course_with_comments
    login_as(setup["teacher"])
    with app.app_context():
        policies.set_course_policy(db.session.get(Course, setup["course"].id),
                                   db.session.merge(setup["teacher"]),
                                   {"watched_words": ["sanction"]})
        db.session.commit()
    monkeypatch.setattr(rescore, "MAX_PREVIEW", 2)
    url = f"/teach/courses/{setup['course'].id}/policy"
    page = client.get(f"{url}?impact=1").text
    assert "too many to preview here" in page
    assert "Rescore 4 comments in the background" in page
    response = client.post(f"{url}/rescore")
    assert response.status_code == 302
    assert "Rescored 4 comments: 1 moved to approved, 3 to held." in client.get(
        response.headers["Location"]).text
    assert "comments.rescored" in audit_actions(app)


def test_a_running_rescore_shows_its_progress_and_a_failed_one_can_be_tried_again(
        app, client, login_as, course_with_comments):
    from moderation import jobs as consumer
    from moderation.models import Job, JobState
    from moderation.services import jobs

    setup = course_with_comments
    login_as(setup["teacher"])
    url = f"/teach/courses/{setup['course'].id}/policy"
    with app.app_context():
        job = rescore.start(db.session.get(Course, setup["course"].id),
                            db.session.merge(setup["teacher"]))
        db.session.info.pop(jobs.TO_PUSH)  # not handed to the queue: it waits
        job.progress_total, job.progress_done = 4, 2
        db.session.commit()
        job_id = job.id
    page = client.get(url).text
    assert f'data-job-url="/teach/jobs/{job_id}"' in page and "2 of 4 comments" in page
    assert client.get(f"/teach/jobs/{job_id}").json["state"] == "waiting"
    consumer.run(app, job_id)
    assert client.get(f"/teach/jobs/{job_id}").json["result"]["comments"] == 4
    with app.app_context():
        failed = db.session.get(Job, job_id)
        failed.state, failed.error = JobState.FAILED, "The worker stopped."
        db.session.commit()
    page = client.get(url).text
    assert "The last rescore failed: The worker stopped." in page
    response = client.post(f"/teach/jobs/{job_id}/retry", data={"next": url})
    assert response.status_code == 302 and response.headers["Location"] == url
    assert "Rescored 4 comments" in client.get(url).text


@pytest.fixture
def teacher_page(app, client, login_as, make_course, make_discussion):
    course = make_course()
    discussion = make_discussion(course)
    teacher = instructor_of(app, course)
    login_as(teacher)
    return course, discussion, teacher


@pytest.mark.parametrize("field, value, message", [
    ("offensive_threshold", "1.5", "The offensive-language threshold must be between 0 and 1."),
    ("min_grade", "20", "The lowest reading grade must not exceed the highest reading grade."),
    ("min_grade", "nan", "Enter a number between -100,000 and 100,000 for the lowest reading"),
    ("max_links", "1e9", "Enter a whole number, such as 3."),
    ("max_links", "-1", "The most links must not be negative."),
    ("shouting_ratio", "", "Enter a number."),
    ("banned_words", "ok\n" + "x" * 101, "Each line of the banned words must be at most 100"),
    ("severity_late", "explode", "Not a valid choice."),
])
def test_a_refusal_is_shown_beside_its_field_with_the_typed_value_kept(
        app, client, teacher_page, field, value, message):
    course, _, _ = teacher_page
    url = f"/teach/courses/{course.id}/policy"
    data = form_fields(client.get(url).text)
    data.update({field: value, "watched_words": "keep me"})
    response = client.post(url, data=data)
    assert response.status_code == 422
    errors = response.text.split(f'id="{field}-errors" class="field-error">')[1].split("<")[0]
    assert message in errors.replace("&#39;", "'")
    assert "keep me" in response.text  # every typed value is still in the form
    if field not in ("banned_words", "severity_late") and value:
        assert f'value="{value}"' in response.text
    with app.app_context():
        assert db.session.get(Course, course.id).policy == {}
    assert "course.policy_set" not in audit_actions(app)


def test_the_course_stores_only_what_differs_from_the_defaults(app, client, teacher_page):
    course, _, _ = teacher_page
    url = f"/teach/courses/{course.id}/policy"
    data = form_fields(client.get(url).text)
    assert data["enabled_shouting"] == "y" and data["severity_spelling"] == "note"
    response = client.post(url, data=data)  # the page as it came
    assert "Nothing changed" in client.get(response.headers["Location"]).text
    assert "course.policy_set" not in audit_actions(app)

    del data["enabled_shouting"]
    data.update({"severity_late": "hold", "max_links": "3", "course_words": "jus cogens\nICC"})
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Course, course.id).policy == {
            "disabled_rules": ["shouting"], "severities": {"late": "hold"}, "max_links": 3,
            "course_words": ["jus cogens", "ICC"]}
        event = db.session.scalar(select(AuditEvent).where(
            AuditEvent.action == "course.policy_set"))
        assert (event.before, event.after["max_links"]) == ({}, 3)
    page = client.get(url).text
    assert "Changed from the default (2)." in page and "The default." in page


def test_a_discussion_shows_what_it_inherits_and_stores_only_its_overrides(
        app, client, teacher_page):
    course, discussion, teacher = teacher_page
    with app.app_context():
        policies.set_course_policy(db.session.get(Course, course.id), db.session.merge(teacher),
                                   {"max_links": 1, "severities": {"late": "hold"}})
        db.session.commit()
    url = f"/teach/discussions/{discussion.id}/policy"
    page = client.get(url).text
    assert "course policy" in page and "Inherited from the course." in page
    data = form_fields(page)
    assert (data["max_links"], data["severity_late"]) == ("1", "hold")  # the course's values

    data.update({"max_links": "4", "severity_late": "note"})
    assert client.post(url, data=data).status_code == 302
    with app.app_context():
        assert db.session.get(Discussion, discussion.id).policy_overrides == {
            "max_links": 4, "severities": {}}
        assert policies.effective_policy(db.session.get(Discussion, discussion.id)).max_links == 4
    page = client.get(url).text
    assert "Overrides the course (1)." in page and "course: on, hold" in page

    data.update({"max_links": "1", "severity_late": "hold"})  # back to the course's values
    client.post(url, data=data)
    with app.app_context():
        assert db.session.get(Discussion, discussion.id).policy_overrides == {}

    data["watched_words"] = "tribunal"
    client.post(url, data=data)
    client.post(url, data={**data, "reset": "Use the course's policy for everything"})
    with app.app_context():
        assert db.session.get(Discussion, discussion.id).policy_overrides == {}
    assert audit_actions(app).count("discussion.policy_set") == 4


def test_the_discussion_forms_link_to_the_policies(client, teacher_page):
    course, discussion, _ = teacher_page
    edit = client.get(f"/teach/discussions/{discussion.id}/edit").text
    assert f"/teach/discussions/{discussion.id}/policy" in edit
    new = client.get(f"/teach/courses/{course.id}/discussions/new").text
    assert f"/teach/courses/{course.id}/policy" in new


def test_the_service_refuses_a_word_range_and_names_the_key(app, teacher_page):
    course, discussion, teacher = teacher_page
    from moderation.services.errors import InvalidInput

    with app.app_context():
        row = db.session.get(Discussion, discussion.id)
        with pytest.raises(InvalidInput) as refused:
            policies.set_discussion_policy(row, db.session.merge(teacher), {"max_words": 9})
        assert refused.value.field == "max_words"
        with pytest.raises(InvalidInput) as refused:
            policies.set_discussion_policy(row, db.session.merge(teacher),
                                           {"watched_words": ["a\x00b"]})
        assert refused.value.field == "watched_words"


def test_the_pages_rescore_leaves_no_stored_suggestion_stale(app, client, login_as,
                                                             course_with_comments):
    """Issue 17, item 4: the rescore moves c1, c2 and week 2's comment to held; each
    author's stored suggestion follows in the same transaction."""
    from tests.grading.fresh import stale_suggestions, stored_suggestions

    setup = course_with_comments
    course = setup["course"]
    login_as(setup["teacher"])
    with app.app_context():
        before = stored_suggestions(course.id)
    url = f"/teach/courses/{course.id}/policy"
    data = form_fields(client.get(url).text)
    data["watched_words"] = "sanction"
    assert client.post(url, data=data).status_code == 302
    assert client.post(f"/teach/courses/{course.id}/policy/rescore").status_code == 302
    with app.app_context():
        after = stored_suggestions(course.id)
        c1 = db.session.get(Comment, setup["ids"]["c1"])
        key = (c1.discussion_id, c1.author_id)
        assert before[key] > 0 and after[key] == 0  # held now: nothing approved counts
        assert stale_suggestions(course.id) == []
