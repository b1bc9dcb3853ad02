"""Derived data with one owner (issue 17): every kind of input moves the stored suggestions
exactly as a fresh computation says, through the refresh before commit and nothing else."""

from __future__ import annotations

import ast
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Course,
    Discussion,
    Membership,
    RejectionReason,
    Role,
    Severity,
    User,
)
from moderation.services import discussions, policies, staff
from moderation.services.comments import decisions, posting
from moderation.services.grades import rubrics, sheet
from tests.forms import form_fields
from tests.grading.fresh import stale_suggestions, stored_suggestions

MODERATION = Path(__file__).parent.parent.parent / "moderation"
LONG = ("The withdrawal shows the limits of the court more than it weakens it, because the "
        "treaty was never ratified and the court depends on states to act.")


@pytest.fixture
def world(app, graded_course, make_comment):
    """Amara responded (late) and replied to the TA; Sam's response waits; Kai responded and
    replied to Amara; the TA posted."""
    c = graded_course
    c.amara_response = make_comment(c.discussion, c.amara, ago=timedelta(hours=-30))
    c.ta_post = make_comment(c.discussion, c.ta, "A note from your TA on the reading.")
    c.amara_reply = make_comment(c.discussion, c.amara, "I agree with the note here.",
                                 parent=c.ta_post)
    c.sam_response = make_comment(c.discussion, c.sam, status=CommentStatus.PENDING,
                                  flags=(("spelling", Severity.HOLD),))
    c.kai_response = make_comment(c.discussion, c.kai)
    c.kai_reply = make_comment(c.discussion, c.kai, "Good point about the treaty.",
                               parent=c.amara_response)
    return c


def teacher(w: SimpleNamespace) -> User:
    return db.session.get_one(User, w.teacher.id)


def course_of(w: SimpleNamespace) -> Course:
    return db.session.get_one(Course, w.course.id)


def discussion_of(w: SimpleNamespace) -> Discussion:
    return db.session.get_one(Discussion, w.discussion.id)


def decide(w, client, runner):
    decisions.approve(decisions.locked(w.sam_response.id, teacher(w)), teacher(w),
                      CommentStatus.PENDING)
    db.session.commit()
    return {w.sam.id}


def revise(w, client, runner):
    decisions.reject(decisions.locked(w.kai_response.id, teacher(w)), teacher(w),
                     RejectionReason.NEEDS_CITATION, None, CommentStatus.APPROVED)
    db.session.commit()
    posting.revise_comment(db.session.get_one(Comment, w.kai_response.id),
                         db.session.get_one(User, w.kai.id), LONG + " See Smith (2019).", "r")
    db.session.commit()
    return {w.kai.id}


def staff_edit(w, client, runner):
    decisions.edit(decisions.locked(w.kai_response.id, teacher(w)), teacher(w), "Too few.")
    db.session.commit()
    return {w.kai.id}


def policy_page(w, client, runner):
    """The policy page: a readability band the comments fall outside, then its rescore."""
    url = f"/teach/courses/{w.course.id}/policy"
    data = form_fields(client.get(url).text) | {"max_grade": "5", "watched_words": "treaty"}
    assert client.post(url, data=data).status_code == 302
    assert client.post(f"/teach/courses/{w.course.id}/policy/rescore").status_code == 302
    db.session.expire_all()
    assert db.session.get_one(Comment, w.kai_response.id).status == CommentStatus.PENDING
    return {w.amara.id, w.kai.id}


