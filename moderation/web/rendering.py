"""Turning stored text into safe HTML: Markdown prompts and plain-text comments."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from moderation.models import RejectionReason
from moderation.services.comments import copies
from moderation.web import flag_words, zones
from moderation.web.diffs import word_diff

# Raw HTML in a prompt is shown as text; the Markdown output is sanitised again anyway.
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_ALLOWED_TAGS = {
    "a", "p", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "br", "table", "thead", "tbody", "tr", "th", "td",
}


def render_markdown(text: str) -> Markup:
    """Render a prompt's Markdown to sanitised HTML; links may only be http or https."""
    html = _markdown.render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # safe: sanitised by nh3 just above


def render_paragraphs(text: str) -> Markup:
    """Show a plain-text comment as escaped paragraphs with line breaks.

    >>> str(render_paragraphs("a <b>\\n\\nc\\nd"))
    '<p>a &lt;b&gt;</p><p>c<br>d</p>'
    """
    parts = [p for p in re.split(r"\n\s*\n", text or "") if p.strip()]
    return Markup("").join(
        Markup("<p>") + Markup("<br>").join(escape(line) for line in part.split("\n"))
        + Markup("</p>")
        for part in parts
    )


class Marked(Protocol):
    """What `highlight` needs of a flag: an id and character spans."""

    id: int
    spans: list[list[int]]


def highlight(text: str, flags: Sequence[Marked]) -> Markup:
    """Escape a comment and wrap each flagged span in <mark>, described by its flags.

    Overlapping spans are cut at every boundary, so each piece names every flag that
    covers it (`aria-describedby="flag-1 flag-2"`); line breaks stay as typed (the page
    shows the text with `white-space: pre-wrap`).

    >>> class F:
    ...     def __init__(self, id, spans): self.id, self.spans = id, spans
    >>> str(highlight("a <b> c", [F(1, [[2, 5]]), F(2, [[4, 6]])])).split("</mark>")
    ['a <mark aria-describedby="flag-1">&lt;b', '<mark aria-describedby="flag-1 flag-2">&gt;', \
'<mark aria-describedby="flag-2"> ', 'c']
    """
    cuts = {0, len(text)}
    for flag in flags:
        for start, end in flag.spans:
            if 0 <= start < end <= len(text) and end - start < len(text):
                cuts.update((start, end))
    points = sorted(cuts)
    pieces = []
    for start, end in zip(points, points[1:], strict=False):
        covering = [f"flag-{flag.id}" for flag in flags
                    if any(s <= start and end <= e and e - s < len(text) for s, e in flag.spans)]
        piece = escape(text[start:end])
        if covering:
            piece = Markup('<mark aria-describedby="{}">{}</mark>').format(" ".join(covering),
                                                                            piece)
        pieces.append(piece)
    return Markup("").join(pieces)


def mark_spans(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """Escape a text and wrap each span in <mark> (spans in order, not overlapping).

    >>> str(mark_spans("a <b> c d", [(2, 5), (8, 9)]))
    'a <mark>&lt;b&gt;</mark> c <mark>d</mark>'
    """
    pieces: list[Markup] = []
    at = 0
    for start, end in sorted((s, e) for s, e in spans if 0 <= s < e <= len(text)):
        start = max(start, at)
        if start >= end:
            continue
        pieces.append(escape(text[at:start]))
        pieces.append(Markup("<mark>{}</mark>").format(text[start:end]))
        at = end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def format_number(value: float | Decimal | None) -> str:
    """Show 10.0 as 10 and 9.5 as 9.5.

    >>> format_number(10.0), format_number(9.5), format_number(None)
    ('10', '9.5', '')
    """
    if value is None:
        return ""
    return f"{float(value):g}"


def format_reason(value: str | None) -> str:
    """Show a stored rejection reason as the student reads it.

    >>> format_reason("needs_citation"), format_reason("Some older free text"), format_reason(None)
    ('Needs a citation', 'Some older free text', '')
    """
    if not value:
        return ""
    return RejectionReason(value).label if value in REASONS else value


REASONS = frozenset(r.value for r in RejectionReason)


def options(choices: Sequence[tuple[int, str]], selected: int | None) -> Markup:
    """The <option>s of a long list (a course's 500 students), in one join: a Jinja loop
    over them was a tenth of the queue page's time.

    >>> str(options([(1, "Ng, Ann"), (2, "O'Hara <Bo>")], 2))
    '<option value="1">Ng, Ann</option><option value="2" selected>O&#39;Hara &lt;Bo&gt;</option>'
    """
    return Markup("".join(  # safe: every name escaped, the values are ints
        f'<option value="{int(value)}"{" selected" if value == selected else ""}>'
        f"{escape(label)}</option>" for value, label in choices))


def init_app(app: Flask) -> None:
    """Register the template filters."""
    app.jinja_env.filters.update(
        markdown=render_markdown, paragraphs=render_paragraphs, when=zones.when,
        number=format_number, highlight=highlight, reason=format_reason, marked=mark_spans,
    )
    app.jinja_env.filters["chip"] = flag_words.chip_text  # a flag in words, with its value
    app.jinja_env.filters["rule_name"] = flag_words.rule_name  # a kind of flag in words
    app.jinja_env.filters["word_diff"] = word_diff  # old | word_diff(new)
    app.jinja_env.globals["options"] = options
    # `flag is classmate_copy`: a copied flag with a classmate's comment to compare with.
    app.jinja_env.tests["classmate_copy"] = copies.of_classmate
