"""Asking a corpus of several documents: scope named in the question or given as filters,
exact formulations, plain reasons when nothing answers, words no document holds, copies."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Engine, Scope

TARGET = "今年主要预期目标是：地区生产总值增长{g}%左右，城镇新增就业{j}万人以上。"
SCHOOLS = "推进义务教育优质均衡发展，新建中小学校{n}所，实施中小学食堂提质升级行动。"
REPORT = """{year}年{place}政府工作报告
——{year}年1月20日在{place}人民代表大会会议上
各位代表：
一、过去一年工作回顾
过去一年，全{kind}经济运行稳中有进，发展质量稳步提升，民生保障扎实有力。
二、{year}年主要目标任务
{target}
{schools}
三、加强政府自身建设
坚持依法行政，建设法治政府，持续改进作风，切实减轻基层负担。
"""
NATIONAL = """{year}年中华人民共和国国务院政府工作报告
各位代表：
一、{year}年经济社会发展总体要求
{target}赤字率拟按3%安排。大力发展“新质生产力”，推动高质量发展。
"""


def report(year: int, place: str, growth: str, jobs: int, schools: int) -> str:
    kind = "市" if place.endswith("市") else "省"
    return REPORT.format(year=year, place=place, kind=kind,
                         target=TARGET.format(g=growth, j=jobs),
                         schools=SCHOOLS.format(n=schools))


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory, base_settings) -> Engine:
    from dataclasses import replace
    corpus = tmp_path_factory.mktemp("reports")
    files = {"sichuan-2026.txt": report(2026, "四川省", "5", 80, 120),
             "tianjin-2026.txt": report(2026, "天津市", "5.5", 38, 20),
             "sichuan-2025.txt": report(2025, "四川省", "6", 85, 150),
             "national-2024.txt": NATIONAL.format(year=2024, target=TARGET.format(g="5", j=1200)),
             "repost.txt": "四川新闻\n转载：\n" + SCHOOLS.format(n=120) + "\n其他报道内容在此。\n"}
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return Engine.open(replace(base_settings.with_corpus([corpus]),
                               cache_dir=tmp_path_factory.mktemp("reports-cache")))


def top_file(answer) -> str:
    return answer.results[0].source.file


def test_documents_carry_year_and_place(engine: Engine) -> None:
    docs = {d.file: d for d in engine.documents()}
    assert (docs["sichuan-2026.txt"].year, docs["sichuan-2026.txt"].place) == (2026, "四川省")
    assert (docs["tianjin-2026.txt"].date, docs["tianjin-2026.txt"].place) == ("2026-01-20",
                                                                           "天津市")
    assert docs["national-2024.txt"].place is None


def test_a_year_and_a_place_named_in_the_question_rank_the_document_first(
        engine: Engine) -> None:
    answer = engine.ask("四川2025年城镇新增就业目标是多少")
    assert answer.answered and top_file(answer) == "sichuan-2025.txt"
    assert answer.note == "优先：2025年；四川省。"
    # Preferred, not filtered: the other documents are still there, after it.
    assert len({r.source.file for r in answer.results}) > 1
    assert answer.results[0].prior > 0 and answer.results[0].score > 0
    assert top_file(engine.ask("天津今年的经济增长目标")) == "tianjin-2026.txt"


@pytest.fixture(scope="module")
def regulator(tmp_path_factory: pytest.TempPathFactory, base_settings) -> Engine:
    """The real .doc files of tests/data/real: one regulator's rules and notices."""
    import shutil
    from dataclasses import replace
    corpus = tmp_path_factory.mktemp("regulator")
    for doc in (Path(__file__).parents[1] / "data" / "real").glob("w*.doc"):
        shutil.copy(doc, corpus / doc.name)
    return Engine.open(replace(base_settings.with_corpus([corpus]),
                               cache_dir=tmp_path_factory.mktemp("regulator-cache")))


def test_a_place_stated_only_in_the_text_is_preferred_too(tmp_path: Path, settings_for) -> None:
    """Notices state their place in their first sentence, not in any metadata: the document
    that names the place is preferred, and the others are never removed."""
    body = "为做好疫情防控期间返岗复工工作，对外地返岗职工给予一次性交通补贴，每人{n}元。"
    head = "武汉市人力资源和社会保障局关于复工的通知 "
    (tmp_path / "a1.txt").write_text(head + body.format(n=500) + "咨询电话：12333。", "utf-8")
    (tmp_path / "b2.txt").write_text("关于复工的通知 " + body.format(n=300), "utf-8")
    engine = Engine.open(settings_for(tmp_path))
    answer = engine.ask("武汉对外地返岗职工的交通补贴每人多少")
    assert answer.answered and top_file(answer) == "a1.txt"
    assert {r.source.file for r in answer.results} == {"a1.txt", "b2.txt"}
    assert "优先：武汉" in answer.note and "没有" not in answer.note


