"""Gates run in handler groups before the logic and stop an update with ApplicationHandlerStop.

Group -2, access: allowlists. Outsiders get one polite refusal per interval in private, silence
in groups, and empty inline results. Group -1, rate: per-user question limit with one notice.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from .. import texts
from ..state import BotContext
from ..user_quota import Verdict
from .replies import reply

logger = logging.getLogger(__name__)


async def _then_stop(notice: Awaitable[object] | None, update: Update) -> None:
    """Send the gate's notice, then stop the update, even if the notice fails.

    An exception from a handler does not stop an update in PTB: its later handler groups
    still run. So a refusal that could not be delivered (Telegram down past the retries, a
    press too old to acknowledge) would let the outsider's update through to be answered.
    """
    try:
        if notice is not None:
            await notice
    except TelegramError as error:
        logger.warning("update %s: gate notice not delivered (%s)", update.update_id, error)
    except Exception:
        logger.exception("update %s: gate notice failed", update.update_id)
    raise ApplicationHandlerStop


async def access_gate(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:  # channel posts and service updates: nobody to answer
        raise ApplicationHandlerStop
    chat = update.effective_chat
    private = chat is None or chat.type == ChatType.PRIVATE
    state = context.state
    if state.access.allows(user.id, chat.id if chat else None, private=private):
        return
    notice: Awaitable[object] | None = None
    if update.inline_query:
        notice = update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.callback_query:
        notice = update.callback_query.answer()
    elif private and update.message and state.refusals.should_refuse(user.id):
        notice = reply(update.message, texts.REFUSAL)
    await _then_stop(notice, update)


async def question_rate_gate(update: Update, context: BotContext) -> None:
    """Counts every message the question handlers would answer (see filters.QUESTION)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    quota = context.state.user_quota
    verdict = quota.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    notice: Awaitable[object] | None = None
    if verdict is Verdict.NOTIFY:
        seconds = max(1, round(quota.retry_in(user.id)))
        notice = reply(message, texts.RATE_LIMITED.format(seconds=seconds))
    await _then_stop(notice, update)


async def button_rate_gate(update: Update, context: BotContext) -> None:
    """Button presses run searches too, so they share the user's question budget."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if context.state.user_quota.check(user.id) is Verdict.ALLOW:
        return
    await _then_stop(query.answer(texts.BUTTON_BUSY, show_alert=True), update)
