"""Evaluation figures: totals, per kind, labels that follow k, and golds no passage holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Answer, Engine, Result, Source
from retrieval.evaluate import evaluate, format_report, unreachable

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

# A fixed ranking per question: the list of passage texts `ask` returns, best first.
RANKINGS = {
    "q1": ["金句一在此", "其他", "其他"],  # relevant at rank 1
    "q2": ["其他", "其他", "金句二在此"],  # rank 3
    "q3": ["其他", "其他", "其他", "其他", "金句三在此"],  # rank 5
    "q4": ["其他"],  # not found
    "n1": ["无关"],  # unanswerable
    "n2": ["无关"],
}
ABSTAINS = {"n1", "q4"}
ITEMS = [
    {"id": "q1", "question": "q1", "gold": ["金句一"], "kind": "fact"},
    {"id": "q2", "question": "q2", "gold": ["金 句 二"], "kind": "fact"},
    {"id": "q3", "question": "q3", "gold": ["金句三"], "kind": "scoped"},
    {"id": "q4", "question": "q4", "gold": ["金句四"], "kind": "scoped"},
    {"id": "n1", "question": "n1", "gold": [], "kind": "none"},
    {"id": "n2", "question": "n2", "gold": [], "kind": "none"},
]


def ask(question: str, k: int) -> Answer:
    texts = RANKINGS[question][:k]
    results = tuple(
        Result(rank=i, score=1.0 / i, id=f"{question}-{i}", text=text, quote=text, spans=(),
               source=Source("题目", "file.txt", "", i))
        for i, text in enumerate(texts, 1))
    return Answer(query=question, answered=question not in ABSTAINS, results=results)


def test_totals_keep_their_names_and_values_at_k_10() -> None:
    metrics = evaluate(ITEMS, ask)
    assert (metrics["questions"], metrics["answerable"], metrics["none"]) == (6, 4, 2)
    assert metrics["hit@1"] == 0.25 and metrics["hit@3"] == 0.5
    assert metrics["mrr@10"] == round((1 + 1 / 3 + 1 / 5) / 4, 4)
    assert metrics["recall@10"] == 0.75
    assert metrics["abstain_on_none"] == 0.5 and metrics["false_abstain"] == 0.25
    assert metrics["missed"] == ["q3", "q4"]
    assert "unreachable" not in metrics


def test_figures_per_kind() -> None:
    by_kind = evaluate(ITEMS, ask)["by_kind"]
    assert set(by_kind) == {"fact", "scoped", "none"}
    assert by_kind["fact"]["hit@3"] == 1.0 and by_kind["fact"]["mrr@10"] == round(2 / 3, 4)
    assert by_kind["scoped"]["hit@3"] == 0.0 and by_kind["scoped"]["recall@10"] == 0.5
    assert by_kind["scoped"]["false_abstain"] == 0.5
    assert by_kind["none"] == {"questions": 2, "abstain_on_none": 0.5}


def test_item_without_kind_is_counted_apart() -> None:
    metrics = evaluate([{"question": "q1", "gold": ["金句一"]}], ask)
    assert metrics["by_kind"]["-"]["hit@1"] == 1.0


def test_labels_follow_k() -> None:
    at4 = evaluate(ITEMS, ask, k=4)
    assert "mrr@10" not in at4 and at4["recall@4"] == 0.5
    assert at4["mrr@4"] == round((1 + 1 / 3) / 4, 4) and at4["hit@3"] == 0.5
    at1 = evaluate(ITEMS, ask, k=1)
    assert "hit@3" not in at1 and "hit@3" not in at1["by_kind"]["fact"]
    assert at1["hit@1"] == at1["recall@1"] == at1["mrr@1"] == 0.25
    assert at1["missed"] == ["q2", "q3", "q4"]
    with pytest.raises(ValueError):
        evaluate(ITEMS, ask, k=0)


def test_top3_length_median_is_always_a_float() -> None:
    odd = evaluate(ITEMS[:1], ask)["top3_len_median"]  # three lengths: 5, 2, 2
    even = evaluate(ITEMS[3:4] + ITEMS[:1], ask)["top3_len_median"]  # 2, 5, 2, 2
    assert (odd, even) == (2.0, 2.0) and type(odd) is type(even) is float
    assert evaluate([], ask)["top3_len_median"] == 0.0


def test_gold_that_no_passage_holds_is_reported() -> None:
    passages = ["金句一在此", "金句 二在此", "金句", "三在此"]  # 金句三 is cut in two passages
    assert unreachable(ITEMS, passages) == ["q3", "q4"]
    metrics = evaluate(ITEMS, ask, passage_texts=iter(passages))
    assert metrics["unreachable"] == ["q3", "q4"]
    report = format_report(metrics)
    assert "warning: q3:" in report and "warning: q4:" in report
    assert any(line.startswith("scoped") for line in report.splitlines())


def test_on_the_seed_corpus(seed_engine: Engine) -> None:
    texts = [line for f in sorted(SEEDS.glob("*.txt"))
             for line in f.read_text("utf-8").splitlines()]
    items = [
        {"id": "a", "question": "县管校聘", "gold": ["县管校聘"], "kind": "topic"},
        {"id": "b", "question": "公积金贷款买房最高能贷多少？", "gold": [], "kind": "none"},
        {"id": "c", "question": "异地高考", "gold": ["这句话不在任何讲话里"], "kind": "topic"},
    ]
    metrics = evaluate(items, lambda q, k: seed_engine.ask(q, k=k), k=5, passage_texts=texts)
    assert metrics["unreachable"] == ["c"]
    assert metrics["by_kind"]["topic"]["hit@1"] == 0.5
    assert metrics["by_kind"]["none"]["abstain_on_none"] == 1.0
