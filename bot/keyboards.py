"""Inline keyboards under answers, and the callback_data scheme behind them.

Scheme (always within Telegram's 64 bytes):
    ``p:<key>:<offset>``  show the page of the stored question ``key`` starting at ``offset``
    ``x:<passage id>``    show the passage amid its neighbours (ids are stable across reloads)
    ``x~<key>``           the same, when a passage id is too long to carry: ``key`` names it
    ``f:<key>:+`` / ``-`` 👍 / 👎 on the answer journaled under ``key`` (journal enabled)
Anything else, or a key the store has forgotten, is an expired button.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from retrieval import Answer

from . import texts
from .render import marker
from .store import RecentStore

CALLBACK_LIMIT: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes


@dataclass(frozen=True)
class StoredQuestion:
    """What a paging button needs to redo the search."""

    question: str
    per_page: int
    feedback: str | None = None  # the journal key of the answer: pages keep its vote buttons


@dataclass(frozen=True)
class PageButton:
    key: str
    offset: int


@dataclass(frozen=True)
class ContextButton:
    passage_id: str | None  # None: carried by `key` in the passage store
    key: str | None = None


@dataclass(frozen=True)
class FeedbackButton:
    key: str
    vote: int  # 1 or -1


VOTE_SIGNS = {"+": 1, "-": -1}


def feedback_data(key: str, vote: int) -> str:
    return f"f:{key}:{'+' if vote > 0 else '-'}"


def page_data(key: str, offset: int) -> str:
    return f"p:{key}:{offset}"


def context_data(passage_id: str, long_ids: RecentStore[str]) -> str:
    data = f"x:{passage_id}"
    if len(data.encode("utf-8")) <= CALLBACK_LIMIT:
        return data
    return f"x~{long_ids.put(passage_id)}"


def parse(data: str | None) -> PageButton | ContextButton | FeedbackButton | None:
    """Decode callback_data; None for anything this bot did not produce."""
    if not data:
        return None
    if data.startswith("p:"):
        key, _, offset = data[2:].partition(":")
        if key and offset.isascii() and offset.isdigit():  # not "²" or "٣", which int() refuses
            return PageButton(key, int(offset))
        return None
    if data.startswith("x:") and len(data) > 2:
        return ContextButton(passage_id=data[2:])
    if data.startswith("x~") and len(data) > 2:
        return ContextButton(passage_id=None, key=data[2:])
    if data.startswith("f:"):
        key, _, sign = data[2:].rpartition(":")
        if key and sign in VOTE_SIGNS:
            return FeedbackButton(key, VOTE_SIGNS[sign])
    return None


def more_label(*, group: bool) -> str:
    """Groups see "more results" (the page is short there); private chats a plain next page."""
    return "更多结果 ▶" if group else "下一页 ▶"


def answer_keyboard(
    answer: Answer,
    *,
    key: str,
    offset: int,
    per_page: int,
    long_ids: RecentStore[str],
    more_label: str = "下一页 ▶",
    feedback: str | None = None,
) -> InlineKeyboardMarkup | None:
    """Context buttons (one per quote, numbered like the quotes), page buttons, and 👍/👎
    when the answer is journaled under the key ``feedback``."""
    rows: list[list[InlineKeyboardButton]] = []
    context = [
        InlineKeyboardButton(
            f"{marker(r.rank)} 上下文", callback_data=context_data(r.id, long_ids)
        )
        for r in answer.results
    ]
    if context:
        rows.append(context)
    paging: list[InlineKeyboardButton] = []
    if offset > 0:
        previous = max(0, offset - per_page)
        paging.append(InlineKeyboardButton("◀ 上一页", callback_data=page_data(key, previous)))
    if answer.more:
        paging.append(
            InlineKeyboardButton(more_label, callback_data=page_data(key, offset + per_page))
        )
    if paging:
        rows.append(paging)
    if feedback:
        rows.append([
            InlineKeyboardButton(texts.FEEDBACK_UP, callback_data=feedback_data(feedback, 1)),
            InlineKeyboardButton(texts.FEEDBACK_DOWN, callback_data=feedback_data(feedback, -1)),
        ])
    return InlineKeyboardMarkup(rows) if rows else None
