"""The retrieval metrics of an evaluation set, in total and per kind (docs/evaluation.md).

Labels follow k: `mrr@{k}` and `recall@{k}` are over the top k asked; `hit@1` and `hit@3` keep
their names and are counted within the top k. When k < 3 the top 3 was never asked for, so
`hit@3` is left out rather than reported as a misleading hit@k.
"""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .model import Answer

NO_KIND = "-"  # kind of an item that states none


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


@dataclass(frozen=True)
class _Outcome:
    """What happened to one question."""

    kind: str
    answerable: bool
    answered: bool
    rank: int | None  # of the first relevant passage within the top k; None if none there


def _figures(outcomes: list[_Outcome], k: int) -> dict:
    """The metrics over some outcomes: the answerable ones for ranks, the `none` ones for
    abstention. A question answered with `answered: false` is a miss on every rank metric."""
    answerable = [o for o in outcomes if o.answerable]
    none = [o for o in outcomes if not o.answerable]
    ranks = [o.rank if o.answered else None for o in answerable]
    per = max(len(answerable), 1)

    def share(count: int) -> float:
        return round(count / per, 4)

    figures: dict = {"questions": len(outcomes), "answerable": len(answerable),
                     "none": len(none)}
    figures["hit@1"] = share(sum(r == 1 for r in ranks))
    if k >= 3:
        figures["hit@3"] = share(sum(r is not None and r <= 3 for r in ranks))
    figures[f"mrr@{k}"] = round(sum(1 / r for r in ranks if r is not None) / per, 4)
    figures[f"recall@{k}"] = share(sum(r is not None for r in ranks))
    figures["abstain_on_none"] = (round(sum(not o.answered for o in none) / len(none), 4)
                                  if none else None)
    figures["false_abstain"] = share(sum(not o.answered for o in answerable))
    return figures


def _kind_figures(outcomes: list[_Outcome], k: int) -> dict:
    """Per kind, only the figures that mean something for it: abstention for `none` items,
    ranks and false abstention for answerable ones."""
    figures = _figures(outcomes, k)
    if not figures["answerable"]:
        return {"questions": figures["questions"], "abstain_on_none": figures["abstain_on_none"]}
    if not figures["none"]:
        del figures["abstain_on_none"]
    del figures["none"]
    return figures


def unreachable(questions: list[dict], passage_texts: Iterable[str]) -> list[str]:
    """Ids of items with a gold string that no passage holds (normalised as for matching):
    that gold can never be hit, and the item not at all if it has no other."""
    # One string with a separator no gold holds: a gold must lie within one passage.
    corpus = "\x00".join(_norm(text) for text in passage_texts)
    return [str(item.get("id", item["question"])) for item in questions
            if any(_norm(g) not in corpus for g in item["gold"])]


def evaluate(questions: list[dict], ask: Callable[[str, int], Answer], k: int = 10,
             passage_texts: Iterable[str] | None = None) -> dict:
    """Run every question through `ask(question, k)`; the totals, `by_kind`, and with
    `passage_texts` (the corpus) the `unreachable` item ids."""
    if k < 1:
        raise ValueError(f"k must be at least 1, not {k}")
    outcomes: list[_Outcome] = []
    top3_lengths: list[int] = []
    misses: list[str] = []
    shown = min(3, k)  # a miss: nothing relevant where a reply shows it
    for item in questions:
        answer = ask(item["question"], k)
        gold = [_norm(g) for g in item["gold"]]
        top3_lengths.extend(len(r.text) for r in answer.results[:3])
        rank = next((r.rank for r in answer.results[:k]
                     if any(g in _norm(r.text) for g in gold)), None)
        outcome = _Outcome(kind=str(item.get("kind") or NO_KIND), answerable=bool(gold),
                           answered=answer.answered, rank=rank)
        outcomes.append(outcome)
        if gold and (not answer.answered or rank is None or rank > shown):
            misses.append(item.get("id", item["question"]))
    metrics = _figures(outcomes, k)
    # Always a float: statistics.median gives an int for an odd count, a float for an even one.
    metrics["top3_len_median"] = round(float(statistics.median(top3_lengths)), 1) \
        if top3_lengths else 0.0
    metrics["top3_len_max"] = max(top3_lengths, default=0)
    metrics["missed"] = misses
    kinds = sorted({o.kind for o in outcomes})
    metrics["by_kind"] = {kind: _kind_figures([o for o in outcomes if o.kind == kind], k)
                          for kind in kinds}
    if passage_texts is not None:
        metrics["unreachable"] = unreachable(questions, passage_texts)
    return metrics


def format_report(metrics: dict) -> str:
    """The metrics as text for a terminal: totals, one table row per kind, then warnings."""
    lines = [f"{name:16} {value}" for name, value in metrics.items()
             if name not in ("by_kind", "unreachable")]
    by_kind = metrics.get("by_kind", {})
    if by_kind:
        columns = [name for name in metrics if name not in
                   ("questions", "answerable", "none", "top3_len_median", "top3_len_max",
                    "missed", "by_kind", "unreachable")]
        lines += ["", f"{'kind':12}{'n':>4}" + "".join(f"{c:>{len(c) + 2}}" for c in columns)]
        for kind, figures in by_kind.items():
            cells = "".join(f"{'' if figures.get(c) is None else figures[c]!s:>{len(c) + 2}}"
                            for c in columns)
            lines.append(f"{kind:12}{figures['questions']:>4}{cells}")
    for item_id in metrics.get("unreachable", []):
        lines.append(f"warning: {item_id}: a gold string is in no passage (it can never be hit)")
    return "\n".join(lines)
