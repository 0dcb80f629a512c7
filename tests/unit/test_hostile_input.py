"""Hostile and odd input, property-based: the query path and the renderer never raise, and every
message the bot would send is valid Telegram HTML within Telegram's limits.

Inputs: any Unicode (control characters, NUL, RTL and other format marks, emoji, astral CJK,
lone surrogates as left by slicing text at Telegram's UTF-16 offsets), empty and whitespace-only
text, markup characters, and 4096- and 100,000-character texts. The HTML is checked by
``tests/support/telegram_html.py``, a checker written independently of ``bot/render.py``.
One Engine on the seed corpus (session fixture ``seed_engine``, temporary cache) serves all.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import render, texts
from bot.keyboards import parse as parse_callback_data
from bot.live_engine import EngineHolder
from bot.render import MESSAGE_LIMIT
from retrieval import Answer, DocumentInfo, Engine, Passage, Result, Source
from tests.support.telegram_html import TelegramHtmlError, check, check_plain, utf16_units

# Few examples each: every one of them runs BM25 on the seeds and renders several messages.
FAST = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
MANY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Pieces that break naive code: markup, entities, controls, bidi marks, joiners, astral
# characters, both halves of a surrogate pair on their own, and words the corpus knows.
PIECES = [
    "\x00", "\x01", "\x1b", "\x7f", "\r\n", "\t", "\u2028", "\u3000", " ", "\u00a0",
    "\u200b", "\u200d", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066", "\u2069", "\ufeff",
    "\ufffd", "\ud83d", "\ude00", "\udfff", "\ud800", "😀", "👨‍👩‍👧", "🇨🇳", "𠀀", "𝕏", "e\u0301",
    "<", ">", "&", '"', "'", "<b>", "</b>", "</blockquote>", "<blockquote expandable>",
    "&amp;", "&lt;", "&#0;", "&#xD800;", "&nbsp;", "<a href='tg://user?id=1'>x</a>",
    "@policybot_test_bot", "/ask", "q_", "……", "。", "？", "，",
    "双减", "课后服务", "教师队伍建设", "立德树人", "作业负担", "教育", "的", "是",
]
ANY_CHAR = st.one_of(
    st.characters(), st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
)


def _utf16_slice(text: str, start: int, stop: int) -> str:
    """What slicing at UTF-16 offsets leaves: may cut a surrogate pair into lone halves."""
    units = text.encode("utf-16-le", "surrogatepass")
    return units[2 * start : 2 * stop].decode("utf-16-le", "surrogatepass")


def hostile_text(max_pieces: int = 30) -> st.SearchStrategy[str]:
    words = st.lists(
        st.one_of(st.sampled_from(PIECES), st.text(ANY_CHAR, max_size=6)), max_size=max_pieces
    ).map("".join)
    sliced = st.builds(
        _utf16_slice, words, st.integers(0, 20), st.integers(0, 400)
    )
    repeated = st.builds(
        lambda piece, size: (piece * (size // max(1, len(piece)) + 1))[:size],
        st.sampled_from([*PIECES[:20], "双减课后服务😀", "<&>"]),
        st.sampled_from([1, 4095, 4096, 4097, 5000]),
    )
    blank = st.text(st.sampled_from(" \t\r\n\u3000\u00a0\u200b\ufeff"), max_size=20)
    return st.one_of(words, sliced, repeated, blank)


LONG_QUESTION = "课后服务" * 25_000  # 100,000 characters that the corpus matches
LONG_NOISE = ("😀\x00<&>\ud800" * 20_000)[:100_000]
EDGE_EXAMPLES = ["", " ", "\x00", "\ud800", "\udc00双减", "双减\ud83d", "\u202e双减\u202c",
                 "双" * 4096, "😀" * 4096, LONG_QUESTION, LONG_NOISE]


def with_examples(*values: str) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Apply hypothesis @example for each value (the first parameter of the test)."""
    def decorate(test: Callable[..., None]) -> Callable[..., None]:
        for value in reversed(values):
            test = example(value)(test)
        return test
    return decorate


def sendable(markup: str) -> str:
    """Valid Telegram HTML within one message; returns the visible text."""
    return check(markup, limit=MESSAGE_LIMIT).text


