"""The analysis's fast paths answer as the plain construction they stand for.

Each shortcut (tokens the dictionary passes left out before a Word is built, and placed
from one split of the text, the phrases' trie, the respelling probe's first-letter
lookahead, the sound-alike index as two arrays, wordfreq's list read a bucket at a time,
the quick search's short letters read in the text before its skeleton is built, ordinary
words blanked by one split of the text, digits counted by the regex engine, sentences too
short to run on left unsplit) is compared
here with the straightforward version of the same thing, over texts that reach its edges.
"""

from __future__ import annotations

import gzip
import random
import re

import msgpack
import numpy as np
import pytest

from moderation.analysis import lexicon, spelling, suggest
from moderation.analysis.lexicon import english_words
from moderation.analysis.wordlists import default_matcher, quick
from moderation.analysis.wordlists.compiler import minimal_letters, phrase_body, phrases_pattern
from moderation.analysis.wordlists.normalise import fold
from moderation.analysis.wordlists.variants import _PROBE
from moderation.analysis.words import checkable

TEXTS = [
    "On 19th May, MPs flew 25 km to Dürnstein in a pre-season Boeing 747.",
    "The wi-fi and e-mail co-operate; a self-driving car's sensors don't fail.",
    "Okonkwo beleive the NATO report about Austrailia, see https://example.org/a-b or me@x.io.",
    "It costs 12 sq mi and 6 ft; the 3 km walk, then 2 hours more. A 10 mph wind.",
    "The ﬁrst naïve café-goer said “doesn’t” and ‘won’t’; teh goverment’s plan.",
    "The palm Attalea maripa grows beside A. camopiensis; an ad hoc coup d'état.",
    "Holmdale baytree graffam. Stromgren marogen meritt moren treichel coale yellwo.",
    "Mid-1990s pre-war anti-inflation post-Brexit multi-year e-book x-ray T-shirt.",
    "",
    "a",
    "3",
    "seperate definately recieve untill wierd alot thier",
    # Units count every token after a number, passed or not: "teh" is no unit here.
    "It is 25 the of a teh now, and 3 in on teh too; 12 mph teh winds, 4 mi wix.",
    # ASCII without a digit: the tokens the caller does not pass are placed by one split.
    "Teh court's pre-season wi-fi, the e-mail; Holmdale's co-operate don't -- teh end.",
    "teh", "Teh teh teh.", "-teh- 'teh' teh's teh'", "x-ray teh-fi re-teh pre-Holmdale",
    "See https://example.org/teh-page or me@teh.io, then teh www.teh.com page.",
]


def _varied(n: int = 300, seed: int = 7) -> list[str]:
    """Texts of dictionary words, typos, capitals, numbers, units and hyphens."""
    rng = random.Random(seed)
    vocab = ["the", "court", "ruled", "Holmdale", "seperate", "km", "mi", "pre", "season",
             "wi", "fi", "don't", "student's", "NATO", "iPhone", "Rd", "café", "1990s", "25",
             "x", "co", "operate", "baytree", "Austrailia", "teh", "self", "MPs", "ﬁrst"]
    seps = [" ", " ", " ", "-", ", ", ". ", " 3 ", "—", "'"]
    return ["".join(rng.choice(vocab) + rng.choice(seps) for _ in range(rng.randint(1, 40)))
            for _ in range(n)]


@pytest.mark.parametrize("text", TEXTS + _varied())
def test_checkable_leaves_out_exactly_the_tokens_the_caller_passes(text):
    for text_ in TEXTS:  # judge some words first, so the typed cache answers too
        spelling.check(text_)
    count, every = checkable(text, spelling._known_whole)
    fast_count, fast = checkable(text, spelling._known_whole, spelling._passed)
    assert fast_count == count
    assert fast == [w for w in every if not (w.typed.isascii() and spelling._passed(w.typed))]


def test_the_phrases_trie_matches_where_their_alternation_does():
    matcher = default_matcher()
    phrases = [fold(e).split() for e in matcher._phrases]
    edges = r"(?<![^\W_])(?:{})(?![^\W_])"
    alternation = re.compile(edges.format("|".join(phrase_body(p) for p in phrases)))
    trie = re.compile(edges.format(phrases_pattern(phrases)))
    rng = random.Random(3)
    texts = []
    for words in phrases:
        texts += [" ".join(words), "_".join(words).upper(), "x" + " ".join(words),
                  " ".join(words) + "s", " - ".join(words), " ".join(words[:-1]) + " zz",
                  "a " + "  ".join(words).replace("a", "@").replace("i", "1") + " b"]
    texts += [" ".join(rng.choice(sum(phrases, [])) for _ in range(12)) for _ in range(400)]
    for text in texts:
        assert bool(trie.search(text)) == bool(alternation.search(text)), text
        assert bool(trie.fullmatch(text)) == bool(alternation.fullmatch(text)), text


