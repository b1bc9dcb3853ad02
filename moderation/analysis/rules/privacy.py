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
_DIGIT = re.compile(r"\d")  # a decimal digit, as PHONE reads one


def _digits_at_least(text: str, n: int) -> bool:
    """Whether `sum(map(str.isdigit, text)) >= n`, counted by the regex engine's scan.

    Decimal digits are digits, and in ASCII the only ones: only a text with fewer than n
    of them and other characters (superscripts, say) is counted character by character.

    >>> _digits_at_least("call 555 123 4567", 10), _digits_at_least("x²³ 12345678", 10)
    (True, True)
    """
    found = len(_DIGIT.findall(text))
    if found >= n or text.isascii():
        return found >= n
    return sum(map(str.isdigit, text)) >= n


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
    maybe_phone = _digits_at_least(text, 10)
    phones = [m.span() for m in PHONE.finditer(text)] if maybe_phone else []
    if emails or phones:
        kinds = " and ".join(k for k, found in (("email address", emails),
                                                 ("phone number", phones)) if found)
        yield Hit(f"Contains {'an' if kinds[0] == 'e' else 'a'} {kinds}.",
                  spans=tuple(sorted(emails + phones)), value=len(emails) + len(phones),
                  threshold=0, advice="For your safety, remove contact details from a class "
                  "discussion.")
