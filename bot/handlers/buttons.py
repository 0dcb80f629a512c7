"""Buttons under answers: next/previous page (edits in place) and a passage's context."""

from __future__ import annotations

import time

from telegram import CallbackQuery, Message, ReplyParameters, Update
from telegram.error import BadRequest

from .. import keyboards, render, texts
from ..keyboards import ContextButton, PageButton
from ..logs import log_answer
from ..state import BotContext
from .replies import acknowledge, in_group, is_not_modified, send_html

PAGE_PATTERN = r"^p:"
CONTEXT_PATTERN = r"^x[:~]"


async def page_button(update: Update, context: BotContext) -> None:
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    state = context.state
    stored = state.questions.get(button.key) if isinstance(button, PageButton) else None
    if stored is None or not isinstance(query.message, Message):
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    assert isinstance(button, PageButton)
    started = time.perf_counter()
    answer = await state.engines.ask(stored.question, stored.per_page, button.offset)
    if not answer.results:
        await query.answer(texts.NO_MORE_RESULTS, show_alert=True)
        return
    text = render.answer_page(
        answer, offset=button.offset, expandable_over=state.settings.answers.expandable_over
    )
    markup = keyboards.answer_keyboard(
        answer,
        key=button.key,
        offset=button.offset,
        per_page=stored.per_page,
        long_ids=state.long_ids,
        more_label=keyboards.more_label(group=in_group(query.message)),
        feedback=stored.feedback,
    )
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as error:
        if not is_not_modified(error):
            raise
    await acknowledge(query)
    log_answer(
        kind="page",
        chat=query.message.chat.type,
        latency_ms=(time.perf_counter() - started) * 1000,
        results=len(answer.results),
        answered=answer.answered,
        more=answer.more,
        text=stored.question if state.settings.log_text else None,
    )


async def context_button(update: Update, context: BotContext) -> None:
    """Send the passage amid its neighbours as a new message under the answer."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    state = context.state
    passage_id = _passage_id(button, context)
    if passage_id is None or query.message is None:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    answers = state.settings.answers
    passages = await state.engines.neighbours(
        passage_id, answers.context_before, answers.context_after
    )
    if not passages:
        await query.answer(texts.PASSAGE_GONE, show_alert=True)
        return
    await acknowledge(query)
    messages = render.context_messages(
        passages, passage_id, expandable_over=answers.expandable_over
    )
    await _send_under(query, messages)


def _passage_id(button: object, context: BotContext) -> str | None:
    if not isinstance(button, ContextButton):
        return None
    if button.passage_id is not None:
        return button.passage_id
    return context.state.long_ids.get(button.key or "")


async def _send_under(query: CallbackQuery, messages: list[str]) -> None:
    assert query.message is not None
    anchor = query.message
    thread = (
        anchor.message_thread_id
        if isinstance(anchor, Message) and anchor.is_topic_message
        else None
    )
    for number, text in enumerate(messages):
        parameters = (
            ReplyParameters(message_id=anchor.message_id, allow_sending_without_reply=True)
            if number == 0
            else None
        )
        await send_html(
            query.get_bot(),
            chat_id=anchor.chat.id,
            text=text,
            reply_parameters=parameters,
            message_thread_id=thread,
        )


async def expired_button(update: Update, context: BotContext) -> None:
    """Any callback_data this bot does not recognise (old versions, forged): a short alert."""
    query = update.callback_query
    assert query is not None
    await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
