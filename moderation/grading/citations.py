"""Whether a stored comment names a source: a link, a named lead-in, author-year, a reference.

Read from the comment's stored text, as the rubric's "cites a source" criterion needs;
the analysis pipeline does not run again. The empty citations the `empty_citation` rule
flags ("According to , …") name nothing, so they never count here.
"""

from __future__ import annotations

import re
from functools import lru_cache

from moderation.analysis.rules.links import find_links

# A lead-in followed by a name, a title or a quotation: "according to the prosecutor's
# report", "as reported by Reuters", "cited in “The Court”".
NAMED_LEAD_IN = re.compile(
    r"\b(?:according\s+to|as\s+(?:reported|stated|noted|argued|explained|shown|cited|quoted)"
    r"\s+(?:by|in)|(?:reported|cited|quoted|published)\s+(?:by|in))"
    r"\s+", re.IGNORECASE)
# What follows the lead-in: "the …", or a name (a capital, a digit, a quote);
# "according to my gut" names nothing.
_NAMED = re.compile(r"(?i:the)\s+\w|[\"“‘'A-Z0-9]")
# "(Smith, 2019)", "(Smith and Lee 2020a)", "(Smith et al., 2018)".
AUTHOR_YEAR = re.compile(
    r"\((?:[A-Z][\w'’\-]+)(?:\s+(?:and|&)\s+[A-Z][\w'’\-]+|\s+et\s+al\.?)?,?\s+"
    r"(?:19|20)\d\d[a-z]?(?:,\s*p+\.\s*\d+)?\)")
# A reference-list entry or label: "[1] Smith, …", "Source: BBC News", "References:".
REFERENCE = re.compile(
    r"(?im)^\s*(?:\[\d{1,3}\]\s+\S|(?:sources?|references?|works\s+cited)\s*:\s*\S)")


# Grading asks again each time a student's suggestion is refreshed (after each of their
# approved comments); the answer depends on the text alone. The texts are the keys: about
# 2 MB at a typical 2 KB a comment, 20-80 MB if every one were at MAX_COMMENT_CHARS.
@lru_cache(maxsize=1024)
def cites_source(text: str) -> bool:
    """Whether the text names a source.

    >>> cites_source("According to the prosecutor's report, nothing changes.")
    True
    >>> cites_source("Courts rely on states (Hathaway, 2019).")
    True
    >>> cites_source("See https://example.org/report for the numbers.")
    True
    >>> cites_source("Source: BBC News, 14 March")
    True
    >>> cites_source("According to , the court has no power.")
    False
    >>> cites_source("I think according to my gut it is weak.")
    False
    """
    if find_links(text):
        return True
    for match in NAMED_LEAD_IN.finditer(text):
        if _NAMED.match(text, match.end()):
            return True
    return bool(AUTHOR_YEAR.search(text) or REFERENCE.search(text))
