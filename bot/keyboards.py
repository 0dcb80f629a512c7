"""Inline keyboards under answers and lists, and the callback_data scheme behind them.

Scheme (always within Telegram's 64 bytes; passage ids are 16 hex characters, document ids 8):
    ``p:<key>:<offset>``  show the page of the stored question ``key`` starting at ``offset``
    ``x:<passage id>``    show the passage amid its neighbours (ids are stable across reloads)
    ``f:<key>:+`` / ``-`` 👍 / 👎 on the answer journaled under ``key`` (journal enabled)
    ``l:<offset>``        show the /sources list from ``offset`` (edits it in place)
    ``s:<document id>``   ask the chat's next questions within that document; ``s:-`` clears
Anything else, or a key the store has forgotten, is an expired button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from retrieval import Answer, DocumentInfo, Scope

from . import texts
from .render import marker

CALLBACK_LIMIT: int = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA  # 64 bytes
CLEAR_SCOPE = "-"
SOURCES_PER_ROW = 5


@dataclass(frozen=True)
class StoredQuestion:
    """What a paging button needs to redo the search."""

    question: str
    per_page: int
    feedback: str | None = None  # the journal key of the answer: pages keep its vote buttons
    scope: Scope | None = None  # the chat's scope when asked: later pages keep it


@dataclass(frozen=True)
class PageButton:
    key: str
    offset: int


@dataclass(frozen=True)
class ContextButton:
    passage_id: str


@dataclass(frozen=True)
class FeedbackButton:
    key: str
    vote: int  # 1 or -1


@dataclass(frozen=True)
class SourcesButton:
    offset: int


@dataclass(frozen=True)
class ScopeButton:
    document_id: str | None  # None: clear the chat's scope


Button = PageButton | ContextButton | FeedbackButton | SourcesButton | ScopeButton
VOTE_SIGNS = {"+": 1, "-": -1}


def feedback_data(key: str, vote: int) -> str:
    return f"f:{key}:{'+' if vote > 0 else '-'}"


def page_data(key: str, offset: int) -> str:
    return f"p:{key}:{offset}"


def context_data(passage_id: str) -> str:
    return f"x:{passage_id}"


def sources_data(offset: int) -> str:
    return f"l:{offset}"


def scope_data(document_id: str | None) -> str:
    return f"s:{document_id or CLEAR_SCOPE}"


def _number(text: str) -> int | None:
    # isascii: not "²" or "٣", which isdigit() accepts and int() refuses
    return int(text) if text.isascii() and text.isdigit() else None


def parse(data: str | None) -> Button | None:
    """Decode callback_data; None for anything this bot did not produce."""
    if not data:
        return None
    kind, _, rest = data.partition(":")
    if not rest:
        return None
    if kind == "p":
        key, _, offset = rest.partition(":")
        number = _number(offset)
        return PageButton(key, number) if key and number is not None else None
    if kind == "x":
        return ContextButton(passage_id=rest)
    if kind == "f":
        key, _, sign = rest.rpartition(":")
        return FeedbackButton(key, VOTE_SIGNS[sign]) if key and sign in VOTE_SIGNS else None
    if kind == "l":
        number = _number(rest)
        return SourcesButton(number) if number is not None else None
    if kind == "s":
        return ScopeButton(None if rest == CLEAR_SCOPE else rest)
    return None


def more_label(*, group: bool) -> str:
    """Groups see "more results" (the page is short there); private chats a plain next page."""
    return "更多结果 ▶" if group else "下一页 ▶"


def clear_scope_row() -> list[InlineKeyboardButton]:
    return [InlineKeyboardButton(texts.CLEAR_SCOPE, callback_data=scope_data(None))]


def answer_keyboard(
    answer: Answer,
    *,
    key: str,
    offset: int,
    per_page: int,
    more_label: str = "下一页 ▶",
    feedback: str | None = None,
    scoped: bool = False,
) -> InlineKeyboardMarkup | None:
    """Context buttons (one per quote, numbered like the quotes), page buttons, 👍/👎 when
    the answer is journaled under the key ``feedback``, and "取消范围" when the chat asks
    within one document (``scoped``)."""
    rows: list[list[InlineKeyboardButton]] = []
    context = [
        InlineKeyboardButton(f"{marker(r.rank)} 上下文", callback_data=context_data(r.id))
        for r in answer.results
        if len(context_data(r.id).encode("utf-8")) <= CALLBACK_LIMIT
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
    if scoped:
        rows.append(clear_scope_row())
    return InlineKeyboardMarkup(rows) if rows else None


def passage_keyboard(passage_id: str) -> InlineKeyboardMarkup:
    """Under a quote opened by its link: its context."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("上下文", callback_data=context_data(passage_id))]]
    )


def sources_keyboard(
    documents: Sequence[DocumentInfo], *, offset: int, per_page: int
) -> InlineKeyboardMarkup | None:
    """A numbered button per listed document (ask within it), then paging."""
    rows: list[list[InlineKeyboardButton]] = []
    shown = list(enumerate(documents[offset:offset + per_page], offset + 1))
    usable = [(n, d) for n, d in shown if len(scope_data(d.id).encode("utf-8")) <= CALLBACK_LIMIT]
    for start in range(0, len(usable), SOURCES_PER_ROW):
        rows.append([
            InlineKeyboardButton(str(number), callback_data=scope_data(document.id))
            for number, document in usable[start:start + SOURCES_PER_ROW]
        ])
    paging: list[InlineKeyboardButton] = []
    if offset > 0:
        paging.append(InlineKeyboardButton(
            "◀ 上一页", callback_data=sources_data(max(0, offset - per_page))))
    if offset + per_page < len(documents):
        paging.append(InlineKeyboardButton(
            "下一页 ▶", callback_data=sources_data(offset + per_page)))
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows) if rows else None


def scope_keyboard() -> InlineKeyboardMarkup:
    """Under the note that a chat now asks within one document."""
    return InlineKeyboardMarkup([clear_scope_row()])
