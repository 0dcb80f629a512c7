"""callback_data: always within 64 bytes, decodes back, unknown data is recognised as such;
the keyboards under answers and /sources."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import keyboards
from bot.button_keys import RecentStore
from bot.keyboards import ContextButton, FeedbackButton, PageButton, ScopeButton, SourcesButton
from retrieval import Answer, DocumentInfo, Result, Source


def make_answer(ids: list[str], more: bool) -> Answer:
    source = Source(title="讲话", file="a.txt", section="", position=1)
    results = tuple(
        Result(rank=i + 1, score=1.0, id=pid, text="双减", quote="双减", spans=((0, 2),),
               source=source)
        for i, pid in enumerate(ids)
    )
    return Answer(query="双减", answered=True, results=results, more=more)


def all_data(markup) -> list[str]:
    return [button.callback_data for row in markup.inline_keyboard for button in row]


def test_buttons_fit_64_bytes_and_decode_back() -> None:
    ids = ["e2ed228980a39843", "0123456789abcdef", "ffffffffffffffff"]
    markup = keyboards.answer_keyboard(make_answer(ids, True), key="AbCdEf12", offset=999_990,
                                       per_page=3, feedback="Fb12Fb12", scoped=True)
    data = all_data(markup)
    assert all(len(d.encode("utf-8")) <= keyboards.CALLBACK_LIMIT for d in data)
    decoded = [keyboards.parse(d) for d in data]
    assert decoded[:3] == [ContextButton(passage_id=i) for i in ids]
    assert PageButton("AbCdEf12", 999_987) in decoded
    assert FeedbackButton("Fb12Fb12", -1) in decoded
    assert decoded[-1] == ScopeButton(None)  # 取消范围, last
    assert markup.inline_keyboard[-1][0].text == "取消范围"


def test_answer_outside_a_chosen_document_has_no_clear_button() -> None:
    markup = keyboards.answer_keyboard(make_answer(["a"], False), key="k", offset=0, per_page=3)
    assert not any(isinstance(keyboards.parse(d), ScopeButton) for d in all_data(markup))


def test_page_buttons_only_where_there_is_a_page() -> None:
    first = keyboards.answer_keyboard(make_answer(["a", "b", "c"], True), key="k", offset=0,
                                      per_page=3)
    assert keyboards.parse(all_data(first)[-1]) == PageButton("k", 3)
    assert not any(d.startswith("p:") and d.endswith(":0") for d in all_data(first))
    last = keyboards.answer_keyboard(make_answer(["g", "h", "i"], False), key="k", offset=6,
                                     per_page=3)
    pages = [keyboards.parse(d) for d in all_data(last) if d.startswith("p:")]
    assert pages == [PageButton("k", 3)]  # only "previous"
    only = keyboards.answer_keyboard(make_answer(["a"], False), key="k", offset=0, per_page=3)
    assert not any(d.startswith("p:") for d in all_data(only))


def documents(count: int) -> list[DocumentInfo]:
    return [DocumentInfo(id=f"{n:08x}", title=f"文件{n}", file=f"{n}.txt", passages=n)
            for n in range(count)]


def test_sources_keyboard_numbers_one_button_per_listed_document_and_pages() -> None:
    listed = documents(23)
    middle = keyboards.sources_keyboard(listed, offset=10, per_page=10)
    assert middle is not None
    numbered = [b for row in middle.inline_keyboard for b in row if b.text.isdigit()]
    assert [b.text for b in numbered] == [str(n) for n in range(11, 21)]
    assert [keyboards.parse(b.callback_data) for b in numbered] == [
        ScopeButton(d.id) for d in listed[10:20]]
    assert max(len(row) for row in middle.inline_keyboard) <= keyboards.SOURCES_PER_ROW
    paging = [keyboards.parse(b.callback_data) for b in middle.inline_keyboard[-1]]
    assert paging == [SourcesButton(0), SourcesButton(20)]
    last = keyboards.sources_keyboard(listed, offset=20, per_page=10)
    assert last is not None
    assert [keyboards.parse(b.callback_data) for b in last.inline_keyboard[-1]] == [
        SourcesButton(10)]
    assert keyboards.sources_keyboard([], offset=0, per_page=10) is None


def test_scope_and_sources_data_round_trip() -> None:
    assert keyboards.parse(keyboards.scope_data("eaeee4a3")) == ScopeButton("eaeee4a3")
    assert keyboards.parse(keyboards.scope_data(None)) == ScopeButton(None)
    assert keyboards.parse(keyboards.sources_data(30)) == SourcesButton(30)
    assert keyboards.parse("l:x") is None and keyboards.parse("l:") is None
    assert keyboards.parse("s:") is None


@given(st.text(max_size=80))
def test_parse_never_raises_and_rejects_foreign_data(data: str) -> None:
    parsed = keyboards.parse(data)
    if not data.startswith(("p:", "x:", "f:", "l:", "s:")):
        assert parsed is None


def test_parse_rejects_malformed_page_data() -> None:
    assert keyboards.parse("p:key:") is None
    assert keyboards.parse("p:key:-1") is None
    assert keyboards.parse("p::3") is None
    assert keyboards.parse(None) is None


def test_store_by_the_callers_key_is_bounded_too() -> None:
    store: RecentStore[str] = RecentStore(2)
    store.set("-100", "a")
    store.set("7", "b")
    store.set("-100", "c")  # replaces, and is the most recent again
    store.set("8", "d")
    assert store.get("7") is None and store.get("-100") == "c"
    assert store.pop("8") == "d" and store.pop("8") is None


def test_store_is_bounded_and_forgets_the_oldest() -> None:
    store: RecentStore[int] = RecentStore(2)
    a, b = store.put(1), store.put(2)
    assert store.get(a) == 1  # a is now the most recent
    c = store.put(3)
    assert store.get(b) is None and store.get(a) == 1 and store.get(c) == 3
    assert len(store) == 2
    assert all(len(k) == 8 and ":" not in k for k in (a, b, c))
