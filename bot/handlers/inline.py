"""Inline mode: `@bot 关键词` in any chat lists quotes; choosing one sends quote and source."""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import InlineQueryLimit

from retrieval import Answer

from .. import render, texts
from ..asking import Asking, Kind, ask_and_record, clean_question, shown
from ..state import BotContext

CACHE_SECONDS = 60  # short: /reload should show up in inline results soon
HELP_START_PARAMETER = "help"


def _hint(bot_username: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id="hint",
        title=texts.INLINE_HINT_TITLE,
        description=texts.INLINE_HINT_DESCRIPTION,
        input_message_content=InputTextMessageContent(texts.help_text(bot_username)),
    )


def _nothing(answer: Answer) -> InlineQueryResultArticle:
    """The first item when nothing answers: what the bot says why, and, when the closest
    passages follow it in the list, the heading that tells them apart from answers."""
    why = texts.no_answer_text(answer.reason, answer.note)
    return InlineQueryResultArticle(
        id="nothing",
        title=render.CLOSEST_HEADING if answer.results else texts.INLINE_NOTHING_TITLE,
        description=render.preview(why),
        input_message_content=InputTextMessageContent(render.no_answer(answer, why)),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    """Filters typed in the query (年:2019 地:四川 …) work as in a chat; there is no chat
    scope here, since an inline query belongs to no conversation with the bot."""
    query = update.inline_query
    assert query is not None
    state = context.state
    settings = state.settings
    personal = settings.access.restricted
    question = clean_question(query.query)[: settings.answers.question_max_chars]
    button = InlineQueryResultsButton(
        text=texts.INLINE_BUTTON, start_parameter=HELP_START_PARAMETER
    )
    if not question:
        await query.answer(
            [_hint(context.bot.username)], button=button, cache_time=CACHE_SECONDS,
            is_personal=personal,
        )
        return
    offset = int(query.offset) if query.offset.isascii() and query.offset.isdigit() else 0
    per_page = min(settings.answers.inline, InlineQueryLimit.RESULTS)
    request = Asking(kind=Kind.INLINE, chat=query.chat_type or "unknown", question=question,
                     k=per_page, offset=offset)

    async def deliver(answer: Answer) -> None:
        # No more pages: leave next_offset out. Never "": with Defaults set, PTB 22.8 turns an
        # empty string into "[]" (its InputPollOption handling), which clients would page
        # forever.
        next_offset: str | None = None
        if answer.results:  # answers, or the closest passages after a heading item
            heading = [] if shown(answer) or offset else [_nothing(answer)]
            quotes = [
                InlineQueryResultArticle(
                    id=result.id,  # 16 hex characters: within Telegram's 64 bytes
                    title=render.short_source(result.source),
                    description=render.preview(result.quote),
                    input_message_content=InputTextMessageContent(
                        render.result_message(
                            result, expandable_over=settings.answers.expandable_over,
                            bot_username=context.bot.username,
                        )
                    ),
                )
                for result in answer.results
            ][: per_page - len(heading)]
            results = heading + quotes
            more = answer.more or len(quotes) < len(answer.results)
            next_offset = str(offset + len(quotes)) if more else None
        else:
            results = [_nothing(answer)] if offset == 0 else []
        await query.answer(
            results,
            next_offset=next_offset,
            cache_time=CACHE_SECONDS,
            is_personal=personal,
            button=button if offset == 0 else None,
        )

    await ask_and_record(state, request, deliver)
