"""Spelling knows names and stays bounded."""

from __future__ import annotations

import random
import string

from moderation.analysis import spelling


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
