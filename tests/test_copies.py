"""Copies side by side: a copied flag names the comment it matches, a rescore keeps that
current, and the staff's page shows both comments with the passages they share marked."""

from __future__ import annotations

import re
import secrets

import pytest
from sqlalchemy import select, update

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Flag,
    ModerationMode,
    RejectionReason,
    User,
)
from moderation.services.comments import decisions, posting, rescore
from tests.conftest import instructor_of

ORIGINAL = ("The court keeps its reach over what happened before the withdrawal, as Jones "
            "explains, so leaving changes less than it seems to most readers.")
COPY = ("So the court keeps its reach over what happened before the withdrawal, as Jones "
        "explains, so leaving changes less than it seems to most readers.")
OWN = ("Sanctions need the neighbouring governments to act together, and nothing in the "
       "ruling asks them to do anything at all this year.")


@pytest.fixture
def copied(app, make_user, make_course, make_discussion, enrol):
    """Ada posts a response (published), Ben copies it (held by the copied rule), Cy writes
    his own: the ids of the three comments, the course and its discussion."""
    course = make_course()
    discussion = make_discussion(course, moderation_mode=ModerationMode.FLAGGED)
    people = [make_user(name) for name in ("Ada Adler", "Ben Baptiste", "Cy Cole")]
    for person in people:
        enrol(person, course)
    ids = []
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        for person, text in zip(people, (ORIGINAL, COPY, OWN), strict=True):
            ids.append(posting.submit_comment(d, db.session.get(User, person.id), text,
                                              secrets.token_hex(8)).comment.id)
            db.session.commit()
    return course, discussion, ids


def _copied_flag(comment_id: int) -> Flag | None:
    return db.session.scalar(select(Flag).where(Flag.comment_id == comment_id,
                                                Flag.rule == "copied"))


def test_a_copied_flag_names_the_comment_it_matches(app, copied):
    _, _, (ada, ben, cy) = copied
    with app.app_context():
        flag = _copied_flag(ben)
        assert flag is not None and flag.matched_comment_id == ada
        assert _copied_flag(cy) is None and _copied_flag(ada) is None


def test_a_rescore_fills_in_an_older_flag_and_follows_a_rejection(app, copied):
    course, _, (ada, ben, _) = copied
    teacher = instructor_of(app, course)
    with app.app_context():
        # A flag stored before the match was kept: a rescore names the comment again.
        db.session.execute(update(Flag).where(Flag.comment_id == ben)
                           .values(matched_comment_id=None))
        db.session.commit()
        rescore.rescore_undecided(db.session.get(Course, course.id), None)
        db.session.commit()
        assert _copied_flag(ben).matched_comment_id == ada
        # Ada's comment rejected: nothing is left to match, and the flag goes with it.
        decisions.decide(db.session.get(Comment, ada), db.session.merge(teacher),
                         decisions.Decision(CommentStatus.REJECTED,
                                            RejectionReason.OFF_TOPIC),
                         CommentStatus.APPROVED)
        db.session.commit()
        rescore.rescore_undecided(db.session.get(Course, course.id), None)
        db.session.commit()
        assert _copied_flag(ben) is None


def _marked(page: str, side: str) -> list[str]:
    """The marked passages of one side of the page."""
    section = re.search(rf'<section class="copy-side copy-{side}".*?</section>', page, re.S)
    assert section is not None, page
    return re.findall(r"<mark>(.*?)</mark>", section.group(0), re.S)


def test_the_page_shows_both_comments_with_the_shared_passages_marked(
        app, client, login_as, copied):
    course, discussion, (ada, ben, _) = copied
    login_as(instructor_of(app, course))
    queue = client.get(f"/teach/discussions/{discussion.id}/queue").text
    link = f"/teach/comments/{ben}/copy"
    assert re.search(rf'<a href="{link}[^"]*" data-compare>Copied \d+% from Ada Adler</a>', queue)
    assert link in client.get(f"/teach/comments/{ben}").text
    page = client.get(link)
    assert page.status_code == 200
    text = page.text
    assert "Closest match found now" not in text
    assert f'href="/teach/comments/{ada}"' in text
    # Ben's words after "So" are all Ada's; her whole text (to its last word) is his.
    assert _marked(text, "flagged") == [COPY[3:-1]]
    assert _marked(text, "matched") == [ORIGINAL[:-1]]
    assert re.search(r"9\d% of the runs of three words in <bdi>Ben Baptiste</bdi>", text)


def test_an_older_flag_is_compared_with_the_closest_match_found_now(
        app, client, login_as, copied):
    course, _, (ada, ben, _) = copied
    with app.app_context():
        db.session.execute(update(Flag).where(Flag.comment_id == ben)
                           .values(matched_comment_id=None))
        db.session.commit()
    login_as(instructor_of(app, course))
    text = client.get(f"/teach/comments/{ben}/copy").text
    assert "Closest match found now" in text
    assert f'href="/teach/comments/{ada}"' in text and _marked(text, "matched") == [ORIGINAL[:-1]]


def test_a_comment_with_nothing_to_compare_says_so(app, client, login_as, copied):
    course, _, (_, _, cy) = copied
    login_as(instructor_of(app, course))
    text = client.get(f"/teach/comments/{cy}/copy").text
    assert "no earlier classmate's comment shares enough of its text" in text
    assert 'class="copy-side copy-matched"' not in text


def test_a_flag_naming_another_courses_comment_shows_nothing_of_it(
        app, client, login_as, copied, make_course, make_discussion, make_user, enrol):
    """Whatever a row says, the page never shows a comment of another course."""
    course, _, (ada, ben, cy) = copied
    elsewhere = make_course()
    stranger = make_user("Secret Stranger")
    enrol(stranger, elsewhere)
    with app.app_context():
        other = posting.submit_comment(
            db.session.get(Discussion, make_discussion(elsewhere).id),
            db.session.get(User, stranger.id), OWN + " Elsewhere.", "elsewhere").comment.id
        db.session.execute(update(Flag).where(Flag.comment_id == ben)
                           .values(matched_comment_id=other))
        db.session.commit()
    login_as(instructor_of(app, course))
    text = client.get(f"/teach/comments/{ben}/copy").text
    assert "Secret Stranger" not in text and "Elsewhere." not in text
    assert f'href="/teach/comments/{ada}"' in text  # found again in the course itself
