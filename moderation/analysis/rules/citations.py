"""The empty-citation rule: a citation whose source is missing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from moderation.analysis.context import Context
from moderation.analysis.findings import Hit
from moderation.analysis.metrics import TextMetrics
from moderation.analysis.rules.registry import rule

if TYPE_CHECKING:
    from moderation.analysis.policy import Policy

_LEAD_IN = (r"according\s+to|as\s+(?:reported|stated|noted|argued|explained|shown|cited|quoted)"
            r"\s+(?:by|in)|(?:reported|cited|quoted|stated)\s+(?:by|in)|as\s+per|per")
# The lead-in followed directly by punctuation or the end: "According to , the court".
EMPTY_LEAD_IN = re.compile(rf"\b(?:{_LEAD_IN})\s*(?=[,.;:!?)\]]|$)",
                           re.IGNORECASE | re.ASCII)
# Every lead-in ends in "to", "by", "in" or "per": a fast test on the lower-cased text.
_LEAD_IN_END = re.compile(r"(?:to|by|in|per)\s*(?:[,.;:!?)\]]|$)", re.ASCII)
# "(source: )", "(Source - )", "[ref: ]".
EMPTY_LABEL = re.compile(r"[(\[]\s*(?:source|sources|ref|reference|citation|cited)s?\s*[:\-–]?\s*[)\]]",
                         re.IGNORECASE | re.ASCII)
# "( , 2020)": an author-year citation without the author.
EMPTY_AUTHOR = re.compile(r"\(\s*,\s*(?:19|20)\d\d[a-z]?\s*\)")
NUMBERED = re.compile(r"\[(\d{1,3})\]")


def _reference_numbers(text: str) -> set[str]:
    """Numbers of reference-list lines: "[1] Smith…" or "1. Smith…" at the start of a line."""
    return set(re.findall(r"(?m)^\s*\[?(\d{1,3})[\].)]\s+\S", text))


@rule("empty_citation", "hold")
def empty_citation(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """A citation with its source missing: "According to , …", "(source: )", "[3]" with no [3].

    Okay: According to the prosecutor's report, the annexation changes nothing [1].\\n[1] ICC, Preliminary report, 2026.
    Flag: According to , the court has no power.
    Flag: The court has no army, as reported by .
    Flag: The treaty was never ratified (source: ).
    Flag: The treaty was never ratified [2].
    Flag: Courts rely on states ( , 2019).
    """
    spans: list[tuple[int, int]] = []
    if _LEAD_IN_END.search(text.lower()):
        spans += [m.span() for m in EMPTY_LEAD_IN.finditer(text)]
    for pattern in (EMPTY_LABEL, EMPTY_AUTHOR):
        spans += [m.span() for m in pattern.finditer(text)]
    numbered = list(NUMBERED.finditer(text)) if "[" in text else []
    listed = _reference_numbers(text) if numbered else set()
    for match in numbered:
        line_start = text.rfind("\n", 0, match.start()) + 1
        is_list_entry = not text[line_start:match.start()].strip()
        if not is_list_entry and match.group(1) not in listed:
            spans.append(match.span())
    if spans:
        spans.sort()
        quoted = text[spans[0][0]:spans[0][1]].strip()
        yield Hit(f'A citation is missing its source ("{quoted}").', spans=tuple(spans),
                  value=len(spans), threshold=0,
                  advice="Name the author, publication or link you are citing.")
