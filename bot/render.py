"""Answers, contexts and lists as Telegram HTML that always parses and always fits.

Everything from the corpus or a user goes through ``escape`` (which also mends invalid Unicode,
such as lone surrogates); the only tags are the ones written here (<b>, <blockquote>,
<blockquote expandable>). Telegram measures a message after parsing its entities, in UTF-16 code
units, so budgets are computed on the visible text, and quotes are shortened (never split
mid-tag) until the whole message is within the limit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence

from telegram.constants import MessageLimit

from retrieval import Answer, Passage, Result, Source, SpeechInfo

MESSAGE_LIMIT: int = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after entity parsing
ELLIPSIS = "……"
SEPARATOR = "\n\n"
# Telegram shows at most 100 entities per message and silently drops the rest.
MAX_BOLD_PER_QUOTE = 20
# Headers and source lines are capped so a freak title or question cannot crowd out quotes.
QUESTION_MAX_UNITS = 120
SOURCE_MAX_UNITS = 200
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_TAG = re.compile(r"<[^>]*>")


def well_formed(text: str) -> str:
    """``text`` as valid Unicode: a surrogate pair split into two code points (as slicing at
    UTF-16 offsets leaves it) is joined again and a lone half becomes U+FFFD. Such text cannot
    be encoded as UTF-8, so neither sent to Telegram nor searched."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def utf16_units(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (emoji and rare CJK count 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """User or corpus text as HTML text: markup characters escaped, invalid Unicode mended."""
    return html.escape(well_formed(text), quote=False)


def visible_text(markup: str) -> str:
    """The text Telegram shows for our HTML: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", markup))


def visible_units(markup: str) -> int:
    return utf16_units(visible_text(markup))


def marker(rank: int) -> str:
    """①, ②, ... tie a quote to its buttons; plain numbers past ⑳."""
    return _CIRCLED[rank - 1] if 1 <= rank <= len(_CIRCLED) else f"({rank})"


def merge_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clamp spans to the text, drop empty ones, merge overlapping and touching ones.

    Touching spans become one bold run so Telegram gets one entity, not two abutting ones.
    """
    clamped = sorted(
        (max(0, start), min(length, end))
        for start, end in spans
        if min(length, end) > max(0, start)
    )
    merged: list[tuple[int, int]] = []
    for start, end in clamped:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def highlight(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap the [start, end) spans (offsets into the raw text) in <b>."""
    parts: list[str] = []
    cursor = 0
    for start, end in merge_spans(spans, len(text))[:MAX_BOLD_PER_QUOTE]:
        parts.append(escape(text[cursor:start]))
        parts.append(f"<b>{escape(text[start:end])}</b>")
        cursor = end
    parts.append(escape(text[cursor:]))
    return "".join(parts)


def shorten(
    text: str, spans: Sequence[tuple[int, int]], max_units: int
) -> tuple[str, list[tuple[int, int]]]:
    """Cut ``text`` to at most ``max_units`` (ellipsis included), keeping spans that survive."""
    if utf16_units(text) <= max_units:
        return text, list(spans)
    if max_units < utf16_units(ELLIPSIS):
        return "", []
    cut = _cut_point(text, max_units - utf16_units(ELLIPSIS))
    kept = [(start, min(end, cut)) for start, end in spans if start < cut]
    return text[:cut].rstrip() + ELLIPSIS, kept


def _cut_point(text: str, max_units: int) -> int:
    """Where to cut ``text`` so its head fits ``max_units``: a sentence end (else a comma)
    close to the limit when there is one, else the limit itself (never inside a surrogate
    pair)."""
    cut, used = 0, 0
    for char in text:
        size = utf16_units(char)
        if used + size > max_units:
            break
        used += size
        cut += 1
    if cut == len(text):
        return cut
    start = max(0, cut - 40)
    window = text[start:cut]
    for marks in ("。！？；;!?", "，,、："):
        boundary = max(window.rfind(mark) for mark in marks)
        if boundary >= 0:
            return start + boundary + 1
    return cut


