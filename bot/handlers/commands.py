"""Informational commands: /help, /sources, and hints for what the bot cannot answer."""

from __future__ import annotations

from telegram import Update

from .. import keyboards, render, texts
from ..state import BotContext
from .buttons import SOURCES_PER_PAGE
from .replies import reply


async def help_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.help_text(context.bot.username))


async def sources_command(update: Update, context: BotContext) -> None:
    """The documents in the index, a page at a time, with a button per document to ask within
    it. Sending /sources again is also how a chat leaves the document it chose."""
    message = update.effective_message
    assert message is not None
    state = context.state
    cleared = state.chat_scopes.pop(str(message.chat_id))
    documents = state.engines.documents()
    text = render.sources_page(documents, offset=0, per_page=SOURCES_PER_PAGE,
                               scope_cleared=cleared.title if cleared else None)
    markup = keyboards.sources_keyboard(documents, offset=0, per_page=SOURCES_PER_PAGE)
    await reply(message, text, markup=markup)


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.UNKNOWN_COMMAND)


async def not_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.NOT_TEXT)
