"""Informational commands: /help, /sources, and hints for what the bot cannot answer."""

from __future__ import annotations

from telegram import Update

from .. import render, texts
from ..state import BotContext
from .replies import reply


async def help_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.help_text(context.bot.username))


async def sources_command(update: Update, context: BotContext) -> None:
    """The speeches in the index with passage counts (several messages for a large corpus)."""
    message = update.effective_message
    assert message is not None
    speeches = context.state.engines.speeches()
    for number, text in enumerate(render.sources_messages(speeches)):
        await reply(message, text, quote=None if number == 0 else False)


async def unknown_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.UNKNOWN_COMMAND)


async def not_text(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.NOT_TEXT)
