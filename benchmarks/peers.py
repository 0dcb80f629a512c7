"""policybot beside the engines a user would pick instead, in one run over the same passages.

    .venv/bin/pip install -e '.[bench]'
    .venv/bin/python benchmarks/peers.py --sizes 100000 1000000

For each size it generates a corpus with scale.py's generator and builds it through
Engine.open (the code path of `policybot index`). Then, each engine in a fresh process, over
the same passages and scale.py's 200 questions, top 10:
- policybot's ranking step alone (query terms to top 10: the same work as a peer's search)
  and its whole answer (Engine.ask: scope, prior, dedup, quotes);
- bm25s (numba backend, one thread) and tantivy (Rust; whitespace tokenizer, one SHOULD term
  query per token), both over jieba.lcut_for_search word tokens of policybot's passage texts,
  as their users would feed them;
- rank_bm25 over policybot's own tokens, to check that policybot's top 10 are its top 10.
Each ranking is timed on a second pass over the questions, policybot's whole answers on their
first (after its ranking pass, and after Engine.warm, which `policybot serve` runs at start).
Prints p50/p99, build time, index size and serving RSS (and its part no file backs), with
each engine's p50 over policybot's ranking step, then one JSON line with every figure. The
peers' tokenization is timed apart (`tokenize_s`): it is the same jieba work for both.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import scale  # noqa: E402
from scale import generate, questions, rss_mb, settings_for  # noqa: E402

from retrieval import Engine, load_config  # noqa: E402

K = 10


def _percentiles(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": float(np.percentile(ms, 50)), "p99_ms": float(np.percentile(ms, 99))}


def _timed(run, items, warm: bool = True) -> list[float]:
    """Milliseconds per item; with `warm`, on a second pass, the first having warmed what a
    serving process has warm after its first questions (index pages, per-term bounds)."""
    for item in items if warm else ():
        run(item)
    out = []
    for item in items:
        started = time.perf_counter()
        run(item)
        out.append((time.perf_counter() - started) * 1000)
    return out


def _serving() -> dict[str, float]:
    """The serving process's RSS, and its part no file backs (the rest: mapped index pages)."""
    return {"serving_rss_mb": rss_mb(), "serving_anon_mb": rss_mb("RssAnon")}


def _dir_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def step_policybot(corpus: Path, cache: Path, work: Path) -> dict:
    """Load the saved index, time the ranking step and the whole answer, and write the
    passage texts' word tokens for the peers."""
    engine = Engine.open(settings_for(corpus, cache))
    started = time.perf_counter()
    engine.warm()  # as `policybot serve` does before its first question
    warm_s = time.perf_counter() - started
    asked = questions()
    terms = [engine.tokenizer.query_terms(q) for q in asked]
    rank = _timed(lambda t: engine.index.top(t, K), terms)
    # Answers are timed on their first asking: a question's own checks are cached after it.
    answer = _timed(engine.ask, asked, warm=False)
    serving = _serving()
    import jieba

    started = time.perf_counter()
    with open(work / "tokens.txt", "w", encoding="utf-8") as out:
        for row in range(len(engine.store)):
            words = (w for w in jieba.lcut_for_search(engine.store.text(row)) if w.strip())
            out.write(" ".join(words) + "\n")
    with open(work / "questions.txt", "w", encoding="utf-8") as out:
        for q in asked:
            out.write(" ".join(w for w in jieba.lcut_for_search(q) if w.strip()) + "\n")
    return {"rank": _percentiles(rank), "answer": _percentiles(answer),
            **serving, "warm_s": warm_s,
            "tokenize_s": time.perf_counter() - started}


def _word_tokens(work: Path) -> tuple[list[list[str]], list[list[str]]]:
    read = lambda name: [line.split() for line in  # noqa: E731
                         (work / name).read_text("utf-8").splitlines()]
    return read("tokens.txt"), read("questions.txt")


def step_bm25s(work: Path) -> dict:
    import bm25s

    docs, asked = _word_tokens(work)
    started = time.perf_counter()
    retriever = bm25s.BM25(backend="numba")
    retriever.index(docs, show_progress=False)
    build = time.perf_counter() - started
    del docs
    retriever.save(str(work / "bm25s"))
    ms = _timed(lambda q: retriever.retrieve([q], k=K, show_progress=False, n_threads=1),
                asked)
    return {**_percentiles(ms), "build_s": build, "index_mb": _dir_mb(work / "bm25s"),
            **_serving()}


