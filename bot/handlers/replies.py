"""Sending helpers shared by handlers: replies that quote the asker in groups, never fail on a
deleted original, fall back to plain text when Telegram refuses the HTML, and edits and button
acknowledgements that tolerate "message is not modified" and "query is too old"."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, CallbackQuery, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatType
from telegram.error import BadRequest

from .. import render

logger = logging.getLogger(__name__)


def in_group(message: Message) -> bool:
    return message.chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)


async def reply(
    message: Message,
    text: str,
    *,
    markup: InlineKeyboardMarkup | None = None,
    quote: bool | None = None,
) -> Message:
    """Reply in HTML; in groups (by default) as a reply to the asker's message."""
    quote = in_group(message) if quote is None else quote
    parameters = (
        ReplyParameters(message_id=message.message_id, allow_sending_without_reply=True)
        if quote
        else None
    )
    return await send_html(
        message.get_bot(),
        chat_id=message.chat_id,
        text=text,
        reply_markup=markup,
        reply_parameters=parameters,
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


async def send_html(bot: Bot, *, chat_id: int, text: str, **kwargs: Any) -> Message:
    """send_message in HTML; should Telegram refuse the markup or the length, the same text
    goes again as plain text cut to the limit, so the user still gets the answer."""
    try:
        return await bot.send_message(chat_id=chat_id, text=text, **kwargs)
    except BadRequest as error:
        if not _refused_formatting(error):
            raise
        logger.warning("Telegram refused a message (%s); sending it as plain text", error.message)
        plain, _ = render.shorten(render.visible_text(text), (), render.MESSAGE_LIMIT)
        return await bot.send_message(chat_id=chat_id, text=plain, parse_mode=None, **kwargs)


def _refused_formatting(error: BadRequest) -> bool:
    text = error.message.lower()
    return "can't parse entities" in text or "message is too long" in text


async def acknowledge(query: CallbackQuery) -> None:
    """Stop the button's spinner. Telegram refuses once the query is too old; the user still
    gets what the button asked for, so that is only logged."""
    try:
        await query.answer()
    except BadRequest as error:
        if not is_query_too_old(error):
            raise
        logger.warning("button press too old to acknowledge (%s)", error.message)


def is_query_too_old(error: BadRequest) -> bool:
    """Callback and inline queries can be answered once, within about 15 seconds."""
    return "query is too old" in error.message.lower()


def is_not_modified(error: BadRequest) -> bool:
    """Telegram refuses an edit to identical content; for a double-pressed button that is fine."""
    return "not modified" in error.message.lower()


async def edit_in_place(query: CallbackQuery, text: str, markup: InlineKeyboardMarkup) -> None:
    """Edit the message a button sits under; pressing it twice (same content) is no error."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if not is_not_modified(error):
            raise
