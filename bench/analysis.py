"""Benchmark the analysis: metrics and the full pipeline against ten textstat calls, cold and warm.

Prints figures; asserts nothing. Run with `make bench` or `.venv/bin/python bench/analysis.py`.

The corpus draws words from pyspellchecker's English frequency list (Zipf-like, so
thousands of distinct words appear). Every side is timed on texts it has never seen:
"cold" means a fresh text and, for us, every per-word cache cleared before each text
(syllables, word facts, known words, suggestions), so nothing is left from earlier
texts; "warm" times the same texts again, every word already cached, as in a busy
server. textstat 0.7.8 is timed as installed (on a fresh text its per-text memo
caches only share work between its ten calls) and with those caches cleared before
each call (each index from scratch). Dictionaries and models are loaded before any
timing, on both sides.
"""

from __future__ import annotations

import functools
import gzip
import json
import random
import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue (psycopg and multiprocessing import it): the checkout goes there.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import textstat  # noqa: E402

from moderation.analysis import Context, analyze  # noqa: E402
from moderation.analysis.metrics import measure  # noqa: E402
from moderation.analysis.pipeline import public_metrics  # noqa: E402
from moderation.analysis.wordlists import default_banned_words, find_words  # noqa: E402
from moderation.services.demo import PROMPT  # noqa: E402

NAIVE = (  # the ten separate calls a straightforward implementation makes
    textstat.lexicon_count, textstat.sentence_count, textstat.syllable_count,
    textstat.flesch_reading_ease, textstat.flesch_kincaid_grade, textstat.gunning_fog,
    textstat.smog_index, textstat.coleman_liau_index, textstat.automated_readability_index,
    textstat.dale_chall_readability_score,
)
CHECKED = {
    "words": textstat.lexicon_count, "sentences": textstat.sentence_count,
    "syllables": textstat.syllable_count, "flesch_reading_ease": textstat.flesch_reading_ease,
    "flesch_kincaid_grade": textstat.flesch_kincaid_grade, "gunning_fog": textstat.gunning_fog,
    "smog_index": textstat.smog_index, "coleman_liau_index": textstat.coleman_liau_index,
    "automated_readability_index": textstat.automated_readability_index,
    "dale_chall": textstat.dale_chall_readability_score,
    "difficult_words": textstat.difficult_words,
}


def vocabulary(limit: int = 30_000) -> tuple[list[str], list[float]]:
    """The most frequent English words with their frequencies, less the banned ones.

    The list comes from film subtitles, where profanity is common; left in, most
    800-word texts would contain a banned word, which no class discussion resembles.
    """
    path = resources.files("spellchecker").joinpath("resources/en.json.gz")
    with path.open("rb") as raw, gzip.open(raw, "rt") as fh:
        frequencies = json.load(fh)
    banned = default_banned_words()
    top = [(w, f) for w, f in sorted(frequencies.items(), key=lambda kv: -kv[1])
           if not find_words(w, banned)][:limit]
    return [w for w, _ in top], [float(f) for _, f in top]


def make_corpus(n_texts: int, n_words: int, seed: int) -> list[str]:
    """Comments of about n_words words: sentences of 8-30 words, some capitals and commas."""
    words, weights = vocabulary()
    rng = random.Random(seed)
    texts = []
    for _ in range(n_texts):
        sentences, count = [], 0
        while count < n_words:
            length = min(rng.randint(8, 30), n_words - count)
            chosen = rng.choices(words, weights, k=length)
            for i in range(1, length - 1):
                if rng.random() < 0.06:
                    chosen[i] += ","
            chosen[0] = chosen[0].capitalize()
            sentences.append(" ".join(chosen) + rng.choice([".", ".", ".", "?", "!"]))
            count += length
        texts.append(" ".join(sentences))
    return texts


def time_each(fn, texts: list[str]) -> list[float]:
    """Milliseconds per text."""
    out = []
    for text in texts:
        start = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def naive(text: str) -> None:
    for fn in NAIVE:
        fn(text)


def _text_caches() -> list:
    """textstat 0.7.8's per-text and per-word memo caches (not its dictionary loaders)."""
    loaders = {"get_cmudict", "get_pyphen", "get_lang_easy_words", "get_lang_cfg",
               "get_lang_root"}
    found = []
    for name, module in list(sys.modules.items()):
        if name.startswith("textstat.backend."):
            for attr in vars(module).values():
                if hasattr(attr, "cache_clear") and attr.__name__ not in loaders \
                        and attr not in found:
                    found.append(attr)
    return found


def naive_from_scratch(text: str, caches: list) -> None:
    """Ten calls, each computing its index from scratch, as textstat did before memoising."""
    for fn in NAIVE:
        for cache in caches:
            cache.cache_clear()
        fn(text)


def pipeline(text: str) -> None:
    analyze(text, Context(prompt=PROMPT))


