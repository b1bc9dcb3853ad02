"""Spelling: suggestions a student would accept, names told from misspellings, bounded work."""

from __future__ import annotations

import random
import string

import pytest

from moderation.analysis import Context, analyze, spelling, suggest
from moderation.analysis.policy import Policy


def found(text: str, allowed: frozenset[str] = frozenset(),
          proper: tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    return [(m.word, m.suggestion) for m in spelling.check(text, allowed, proper)[1]]


@pytest.mark.parametrize("typo, right", [
    # The student comment and its wrong suggestions.
    ("dosent", "doesn't"), ("countrys", "countries"), ("chanse", "chance"),
    ("beleive", "believe"), ("goverment", "government"), ("definately", "definitely"),
    ("seperate", "separate"), ("becuase", "because"), ("recieve", "receive"),
    ("untill", "until"), ("enviroment", "environment"), ("arguement", "argument"),
])
def test_suggestions_a_student_would_accept(typo, right):
    assert suggest.suggestions(typo)[0] == right


def test_names_pass_and_near_misses_of_proper_nouns_are_flagged():
    text = ("The Phillipeans left the ICC. Okonkwo and Nguyen visited Austrailia and Germny. "
            "Okonkwo agreed.")
    assert found(text) == [("Phillipeans", "Philippines"), ("Austrailia", "Australia"),
                           ("Germny", "Germany")]


def test_a_classmates_name_passes_and_a_near_miss_of_it_is_flagged():
    names = ("Amara Okafor", "Tobenna Eze")
    context = Context(names=names, prompt="How should Astrava answer the court?")
    policy = Policy.from_dict({"min_words": 0})
    text = "I agree with Amara and Tobenna that Astrava should stay. Tobena disagrees."
    [finding] = [f for f in analyze(text, context, policy).findings if f.rule == "spelling"]
    assert finding.message == '"Tobena" may be misspelled (did you mean "Tobenna"?).'
    # Without the course's names, "Tobena" is one more name: only a near miss of a name the
    # course knows is a misspelling of it.
    assert [f.rule for f in analyze(text, Context(), policy).findings].count("spelling") == 0


def test_a_sentence_opening_misspelling_is_flagged_and_capitalised():
    assert found("Beleive me, it matters.") == [("Beleive", "Believe")]


def test_british_and_american_spellings_both_pass():
    assert found("The neighbouring governments recognise the colour of its organisation "
                 "and travelled to the centre.") == []
    assert found("The neighboring governments recognize the color of its organization "
                 "and traveled to the center.") == []


def test_prompt_words_links_and_acronyms_are_not_misspellings():
    allowed = spelling.vocabulary("Astrava annexed the Kessen Peninsula.")
    text = "Astrava and Kessen, per the ICC at https://exmpl.org/rprt or kses@exmpl.org."
    assert found(text, allowed) == []


def test_the_message_lists_every_misspelling():
    text = "Teh goverment beleive the countrys dosent agre wiht the cort abot it, I thnik."
    [finding] = [f for f in analyze(text).findings if f.rule == "spelling"]
    assert "more" not in finding.message
    assert finding.message.count("did you mean") == 10


def test_suggestion_work_is_bounded_on_gibberish(monkeypatch):
    """A 64 KB comment of gibberish: every word counted, suggestions for a bounded few."""
    rng = random.Random(0)
    text = " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(3, 9)))
                    for _ in range(12_000))[:65_536]
    calls = []
    real = suggest.ranked

    def counting(word):
        calls.append(word)
        return real(word)

    monkeypatch.setattr(suggest, "ranked", counting)
    checked, misspelled = spelling.check(text)
    # Short tokens without a vowel ("rdl", "bzt") read as abbreviations, not misspellings.
    assert checked > 8000 and len(misspelled) > 0.8 * checked
    assert len(calls) <= spelling.MAX_EXAMINED


