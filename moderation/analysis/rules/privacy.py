"""The personal-information rule: email addresses and phone numbers, for the student's safety."""

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

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# North American style, or international with a leading +; at least 10 digits either way.
PHONE = re.compile(
    r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?!\w)"
    r"|(?<![\w+])\+\d[\d\s().-]{8,}\d(?!\w)"
)


@rule("personal_info", "hold")
def personal_info(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """An email address or a phone number.

    Okay: The treaty was signed in 1998-2002 by 120 states; see page 555-556.
    Flag: Email me at jordan.lee@example.com to compare notes.
    Flag: Call me on (555) 123-4567 tonight.
    Flag: My number is +44 20 7946 0958.
    """
    emails = [m.span() for m in EMAIL.finditer(text)] if "@" in text else []
    # Every phone number the pattern accepts has at least ten digits.
    maybe_phone = sum(map(str.isdigit, text)) >= 10
    phones = [m.span() for m in PHONE.finditer(text)] if maybe_phone else []
    if emails or phones:
        kinds = " and ".join(k for k, found in (("email address", emails),
                                                 ("phone number", phones)) if found)
        yield Hit(f"Contains {'an' if kinds[0] == 'e' else 'a'} {kinds}.",
                  spans=tuple(sorted(emails + phones)), value=len(emails) + len(phones),
                  threshold=0, advice="For your safety, remove contact details from a class "
                  "discussion.")
