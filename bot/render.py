"""Answers, contexts and lists as Telegram HTML that always parses and always fits.

Everything from the corpus or a user goes through ``escape`` (which also mends invalid Unicode,
such as lone surrogates); the only tags are the ones written here (<b>, <blockquote>,
<blockquote expandable>, and <a href> for a quote's share link). Telegram measures a message
after parsing its entities, in UTF-16 code units, so budgets are computed on the visible text,
and quotes are shortened (never split mid-tag) until the whole message is within the limit.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from telegram.constants import MessageLimit

from retrieval import Answer, DocumentInfo, Passage, Result, Source

MESSAGE_LIMIT: int = MessageLimit.MAX_TEXT_LENGTH  # 4096, counted after entity parsing
ELLIPSIS = "……"
SEPARATOR = "\n\n"
# Telegram shows at most 100 entities per message and silently drops the rest.
MAX_BOLD_PER_QUOTE = 20
# Headers and source lines are capped so a freak title or question cannot crowd out quotes.
QUESTION_MAX_UNITS = 120
SOURCE_MAX_UNITS = 200
FACT_MAX_UNITS = 200  # a scope note, phrase count or missing-words line
# /start p_<passage id> opens one quote; t.me start parameters allow only these characters.
PASSAGE_PREFIX = "p_"
START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
# Plain-text marks for matched words (terminal, pipes): pairs the corpus is unlikely to use,
# and of these the first that the quote itself does not hold, so marks never collide with it.
PLAIN_MARKS = (("«", "»"), ("〖", "〗"), ("⟦", "⟧"), ("⁅", "⁆"))
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


def code(text: str) -> str:
    """A file name or id as HTML monospace, escaped."""
    return f"<code>{escape(text)}</code>"


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


def source_text(source: Source, also_in: int = 0) -> str:
    """`《标题》 · 章节 · 第3段 · 第2页 · 2026-02-03 · 另见于 N 篇`: what is known, in that order
    (the section left out before the first heading, page and date where the document has them)."""
    title = source.title.strip()
    parts = [
        f"《{title}》" if title else source.file,
        source.section.strip(),
        f"第{source.position}段",
        f"第{source.page}页" if source.page else "",
        (source.date or "").strip(),
        f"另见于 {also_in} 篇" if also_in > 0 else "",
    ]
    return " · ".join(part for part in parts if part)


def passage_link(bot_username: str | None, passage_id: str) -> str | None:
    """The t.me deep link that opens this quote again (`/start p_<id>`); None when no link can
    carry it (no username known, or an id a start parameter cannot hold)."""
    payload = PASSAGE_PREFIX + passage_id
    if not bot_username or not START_PARAMETER.fullmatch(payload):
        return None
    return f"https://t.me/{bot_username}?start={payload}"


def passage_id_from_payload(payload: str) -> str | None:
    """The passage id of a `p_<id>` start payload; None for any other payload."""
    if not payload.startswith(PASSAGE_PREFIX) or len(payload) == len(PASSAGE_PREFIX):
        return None
    return payload[len(PASSAGE_PREFIX):]


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
    source: Source,
    rank: int | None = None,
    *,
    max_units: int = SOURCE_MAX_UNITS,
    also_in: int = 0,
    link: str | None = None,
) -> str:
    """The numbered source; with `link`, the source itself links to the quote, so a forwarded
    answer still leads back to it (the URL is not counted in Telegram's length)."""
    line, _ = shorten(source_text(source, also_in), (), max_units)
    prefix = f"{marker(rank)} " if rank is not None else ""
    if link and line:
        return f'{prefix}<a href="{html.escape(link)}">{escape(line)}</a>'
    return prefix + escape(line)


def shown_missing(words: Sequence[str]) -> list[str]:
    """The missing words worth naming: not a piece of a longer one (测器 of 探测器, which
    search mode adds), nor a bare number (2019 of 2019年, which the scope note covers)."""
    return [w for w in words
            if not w.isdigit() and not any(w != other and w in other for other in words)]


# Above the closest passages when none answers the question directly (bot and CLI alike).
CLOSEST_HEADING = "没有找到直接回答的段落，以下是最接近的"
# After a 提法's count when more passages hold it than one page shows.
PHRASE_MORE = "本页显示 {shown} 处，点“{more}”查看其余 {rest} 处。"


def fact_lines(answer: Answer) -> list[str]:
    """What the reader should know beside the quotes, as HTML lines: the scope applied (or
    why not), how often a quoted formulation occurs, and words no document holds."""
    facts: list[str] = []
    if answer.note:
        facts.append(answer.note.strip())
    if answer.phrase is not None:
        quoted = "".join(f"“{p}”" for p in answer.phrase.phrases)
        facts.append(f"{quoted}共 {answer.phrase.passages} 处，分布在 {answer.phrase.documents} 篇")
    missing = shown_missing(answer.missing)
    if missing:
        facts.append("语料中没有" + "".join(f"“{w}”" for w in missing))
    return [escape(shorten(fact, (), FACT_MAX_UNITS)[0]) for fact in facts if fact]


def answer_page(
    answer: Answer,
    *,
    offset: int,
    expandable_over: int,
    limit: int = MESSAGE_LIMIT,
    bot_username: str | None = None,
    more_label: str = "下一页 ▶",
) -> str:
    """An answer page: the question, then each quote followed by its numbered source line.

    Quotes share what the header and source lines leave of ``limit``; a short quote takes only
    what it needs, so one long passage is shortened instead of the whole page failing. Should
    even the source lines not fit, they are shortened too, until the page fits.
    """
    source_cap = SOURCE_MAX_UNITS
    while True:
        page = _answer_page(answer, offset, expandable_over, limit, source_cap, bot_username,
                            more_label)
        if visible_units(page) <= limit or source_cap <= 1:
            return page
        source_cap //= 2


def _answer_page(
    answer: Answer,
    offset: int,
    expandable_over: int,
    limit: int,
    source_cap: int,
    bot_username: str | None,
    more_label: str,
) -> str:
    results = answer.results
    question, _ = shorten(answer.query.strip(), (), min(QUESTION_MAX_UNITS, limit // 8))
    first, last = offset + 1, offset + len(results)
    where = f"第 {first} 条" if first == last else f"第 {first}–{last} 条"
    lines = [f"🔎 <b>{escape(question)}</b>"] if question else []
    lines += fact_lines(answer)
    if answer.phrase is not None and answer.more and offset == 0:
        shown = len(results)
        lines.append(escape(PHRASE_MORE.format(shown=shown, more=more_label.rstrip(" ▶"),
                                               rest=answer.phrase.passages - shown)))
    heading = "以下是相关原文" if answer.answered else CLOSEST_HEADING
    header = "\n".join([*lines, f"{heading}（{where}）："])
    sources = [
        source_line(r.source, r.rank, max_units=source_cap, also_in=r.also_in,
                    link=passage_link(bot_username, r.id))
        for r in results
    ]
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


def no_answer(answer: Answer, why: str) -> str:
    """Nothing to show: the question, `why` (the text for `answer.reason`) and the words no
    document holds. The engine's note is in `why` when it is the reason (a filter that
    matched nothing), so it is not said twice. (With closest passages, see answer_page.)"""
    shown, _ = shorten(answer.query.strip(), (), QUESTION_MAX_UNITS)
    lines = [f"🔎 <b>{escape(shown)}</b>"] if shown else []
    lines.append(escape(why))
    # The phrase count is left out: with nothing found it is zero, which `why` says.
    rest = replace(answer, phrase=None,
                   note=None if answer.reason == "scope-unmatched" else answer.note)
    lines += fact_lines(rest)
    return "\n".join(lines)


def result_message(
    result: Result,
    *,
    expandable_over: int,
    limit: int = MESSAGE_LIMIT,
    bot_username: str | None = None,
) -> str:
    """One quote and its source, formatted as in a private answer (inline results, and a
    quote opened by its link)."""
    source = source_line(result.source, also_in=result.also_in,
                         link=passage_link(bot_username, result.id))
    room = limit - visible_units(source) - 1
    body = quote(result.quote, result.spans, expandable_over=expandable_over, max_units=room)
    return f"{body}\n{source}"


def passage_source(passage: Passage, document: DocumentInfo | None) -> Source:
    """A passage's source, with the date and place its document states."""
    return Source(title=passage.title, file=passage.file, section=passage.section,
                  position=passage.position, page=passage.page,
                  date=document.date if document else None,
                  place=document.place if document else None)


def passage_message(
    passage: Passage,
    document: DocumentInfo | None,
    *,
    expandable_over: int,
    bot_username: str | None = None,
    limit: int = MESSAGE_LIMIT,
) -> str:
    """A quote opened by its link: the passage whole (shortened only past a message)."""
    result = Result(rank=1, score=0.0, id=passage.id, text=passage.text, quote=passage.text,
                    spans=(), source=passage_source(passage, document))
    return "🔗 " + result_message(result, expandable_over=expandable_over,
                                  limit=limit - 2, bot_username=bot_username)


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


def sources_page(
    documents: Sequence[DocumentInfo],
    *,
    offset: int,
    per_page: int,
    scope_cleared: str | None = None,
) -> str:
    """One page of the indexed documents: number, title, date, place, passages. The numbers
    match the buttons under the page (see keyboards.sources_keyboard)."""
    if not documents:
        return "还没有收录任何文件。"
    total = sum(d.passages for d in documents)
    shown = documents[offset:offset + per_page]
    first, last = offset + 1, offset + len(shown)
    lines = [f"📚 <b>收录的文件</b>（{len(documents)} 篇，共 {total} 段）"]
    if scope_cleared:
        cleared, _ = shorten(scope_cleared, (), SOURCE_MAX_UNITS)
        lines.append(f"已取消范围《{escape(cleared)}》，现在在全部文件中查找。")
    for number, document in enumerate(shown, first):
        facts = [document.date or "", document.place or ""]
        detail = " · ".join(f for f in facts if f)
        title, _ = shorten(document.title or document.file, (), SOURCE_MAX_UNITS)
        line = f"{number}. 《{escape(title)}》"
        if detail:
            line += f"（{escape(detail)}）"
        lines.append(f"{line} — {document.passages} 段")
    if len(documents) > per_page:
        lines.append(f"第 {first}–{last} 篇")
    lines.append("按编号只在这篇文件中提问。")
    return "\n".join(lines)


def scope_set(document: DocumentInfo) -> str:
    """The reply to a document button: from now on this chat asks within that document."""
    title, _ = shorten(document.title or document.file, (), SOURCE_MAX_UNITS)
    return (f"接下来的问题只在《{escape(title)}》中查找。\n"
            "按“取消范围”或再发 /sources，恢复在全部文件中查找。")


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


def plain_marks(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """``text`` with the spans marked for plain text (a terminal, a pipe): «双减». The marks
    are the first pair the text does not hold, so the corpus's own ** or «» never run into
    them (as `书写****教育复兴大计**` did)."""
    opening, closing = next(
        ((a, b) for a, b in PLAIN_MARKS if a not in text and b not in text), PLAIN_MARKS[-1])
    parts: list[str] = []
    cursor = 0
    for start, end in merge_spans(spans, len(text)):
        parts += [text[cursor:start], opening, text[start:end], closing]
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def preview(text: str, max_chars: int = 60) -> str:
    """The first words of a quote, one line, for inline result descriptions (plain text)."""
    flat = " ".join(well_formed(text).split())
    return flat if len(flat) <= max_chars else flat[: max_chars - 1] + "…"
