"""Email to students about decisions: sent after the decision commits, when mail is set up.

A mail server that is down never undoes a decision: the student still sees it on
"My comments".
"""

from __future__ import annotations

from moderation.models import Comment
from moderation.services import mail


def rejected(comment: Comment) -> None:
    """Queue an email telling the author why their comment was rejected and how to revise."""
    if not mail.enabled():
        return
    student, discussion = comment.author, comment.discussion
    title = mail.one_line(discussion.title)
    lines = [f"Hello {student.display_name},", "",
             f"Your instructor did not approve your comment in \"{title}\" "
             f"({mail.one_line(discussion.course.title)}).", "",
             f"Reason: {comment.reason_label or 'none given'}."]
    if comment.decision_message:
        lines += ["", "Your instructor's message:", "", *_quoted(comment.decision_message)]
    excerpt = _excerpt(comment.body)
    lines += ["", "Your comment began:" if excerpt != comment.body else "Your comment:", "",
              *_quoted(excerpt), ""]
    link = mail.link("revise", comment_id=comment.id)
    if link:
        lines += ["You can revise it and submit it again while the discussion is open:", link]
    else:
        lines += ["You can revise it and submit it again from \"My comments\" while the "
                  "discussion is open."]
    lines += ["", "Only you and your instructors can see the rejected comment."]
    mail.queue(student.email,
               f"Your comment in \"{title}\" was not approved: please revise it",
               "\n".join(lines))


def _excerpt(text: str, limit: int = 300) -> str:
    """The start of a text, cut at a word, so the student knows which comment it is."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip() + " …"


def _quoted(text: str) -> list[str]:
    return ["> " + line if line else ">" for line in text.splitlines()]
