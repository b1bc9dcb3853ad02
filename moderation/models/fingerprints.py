"""The fingerprint index: where each winnowed fingerprint of a course's comments occurs."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from moderation.models.base import Base


class Fingerprint(Base):
    """One winnowed fingerprint of a comment (analysis.fingerprints), indexed by course.

    Finding the earlier comments a new one may copy or repeat is one index lookup of its
    fingerprints, whatever the size of the course; only those candidates are scored.
    A fingerprint found in more than COMMON_FINGERPRINT comments of the course is common
    phrasing, not evidence of copying (MOSS ignores such passages too): a read counts it
    common at once, and a job (services.fingerprints.prune) drops its rows and marks it
    in FingerprintCount, so no lookup keeps reading a long list.
    """

    __tablename__ = "fingerprint"
    __table_args__ = (Index("ix_fingerprint_comment_id", "comment_id"),)

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comment.id", ondelete="CASCADE"), primary_key=True)

    def __repr__(self) -> str:
        return f"<Fingerprint {self.comment_id} {self.hash:x}>"


# Beyond this many comments of a course, a fingerprint is common phrasing ("one of the").
COMMON_FINGERPRINT = 50


class FingerprintCount(Base):
    """A fingerprint marked common in a course: how many comments had it when it was marked.

    Written only by the pruning job, never by a submit (a count every submit updated was
    a row they all queued on). Rows of COMMON_FINGERPRINT or less are from before that
    change and mean nothing.
    """

    __tablename__ = "fingerprint_count"

    course_id: Mapped[int] = mapped_column(
        ForeignKey("course.id", ondelete="CASCADE"), primary_key=True)
    hash: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    comments: Mapped[int] = mapped_column(default=0)

    def __repr__(self) -> str:
        return f"<FingerprintCount {self.hash:x} {self.comments}>"
