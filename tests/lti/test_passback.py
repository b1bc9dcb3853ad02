"""Grades to the LMS (AGS) and its roster in (NRPS), against the real platform: exactly one score
per released student with the app's values, retries on 5xx and timeouts, a 4xx shown on the row,
sending twice or at once sending once, and a roster read page by page."""

from __future__ import annotations

import threading
from datetime import timedelta

from moderation.extensions import db
from moderation.models import (
    Discussion,
    Grade,
    LtiEnrolment,
    LtiScore,
    MemberStatus,
    SyncState,
    User,
    utcnow,
)
from moderation.services.grades import sheet
from moderation.services.lti import sync as lti_sync
from tests.lti.conftest import launch
from tests.lti.test_launches import set_up


def course_with_learners(app, client, lms, *, lineitem=True):
    """A set-up link, two learners who launched; return the discussion id and their ids."""
    lms.add_link("link1", "Week 1", lineitem=lineitem)
    discussion_id = set_up(client, lms)
    for uid in ("s1", "s2"):
        launch(app.test_client(), lms, uid, "link1")
    with app.app_context():
        ids = {u.display_name: u.id for u in db.session.scalars(db.select(User))}
    return discussion_id, ids["Ada Lovelace"], ids["Bo Brown"]


def grade(app, discussion_id, student_id, score, feedback):
    """An instructor saves a grade (not released): nothing goes to the LMS."""
    with app.app_context():
        discussion = db.session.get(Discussion, discussion_id)
        teacher = db.session.scalar(db.select(User).where(User.display_name == "Ina Structor"))
        current = db.session.scalar(db.select(Grade).where(
            Grade.discussion_id == discussion_id, Grade.student_id == student_id))
        sheet.save_grade(discussion, student_id, teacher, sheet.GradeEntry(
            score, feedback, None, version=current.version_id if current else 1))
        db.session.commit()


def test_release_sends_exactly_one_score_per_released_student(app, client, lms):
    discussion_id, ada, bo = course_with_learners(app, client, lms)
    grade(app, discussion_id, ada, 8.5, "Clear and well argued.")
    grade(app, discussion_id, bo, 6.0, None)
    assert lms.scores_of("link1") == []  # graded, not released: nothing
    page = client.post(f"/teach/discussions/{discussion_id}/grades/{ada}/release",
                       data={f"r{ada}-version": "2", f"r{ada}-back": "sheet"})
    assert page.status_code == 303, page.text
    [score] = lms.scores_of("link1")
    assert score["userId"] == "s1" and score["scoreGiven"] == 8.5
    assert score["scoreMaximum"] == 10.0 and score["comment"] == "Clear and well argued."
    assert (score["activityProgress"], score["gradingProgress"]) == ("Completed", "FullyGraded")
    # Releasing the rest sends Bo's only: one score per released student.
    client.post(f"/teach/discussions/{discussion_id}/grades/release")
    scores = lms.scores_of("link1")
    assert sorted(s["userId"] for s in scores) == ["s1", "s2"]
    assert [s["scoreGiven"] for s in scores if s["userId"] == "s2"] == [6.0]
    sheet = client.get(f"/teach/discussions/{discussion_id}/grades").text
    assert sheet.count("Sent") >= 2
    # Changing a released grade sends the new value, later; taking it back clears it.
    grade(app, discussion_id, ada, 9.0, "Better.")
    with app.app_context():
        lti_sync.send_waiting()
    ada_scores = [s for s in lms.scores_of("link1") if s["userId"] == "s1"]
    assert [s.get("scoreGiven") for s in ada_scores] == [8.5, 9.0]
    assert ada_scores[1]["timestamp"] > ada_scores[0]["timestamp"]
    client.post(f"/teach/discussions/{discussion_id}/grades/unrelease")
    ada_scores = [s for s in lms.scores_of("link1") if s["userId"] == "s1"]
    assert "scoreGiven" not in ada_scores[-1]
    assert ada_scores[-1]["gradingProgress"] == "NotReady"
    assert ada_scores[-1]["timestamp"] > ada_scores[-2]["timestamp"]


def test_a_line_item_is_made_when_the_link_carried_none(app, client, lms):
    discussion_id, ada, _ = course_with_learners(app, client, lms, lineitem=False)
    grade(app, discussion_id, ada, 7.0, None)
    client.post(f"/teach/discussions/{discussion_id}/grades/release")
    [item] = lms.state.lineitems.values()
    assert item["resourceId"] == str(discussion_id) and item["resourceLinkId"] == "link1"
    assert [s["scoreGiven"] for s in lms.scores_of("link1")] == [7.0]


