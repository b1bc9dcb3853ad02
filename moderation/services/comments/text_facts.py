"""What a comment's text decides, stored beside it by one function: `store`.

Whenever a comment's text is set (a submit, a revision, a staff edit) or checked again
(a rescore), the same things are written with it, in a few statements for a whole batch:
the analysis's metrics, word count and version; its flags and their highest severity
(`flag_level`); the duplicate check's key (`body_key`); whether it names a source
(`cites_source`, which grading reads); and its fingerprints in the copy index. The
suggested grades that read them are marked for the refresh before commit
(`services.grades.derived`), since these writes bypass the ORM.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from moderation.analysis import ANALYSIS_VERSION, Analysis
from moderation.analysis.pipeline import public_metrics
from moderation.extensions import db
from moderation.grading.citations import cites_source
from moderation.models import Comment, Flag, Severity, text_key
from moderation.services.comments import fingerprints
from moderation.services.grades import derived
from moderation.services.sets import among


@dataclass(frozen=True)
class Facts:
    """Everything a text and its analysis decide about a stored comment."""

    word_count: int
    metrics: dict[str, Any]
    flag_level: int
    flags: list[dict[str, Any]]  # flag rows' columns, without comment_id
    body_key: str
    cites_source: bool

    @classmethod
    def of(cls, body: str, analysis: Analysis) -> Facts:
        """The facts of a text as checked."""
        flags = flag_values(analysis)
        return cls(word_count=analysis.metrics.words, metrics=public_metrics(analysis.metrics),
                   flag_level=max((f["severity"].level for f in flags), default=0),
                   flags=flags, body_key=text_key(body), cites_source=cites_source(body))

    def signature(self) -> set[tuple[object, ...]]:
        """What the flags say, for telling whether a new check changed them."""
        return signature(self.flags)

    def columns(self) -> dict[str, Any]:
        """The values of the comment's own columns (its flags are rows of their own)."""
        return {"word_count": self.word_count, "metrics": self.metrics,
                "analysis_version": ANALYSIS_VERSION, "flag_level": self.flag_level,
                "body_key": self.body_key, "cites_source": self.cites_source}

    def new_comment(self, **columns: Any) -> Comment:
        """A comment to insert with these facts already in its row: a submit is one INSERT,
        not an INSERT and then an UPDATE (store it with `Stored(..., inserted=True)`)."""
        return Comment(**columns, word_count=self.word_count, metrics=self.metrics,
                       analysis_version=ANALYSIS_VERSION, flag_level=self.flag_level,
                       body_key=self.body_key, cites_source=self.cites_source)


def flag_values(analysis: Analysis) -> list[dict[str, Any]]:
    """An analysis's findings as flag columns."""
    return [
        {"rule": f.rule, "severity": Severity(f.severity), "message": f.message,
         "advice": f.advice, "spans": [list(span) for span in f.spans], "value": f.value,
         "threshold": f.threshold, "matched_comment_id": f.matched}
        for f in analysis.findings
    ]


def signature(flags: Sequence[dict[str, Any]]) -> set[tuple[object, ...]]:
    """What flags say (rule, severity, message, spans, the comment a copy matches),
    whatever their row ids: a copy that now matches another comment is stored again."""
    return {(f["rule"], Severity(f["severity"]), f["message"],
             tuple(map(tuple, f["spans"])), f.get("matched_comment_id")) for f in flags}


def stored_signatures(comment_ids: Sequence[int]) -> dict[int, set[tuple[object, ...]]]:
    """What the stored flags of these comments say (one read)."""
    found: dict[int, list[dict[str, Any]]] = {}
    if comment_ids:
        for row in db.session.execute(
                select(Flag.comment_id, Flag.rule, Flag.severity, Flag.message, Flag.spans,
                       Flag.matched_comment_id)
                .where(among(Flag.comment_id, comment_ids))):
            found.setdefault(row.comment_id, []).append(row._asdict())
    return {cid: signature(flags) for cid, flags in found.items()}


@dataclass(frozen=True)
class Stored:
    """One comment whose text was set or checked again, with what the check found."""

    comment_id: int
    course_id: int
    discussion_id: int
    author_id: int
    body: str
    facts: Facts
    new: bool = False  # just inserted: nothing of it is stored or indexed yet
    earlier_body: str | None = None  # the text a staff edit replaced: out of the index
    reindex: bool = True  # False: the text is the one already indexed (a rescore)
    flags_changed: bool | None = None  # None: compare with what is stored
    moves_grade: bool = True  # False: the caller knows the suggestion reads nothing new
    inserted: bool = False  # its row was inserted with these facts (Facts.new_comment)


def store(items: Sequence[Stored]) -> None:
    """Write everything a text decides for each comment: the one way it is stored."""
    if not items:
        return
    session = db.session()
    compare = [i.comment_id for i in items if i.flags_changed is None and not i.new]
    before = stored_signatures(compare) if compare else {}
    replaced = [i for i in items if i.new or (
        i.flags_changed if i.flags_changed is not None
        else i.facts.signature() != before.get(i.comment_id, set()))]
    flag, comment = cast(Table, Flag.__table__), cast(Table, Comment.__table__)
    stale = [i.comment_id for i in replaced if not i.new]
    if stale:
        session.execute(delete(flag).where(among(flag.c.comment_id, stale)))
    rows = [{**values, "comment_id": i.comment_id} for i in replaced for values in i.facts.flags]
    if rows:
        session.execute(insert(flag), rows)
    values = [{"comment_id": i.comment_id, **i.facts.columns()}
              for i in items if not i.inserted]
    if values:
        session.execute(
            comment.update().where(comment.c.id == bindparam("comment_id"))
            .values({name: bindparam(name) for name in values[0] if name != "comment_id"}),
            values)
    for item in items:
        if item.earlier_body is not None:
            fingerprints.forget(item.course_id, item.comment_id, item.earlier_body)
    fingerprints.record([(i.course_id, i.comment_id, i.body) for i in items if i.reindex])
    _show(session, items, {i.comment_id for i in replaced})
    derived.touched((i.discussion_id, i.author_id) for i in items if i.moves_grade)


def _show(session: Session, items: Sequence[Stored], reflagged: set[int]) -> None:
    """Loaded comments hold what was just written, as if read back (no reload, which after
    a submit's commit would begin another transaction); their flags load when next read."""
    for item in items:
        loaded = session.identity_map.get(session.identity_key(Comment, item.comment_id))
        if loaded is None:
            continue
        for name, value in item.facts.columns().items():
            set_committed_value(loaded, name, value)
        if item.comment_id in reflagged:
            session.expire(loaded, ["flags"])
