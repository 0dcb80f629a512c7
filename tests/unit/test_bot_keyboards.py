"""callback_data: always within 64 bytes, decodes back, unknown data is recognised as such."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot import keyboards
from bot.keyboards import ContextButton, PageButton
from bot.store import RecentStore
from retrieval import Answer, Result, Source


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


def test_buttons_fit_64_bytes_even_for_long_passage_ids() -> None:
    long_ids: RecentStore[str] = RecentStore(10)
    ids = ["e2ed228980a39843", "段落" * 40, "x" * 63]
    markup = keyboards.answer_keyboard(make_answer(ids, True), key="AbCdEf12", offset=999_990,
                                       per_page=3, long_ids=long_ids)
    data = all_data(markup)
    assert all(len(d.encode("utf-8")) <= keyboards.CALLBACK_LIMIT for d in data)
    decoded = [keyboards.parse(d) for d in data]
    assert decoded[0] == ContextButton(passage_id="e2ed228980a39843")
    # The over-long id travels as a key into the store and resolves back to itself.
    assert decoded[1].passage_id is None and long_ids.get(decoded[1].key) == "段落" * 40
    assert PageButton("AbCdEf12", 999_987) in decoded


def test_page_buttons_only_where_there_is_a_page() -> None:
    store: RecentStore[str] = RecentStore(10)
    first = keyboards.answer_keyboard(make_answer(["a", "b", "c"], True), key="k", offset=0,
                                      per_page=3, long_ids=store)
    assert keyboards.parse(all_data(first)[-1]) == PageButton("k", 3)
    assert not any(d.startswith("p:") and d.endswith(":0") for d in all_data(first))
    last = keyboards.answer_keyboard(make_answer(["g", "h", "i"], False), key="k", offset=6,
                                     per_page=3, long_ids=store)
    pages = [keyboards.parse(d) for d in all_data(last) if d.startswith("p:")]
    assert pages == [PageButton("k", 3)]  # only "previous"
    only = keyboards.answer_keyboard(make_answer(["a"], False), key="k", offset=0, per_page=3,
                                     long_ids=store)
    assert not any(d.startswith("p:") for d in all_data(only))


@given(st.text(max_size=80))
def test_parse_never_raises_and_rejects_foreign_data(data: str) -> None:
    parsed = keyboards.parse(data)
    if not data.startswith(("p:", "x:", "x~")):
        assert parsed is None


def test_parse_rejects_malformed_page_data() -> None:
    assert keyboards.parse("p:key:") is None
    assert keyboards.parse("p:key:-1") is None
    assert keyboards.parse("p::3") is None
    assert keyboards.parse(None) is None


def test_store_is_bounded_and_forgets_the_oldest() -> None:
    store: RecentStore[int] = RecentStore(2)
    a, b = store.put(1), store.put(2)
    assert store.get(a) == 1  # a is now the most recent
    c = store.put(3)
    assert store.get(b) is None and store.get(a) == 1 and store.get(c) == 3
    assert len(store) == 2
    assert all(len(k) == 8 and ":" not in k for k in (a, b, c))