def test_explicit_filters_and_typed_filters_agree(engine: Engine) -> None:
    by_flag = engine.ask("城镇新增就业目标", scope=Scope(since=2025, until=2025))
    typed = engine.ask("年:2025 城镇新增就业目标")
    assert top_file(by_flag) == top_file(typed) == "sichuan-2025.txt"
    placed = engine.ask("地:天津 新建中小学校多少所")
    assert {r.source.file for r in placed.results} == {"tianjin-2026.txt"}
    one = next(d for d in engine.documents() if d.file == "sichuan-2026.txt")
    within = engine.ask("食堂", scope=Scope(documents=(one.id,)))
    assert {r.source.file for r in within.results} == {"sichuan-2026.txt"}


def test_a_scope_the_question_implies_never_refuses(engine: Engine) -> None:
    """Named in the words, a year, place or report that no document is of gives the closest
    passages, marked as no direct answer, and never a sentence that the corpus lacks it."""
    for question in ("2023年政府工作报告GDP增长目标", "深圳2026年GDP增长目标定的多少",
                     "2026年国务院政府工作报告里赤字率按多少安排"):
        answer = engine.ask(question)
        assert not answer.answered and answer.reason == "no-match", question
        assert answer.results, question
        assert "没有" not in (answer.note or ""), question
    assert "深圳" in engine.ask("深圳2026年GDP增长目标定的多少").missing


def test_a_filter_no_document_matches_is_told_truly(engine: Engine) -> None:
    answer = engine.ask("年:2026 地:四川 文:国务院 赤字率")
    assert answer.reason == "scope-unmatched" and not answer.results
    # 国务院 is in a title (the 2024 report): it is the combination no document has.
    assert answer.note == "语料中没有同时符合2026年、四川省、标题含“国务院”的文件。"
    nothing = engine.ask("年:2030 就业目标")
    assert nothing.note == "语料中没有2030年的文件。"
    # A place the text names but no document's metadata states: said so, with the count.
    named = engine.ask("地:成都 食堂")
    assert named.reason == "scope-unmatched" and named.note == "语料中没有成都的文件。"


def test_explicit_filters_count_the_documents_they_leave_out(engine: Engine) -> None:
    answer = engine.ask("年:2026 城镇新增就业目标")
    # The repost states no year: it is left out, and the note says so.
    assert "另有 1 篇未注明年份的文件未计入" in answer.note
    assert {r.source.file for r in answer.results} <= {"sichuan-2026.txt", "tianjin-2026.txt"}


def test_an_event_year_prefers_that_year_and_the_next_years_report(engine: Engine) -> None:
    answer = engine.ask("2024年城镇新增就业目标")  # in the 2024 report, and 2025's looks back
    assert top_file(answer) in {"national-2024.txt", "sichuan-2025.txt"}


def test_exact_phrases_are_counted_and_only_passages_holding_them_are_returned(
        engine: Engine) -> None:
    answer = engine.ask("“食堂提质升级”")
    assert answer.answered and answer.phrase is not None
    assert (answer.phrase.passages, answer.phrase.documents) == (4, 4)
    assert all("食堂提质升级" in r.text for r in answer.results)
    # Newest document first; each quote has the phrase marked whole.
    assert answer.results[0].source.date.startswith("2026")
    first = answer.results[0]
    start = first.quote.index("食堂提质升级")
    assert (start, start + 6) in first.spans
    absent = engine.ask("“校长陪餐制度”")
    assert not absent.answered and absent.reason == "phrase-absent" and not absent.results
    mixed = engine.ask("「新质生产力」 高质量发展")
    assert mixed.answered and top_file(mixed) == "national-2024.txt"


def test_traditional_and_full_width_forms_match_a_phrase(engine: Engine) -> None:
    answer = engine.ask("「食堂提質升級」")
    assert answer.phrase.passages == 4


@pytest.mark.parametrize(("question", "reason"), [
    ("", "empty"), ("   ", "empty"), ("🤔🤔", "no-terms"), ("？？？", "no-terms"),
    ("的", "no-terms"), ("How are teachers paid?", "not-chinese")])
def test_why_nothing_answers_is_said(engine: Engine, question: str, reason: str) -> None:
    answer = engine.ask(question)
    assert not answer.answered and answer.reason == reason


def test_words_no_document_holds_are_named(engine: Engine) -> None:
    answer = engine.ask("校长陪餐制度")
    assert "陪餐" in answer.missing


