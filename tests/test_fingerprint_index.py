"""The fingerprint index finds what the exact scan finds, in bounded work."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import func, select

from moderation.analysis.fingerprints import GUARANTEE, fingerprints
from moderation.analysis.metrics import easy_words
from moderation.analysis.similarity import containment, resemblance
from moderation.extensions import db
from moderation.models import (
    COMMON_FINGERPRINT,
    Comment,
    Discussion,
    Fingerprint,
    FingerprintCount,
    User,
    utcnow,
)
from moderation.services.comments import fingerprints as index
from moderation.services.comments import posting
from tests.analysis.test_fingerprints import longest_shared_run

VOCABULARY = sorted(w for w in easy_words() if w.isalpha() and len(w) >= 3)


def words(rng: random.Random, n: int) -> str:
    """Everyday words (the Dale-Chall list) in random order."""
    return " ".join(rng.choice(VOCABULARY) for _ in range(n))


@pytest.fixture
def course(app, make_user, make_course, make_discussion, enrol):
    course = make_course()
    discussion = make_discussion(course, min_words=1, max_words=2000, moderation_mode="all")
    students = [make_user() for _ in range(6)]
    for s in students:
        enrol(s, course)
    return course, discussion, students


def test_every_pair_the_exact_scan_flags_is_a_candidate(app, course):
    """Over random comments, some copying others in part, the index path misses no pair
    the rules would flag, except where the winnowing guarantee does not apply (no shared
    run of GUARANTEE words)."""
    course_row, discussion, students = course
    rng = random.Random(5)
    texts: list[str] = []
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        for n in range(120):
            if texts and rng.random() < 0.4:
                source = rng.choice(texts).split()
                start = rng.randrange(len(source))
                taken = source[start:start + rng.randint(8, 60)]
                text = " ".join(words(rng, rng.randint(0, 6)).split() + taken
                                + words(rng, rng.randint(0, 4)).split())
            else:
                text = words(rng, rng.randint(10, 80))
            posting.submit_comment(d, people[n % len(people)], text, f"t{n}")
            texts.append(text)
        db.session.commit()
        stored = [(c.id, c.body, c.author_id) for c in db.session.scalars(
            select(Comment).order_by(Comment.id))]
        checked = misses = 0
        for cid, body, author in stored:
            found = {s.id for s in index.similar(course_row.id, author, body, before=utcnow(),
                                                 exclude_id=cid)}
            for other, other_body, _ in stored:
                if other == cid or len(body.split()) < 10:
                    continue
                if containment(body, other_body) >= 0.8 or resemblance(body, other_body) >= 0.9:
                    checked += 1
                    if other not in found:
                        misses += 1
                        assert longest_shared_run(body, other_body) < GUARANTEE
        assert checked > 20  # the random course really had copies to find
        assert misses == 0


def test_a_stored_comments_indexed_fingerprints_find_what_its_text_finds(app, course):
    """Rescore reads a stored comment's fingerprints from the index instead of computing
    them from its text again: the candidates are the same, in the same order."""
    course_row, discussion, students = course
    rng = random.Random(11)
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        texts: list[str] = []
        boilerplate = words(rng, 12)  # common phrasing: it must count in neither path
        for n in range(COMMON_FINGERPRINT + 30):
            text = (f"{boilerplate} {words(rng, 20)}" if n % 2
                    else " ".join(rng.choice(texts).split()[:25]) + " " + words(rng, 15)
                    if texts else words(rng, 30))
            posting.submit_comment(d, people[n % len(people)], text, f"i{n}")
            texts.append(text)
        db.session.commit()
        rows = list(db.session.execute(select(Comment.id, Comment.author_id, Comment.body,
                                              Comment.submitted_at).order_by(Comment.id)))
        stored = index.indexed([r.id for r in rows])
        assert any(stored.values())
        assert db.session.scalar(select(func.count()).select_from(FingerprintCount).where(
            FingerprintCount.comments > COMMON_FINGERPRINT))  # the boilerplate became common

        def found(queries):
            return [[s.id for s in group]
                    for group in index.similar_many(course_row.id, queries)]

        computed = found([index.Query(r.author_id, r.body, r.submitted_at, r.id)
                          for r in rows])
        read = found([index.Query(r.author_id, r.body, r.submitted_at, r.id, stored[r.id])
                      for r in rows])
        assert read == computed
        assert sum(map(len, computed)) > 50  # copies were really found


def test_common_fingerprints_stop_being_indexed(app, course):
    """A phrase in more than COMMON_FINGERPRINT comments is common: no list to read."""
    course_row, discussion, students = course
    rng = random.Random(9)
    boilerplate = "As the reading says in its opening paragraph about the court"
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        for n in range(COMMON_FINGERPRINT + 5):
            posting.submit_comment(d, people[n % len(people)],
                                 f"{boilerplate} {words(rng, 30)}", f"b{n}")
        db.session.commit()
        common = fingerprints(boilerplate)
        counts = dict(db.session.execute(select(FingerprintCount.hash, FingerprintCount.comments)
                                         .where(FingerprintCount.hash.in_(common))).all())
        assert counts and min(counts.values()) > COMMON_FINGERPRINT
        assert db.session.scalar(select(func.count()).select_from(Fingerprint).where(
            Fingerprint.hash.in_(common))) == 0
        per_hash = select(func.count().label("rows")).select_from(Fingerprint).group_by(
            Fingerprint.course_id, Fingerprint.hash).subquery()
        longest = db.session.scalar(select(func.max(per_hash.c.rows)))
        assert longest <= COMMON_FINGERPRINT  # every list still indexed is short


def test_a_comment_made_only_of_common_phrasing_is_stored(app, course):
    """When every fingerprint of a text is already common, there is nothing to index (the
    load bench found a 500 here: an INSERT of no rows)."""
    course_row, discussion, students = course
    boilerplate = "As the reading says in its opening paragraph about the court, I agree"
    with app.app_context():
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        for n in range(COMMON_FINGERPRINT + 1):
            posting.submit_comment(d, people[n % len(people)], f"{boilerplate} ({n}).", f"c{n}")
        db.session.commit()
        last = posting.submit_comment(d, people[0], f"{boilerplate}!", "last").comment
        db.session.commit()
        assert last.id is not None
        assert db.session.scalar(select(func.count()).select_from(Fingerprint).where(
            Fingerprint.comment_id == last.id)) == 0


def test_a_submit_waits_for_no_other_submit_of_the_course(app, db_kind, course):
    """No row is shared between the submits of a course: while one student's submit holds
    its transaction open, a classmate's submit of the same phrasing commits (on PostgreSQL;
    SQLite has one writer at a time by design). A count per fingerprint, updated by every
    submit, made the second wait for the first."""
    if db_kind != "postgresql":
        pytest.skip("SQLite writers take turns by design (BEGIN IMMEDIATE)")
    import threading

    _, discussion, students = course
    text = ("As the reading says in its opening paragraph about the court, the parking "
            "plan would move the cars to the side streets of the town")
    held, release, second_done = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def submit(index: int, wait: bool) -> None:
        try:
            with app.app_context():
                posting.submit_comment(db.session.get(Discussion, discussion.id),
                                     db.session.get(User, students[index].id),
                                     f"{text} ({index}).", f"held-{index}")
                db.session.flush()
                if wait:
                    held.set()
                    release.wait(timeout=60)
                db.session.commit()
                if not wait:
                    second_done.set()
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
            held.set()

    with app.app_context():  # an earlier comment, so both submits read the same rows
        posting.submit_comment(db.session.get(Discussion, discussion.id),
                             db.session.get(User, students[2].id), f"{text}.", "first")
        db.session.commit()
    first = threading.Thread(target=submit, args=(0, True))
    first.start()
    assert held.wait(timeout=60)
    second = threading.Thread(target=submit, args=(1, False))
    second.start()
    finished = second_done.wait(timeout=15)
    release.set()
    first.join(timeout=60)
    second.join(timeout=60)
    assert not errors, errors
    assert finished, "the second submit waited for the first one's transaction"
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Comment)) == 3


def test_one_open_pruning_job_per_course_and_what_it_leaves_is_pruned_later(app, course):
    """While a course's pruning job is open, submits finding long lists record no other
    (issue #19: in a burst each submit found a set of its own and recorded a job for it);
    once it is done, the next read that finds them records the job that prunes them."""
    from moderation.models.jobs import Job, JobState

    course_row, discussion, students = course
    rng = random.Random(11)
    first = "As the reading says in its opening paragraph about the court"
    second = "When the treaty was signed the parliament never voted on it at all"

    def prune_jobs() -> int:
        return db.session.scalar(select(func.count()).select_from(Job).where(
            Job.kind == index.PRUNE_KIND)) or 0

    with app.app_context():
        # A consumer holds the course's pruning job (about other fingerprints).
        held = Job(kind=index.PRUNE_KIND, args={"course_id": course_row.id, "hashes": [1]},
                   course_id=course_row.id, state=JobState.RUNNING,
                   dedupe_key=f"{index.PRUNE_KIND}:{course_row.id}")
        db.session.add(held)
        db.session.commit()
        d = db.session.get(Discussion, discussion.id)
        people = [db.session.get(User, s.id) for s in students]
        # The first phrase grows long, then (ten comments later) the second: the submits
        # find two different sets, and many times each.
        for n in range(COMMON_FINGERPRINT + 13):
            tail = f" {second} {words(rng, 12)}" if n >= 10 else ""
            posting.submit_comment(d, people[n % len(people)],
                                   f"{first} {words(rng, 12)}{tail}", f"p{n}")
            db.session.commit()
        assert prune_jobs() == 1
        assert not db.session.scalar(select(func.count()).select_from(FingerprintCount))
        db.session.get_one(Job, held.id).state = JobState.DONE  # the consumer finished it
        db.session.commit()
        posting.submit_comment(d, people[0], f"{first} {second} {words(rng, 20)}", "later")
        db.session.commit()  # its job runs (at once in tests)
        assert prune_jobs() == 2
        per_hash = select(func.count().label("rows")).select_from(Fingerprint).group_by(
            Fingerprint.course_id, Fingerprint.hash).subquery()
        assert db.session.scalar(select(func.max(per_hash.c.rows))) <= COMMON_FINGERPRINT
        marked = set(db.session.scalars(select(FingerprintCount.hash)))
        assert fingerprints(first) & marked and fingerprints(second) & marked
