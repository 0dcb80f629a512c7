"""Scope named in a question: years, provincial and city places, explicit filter syntax."""

from __future__ import annotations

import jieba
import jieba.posseg
import pytest

from retrieval.scope import (
    Scope,
    canonical_place,
    may_name_place,
    place_gazetteer,
    places_in,
    question_scope,
)

jieba.setLogLevel(60)
PROVINCES = ("四川省", "广西壮族自治区", "内蒙古自治区", "西藏自治区", "北京市", "广东省", "甘肃省")


def tag(question: str) -> list[tuple[str, str]]:
    return [(w.word, w.flag) for w in jieba.posseg.lcut(question)]


def scope_of(question: str, known: tuple[str, ...] = PROVINCES):
    return question_scope(question, known, tag, this_year=2026)


def test_scope_merge_lets_explicit_fields_win() -> None:
    asked = Scope(since=2019, until=2019, places=("四川省",))
    assert Scope().is_empty and not asked.is_empty
    merged = asked.merged(Scope(since=2015, doc="政府工作报告"))
    assert merged == Scope(since=2015, until=2019, places=("四川省",), doc="政府工作报告")
    assert asked.merged(Scope()) == asked


@pytest.mark.parametrize(("name", "full"), [
    ("四川", "四川省"), ("川", "四川省"), ("蜀", "四川省"), ("四川省", "四川省"),
    ("广西", "广西壮族自治区"), ("桂", "广西壮族自治区"), ("内蒙古", "内蒙古自治区"),
    ("香港", "香港特别行政区"), ("廣東", "广东省"), ("黑龍江", "黑龙江省"),
    ("深圳", "深圳"), ("深圳市", "深圳市"), ("天水市", "天水市"), ("密云区", "密云区"),
    ("城市", None), ("全市", None), ("社区", None), ("美国", None),
])
def test_canonical_place(name: str, full: str | None) -> None:
    assert canonical_place(name) == full


@pytest.mark.parametrize(("title", "places"), [
    ("2026年四川省人民政府工作报告", ["四川省"]),
    ("在全市教育工作会议上的讲话", []),
    ("1998年中华人民共和国国务院政府工作报告", []),
    ("天水市2026年政府工作报告", ["天水市"]),
    ("中共鲁山县委书记在全县教育大会上的讲话", ["鲁山县"]),
    ("北京市密云区教育工作会议", ["北京市", "密云区"]),
    ("关于农产品市场和社区园区建设的通知", []),
    ("廣東省人民政府", ["广东省"]),
])
def test_places_in_titles(title: str, places: list[str]) -> None:
    assert places_in(title) == places


@pytest.mark.parametrize(("question", "since", "until"), [
    ("2019年定的经济增长目标是多少", 2019, 2019),
    ("19年GDP预期目标多少", 2019, 2019),
    ("97年的报告讲了什么", 1997, 1997),
    ("二〇一九年的报告", 2019, 2019),
    ("２０１９年的报告", 2019, 2019),
    ("2015-2019年粮食产量", 2015, 2019),
    ("2015至2019年粮食产量", 2015, 2019),
    ("2018到2022这五年累计减税多少", 2018, 2022),
    ("2015年以来脱贫人口", 2015, None),
    ("2019年以前的安排", None, 2019),
])
def test_years(question: str, since: int | None, until: int | None) -> None:
    scope = scope_of(question).implied
    assert (scope.since, scope.until) == (since, until)


@pytest.mark.parametrize("question", [
    "今年新增就业目标", "去年GDP增长多少", "赤字规模2.5万亿", "安排3000亿元", "投资2000亿元",
    "隧道长1500米", "改革开放30年来", "80年代初涨工资", "近10年变化", "PM2.5浓度",
])
def test_not_years(question: str) -> None:
    scope = scope_of(question).implied
    assert (scope.since, scope.until) == (None, None)


@pytest.mark.parametrize(("question", "document"), [
    ("2015年政府工作报告GDP增长目标", True),
    ("2013年报告里养老金涨多少", True),
    ("1997年的报告说普及九年义务教育的县", True),
    ("2026年国务院政府工作报告里赤字率", True),
    ("21年GDP预期目标多少", True),
    ("2011年保障性住房计划开工多少套", True),
    ("1953年底全国高校学生多少", False),
    ("1979年职工的年平均工资是多少", False),
    ("十年规划要求到1985年钢产量达到多少", False),
    ("城市里养狗要办证吗", False),
])
def test_document_year(question: str, document: bool) -> None:
    assert scope_of(question).document_year is document


