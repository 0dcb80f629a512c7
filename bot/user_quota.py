"""Per-user question rate limit (a sliding window) against floods, with a single notice.

Telegram's own limits on what the bot sends are a separate matter (see bot/telegram_limits.py).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # over the limit, first time in this window: tell the user once
    DROP = "drop"  # over the limit and already told: stay silent


@dataclass
class _Window:
    times: deque[float]
    notified: bool = False


class UserRateLimiter:
    """At most ``limit`` questions per ``period`` seconds per user."""

    def __init__(
        self, limit: int, period: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.period = period
        self.clock = clock
        self._windows: dict[int, _Window] = {}
        self._checks = 0

    def check(self, user_id: int) -> Verdict:
        now = self.clock()
        window = self._windows.setdefault(user_id, _Window(deque()))
        while window.times and now - window.times[0] >= self.period:
            window.times.popleft()
        self._prune_sometimes(now)
        if len(window.times) < self.limit:
            window.times.append(now)
            window.notified = False
            return Verdict.ALLOW
        if window.notified:
            return Verdict.DROP
        window.notified = True
        return Verdict.NOTIFY

    def retry_in(self, user_id: int) -> float:
        """Seconds until this user may ask again."""
        window = self._windows.get(user_id)
        if not window or len(window.times) < self.limit:
            return 0.0
        return max(0.0, self.period - (self.clock() - window.times[0]))

    def _prune_sometimes(self, now: float) -> None:
        """Forget idle users now and then so memory stays bounded by active users."""
        self._checks += 1
        if self._checks % 1000:
            return
        idle = [
            user
            for user, window in self._windows.items()
            if not window.times or now - window.times[-1] >= self.period
        ]
        for user in idle:
            del self._windows[user]
