"""The no-loss counts: every answer the clients got, against what the database holds.

- every 2xx/3xx answer has exactly one stored row for its submission token (and, for a
  real submit, it is the comment the answer's Location named);
- every stored comment carries its flags: the stored flag rows say what a fresh analysis
  of its text says (the rules that compare with other comments, `copied` and `repeat`,
  may differ with what had been committed at that instant, so they are left out), and
  its `flag_level` is its flags' worst;
- a double submit (one token, two requests at once) makes one row, named by both answers;
- no 5xx, no failed connection, no "database is locked" and no traceback in the logs;
- no audit row about a comment that does not exist; and for decisions, each decided
  comment's latest audit row says the status it has (no audit row without its change,
  no change without its audit row).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import selectinload

from bench.load_client import Answer
from moderation.analysis import Context, Policy, analyze
from moderation.extensions import db
from moderation.models import AuditEvent, Comment, Discussion
from moderation.models.enums import Severity
from moderation.services import policies

CONTEXT_RULES = frozenset({"copied", "repeat"})  # depend on what else was committed
LEVEL = {s: s.level for s in Severity}


@dataclass
class Counts:
    """What a run's answers and the database say, side by side."""

    posts: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    network_errors: int = 0
    submissions: int = 0  # distinct tokens answered 2xx/3xx
    stored: int = 0
    missing: int = 0  # answered 2xx/3xx, no row
    doubled: int = 0  # tokens with more than one row
    wrong_comment: int = 0  # Location named another comment than the token's row
    stored_unanswered: int = 0  # rows whose requests all failed (a crash mid-request)
    flagged: int = 0
    flags_wrong: int = 0
    doubles: int = 0  # deliberate double submits sent
    doubles_one_row: int = 0  # … that made exactly one row, named by both answers
    locked: int = 0  # "database is locked" in the server logs
    tracebacks: int = 0
    audit_orphans: int = 0
    decisions: int = 0
    decisions_unaudited: int = 0
    audit_mismatch: int = 0

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)

    def add(self, other: Counts) -> None:
        """Add another run's counts to these."""
        for name in self.__dataclass_fields__:
            mine, theirs = getattr(self, name), getattr(other, name)
            setattr(self, name, mine + theirs)

    def problems(self, *, crashed: bool = False) -> list[str]:
        """What is wrong; a crash forgives cut connections and rows whose answer was lost."""
        found = []
        for name in ("missing", "doubled", "wrong_comment", "flags_wrong", "locked",
                     "tracebacks", "audit_orphans", "decisions_unaudited", "audit_mismatch"):
            if getattr(self, name):
                found.append(f"{name}: {getattr(self, name)}")
        if self.doubles != self.doubles_one_row:
            found.append(f"double submits: {self.doubles_one_row} of {self.doubles} made "
                         "one row")
        if self.server_errors:
            found.append(f"5xx answers: {self.server_errors}")
        if not crashed:
            for name in ("network_errors", "stored_unanswered"):
                if getattr(self, name):
                    found.append(f"{name}: {getattr(self, name)}")
        return found


def _answers(answers: Iterable[Answer], counts: Counts) -> dict[str, list[Answer]]:
    by_token: dict[str, list[Answer]] = defaultdict(list)
    for answer in answers:
        counts.posts += 1
        if answer.status == 0:
            counts.network_errors += 1
        else:
            counts.statuses[answer.status] += 1
        by_token[answer.token].append(answer)
    return by_token


def _ok(answer: Answer) -> bool:
    return 200 <= answer.status < 400


def scan_logs(logs: str, counts: Counts) -> None:
    """Count lock errors and tracebacks in a server's logs; print the first traceback
    (the temporary folder with the logs is gone when the figures are printed)."""
    counts.locked += logs.count("database is locked")
    found = logs.count("Traceback (most recent call last)")
    counts.tracebacks += found
    if found:
        at = logs.index("Traceback (most recent call last)")
        print("First traceback in the server's log:\n" + "\n".join(
            logs[at:].splitlines()[:60]), file=sys.stderr, flush=True)


def count_ceiling(engine: Engine, answers: Iterable[Answer]) -> Counts:
    """The counts for the ceiling app: one `bench_row` per 2xx answer."""
    counts = Counts()
    by_token = _answers(answers, counts)
    answered = {t for t, got in by_token.items() if any(_ok(a) for a in got)}
    counts.submissions = len(answered)
    with engine.connect() as connection:
        rows = Counter(dict(connection.execute(
            text("SELECT token, count(*) FROM bench_row GROUP BY token")).all()))
    mine = {t: rows[t] for t in by_token if rows[t]}
    counts.stored = sum(mine.values())
    counts.missing = sum(1 for t in answered if not rows[t])
    counts.doubled = sum(1 for n in mine.values() if n > 1)
    counts.stored_unanswered = sum(1 for t in mine if t not in answered)
    return counts


