"""Questions from every way of asking: private text, /ask, /start deep links, group mentions
and replies to the bot. All end in `answer_question`; `/start p_<id>` opens one quote."""

from __future__ import annotations

import base64
import binascii

from telegram import Message, MessageEntity, Update
from telegram.constants import InlineQueryResultsButtonLimit

from retrieval import Answer, Scope

from .. import keyboards, render, texts
from ..asking import Asking, Kind, ask_and_record, clean_question, feedback_key, shown
from ..filters import strip_mention
from ..state import BotContext, BotState
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


def chat_scope(state: BotState, chat_id: int) -> Scope | None:
    """The document this chat chose under /sources, as a scope for its questions."""
    chosen = state.chat_scopes.get(str(chat_id))
    return Scope(documents=(chosen.document_id,)) if chosen else None


async def answer_question(message: Message, context: BotContext, text: str) -> None:
    """Search, reply with one page (or why nothing answers), and record it (bot/asking.py)."""
    state = context.state
    settings = state.settings.answers
    question = clean_question(text)
    if not question:
        await reply(message, texts.ASK_USAGE)
        return
    if len(question) > settings.question_max_chars:
        await reply(message, texts.QUESTION_TOO_LONG.format(limit=settings.question_max_chars))
        return
    group = in_group(message)
    per_page = settings.group if group else settings.private
    scope = chat_scope(state, message.chat_id)
    request = Asking(kind=Kind.QUESTION, chat=message.chat.type, question=question, k=per_page,
                     scope=scope, feedback=feedback_key(state))

    async def deliver(answer: Answer) -> None:
        if not answer.results:
            markup = keyboards.scope_keyboard() if scope else None
            why = texts.no_answer_text(answer.reason, answer.note)
            await reply(message, render.no_answer(answer, why), markup=markup)
            return
        # Answered, or the closest passages under a heading that says none answers directly.
        key = state.questions.put(
            keyboards.StoredQuestion(question, per_page, request.feedback, scope))
        more = keyboards.more_label(group=group)
        page = render.answer_page(answer, offset=0, expandable_over=settings.expandable_over,
                                  bot_username=context.bot.username, more_label=more)
        markup = keyboards.answer_keyboard(
            answer, key=key, offset=0, per_page=per_page, more_label=more,
            feedback=request.feedback if shown(answer) else None, scoped=scope is not None,
        )
        await reply(message, page, markup=markup)

    await ask_and_record(state, request, deliver)


async def open_passage(message: Message, context: BotContext, passage_id: str) -> None:
    """`/start p_<id>`: the quote a share link points at, with its source and context."""
    state = context.state
    found = await state.engines.passage(passage_id)
    if found is None:
        await reply(message, texts.PASSAGE_NOT_FOUND)
        return
    passage, document = found
    text = render.passage_message(
        passage, document, expandable_over=state.settings.answers.expandable_over,
        bot_username=context.bot.username,
    )
    await reply(message, text, markup=keyboards.passage_keyboard(passage.id))


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
    """/start greets with the help; /start q_<base64url> asks the encoded question and
    /start p_<passage id> opens that quote (the share link under every answer)."""
    message = update.effective_message
    assert message is not None
    payload = context.args[0] if context.args else ""
    passage_id = render.passage_id_from_payload(payload)
    if passage_id is not None:
        await open_passage(message, context, passage_id)
        return
    question = question_from_payload(payload)
    if question:
        await answer_question(message, context, question)
        return
    user = update.effective_user
    first_name = user.first_name if user else ""
    await reply(message, texts.start_text(first_name, context.bot.username))
