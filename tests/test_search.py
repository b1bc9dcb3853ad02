"""The queue's text search by the search index finds exactly what the LIKE over every body
found (models/search.py), on a corpus with the cases where they could part: parts of words,
case, accents, LIKE's wildcards, quotes, short queries, edited and deleted comments, and
letters whose lowercase depends on their neighbours (PostgreSQL's exact LIKE first)."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import delete, inspect, select

from moderation.extensions import db
from moderation.models import Comment, CommentStatus, Discussion, User
from moderation.models.search import SEARCH_TABLE, TRGM_INDEX
from moderation.services.comments import posting, search
from moderation.services.comments import queue as queue_list

SPECIAL = ["Parking", "PARKING lot", "park", "Élan vital", "élan", "naïve café", "ÉCOLE",
           "100% sure", "5_000 cars", "a\\b path", 'he said "no"', "it's", "über",
           "straße", "Ωmega", "ab", "x", "ΟΔΟΣ", "İstanbul", "I\u0307lk", "Vilnius"]
WORDS = ["the", "court", "parking", "street", "town", "reading", "council", "cars",
         "bicycle", "shops", "agree", "disagree", "because", "evidence", "plan"]
QUERIES = ["park", "PARK", "arki", "parking lot", "élan", "ÉLAN", "Élan", "café", "CAFÉ",
           "100%", "%", "_", "5_0", "a\\b", '"no"', '"', "it's", "über", "ÜBER", "straße",
           "ωmega", "Ωmega", "ab", "x", "", "zzz", "the court", "own", "e c", "  ",
           # PostgreSQL answers most texts by an exact LIKE before the ILIKE; these have
           # characters whose lowercase depends on their neighbours (search.holds).
           "Σ", "ΟΣ", "οσ", "I", "İ", "ilk", "VILNIUS", "Court", "COURT"]


def like_search(course_id: int, q: str) -> set[int]:
    """Today's search, written out: the LIKE over every body of the course."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return set(db.session.scalars(select(Comment.id).where(
        Comment.course_id == course_id, Comment.body.ilike(pattern, escape="\\"))))


def indexed_search(course_id: int, q: str) -> set[int]:
    """The queue's search, every status."""
    found: set[int] = set()
    for status in CommentStatus:
        f = queue_list.QueueFilter(status=status, q=q)
        found |= set(db.session.scalars(select(Comment.id).where(
            *queue_list.conditions(course_id, f))))
    return found


@pytest.mark.parametrize("narrows_below", [2000, 5])  # 5: common texts skip the index
def test_the_index_finds_what_the_like_found(app, db_kind, make_user, make_course,
                                             make_discussion, enrol, narrows_below,
                                             monkeypatch):
    monkeypatch.setattr(search, "SEARCH_NARROWS_BELOW", narrows_below)
    course = make_course()
    discussion = make_discussion(course, min_words=1, max_words=500, moderation_mode="all")
    students = [make_user() for _ in range(3)]
    for s in students:
        enrol(s, course)
    rng = random.Random(3)
    with app.app_context():
        if db_kind == "sqlite":
            assert SEARCH_TABLE in inspect(db.engine).get_table_names()
        else:
            assert TRGM_INDEX in {i["name"] for i in inspect(db.engine).get_indexes("comment")}
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        for n in range(120):
            parts = [rng.choice(WORDS) for _ in range(rng.randint(3, 12))]
            if n % 3 == 0:
                parts.insert(rng.randrange(len(parts) + 1), rng.choice(SPECIAL))
            posting.submit_comment(d, people[n % 3], " ".join(parts) + f" ({n})", f"s{n}")
        db.session.commit()
        ids = list(db.session.scalars(select(Comment.id).order_by(Comment.id)))
        # Edited and deleted comments leave the index with the text they had.
        for comment_id in ids[:10]:
            db.session.get(Comment, comment_id).body = "now about the Parking lot, naïve"
        db.session.execute(delete(Comment).where(Comment.id.in_(ids[10:20])))
        db.session.commit()
        checked = 0
        for q in QUERIES:
            expected = like_search(course.id, q)
            assert indexed_search(course.id, q) == expected, q
            checked += bool(expected)
        assert checked > 15  # most queries really found something
