"""Cleaning and splitting of the real, messy seed files."""

from __future__ import annotations

import re

from retrieval import Engine
from retrieval.model import Speech
from retrieval.passages import speech_passages
from retrieval.speeches import clean_lines, split_speeches
from tests.conftest import SEEDS

BOILERPLATE = ["学习啦在线学习网", "文章地址", "由互联网用户分享整理", "的人还看了", "下面网友分享",
               "时间: 佩珊807 分享", "实用范文 >"]


def test_seeds_hold_nine_speeches_with_clean_titles(seed_engine: Engine) -> None:
    speeches = seed_engine.speeches()
    assert len(speeches) == 9
    assert [s.file[:3] for s in speeches].count("000") == 5
    titles = [s.title for s in speeches]
    assert "2024年度全县教育工作会议讲话稿" in titles
    assert "在全市教育工作座谈会上的讲话" in titles  # glued to 同志们: in the one-line file
    assert "教育局领导全市教育工作会议讲话稿" in titles  # "(3)" page suffix gone
    assert not any(t.startswith("第") and "篇" in t[:4] for t in titles)
    first = speeches[0]
    assert (first.year, first.level) == (2024, "县")
    assert any(s.level == "区" for s in speeches)


def test_boilerplate_never_reaches_a_passage(seed_engine: Engine) -> None:
    store = seed_engine.store
    texts = [store.text(i) for i in range(len(store))]
    for junk in BOILERPLATE:
        assert not any(junk in t for t in texts), junk
    assert not any(re.fullmatch(r"\s*\d+\s*", t) for t in texts)  # the stray trailing number
    assert not any(t in ("同志们：", "谢谢大家！") for t in texts)


def test_related_links_list_is_dropped() -> None:
    text = ("标题讲话\n同志们：\n今天讲三点意见，请大家认真落实。\n\n"
            "学习啦在线学习网   看过标题讲话的人还看了:\n\n1.领导讲话\n\n2.教育局讲话\n")
    lines = [line for line in clean_lines(text) if line]
    assert lines == ["标题讲话", "同志们：", "今天讲三点意见，请大家认真落实。"]


def test_one_line_speech_is_split_into_sections(seed_engine: Engine) -> None:
    speech = next(i for i, s in enumerate(seed_engine.speeches()) if s.file.startswith("003"))
    rows = [r for r in range(len(seed_engine.store)) if seed_engine.store.speech_of(r) == speech]
    passages = [seed_engine.store.get(r) for r in rows]
    assert len(passages) >= 15
    assert all(len(p.text) <= 400 for p in passages)
    sections = {p.section for p in passages}
    assert any(s.startswith("一、回顾过去") for s in sections)
    assert any("›" in s and "(一)" in s for s in sections)


def test_run_on_paragraph_is_cut_at_each_point_of_a_list() -> None:
    """一是/二是 and 一要/二要 open the points of a list: each point is a passage of its own."""
    points = ["一要落实教师待遇。" + "去年以来各地改善待遇，" * 12 + "成效明显。",
              "二要完善补充机制。" + "农村学校缺少教师，" * 12 + "必须补足。",
              "三是加强教师交流。" + "县域内轮岗交流，" * 12 + "形成制度。"]
    speech = Speech(file="a.txt", index=0, title="讲话", lines=("".join(points),))
    texts = [p.text for p in speech_passages(speech, 0, max_chars=300, min_chars=40)]
    assert texts == points


def test_short_list_is_cut_too_and_its_opening_joins_the_first_point() -> None:
    line = ("第五，加强党的领导。党的领导是根本保证。"
            "一是严格落实党委教育工作领导小组议事规则，确保方针政策全面落实。"
            "二是加强基层党组织建设，发挥学校党组织战斗堡垒作用和党员先锋模范作用。")
    speech = Speech(file="a.txt", index=0, title="讲话", lines=(line,))
    passages = speech_passages(speech, 0, max_chars=300, min_chars=40)
    assert [p.text for p in passages] == [
        "党的领导是根本保证。一是严格落实党委教育工作领导小组议事规则，确保方针政策全面落实。",
        "二是加强基层党组织建设，发挥学校党组织战斗堡垒作用和党员先锋模范作用。"]
    assert {p.section for p in passages} == {"第五，加强党的领导"}


def test_lines_broken_mid_paragraph_are_joined(seed_engine: Engine) -> None:
    # 000 breaks "教育发展总体水" / "平还有待提高" across two lines.
    hits = [seed_engine.store.text(r) for r in range(len(seed_engine.store))
            if "教育发展总体水平还有待提高" in seed_engine.store.text(r)]
    assert len(hits) == 1


def test_section_paths_and_positions(seed_engine: Engine) -> None:
    answer = seed_engine.ask("县管校聘")
    source = answer.results[0].source
    assert source.title == "在全市教育工作会议讲话稿"
    assert source.section == "第四，坚持精准施策，加快补齐教育短板"
    assert source.position > 1


def test_marker_titles_and_subtitles() -> None:
    text = ("第一篇讲话\n同志们：\n内容一。\n第二篇：教育工作会议讲话稿\n教育工作会议讲话稿\n"
            "——打造特色文化\n同志们：\n一、总体要求\n内容二很长很长。\n")
    speeches = split_speeches(text, "x.txt")
    assert [s.title for s in speeches] == ["第一篇讲话", "教育工作会议讲话稿——打造特色文化"]
    assert "一、总体要求" in speeches[1].lines


def test_markdown_markers_are_not_text() -> None:
    text = ("# 关于课后服务的讲话\n\n同志们：\n\n## 一、总体要求\n\n"
            "- 要做到应开尽开。\n> 引文照录。\n")
    speech = split_speeches(text, "notes.md")[0]
    assert speech.title == "关于课后服务的讲话"
    assert "一、总体要求" in speech.lines and "要做到应开尽开。" in speech.lines
    assert split_speeches(text, "notes.txt")[0].title.startswith("#")  # only for Markdown


def test_seed_files_are_the_shared_ones() -> None:
    shared = SEEDS.parent.parent / "shared" / "seeds"
    if shared.is_dir():
        for f in shared.iterdir():
            assert (SEEDS / f.name).read_bytes() == f.read_bytes()