def test_the_same_text_in_other_documents_is_shown_once_and_counted(engine: Engine) -> None:
    answer = engine.ask("新建中小学校120所", k=5)
    texts = [r.text for r in answer.results]
    assert len(texts) == len(set(texts))
    first = answer.results[0]
    assert "120所" in first.text and first.also_in == 1


def test_a_word_every_file_holds_still_finds_them_in_a_tiny_corpus(settings_for,
                                                                   tmp_path: Path) -> None:
    corpus = tmp_path / "tiny"
    corpus.mkdir()
    for n, topic in enumerate(["课后服务", "校园安全", "教师培训"]):
        (corpus / f"{n}.txt").write_text(f"关于{topic}的讲话\n今年的教育工作重点是{topic}。\n",
                                         encoding="utf-8")
    engine = Engine.open(settings_for(corpus))
    answer = engine.ask("教育工作")
    assert answer.results and all("教育工作" in r.text for r in answer.results)
    assert answer.results[0].score > 0


def test_quoted_words_in_a_longer_question_rank_first_or_are_said_absent(
        engine: Engine) -> None:
    ranked = engine.ask("关于“食堂提质升级”是怎么部署的")
    assert ranked.answered and "食堂提质升级" in ranked.results[0].text
    assert ranked.phrase is not None and ranked.phrase.passages == 4
    absent = engine.ask("关于“四个一批”的新建中小学校要求")
    assert absent.answered and absent.results  # answered from the question's words
    assert absent.note == "“四个一批”原文未出现。" and absent.phrase is None


def test_a_formulation_only_titles_hold_is_never_said_absent(engine: Engine) -> None:
    answer = engine.ask("“四川省政府工作报告”")
    assert answer.answered and answer.reason is None
    assert answer.note is not None and "“四川省政府工作报告”只见于 2 篇文件的标题" in answer.note
    (shown,) = answer.results  # the two reports open alike: one quote, the other counted
    assert shown.source.file.startswith("sichuan-") and shown.also_in == 1
    assert engine.ask("“火星基地建设”").reason == "phrase-absent"


def test_titles_holding_a_key_are_found_by_one_search_of_all_titles(engine: Engine) -> None:
    search = engine.search
    for key in ("政府工作报告", "四川省", "2025年四川省", "天津市政府", "报告2026", "火星"):
        assert search.titles_holding(key).tolist() == [
            i for i, title in enumerate(search._title_keys) if key in title]


def test_quoted_words_a_title_holds_name_the_document_the_rest_ranks_its_passages(
        notice_engine) -> None:
    engine = notice_engine(
        "关于推行“零见面审批”的公告\n"
        "推行“零见面审批”是方便群众办事的举措，“零见面审批”由区政务服务管理局组织实施。\n"
        "首批纳入清单的事项共1000个，由项目专员一对一对接办理。\n")
    answer = engine.ask("“零见面审批”首批清单有多少个事项？")
    assert answer.answered and "1000个" in answer.results[0].text  # not the phrase's passage
    assert answer.phrase is not None and answer.phrase.passages == 1  # the text's count


def test_words_no_text_holds_are_named_as_typed_and_checked_on_the_text(
        engine: Engine) -> None:
    answer = engine.ask("四川GDP和火星基地")
    assert "GDP" in answer.missing and "gdp" not in answer.missing
    assert "火星" in answer.missing
    # A string the text holds across two words is no token, yet it is there: never missing.
    assert engine.search.holds("区生产") and "区生产" not in engine.index.vocab
    # Each pair of characters of 人民生 stands in the text, yet the three together do not.
    assert engine.search.holds("人民") and engine.search.holds("民生")
    assert not engine.search.holds("人民生")


def test_a_corpus_all_about_the_question_answers_it(tmp_path: Path, settings_for) -> None:
    for i, town in enumerate(("东镇", "西镇", "南镇")):
        (tmp_path / f"{i}.txt").write_text(
            f"{town}控辍保学工作方案\n{town}全面落实控辍保学责任，确保适龄儿童少年不失学辍学。\n",
            "utf-8")
    engine = Engine.open(settings_for(tmp_path))
    answer = engine.ask("控辍保学")
    assert answer.answered and len({r.source.file for r in answer.results}) == 3


def test_a_question_quoting_a_title_is_answered_by_the_rest_of_its_words(
        regulator: Engine) -> None:
    """The title's words pick the document; the passage is told by the other words, not by
    which of its passages repeats the title (real .doc files of one regulator)."""
    answer = regulator.ask("上海保险专业中介机构合规管理暂行办法从什么时候开始施行？")
    assert answer.answered and "本办法自2021年7月1日起施行" in answer.results[0].text
    assert "《上海保险专业中介机构合规管理暂行办法》" in answer.note