def chunks(text: str, max_units: int) -> list[str]:
    """Split ``text`` into pieces of at most ``max_units``, at sentence ends where possible."""
    pieces: list[str] = []
    while text:
        cut = max(1, _cut_point(text, max_units))
        pieces.append(text[:cut])
        text = text[cut:]
    return pieces


def quote(
    text: str, spans: Sequence[tuple[int, int]], *, expandable_over: int, max_units: int
) -> str:
    """One <blockquote> with highlighted terms; folded when long, shortened to fit.

    Empty when nothing fits: an empty entity is worse than none.
    """
    text, spans = shorten(text, spans, max_units)
    if not text:
        return ""
    tag = "blockquote expandable" if len(text) > expandable_over else "blockquote"
    return f"<{tag}>{highlight(text, spans)}</blockquote>"


def source_text(source: Source) -> str:
    """`title · section · 第N段`, the section left out before the first heading."""
    parts = [source.title.strip() or source.file, source.section.strip(), f"第{source.position}段"]
    return " · ".join(part for part in parts if part)


def short_source(source: Source, *, title_chars: int = 24, section_chars: int = 16) -> str:
    """A compact source for tight spots (inline result titles): the position always survives;
    the title and the innermost heading are cut to fit."""
    leaf = source.section.rsplit("›", 1)[-1].strip()
    parts = [
        preview(source.title.strip() or source.file, title_chars),
        preview(leaf, section_chars) if leaf else "",
        f"第{source.position}段",
    ]
    return " · ".join(part for part in parts if part)


def source_line(
    source: Source, rank: int | None = None, *, max_units: int = SOURCE_MAX_UNITS
) -> str:
    line, _ = shorten(source_text(source), (), max_units)
    prefix = f"{marker(rank)} " if rank is not None else ""
    return prefix + escape(line)


