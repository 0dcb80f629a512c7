"""The engine: answers, abstention, duplicates, context, and the index cache."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np

from retrieval import Engine
from tests.conftest import SEEDS


def test_answer_quotes_verbatim_with_highlights(seed_engine: Engine) -> None:
    answer = seed_engine.ask("教师队伍建设有哪些要求？")
    assert answer.answered and len(answer.results) == 3
    for result in answer.results:
        assert result.quote.replace("……", "") in result.text.replace("……", "") or \
            all(part in result.text for part in result.quote.split("……") if part)
        assert result.spans, "matched terms are marked"
        assert all(0 <= a < b <= len(result.quote) for a, b in result.spans)
        assert result.source.title and result.source.position >= 1
    marked = {r.quote[a:b] for r in answer.results for a, b in r.spans}
    assert "教师队伍建设" in marked


def test_off_topic_questions_abstain(seed_engine: Engine) -> None:
    for question in ("公积金贷款买房最高能贷多少？", "新生儿落户需要带哪些材料？", "？？？", ""):
        assert not seed_engine.ask(question).answered, question


def test_long_passage_is_quoted_by_its_best_sentences(seed_engine: Engine) -> None:
    answer = seed_engine.ask("集团化办学 教师交流比例", k=5)
    long = [r for r in answer.results if len(r.text) > seed_engine.settings.quote_max_chars]
    assert long, "the seeds have long passages for this question"
    for r in long:
        assert "……" in r.quote and len(r.quote) < len(r.text)
        for part in filter(None, r.quote.split("……")):
            assert part in r.text


def test_paging_is_consistent(seed_engine: Engine) -> None:
    first = seed_engine.ask("学生资助", k=3)
    second = seed_engine.ask("学生资助", k=3, offset=3)
    whole = seed_engine.ask("学生资助", k=6)
    assert [r.id for r in first.results + second.results] == [r.id for r in whole.results]
    assert [r.rank for r in second.results] == [4, 5, 6]


def test_neighbours_stay_in_the_speech(seed_engine: Engine) -> None:
    result = seed_engine.ask("县管校聘").results[0]
    around = seed_engine.neighbours(result.id, before=2, after=2)
    assert result.id in [p.id for p in around]
    assert len({p.title for p in around}) == 1
    positions = [p.position for p in around]
    assert positions == sorted(positions) and len(positions) >= 3
    assert seed_engine.neighbours("no-such-id") == []
    assert seed_engine.passage(result.id).text == result.text


def test_same_text_in_two_speeches_is_returned_once(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("000_f1b6332377edca26.txt", "004_ed1c8e3fc5ee3751.txt"):
        shutil.copy(SEEDS / name, corpus / name)
    shutil.copy(SEEDS / "004_ed1c8e3fc5ee3751.txt", corpus / "copy_of_004.txt")
    engine = Engine.open(settings_for(corpus))
    answer = engine.ask("全年落实各类保障资金", k=5)
    texts = [r.text for r in answer.results]
    assert len(texts) == len(set(texts))
    assert sum("4.04亿元" in t for t in texts) == 1


def test_ids_are_stable_across_rebuilds(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    first = Engine.open(settings_for(corpus))
    ids = [first.store.get(i).id for i in range(len(first.store))]
    shutil.rmtree(tmp_path / "cache")
    (corpus / "zz_new.txt").write_text("新的讲话\n同志们：\n要抓好课后服务。\n", "utf-8")
    second = Engine.open(settings_for(corpus))
    assert [second.store.get(i).id for i in range(len(ids))] == ids


def test_cache_is_reused_and_invalidated(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    built = Engine.open(settings_for(corpus)).report
    assert not built.loaded_from_cache
    again = Engine.open(settings_for(corpus))
    assert again.report.loaded_from_cache and again.report.passages == built.passages > 300

    with (corpus / "002_1aca795cacdec612.txt").open("a", encoding="utf-8") as f:
        f.write("\n补充：要落实课后服务全覆盖。\n")
    changed = Engine.open(settings_for(corpus))
    assert not changed.report.loaded_from_cache
    assert changed.ask("课后服务全覆盖").answered

    other_config = Engine.open(settings_for(corpus, passage_max_chars=200))
    assert not other_config.report.loaded_from_cache
    assert other_config.report.passages > changed.report.passages


def test_added_file_is_appended_without_rebuilding(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = settings_for(corpus)
    before = Engine.open(settings)
    (corpus / "zz_new.txt").write_text(
        "关于课后服务的讲话\n同志们：\n要全面推行课后服务“五加二”模式，做到应开尽开。\n", "utf-8")
    after = Engine.open(settings)
    assert len(after.index.segments) == 2  # appended, not rebuilt
    assert after.report.passages == before.report.passages + 1
    assert after.ask("课后服务五加二").results[0].source.file == "zz_new.txt"
    rebuilt = Engine.open(replace(settings, cache_dir=tmp_path / "fresh"))
    assert len(rebuilt.index.segments) == 1
    query = after.tokenizer.query_terms("课后服务 教师队伍建设")
    np.testing.assert_allclose(after.index.all_scores(query), rebuilt.index.all_scores(query),
                               rtol=1e-12)
    reopened = Engine.open(settings)
    assert reopened.report.loaded_from_cache and len(reopened.index.segments) == 2


def test_corrupt_or_foreign_cache_is_reported_and_rebuilt(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    settings = settings_for(corpus)
    Engine.open(settings)
    segment = next((settings.cache_dir / "segments").iterdir())
    manifest = next(settings.cache_dir.glob("*.json"))

    tf = segment / "tf.npy"
    tf.write_bytes(tf.read_bytes()[:-100])  # truncated
    rebuilt = Engine.open(settings)
    assert not rebuilt.report.loaded_from_cache
    assert "truncated" in rebuilt.report.cache_problem
    assert rebuilt.ask("县管校聘").answered

    data = json.loads(manifest.read_text("utf-8"))
    manifest.write_text(json.dumps({**data, "format": "someone-else/9"}), "utf-8")
    foreign = Engine.open(settings)
    assert "another version" in foreign.report.cache_problem

    manifest.write_text("{not json", "utf-8")
    garbled = Engine.open(settings)
    assert "not readable JSON" in garbled.report.cache_problem
    assert Engine.open(settings).report.loaded_from_cache


def test_a_warmed_engine_has_loaded_its_tagger_and_answers_as_a_cold_one(
        settings_for, tmp_path: Path) -> None:
    cold = Engine.open(settings_for(SEEDS))
    warmed = Engine.open(settings_for(SEEDS))
    warmed.warm()
    assert "_gazetteer" in warmed.__dict__ and "_gazetteer" not in cold.__dict__
    for question in ("教师队伍建设有哪些要求？", "“立德树人”", "四川的学校安保经费由谁承担",
                     "乡村教师待遇龘龖", "年:2019 双减"):
        assert warmed.ask(question) == cold.ask(question), question


def test_an_empty_index_warms_without_asking(settings_for, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    engine = Engine.open(settings_for(empty))
    engine.warm()
    assert engine.ask("教师").results == ()