# --- the checker itself: a property test is only as good as its oracle ----------------------

@pytest.mark.parametrize(
    "markup",
    [
        "", "  \n", "<b>x", "x</b>", "<b><i>x</b></i>", "<script>x</script>", "<b class='x'>x</b>",
        "a < b", "a > b", "a & b", "&bogus;", "&#xD800;", "&#0;", "x\ud800", "<span>x</span>",
        "<blockquote><blockquote>x</blockquote></blockquote>", "<code><b>x</b></code>",
        "<a>x</a>", "双" * 4097, "😀" * 2049, "<b>x</b>" * 101,
    ],
)
def test_checker_rejects_what_telegram_would_reject_cut_or_show_unescaped(markup: str) -> None:
    with pytest.raises(TelegramHtmlError):
        check(markup)


def test_checker_accepts_telegram_html_and_measures_it_as_telegram_does() -> None:
    parsed = check(
        "🔎 <b>双减 &amp; &lt;x&gt;</b>\n<blockquote expandable>a<b>b</b>&#128512;</blockquote>"
        '<a href="https://t.me/x">t</a><span class="tg-spoiler">s</span><pre><code '
        'class="language-py">p</code></pre>' + "双" * 4000
    )
    assert parsed.text.startswith("🔎 双减 & <x>\nab😀ts")
    assert parsed.units == utf16_units(parsed.text) == 4000 + 19
    kinds = [e.type for e in parsed.entities]
    assert kinds[:3] == ["b", "expandable_blockquote", "b"]
    assert check("😀" * 2048).units == 4096


# --- the query path -----------------------------------------------------------------------

@given(question=hostile_text())
@with_examples(*EDGE_EXAMPLES)
@FAST
def test_engine_ask_never_raises(seed_engine: Engine, question: str) -> None:
    answer = seed_engine.ask(question, 3, 0)
    assert len(answer.results) <= 3
    for result in answer.results:
        assert all(0 <= start < end <= len(result.quote) for start, end in result.spans)


@given(question=hostile_text())
@with_examples(*EDGE_EXAMPLES)
@FAST
def test_bot_query_path_and_every_rendering_of_its_answer_are_sendable(
    seed_engine: Engine, question: str
) -> None:
    """EngineHolder.ask (what every handler calls), then all the bot would send about it:
    the answer page or the no-answer text, inline results, and the context of each quote."""
    holder = EngineHolder(seed_engine, lambda: seed_engine)
    answer = asyncio.run(holder.ask(question, 3, 0))
    sendable(render.no_answer(answer, texts.no_answer_text(answer.reason)))
    if answer.results:
        sendable(render.answer_page(answer, offset=0, expandable_over=200))
    for result in answer.results:
        sendable(render.result_message(result, expandable_over=200))
        check_plain(render.short_source(result.source), limit=256)
        check_plain(render.preview(result.quote), limit=256, allow_empty=True)
        passages = seed_engine.neighbours(result.id, 1, 1)
        assert passages, "a quoted passage has a context"
        for markup in render.context_messages(passages, result.id, expandable_over=200):
            sendable(markup)


# --- the renderer on hostile corpus text and questions -------------------------------------

def sources() -> st.SearchStrategy[Source]:
    return st.builds(
        Source,
        title=hostile_text(8),
        file=st.one_of(st.just("a.txt"), hostile_text(4)),
        section=hostile_text(8),
        position=st.integers(1, 10**12),
    )


@st.composite
def results(draw: st.DrawFn, rank: int) -> Result:
    quote = draw(hostile_text())
    spans = draw(
        st.lists(st.tuples(st.integers(-10, len(quote) + 10), st.integers(-10, len(quote) + 10)),
                 max_size=40)
    )
    return Result(rank=rank, score=1.0, id=draw(hostile_text(4)), text=quote, quote=quote,
                  spans=tuple(spans), source=draw(sources()))


@st.composite
def answers(draw: st.DrawFn) -> tuple[Answer, int]:
    offset = draw(st.integers(0, 30))
    count = draw(st.integers(1, 5))
    found = tuple(draw(results(offset + n + 1)) for n in range(count))
    return Answer(query=draw(hostile_text()), answered=True, results=found), offset


