"""A bounded, in-memory map from short random keys (or the caller's) to recent values.

Telegram allows 64 bytes of callback_data, far too little for a Chinese question, so a button
carries a key into this store. Keys are random, not counters, so after a restart an old button
can only miss (and say it expired), never resolve to someone else's question. The same bound
keeps per-chat state (a chat's scope) from growing with every chat the bot has seen.
"""

from __future__ import annotations

import secrets
from collections import OrderedDict
from typing import Generic, TypeVar

T = TypeVar("T")

KEY_BYTES = 6  # 8 URL-safe characters; collisions are checked anyway


class RecentStore(Generic[T]):
    """Least-recently-used store: the oldest entries are forgotten past ``capacity``."""

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self.capacity = capacity
        self._items: OrderedDict[str, T] = OrderedDict()

    def put(self, value: T) -> str:
        key = secrets.token_urlsafe(KEY_BYTES)
        while key in self._items:
            key = secrets.token_urlsafe(KEY_BYTES)
        self._items[key] = value
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return key

    def set(self, key: str, value: T) -> None:
        """Store under a key of the caller's (a chat id), as the most recent entry."""
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.capacity:
            self._items.popitem(last=False)

    def pop(self, key: str) -> T | None:
        return self._items.pop(key, None)

    def get(self, key: str) -> T | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)
