"""The shipped default list: a public severity-rated list, what it refuses and what it holds.

Built from dsojevic's profanity list (`@dsojevic/profanity-list` 1.0.0 on npm, MIT:
434 entries, 809 spellings, each rated 1 mild, 2 medium, 3 strong, 4 severe, with tags)
into `data/default_words.tsv` by `python -m moderation.analysis.wordlists.default EN_JSON`.
What the app does with each entry:

- **refuse** (the banned-words rule): severe entries (4), and strong ones (3) tagged
  racial (slurs: the list's own README says 3 is where every entry starts before anyone
  rates it), when the entry has a word that is not ordinary English or is on REVIEWED
  below: words whose every sense is the slur or the obscenity. They are refused however
  spelled ("f*ck", "phuk", "fcuk", "motherfucker"). Strong entries tagged LGBTQ are held,
  not refused: the list puts identity words ("enby", "cishet") beside the slurs.
- **hold** (the profanity rule, a hold unless the policy makes it a note or switches it
  off): every other entry. An entry that is an ordinary English word ("chink", "dyke",
  "rape", "cock", "bloody") counts only when disguised ("ch1nk", "c0ck"): typed plainly
  it has an innocent sense, and the offensive-language rule, which reads the sentence,
  judges it. A phrase of ordinary words ("camel jockey") is held typed plainly.

So no ordinary English word is ever refused, and the dictionary scan in the tests holds
the list to it.
"""

from __future__ import annotations

import json
import sys
from functools import cache
from importlib import resources
from pathlib import Path

from moderation.analysis.lexicon import english_words

Action = str  # "refuse" or "hold"

# Ordinary English words (they are in the CMU dictionary) whose every sense is an
# obscenity or a slur: refused even typed plainly. Reviewed one by one; the others of the
# source's severe entries ("chink", "coon", "dyke", "fag", "faggot", "gook", "pansy",
# "rape", "incest", "sissy"...) have an innocent sense and are held only when disguised.
REVIEWED = frozenset((
    "cunt", "cunts", "darkie", "darkies", "darky", "fuck", "fucker", "fuckers", "fuckhead",
    "fuckin", "fucking", "fucks", "kike", "motherfucker", "motherfucking", "nigga", "nigger",
    "spic",
))
# Severe in the source, but words a history or literature class uses in their own sense.
ORDINARY_SENSE = frozenset(("strappado", "bastinado", "shota"))
# Entries the source lacks that the app's earlier list refused.
HOUSE = {"motherfucker": 4, "motherfucking": 4, "slut": 3, "slutty": 3}
SLUR_TAGS = frozenset(("racial",))
SOURCE = "@dsojevic/profanity-list 1.0.0 (npm), en.json; MIT (see default_words.LICENSE)"
DATA = "data/default_words.tsv"


def build(document: str) -> str:
    """The shipped file's text from the source's en.json."""
    rows: dict[str, Action] = {}
    entries = [(e["match"], int(e["severity"]), set(e.get("tags", ())))
               for e in json.loads(document)]
    entries += [(word, level, set()) for word, level in HOUSE.items()]
    ordinary = english_words()
    for match, level, tags in entries:
        severe = level == 4 or level == 3 and bool(tags & SLUR_TAGS)
        for spelling in match.split("|"):
            entry = spelling.replace("*", "").strip()  # "*": a repeated letter, read anyway
            words = entry.replace("-", " ").split()
            plain = all(w in ordinary and w not in REVIEWED for w in words) \
                or entry in ORDINARY_SENSE
            action = "refuse" if severe and not plain else "hold"
            if rows.get(entry) != "refuse":
                rows[entry] = action
    lines = [f"# The shipped default word list, built from {SOURCE}",
             "# by `python -m moderation.analysis.wordlists.default EN_JSON` (see default.py:",
             "# severe entries and racial slurs are refused unless they are ordinary English",
             "# words; the rest are held). One entry a line: action, a tab, the entry.",
             "!spic and span", "!spick and span"]
    lines += [f"{action}\t{entry}" for entry, action in sorted(rows.items())]
    return "\n".join(lines) + "\n"


@cache
def default_words() -> dict[str, Action]:
    """The shipped list: each entry with "refuse" or "hold"; "!" entries are allowed phrases."""
    text = resources.files("moderation.analysis").joinpath(DATA).read_text(encoding="utf-8")
    out: dict[str, Action] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("!"):
            out[line.strip()] = "allow"
            continue
        action, _, entry = line.partition("\t")
        out[entry.strip()] = action
    return out


def disguised_only() -> frozenset[str]:
    """Held entries that are ordinary English words: they count only when disguised.

    A phrase of ordinary words ("camel jockey") is not one of them, the phrase is the slur,
    unless run together it is one ordinary word ("bull shit").
    """
    ordinary = english_words()
    return frozenset(entry for entry, action in default_words().items()
                     if action == "hold" and "".join(entry.split()) in ordinary)


if __name__ == "__main__":
    # python -m moderation.analysis.wordlists.default path/to/package/en.json
    sys.stdout.write(build(Path(sys.argv[1]).read_text(encoding="utf-8")))
