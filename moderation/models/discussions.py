"""Discussions, the comments students post in them, and the flags rules raise."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy import text as sa_text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from moderation.analysis import Policy
from moderation.models.base import Base, UTCDateTime, utcnow
from moderation.models.enums import (
    CommentStatus,
    DiscussionState,
    ModerationMode,
    PostFirst,
    RejectionReason,
    Severity,
    enum_column,
)

if TYPE_CHECKING:
    from moderation.models.accounts import User
    from moderation.models.courses import Course

_POLICY = Policy()


@dataclass(frozen=True)
class DiscussionDefaults:
    """What a new discussion asks unless its instructor says otherwise: the one home of these
    values, read by the columns' defaults, `services.discussions` and the form. The word
    range is the analysis policy's; a discussion stores its own."""

    points_possible: float = 10.0
    required_replies: int = 2
    min_words: int = _POLICY.min_words
    max_words: int = _POLICY.max_words
    reply_min_words: int = _POLICY.reply_min_words
    reply_max_words: int = _POLICY.reply_max_words
    moderation_mode: ModerationMode = ModerationMode.FLAGGED


DEFAULTS = DiscussionDefaults()


class Discussion(Base):
    __tablename__ = "discussion"
    __table_args__ = (
        CheckConstraint("min_words >= 0 AND max_words >= min_words", name="word_range"),
        CheckConstraint(
            "reply_min_words >= 0 AND reply_max_words >= reply_min_words",
            name="reply_word_range",
        ),
        CheckConstraint("points_possible >= 0", name="points_possible"),
        CheckConstraint("required_replies >= 0", name="required_replies"),
        CheckConstraint("replies_due_at IS NULL OR due_at IS NULL OR replies_due_at >= due_at",
                        name="replies_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(Text, default="")  # Markdown
    state: Mapped[DiscussionState] = mapped_column(
        enum_column(DiscussionState, "discussion_state"), default=DiscussionState.DRAFT
    )
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The deadline of the required replies (Canvas's checkpoints), judged by the rubric's
    # reply late policy; None: replies are judged by `due_at`, as responses are.
    replies_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    points_possible: Mapped[float] = mapped_column(Float, default=DEFAULTS.points_possible)
    required_replies: Mapped[int] = mapped_column(default=DEFAULTS.required_replies)
    min_words: Mapped[int] = mapped_column(default=DEFAULTS.min_words)
    max_words: Mapped[int] = mapped_column(default=DEFAULTS.max_words)
    reply_min_words: Mapped[int] = mapped_column(default=DEFAULTS.reply_min_words)
    reply_max_words: Mapped[int] = mapped_column(default=DEFAULTS.reply_max_words)
    moderation_mode: Mapped[ModerationMode] = mapped_column(
        enum_column(ModerationMode, "moderation_mode"), default=DEFAULTS.moderation_mode
    )
    # Whether a student must post (or have approved) a response before reading classmates'.
    post_first: Mapped[PostFirst] = mapped_column(
        enum_column(PostFirst, "post_first"), default=PostFirst.OFF, server_default="off")
    # Per-discussion overrides of the course policy (a partial analysis.Policy).
    policy_overrides: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    lms_assignment_id: Mapped[str | None] = mapped_column(String(64))
    # The discussion's own rubric over the course default (a grading.Rubric as JSON);
    # None: the course default, scaled to points_possible.
    rubric: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="discussions")
    comments: Mapped[list[Comment]] = relationship(
        back_populates="discussion", order_by="Comment.submitted_at"
    )

    def __repr__(self) -> str:
        return f"<Discussion {self.id} {self.title!r}>"


def text_key(text: str) -> str:
    """A digest of the text with whitespace runs and case folded: the same key, the same
    comment (the duplicate check).

    >>> text_key("The  court\\nhas NO army.") == text_key("the court has no army.")
    True
    """
    folded = " ".join(text.split()).casefold()
    return hashlib.blake2b(folded.encode(), digest_size=16).hexdigest()


class Comment(Base):
    __tablename__ = "comment"
    __table_args__ = (
        Index("ix_comment_discussion_status", "discussion_id", "status"),
        # A discussion's page: its responses in time order, a page at a time.
        Index("ix_comment_discussion_time", "discussion_id", "submitted_at", "id"),
        # Most comments are responses and are not revisions: indexing only the rows that
        # have a value keeps these small, and keeps SQLite's statistics from judging a
        # lookup by them as reading every row (which made it scan the table).
        Index("ix_comment_parent_id", "parent_id",
              sqlite_where=sa_text("parent_id IS NOT NULL"),
              postgresql_where=sa_text("parent_id IS NOT NULL")),
        Index("uq_comment_revision_of", "revision_of_id", unique=True,
              sqlite_where=sa_text("revision_of_id IS NOT NULL"),
              postgresql_where=sa_text("revision_of_id IS NOT NULL")),
        # The course-wide queue: one index range per status, in time or severity order.
        # The author and the discussion ride along so that the queue's filters and its
        # capped counts are judged from the index alone: on SQLite, reading the row of
        # every comment a filter turns away was most of a filtered page's time.
        Index("ix_comment_course_queue", "course_id", "status", "submitted_at", "id",
              "author_id", "discussion_id"),
        # Severity order reads this index backwards: most severe, then newest, first.
        Index("ix_comment_course_severity", "course_id", "status", "flag_level",
              "submitted_at", "id", "author_id", "discussion_id"),
        # A discussion's queue, as the course's severity index serves the course's: one
        # index range per status (course first: every queue statement names it), most
        # severe and newest first read backwards, the author riding along for the student
        # and section filters. In the course's index a discussion's comments lie among
        # every other discussion's: a filtered count read forty times what it kept.
        Index("ix_comment_discussion_queue", "course_id", "discussion_id", "status",
              "flag_level", "submitted_at", "id", "author_id"),
        # The revisions waiting in a course, by status (every queue page counts those
        # whose first version its viewer rejected; the reviewer filter lists them): read
        # from the index, each original then found by its key, not every revision's row.
        Index("ix_comment_course_revisions", "course_id", "status", "revision_of_id",
              sqlite_where=sa_text("revision_of_id IS NOT NULL"),
              postgresql_where=sa_text("revision_of_id IS NOT NULL")),
        # A student's comments in a discussion, by status (grading, the duplicate check).
        # Three columns, so that SQLite prefers it to (discussion, status) even without
        # statistics: that one read every approved comment of the discussion per submit.
        Index("ix_comment_discussion_author", "discussion_id", "author_id", "status"),
        # A student's comments in the course: the new-student count of approved ones
        # (services/newcomers.py) and the queue's student filter, a page in time order.
        Index("ix_comment_course_author", "course_id", "author_id", "status",
              "submitted_at", "id"),
        CheckConstraint("flag_level BETWEEN 0 AND 3", name="flag_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    discussion_id: Mapped[int] = mapped_column(ForeignKey("discussion.id", ondelete="CASCADE"))
    # The discussion's course, kept here so the course-wide queue is one index range.
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    # The comment a reply answers when it is not its parent: a reply to a reply at the
    # deepest level is attached beside it (services.comments.posting.MAX_DEPTH) and names
    # here whom it answers. NULL for every other comment: the parent is whom it answers.
    reply_to_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    # The rejected comment this one revises; one revision per rejected comment.
    revision_of_id: Mapped[int | None] = mapped_column(ForeignKey("comment.id"))
    body: Mapped[str] = mapped_column(Text)
    # Read from the text whenever it is set (services.comments.text_facts.store, with the metrics,
    # flags and fingerprints), so that a submit's duplicate check and a grade's "cites a
    # source" need not read every earlier body. NULL in rows written otherwise (some
    # benches and tests): readers then fall back to the body.
    body_key: Mapped[str | None] = mapped_column(String(32))
    cites_source: Mapped[bool | None] = mapped_column()
    status: Mapped[CommentStatus] = mapped_column(
        enum_column(CommentStatus, "comment_status"), default=CommentStatus.PENDING
    )
    # A RejectionReason value for rejections; free text in older rows.
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decision_message: Mapped[str | None] = mapped_column(Text)  # to the student, optional
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # One per rendered form: a double click posts the same token twice, one row results.
    submission_token: Mapped[str] = mapped_column(String(64), unique=True)
    word_count: Mapped[int] = mapped_column(default=0)
    # The most severe flag: 0 none, 1 note, 2 hold, 3 block (SEVERITY_LEVELS).
    flag_level: Mapped[int] = mapped_column(SmallInteger, default=0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    analysis_version: Mapped[str | None] = mapped_column(String(32))
    # A staff edit (a typo, a redaction) keeps the student's own words here, once.
    original_body: Mapped[str | None] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    discussion: Mapped[Discussion] = relationship(back_populates="comments")
    # Comments are always shown with their author's name.
    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])
    parent: Mapped[Comment | None] = relationship(
        remote_side=[id], foreign_keys=[parent_id], back_populates="replies"
    )
    replies: Mapped[list[Comment]] = relationship(
        foreign_keys=[parent_id], back_populates="parent", order_by="Comment.submitted_at"
    )
    reply_to: Mapped[Comment | None] = relationship(remote_side=[id], foreign_keys=[reply_to_id])
    revision_of: Mapped[Comment | None] = relationship(
        remote_side=[id], foreign_keys=[revision_of_id], back_populates="revision"
    )
    revision: Mapped[Comment | None] = relationship(
        foreign_keys=[revision_of_id], back_populates="revision_of", uselist=False
    )
    flags: Mapped[list[Flag]] = relationship(
        back_populates="comment", cascade="all, delete-orphan", order_by="Flag.id",
        foreign_keys="Flag.comment_id",
    )

    @property
    def edited(self) -> bool:
        return self.edited_at is not None

    @property
    def answers(self) -> Comment | None:
        """The comment this one answers: whom a reply replies to (None for a response)."""
        return self.reply_to if self.reply_to_id is not None else self.parent

    @property
    def reason_label(self) -> str:
        """The decision reason as people read it ("Needs a citation"); older free text as is."""
        reason = self.decision_reason or ""
        try:
            return RejectionReason(reason).label
        except ValueError:
            return reason

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status}>"


class Flag(Base):
    __tablename__ = "flag"
    # The queue's rule and severity filters ask "has this comment such a flag?" of every
    # comment they pass over: answered from these indexes alone, never the flag's row.
    __table_args__ = (Index("ix_flag_rule_comment", "rule", "comment_id"),
                      Index("ix_flag_severity_comment", "severity", "comment_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), index=True
    )
    rule: Mapped[str] = mapped_column(String(40))
    severity: Mapped[Severity] = mapped_column(enum_column(Severity, "severity"))
    message: Mapped[str] = mapped_column(Text)
    # The student's next step ("Develop your point further before submitting."); the
    # message itself reads right to the student and in the instructor's queue.
    advice: Mapped[str] = mapped_column(Text, default="")
    spans: Mapped[list[list[int]]] = mapped_column(JSON, default=list)
    value: Mapped[float | None] = mapped_column(Float)
    threshold: Mapped[float | None] = mapped_column(Float)
    # The classmate's comment a `copied` flag matches (the staff compare them side by
    # side); NULL for other flags, and for copied flags stored before it was kept.
    matched_comment_id: Mapped[int | None] = mapped_column(
        ForeignKey("comment.id", ondelete="SET NULL"))

    comment: Mapped[Comment] = relationship(back_populates="flags",
                                            foreign_keys=[comment_id])

    def __repr__(self) -> str:
        return f"<Flag {self.rule} {self.severity}>"

