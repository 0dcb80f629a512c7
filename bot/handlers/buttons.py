"""Buttons under answers and lists: next/previous page (edits in place), a passage's context,
the /sources list's pages, and asking within one document (or no longer)."""

from __future__ import annotations

from telegram import CallbackQuery, Message, ReplyParameters, Update

from retrieval import Answer

from .. import keyboards, render, texts
from ..asking import Asking, Kind, ask_and_record
from ..keyboards import ContextButton, PageButton, ScopeButton, SourcesButton
from ..state import BotContext, ChatScope
from .replies import acknowledge, edit_in_place, in_group, reply, send_html

PAGE_PATTERN = r"^p:"
CONTEXT_PATTERN = r"^x:"
SOURCES_PATTERN = r"^l:"
SCOPE_PATTERN = r"^s:"
SOURCES_PER_PAGE = 10  # documents per /sources page: ten numbered buttons in two rows


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
    message = query.message
    request = Asking(kind=Kind.PAGE, chat=message.chat.type, question=stored.question,
                     k=stored.per_page, offset=button.offset, scope=stored.scope)

    async def deliver(answer: Answer) -> None:
        if not answer.results:
            await query.answer(texts.NO_MORE_RESULTS, show_alert=True)
            return
        text = render.answer_page(
            answer, offset=button.offset,
            expandable_over=state.settings.answers.expandable_over,
            bot_username=context.bot.username,
        )
        markup = keyboards.answer_keyboard(
            answer, key=button.key, offset=button.offset, per_page=stored.per_page,
            more_label=keyboards.more_label(group=in_group(message)),
            feedback=stored.feedback, scoped=stored.scope is not None,
        )
        await edit_in_place(query, text, markup)
        await acknowledge(query)

    await ask_and_record(state, request, deliver)


async def context_button(update: Update, context: BotContext) -> None:
    """Send the passage amid its neighbours as a new message under the answer."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    state = context.state
    if not isinstance(button, ContextButton) or query.message is None:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    answers = state.settings.answers
    passages = await state.engines.neighbours(
        button.passage_id, answers.context_before, answers.context_after
    )
    if not passages:
        await query.answer(texts.PASSAGE_GONE, show_alert=True)
        return
    await acknowledge(query)
    messages = render.context_messages(
        passages, button.passage_id, expandable_over=answers.expandable_over
    )
    await _send_under(query, messages)


async def sources_button(update: Update, context: BotContext) -> None:
    """Another page of the /sources list, edited in place."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    if not isinstance(button, SourcesButton) or query.message is None:
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    documents = context.state.engines.documents()
    offset = min(button.offset, max(0, len(documents) - 1))
    text = render.sources_page(documents, offset=offset, per_page=SOURCES_PER_PAGE)
    markup = keyboards.sources_keyboard(documents, offset=offset, per_page=SOURCES_PER_PAGE)
    await edit_in_place(query, text, markup)
    await acknowledge(query)


async def scope_button(update: Update, context: BotContext) -> None:
    """A document's number under /sources: this chat's next questions are asked within it.
    "取消范围": they are asked of every document again."""
    query = update.callback_query
    assert query is not None
    button = keyboards.parse(query.data)
    message = query.message
    if not isinstance(button, ScopeButton) or not isinstance(message, Message):
        await query.answer(texts.BUTTON_EXPIRED, show_alert=True)
        return
    scopes = context.state.chat_scopes
    chat = str(message.chat_id)
    if button.document_id is None:
        cleared = scopes.pop(chat)
        await query.answer(texts.SCOPE_CLEARED if cleared else texts.SCOPE_ALREADY_CLEAR)
        return
    document = context.state.engines.document(button.document_id)
    if document is None:
        await query.answer(texts.DOCUMENT_GONE, show_alert=True)
        return
    scopes.set(chat, ChatScope(document.id, document.title or document.file))
    await acknowledge(query)
    await reply(message, render.scope_set(document), markup=keyboards.scope_keyboard(),
                quote=False)


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
