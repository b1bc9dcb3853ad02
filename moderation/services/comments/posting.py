"""The moderation queue: submitting and revising comments (analysed, then held or approved)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from moderation import db_setup
from moderation.analysis import Analysis
from moderation.extensions import db
from moderation.models import (
    Comment,
    CommentStatus,
    Discussion,
    User,
    text_key,
    utcnow,
)
from moderation.services import audit
from moderation.services.comments import checking, revisions, text_facts
from moderation.services.courses import require_member
from moderation.services.discussions import accepts_comments, sight
from moderation.services.errors import Conflict, InvalidInput, NotFound, ServiceError
from moderation.services.grades import derived
from moderation.services.text import clean_body

# How deep a thread goes: a response is 0, a reply 1, a reply to a reply 2. A reply to a
# comment at the deepest level is attached beside it, naming whom it answers
# (`Comment.reply_to_id`), as Canvas and Discourse flatten beyond their depth: the student
# answers whom they meant, and the thread stays readable on a phone.
MAX_DEPTH = 2


class Blocked(ServiceError):
    """The rules refused the comment; every reason is listed and nothing was stored."""

    status = 422

    def __init__(self, analysis: Analysis) -> None:
        reasons = [f"{f.message} {f.advice}".strip() for f in analysis.findings
                   if f.severity == "block"]
        super().__init__(" ".join(reasons), field="body")
        self.analysis = analysis
        self.reasons = reasons


@dataclass
class Submission:
    """The outcome of a submit: the comment, and whether this call created it."""

    comment: Comment
    created: bool


def submit_comment(
    discussion: Discussion,
    author: User,
    body: str,
    submission_token: str,
    parent_id: int | None = None,
    now: datetime | None = None,
) -> Submission:
    """Analyse and store a comment; a repeated submission token returns the first comment."""
    return _store(discussion, author, body, submission_token, parent_id=parent_id,
                  revision_of=None, now=now or utcnow())


def revise_comment(
    original: Comment,
    author: User,
    body: str,
    submission_token: str,
    now: datetime | None = None,
) -> Submission:
    """Store a revision of a rejected comment: a new comment in its place, checked as a submit.

    Only the author may revise, only a rejected comment, once, while the discussion accepts
    comments; the revision answers what the original answered, in the same place. A
    repeated submission token returns the first revision.
    """
    revisions.require_author(original, author)
    return _store(original.discussion, author, body, submission_token,
                  parent_id=original.reply_to_id or original.parent_id, revision_of=original,
                  now=now or utcnow())


def _store(discussion: Discussion, author: User, body: str, submission_token: str, *,
           parent_id: int | None, revision_of: Comment | None, now: datetime) -> Submission:
    """Check and store a comment or a revision: the one way a student's text is stored.

    `parent_id` is the comment the student answers; the reply is placed under it, or
    beside it at the deepest level (`placement`).
    Read and analyse first, outside any write transaction; then take the write lock only
    to insert, checking again under it what must be exact: the form token, a duplicate,
    the discussion still open, the parent still there, the original still revisable.
    """
    membership = require_member(author, discussion.course)
    if not submission_token or len(submission_token) > 64:
        raise InvalidInput("The form has expired; reload the page and submit again.")
    existing = _by_token(submission_token)
    if existing is not None:
        return _same_submission(existing, author)
    body = clean_body(body)
    staff = membership.role.is_staff
    _check_still_acceptable(discussion, author, body, parent_id, revision_of, now,
                            staff=staff, duplicates=False)  # exactly, under the lock below
    verdict = checking.check_text(discussion, author, body, is_reply=parent_id is not None,
                                  now=now, staff=staff, revision=revision_of is not None)
    if verdict.blocked:
        raise Blocked(verdict.analysis)

    db_setup.begin_write(only_read=True)
    _one_writer_per_author(author.id)
    # One read under the lock answers both what must be exact: whether this form was
    # already stored (a double submit gets the first comment) and whether the author
    # already posted this text here (refused below, after the other checks, as before).
    same_token, duplicate = _earlier_same_text(discussion, author, body, submission_token)
    if same_token is not None:
        return _same_submission(db.session.get_one(Comment, same_token), author)
    _reread_open(discussion)
    parent = db.session.get(Comment, parent_id) if parent_id is not None else None
    if parent is not None:
        db.session.refresh(parent, ["status"])
    if revision_of is not None:
        db.session.refresh(revision_of, ["status", "revision"])
    placed_under, reply_to_id = _check_still_acceptable(
        discussion, author, body, parent_id, revision_of, now, staff=staff, duplicates=False)
    if duplicate:
        raise Conflict(DUPLICATE, field="body")
    facts = text_facts.Facts.of(body, verdict.analysis)
    comment = facts.new_comment(
        discussion_id=discussion.id,
        course_id=discussion.course_id,
        author_id=author.id,
        parent_id=placed_under,
        reply_to_id=reply_to_id,
        revision_of_id=revision_of.id if revision_of else None,
        body=body,
        status=verdict.status,
        submitted_at=now,
        submission_token=submission_token,
    )
    db.session.add(comment)
    try:
        db.session.flush()
    except IntegrityError:
        # This transaction wrote nothing before the insert (no savepoint needed): undone
        # whole, it leaves the first comment of a concurrent double click to be returned.
        db.session.rollback()
        existing = _by_token(submission_token)
        if existing is not None:
            return _same_submission(existing, author)
        if revision_of is not None and revisions.revision_id(revision_of) is not None:
            # Another tab revised it first: the unique revision_of_id refused this one.
            raise Conflict(revisions.ALREADY_REVISED, field="body") from None
        raise
    text_facts.store([text_facts.Stored(
        comment.id, comment.course_id, comment.discussion_id, comment.author_id, body,
        facts, new=True, inserted=True)])
    # The author's stored suggestion is refreshed later, not in this request: no page shows
    # it at once (the grading page computes its own), and it was a sixth of a submit.
    derived.defer()
    if revision_of is not None:
        audit.record("comment.revised", actor=author, course_id=discussion.course_id,
                     obj=comment, subject_id=author.id,
                     before={"comment_id": revision_of.id, "status": revision_of.status.value},
                     after={"comment_id": comment.id, "status": comment.status.value})
    return Submission(comment, created=True)


def _check_still_acceptable(discussion: Discussion, author: User, body: str,
                            parent_id: int | None, revision_of: Comment | None,
                            now: datetime, *, staff: bool, duplicates: bool = True
                            ) -> tuple[int | None, int | None]:
    """Refuse a comment the discussion cannot take now; run before and after the analysis.

    Returns where it goes: its parent, and the comment it answers when that is not its
    parent (`placement`).
    """
    if revision_of is not None:
        revisions.check_revisable(revision_of, now)
    if not accepts_comments(discussion, now):
        raise Conflict("This discussion is not open for comments.")
    if parent_id is not None:
        # Post before you see: a reply answers a comment the student may not read yet
        # (refused before the parent is looked at, so it says nothing about that comment).
        seen = sight(discussion, author, staff)
        if not seen.classmates:
            raise Conflict(seen.notice or "Post your response first.", field="body")
    placed = placement(discussion, parent_id)
    if revision_of is not None and text_key(body) == text_key(revision_of.body):
        raise InvalidInput("Your revision is the same as the rejected comment; change it "
                           "before submitting.", field="body")
    if duplicates:
        _refuse_duplicate(discussion, author, body)
    return placed


def placement(discussion: Discussion, answers_id: int | None) -> tuple[int | None, int | None]:
    """Where a reply to `answers_id` goes: (its parent, the comment it answers if that is
    not its parent). Under the comment it answers, or, when that comment is at the
    deepest level (MAX_DEPTH), beside it under the same parent, naming it.

    Refused (404) unless the comment answered, and the one it is placed under, are approved
    comments of this discussion: a reply never lands under a hidden comment.
    """
    if answers_id is None:
        return None, None
    answered = db.session.get(Comment, answers_id)
    line: list[Comment] = []  # the comment answered, then its parent, up to its response
    ancestor = answered
    while ancestor is not None and len(line) <= MAX_DEPTH + 20:
        line.append(ancestor)
        ancestor = ancestor.parent if ancestor.parent_id is not None else None
    if (answered is None or answered.discussion_id != discussion.id
            or any(c.status != CommentStatus.APPROVED for c in line[:2])):
        raise NotFound("The comment you are replying to is not available.")
    depth = len(line) - 1
    if depth < MAX_DEPTH:
        return answered.id, None
    # The comment at MAX_DEPTH - 1 above it: the reply sits at the deepest level.
    under = line[depth - (MAX_DEPTH - 1)]
    if under.status != CommentStatus.APPROVED:
        raise NotFound("The comment you are replying to is not available.")
    return under.id, answered.id


def _one_writer_per_author(author_id: int) -> None:
    """On PostgreSQL, let one submit per author write at a time, so the duplicate check
    under it is exact (SQLite's write lock already does this for every writer)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(author_id)))


def preview(discussion: Discussion, author: User, body: str,
            parent_id: int | None = None, revision: bool = False) -> checking.Verdict:
    """Analyse a draft as it would be analysed on submit, storing nothing.

    Only comments the author can read are compared with: the preview is free and
    repeatable, so it must not become a way to probe comments held for moderation.
    `revision`: the draft revises a rejected comment (it will wait, whatever the mode).
    """
    membership = require_member(author, discussion.course)
    body = clean_body(body)
    return checking.check_text(discussion, author, body, is_reply=parent_id is not None,
                               now=utcnow(), staff=membership.role.is_staff,
                               visible_only=True, revision=revision)


# The statements every submit runs are built once: building one cost a submit more than
# running it (issue #19).
_BY_TOKEN = select(Comment.id).where(Comment.submission_token == bindparam("token"))
_OPEN = select(Discussion.state, Discussion.opens_at).where(Discussion.id == bindparam("id"))
# The author's comments in the discussion are one index range; their stored keys are
# compared, and their texts only for rows stored without one (see Comment.body_key).
_EARLIER = (
    select(Comment.id, Comment.submission_token, Comment.body_key,
           case((Comment.body_key.is_(None), Comment.body)))
    .where(Comment.discussion_id == bindparam("discussion"),
           Comment.author_id == bindparam("author"),
           Comment.status != CommentStatus.REJECTED,
           or_(Comment.body_key == bindparam("key"), Comment.body_key.is_(None))))


def _by_token(token: str) -> Comment | None:
    """The comment stored with this form's token (one column read; the row only if found)."""
    found = db.session.scalar(_BY_TOKEN, {"token": token})
    return db.session.get(Comment, found) if found is not None else None


def _reread_open(discussion: Discussion) -> None:
    """Read again, under the write lock, what decides whether the discussion is open."""
    state, opens_at = db.session.execute(_OPEN, {"id": discussion.id}).one()
    set_committed_value(discussion, "state", state)  # as a refresh would: nothing to write
    set_committed_value(discussion, "opens_at", opens_at)


def _same_submission(existing: Comment, author: User) -> Submission:
    if existing.author_id != author.id:
        raise Conflict("The form has expired; reload the page and submit again.")
    return Submission(existing, created=False)


DUPLICATE = "You have already posted this comment in this discussion."


def _refuse_duplicate(discussion: Discussion, author: User, body: str) -> None:
    """Refuse the same text from the same author in the same discussion (WordPress's 409)."""
    if _earlier_same_text(discussion, author, body, None)[1]:
        raise Conflict(DUPLICATE, field="body")


def _earlier_same_text(discussion: Discussion, author: User, body: str,
                       token: str | None) -> tuple[int | None, bool]:
    """The author's comment in the discussion stored with this form's token, if any, and
    whether another of theirs (not rejected) has the same text: one read.

    A row with the token has this text too (one form, one text), unless it was rejected
    or edited since: then the INSERT's unique token finds it (see `_store`).
    """
    key = text_key(body)
    earlier = db.session.execute(_EARLIER, {"discussion": discussion.id, "author": author.id,
                                            "key": key})
    same_token, duplicate = None, False
    for comment_id, stored_token, stored, text in earlier:
        if token is not None and stored_token == token:
            same_token = comment_id
        elif stored == key or (stored is None and text_key(text) == key):
            duplicate = True
    return same_token, duplicate


def comments_by(author: User) -> list[Comment]:
    """Return every comment of the author, newest first."""
    return list(db.session.scalars(
        select(Comment).where(Comment.author_id == author.id)
        .options(selectinload(Comment.flags),
                 selectinload(Comment.discussion).selectinload(Discussion.course),
                 # Shown beside a rejected comment (revised?) and a reply (parent hidden?).
                 selectinload(Comment.revision), selectinload(Comment.parent))
        .order_by(Comment.submitted_at.desc(), Comment.id.desc())
    ).unique())