def release_with_failures(app, client, lms, failures):
    discussion_id, ada, _ = course_with_learners(app, client, lms)
    grade(app, discussion_id, ada, 5.0, None)
    lms.state.score_failures = list(failures)
    client.post(f"/teach/discussions/{discussion_id}/grades/release")
    with app.app_context():
        return db.session.scalar(db.select(LtiScore)), discussion_id, ada


def test_a_5xx_is_retried_with_backoff(app, client, lms):
    row, _, _ = release_with_failures(app, client, lms, [503])
    assert row.state == SyncState.WAITING and row.attempts == 1
    assert "503" in row.last_error and row.next_attempt_at > utcnow() + timedelta(seconds=20)
    with app.app_context():
        assert lti_sync.send_waiting().scores["sent"] == 0  # not yet its time
        report = lti_sync.send_waiting(now=utcnow() + timedelta(minutes=1))
        assert report.scores == {"sent": 1, "retrying": 0, "failed": 0}
    assert [s["scoreGiven"] for s in lms.scores_of("link1")] == [5.0]


def test_a_timeout_is_retried(app, client, lms):
    app.config["LTI_HTTP_TIMEOUT"] = 1
    row, _, _ = release_with_failures(app, client, lms, ["timeout"])
    assert row.state == SyncState.WAITING and "Timeout" in row.last_error


def test_a_4xx_is_shown_on_the_row_and_not_retried(app, client, lms):
    row, discussion_id, ada = release_with_failures(app, client, lms, [404])
    assert row.state == SyncState.FAILED and "404" in row.last_error
    assert "not enrolled" in row.last_error
    with app.app_context():
        lti_sync.send_waiting(now=utcnow() + timedelta(days=1))
        assert db.session.get(LtiScore, row.id).state == SyncState.FAILED
    sheet = client.get(f"/teach/discussions/{discussion_id}/grades").text
    assert "Failed: score: the LMS answered 404" in sheet
    again = client.post(f"/teach/discussions/{discussion_id}/grades/{ada}/lms")
    assert again.status_code == 303
    assert [s["scoreGiven"] for s in lms.scores_of("link1")] == [5.0]


def test_sending_twice_or_at_once_sends_once(app, client, lms):
    discussion_id, ada, bo = course_with_learners(app, client, lms)
    grade(app, discussion_id, ada, 8.0, None)
    grade(app, discussion_id, bo, 7.0, None)
    # The job the release writes is queued but not run here: the senders below race for it.
    app.extensions["moderation.jobs"]["huey"].immediate = False
    with app.app_context():
        discussion = db.session.get(Discussion, discussion_id)
        teacher = db.session.scalar(db.select(User).where(User.display_name == "Ina Structor"))
        sheet.set_released(discussion, teacher, True)
        db.session.commit()
        assert db.session.scalar(db.select(db.func.count()).select_from(LtiScore)) == 2
    app.extensions["moderation.jobs"]["huey"].immediate = True
    reports = []

    def sender():
        with app.app_context():
            reports.append(lti_sync.send_waiting())

    threads = [threading.Thread(target=sender) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        lti_sync.send_waiting()
    assert sorted(s["userId"] for s in lms.scores_of("link1")) == ["s1", "s2"]
    assert sum(r.scores["sent"] for r in reports) == 2


def test_the_roster_is_read_page_by_page(app, client, lms):
    lms.state.page_size = 1  # every page has one member: rel="next" to the end
    lms.add_person("s3", "Cy Never", "learner")  # never launches
    lms.add_person("s4", "Di Gone", "learner")
    lms.state.people["s4"].status = "Inactive"
    lms.add_link("link1", "Week 1")
    discussion_id = set_up(client, lms)  # the instructor's launch reads the roster
    assert lms.state.member_pages == len(lms.state.people)
    with app.app_context():
        statuses = {e.identity.sub: e.status for e in db.session.scalars(
            db.select(LtiEnrolment))}
    assert statuses["s3"] == MemberStatus.ACTIVE and statuses["s4"] == MemberStatus.INACTIVE
    sheet = client.get(f"/teach/discussions/{discussion_id}/grades").text
    assert "Never, Cy" in sheet and "posted nothing" in sheet
    assert "inactive in the LMS" in sheet
    # Someone leaves the LMS course: kept here, marked; read again on demand.
    del lms.state.people["s2"]
    with app.app_context():
        course_id = db.session.scalar(db.select(Discussion.course_id))
    assert client.post(f"/teach/courses/{course_id}/lms-roster").status_code == 303
    with app.app_context():
        statuses = {e.identity.sub: e.status for e in db.session.scalars(
            db.select(LtiEnrolment))}
    assert statuses["s2"] == MemberStatus.LEFT
    assert "left the course in the LMS" in client.get(
        f"/teach/discussions/{discussion_id}/grades").text
