"""Questions become weighted terms: their own tokens, plus thesaurus synonyms the corpus holds."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import ConfigError, Engine
from retrieval.query import QueryBuilder, Thesaurus
from retrieval.tokens import Tokenizer
from tests.conftest import SEEDS


def test_thesaurus_reads_cilin_synonym_groups_and_plain_lines(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("# a comment line\n"
                    "Aa01A05= 匹夫 个人\n"
                    "Aa01B03# 良民 顺民\n"          # related words, not synonyms
                    "Aa01C05@ 众学生\n"             # a word on its own
                    "Ae07A01= 教师 老师 师 教员\n"  # the single character is too ambiguous
                    "摊贩 小贩 摊贩\n", encoding="utf-8")
    thesaurus = Thesaurus.load([path])
    assert thesaurus.synonyms("匹夫") == ("个人",)
    assert thesaurus.synonyms("良民") == () and thesaurus.synonyms("众学生") == ()
    assert thesaurus.synonyms("老师") == ("教师", "教员")
    assert thesaurus.synonyms("师") == ()
    assert thesaurus.synonyms("小贩") == ("摊贩",)
    assert len(thesaurus) == 7  # words that have synonyms


def test_thesaurus_words_are_normalized_like_questions(tokenizer: Tokenizer,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "synonyms.txt"
    path.write_text("教師 老師\n", encoding="utf-8")  # traditional characters
    assert Thesaurus.load([path], tokenizer.normalize).synonyms("老师") == ("教师",)


def test_unreadable_thesaurus_names_the_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    with pytest.raises(ConfigError, match=r"missing\.txt"):
        Thesaurus.load([missing])
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00\xd8 not utf-8 \x80")
    with pytest.raises(ConfigError, match=r"binary\.txt"):
        Thesaurus.load([binary])


def test_synonyms_are_added_only_when_the_corpus_has_them(tokenizer: Tokenizer) -> None:
    thesaurus = Thesaurus([["老师", "教师", "教员"], ["学校", "院校"]])
    builder = QueryBuilder(tokenizer, thesaurus, synonym_weight=0.5)
    query = builder.build("老师和学校", vocabulary={"教师", "学校"})
    assert query.weights["老师"] == 1.0 and query.weights["学校"] == 1.0
    assert query.weights["教师"] == 0.5
    assert "教员" not in query.weights and "院校" not in query.weights
    assert query.synonyms == {"老师": ("教师",)}
    assert query.terms == tuple(tokenizer.query_terms("老师和学校"))


def test_a_word_of_the_question_is_never_demoted_to_a_synonym(tokenizer: Tokenizer) -> None:
    builder = QueryBuilder(tokenizer, Thesaurus([["老师", "教师"]]), synonym_weight=0.5)
    query = builder.build("老师 教师", vocabulary={"老师", "教师"})
    assert query.weights["老师"] == query.weights["教师"] == 1.0
    assert query.synonyms == {}


def test_synonym_weight_zero_searches_the_question_alone(tokenizer: Tokenizer) -> None:
    builder = QueryBuilder(tokenizer, Thesaurus([["老师", "教师"]]), synonym_weight=0.0)
    query = builder.build("老师", vocabulary={"教师"})
    assert set(query.weights) == set(query.terms)


def test_everyday_word_finds_the_official_one_in_the_seeds(seed_engine: Engine) -> None:
    """小贩 never occurs in the speeches; the passage on 流动摊贩 answers, and 摊贩 is marked."""
    assert "小贩" not in seed_engine.index.vocab
    answer = seed_engine.ask("小贩", k=3)
    best = answer.results[0]
    assert answer.answered and "摊贩" in best.text
    assert any(best.quote[a:b] == "摊贩" for a, b in best.spans)


def test_a_synonym_adds_its_weighted_bm25_score(seed_engine: Engine, settings_for) -> None:
    plain = Engine.open(replace(settings_for(SEEDS), synonyms=()))
    question = "学校门口的小贩有人管吗"
    assert not plain.ask("小贩").answered  # shared characters alone are no answer
    with_synonyms = {r.id: r.score for r in seed_engine.ask(question, k=20).results}
    without = {r.id: r.score for r in plain.ask(question, k=20).results}
    row = next(r for r in range(len(seed_engine.store)) if "摊贩" in seed_engine.store.text(r))
    passage = seed_engine.store.get(row)
    added = seed_engine.settings.synonym_weight * seed_engine.index.term_weight("摊贩", row)
    assert added > 0
    assert with_synonyms[passage.id] == pytest.approx(without[passage.id] + added)
    assert sorted(with_synonyms, key=with_synonyms.get, reverse=True).index(passage.id) < 3


@pytest.fixture(scope="module")
def tokenizer(base_settings) -> Tokenizer:
    return Tokenizer(base_settings.user_dict, base_settings.stopwords)
