"""Questions from every way of asking: private text, /ask, /start deep links, group mentions
and replies to the bot. All end in `answer_question`."""

from __future__ import annotations

import base64
import binascii
import time

from telegram import Message, MessageEntity, Update
from telegram.constants import InlineQueryResultsButtonLimit

from .. import keyboards, render, texts
from ..filters import strip_mention
from ..logs import log_answer
from ..state import BotContext
from .replies import in_group, reply

DEEP_LINK_PREFIX = "q_"


def deep_link_payload(question: str) -> str | None:
    """`q_<base64url>` for t.me/<bot>?start=...; None when the question is too long for it."""
    encoded = base64.urlsafe_b64encode(question.encode("utf-8")).decode("ascii").rstrip("=")
    payload = DEEP_LINK_PREFIX + encoded
    limit = InlineQueryResultsButtonLimit.MAX_START_PARAMETER_LENGTH  # 64, as for /start links
    return payload if len(payload) <= limit else None


def question_from_payload(payload: str) -> str | None:
    """Decode a `q_...` start payload; None if it is not one (or is not valid UTF-8)."""
    if not payload.startswith(DEEP_LINK_PREFIX):
        return None
    data = payload[len(DEEP_LINK_PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
        return raw.decode("utf-8").strip() or None
    except (binascii.Error, ValueError):
        return None


def command_argument(message: Message) -> str:
    """The text after a leading /command (spacing inside the question kept)."""
    text = message.text or ""
    entity = message.entities[0] if message.entities else None
    if entity and entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
        return text[entity.length :].strip()
    return text.partition(" ")[2].strip()


async def answer_question(message: Message, context: BotContext, question: str) -> None:
    """Search, render one page (or the no-answer text), reply, and record stats and a log line."""
    started = time.perf_counter()
    state = context.state
    settings = state.settings.answers
    question = question.strip()
    if not question:
        await reply(message, texts.ASK_USAGE)
        return
    if len(question) > settings.question_max_chars:
        await reply(message, texts.QUESTION_TOO_LONG.format(limit=settings.question_max_chars))
        return
    group = in_group(message)
    per_page = settings.group if group else settings.private
    answer = await state.engines.ask(question, per_page, 0)
    feedback = None
    if answer.answered and answer.results:
        feedback = state.journal.new_key() if state.journal else None  # 👍/👎 buttons
        key = state.questions.put(keyboards.StoredQuestion(question, per_page, feedback))
        text = render.answer_page(answer, offset=0, expandable_over=settings.expandable_over)
        markup = keyboards.answer_keyboard(
            answer,
            key=key,
            offset=0,
            per_page=per_page,
            long_ids=state.long_ids,
            more_label=keyboards.more_label(group=group),
            feedback=feedback,
        )
    else:
        text, markup = render.no_answer(question), None
    await reply(message, text, markup=markup)
    latency_ms = (time.perf_counter() - started) * 1000
    answered = answer.answered and bool(answer.results)
    state.stats.record(answered=answered, latency_ms=latency_ms)
    log_answer(
        kind="question",
        chat=message.chat.type,
        latency_ms=latency_ms,
        results=len(answer.results) if answered else 0,
        answered=answered,
        more=answer.more,
        text=question if state.settings.log_text else None,
    )
    if state.journal:
        await state.journal.record_question(
            key=feedback, chat_type=message.chat.type, text=question, answered=answered,
            results=len(answer.results) if answered else 0, latency_ms=latency_ms,
        )


async def private_question(update: Update, context: BotContext) -> None:
    """Private chat: any text is a question."""
    message = update.effective_message
    assert message is not None
    await answer_question(message, context, message.text or "")


async def group_reply(update: Update, context: BotContext) -> None:
    """Group: a reply to one of the bot's messages is a follow-up question."""
    message = update.effective_message
    assert message is not None
    await answer_question(message, context, message.text or "")


async def group_mention(update: Update, context: BotContext) -> None:
    """Group: `@bot 问题` (delivered when privacy mode is off or the bot is an admin)."""
    message = update.effective_message
    assert message is not None
    question = strip_mention(message.text or "", context.bot.username)
    await answer_question(message, context, question)


async def ask_command(update: Update, context: BotContext) -> None:
    """/ask 问题 and /ask@bot 问题, in any chat."""
    message = update.effective_message
    assert message is not None
    await answer_question(message, context, command_argument(message))


async def start_command(update: Update, context: BotContext) -> None:
    """/start greets with the help; /start q_<base64url> asks the encoded question."""
    message = update.effective_message
    assert message is not None
    question = question_from_payload(context.args[0]) if context.args else None
    if question:
        await answer_question(message, context, question)
        return
    user = update.effective_user
    first_name = user.first_name if user else ""
    await reply(message, texts.start_text(first_name, context.bot.username))
