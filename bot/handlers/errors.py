"""The global error handler: log once (no message text), tell the user briefly, keep running."""

from __future__ import annotations

import contextlib
import logging

from telegram import Update
from telegram.error import BadRequest, NetworkError, TelegramError

from .. import texts
from ..state import BotContext
from ..telegram_limits import AnswerMayBeLost
from .replies import is_query_too_old, reply

logger = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    error = context.error
    if not isinstance(update, Update):
        # Polling and background failures; the Updater retries network errors by itself.
        if isinstance(error, NetworkError):
            logger.warning("network error outside an update: %s", error)
        else:
            logger.error("error outside an update", exc_info=error)
        return
    if isinstance(error, AnswerMayBeLost) or (
        isinstance(error, BadRequest) and is_query_too_old(error)
    ):
        # Telegram has the answer already, or will take none: an apology could only be a
        # second message (or a second answer, which Telegram refuses).
        logger.warning("update %s: %s; nothing more sent", update.update_id, error.message)
        return
    chat = update.effective_chat
    logger.error(
        "update %s failed (chat=%s): %s",
        update.update_id, chat.type if chat else "none", type(error).__name__,
        exc_info=error,
    )
    with contextlib.suppress(TelegramError):
        if update.callback_query:
            await update.callback_query.answer(texts.ERROR, show_alert=True)
        elif update.inline_query:
            await update.inline_query.answer([], cache_time=0)
        elif update.message and chat:
            await reply(update.message, texts.ERROR)
