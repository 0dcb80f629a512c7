"""Message filters for "is this addressed to the bot", shared by the gates and the handlers.

Defined once so the rate-limit gate counts exactly the messages the question handlers answer.
Only new messages count: edits and channel posts are never questions.
"""

from __future__ import annotations

import re

from telegram import Message, MessageEntity
from telegram.ext import filters
from telegram.ext.filters import MessageFilter

QUESTION_COMMANDS = frozenset({"ask", "start"})


class MentionsBot(MessageFilter):
    """The text mentions this bot as @username.

    Matched in the text alone: every mention entity Telegram sets is found this way too, and
    slicing entities (UTF-16 offsets) fails on text with lone surrogates.
    """

    def filter(self, message: Message) -> bool:
        username = message.get_bot().username
        if not username or not message.text:
            return False
        return bool(_mention_pattern(username).search(message.text))


class RepliesToBot(MessageFilter):
    """A reply to one of this bot's own messages (how privacy-mode bots see follow-ups)."""

    def filter(self, message: Message) -> bool:
        replied = message.reply_to_message
        author = replied.from_user if replied else None
        return bool(author and author.id == message.get_bot().id)


class CommandFor(MessageFilter):
    """A leading /command in ``commands`` that is for this bot (no @suffix, or ours)."""

    def __init__(self, commands: frozenset[str]) -> None:
        super().__init__(name=f"CommandFor({sorted(commands)})")
        self.commands = commands

    def filter(self, message: Message) -> bool:
        entity = message.entities[0] if message.entities else None
        if not (entity and entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0):
            return False
        command, _, target = (message.text or "")[1 : entity.length].partition("@")
        username = (message.get_bot().username or "").lower()
        return command.lower() in self.commands and target.lower() in ("", username)


def _mention_pattern(username: str) -> re.Pattern[str]:
    return re.compile(r"@" + re.escape(username) + r"(?![A-Za-z0-9_])", re.IGNORECASE)


def strip_mention(text: str, username: str) -> str:
    """The question left when the @mention of the bot is removed."""
    rest = _mention_pattern(username).sub(" ", text)
    return " ".join(rest.split()).strip(" ,，:：")


NEW_TEXT = filters.UpdateType.MESSAGE & filters.TEXT & ~filters.VIA_BOT
PRIVATE_QUESTION = NEW_TEXT & filters.ChatType.PRIVATE & ~filters.COMMAND
GROUP_REPLY = NEW_TEXT & filters.ChatType.GROUPS & ~filters.COMMAND & RepliesToBot()
GROUP_MENTION = (
    NEW_TEXT & filters.ChatType.GROUPS & ~filters.COMMAND & ~filters.FORWARDED & MentionsBot()
)
QUESTION_COMMAND = NEW_TEXT & CommandFor(QUESTION_COMMANDS)
# Everything the question handlers answer: what the per-user rate limit counts.
QUESTION = PRIVATE_QUESTION | GROUP_REPLY | GROUP_MENTION | QUESTION_COMMAND
# Non-text messages in private (stickers, photos, ...): answered with a short hint.
PRIVATE_OTHER = (
    filters.UpdateType.MESSAGE & filters.ChatType.PRIVATE & ~filters.TEXT & ~filters.VIA_BOT
)
