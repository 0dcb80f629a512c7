"""The textbook first version, measured by the same metrics as `policybot eval`.

Each non-empty line of every seed file is a passage, tokenized with `jieba.lcut`, ranked by
`rank_bm25.BM25Okapi`, and it never abstains. Prints its figures beside policybot's.

    .venv/bin/python benchmarks/baseline_eval.py ../shared/qa/dev.jsonl
    .venv/bin/python benchmarks/baseline_eval.py benchmarks/qa/fresh.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jieba
import numpy as np
from rank_bm25 import BM25Okapi

from retrieval import Answer, Engine, Result, Source, load_config
from retrieval.evaluate import evaluate, load_questions

ROOT = Path(__file__).resolve().parent.parent


def textbook(seeds: Path):
    lines = [(f.name, line.strip()) for f in sorted(seeds.glob("*.txt"))
             for line in f.read_text("utf-8").splitlines() if line.strip()]
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


def main() -> None:
    qa = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT.parent / "shared/qa/dev.jsonl")
    questions = load_questions(qa)
    jieba.setLogLevel(60)
    engine = Engine.open(load_config().retrieval)
    rows = {"textbook": evaluate(questions, textbook(ROOT / "seeds")),
            "policybot": evaluate(questions, lambda q, k: engine.ask(q, k=k))}
    names = [n for n in rows["policybot"] if n != "missed"]
    print(f"{'metric':18}{'textbook':>10}{'policybot':>11}")
    for name in names:
        print(f"{name:18}{rows['textbook'][name]!s:>10}{rows['policybot'][name]!s:>11}")
    print(json.dumps({k: {n: v for n, v in r.items() if n != "missed"} for k, r in rows.items()}))


if __name__ == "__main__":
    main()