def test_the_respelling_probe_finds_what_it_finds_without_its_lookahead():
    plain = re.compile(_PROBE.pattern.removeprefix("(?=[fnckmjtp])"), re.IGNORECASE)
    assert plain.pattern != _PROBE.pattern
    texts = TEXTS + _varied() + [
        "FUCK fcuk phuk m0thaf*cka n1gga N!GGUH kunt CUUUNT j1g f@g retard KAWK Kelvin-\u212aunt",
        "ph0ne pho puke tart cawk cuk fxq nyg n_i_g mf M F j!g",
    ]
    for text in texts:
        assert [m.span() for m in _PROBE.finditer(text)] == \
            [m.span() for m in plain.finditer(text)], text


def test_sound_alikes_are_the_words_of_each_key_unless_short_or_crowded():
    book = suggest.dictionary()
    import jellyfish

    by_key: dict[str, list[int]] = {}
    for i, word in enumerate(book.words):
        by_key.setdefault(jellyfish.metaphone(word), []).append(i)
    for key, ids in by_key.items():
        alike = book.sound_alikes(key)
        if len(key) >= 3 and len(ids) <= suggest.MAX_SOUND_ALIKES:
            assert alike is not None and alike.dtype == np.int64 and alike.tolist() == ids, key
        else:
            assert alike is None, key
    assert book.sound_alikes("QQQQQQ") is None
    assert book.index["the"] == book.words.index("the")


def test_wordfreqs_list_read_a_bucket_at_a_time_is_the_whole_list_read_at_once():
    raw = (lexicon.package_data("wordfreq") / "data/large_en.msgpack.gz").read_bytes()
    buckets = msgpack.unpackb(gzip.decompress(raw), raw=False)
    whole: dict[str, int] = {}
    for centibels, bucket in enumerate(buckets[1:]):
        for word in bucket:
            if word.isalpha() or "'" in word:
                whole.setdefault(word, 900 - centibels)
    zipf = lexicon.web_zipf()
    assert zipf == whole and list(zipf) == list(whole)


def test_english_words_is_the_union_of_its_lists():
    from moderation.analysis.metrics import _cmu_syllables, easy_words

    words = lexicon.english_words()
    union = set(lexicon.word_frequencies()) | set(_cmu_syllables()) | easy_words()
    sample = random.Random(5).sample(sorted(union), 2000)
    assert all(w in words for w in sample)
    assert not any(w + "qx" in words for w in sample)
    assert "nguyen" in words and "okay" in words and "zzzqx" not in words


def test_checkable_without_a_digit_places_each_token_as_the_loop_over_all_tokens_does():
    from moderation.analysis.words import _TOKEN, prose

    for text in TEXTS + _varied(seed=11):
        if not text.isascii() or any(c.isdigit() for c in text):
            continue
        count, fast = checkable(text, spelling._known_whole, lambda typed: typed == "the")
        count_all, every = checkable(text, spelling._known_whole)
        assert count == count_all == len(_TOKEN.findall(prose(text)))
        assert fast == [w for w in every if w.typed != "the"], text
        assert all(text[w.start:w.end] == w.typed for w in fast)


def _quick_texts() -> list[str]:
    """Texts where short letters meet separators, runs, "ph" and look-alikes."""
    edges = ["as", "a s", "a-s", "aas", "ass", "4$", "@5", "x", "ph", "a ph", "aphs", "p h",
             "pph", "hp", "h.p", "php", "hip hop", "up here", "xx", "a", "", "sh1t", "f u c k",
             "ſ", "фх", "ＡＳ", "Up. Here.", "camel jockey", "p-h-i", "ah, perhaps", "cap here",
             "c a p h a t", "that", "t1p-hob", "zaphob", "ti ph", "s a s s", "ph0"]
    rng = random.Random(13)
    pieces = ["p", "h", "a", "s", "x", "i", "1", " ", "-", ".", "ph", "hp", "ss", "$", "4", "t",
              "c", "o", "0", "z"]
    return edges + TEXTS + _varied(100) + ["".join(rng.choice(pieces) for _ in range(
        rng.randint(1, 12))) for _ in range(3000)]


