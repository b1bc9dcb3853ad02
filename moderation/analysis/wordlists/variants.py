"""Severe words respelled past the list's forms: "mothafucka", "n1ggah", "assfukkerz".

The shipped list's forms (`forms.py`) cover each severe entry's inflections and a few
deliberate misspellings; people write the commonest roots in many more ways: by sound
("mutha", "fukka", "nigguh"), with letters dropped ("fckr", "mthrfcker"), joined to
other words ("cuntbag", "shitfacefucker"). Here a word the dictionaries do not have is
read once more, as it sounds: look-alikes as letters ("n1gg@" -> "nigga"), "v" as "u",
"ph" as "f", "ck", "kc", "cc" and "q" as "k", runs once ("fukkerz" -> "fukerz"). It is a
variant when it then reads as a ROOTS root with, before it, nothing, "mother" however
spelled or dictionary words, and after it an ENDING ("-a", "-az", "-ers", "-in",
"-asses") or, for the roots that make compounds, dictionary words ("cunt" + "bag").

What keeps innocent words out: a word of the dictionaries or one regularly derived from
a dictionary word is never read ("Nigeria", "fakir", "mustards", "Scunthorpe"; the list's
own forms judge those); a capitalised word mid-text is a name ("Nickerson", "Fokker");
a root inside a longer word does not count ("Lufkin", "Monika": "lu" and "mo" are no
words); and the words of wordfreq's large list (some 300,000) that read as variants were
read one by one: those that are no insult are NOT_VARIANTS.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from functools import cache

from moderation.analysis import derived
from moderation.analysis.lexicon import english_words, word_frequencies
from moderation.analysis.wordlists.normalise import fold

Action = str  # "refuse" or "hold", as in default.py

# Each root as it reads once respelled: (pattern, the entry it stands for, what it does,
# what may follow it: "" for ENDINGS, "+" for ENDINGS or dictionary words, or a pattern).
ROOTS: tuple[tuple[str, str, Action, str], ...] = (
    ("fcuk|f(?:ou|u|o|e|x)?k", "fuck", "refuse", "+"),  # fuk, fook, fecker, fcker
    ("mofo", "motherfucker", "refuse", ""),
    ("mf", "motherfucker", "refuse", "(?:er|in)(?:s|z|g|gs)?"),  # "mfers", "mf'ers"
    ("kunt|cunt", "cunt", "refuse", "+"),
    ("n[iy]g", "nigger", "refuse",
     "(?:a|ah|u|uh|er|ir|let)(?:s|z|hs|hz|es|ez|ses|zes|ases|azes)?|res|res+es"),
    ("n[iy]k", "nigger", "refuse", "(?:a|ah|uh|er)(?:s|z|hs|hz)?"),
    ("jig", "jiggaboo", "refuse", "(?:abo|abu|ybo|ro)(?:s|z)?"),
    ("fag", "faggot", "hold", "(?:ot|et|it|o)(?:s|z)?"),
    ("[ck]awk", "cock", "hold", "+"),
    ("tard", "retard", "hold", "s?"),  # after a word: "gaytard", "fucktard"
)
# Endings after a root, as people spell them ("-az", "-uhz", "-in"), and "-asses".
ENDINGS = (
    "", "s", "z", "a", "as", "az", "ah", "ahs", "ahz", "uh", "uhs", "uhz", "er", "ers", "erz",
    "r", "rs", "ed", "eds", "in", "ins", "ing", "ings", "ingz", "y", "ie", "ies", "o", "os",
    "es", "ez", "ases", "azes", "ase", "aze", "ka", "kas", "kaz", "ker", "kers",
)
MIN_PART = 3  # letters of a dictionary word that counts as part of a compound
# Words read per text at most: prose has a few dozen with a root's letters ("fact",
# "office", "nick"); past this many a text is a list of near misses, and the list's own
# forms still match in all of it.
MAX_READ = 300
# After a root, a word of fewer than MIN_TAIL letters makes a compound only if it is one
# of these ("fuckwit", "cuntbag"): random letters make three-letter words too often.
MIN_TAIL = 4
SHORT_TAILS = frozenset(("bag", "boy", "wit", "wad", "nut", "toy", "as", "its"))
# "mother" as people spell it before a root: "motha", "mutha", "mudda", "mthr", "mader".
MOTHER = re.compile(r"m[aeiou]*(?:(?:th|t|d)h?[aeiou]*r?)?")
# Words of wordfreq's large list that read as variants and are no insult.
NOT_VARIANTS = frozenset((
    "cawkwell", "chatard", "costard", "fagor", "fagors", "fcca", "fccs", "fekitoa", "fka",
    "fokker", "fokkers", "fookes", "fouquier", "fukada", "fukami", "fukishima", "fuqaha",
    "kunta", "kuntar", "kunti", "leotardo", "mustardy", "niga", "nigar", "nigera", "nigra",
    "nika", "nikah", "nikas", "nikkah", "unitard", "unitards",
))
_LEET = str.maketrans({"0": "o", "1": "i", "!": "i", "|": "i", "3": "e", "4": "a", "@": "a",
                       "$": "s", "5": "s", "7": "t", "v": "u", "q": "k"})
_HARD_K = re.compile("ck|kc|cc|kk")
_RUNS = re.compile(r"(.)\1+")
_NOT_LETTER = re.compile("[^a-z]")
_ROOT = re.compile("|".join(f"(?P<r{i}>{root[0]})" for i, root in enumerate(ROOTS)))
_AFTER = tuple(re.compile(after) if after not in ("", "+") else None for *_, after in ROOTS)
# A word worth reading: one with a root's letters, near enough (most words have none).
# The lookahead holds every branch's first letter: the same matches, but most places are
# passed over by one test instead of one per branch (about 3 times faster on prose).
_PROBE = re.compile(r"(?=[fnckmjtp])(?:f\S{0,4}?[ckqx]|n[\W_\d]{0,2}[i1!|y][\W_\d]{0,2}[gkc9]"
                    r"|[ck]u+n|m\S?f|j[i1!]g|f[a@4]g|tard|[ck]a[wu]k|ph[uvo])", re.IGNORECASE)
_WORD = re.compile(r"[^\s\"“”‘(),;:.?]+")


def sound_spelling(word: str) -> str:
    """A word as the roots are written: look-alikes as letters, "ck" as "k", runs once.

    >>> sound_spelling("N1GG@HS"), sound_spelling("muthafukkaz"), sound_spelling("phuck")
    ('nigahs', 'muthafukaz', 'fuk')
    """
    letters = fold(word).replace("ph", "f").translate(_LEET)
    letters = _HARD_K.sub("k", _NOT_LETTER.sub("", letters))
    return _RUNS.sub(r"\1", letters)


@cache
def _ending() -> re.Pattern[str]:
    return re.compile("(?:" + "|".join(sorted(ENDINGS, key=len, reverse=True)) + ")")


def _is_word(head: str) -> bool:
    """Whether a respelled part is a dictionary word as written, its "k" perhaps "ck" or "c"
    ("suker" is "sucker"), or one of SHORT_TAILS."""
    words = word_frequencies()
    if head in words or head in SHORT_TAILS:
        return True
    parts = head.split("k")
    if not 1 < len(parts) <= 4:
        return False
    return any("".join(p + k for p, k in zip(parts, (*ks, ""), strict=True)) in words
               for ks in itertools.product(("ck", "c", "k"), repeat=len(parts) - 1))


def _words_only(part: str, last: bool) -> bool:
    """Whether a respelled part is dictionary words (and roots) in a row.

    The last may have an ending ("lickers" -> "likers").
    """
    if not part:
        return True
    if last and _ending().fullmatch(part):
        return True
    # Before a root, dictionary words as spelled; after it, as respelled too ("likers").
    words = word_frequencies()
    for cut in range(len(part), MIN_PART - 1, -1):
        head = part[:cut]
        short = last and cut < MIN_TAIL and head not in SHORT_TAILS
        word = (_is_word(head) if last else head in words) or _ROOT.fullmatch(head)
        if not short and word and _words_only(part[cut:], last):
            return True
    return part == "as" and not last  # "ass" respelled: "assfukker"


def _in_dictionary(word: str) -> bool:
    """Whether a dictionary has the word or derives it regularly ("mustards")."""
    words = word_frequencies()
    return (word in words or word in english_words()
            or derived.is_derived(word, words.__contains__))


def reading(word: str, mid_text: bool = True) -> tuple[str, Action] | None:
    """The entry and action a word is a respelling of, if it is one.

    >>> reading("mothafuckaz"), reading("cuntbag"), reading("n1ggahs"), reading("gaytard")
    (('fuck', 'refuse'), ('cunt', 'refuse'), ('nigger', 'refuse'), ('retard', 'hold'))
    >>> reading("fokus"), reading("Nickerson"), reading("fakir"), reading("lufkin")
    (None, None, None, None)
    """
    if mid_text and word[:1].isupper() and word[1:].islower():
        return None  # a name: "Nickerson", "Fokker"
    lower = fold(word).strip("'’")
    if lower.endswith(("'s", "’s")):
        lower = lower[:-2]
    if lower in word_frequencies():
        return None  # most words: one lookup
    found = _parse(sound_spelling(lower))
    # The slower tests last: most other words read as no variant at all.
    if found is None or lower in NOT_VARIANTS or _in_dictionary(lower):
        return None
    return found


def _parse(sound: str) -> tuple[str, Action] | None:
    """The entry and action of a respelled word that is a root with what may go around it."""
    if len(sound) < 3:
        return None
    # Every place a root may start, overlapping ones too: "mfukker" is "m" + "fuk" + "ker".
    for match in filter(None, (_ROOT.match(sound, i) for i in range(len(sound) - 1))):
        number = int((match.lastgroup or "r0")[1:])
        _, entry, action, after_rule = ROOTS[number]
        before, after = sound[:match.start()], sound[match.end():]
        if before and entry in ("nigger", "jiggaboo", "faggot") \
                or before and match.group() == "mf":
            continue  # only at a word's start: "Gazzaniga", "technika", "mfa"
        if entry == "retard" and not before:
            continue  # "tard" alone is a dictionary word's stem, not the slur's
        mother = entry in ("fuck", "motherfucker") and MOTHER.fullmatch(before)
        if not (mother or _words_only(before, False)):
            continue
        pattern = _AFTER[number]
        if pattern is not None and pattern.fullmatch(after) \
                or pattern is None and (_ending().fullmatch(after)
                                        or after_rule == "+" and _words_only(after, True)):
            return entry, action
    return None


def _word_start(text: str, index: int) -> int:
    """Where the word holding `index` starts (looking back 40 characters at most)."""
    start = index
    while start > 0 and index - start < 40 and not text[start - 1].isspace():
        start -= 1
    return start


def find_variants(text: str, taken: Sequence[tuple[int, int]] = ()
                  ) -> list[tuple[int, int, str, Action]]:
    """(start, end, entry, action) of each respelled severe word in the text, in order.

    Words overlapping a `taken` span (sorted, not overlapping: the list's own matches)
    are not read again.
    """
    out: list[tuple[int, int, str, Action]] = []
    ends = [end for _, end in taken]
    read_to = -1
    budget = MAX_READ
    for probe in _PROBE.finditer(text):  # only the words where a root's letters are
        if probe.start() < read_to:
            continue
        budget -= 1
        if budget < 0:
            break  # bounded work: a text of thousands of such words is no prose
        match = _WORD.search(text, _word_start(text, probe.start()))
        if match is None:
            break
        read_to = match.end()
        word = match.group().rstrip("!'’")  # a mark after a word is punctuation
        if len(word) > 40:
            continue
        i = bisect.bisect_right(ends, match.start())  # the first span ending after it
        if i < len(taken) and taken[i][0] < match.end():
            continue
        # A capital at a sentence's start is no sign of a name.
        before = text[:match.start()].rstrip()
        found = reading(word, mid_text=bool(before) and before[-1] not in ".!?")
        if found is not None:
            out.append((match.start(), match.start() + len(word), *found))
    return out
