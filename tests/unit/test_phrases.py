"""Exact phrases: quoted in a question, found in passages whatever their width, script, spacing."""

from __future__ import annotations

import pytest

from retrieval import RetrievalSettings
from retrieval.phrases import find_phrase, phrase_key, split_phrases
from retrieval.tokens import Tokenizer


@pytest.fixture(scope="module")
def normalize(base_settings: RetrievalSettings):
    return Tokenizer(base_settings.user_dict, base_settings.stopwords).normalize


@pytest.mark.parametrize(("question", "phrases", "rest"), [
    ("“新质生产力”是哪年提出的", ("新质生产力",), "是哪年提出的"),
    ('"校长陪餐制度" 落实', ("校长陪餐制度",), "落实"),
    ("「双减」和『县管校聘』", ("双减", "县管校聘"), "和"),
    ("‘放管服’改革", ("放管服",), "改革"),
    ("‘A’级景区", (), "‘A’级景区"),
    ("“新质生产力 怎么提", (), "“新质生产力 怎么提"),
    ("“一带一路”与“一带一路”", ("一带一路",), "与"),
    ("“ ”空引号", (), "“ ”空引号"),
    ("没有引号的问题", (), "没有引号的问题"),
])
def test_split_phrases(question: str, phrases: tuple[str, ...], rest: str) -> None:
    assert split_phrases(question) == (phrases, rest)


def test_phrase_key_folds_width_script_case_and_space(normalize) -> None:
    assert phrase_key("新質 生產力", normalize) == "新质生产力"
    assert phrase_key("ＡＩ＋ 教育", normalize) == "ai+教育"


def test_find_phrase_in_traditional_and_full_width_text(normalize) -> None:
    text = "發展新質生產力，推進ＡＩ＋教育"
    assert find_phrase(text, "新质生产力", normalize) == [(2, 7)]
    start, end = find_phrase(text, "AI+教育", normalize)[0]
    assert text[start:end] == "ＡＩ＋教育"


def test_span_covers_whitespace_inside_the_text(normalize) -> None:
    text = "因地制宜发展新质\n 生产力。"
    [(start, end)] = find_phrase(text, "新质生产力", normalize)
    assert text[start:end] == "新质\n 生产力"


def test_spans_stay_on_original_positions_after_expanding_characters(normalize) -> None:
    # … and ① become several characters under NFKC; the spans must still index the original.
    text = "①……新质生产力，②新质生产力"
    spans = find_phrase(text, "新质生产力", normalize)
    assert [text[s:e] for s, e in spans] == ["新质生产力", "新质生产力"]
    assert spans[0] == (3, 8)
    [(start, end)] = find_phrase(text, "1......新质", normalize)
    assert text[start:end] == "①……新质"


def test_absent_or_empty_phrase_finds_nothing(normalize) -> None:
    assert find_phrase("建立校长陪餐记录", "校长陪餐制度", normalize) == []
    assert find_phrase("任何文字", "  ", normalize) == []


def test_occurrences_do_not_overlap(normalize) -> None:
    assert find_phrase("哈哈哈哈", "哈哈", normalize) == [(0, 2), (2, 4)]
