"""One small world for the security tests: two courses, every role, and a row behind every id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    CommentStatus,
    DiscussionState,
    JobState,
    ModerationMode,
    RejectionReason,
    Role,
    User,
)
from moderation.services import accounts, courses, discussions, invitations, jobs
from moderation.services.comments import decisions, posting, rescore
from moderation.services.comments.decisions import Decision
from moderation.services.grades import sheet
from tests.conftest import PASSWORD, committed

ROLES = ("anonymous", "student", "other_student", "ta", "instructor", "other_instructor")


@dataclass
class World:
    """Who is who, and the id behind each URL parameter."""

    users: dict[str, User]
    course_id: int
    other_course_id: int
    discussion_id: int
    pending_id: int  # the student's reply, waiting in the queue
    rejected_id: int  # the student's response, rejected with a message: they may revise it
    approved_id: int
    helper_membership_id: int  # a second TA, whom the instructor may remove
    ta_invitation_id: int  # an open invitation to be a TA, which the instructor may cancel
    student_invitation_id: int  # a roster line waiting for its address to be proved
    job_id: int  # a failed rescore of the course, which its managers may try again
    texts: dict[str, str] = field(default_factory=dict)

    @property
    def student_id(self) -> int:
        return self.users["student"].id


# What each piece of user-controlled text is, unless a test gives its own.
TEXTS = {
    "student": "Sam Student", "other_student": "Olga Outsider", "ta": "Tess Assistant",
    "instructor": "Ina Structor", "other_instructor": "Otto Other",
    "course_title": "Politics 101", "discussion_title": "Week 1", "prompt": "Read and respond.",
    "section": "Section A", "approved": "The court keeps its support among the members.",
    "pending": "I agree with that reading of the treaty.",
    "rejected": "Nothing much to say about this article today.",
    "message": "Please say more about the article.", "feedback": "Clear and well argued.",
}


@pytest.fixture
def make_world(app: Flask) -> Callable[..., World]:
    """Return a builder of the world; keyword arguments replace the texts in TEXTS."""

    def make(**texts: str) -> World:
        t = {**TEXTS, **texts}
        with app.app_context():
            users = {role: _user(role, t[role], instructor=role.endswith("instructor"))
                     for role in ROLES if role != "anonymous"}
            helper = _user("helper", "Helper TA")
            course = courses.create_course(users["instructor"], t["course_title"], "SEC1")
            other = courses.create_course(users["other_instructor"], "Other course", "SEC2")
            courses.enrol(users["student"], course, section=t["section"])
            courses.enrol(users["ta"], course, Role.TA)
            helper_membership = courses.enrol(helper, course, Role.TA)
            courses.enrol(users["other_student"], other)
            discussion = discussions.create_discussion(
                course, users["instructor"], discussions.DiscussionFields(
                    title=t["discussion_title"], prompt=t["prompt"], min_words=3,
                    moderation_mode=ModerationMode.ALL))
            discussions.set_state(discussion, users["instructor"], DiscussionState.OPEN)
            student, teacher = users["student"], users["instructor"]
            approved = posting.submit_comment(discussion, student, t["approved"], "w1").comment
            decisions.approve(approved, teacher, CommentStatus.PENDING)
            pending = posting.submit_comment(discussion, student, t["pending"], "w2",
                                           parent_id=approved.id).comment
            rejected = posting.submit_comment(discussion, student, t["rejected"], "w3").comment
            decisions.decide(rejected, teacher, Decision(
                CommentStatus.REJECTED, RejectionReason.OTHER, t["message"]),
                CommentStatus.PENDING)
            sheet.save_grade(discussion, student.id, teacher,
                               sheet.GradeEntry(8.0, t["feedback"], None, version=1))
            sheet.set_released(discussion, teacher, True, student_id=student.id,
                                 awaiting_seen=1)  # released with a reply still pending
            ta_invitation = invitations.invite(course, teacher, "new.ta@school.test", Role.TA)
            student_invitation = invitations.invite(course, teacher, "new.student@school.test",
                                                    Role.STUDENT)
            job = rescore.start(course, teacher)
            db.session.info.pop(jobs.TO_PUSH, None)
            job.state, job.error = JobState.FAILED, "The worker stopped."
            db.session.commit()
            assert pending.status == CommentStatus.PENDING
            world = World(
                users={role: committed(user) for role, user in users.items()},
                course_id=course.id, other_course_id=other.id, discussion_id=discussion.id,
                pending_id=pending.id, rejected_id=rejected.id, approved_id=approved.id,
                helper_membership_id=helper_membership.id,
                ta_invitation_id=ta_invitation.id,
                student_invitation_id=student_invitation.id, job_id=job.id, texts=t)
        return world

    return make


def _user(key: str, name: str, *, instructor: bool = False) -> User:
    return accounts.create_user(f"{key}@school.test", name, PASSWORD,
                                can_create_courses=instructor, verified=True)


def csrf_token(client: FlaskClient) -> str:
    """The CSRF token of the client's session, read from a page's form as a browser would."""
    page = client.get("/login").text
    if 'name="csrf_token"' not in page:  # signed in: /login still shows its form
        page = client.get("/").text
    return page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]


def sign_in(client: FlaskClient, user: User) -> str:
    """Sign in through the form with its token; return the new session's token."""
    token = csrf_token(client)
    response = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302, response.text
    return csrf_token(client)


def row_counts() -> dict[str, int]:
    """Rows per table (the caller holds an app context)."""
    return {table.name: db.session.scalar(select(db.func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables}