def step_tantivy(work: Path) -> dict:
    import tantivy

    docs, asked = _word_tokens(work)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="whitespace",
                           index_option="freq")
    schema = builder.build()
    path = work / "tantivy"
    path.mkdir(exist_ok=True)
    started = time.perf_counter()
    index = tantivy.Index(schema, path=str(path))
    writer = index.writer(heap_size=500_000_000, num_threads=1)
    for tokens in docs:
        writer.add_document(tantivy.Document(body=" ".join(tokens)))
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    build = time.perf_counter() - started
    del docs
    searcher = index.searcher()
    should = tantivy.Occur.Should

    def search(q: list[str]) -> None:
        query = tantivy.Query.boolean_query(
            [(should, tantivy.Query.term_query(schema, "body", t)) for t in dict.fromkeys(q)])
        searcher.search(query, K)

    ms = _timed(search, asked)
    return {**_percentiles(ms), "build_s": build, "index_mb": _dir_mb(path),
            **_serving()}


def _run(*args: str) -> dict:
    out = subprocess.run([sys.executable, *args], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"{' '.join(args[1:3])} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, work: Path, parity_questions: int) -> dict:
    corpus, cache, scratch = work / f"corpus-{n}", work / f"cache-{n}", work / f"peers-{n}"
    for path in (corpus, cache, scratch):
        shutil.rmtree(path, ignore_errors=True)
    scratch.mkdir(parents=True)
    generate(n, corpus, seed=n, max_chars=load_config(env={}).retrieval.passage_max_chars)
    row: dict = {"size": n}
    build = _run(scale.__file__, "--step", "build", str(corpus), str(cache))
    row["passages"] = build["passages"]
    me = _run(__file__, "--step", "policybot", str(corpus), str(cache), str(scratch))
    row["policybot"] = {**me, "build_s": build["build_s"], "index_mb": build["index_mb"],
                        "build_peak_rss_mb": build["build_peak_rss_mb"]}
    print(f"  {n}: policybot done", file=sys.stderr, flush=True)
    for peer in ("bm25s", "tantivy"):
        row[peer] = _run(__file__, "--step", peer, str(scratch))
        print(f"  {n}: {peer} done", file=sys.stderr, flush=True)
    ref = _run(scale.__file__, "--step", "reference", str(corpus), str(cache),
               str(parity_questions))
    row["parity"] = {"agree": ref["top10_agree"], "checked": ref["top10_checked"],
                     "rank_bm25_p50_ms": ref["reference_ms_p50"]}
    for path in (corpus, cache, scratch):
        shutil.rmtree(path, ignore_errors=True)
    return row


def table(rows: list[dict]) -> str:
    head = (f"{'size':>9} {'engine':<22} {'p50 ms':>8} {'p99 ms':>8} {'x ranking':>9} "
            f"{'build s':>8} {'index MB':>9} {'RSS MB':>7} {'anon MB':>7}")
    lines = [head]
    for row in rows:
        me = row["policybot"]
        mine = me["rank"]["p50_ms"]
        entries = [
            ("policybot ranking step", me["rank"], me),
            ("policybot whole answer", me["answer"], None),
            ("bm25s (numba)", row["bm25s"], row["bm25s"]),
            ("tantivy", row["tantivy"], row["tantivy"]),
        ]
        for name, times, sizes in entries:
            build = f"{sizes['build_s']:>8.1f} {sizes['index_mb']:>9.0f} " \
                    f"{sizes['serving_rss_mb']:>7.0f} {sizes['serving_anon_mb']:>7.0f}" \
                if sizes else ""
            lines.append(f"{row['size']:>9} {name:<22} {times['p50_ms']:>8.3f} "
                         f"{times['p99_ms']:>8.3f} {times['p50_ms'] / mine:>9.2f} {build}")
        parity = row["parity"]
        lines.append(f"{row['size']:>9} policybot warms in {me['warm_s']:.1f} s at start "
                     "(Engine.warm: jieba, the place tagger, the kernels)")
        lines.append(f"{row['size']:>9} passages {row['passages']}, top-10 parity with "
                     f"rank_bm25 {parity['agree']}/{parity['checked']} "
                     f"(rank_bm25 p50 {parity['rank_bm25_p50_ms']:.0f} ms)")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--parity-questions", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, *paths = args.step
        steps = {"policybot": step_policybot, "bm25s": step_bm25s, "tantivy": step_tantivy}
        print(json.dumps(steps[step](*map(Path, paths))))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="policybot-peers-"))
    try:
        rows = [measure(n, work, args.parity_questions) for n in args.sizes]
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    print(table(rows))
    print(json.dumps({"cpus": os.cpu_count(), "results": rows}))


if __name__ == "__main__":
    main()