def count_floor(engine: Engine, answers: Iterable[Answer]) -> Counts:
    """The counts for the framework floor: one `floor_comment` per 2xx/3xx answer, named by
    the answer, with exactly one audit row each."""
    counts = Counts()
    by_token = _answers(answers, counts)
    answered = {t for t, got in by_token.items() if any(_ok(a) for a in got)}
    counts.submissions = len(answered)
    with engine.connect() as connection:
        rows: dict[str, list[int]] = defaultdict(list)
        for token, comment_id in connection.execute(text(
                "SELECT submission_token, id FROM floor_comment")):
            rows[token].append(comment_id)
        audited = Counter(dict(connection.execute(text(
            "SELECT comment_id, count(*) FROM floor_audit GROUP BY comment_id")).all()))
    mine = {t: rows[t] for t in by_token if rows.get(t)}
    counts.stored = sum(map(len, mine.values()))
    counts.missing = sum(1 for t in answered if not rows.get(t))
    counts.doubled = sum(1 for ids in mine.values() if len(ids) > 1)
    counts.stored_unanswered = sum(1 for t in mine if t not in answered)
    counts.wrong_comment = sum(
        1 for t in answered if rows.get(t) and any(
            _ok(a) and a.comment_id is not None and a.comment_id != rows[t][0]
            for a in by_token[t]))
    counts.audit_orphans = sum(1 for ids in mine.values() for i in ids if audited[i] != 1)
    for got in by_token.values():
        doubles = [a for a in got if a.double]
        if doubles:
            counts.doubles += 1
            named = {a.comment_id for a in doubles}
            if (len(rows.get(got[0].token, [])) == 1 and len(named) == 1
                    and all(_ok(a) for a in doubles)):
                counts.doubles_one_row += 1
    return counts


def count_comments(app: Flask, discussion_id: int, answers: Iterable[Answer]) -> Counts:
    """The counts for the real app in one discussion."""
    counts = Counts()
    by_token = _answers(answers, counts)
    with app.app_context():
        discussion = db.session.get(Discussion, discussion_id)
        assert discussion is not None
        comments = db.session.scalars(
            select(Comment).where(Comment.discussion_id == discussion_id)
            .options(selectinload(Comment.flags))).all()
        per_token = Counter(c.submission_token for c in comments)
        by_row = {c.submission_token: c for c in comments}
        counts.stored = len(comments)
        counts.doubled = sum(1 for n in per_token.values() if n > 1)
        for token, got in by_token.items():
            row = by_row.get(token)
            ok = [a for a in got if _ok(a)]
            if ok:
                counts.submissions += 1
                if row is None:
                    counts.missing += 1
                elif any(a.comment_id is not None and a.comment_id != row.id for a in ok):
                    counts.wrong_comment += 1
            doubles = [a for a in got if a.double]
            if doubles:
                counts.doubles += 1
                if (row is not None and len(doubles) == 2 and all(_ok(a) for a in doubles)
                        and {a.comment_id for a in doubles} == {row.id}):
                    counts.doubles_one_row += 1
        counts.stored_unanswered = sum(
            1 for c in comments if not any(_ok(a) for a in by_token.get(c.submission_token, [])))
        policy = policies.effective_policy(discussion)
        for comment in comments:
            counts.flagged += bool(comment.flags)
            counts.flags_wrong += not _flags_agree(comment, discussion, policy)
        _count_audit(discussion_id, counts)
    return counts


def _flags_agree(comment: Comment, discussion: Discussion,
                 policy: Policy) -> bool:
    """Whether a comment's stored flags are those a fresh analysis of its text gives."""
    stored = {(f.rule, f.severity.value) for f in comment.flags}
    level = max((LEVEL[f.severity] for f in comment.flags), default=0)
    fresh = analyze(comment.body, Context(
        is_reply=comment.parent_id is not None, prompt=discussion.prompt,
        due_at=discussion.due_at, submitted_at=comment.submitted_at), policy)
    expected = {(f.rule, f.severity) for f in fresh.findings}
    return (level == comment.flag_level
            and {f for f in stored if f[0] not in CONTEXT_RULES}
            == {f for f in expected if f[0] not in CONTEXT_RULES})


def _count_audit(discussion_id: int, counts: Counts) -> None:
    """Audit rows about the discussion's comments against the comments themselves."""
    comment_ids = select(Comment.id).where(Comment.discussion_id == discussion_id)
    counts.audit_orphans = db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(
            AuditEvent.object_type == "comment",
            AuditEvent.object_id.not_in(select(Comment.id)),
            AuditEvent.course_id == select(Discussion.course_id)
            .where(Discussion.id == discussion_id).scalar_subquery())) or 0
    latest: dict[int, AuditEvent] = {}
    for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.object_type == "comment",
                                     AuditEvent.object_id.in_(comment_ids),
                                     AuditEvent.action.in_(
                                         ("comment.approved", "comment.rejected",
                                          "comment.reopened")))
            .order_by(AuditEvent.id)):
        assert event.object_id is not None
        latest[event.object_id] = event
    decided = db.session.scalars(
        select(Comment).where(Comment.discussion_id == discussion_id,
                              Comment.decided_by_id.is_not(None))).all()
    counts.decisions = len(latest)
    for comment in decided:
        event = latest.get(comment.id)
        if event is None:
            counts.decisions_unaudited += 1
        elif (event.after or {}).get("status") != comment.status.value \
                or event.actor_id != comment.decided_by_id:
            counts.audit_mismatch += 1
    counts.audit_mismatch += sum(1 for cid in latest if cid not in {c.id for c in decided})

