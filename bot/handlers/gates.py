"""Gates run in handler groups before the logic and stop an update with ApplicationHandlerStop.

Group -2, access: allowlists. Outsiders get one polite refusal per interval in private, silence
in groups, and empty inline results. Group -1, rate: per-user question limit with one notice.
"""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from .. import texts
from ..ratelimit import Verdict
from ..state import BotContext
from .replies import reply


async def access_gate(update: Update, context: BotContext) -> None:
    user = update.effective_user
    if user is None:  # channel posts and service updates: nobody to answer
        raise ApplicationHandlerStop
    chat = update.effective_chat
    private = chat is None or chat.type == ChatType.PRIVATE
    state = context.state
    if state.access.allows(user.id, chat.id if chat else None, private=private):
        return
    if update.inline_query:
        await update.inline_query.answer([], cache_time=0, is_personal=True)
    elif update.callback_query:
        await update.callback_query.answer()
    elif private and update.message and state.refusals.should_refuse(user.id):
        await reply(update.message, texts.REFUSAL)
    raise ApplicationHandlerStop


async def question_rate_gate(update: Update, context: BotContext) -> None:
    """Counts every message the question handlers would answer (see filters.QUESTION)."""
    user, message = update.effective_user, update.effective_message
    if user is None or message is None:
        return
    limiter = context.state.limiter
    verdict = limiter.check(user.id)
    if verdict is Verdict.ALLOW:
        return
    if verdict is Verdict.NOTIFY:
        seconds = max(1, round(limiter.retry_in(user.id)))
        await reply(message, texts.RATE_LIMITED.format(seconds=seconds))
    raise ApplicationHandlerStop


async def button_rate_gate(update: Update, context: BotContext) -> None:
    """Button presses run searches too, so they share the user's question budget."""
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return
    if context.state.limiter.check(user.id) is Verdict.ALLOW:
        return
    await query.answer(texts.BUTTON_BUSY, show_alert=True)
    raise ApplicationHandlerStop
