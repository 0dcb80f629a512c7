"""Loopback Telegram Bot API server for end-to-end tests (Node code beside this file)."""

from tests.support.botapi.driver import (
    DEFAULT_BOT_USERNAME,
    DEFAULT_TOKEN,
    BotApiError,
    BotApiServer,
    UpdateNotDelivered,
)

__all__ = [
    "DEFAULT_BOT_USERNAME",
    "DEFAULT_TOKEN",
    "BotApiError",
    "BotApiServer",
    "UpdateNotDelivered",
]
