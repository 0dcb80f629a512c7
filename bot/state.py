"""The bot's shared state, and the CallbackContext that hands it to handlers typed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from .access import AccessPolicy, RefusalLog
from .engines import EngineHolder
from .journal import Journal
from .keyboards import StoredQuestion
from .ratelimit import UserRateLimiter
from .settings import BotSettings
from .stats import Stats
from .store import RecentStore

if TYPE_CHECKING:
    from .health import HealthServer

STATE_KEY = "policybot"


@dataclass
class BotState:
    settings: BotSettings
    engines: EngineHolder
    access: AccessPolicy
    refusals: RefusalLog
    limiter: UserRateLimiter
    questions: RecentStore[StoredQuestion]
    long_ids: RecentStore[str]
    stats: Stats = field(default_factory=Stats)
    journal: Journal | None = None  # the question log and feedback, when journal.enabled
    upload_lock: asyncio.Lock = field(default_factory=asyncio.Lock)  # one upload at a time
    health: HealthServer | None = None  # the /healthz server while it runs

    @classmethod
    def create(cls, settings: BotSettings, engines: EngineHolder) -> BotState:
        return cls(
            settings=settings,
            engines=engines,
            access=AccessPolicy(settings.access),
            refusals=RefusalLog(settings.access.refusal_interval),
            limiter=UserRateLimiter(
                settings.rate_limit.questions, settings.rate_limit.per_seconds
            ),
            questions=RecentStore(settings.answers.recent_queries),
            long_ids=RecentStore(settings.answers.recent_queries),
        )


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """CallbackContext with ``state``: one typed object instead of loose bot_data keys."""

    @property
    def state(self) -> BotState:
        state: BotState = self.bot_data[STATE_KEY]
        return state


BotApplication = Application[ExtBot[None], BotContext, dict, dict, dict, None]
