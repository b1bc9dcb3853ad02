"""The links rule: too many links, or a link that is not http(s)."""

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

LINK = re.compile(
    r"(?<![\w@])(?:[a-z][a-z0-9+.\-]{1,15}://[^\s<>\"]+"  # scheme://anything
    r"|(?:javascript|vbscript|data|file):[^\s<>\"]+"  # schemes that run or read things
    r"|www\.[^\s<>\"]+"
    r"|[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.(?:com|org|net|edu|gov|io|co|uk|info|ly|me)\b(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}'\""


# Every link has "://", "www.", a script-like scheme or one of the listed domain endings.
_MAYBE_LINK = re.compile(
    r"://|www\.|javascript:|vbscript:|data:|file:|\.(?:com|org|net|edu|gov|io|co|uk|info|ly|me)\b")


def find_links(text: str) -> list[tuple[int, int, str]]:
    """Links in the text, without trailing punctuation.

    >>> [link for _, _, link in find_links("See https://example.org/a, or www.un.org. (bbc.co.uk)")]
    ['https://example.org/a', 'www.un.org', 'bbc.co.uk']
    """
    if not _MAYBE_LINK.search(text.lower()):
        return []
    found = []
    for match in LINK.finditer(text):
        link = match.group().rstrip(_TRAILING)
        found.append((match.start(), match.start() + len(link), link))
    return found


def _safe(link: str) -> bool:
    lower = link.lower()
    return lower.startswith(("http://", "https://")) or "://" not in lower and not re.match(
        r"(?:javascript|vbscript|data|file):", lower)


@rule("links", "hold")
def links(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """More links than the policy allows (2 by default), or a link that is not http(s).

    Okay: The report is at https://example.org/report and a summary at www.example.com.
    Flag: See https://a.example, https://b.example and https://c.example for more.
    Flag: Click javascript:alert(1) for the source.
    Flag: The file is at ftp://files.example.org/report.pdf.
    """
    found = find_links(text)
    unsafe = [(s, e, link) for s, e, link in found if not _safe(link)]
    if unsafe:
        yield Hit(f'Has a link that is not a web link (http or https): "{unsafe[0][2][:60]}".',
                  spans=tuple((s, e) for s, e, _ in unsafe), value=len(unsafe), threshold=0,
                  advice="Remove it: only http and https links are allowed.")
    if len(found) > policy.max_links:
        yield Hit(f"Has {len(found)} links; this course allows at most {policy.max_links}.",
                  spans=tuple((s, e) for s, e, _ in found), value=len(found),
                  threshold=policy.max_links, advice="Keep the sources that matter most.")
