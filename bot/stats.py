"""Counters for /stats: questions, how many found nothing, latency percentiles since start."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class StatsSnapshot:
    questions: int
    unanswered: int
    p50_ms: float | None
    p95_ms: float | None
    uptime_s: float

    @property
    def unanswered_rate(self) -> float:
        return self.unanswered / self.questions if self.questions else 0.0


class Stats:
    """Latencies are kept for the most recent ``window`` questions, so memory stays bounded."""

    def __init__(self, window: int = 10_000) -> None:
        self.started = time.monotonic()
        self.questions = 0
        self.unanswered = 0
        self._latencies: deque[float] = deque(maxlen=window)

    def record(self, *, answered: bool, latency_ms: float) -> None:
        self.questions += 1
        if not answered:
            self.unanswered += 1
        self._latencies.append(latency_ms)

    def snapshot(self) -> StatsSnapshot:
        ordered = sorted(self._latencies)
        return StatsSnapshot(
            questions=self.questions,
            unanswered=self.unanswered,
            p50_ms=percentile(ordered, 50),
            p95_ms=percentile(ordered, 95),
            uptime_s=time.monotonic() - self.started,
        )


def percentile(ordered: list[float], pct: float) -> float | None:
    """Nearest-rank percentile of an already sorted list; None when empty."""
    if not ordered:
        return None
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]
