"""Style rules: shouting in capitals, and stretched characters ("sooooo", "!!!!!!")."""

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

_CAPS_RUN = re.compile(r"\b[A-Z][A-Z']+(?:[\s,.;:!?\-]+[A-Z][A-Z']+)+\b")
MIN_LETTERS = 20  # "NATO and the UN" is not shouting
# Characters whose long runs are normal: separators, digits, ellipses, masks.
_ALLOWED_RUNS = set(".-_=*#~0123456789 \t\n\r")


@rule("shouting", "note")
def shouting(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """Mostly capital letters.

    Okay: The ICC and NATO are not the same kind of institution at all.
    Flag: THIS IS COMPLETELY WRONG AND EVERYONE KNOWS IT.
    """
    # Common lower-case letters bound the lower-case count from below: when even that
    # many rules shouting out, skip counting every character.
    some_lower = sum(map(text.count, "etaoinsr"))
    ratio_needed = policy.shouting_ratio
    if (len(text) - some_lower) * (1 - ratio_needed) < ratio_needed * some_lower:
        return
    upper = sum(map(str.isupper, text))
    if upper < MIN_LETTERS * policy.shouting_ratio:
        return  # too few capitals to be mostly capitals
    cased = upper + sum(map(str.islower, text))
    if cased < MIN_LETTERS:
        return
    ratio = upper / cased
    if ratio >= policy.shouting_ratio:
        spans = tuple(m.span() for m in _CAPS_RUN.finditer(text)) or ((0, len(text)),)
        yield Hit(f"{ratio:.0%} of the letters are capitals, which reads as shouting.",
                  spans=spans, value=round(ratio, 2), threshold=policy.shouting_ratio,
                  advice="Use normal capitalisation.")


@rule("repeated_characters", "note")
def repeated_characters(
    text: str, metrics: TextMetrics, context: Context, policy: Policy
) -> Iterator[Hit]:
    """The same letter or mark many times in a row (4 by default).

    Okay: I agree... and the court's "occupation" finding matters in 2000 ways.
    Flag: This is sooooo wrong!!!!!!
    """
    limit = max(policy.repeated_characters, 2)
    spans = []
    longest = 0
    for match in re.finditer(rf"(.)\1{{{limit - 1},}}", text):
        if match.group(1) in _ALLOWED_RUNS:
            continue
        spans.append(match.span())
        longest = max(longest, len(match.group()))
    if spans:
        examples = ", ".join(f'"{text[s:e]}"' for s, e in spans[:3])
        yield Hit(f"Stretched characters ({examples}) read as shouting or spam.",
                  spans=tuple(spans), value=longest, threshold=limit,
                  advice="Write each letter and mark once.")
