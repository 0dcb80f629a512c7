"""The retrieval metrics of the evaluation set (format and definitions: shared qa/README.md)."""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections.abc import Callable
from pathlib import Path

from .model import Answer


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", "".join(text.split()))


def load_questions(path: Path) -> list[dict]:
    questions = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                item = json.loads(line)
                item["question"], item["gold"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: not an evaluation item ({exc})") from exc
            questions.append(item)
    return questions


def evaluate(questions: list[dict], ask: Callable[[str, int], Answer], k: int = 10) -> dict:
    """Run every question through `ask` and compute hit@1/3, MRR@10, recall@10, abstention."""
    hit1 = hit3 = recall = 0
    rr = 0.0
    answerable = none = abstained_none = false_abstain = 0
    top3_lengths: list[int] = []
    misses: list[str] = []
    for item in questions:
        answer = ask(item["question"], k)
        gold = [_norm(g) for g in item["gold"]]
        top3_lengths.extend(len(r.text) for r in answer.results[:3])
        if not gold:
            none += 1
            abstained_none += not answer.answered
            continue
        answerable += 1
        if not answer.answered:
            false_abstain += 1
            misses.append(item.get("id", item["question"]))
            continue
        rank = next((r.rank for r in answer.results[:k]
                     if any(g in _norm(r.text) for g in gold)), None)
        if rank is None or rank > 3:
            misses.append(item.get("id", item["question"]))
        if rank is not None:
            hit1 += rank == 1
            hit3 += rank <= 3
            recall += rank <= 10
            rr += 1 / rank if rank <= 10 else 0
    per = max(answerable, 1)
    return {
        "questions": len(questions), "answerable": answerable, "none": none,
        "hit@1": round(hit1 / per, 4), "hit@3": round(hit3 / per, 4),
        "mrr@10": round(rr / per, 4), "recall@10": round(recall / per, 4),
        "abstain_on_none": round(abstained_none / none, 4) if none else None,
        "false_abstain": round(false_abstain / per, 4),
        "top3_len_median": statistics.median(top3_lengths) if top3_lengths else 0,
        "top3_len_max": max(top3_lengths, default=0),
        "missed": misses,
    }