# Issue 21: what fired on clean, edited prose. Each text is correct English.
@pytest.mark.parametrize("text", [
    # Ordinals, currency and units after numbers: "th", "bn", "km" are not words.
    "It happened on the 19th, the 2nd and the 23rd of May.",
    "Profits rose to £1.3bn and $400m, or 66 Mya by another count.",
    "The road runs 25 km, the wall is 6 ft high and the shell 300 mm wide.",
    # Letters outside ASCII, and a ligature a PDF left behind.
    "They met in Dürnstein and Québec over a café crème, a naïve plan at ﬁrst.",
    # Hyphenated prefixes, plural acronyms, curly apostrophes.
    "The pre-season friendly was co-organised by MPs and MEPs; it doesn’t matter.",
    # Names that open a sentence or stand beside another name.
    "Lesnar won the title. Hed PE played later, near the La Venta plaza.",
    # Ordinary and technical words, and American spellings beside British ones.
    "Rainforests, analytics, gameplay, sulfide, teenaged decomposers, epoxidation and "
    "pedipalps.",
    "Hemoglobin levels of the medalists worried the councilor afterward.",
])
def test_clean_prose_has_no_misspelling(text):
    assert found(text) == []


def test_misspellings_the_national_table_used_to_accept_are_caught():
    text = "Their existense, the absense of controling staff, and what they caled otherwize."
    assert [w for w, _ in found(text)] == ["existense", "absense", "controling", "caled",
                                           "otherwize"]


def test_a_rare_term_repeated_or_in_a_foreign_phrase_is_not_a_misspelling():
    assert found("The rachillae bear the flowers, and the rachillae are short.") == []
    assert found("The brigade was renamed Hrvatski gardijski zdrug in 1994.") == []
    assert found("I think teh goverment is wrong.") == [("teh", "the"),
                                                         ("goverment", "government")]


def test_dense_technical_prose_is_not_held():
    text = ("Attalea species have pinnate leaves; A. attaleoides and A. camopiensis grow "
            "in the understorey, while A. maripensis and A. degranvillei reach the canopy.")
    findings = analyze(text, policy=Policy.from_dict({"min_words": 0})).findings
    # A species' second name after its genus is no misspelling ("A. camopiensis").
    assert [f for f in findings if f.rule == "spelling"] == []


@pytest.mark.parametrize("text", [
    # Issue 21's second pass, from the tuning half of bench/clean_prose.py: a capitalised
    # word mid-sentence is a name, whatever common word is near it; a short name is no
    # place's misspelling; derivations the web has seen, compounds of a rarer word, the
    # other national "-ise"/"-ize", and species' second names are words.
    "The show ran on the Tru network and in Sibu before the Bex tour.",
    "Sibu is a town on the Rajang.",
    "Their breathings and threatenings grew louder, said the dynamiter.",
    "She kept a workbasket, and he sold audioblogs.",
    "The council sanitises the square.",
    "The palm Attalea maripa and Astrocaryum paramaca grow there.",
    "An ad hoc group, a bona fide coup d'état, a pince-nez.",
    "He smiled loathsomely at the diplomatists' discursiveness.",
])
def test_clean_prose_of_the_second_pass_is_not_flagged(text):
    assert found(text) == []


@pytest.mark.parametrize("text, word", [
    ("Beleive it.", "Beleive"), ("It was otherwize fine.", "otherwize"),
    ("The Goverment beleives it.", "beleives"), ("He was realy cheerfull.", "cheerfull"),
    ("I like the hoc.", "hoc"), ("It was becauses of him.", "becauses"),
])
def test_slips_that_look_like_those_words_are_still_flagged(text, word):
    assert word in [w for w, _ in found(text)]


def test_up_to_three_suggestions_when_the_first_is_not_clearly_best():
    [(word, suggestions)] = [(m.word, m.suggestions) for m in spelling.check("I saw ther car.")[1]]
    assert word == "ther" and suggestions[:2] == ("their", "there") and len(suggestions) <= 3
    [(word, suggestions)] = [(m.word, m.suggestions)
                             for m in spelling.check("I beleive it.")[1]]
    assert suggestions == ("believe",)
    [finding] = [f for f in analyze("I saw ther car.").findings if f.rule == "spelling"]
    assert finding.message == '"ther" may be misspelled (did you mean "their", "there" or "the"?).'
