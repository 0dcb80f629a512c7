"""HTML rendering: escaping, bold spans, Telegram's length limit, the no-answer text."""

from __future__ import annotations

from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import render, texts
from retrieval import Answer, DocumentInfo, Passage, PhraseCount, Result, Source

ALLOWED_TAGS = {"a", "b", "blockquote"}


class TelegramHtml(HTMLParser):
    """Parses our HTML the way Telegram does enough to check it: visible text, bold ranges,
    only allowed tags, every tag closed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.bold: list[tuple[int, int]] = []
        self.quotes: list[tuple[int, int, bool]] = []
        self.stack: list[tuple[str, int, bool]] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED_TAGS, tag
        if tag == "a":
            self.links.append(dict(attrs)["href"] or "")
        assert not (tag == "b" and any(t == "b" for t, _, _ in self.stack)), "nested <b>"
        self.stack.append((tag, len(self.text), any(name == "expandable" for name, _ in attrs)))

    def handle_endtag(self, tag: str) -> None:
        opened, start, expandable = self.stack.pop()
        assert opened == tag, f"</{tag}> closes <{opened}>"
        if tag == "b":
            self.bold.append((start, len(self.text)))
        elif tag == "blockquote":
            self.quotes.append((start, len(self.text), expandable))

    def handle_data(self, data: str) -> None:
        self.text += data


def parse(markup: str) -> TelegramHtml:
    parser = TelegramHtml()
    parser.feed(markup)
    parser.close()
    assert not parser.stack, f"unclosed tags: {parser.stack}"
    return parser


def source(title: str = "2024年度全县教育工作会议讲话稿", section: str = "一、XX年工作",
           position: int = 3, **known: object) -> Source:
    return Source(title=title, file="000.txt", section=section, position=position,
                  **known)  # type: ignore[arg-type]


def result(quote: str, spans: tuple[tuple[int, int], ...] = (), rank: int = 1,
           src: Source | None = None, passage_id: str = "p1") -> Result:
    return Result(rank=rank, score=9.5, id=passage_id, text=quote, quote=quote, spans=spans,
                  source=src or source())


def answer(*results: Result, query: str = "双减", more: bool = False) -> Answer:
    return Answer(query=query, answered=True, results=results, terms=(query,),
                  more=more)


# --- escaping and bold spans -------------------------------------------------------------

def test_passage_text_with_markup_characters_is_escaped() -> None:
    text = "规定 <b>不得</b> 收费 & 补课 > 3 次 <script>"
    markup = render.highlight(text, [(3, 12)])
    assert "<script>" not in markup
    assert "&lt;b&gt;不得&lt;/b&gt;" in markup
    assert "&amp;" in markup and "&gt; 3" in markup
    parsed = parse(markup)
    assert parsed.text == text
    assert parsed.bold == [(3, 12)]


def test_bold_span_next_to_escaped_characters() -> None:
    text = "a<双减>&b"
    markup = render.highlight(text, [(2, 4)])
    assert markup == "a&lt;<b>双减</b>&gt;&amp;b"
    parsed = parse(markup)
    assert parsed.text[slice(*parsed.bold[0])] == "双减"


def test_bold_span_covering_escaped_characters() -> None:
    text = "x<&>y"
    markup = render.highlight(text, [(1, 4)])
    assert markup == "x<b>&lt;&amp;&gt;</b>y"
    assert parse(markup).bold == [(1, 4)]


def test_overlapping_and_adjacent_spans_become_one_bold_run() -> None:
    text = "课后服务双减政策落实"
    assert render.merge_spans([(0, 3), (2, 4)], len(text)) == [(0, 4)]
    assert render.merge_spans([(0, 2), (2, 4), (6, 8)], len(text)) == [(0, 4), (6, 8)]
    assert render.highlight(text, [(4, 6), (0, 2), (2, 4)]) == "<b>课后服务双减</b>政策落实"


def test_spans_out_of_range_or_empty_are_clamped_or_dropped() -> None:
    text = "立德树人"
    assert render.merge_spans([(-3, 1), (3, 99), (2, 2), (5, 9)], len(text)) == [(0, 1), (3, 4)]
    assert parse(render.highlight(text, [(2, 2), (10, 12)])).bold == []


def test_user_question_is_escaped_in_answer_and_no_answer() -> None:
    page = render.answer_page(
        answer(result("双减工作"), query="<i>双减</i> & 作业"), offset=0, expandable_over=200
    )
    assert "<i>" not in page
    assert "&lt;i&gt;双减&lt;/i&gt; &amp; 作业" in page
    parse(page)
    refusal = render.no_answer(unanswered("<b>x</b>&"), "没有找到")
    assert "&lt;b&gt;x&lt;/b&gt;&amp;" in refusal
    parse(refusal)


@given(
    text=st.text(alphabet=st.sampled_from(list("双减<>&ab 。\n😀")), max_size=80),
    raw_spans=st.lists(st.tuples(st.integers(-5, 90), st.integers(-5, 90)), max_size=8),
)
@settings(max_examples=300, deadline=None)
def test_highlight_keeps_text_and_bolds_exactly_the_merged_spans(
    text: str, raw_spans: list[tuple[int, int]]
) -> None:
    parsed = parse(render.highlight(text, raw_spans))
    assert parsed.text == text
    assert parsed.bold == render.merge_spans(raw_spans, len(text))[: render.MAX_BOLD_PER_QUOTE]


# --- an answer page ------------------------------------------------------------------------

def test_answer_page_quotes_with_bold_terms_and_source_lines() -> None:
    first = result("全面落实“双减”政策，减轻学生作业负担。", spans=((5, 7),), rank=1)
    second = result("推进课后服务提质增效。", spans=((2, 6),), rank=2,
                    src=source(section="", position=12), passage_id="p2")
    page = render.answer_page(answer(first, second, more=True), offset=0, expandable_over=200)
    parsed = parse(page)
    assert [parsed.text[s:e] for s, e in parsed.bold] == ["双减", "双减", "课后服务"]
    assert len(parsed.quotes) == 2 and not any(expandable for *_, expandable in parsed.quotes)
    assert "① 《2024年度全县教育工作会议讲话稿》 · 一、XX年工作 · 第3段" in parsed.text
    # An empty section is left out rather than shown as an empty field.
    assert "② 《2024年度全县教育工作会议讲话稿》 · 第12段" in parsed.text
    assert "以下是相关原文（第 1–2 条）" in parsed.text
    # The source follows its quote.
    quote_end = parsed.quotes[0][1]
    assert parsed.text.index("① 《2024") > quote_end


def test_long_quote_is_folded() -> None:
    page = render.answer_page(answer(result("长" * 250)), offset=0, expandable_over=200)
    assert "<blockquote expandable>" in page
    short = render.answer_page(answer(result("短" * 50)), offset=0, expandable_over=200)
    assert "<blockquote expandable>" not in short and "<blockquote>" in short


def test_second_page_numbers_continue() -> None:
    results = [result(f"第{i}条", rank=i, passage_id=f"p{i}") for i in (4, 5, 6)]
    page = render.answer_page(answer(*results, more=True), offset=3, expandable_over=200)
    text = parse(page).text
    assert "以下是相关原文（第 4–6 条）" in text and "④" in text and "⑥" in text


def test_passage_too_long_for_one_message_is_shortened_to_fit() -> None:
    huge = "各级各类学校要落实立德树人根本任务&<>。" * 400  # ~8,400 characters
    spans = tuple((i, i + 4) for i in range(9, len(huge), 21))
    page = render.answer_page(
        answer(result(huge, spans), result("课后服务", rank=2, passage_id="p2")),
        offset=0, expandable_over=200,
    )
    parsed = parse(page)
    assert render.utf16_units(parsed.text) <= render.MESSAGE_LIMIT
    assert render.ELLIPSIS in parsed.text
    assert "课后服务" in parsed.text and "② " in parsed.text  # the short one is intact
    assert all(parsed.text[s:e] for s, e in parsed.bold)


def test_length_is_counted_in_utf16_units() -> None:
    emoji = "😀" * 3000  # 3,000 characters but 6,000 UTF-16 units
    page = render.answer_page(answer(result(emoji)), offset=0, expandable_over=200)
    assert render.utf16_units(parse(page).text) <= render.MESSAGE_LIMIT
    assert len(parse(page).text) < 2100


@given(
    quotes=st.lists(st.text(alphabet=st.sampled_from(list("政策<&>😀 。")), min_size=1,
                            max_size=3000), min_size=1, max_size=10),
    question=st.text(max_size=400),
    limit=st.integers(300, 4096),
)
@settings(max_examples=60, deadline=None)
def test_answer_page_never_exceeds_the_limit(quotes: list[str], question: str, limit: int) -> None:
    results = [result(q, ((0, 2),), rank=i + 1, passage_id=f"p{i}") for i, q in enumerate(quotes)]
    page = render.answer_page(answer(*results, query=question), offset=0, expandable_over=200,
                              limit=limit)
    assert render.utf16_units(parse(page).text) <= limit


def test_result_message_for_inline_fits_and_has_source() -> None:
    message = render.result_message(result("政" * 6000, ((0, 1),)), expandable_over=200)
    parsed = parse(message)
    assert render.utf16_units(parsed.text) <= render.MESSAGE_LIMIT
    assert parsed.text.endswith("《2024年度全县教育工作会议讲话稿》 · 一、XX年工作 · 第3段")


# --- context, sources, no answer -----------------------------------------------------------

def passage(pid: str, text: str, position: int, section: str = "一、总体要求") -> Passage:
    return Passage(id=pid, text=text, file="a.txt", title="讲话<甲>", section=section,
                   position=position, document=0)


def test_context_marks_the_quoted_passage_among_neighbours() -> None:
    passages = [passage("a", "前一段。", 2), passage("b", "所引 <这段> & 内容。", 3),
                passage("c", "后一段。", 4, section="二、重点任务")]
    messages = render.context_messages(passages, "b", expandable_over=200)
    assert len(messages) == 1
    parsed = parse(messages[0])
    assert "讲话<甲>" in parsed.text
    assert "第3段（所引段落）" in parsed.text
    assert "所引 <这段> & 内容。" in parsed.text
    assert "第4段 · 二、重点任务" in parsed.text
    assert len(parsed.quotes) == 3


def test_context_too_long_is_split_over_messages_within_the_limit() -> None:
    passages = [passage(str(i), f"第{i}段内容&<>" * 700, i) for i in range(1, 4)]
    messages = render.context_messages(passages, "2", expandable_over=200)
    assert len(messages) >= 2
    for message in messages:
        assert render.utf16_units(parse(message).text) <= render.MESSAGE_LIMIT
    parsed = [parse(m) for m in messages]
    joined = "".join(p.text for p in parsed)
    assert all(f"第{i}段" in joined for i in range(1, 4))
    # Nothing is cut: every passage is there in full, continued across messages.
    assert "第2段（所引段落）（续）" in joined
    quoted = "".join(p.text[start:end] for p in parsed for start, end, _ in p.quotes)
    assert quoted == "".join(passage.text for passage in passages)


def test_chunks_split_at_sentence_ends_and_lose_nothing() -> None:
    text = "第一句话。" * 300 + "没有句号的尾巴" * 50
    pieces = render.chunks(text, 1000)
    assert "".join(pieces) == text
    assert all(render.utf16_units(p) <= 1000 for p in pieces)
    assert pieces[0].endswith("。")


def test_sources_page_lists_title_date_place_and_passages_within_the_limit() -> None:
    documents = [DocumentInfo(id=f"{i:08x}", title=f"讲话<{i}>" + "长" * 300, file=f"{i}.txt",
                              passages=i, date="2024-02-03", place="四川省") for i in range(200)]
    first = parse(render.sources_page(documents, offset=0, per_page=10)).text
    last = parse(render.sources_page(documents, offset=190, per_page=10)).text
    assert all(render.utf16_units(t) <= render.MESSAGE_LIMIT for t in (first, last))
    assert "200 篇" in first and "1. 《讲话<0>" in first and "11. " not in first
    assert "191. 《讲话<190>" in last and "（2024-02-03 · 四川省） — 199 段" in last
    assert "第 191–200 篇" in last
    undated = [DocumentInfo(id="a", title="讲话", file="a.txt", passages=3)]
    only = parse(render.sources_page(undated, offset=0, per_page=10)).text
    assert "1. 《讲话》 — 3 段" in only and "第 1–1 篇" not in only  # one page: no range
    cleared = parse(render.sources_page(undated, offset=0, per_page=10, scope_cleared="甲")).text
    assert "已取消范围《甲》" in cleared


def unanswered(query: str, reason: str = "no-match", **facts: object) -> Answer:
    return Answer(query=query, answered=False, results=(), reason=reason, **facts)  # type: ignore[arg-type]


def test_no_answer_says_why_once_with_the_missing_words() -> None:
    refused = unanswered("年:2030 火星基地", "scope-unmatched",
                         note="语料中没有2030年的文件。", missing=("火星",))
    text = render.no_answer(refused, texts.no_answer_text(refused.reason, refused.note))
    parsed = parse(text)
    assert parsed.text.splitlines() == [
        "🔎 年:2030 火星基地", "语料中没有2030年的文件。 可以去掉这些限定再试。",
        "语料中没有“火星”"]
    assert not parsed.quotes  # no best-guess quotes of noise
    phrase = unanswered("“校长陪餐制度”", "phrase-absent",
                        phrase=PhraseCount(("校长陪餐制度",), 0, 0))
    assert "共 0 处" not in parse(render.no_answer(phrase, "这个提法在语料中没有出现。")).text


def test_share_meets_small_needs_and_splits_the_rest() -> None:
    assert render.share([10, 5000, 20], 1000) == [10, 970, 20]
    assert render.share([600, 600], 1000) == [500, 500]
    assert sum(render.share([3000, 3000, 3000], 4000)) <= 4000


def test_shorten_keeps_surviving_spans_and_counts_the_ellipsis() -> None:
    text, spans = render.shorten("一二三四五六七八九十", [(0, 2), (5, 9)], 6)
    assert render.utf16_units(text) <= 6 and text.endswith(render.ELLIPSIS)
    assert spans == [(0, 2)]


def test_short_source_keeps_the_position_when_cutting() -> None:
    long = source(title="加速实施教育振兴工程——在2024年教育工作会议上的讲话",
                  section="三、踏实作风，真抓实干 › （二）以精良的师资队伍引领教育事业跨越发展",
                  position=17)
    short = render.short_source(long)
    assert short.endswith(" · 第17段")
    assert "（二）以精良的师资" in short and "三、踏实作风" not in short
    assert len(short) <= 24 + 16 + 12
    assert render.short_source(source(section="")) == "2024年度全县教育工作会议讲话稿 · 第3段"


# --- what answers tell beside the quotes ---------------------------------------------------

def test_source_line_has_page_date_and_other_documents_where_known() -> None:
    known = source(page=2, date="2026-02-03")
    assert render.source_text(known, also_in=4) == (
        "《2024年度全县教育工作会议讲话稿》 · 一、XX年工作 · 第3段 · 第2页 · 2026-02-03"
        " · 另见于 4 篇")
    assert render.source_text(source(section="")) == "《2024年度全县教育工作会议讲话稿》 · 第3段"
    assert render.source_text(source(title="")) == "000.txt · 一、XX年工作 · 第3段"


def test_answer_header_tells_scope_phrase_count_and_missing_words() -> None:
    found = Answer(query="“立德树人” 陪餐", answered=True, results=(result("立德树人"),),
                   note="范围：2026年；四川省", missing=("陪餐",),
                   phrase=PhraseCount(("立德树人",), passages=12, documents=5))
    lines = parse(render.answer_page(found, offset=0, expandable_over=200)).text.splitlines()
    assert lines[:5] == ["🔎 “立德树人” 陪餐", "范围：2026年；四川省",
                         "“立德树人”共 12 处，分布在 5 篇", "语料中没有“陪餐”",
                         "以下是相关原文（第 1 条）："]


def test_every_source_links_to_its_quote_when_the_bot_has_a_username() -> None:
    first = result("双减", rank=1, passage_id="e2ed228980a39843")
    second = result("课后服务", rank=2, passage_id="0123456789abcdef")
    page = render.answer_page(answer(first, second), offset=0, expandable_over=200,
                              bot_username="policy_bot")
    parsed = parse(page)
    assert parsed.links == ["https://t.me/policy_bot?start=p_e2ed228980a39843",
                            "https://t.me/policy_bot?start=p_0123456789abcdef"]
    assert "① 《2024年度全县教育工作会议讲话稿》" in parsed.text  # the link adds no text
    inline = parse(render.result_message(first, expandable_over=200, bot_username="policy_bot"))
    assert inline.links == ["https://t.me/policy_bot?start=p_e2ed228980a39843"]
    assert parse(render.answer_page(answer(first), offset=0, expandable_over=200)).links == []


def test_passage_links_round_trip_and_refuse_what_a_start_parameter_cannot_hold() -> None:
    link = render.passage_link("policy_bot", "e2ed228980a39843")
    assert link is not None
    payload = link.rsplit("start=", 1)[1]
    assert render.passage_id_from_payload(payload) == "e2ed228980a39843"
    assert render.passage_link("policy_bot", "段落") is None
    assert render.passage_link(None, "e2ed228980a39843") is None
    assert render.passage_id_from_payload("q_5Y-M") is None
    assert render.passage_id_from_payload("p_") is None


def test_opened_passage_shows_its_whole_text_and_source() -> None:
    text = "各校要落实<安全第一>原则。" * 5
    opened = passage("e2ed228980a39843", text, 7)
    document = DocumentInfo(id="d", title="讲话<甲>", file="a.txt", passages=9, date="2025")
    parsed = parse(render.passage_message(opened, document, expandable_over=1000,
                                          bot_username="policy_bot"))
    assert text in parsed.text
    assert parsed.text.endswith("《讲话<甲>》 · 一、总体要求 · 第7段 · 2025")
    assert parsed.links == ["https://t.me/policy_bot?start=p_e2ed228980a39843"]


def test_plain_marks_never_collide_with_the_corpus_own_marks() -> None:
    assert render.plain_marks("落实双减政策", [(2, 4)]) == "落实«双减»政策"
    text = "书写**教育复兴大计**与«书名»"  # the corpus's own ** and «»
    marked = render.plain_marks(text, [(6, 10)])
    assert marked == "书写**教育〖复兴大计〗**与«书名»"


def test_missing_words_are_named_once_and_without_bare_numbers() -> None:
    assert render.shown_missing(["火星", "探测", "测器", "探测器", "2019"]) == ["火星", "探测器"]
