"""👍/👎 under answers: one vote per user per answer, changeable, stored in the journal."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Update

from .. import keyboards, texts
from ..journal import Vote
from ..keyboards import FeedbackButton
from ..state import BotContext

logger = logging.getLogger(__name__)

FEEDBACK_PATTERN = r"^f:"


async def feedback_button(update: Update, context: BotContext) -> None:
    """Record the vote and confirm it with a short toast (never an alert: it is routine)."""
    query, user = update.callback_query, update.effective_user
    assert query is not None and user is not None
    button = keyboards.parse(query.data)
    journal = context.state.journal
    if not isinstance(button, FeedbackButton) or journal is None:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    try:
        outcome = await journal.vote(button.key, user.id, button.vote)
    except (sqlite3.Error, RuntimeError) as error:
        logger.warning("journal: vote not recorded: %s", error)
        await query.answer(texts.FEEDBACK_FAILED)
        return
    if outcome is Vote.UNKNOWN:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
    elif outcome is Vote.SAME:
        await query.answer(texts.FEEDBACK_SAME)
    elif outcome is Vote.CHANGED:
        await query.answer(texts.FEEDBACK_CHANGED[button.vote])
    else:
        await query.answer(texts.FEEDBACK_THANKS[button.vote])
    logger.info("event=feedback vote=%+d outcome=%s", button.vote, outcome.value)
