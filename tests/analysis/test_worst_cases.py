"""The worst inputs we could find, through the whole pipeline: right answers, bounded work.

Timings are printed by bench/worst_case.py (the goal: 50 ms for any text up to
MAX_COMMENT_CHARS); here only a generous bound catches a return to quadratic work.
"""

from __future__ import annotations

import random
import string
import time
from collections.abc import Callable

import pytest

from moderation.analysis import Context, PriorComment, analyze

MAX_COMMENT_CHARS = 20_000  # the app's limit (moderation/config.py)
PROMPT = "Should Astrava leave the International Criminal Court? Explain your reasoning."


def _words(rng: random.Random, n: int, size: int) -> str:
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, n)))
                    for _ in range(size))


def _letters(rng: random.Random, size: int) -> list[str]:
    return [rng.choice(string.ascii_lowercase) for _ in range(size)]


def _spaced(rng: random.Random, size: int) -> str:
    """Single letters of banned words, spaced out: "f u c s h i k t ..."."""
    return " ".join(rng.choice("fuckshit") for _ in range(size))


def _near_misses(rng: random.Random, size: int) -> str:
    """A banned word with three letters after it that make no ending: "fuckqzx"."""
    out = []
    while len(out) < size:
        tail = "".join(_letters(rng, 3))
        # Not an ending, and not "u": "fuck" + "unt" reads "fuc" + "kunt", a list word; nor
        # one read as sounded (wordlists/variants.py): "k", "c", "q" and "a" after "fuck"
        # read as endings ("fuckkaz" is "fukaz"), "v" as "u" ("fucknvt" is "fuck nut"),
        # and "bag" makes a compound.
        if len(set(tail)) == 3 and not tail.startswith(("s", "e", "i", "y", "h", "f", "u", "k",
                                                        "c", "q", "a", "p")) \
                and "v" not in tail and tail not in ("bag", "boy", "wit", "wad", "nut", "toy"):
            out.append("fuck" + tail)
    return " ".join(out)


def _misspellings(rng: random.Random, size: int) -> str:
    """Distinct real-looking misspellings: dictionary words with one letter changed."""
    from moderation.analysis.lexicon import word_frequencies

    words = [w for w in word_frequencies() if w.isalpha() and len(w) > 5][:20_000]
    out = []
    for word in rng.sample(words, size):
        i = rng.randrange(len(word))
        out.append(word[:i] + rng.choice("aeiou") + word[i + 1:])
    return " ".join(out)


# name: a function of (length, seed) that returns a text of about that many characters.
WORST_CASES: dict[str, Callable[[int, int], str]] = {
    "one long word": lambda n, s: "".join(_letters(random.Random(s), n)),
    "one long word of one letter": lambda n, s: "a" * n,
    "10,000 one-letter words": lambda n, s: " ".join(_letters(random.Random(s), n // 2)),
    "10,000 times the same letter": lambda n, s: "f u c k a s s " + "a " * (n // 2),
    "a banned word, then runs": lambda n, s: "shit " + "s" * (n // 3) + " h" * (n // 3),
    "distinct gibberish words": lambda n, s: _words(random.Random(s), 12, n // 6),
    "distinct misspellings": lambda n, s: _misspellings(random.Random(s), n // 9),
    "many links": lambda n, s: " ".join(f"https://example{i}.org/a/b?c={i}"
                                        for i in range(n // 30)),
    "links without spaces": lambda n, s: "".join(f"www.x{i}.com/" for i in range(n // 11)),
    "nested brackets": lambda n, s: "(" * (n // 2) + ")" * (n // 2),
    "nested punctuation and words": lambda n, s: ("([{'\"" * (n // 12) + "word"
                                                  + "\"'}])" * (n // 12)),
    "dots and marks": lambda n, s: ".!?" * (n // 3),
    "one sentence of many words": lambda n, s: " ".join(["word"] * (n // 5)) + ".",
    "banned-word near misses": lambda n, s: _near_misses(random.Random(s), n // 8),
    "masked near misses": lambda n, s: " ".join(
        f"f*{c}k{i % 10}" for i, c in enumerate(_letters(random.Random(s), n // 7))),
    "spaced letters of banned words": lambda n, s: _spaced(random.Random(s), n // 2),
    "digits and phone-like runs": lambda n, s: " ".join(f"+1 555 {i:03d} {i:04d}"
                                                        for i in range(n // 16)),
    "emails": lambda n, s: " ".join(f"user{i}@example{i}.org" for i in range(n // 22)),
    "citations": lambda n, s: "According to , as reported by . [9] " * (n // 36),
    "capitals": lambda n, s: "THIS IS WRONG AND EVERYONE KNOWS IT!!!!!! " * (n // 42),
    "mixed scripts": lambda n, s: "Жfuсkы 日本語 ｆｕｃｋ é́́́ " * (n // 21),
    "stretched letters": lambda n, s: "so" + "o" * (n - 10) + " wrong",
}


def _case(name: str, size: int = MAX_COMMENT_CHARS) -> str:
    return WORST_CASES[name](size, 7)[:size]


def worst_context() -> Context:
    """A busy discussion: a prompt, names and 30 classmates' comments to compare with."""
    rng = random.Random(3)
    classmates = tuple(PriorComment(i, f"Student {i}", _words(rng, 9, 120)) for i in range(30))
    return Context(prompt=PROMPT, names=("Amara Okafor", "Tobenna Eze"),
                   classmate_comments=classmates, own_comments=classmates[:5])


@pytest.mark.parametrize("name", sorted(WORST_CASES))
def test_worst_case_is_analysed_within_a_generous_bound(name):
    text = _case(name)
    context = worst_context()
    analyze("I beleive this fuсking Kessenwald report.", context)  # load everything first
    start = time.perf_counter()
    result = analyze(text, context)
    elapsed = time.perf_counter() - start
    assert result.decision in ("approve", "hold", "block")
    for finding in result.findings:
        assert all(0 <= s < e <= len(text) for s, e in finding.spans)
    assert elapsed < 2.0, f"{name}: {elapsed:.2f} s"  # the goal is 0.05 s: see the bench


def test_what_the_worst_cases_find():
    context = worst_context()
    rules = {name: {f.rule for f in analyze(_case(name), context).findings}
             for name in WORST_CASES}
    assert rules["banned-word near misses"] & {"banned_words"} == set()
    assert "banned_words" in rules["mixed scripts"]  # "fuсk" with a Cyrillic "с", "ｆｕｃｋ"
    assert "links" in rules["many links"] and "personal_info" in rules["emails"]
    assert "empty_citation" in rules["citations"] and "shouting" in rules["capitals"]
    assert "spelling" in rules["distinct misspellings"]
    assert "run_on_sentence" in rules["one sentence of many words"]
    assert "repeated_characters" in rules["stretched letters"]


def test_a_64_kb_word_costs_no_more_than_a_regex_pass():
    text = _case("one long word", 65_536)
    start = time.perf_counter()
    result = analyze(text)
    assert time.perf_counter() - start < 2.0  # was 1.4 s in pyphen alone
    assert result.metrics.words == 1 and result.metrics.syllables >= 1
