"""Inline mode: `@bot 关键词` in any chat lists quotes; choosing one sends quote and source."""

from __future__ import annotations

import hashlib
import time

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.constants import InlineQueryLimit

from .. import render, texts
from ..logs import log_answer
from ..state import BotContext

CACHE_SECONDS = 60  # short: /reload should show up in inline results soon
HELP_START_PARAMETER = "help"
RESULT_ID_LIMIT = 64  # bytes, Telegram's limit for InlineQueryResult.id


def _result_id(passage_id: str) -> str:
    if len(passage_id.encode("utf-8")) <= RESULT_ID_LIMIT:
        return passage_id
    return hashlib.sha256(passage_id.encode("utf-8")).hexdigest()[:RESULT_ID_LIMIT]


def _hint(bot_username: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id="hint",
        title=texts.INLINE_HINT_TITLE,
        description=texts.INLINE_HINT_DESCRIPTION,
        input_message_content=InputTextMessageContent(texts.help_text(bot_username)),
    )


def _nothing(question: str) -> InlineQueryResultArticle:
    return InlineQueryResultArticle(
        id="nothing",
        title=texts.INLINE_NOTHING_TITLE,
        description=texts.INLINE_NOTHING_DESCRIPTION,
        input_message_content=InputTextMessageContent(render.no_answer(question)),
    )


async def inline_query(update: Update, context: BotContext) -> None:
    query = update.inline_query
    assert query is not None
    state = context.state
    settings = state.settings
    personal = settings.access.restricted
    question = " ".join(query.query.split())
    button = InlineQueryResultsButton(
        text=texts.INLINE_BUTTON, start_parameter=HELP_START_PARAMETER
    )
    if not question:
        await query.answer(
            [_hint(context.bot.username)], button=button, cache_time=CACHE_SECONDS,
            is_personal=personal,
        )
        return
    started = time.perf_counter()
    question = question[: settings.answers.question_max_chars]
    offset = int(query.offset) if query.offset.isascii() and query.offset.isdigit() else 0
    per_page = min(settings.answers.inline, InlineQueryLimit.RESULTS)
    answer = await state.engines.ask(question, per_page, offset)
    answered = answer.answered and bool(answer.results)
    # No more pages: leave next_offset out. Never "": with Defaults set, PTB 22.8 turns an
    # empty string into "[]" (its InputPollOption handling), which clients would page forever.
    next_offset: str | None
    if answered:
        results = [
            InlineQueryResultArticle(
                id=_result_id(result.id),
                title=render.short_source(result.source),
                description=render.preview(result.quote),
                input_message_content=InputTextMessageContent(
                    render.result_message(
                        result, expandable_over=settings.answers.expandable_over
                    )
                ),
            )
            for result in answer.results
        ]
        next_offset = str(offset + len(results)) if answer.more else None
    else:
        results = [_nothing(question)] if offset == 0 else []
        next_offset = None
    await query.answer(
        results,
        next_offset=next_offset,
        cache_time=CACHE_SECONDS,
        is_personal=personal,
        button=button if offset == 0 else None,
    )
    latency_ms = (time.perf_counter() - started) * 1000
    if offset == 0:
        state.stats.record(answered=answered, latency_ms=latency_ms)
    log_answer(
        kind="inline",
        chat=query.chat_type or "unknown",
        latency_ms=latency_ms,
        results=len(answer.results) if answered else 0,
        answered=answered,
        more=answer.more,
        text=question if settings.log_text else None,
    )