def test_places_match_known_documents_by_any_form() -> None:
    assert scope_of("四川今年新增就业目标").implied.places == ("四川省",)
    assert scope_of("川今年新增就业目标").implied.places == ("四川省",)
    assert scope_of("廣東出生人口是不是破百萬").implied.places == ("广东省",)
    assert scope_of("西藏2026年地区生产总值增长目标").implied.places == ("西藏自治区",)
    both = scope_of("北京和四川的就业目标").implied.places
    assert both == ("北京市", "四川省")


def test_short_form_counts_only_as_a_word_of_its_own() -> None:
    assert scope_of("山川秀美的生态建设").implied.places == ()
    assert scope_of("新增就业目标").implied.places == ()


def test_city_of_a_known_document_matches_without_suffix() -> None:
    known = (*PROVINCES, "天水市")
    assert scope_of("天水市今年的重点工作", known).implied.places == ("天水市",)
    assert scope_of("甘肃天水今年的重点工作", known).implied.places == ("甘肃省", "天水市")
    # A place no document's metadata states is still the question's place: documents may
    # name it only in their text.
    assert scope_of("深圳今年的重点工作", PROVINCES).implied.places == ("深圳",)


def test_places_no_metadata_states_are_implied_all_the_same() -> None:
    assert scope_of("深圳2026年GDP增长目标定的多少").implied.places == ("深圳",)
    assert scope_of("鲁山县有几个学生考上清华").implied.places == ("鲁山县",)
    assert scope_of("香港今年的财政预算").implied.places == ("香港特别行政区",)
    assert scope_of("深圳2026年GDP增长目标定的多少").unknown_places == ()  # typed ones only


def test_a_bare_place_word_needs_the_dictionary_or_a_time_word() -> None:
    """jieba tags verbs and nouns ns too (惠及, 山区): a bare ns word is a place only before a
    time word, or when the dictionary knows it with a suffix (深圳市)."""
    def settlement(word: str) -> bool:
        return word in {"深圳", "杭州"}
    assert question_scope("深圳的餐馆什么时候恢复堂食", (), tag,
                          settlement=settlement).implied.places == ("深圳",)
    assert question_scope("首批惠及多少名老师", (), tag,
                          settlement=settlement).implied.places == ()
    assert question_scope("深圳的餐馆什么时候恢复堂食", (), tag).implied.places == ()


@pytest.mark.parametrize("question", [
    "美国对华关税的影响", "全国高校学生多少", "中国经济增长", "东北振兴的举措",
    "三峡大坝当初是怎么提交人大批的", "新开发的住宅区要不要配建幼儿园", "老工业区改造",
    "天水幼儿园铅超标那件事",
])
def test_no_place_scope(question: str) -> None:
    scoped = scope_of(question)
    assert scoped.implied.places == () and scoped.unknown_places == ()


def test_explicit_filters_are_read_and_removed() -> None:
    scoped = scope_of("年:2015-2019 地：四川 文:政府工作报告 就业目标")
    assert scoped.explicit == Scope(since=2015, until=2019, places=("四川省",),
                                    doc="政府工作报告")
    assert scoped.implied.is_empty and scoped.text == "就业目标" and scoped.typed
    english = scope_of("employment year:2019 place:深圳")
    assert (english.explicit.since, english.explicit.until) == (2019, 2019)
    assert english.explicit.places == ("深圳",)
    assert english.unknown_places == ("深圳",) and english.text == "employment"


def test_explicit_filter_needs_its_own_word() -> None:
    scoped = scope_of("今年:就业目标")
    assert scoped.text == "今年:就业目标" and scoped.explicit.is_empty


@pytest.mark.parametrize("question", [
    "深圳的餐馆什么时候恢复堂食", "武汉市2020年复工", "廣東的教育投入", "川渝合作",
    "天水有哪些安排", "2024年北京和上海的做法", "首批惠及多少名老师",
])
def test_questions_the_gazetteer_lets_through_are_scoped_as_tagged(question: str) -> None:
    """A question holding a word that could name a place is tagged as before; the gazetteer
    only spares the tagger questions that hold none."""
    known = (*PROVINCES, "天水市")
    words = place_gazetteer(jieba.posseg.dt.word_tag_tab, known)
    longest = max(map(len, words))
    assert may_name_place(question, words, longest)


@pytest.mark.parametrize("question", [
    "教师队伍建设有哪些要求？", "县管校聘改革怎么推进？", "双减 作业设计", "课后服务",
])
def test_questions_naming_no_place_need_no_tagging(question: str) -> None:
    words = place_gazetteer(jieba.posseg.dt.word_tag_tab, PROVINCES)
    assert not may_name_place(question, words, max(map(len, words)))
    assert scope_of(question).implied.places == ()  # the tagger finds none either