def answer_page(
    answer: Answer,
    *,
    offset: int,
    expandable_over: int,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """An answer page: the question, then each quote followed by its numbered source line.

    Quotes share what the header and source lines leave of ``limit``; a short quote takes only
    what it needs, so one long passage is shortened instead of the whole page failing. Should
    even the source lines not fit, they are shortened too, until the page fits.
    """
    source_cap = SOURCE_MAX_UNITS
    while True:
        page = _answer_page(answer, offset, expandable_over, limit, source_cap)
        if visible_units(page) <= limit or source_cap <= 1:
            return page
        source_cap //= 2


def _answer_page(
    answer: Answer, offset: int, expandable_over: int, limit: int, source_cap: int
) -> str:
    results = answer.results
    question, _ = shorten(answer.query.strip(), (), min(QUESTION_MAX_UNITS, limit // 8))
    first, last = offset + 1, offset + len(results)
    where = f"第 {first} 条" if first == last else f"第 {first}–{last} 条"
    header = (
        f"🔎 <b>{escape(question)}</b>\n" if question else ""
    ) + f"以下是相关原文（{where}）："
    sources = [source_line(r.source, r.rank, max_units=source_cap) for r in results]
    fixed = visible_units(header) + sum(visible_units(s) + 1 for s in sources)
    fixed += utf16_units(SEPARATOR) * len(results)
    budgets = share([utf16_units(r.quote) for r in results], max(0, limit - fixed))
    blocks = [header]
    for result, source, budget in zip(results, sources, budgets, strict=True):
        body = quote(
            result.quote, result.spans, expandable_over=expandable_over, max_units=budget
        )
        blocks.append(f"{body}\n{source}" if body else source)
    return SEPARATOR.join(blocks)


def share(needs: Sequence[int], budget: int) -> list[int]:
    """Split ``budget`` so small needs are met in full and the big ones share the rest evenly."""
    grants = [0] * len(needs)
    pending = sorted(range(len(needs)), key=lambda i: needs[i])
    left = budget
    while pending:
        fair = left // len(pending)
        index = pending.pop(0)
        grants[index] = max(0, min(needs[index], fair))
        left -= grants[index]
    return grants


def no_answer(question: str) -> str:
    """Plain Chinese: nothing answers, and what to try instead. No noisy best guesses."""
    shown, _ = shorten(question.strip(), (), QUESTION_MAX_UNITS)
    return (
        f"没有找到能回答“{escape(shown)}”的讲话原文。\n\n"
        "可以试试：\n"
        "• 少用几个词，只留关键词，如“课后服务”\n"
        "• 换成讲话里常用的说法，如“双减”“立德树人”\n"
        "• 发送 /sources 看看收录了哪些讲话"
    )


def result_message(result: Result, *, expandable_over: int, limit: int = MESSAGE_LIMIT) -> str:
    """One quote and its source, formatted as in a private answer (for inline results)."""
    source = source_line(result.source)
    room = limit - visible_units(source) - 1
    body = quote(result.quote, result.spans, expandable_over=expandable_over, max_units=room)
    return f"{body}\n{source}"


def context_messages(
    passages: Sequence[Passage],
    target_id: str,
    *,
    expandable_over: int,
    limit: int = MESSAGE_LIMIT,
) -> list[str]:
    """The quoted passage amid its neighbours, split over messages when it will not fit one.

    The quoted passage is the plain <blockquote>; neighbours are folded quotes, each under a
    `第N段` label (with the section when it changes). A passage longer than a message is
    continued in the next one, so the context is always complete.
    """
    if not passages:
        return []
    title, _ = shorten(passages[0].title or passages[0].file, (), SOURCE_MAX_UNITS)
    header = f"📖 <b>上下文</b> · {escape(title)}"
    blocks: list[str] = []
    section = None
    for passage in passages:
        label = f"第{passage.position}段"
        if passage.section != section and passage.section:
            label += f" · {shorten(passage.section, (), SOURCE_MAX_UNITS)[0]}"
        section = passage.section
        is_target = passage.id == target_id
        label_html = f"<b>{escape(label)}</b>"
        if is_target:
            label_html += "（所引段落）"
        fold_over = MESSAGE_LIMIT if is_target else expandable_over
        room = limit - visible_units(header) - visible_units(label_html) - 8 - 2 * len(SEPARATOR)
        for number, piece in enumerate(chunks(well_formed(passage.text), room)):
            piece_label = label_html if number == 0 else f"{label_html}（续）"
            body = quote(piece, (), expandable_over=fold_over, max_units=room)
            blocks.append(f"{piece_label}\n{body}")
    return pack([header, *blocks], limit)


def sources_messages(speeches: Sequence[SpeechInfo], *, limit: int = MESSAGE_LIMIT) -> list[str]:
    """The indexed speeches with their passage counts, as many messages as needed."""
    if not speeches:
        return ["还没有收录任何讲话。"]
    total = sum(s.passages for s in speeches)
    lines = [f"📚 <b>收录的讲话</b>（{len(speeches)} 篇，共 {total} 段）"]
    for number, speech in enumerate(speeches, 1):
        facts = [str(speech.year) if speech.year else "", speech.level or ""]
        detail = " · ".join(f for f in facts if f)
        title, _ = shorten(speech.title or speech.file, (), SOURCE_MAX_UNITS)
        line = f"{number}. {escape(title)}"
        if detail:
            line += f"（{escape(detail)}）"
        lines.append(f"{line} — {speech.passages} 段")
    return pack(lines, limit, separator="\n")


def pack(
    blocks: Sequence[str], limit: int = MESSAGE_LIMIT, separator: str = SEPARATOR
) -> list[str]:
    """Join blocks into as few messages as fit ``limit``; each block must fit on its own."""
    messages: list[str] = []
    current: list[str] = []
    used = 0
    for block in blocks:
        size = visible_units(block)
        extra = size + (utf16_units(separator) if current else 0)
        if current and used + extra > limit:
            messages.append(separator.join(current))
            current, used = [], 0
            extra = size
        current.append(block)
        used += extra
    if current:
        messages.append(separator.join(current))
    return messages


def preview(text: str, max_chars: int = 60) -> str:
    """The first words of a quote, one line, for inline result descriptions (plain text)."""
    flat = " ".join(well_formed(text).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"
