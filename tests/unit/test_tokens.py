"""One tokenizer for passages and queries: normal forms, evidence words, highlight spans."""

from __future__ import annotations

import pytest

from retrieval import Engine, RetrievalSettings
from retrieval.tokens import Tokenizer


@pytest.fixture(scope="module")
def tokenizer(base_settings: RetrievalSettings) -> Tokenizer:
    return Tokenizer(base_settings.user_dict, base_settings.stopwords)


def test_question_words_are_not_evidence(tokenizer: Tokenizer) -> None:
    terms = tokenizer.query_terms("教师队伍建设有哪些要求？怎么落实？")
    assert "教师队伍建设" in terms and "要求" in terms
    for word in ("哪些", "怎么", "有", "#哪", "#怎", "？"):
        assert word not in terms


def test_user_dictionary_keeps_policy_terms_whole(tokenizer: Tokenizer) -> None:
    assert "县管校聘" in tokenizer.tokens("全面推行中小学教师县管校聘改革试点")
    assert "师德师风" in tokenizer.tokens("加强师德师风建设")


def test_full_width_traditional_and_case_fold_to_one_form(tokenizer: Tokenizer) -> None:
    assert tokenizer.query_terms("教師隊伍建設") == tokenizer.query_terms("教师队伍建设")
    assert tokenizer.tokens("ＡＩ教育２０２４") == tokenizer.tokens("ai教育2024")


def test_characters_can_be_left_out(base_settings: RetrievalSettings) -> None:
    words_only = Tokenizer(base_settings.user_dict, base_settings.stopwords, characters=False)
    tokens = words_only.tokens("全面推行中小学教师县管校聘改革试点")
    assert "县管校聘" in tokens and all(map(Tokenizer.is_word, tokens))
    assert words_only.fingerprint() != Tokenizer(base_settings.user_dict,
                                                 base_settings.stopwords).fingerprint()


def test_mentions_are_dropped(tokenizer: Tokenizer) -> None:
    assert tokenizer.query_terms("@policybot 县管校聘") == tokenizer.query_terms("县管校聘")


def test_spans_point_at_original_characters(tokenizer: Tokenizer) -> None:
    text = "①要落实“县管校聘”改革…加强教師隊伍建設，ＡＩ赋能。"
    terms = set(tokenizer.query_terms("县管校聘 教师队伍建设 ai"))
    marked = [text[a:b] for a, b in tokenizer.spans(text, terms)]
    assert "县管校聘" in marked
    assert "教師隊伍建設" in marked  # traditional in the text, simplified in the query
    assert "ＡＩ" in marked


def test_traditional_query_finds_simplified_passage(seed_engine: Engine) -> None:
    simplified = seed_engine.ask("师德师风 零容忍")
    traditional = seed_engine.ask("師德師風 零容忍")
    assert traditional.answered
    assert [r.id for r in traditional.results] == [r.id for r in simplified.results]
    assert "零容忍" in traditional.results[0].text


def test_spans_mark_whole_words_never_pieces_across_a_compound(tokenizer: Tokenizer) -> None:
    # jieba keeps 干部队伍 whole; search mode adds 干部, 部队 and 队伍 inside it. 部队 (here a
    # synonym of 队伍) straddles 干部|队伍: marked, it would join 队伍 into 干**部队伍**.
    text = "加强干部队伍建设"
    marked = [text[a:b] for a, b in tokenizer.spans(text, {"队伍", "部队", "#队伍", "#部队"})]
    assert marked == ["队伍"]
    assert [text[a:b] for a, b in tokenizer.spans(text, {"干部队伍"})] == ["干部队伍"]


def test_spans_mark_a_dictionary_piece_of_a_compound(tokenizer: Tokenizer) -> None:
    text = "贯彻义务教育法"
    assert [text[a:b] for a, b in tokenizer.spans(text, {"教育"})] == ["教育"]


def test_character_pairs_are_evidence_but_never_marked(tokenizer: Tokenizer) -> None:
    text = "依从善道"  # 依从|善道: the pair 从善 crosses the words
    terms = set(tokenizer.query_terms("从善"))
    assert any(t.startswith("#") for t in terms)
    assert tokenizer.spans(text, terms) == []