@pytest.mark.parametrize("entries", [
    None,  # the shipped list
    ("ass", "x", "php", "hit", "pa", "hp", "ap", "ha", "p", "h", "ss"),
    ("ap", "fuck", "ha"),
    ("hat", "cap", "tip", "zap", "hob", "sas", "ass", "pho"),
])
def test_the_quick_searchs_shortcut_says_what_its_full_search_finds(entries):
    search = default_matcher().quick if entries is None else quick.QuickSearch(
        minimal_letters(entries))
    assert search.kept or entries is not None
    for text in _quick_texts():
        assert search.any_found(text) == bool(search.found(text)), text


def _blank_each_word(text: str, plain_forms: frozenset[str]) -> str:
    """`without_ordinary` as one substitution, a Python call per word."""
    words = english_words()

    def blank(match: re.Match[str]) -> str:
        lower = match.group().lower()
        return " " * len(lower) if lower in words and lower not in plain_forms \
            else match.group()

    return quick._PLAIN_WORD.sub(blank, text)


def test_ordinary_words_blanked_by_one_split_are_those_one_substitution_blanks():
    plain_forms = default_matcher().plain_forms
    texts = _quick_texts() + [
        "The class title was \"shit\" (really) and [fuck] it, said Dick; cocktail hour.",
        "'Quoted' words, (bracketed) words] and words: here; there! Why? \"So.\"",
        "word.word word-word word's word2 2word ab a b CAPS Caps cAPS.",
        "Shit, the ASS and the Ass: ass-hat, asshole... fucking fuck!",
    ]
    quick._remembered.clear()
    for _ in range(2):  # words judged afresh, then remembered
        for text in texts:
            assert quick.without_ordinary(text, plain_forms) == \
                _blank_each_word(text, plain_forms), text


def test_digits_counted_by_the_regex_engine_are_those_str_isdigit_counts():
    from moderation.analysis.rules.privacy import _digits_at_least

    rng = random.Random(17)
    # ASCII digits, other decimal digits (Arabic-Indic, full-width), and digits that are
    # not decimal (superscripts, circled): str.isdigit counts them all.
    pieces = ["1", "7", "a", " ", "-", "\u0663", "\uff15", "\u00b2", "\u2460", "\u00bd", "x"]
    texts = TEXTS + _varied() + ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25)))
                                 for _ in range(3000)]
    for text in texts:
        for n in (1, 9, 10, 11):
            assert _digits_at_least(text, n) == (sum(map(str.isdigit, text)) >= n), (text, n)


def test_run_on_sentences_found_without_splitting_short_ones_are_those_found_splitting_all():
    from moderation.analysis import Context, Policy
    from moderation.analysis.metrics import count_sentences, measure, sentence_spans
    from moderation.analysis.rules.readability import _PAUSE, run_on_sentence

    def every_sentence_split(text: str, policy: Policy) -> list[tuple[int, int, int]]:
        clause = max(2, round(policy.max_sentence_words * 2 / 3))
        found = []
        for start, end in sentence_spans(text):
            sentence = text[start:end]
            count = len(sentence.split())
            if count <= policy.max_sentence_words or not count_sentences(sentence):
                continue
            stretch = max(len(part.split()) for part in _PAUSE.split(sentence))
            if stretch >= clause:
                found.append((start, end, count))
        return found

    rng = random.Random(19)
    words = ["a", "b", "I", "an", "the", "court", ",", "-", "(x)", "ok"]
    # At the edge: as many characters as the shortest sentence of too many words has.
    texts = TEXTS + _varied() + ["a b", "a b c", "x. a b c", "a b c d. a b c d e.", "ab c."] + [
        " ".join(rng.choice(words) for _ in range(rng.randint(1, 30))) + rng.choice([
            ".", "!", "?", " ", ""]) for _ in range(1500)]
    for limit in (0, 1, 2, 3, 5, 45):
        policy = Policy(max_sentence_words=limit)
        for text in texts:
            hits = list(run_on_sentence.check(text, measure(text), Context(), policy))
            assert [(h.spans[0][0], h.spans[0][1], h.value) for h in hits] == \
                every_sentence_split(text, policy), (text, limit)
