"""What rules may know beyond the text itself."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class PriorComment:
    """An earlier comment to compare against (the author's own, or a classmate's)."""

    id: int
    author: str
    text: str
    where: str = ""  # the discussion it was posted in
    # Whether the author of the new comment can read this one: a comment still waiting
    # for an instructor is never named or quantified to another student.
    visible: bool = True


@dataclass(frozen=True, slots=True)
class Context:
    """The discussion around a comment: prompt, earlier comments, due date, submission time."""

    is_reply: bool = False
    prompt: str = ""
    own_comments: tuple[PriorComment, ...] = ()
    classmate_comments: tuple[PriorComment, ...] = ()
    due_at: datetime | None = None
    submitted_at: datetime | None = None
    # Display names of the course's members: never misspellings, and a near miss of
    # one is a misspelling of it.
    names: tuple[str, ...] = ()
    # The replies' own deadline, when the discussion has one: a reply is late by it, not
    # by `due_at`.
    replies_due_at: datetime | None = None