def rss_of_loaded_pipeline() -> tuple[float, float]:
    """Peak and current RSS (MB) of a fresh process with the whole pipeline loaded and used."""
    code = (
        "import resource, sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r})\n"
        "from moderation.analysis import analyze, Context\n"
        "from moderation.services.demo import MISSPELLED, PROMPT, THOUGHTFUL\n"
        "for t in (MISSPELLED, THOUGHTFUL, 'You are an idiot. ' * 50):\n"
        "    analyze(t, Context(prompt=PROMPT))\n"
        "rss = [l for l in open('/proc/self/status') if l.startswith('VmRSS')][0].split()[1]\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, int(rss) / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def clear_our_caches() -> None:
    """Forget every word and text seen: what a cold text meets.

    Dictionaries stay loaded, and so do the per-discussion caches (the prompt's
    vocabulary and names), which every comment of a discussion shares.
    """
    from moderation.analysis import known, metrics, similarity, spelling, suggest, wordlists
    from moderation.analysis.wordlists import quick

    metrics._word_cache.clear()
    metrics._syllable_cache.clear()
    metrics.sentence_spans.cache_clear()
    similarity.shingles.cache_clear()
    spelling._typed_cache.clear()
    for cached in (known.is_known, known.listed, suggest.ranked, wordlists.find_default):
        cached.cache_clear()
    wordlists.default_matcher()._entries.clear()
    quick._remembered.clear()


def cold(fn, texts: list[str]) -> list[float]:
    """Milliseconds per text, every per-word cache cleared before each text."""
    out = []
    for text in texts:
        clear_our_caches()
        start = time.perf_counter()
        fn(text)
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    print("moderation analysis benchmark (medians per comment; cold = a text never seen, "
          "our caches cleared)")
    print("=" * 78)
    warm = make_corpus(30, 300, seed=1)
    for text in warm:  # load dictionaries and models on both sides
        naive(text)
        pipeline(text)
    pipeline("I beleive this fuсking Kessenwald report is an idiot's.")  # the rest
    caches = _text_caches()
    goals = []
    for n_words, n_texts in ((200, 240), (800, 90)):
        checked = make_corpus(n_texts // 3, n_words, seed=n_words)
        distinct = len({w.lower().strip(",.?!") for t in checked for w in t.split()})
        mismatches = 0
        for text in checked:
            ours = public_metrics(measure(text))
            mismatches += sum(ours[k] != round(fn(text), 2) for k, fn in CHECKED.items())
        # Each side gets its own fresh texts: no text is ever timed twice cold.
        installed = statistics.median(time_each(naive, make_corpus(n_texts, n_words,
                                                                   seed=n_words + 1)))
        scratch = statistics.median(time_each(functools.partial(naive_from_scratch,
                                                                caches=caches),
                                              make_corpus(n_texts // 3, n_words,
                                                          seed=n_words + 3)))
        texts = make_corpus(n_texts, n_words, seed=n_words + 4)
        metrics_cold = statistics.median(cold(measure, texts))
        metrics_warm = statistics.median(time_each(measure, texts))
        texts = make_corpus(n_texts, n_words, seed=n_words + 5)
        pipeline_cold = statistics.median(cold(pipeline, texts))
        pipeline_warm = statistics.median(time_each(pipeline, texts))
        sentences = sum(measure(t).sentences for t in checked) / len(checked)
        print(f"\n{n_words}-word comments: {n_texts} texts per measurement, {distinct} "
              f"distinct words in {len(checked)}, {sentences:.0f} sentences on average")
        print(f"  values: {len(checked) * len(CHECKED)} metric values compared with textstat, "
              f"{mismatches} differ at 2 decimals")
        print(f"  ten textstat calls, as installed  {installed:7.3f} ms")
        print(f"  ten textstat calls, caches cleared{scratch:7.3f} ms   (each index from scratch)")
        for label, ms in (("metrics, cold", metrics_cold), ("metrics, warm", metrics_warm)):
            print(f"  {label:32s}{ms:7.3f} ms   {installed / ms:5.1f}x textstat as installed, "
                  f"{scratch / ms:5.1f}x cleared")
        for label, ms in (("full pipeline, cold", pipeline_cold),
                          ("full pipeline, warm", pipeline_warm)):
            print(f"  {label:32s}{ms:7.3f} ms   {ms / installed:5.2f} of textstat as installed, "
                  f"{ms / scratch:5.2f} of cleared")
        goals.append((n_words, installed / metrics_cold, pipeline_cold / installed))
    print("\ngoals: metrics >= 7x textstat cold; whole pipeline <= 1/3 of the ten calls as "
          "installed")
    for n_words, speedup, share in goals:
        met = "met" if speedup >= 7 else "NOT met"
        shared = "met" if share <= 1 / 3 else "NOT met"
        print(f"  {n_words} words: metrics cold {speedup:.1f}x ({met}); "
              f"pipeline cold {share:.2f} of textstat ({shared})")

    gibberish_rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    gibberish = " ".join("".join(gibberish_rng.choice(letters)
                                 for _ in range(gibberish_rng.randint(3, 10)))
                         for _ in range(12_000))[:65_536]
    start = time.perf_counter()
    result = analyze(gibberish)
    elapsed = time.perf_counter() - start
    print(f"\n64 KB of gibberish: full pipeline {elapsed * 1000:.0f} ms "
          f"({result.metrics.words} words, decision {result.decision})")

    peak, current = rss_of_loaded_pipeline()
    print(f"one process with the pipeline loaded: RSS {current:.0f} MB (peak {peak:.0f} MB; "
          "target <= 250 MB)")


if __name__ == "__main__":
    main()
