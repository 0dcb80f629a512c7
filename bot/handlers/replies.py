"""Sending helpers shared by handlers: replies that quote the asker in groups, never fail on a
deleted original, and edits that tolerate "message is not modified"."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Message, ReplyParameters
from telegram.constants import ChatType
from telegram.error import BadRequest


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
    return await message.get_bot().send_message(
        chat_id=message.chat_id,
        text=text,
        reply_markup=markup,
        reply_parameters=parameters,
        message_thread_id=message.message_thread_id if message.is_topic_message else None,
    )


def is_not_modified(error: BadRequest) -> bool:
    """Telegram refuses an edit to identical content; for a double-pressed button that is fine."""
    return "not modified" in error.message.lower()
