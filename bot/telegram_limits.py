"""Telegram's limits on what the bot sends, plus retries of transient network failures.

AIORateLimiter keeps the bot under Telegram's flood limits (30 messages/s overall, 20/min per
group) and waits out RetryAfter. It does not retry a request that failed on the network, so
this subclass does, with a short backoff: a brief outage costs latency, not an answer.

Except when the request was sent and only the reply is missing (a read timeout): Telegram may
well have acted on it, and the Bot API has no idempotency key, so sending it again would post
the answer twice (or answer a query twice, which Telegram refuses). Such a request is not
repeated; the caller gets ``AnswerMayBeLost`` (a TimedOut) and logs it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

from .settings import RateLimitSettings

logger = logging.getLogger(__name__)

# getUpdates is retried by the Updater itself, with its own backoff.
_NOT_RETRIED = frozenset({"getUpdates", "getupdates"})
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)


class AnswerMayBeLost(TimedOut):
    """The request reached Telegram but its reply did not arrive in time: not repeated."""


def _reply_lost(error: NetworkError) -> bool:
    """Sent, but no reply in time. Connect and pool timeouts never sent anything."""
    return isinstance(error, TimedOut) and isinstance(error.__cause__, httpx.ReadTimeout)


class RetryingRateLimiter(AIORateLimiter):
    def __init__(self, settings: RateLimitSettings) -> None:
        super().__init__(
            overall_max_rate=settings.overall_per_second,
            overall_time_period=1,
            group_max_rate=settings.group_per_minute,
            group_time_period=60,
            max_retries=settings.max_retries,
        )
        self.network_retries = settings.max_retries

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        attempt = 0
        while True:
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:
                raise  # the request itself is wrong; sending it again cannot help
            except NetworkError as exc:
                if endpoint in _NOT_RETRIED:
                    raise
                if _reply_lost(exc):
                    raise AnswerMayBeLost(
                        f"no reply to {endpoint} in time; not repeated, it may have arrived"
                    ) from exc
                if attempt >= self.network_retries:
                    raise
                delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
                attempt += 1
                logger.warning(
                    "network error on %s (%s); retry %d in %.1fs",
                    endpoint, type(exc).__name__, attempt, delay,
                )
                await asyncio.sleep(delay)
