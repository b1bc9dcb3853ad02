"""A seeded class for load: an instructor, a course, one open discussion, N students.

Created through the services, as the app itself would; each run gets its own course, so
runs never compare against each other's comments.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import Flask

from bench.comments import PROMPT
from moderation.extensions import db
from moderation.models import DiscussionState, ModerationMode, Role, utcnow
from moderation.services import accounts, courses, discussions

# Sign-in is not what is measured: accounts get a quick hash to save setup time (the
# hash names its method, so the server checks it as it checks any other).
FAST_PASSWORD_METHOD = "pbkdf2:sha256:1000"


@dataclass(frozen=True)
class Account:
    email: str
    password: str


@dataclass(frozen=True)
class Classroom:
    course_id: int
    discussion_id: int
    instructor: Account
    students: tuple[Account, ...]


def seed_classroom(app: Flask, students: int, tag: str,
                   mode: ModerationMode = ModerationMode.FLAGGED) -> Classroom:
    """Create a course with an open discussion and `students` enrolled students."""
    password = secrets.token_urlsafe(12)
    with app.app_context():
        instructor = accounts.create_user(f"instructor-{tag}@bench.example",
                                          f"Instructor {tag}", password,
                                          can_create_courses=True)
        course = courses.create_course(instructor, f"Load {tag}", f"LOAD-{tag}")
        discussion = discussions.create_discussion(course, instructor, discussions.DiscussionFields(
            title="Main Street without parking?", prompt=PROMPT,
            due_at=utcnow() + timedelta(days=7), moderation_mode=mode))
        discussions.set_state(discussion, instructor, DiscussionState.OPEN)
        enrolled = []
        for n in range(students):
            email = f"student{n}-{tag}@bench.example"
            student = accounts.create_user(email, f"Student {n} {tag}", password)
            courses.enrol(student, course, Role.STUDENT)
            enrolled.append(Account(email, password))
        db.session.commit()
        return Classroom(course.id, discussion.id, Account(instructor.email, password),
                         tuple(enrolled))