def policy_cli(w, client, runner):
    """A policy stored without the page's rescore, then `moderation rescore` in batches."""
    policies.set_course_policy(course_of(w), teacher(w), {"watched_words": ["treaty"]})
    db.session.commit()
    result = runner.invoke(args=["rescore", "--course", w.course.code, "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert db.session.get_one(Comment, w.kai_response.id).status == CommentStatus.PENDING
    return {w.amara.id, w.kai.id}


def rubric(w, client, runner):
    points = {"substantive": 2, "replies": 5, "on_time": 1, "citation": 1, "readability": 1,
              "quality": 0}
    rubrics.set_discussion_rubric(discussion_of(w), teacher(w), {"points": points})
    db.session.commit()
    return {w.amara.id, w.kai.id}


def late_policy(w, client, runner):
    rubrics.set_course_rubric(course_of(w), teacher(w),
                              {"late_policy": "per_day", "late_percent_per_day": 25})
    db.session.commit()
    return {w.amara.id}


def rubric_with_quality(w):
    points = {"substantive": 4, "replies": 3, "on_time": 1, "citation": 0, "readability": 0,
              "quality": 2}
    rubrics.set_discussion_rubric(discussion_of(w), teacher(w), {"points": points})
    db.session.commit()


def quality(w, client, runner):
    sheet.save_grade(discussion_of(w), w.amara.id, teacher(w),
                       sheet.GradeEntry(None, None, 1.5, version=1))
    db.session.commit()
    return {w.amara.id}


def settings(w, client, runner):
    d = discussion_of(w)
    discussions.update_discussion(d, teacher(w), discussions.DiscussionFields(
        title=d.title, due_at=d.due_at + timedelta(days=2), points_possible=20,
        required_replies=1, min_words=5, max_words=200, reply_min_words=3))
    db.session.commit()
    return {w.amara.id, w.kai.id}


def roster(w, client, runner):
    """The TA leaves the course: Amara's reply to them is a reply to a classmate now."""
    membership = db.session.scalar(select(Membership).where(
        Membership.course_id == w.course.id, Membership.user_id == w.ta.id))
    assert membership is not None and membership.role == Role.TA
    staff.remove_ta(course_of(w), teacher(w), membership.id)
    db.session.commit()
    return {w.amara.id}


CHANGES: dict[str, Callable[..., set[int]]] = {
    "decision": decide, "revise": revise, "staff edit": staff_edit,
    "policy through the page": policy_page, "policy through the CLI": policy_cli,
    "rubric": rubric, "late policy": late_policy, "quality judgement": quality,
    "discussion settings": settings, "roster": roster,
}


PREPARE: dict[str, Callable[[SimpleNamespace], None]] = {
    "quality judgement": rubric_with_quality}


@pytest.mark.parametrize("change", list(CHANGES))
def test_every_input_moves_the_stored_suggestions_it_changes(app, client, runner, login_as,
                                                             world, change):
    login_as(world.teacher)
    with app.app_context():
        if change in PREPARE:
            PREPARE[change](world)
        assert stale_suggestions(world.course.id) == []
        before = stored_suggestions(world.course.id)
        moved = CHANGES[change](world, client, runner)
        after = stored_suggestions(world.course.id)
        assert stale_suggestions(world.course.id) == []
        changed = {student for (_, student), score in after.items()
                   if before.get((world.discussion.id, student)) != score}
        assert changed == moved, (before, after)


def test_a_rolled_back_change_refreshes_nothing(app, world):
    with app.app_context():
        before = stored_suggestions(world.course.id)
        decisions.approve(decisions.locked(world.sam_response.id, teacher(world)),
                          teacher(world), CommentStatus.PENDING)
        db.session.rollback()
        db.session.get_one(Course, world.course.id).title = "Renamed"  # not an input
        db.session.commit()
        assert stored_suggestions(world.course.id) == before


def _writes(tree: ast.AST, names: set[str]) -> set[str]:
    """The names among `names` a tree assigns as an attribute or passes as a keyword."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                and node.attr in names:
            found.add(node.attr)
        if isinstance(node, ast.keyword) and node.arg in names:
            found.add(node.arg)
    return found


def test_nothing_but_the_owner_stores_a_suggestion():
    """No view, service or command refreshes suggestions by hand: the one call that stores
    them is in services/grades/derived.py, and only that function writes them."""
    callers, writers = [], []
    for path in MODERATION.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = path.relative_to(MODERATION).as_posix()
        tree = ast.parse(path.read_text(), name)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "store_suggestions":
                callers.append(name)
            if isinstance(node, ast.FunctionDef) and node.name != "store_suggestions" and \
                    _writes(node, {"suggested_score", "breakdown"}):
                writers.append(f"{name}:{node.name}")
    assert callers == ["services/grades/derived.py"]
    assert writers == [], writers


def test_one_function_stores_what_a_text_decides():
    """Submit, revise, staff edit and rescore store metrics, flags, fingerprints, body_key
    and cites_source through text_facts.store; nothing else writes them to a comment."""
    facts = {"metrics", "flag_level", "body_key", "cites_source", "word_count",
             "analysis_version", "flags"}
    written: dict[str, set[str]] = {}
    for path in MODERATION.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = path.relative_to(MODERATION).as_posix()
        tree = ast.parse(path.read_text(), name)
        for node in ast.walk(tree):
            # comment.<fact> = …, Comment(<fact>=…), ….values(<fact>=…)
            if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) and \
                    node.attr in facts and "comment" in ast.unparse(node.value).lower():
                written.setdefault(name, set()).add(node.attr)
            if not isinstance(node, ast.Call):
                continue
            func = ast.unparse(node.func)
            if func in ("Comment", "insert") or func.endswith(".values"):
                keys = {k.arg for k in node.keywords} | {
                    ast.unparse(k) for k in node.args if isinstance(k, ast.Dict)}
                if func == "insert" and "flag" in ast.unparse(node.args[0]).lower():
                    keys.add("flags")
                for key in keys & facts:
                    written.setdefault(name, set()).add(str(key))
            if func in ("fingerprints.record", "fingerprints.forget", "Flag"):
                written.setdefault(name, set()).add(func)
    # text_facts.py also builds a new comment with its facts in the row (one INSERT at
    # submit, no UPDATE after): Comment(<fact>=…) there, and nowhere else.
    assert written == {"services/comments/text_facts.py": {
        "flags", "fingerprints.record", "fingerprints.forget", "metrics", "flag_level",
        "body_key", "cites_source", "word_count", "analysis_version"}}, written
    sources = {name: (MODERATION / name).read_text() for name in (
        "services/comments/posting.py", "services/comments/decisions.py",
        "services/comments/rescore.py")}
    assert all("text_facts.store(" in source for source in sources.values())
