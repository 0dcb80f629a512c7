"""A bounded, in-memory map from short random keys to recent values, for callback_data.

Telegram allows 64 bytes of callback_data, far too little for a Chinese question, so a button
carries a key into this store. Keys are random, not counters, so after a restart an old button
can only miss (and say it expired), never resolve to someone else's question.
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

    def get(self, key: str) -> T | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def __len__(self) -> int:
        return len(self._items)
