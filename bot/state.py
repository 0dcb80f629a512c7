"""The bot's shared state, and the CallbackContext that hands it to handlers typed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from telegram.ext import Application, CallbackContext, ExtBot

from .access import AccessPolicy, RefusalLog
from .button_keys import RecentStore
from .journal import Journal
from .keyboards import StoredQuestion
from .live_engine import EngineHolder
from .settings import BotSettings
from .stats import Stats
from .user_quota import UserRateLimiter

if TYPE_CHECKING:
    from .health import HealthServer

STATE_KEY = "policybot"


@dataclass(frozen=True)
class ChatScope:
    """A chat asks within one document (chosen under /sources) until it clears the choice."""

    document_id: str
    title: str


@dataclass
class BotState:
    settings: BotSettings
    engines: EngineHolder
    access: AccessPolicy
    refusals: RefusalLog
    user_quota: UserRateLimiter
    questions: RecentStore[StoredQuestion]
    chat_scopes: RecentStore[ChatScope]  # keyed by str(chat id); the least recent forgotten
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
            user_quota=UserRateLimiter(
                settings.rate_limit.questions, settings.rate_limit.per_seconds
            ),
            questions=RecentStore(settings.answers.recent_queries),
            chat_scopes=RecentStore(settings.answers.recent_queries),
        )


class BotContext(CallbackContext[ExtBot[None], dict, dict, dict]):
    """CallbackContext with ``state``: one typed object instead of loose bot_data keys."""

    @property
    def state(self) -> BotState:
        state: BotState = self.bot_data[STATE_KEY]
        return state


BotApplication = Application[ExtBot[None], BotContext, dict, dict, dict, None]
