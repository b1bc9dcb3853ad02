"""The demo course DEMO101: a news article, a discussion, and comments that exercise the queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from moderation.extensions import db
from moderation.models import Course, DiscussionState, ModerationMode, User, utcnow
from moderation.services import accounts, courses, discussions
from moderation.services.comments import posting

DEMO_CODE = "DEMO101"
# The demo's join code is its course code, so the code the README names is the one to type.
DEMO_JOIN_CODE = DEMO_CODE
INSTRUCTOR_EMAIL = "instructor@demo.example.edu"
STUDENT_EMAIL = "student@demo.example.edu"

PROMPT = """\
## Astrava withdraws its signature from the International Criminal Court

*Staff report, 14 March*

The Republic of Astrava announced on Tuesday that it is withdrawing its signature
from the treaty that founded the International Criminal Court, one day after the
court's prosecutor described Astrava's control of the Kessen Peninsula as an
occupation.

Astrava annexed the peninsula two years ago after a referendum that most
governments refused to recognise. In a preliminary report published on Monday,
the prosecutor's office wrote that "the annexation does not change the legal
character of the territory" and that the court would continue to examine reports
of forced transfers of civilians.

Astrava's foreign minister, Dana Roshel, called the report "a political verdict
dressed as law" and said the country "will not cooperate with an institution
that has abandoned its neutrality." Because Astrava signed but never ratified the
treaty, legal scholars disagree about what the withdrawal changes in practice.

Human rights groups warned that the move sends a signal to other states under
investigation. Several neighbouring governments said they regretted the decision
but would not change their own relationship with the court.

**For discussion:** Does withdrawing a signature weaken the court, or does it mostly
show the limits of the court's power? Use evidence from the article and at least
one other source, and reply to at least two classmates.
"""

THOUGHTFUL = """\
I think the withdrawal shows the limits of the court more than it weakens it. \
Astrava signed the treaty but never ratified it, so it was never bound by the court's \
jurisdiction in the first place. Withdrawing a signature is mostly a statement: it tells \
voters at home that the government will not accept an outside judgment about the Kessen \
Peninsula. What worries me is the timing. Withdrawing one day after the prosecutor's \
report makes the court look like a political actor, which is exactly what the foreign \
minister claimed. The court depends on states to arrest suspects and hand over evidence, \
so its real power is borrowed from governments that choose to cooperate. On the other \
hand, the prosecutor can still examine the forced transfers, because the alleged crimes \
may have touched the territory of states that did join. The article also notes that \
neighbouring governments regretted the decision without changing course, which suggests \
the court keeps its support where it matters most. I would like to know whether any \
state has ever returned after withdrawing, because that would show whether this kind of \
protest lasts."""

MISSPELLED = """\
According to , the court has no real power becuase it can not arrest anybody by itself. \
I beleive that Astrava is making a big mistake here, since other countrys will see them \
as a goverment that is hiding something about the peninsula. The foriegn minister says \
the court is political but she dosent give any evidance for this claim. If every country \
left the court whenever it was critisized, there would be no internasional law at all. \
Still, the court needs members to work, so maybe this does weaken it a litle."""

REPLY = """\
I agree that the timing is the most revealing part. Withdrawing the day after the report \
looks like a reaction to criticism rather than a principled position, and that makes the \
foreign minister's argument harder to believe."""

TOO_SHORT = "The court is weak. Astrava is right."


@dataclass
class DemoResult:
    """What seeding did, and the passwords to print once (never stored in clear)."""

    created: bool
    course: Course
    instructor_password: str | None = None
    student_password: str | None = None


def seed_demo() -> DemoResult:
    """Load the demo course on first run; later runs change nothing."""
    course = db.session.scalar(select(Course).where(Course.code == DEMO_CODE))
    if course is not None:
        return DemoResult(created=False, course=course)

    passwords: dict[str, str] = {}

    def account(email: str, name: str, *, signs_in: bool, instructor: bool = False) -> User:
        user = accounts.find_user(email)
        if user is None:
            password = accounts.generate_password() if signs_in else None
            user = accounts.create_user(email, name, password, can_create_courses=instructor,
                                        verified=True)
            if password:
                passwords[email] = password
        return user

    instructor = account(INSTRUCTOR_EMAIL, "Maya Patel", signs_in=True, instructor=True)
    course = courses.create_course(instructor, "Global Politics (demo)", DEMO_CODE)
    course.join_code = DEMO_JOIN_CODE
    now = utcnow()
    discussion = discussions.create_discussion(course, instructor, discussions.DiscussionFields(
        title="Week 3: Leaving the court",
        prompt=PROMPT,
        opens_at=now - timedelta(days=1),
        due_at=now + timedelta(days=7),
        points_possible=10,
        required_replies=2,
        moderation_mode=ModerationMode.FLAGGED,
    ))
    discussions.set_state(discussion, instructor, DiscussionState.OPEN)

    def student(email: str, name: str, signs_in: bool = False) -> User:
        user = account(email, name, signs_in=signs_in)
        courses.enrol(user, course, section="Section 1")
        return user

    jordan = student(STUDENT_EMAIL, "Jordan Lee", signs_in=True)
    amara = student("amara.okafor@demo.example.edu", "Amara Okafor")
    sam = student("sam.rivera@demo.example.edu", "Sam Rivera")
    kai = student("kai.nguyen@demo.example.edu", "Kai Nguyen")

    first = posting.submit_comment(discussion, amara, THOUGHTFUL, "demo-thoughtful",
                                 now=now - timedelta(hours=20)).comment
    posting.submit_comment(discussion, sam, MISSPELLED, "demo-misspelled",
                         now=now - timedelta(hours=10))
    if first.status.value == "approved":
        posting.submit_comment(discussion, kai, REPLY, "demo-reply", parent_id=first.id,
                             now=now - timedelta(hours=6))
    posting.submit_comment(discussion, jordan, TOO_SHORT, "demo-too-short",
                         now=now - timedelta(hours=2))
    return DemoResult(True, course, passwords.get(INSTRUCTOR_EMAIL), passwords.get(STUDENT_EMAIL))
