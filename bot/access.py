"""Who may use the bot: the allowlists and admins from config, and refusal throttling."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from .settings import AccessSettings


class AccessPolicy:
    """Decides per user and chat; empty allowlists mean everyone.

    Private chats and inline mode: the user must be allowed. Groups: a listed chat admits all its
    members; with no chats listed, any group admits the allowed users. Admins always pass.
    """

    def __init__(self, settings: AccessSettings) -> None:
        self.settings = settings

    def user_allowed(self, user_id: int) -> bool:
        users = self.settings.users
        return not users or user_id in users or self.is_admin(user_id)

    def is_admin(self, user_id: int) -> bool:
        return user_id in self.settings.admins

    def allows(self, user_id: int, chat_id: int | None, *, private: bool) -> bool:
        if private or chat_id is None:
            return self.user_allowed(user_id)
        if self.settings.chats:
            return chat_id in self.settings.chats or self.is_admin(user_id)
        return self.user_allowed(user_id)


class RefusalLog:
    """Remembers when each outsider was last refused, so they hear it once per interval.

    Bounded: the oldest entries go first, at worst an outsider is told once more.
    """

    def __init__(
        self,
        interval: float,
        capacity: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.capacity = capacity
        self.clock = clock
        self._last: OrderedDict[int, float] = OrderedDict()

    def should_refuse(self, user_id: int) -> bool:
        """True (and remembered) when this user has not been refused within the interval."""
        now = self.clock()
        last = self._last.get(user_id)
        if last is not None and now - last < self.interval:
            return False
        self._last[user_id] = now
        self._last.move_to_end(user_id)
        while len(self._last) > self.capacity:
            self._last.popitem(last=False)
        return True
