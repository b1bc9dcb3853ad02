"""Spelling suggestions measured on real misspellings, against pyspellchecker in the same run.

Prints, per corpus, how often the right word is the first suggestion (top-1) and among
the first five (top-5), and the milliseconds per unknown word, for our engine and for
pyspellchecker at edit distance 1 (what this project used before) and 2 (Norvig's
classic corrector); the time is this process's CPU time per misspelling the checker
did not know, each checker cold (no cached suggestions). Asserts nothing.

    .venv/bin/python bench/spelling.py                      # the small built-in sample
    .venv/bin/python bench/spelling.py CORPUS [CORPUS ...]  # public corpora, see below
    .venv/bin/python bench/spelling.py --fit TRAIN [TRAIN ...] --exclude HELD_OUT

Corpora are not shipped (their licences are the authors'); pass their paths. Formats:
Roger Mitton's `.dat` files ("$right" lines followed by misspellings: missp.dat =
Birkbeck, holbrook-missp.dat, aspell.dat, wikipedia.dat; from his "corpora of
misspellings" page, also copied in GitHub repositories such as ngais/CS175-Autocorrect
under DataSets/), and Norvig's spell-testset1.txt / spell-testset2.txt ("right: wrong
wrong" lines, or the older Python-dict layout; norvig/pytudes, or copies such as
crj1998/spelling-correction). With the search tool's `fetch`, e.g.
`fetch github:ngais/CS175-Autocorrect` then `git -C <dir> show HEAD:DataSets/aspell.dat`.

Counting: every pair counts; a misspelling that is itself a dictionary word ("rote" for
"wrote") gets no suggestion from any checker and counts as a miss. "British/American"
also accepts the other national spelling of the right word ("organised" for
"organized"), which the corpora list as errors although the checker accepts both.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import time
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/queue.py would stand in
# for the standard library's queue (psycopg and multiprocessing import it): the checkout goes there.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

import numpy as np  # noqa: E402

from moderation.analysis import suggest  # noqa: E402
from moderation.analysis.spelling import is_known, variants  # noqa: E402

# A few misspellings written for this bench (not taken from any corpus): what students
# type in discussion comments.
SAMPLE = """
believe: beleive belive
government: goverment govermnent
doesn't: dosent doesnt
countries: countrys
chance: chanse
definitely: definately definatly
separate: seperate
because: becuase becasue
argument: arguement
necessary: neccessary necesary
occurred: occured
receive: recieve
which: wich
their: thier
until: untill
tomorrow: tommorow
responsibility: responsability
independent: independant
environment: enviroment
opinion: opinon
really: realy
decision: desicion
"""

Pair = tuple[str, str]  # (misspelling, right word)


def read_pairs(path: str) -> list[Pair]:
    """Misspelling pairs from a Mitton .dat file or a Norvig test set."""
    text = Path(path).read_text(encoding="latin-1")
    return parse_pairs(text)


def parse_pairs(text: str) -> list[Pair]:
    pairs: list[Pair] = []
    if "$" in text[:200]:  # Mitton: "$right" then one misspelling per line
        right = None
        for line in text.splitlines():
            line = line.strip()
            if line.startswith("$"):
                right = line[1:]
            elif line and right and right != "?":
                pairs.append((line.split()[0], right))
    elif re.search(r"'[^']+'\s*:\s*'", text):  # the older Python-dict layout
        for right, wrongs in re.findall(r"'([^']+)'\s*:\s*'([^']*)'", text):
            pairs += [(w, right) for w in wrongs.split()]
    else:
        for line in text.splitlines():
            right, _, wrongs = line.partition(":")
            pairs += [(w, right.strip()) for w in wrongs.split()]
    # Single words of letters only: what the checker sees ("a_lot" is two words).
    return [(w, r) for w, r in pairs if re.fullmatch(r"[A-Za-z']+", w + r)]


def ours(word: str) -> list[str]:
    lower = word.lower()
    return [] if is_known(lower) else list(suggest.suggestions(lower))


def pyspellchecker(distance: int):
    from spellchecker import SpellChecker

    checker = SpellChecker(distance=distance)

    def suggestions(word: str) -> list[str]:
        lower = word.lower()
        if lower in checker:
            return []
        found = checker.candidates(lower) or set()
        return sorted(found, key=lambda w: -checker.word_usage_frequency(w))[:5]

    return suggestions


def accuracy(pairs: list[Pair], fn) -> tuple[float, float, float, float]:
    """(top-1, top-5, top-1 accepting British/American, ms per unknown word)."""
    top1 = top5 = either = 0
    # CPU time of this process: what a word costs, whatever else the machine is doing.
    start = time.process_time()
    results = [(fn(w), r.lower()) for w, r in pairs]
    elapsed = time.process_time() - start
    unknown = sum(1 for got, _ in results if got) or 1  # words given suggestions
    for got, right in results:
        top1 += bool(got) and got[0] == right
        top5 += right in got[:5]
        either += bool(got) and (got[0] == right or got[0] in variants(right))
    n = len(pairs)
    return top1 / n, top5 / n, either / n, elapsed / unknown * 1000


def evaluate(name: str, pairs: list[Pair], baseline_limit: int) -> None:
    print(f"\n{name}: {len(pairs)} misspellings of {len({r for _, r in pairs})} words")
    rows = [("ours", pairs, ours)]
    sample = random.Random(1).sample(pairs, min(baseline_limit, len(pairs)))
    rows += [("pyspellchecker d=1", pairs, pyspellchecker(1)),
             (f"pyspellchecker d=2 ({len(sample)} of them)", sample, pyspellchecker(2))]
    if len(sample) < len(pairs):
        rows.insert(1, (f"ours on the same {len(sample)}", sample, ours))
    for label, chosen, fn in rows:
        suggest.suggestions.cache_clear()  # cold: no typo seen before
        top1, top5, either, ms = accuracy(chosen, fn)
        print(f"  {label:34s} top-1 {top1:6.1%}  top-5 {top5:6.1%}  "
              f"top-1 British/American {either:6.1%}  {ms:8.3f} ms/word")


def fit(train: list[Pair], held_out: set[str], rounds: int) -> None:
    """Fit the ranking weights (softmax over each typo's candidates) and print them."""
    book = suggest.dictionary()
    rows: list[list[float]] = []
    groups: list[int] = []
    targets: list[int] = []
    used = 0
    for typo, right in train:
        typo, right = typo.lower(), right.lower()
        if right in held_out or is_known(typo) or right not in book.index:
            continue
        found = [word for word, _ in suggest.shortlist(typo)]
        if right not in found:
            continue
        targets.append(len(rows) + found.index(right))
        groups.append(len(rows))
        for word in found:
            rows.append(suggest.features(typo, word, float(book.log_counts[book.index[word]])))
        used += 1
    x = np.array(rows)
    starts = np.array(groups)
    target_rows = x[np.array(targets)]
    weights = np.array(suggest.WEIGHTS, dtype=np.float64)
    print(f"fitting on {used} typos, {len(rows)} candidates")
    m = np.zeros_like(weights)
    v = np.zeros_like(weights)
    for step in range(1, rounds + 1):  # Adam on the mean negative log-likelihood
        s = x @ weights
        peak = np.maximum.reduceat(s, starts)
        e = np.exp(s - np.repeat(peak, np.diff(np.append(starts, len(s)))))
        total = np.add.reduceat(e, starts)
        p = e / np.repeat(total, np.diff(np.append(starts, len(s))))
        grad = (np.add.reduceat(p[:, None] * x, starts).sum(0) - target_rows.sum(0)) / used
        grad[0] = 0.0  # the log count's weight stays 1: the other weights are in its units
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad ** 2
        weights -= 0.05 * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        if step % 100 == 0 or step == rounds:
            loss = -(target_rows @ weights - peak - np.log(total)).mean()
            right_first = np.mean([s[t] >= s[g:n].max() for t, g, n in
                                   zip(targets, groups, [*groups[1:], len(s)], strict=True)])
            print(f"  round {step}: loss {loss:.4f}, right word first {right_first:.1%}")
    print("WEIGHTS = (\n    " + ", ".join(f"{w:.2f}" for w in weights) + ",\n)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="*", help="misspelling corpora (see the docstring)")
    parser.add_argument("--fit", action="store_true", help="fit the weights on the corpora")
    parser.add_argument("--exclude", nargs="*", default=[],
                        help="corpora whose right words are held out of the fit")
    parser.add_argument("--rounds", type=int, default=600)
    parser.add_argument("--baseline-limit", type=int, default=400,
                        help="pairs per corpus for pyspellchecker d=2 (about 0.1 s a word)")
    args = parser.parse_args()
    if args.fit:
        held_out = {r.lower() for path in args.exclude for _, r in read_pairs(path)}
        train = [p for path in args.corpora for p in read_pairs(path)]
        fit(train, held_out, args.rounds)
        return
    print("spelling suggestions: ours vs pyspellchecker (same machine, same run)")
    print("=" * 72)
    start = time.perf_counter()
    suggest.dictionary()
    print(f"dictionary: {len(suggest.dictionary().words)} words, index built in "
          f"{time.perf_counter() - start:.2f} s")
    corpora = [(Path(p).name, read_pairs(p)) for p in args.corpora] or [
        ("built-in sample", parse_pairs(SAMPLE))]
    for name, pairs in corpora:
        evaluate(name, pairs, args.baseline_limit)
    lengths = [len(w) for _, pairs in corpora for w, _ in pairs]
    print(f"\n(misspellings of {statistics.mean(lengths):.1f} letters on average)")


if __name__ == "__main__":
    main()
