"""The textbook first version, measured by the same metrics as `policybot eval`.

Each non-empty line of every .txt file of the corpus (seeds/ by default) is a passage,
tokenized with `jieba.lcut`, ranked by `rank_bm25.BM25Okapi`, and it never abstains. Prints
its figures beside policybot's.

    .venv/bin/python benchmarks/baseline_eval.py                # ../shared/qa/dev.jsonl if
    .venv/bin/python benchmarks/baseline_eval.py FILE.jsonl -k 5    # present, else the fresh set
    .venv/bin/python benchmarks/baseline_eval.py FILE.jsonl --corpus DIR --corpus DIR

Without a file it uses the team's dev set beside the repository, or the repository's own
benchmarks/qa/fresh.jsonl on a clone without it (a fresh clone must not end in a traceback).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from retrieval import Answer, Engine, Result, Source, load_config
from retrieval.evaluate import evaluate, format_report, load_questions

ROOT = Path(__file__).resolve().parent.parent


def textbook(dirs: list[Path]):
    lines = [(f.name, line.strip()) for d in dirs for f in sorted(d.rglob("*.txt"))
             for line in f.read_text("utf-8").splitlines() if line.strip()]
    if not lines:  # a folder of PDF/Word/OFD files: give it their text (formats/reference)
        raise SystemExit(f"the textbook reads .txt files only, and {', '.join(map(str, dirs))} "
                         "holds none with text")
    bm25 = BM25Okapi([jieba.lcut(text) for _, text in lines])

    def ask(question: str, k: int) -> Answer:
        scores = bm25.get_scores(jieba.lcut(question))
        top = np.argsort(-scores, kind="stable")[:k]
        results = tuple(Result(rank=i + 1, score=float(scores[j]), id=str(j), text=lines[j][1],
                               quote=lines[j][1], spans=(),
                               source=Source(lines[j][0], lines[j][0], "", int(j)))
                        for i, j in enumerate(top))
        return Answer(query=question, answered=True, results=results)
    return ask


def _default_set() -> Path:
    shared = ROOT.parent / "shared/qa/dev.jsonl"
    return shared if shared.exists() else ROOT / "benchmarks/qa/fresh.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("file", nargs="?", type=Path, default=None,
                        help="evaluation set (JSON lines, docs/evaluation.md); default: "
                             "../shared/qa/dev.jsonl if present, else benchmarks/qa/fresh.jsonl")
    parser.add_argument("-k", type=int, default=10, help="passages asked per question")
    parser.add_argument("--corpus", action="append", type=Path, metavar="DIR",
                        help="corpus directory (repeatable; default: seeds/)")
    args = parser.parse_args()
    qa = args.file or _default_set()
    if not qa.is_file():
        parser.error(f"evaluation set not found: {qa}")
    if args.k < 1:
        parser.error("-k must be at least 1")
    questions = load_questions(qa)
    jieba.setLogLevel(60)
    dirs = args.corpus or [ROOT / "seeds"]
    engine = Engine.open(load_config().retrieval.with_corpus(dirs))
    rows = {"textbook": evaluate(questions, textbook(dirs), args.k),
            "policybot": evaluate(questions, lambda q, k: engine.ask(q, k=k), args.k)}
    print(f"{qa}: {len(questions)} questions")
    names = [n for n in rows["policybot"] if n not in ("missed", "by_kind")]
    print(f"{'metric':18}{'textbook':>10}{'policybot':>11}")
    for name in names:
        print(f"{name:18}{rows['textbook'][name]!s:>10}{rows['policybot'][name]!s:>11}")
    print("\npolicybot by kind:")
    print(format_report(rows["policybot"]).split("\n\n", 1)[-1])
    print(json.dumps({k: {n: v for n, v in r.items() if n != "missed"} for k, r in rows.items()},
                     ensure_ascii=False))

if __name__ == "__main__":
    main()