def test_a_passage_matching_only_the_place_does_not_answer(tmp_path: Path,
                                                           settings_for) -> None:
    """The place says where, not what: its word counts less in the match share, so the one
    passage that names 武汉 does not answer a question about something else in 武汉."""
    (tmp_path / "a.txt").write_text(
        "武汉市人力资源和社会保障局关于复工的通知\n武汉市各用人单位要做好返岗复工工作。\n", "utf-8")
    others = ("各学校要做好开学准备，落实晨午检制度。", "各地要保障蔬菜供应，稳定市场价格。",
              "各医院要加强发热门诊管理，做好预检分诊。", "各社区要加强人员排查，做好登记。",
              "各企业要落实防控责任，做好员工健康监测。")
    for i, text in enumerate(others):
        (tmp_path / f"b{i}.txt").write_text(f"关于第{i}项工作的通知\n{text}\n", "utf-8")
    engine = Engine.open(settings_for(tmp_path))
    asked = engine.ask("武汉市餐馆堂食恢复营业")
    assert not asked.answered and asked.results and asked.reason == "no-match"
    assert engine.ask("武汉市返岗复工").answered


def test_a_place_filter_the_text_names_says_so_truly(tmp_path: Path, settings_for) -> None:
    """地:深圳 over a folder whose only report is Guangdong's: no document is of 深圳, yet the
    text names it; the answer says exactly that, never 语料中没有深圳的文件."""
    (tmp_path / "gd.txt").write_text(
        "2026年广东省政府工作报告\n支持深圳建设中国特色社会主义先行示范区，深化前海合作区改革。\n",
        "utf-8")
    engine = Engine.open(settings_for(tmp_path))
    answer = engine.ask("地:深圳 先行示范区")
    assert answer.reason == "scope-unmatched"
    assert answer.note == "没有注明深圳的文件；正文提到“深圳”的有 1 篇，去掉这个限定再问即可查到。"
    implied = engine.ask("深圳先行示范区建设")
    assert implied.answered and "深圳" in implied.results[0].text


def test_a_question_asking_for_a_part_gets_that_part_of_the_document_it_names(
        regulator: Engine) -> None:
    """文号是多少 / 落款日期是哪天: the passage that is that part of the named document first
    (real .doc files of one regulator)."""
    number = regulator.ask("浙江四部门加强个体工商户金融服务的通知文号是多少？")
    assert number.answered and number.results[0].text == "浙银保监发〔2021〕64号"
    assert number.results[0].source.section == "文号"
    signed = regulator.ask("个体工商户金融服务的通知落款日期是哪天？")
    assert "2021年5月12日" in signed.results[0].text
    assert signed.results[0].source.section.endswith("落款")


def test_asking_from_when_a_law_applies_finds_its_effective_clause(
        regulator: Engine) -> None:
    """…的施行日期: without a title quoted at length, the best document's 施行 clause comes
    first, not the articles that repeat its name."""
    answer = regulator.ask("合规管理暂行办法的施行日期？")
    assert answer.results[0].text.endswith("本办法自2021年7月1日起施行。")
    assert answer.results[0].source.section.endswith("施行")


def _resident_kb(name: str) -> int:
    """This process's resident kB of the mappings of files named `name` (Linux smaps)."""
    total, current = 0, ""
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5 and ":" not in head[0]:
            current = head[5] if len(head) > 5 else ""
        elif head and head[0] == "Rss:" and current.endswith("/" + name):
            total += int(head[1])
    return total


def test_a_scan_of_the_whole_text_does_not_stay_resident(
        engine: Engine, base_settings) -> None:
    loaded = Engine.open(engine.settings)  # from the cache: the texts are memory-mapped
    assert loaded.report.loaded_from_cache
    texts = [loaded.store.text(row) for row in range(len(loaded.store))]
    # Three characters no text holds, each pair of which some text does: the pairs admit the
    # word, so the text itself is searched before it is called absent.
    pairs = {t[i:i + 2] for t in texts for i in range(len(t) - 1) if "\u4e00" <= t[i] <= "\u9fff"}
    absent = next(a + b[1] for a in sorted(pairs) for b in sorted(pairs) if a[1] == b[0]
                  and b[1] >= "\u4e00" and not any(a + b[1] in t for t in texts))
    assert not loaded.search.holds(absent)
    assert _resident_kb("texts.bin") == 0 and _resident_kb("keys.bin") == 0
    # What was let go is read back as it was, and found again.
    assert [loaded.store.text(row) for row in range(len(loaded.store))] == texts
    assert loaded.search.holds("区生产") and not loaded.search.holds(absent)