@given(answer_and_offset=answers(), expandable_over=st.integers(0, 4096))
@MANY
def test_answer_pages_of_hostile_text_are_sendable_and_keep_every_source(
    answer_and_offset: tuple[Answer, int], expandable_over: int
) -> None:
    answer, offset = answer_and_offset
    visible = sendable(
        render.answer_page(answer, offset=offset, expandable_over=expandable_over)
    )
    for result in answer.results:
        assert render.marker(result.rank) in visible, "every quote keeps its numbered source"


@given(question=hostile_text())
@with_examples(*EDGE_EXAMPLES)
@MANY
def test_no_answer_text_is_sendable_for_any_question(question: str) -> None:
    answer = Answer(query=question, answered=False, results=(), reason="no-match")
    assert "没有找到" in sendable(render.no_answer(answer, texts.no_answer_text(answer.reason)))


@given(result=results(1), expandable_over=st.integers(0, 4096))
@MANY
def test_inline_results_of_hostile_text_are_sendable(result: Result, expandable_over: int) -> None:
    sendable(render.result_message(result, expandable_over=expandable_over))
    check_plain(render.short_source(result.source), limit=256)
    check_plain(render.preview(result.quote), limit=256, allow_empty=True)


@st.composite
def neighbourhoods(draw: st.DrawFn) -> tuple[list[Passage], str]:
    count = draw(st.integers(1, 4))
    passages = [
        Passage(
            id=f"p{n}",
            text=draw(st.one_of(hostile_text(), st.sampled_from(EDGE_EXAMPLES[7:]))),
            file="a.txt",
            title=draw(hostile_text(6)),
            section=draw(st.one_of(st.just(""), hostile_text(6))),
            position=n + 1,
            document=0,
        )
        for n in range(count)
    ]
    return passages, f"p{draw(st.integers(0, count - 1))}"


@given(neighbourhood=neighbourhoods(), expandable_over=st.integers(0, 4096))
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_context_of_hostile_passages_is_sendable_and_complete(
    neighbourhood: tuple[list[Passage], str], expandable_over: int
) -> None:
    """Every message valid, and the quotes together hold every passage, nothing cut."""
    passages, target = neighbourhood
    quoted = []
    for markup in render.context_messages(passages, target, expandable_over=expandable_over):
        parsed = check(markup)
        units = parsed.text.encode("utf-16-le")
        quoted += [
            units[2 * e.offset : 2 * (e.offset + e.length)].decode("utf-16-le")
            for e in parsed.entities
            if e.type in ("blockquote", "expandable_blockquote")
        ]
    assert "".join(quoted) == "".join(render.well_formed(p.text) for p in passages)


@given(
    titles=st.lists(st.tuples(hostile_text(6), st.integers(0, 10**6)), max_size=300),
)
@settings(max_examples=40, deadline=None)
def test_source_lists_with_hostile_titles_are_sendable(titles: list[tuple[str, int]]) -> None:
    docs = [DocumentInfo(id="d", title=title, file="f.txt", passages=count)
            for title, count in titles]
    for offset in range(0, max(len(docs), 1), 10):
        sendable(render.sources_page(docs, offset=offset, per_page=10))


@given(first_name=hostile_text(6).map(lambda name: _utf16_slice(name, 0, 64)))
@MANY
def test_greeting_with_any_first_name_is_sendable(first_name: str) -> None:
    """Telegram display names (at most 64 characters) are user text too."""
    sendable(texts.start_text(first_name, "policybot_test_bot"))


@given(data=st.one_of(
    hostile_text(6),
    st.builds(lambda k, o: f"p:{k}:{o}", hostile_text(3), hostile_text(3)),
    st.builds(lambda o: f"p:key:{o}", st.text(st.characters(categories=["Nd", "No"]),
                                                min_size=1, max_size=70)),
    st.builds(lambda k: f"x:{k}", hostile_text(6)),
))
@MANY
def test_forged_callback_data_never_raises(data: str) -> None:
    """Buttons can be pressed with any data by a modified client."""
    parsed = parse_callback_data(data)
    if parsed is not None and hasattr(parsed, "offset"):
        assert parsed.offset >= 0
