"""Word lists match whole words through obfuscation; spelling knows names and stays bounded."""

from __future__ import annotations

import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.analysis import spelling
from moderation.analysis.wordlists import default_banned_words, find_words


@pytest.mark.parametrize("text, expected", [
    ("what the fuck", ["fuck"]), ("What The FUCK", ["FUCK"]), ("f*ck", ["f*ck"]),
    ("sh1t happens", ["sh1t"]), ("$hit", ["$hit"]), ("s h i t", ["s h i t"]),
    ("s.h.i.t", ["s.h.i.t"]), ("fucking and fucked", ["fucking", "fucked"]),
    ("shitty", ["shitty"]), ("motherfucker", ["motherfucker"]), ("fuuuuck", ["fuuuuck"]),
])
def test_banned_words_are_found_through_obfuscation(text, expected):
    assert [m.typed for m in find_words(text, default_banned_words())] == expected


@pytest.mark.parametrize("text", [
    "Scunthorpe United", "a classic case", "an assessment", "Penistone", "cocktail hour",
    "the shiitake soup", "Dickensian", "a ****", "f***", "hello", "mishit", "shitake",
    "the associate's pass", "spice", "documented",
])
def test_innocent_words_are_not_hits(text):
    assert find_words(text, default_banned_words()) == []


def test_spans_are_the_typed_words():
    text = "Well, F*CK that, honestly."
    [match] = find_words(text, ["fuck"])
    assert text[match.start:match.end] == "F*CK"


def test_names_pass_and_near_misses_are_flagged():
    _, found = spelling.check("Okonkwo and Nguyen visited Austrailia and Germny.")
    assert [m.word for m in found] == ["Austrailia", "Germny"]


def test_british_spellings_are_accepted():
    _, found = spelling.check("The neighbouring governments recognise the colour of its "
                              "organisation and travelled to the centre.")
    assert found == []


def test_prompt_words_links_and_acronyms_are_not_misspellings():
    allowed = spelling.vocabulary("Astrava annexed the Kessen Peninsula.")
    text = "Astrava and Kessen, per the ICC at https://exmpl.org/rprt or kses@exmpl.org."
    assert spelling.check(text, allowed)[1] == []


def test_edit_distance_work_is_bounded_on_gibberish(monkeypatch):
    """A 64 KB comment of gibberish: every word counted, suggestions for a bounded few."""
    rng = random.Random(0)
    text = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                    for _ in range(12_000))[:65_536]
    real = spelling._checker()
    calls = []

    class Counting:
        """The real checker, counting the slow edit-distance calls."""

        def __contains__(self, word):
            return word in real

        def candidates(self, word):
            calls.append(word)
            return real.candidates(word)

        def correction(self, word):
            return real.correction(word)

    monkeypatch.setattr(spelling, "_checker", Counting)
    checked, found = spelling.check(text)
    assert checked > 8000 and len(found) > 0.9 * checked
    assert len(calls) <= spelling.MAX_EXAMINED


def _obfuscate(word: str, choices: list[int]) -> str:
    """Spell a word as people dodge filters: lookalikes, masks, stretching, spacing, case."""
    from moderation.analysis.wordlists import _LOOKALIKES

    out = []
    for i, letter in enumerate(word):
        pick = choices[i % len(choices)]
        options = _LOOKALIKES.get(letter, letter) + "*"
        char = options[pick % len(options)] if pick % 3 == 0 else letter
        char = char.upper() if pick % 5 == 0 else char
        out.append(char * (1 + pick % 2 if pick % 7 == 0 else 1))
    separator = [" ", ".", "-", "_"][choices[0] % 4] if choices[0] % 4 == 1 else ""
    return separator.join(out)


@settings(max_examples=300, deadline=None)
@given(
    before=st.text(alphabet=st.sampled_from(list("ab fs!$@1*.-_\n")), max_size=12),
    after=st.text(alphabet=st.sampled_from(list("ab fs!$@1*.-_\n")), max_size=12),
    index=st.integers(min_value=0),
    choices=st.lists(st.integers(min_value=0, max_value=100), min_size=1, max_size=8),
)
def test_the_pre_check_never_hides_a_match(before, after, index, choices):
    from moderation.analysis.wordlists import compile_list

    words = default_banned_words()
    entries = tuple(sorted(set(words), key=len, reverse=True))
    text = before + _obfuscate(entries[index % len(entries)], choices) + after
    direct = [(m.start(), m.end()) for m in compile_list(entries).finditer(text)]
    found = find_words(text, words)
    # find_words also drops mostly masked words; every other match must survive the pre-check.
    kept = {(m.start, m.end) for m in found}
    masked = {(s, e) for s, e in direct
              if sum(c in "*#" for c in text[s:e]) > sum(c.isalnum() for c in text[s:e])}
    assert kept == set(direct) - masked
