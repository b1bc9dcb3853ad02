"""Turning stored text into safe HTML: Markdown prompts and plain-text comments."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal

import nh3
from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

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


def format_when(value: datetime | None) -> str:
    """Show a UTC datetime compactly, e.g. "14 Mar 2026, 09:05 UTC"."""
    return value.strftime("%-d %b %Y, %H:%M UTC") if value else ""


def format_number(value: float | Decimal | None) -> str:
    """Show 10.0 as 10 and 9.5 as 9.5.

    >>> format_number(10.0), format_number(9.5), format_number(None)
    ('10', '9.5', '')
    """
    if value is None:
        return ""
    return f"{float(value):g}"


def init_app(app: Flask) -> None:
    """Register the template filters."""
    app.jinja_env.filters.update(
        markdown=render_markdown, paragraphs=render_paragraphs, when=format_when,
        number=format_number,
    )
    app.jinja_env.filters["word_diff"] = word_diff  # old | word_diff(new)
