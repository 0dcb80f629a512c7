"""A user's folder of real files of every format, indexed and asked as a user would: each
document comes out titled and dated, with its sections and pages, and answers with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import Engine
from tests.support.make_docs import central_page, make_docx
from tests.support.make_pdf import Para, write_pdf

PDF_TITLE = "关于做好2025年中小学教师培训工作的通知"
PDF_BODY = [
    "各市教育局：",
    "一、总体要求",
    "坚持把教师培训作为教师队伍建设的基础工程，" * 6 + "全面提升教师专业素养。",
    "二、主要任务",
    "各地要实施乡村教师能力提升计划，" * 8 + "确保每位乡村教师每五年完成不少于360学时的培训。",
    "三、保障措施",
    "培训经费按照年度公用经费总额的5%安排，" * 5 + "专款专用，不得挪作他用。",
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    corpus = tmp_path_factory.mktemp("formats")
    paras = [Para("某省教育厅文件", size=26, align="center", red=True),
             Para(PDF_TITLE, size=22, align="center", gap_after=1),
             Para("某教师〔2025〕3号", align="center", gap_after=1)]
    paras += [Para(t, align="left" if len(t) < 10 else "indent") for t in PDF_BODY]
    write_pdf(corpus / "notice.pdf", paras, header="某省教育厅")
    (corpus / "plan.docx").write_bytes(make_docx(
        [("Title", "某县义务教育优质均衡发展实施方案"), ("Heading 1", "一、工作目标"),
         "到2027年，全县义务教育学校办学条件全部达到省定标准，" * 3 + "群众满意度明显提升。",
         ("Heading 1", "二、重点任务"), ("Heading 2", "（一）改善办学条件"),
         "新建、改扩建中小学校舍12万平方米，" * 3 + "消除大班额。"],
        table=[["项目", "数量"], ["新建学校", "3所"]], table_after=5))
    (corpus / "page.html").write_text(central_page().html, encoding="utf-8")
    return corpus


@pytest.fixture(scope="module")
def engine(folder: Path, tmp_path_factory: pytest.TempPathFactory, base_settings) -> Engine:
    from dataclasses import replace
    return Engine.open(replace(base_settings.with_corpus([folder]),
                               cache_dir=tmp_path_factory.mktemp("formats-cache")))


def test_every_format_is_read_into_titled_documents(engine: Engine) -> None:
    assert not engine.report.skipped
    by_file = {d.file: d for d in engine.documents()}
    assert set(by_file) == {"notice.pdf", "plan.docx", "page.html"}
    assert by_file["notice.pdf"].title == PDF_TITLE
    assert by_file["notice.pdf"].issuer == "某省教育厅文件"
    assert by_file["plan.docx"].title == "某县义务教育优质均衡发展实施方案"
    page = central_page()
    assert by_file["page.html"].title == page.title
    assert by_file["page.html"].date == "2018-01-31"
    assert by_file["page.html"].url.startswith("https://www.gov.cn/")


def test_pdf_passages_carry_their_page_and_section(engine: Engine) -> None:
    answer = engine.ask("乡村教师每五年培训多少学时")
    top = answer.results[0]
    assert answer.answered and top.source.file == "notice.pdf"
    assert "360学时" in top.text and top.source.page == 1
    assert top.source.section == "二、主要任务"
    texts = [engine.store.text(r) for r in range(len(engine.store))]
    assert not any("— 1 —" in t or t == "某省教育厅" for t in texts)  # page furniture
    pdf = [engine.store.get(r) for r in range(len(engine.store))
           if engine.store.get(r).file == "notice.pdf"]
    assert pdf[0].text.endswith("各市教育局：")  # the title block's tail: number, addressee
    assert all(p.page == 1 for p in pdf)  # every passage of a paged format has its page


def test_docx_heading_styles_become_sections_and_tables_rows(engine: Engine) -> None:
    answer = engine.ask("新建改扩建中小学校舍多少平方米")
    top = answer.results[0]
    assert top.source.file == "plan.docx"
    assert top.source.section == "二、重点任务 › （一）改善办学条件"
    texts = [engine.store.text(r) for r in range(len(engine.store))]
    assert "新建学校　3所" in texts


def test_html_page_keeps_its_article_and_drops_its_furniture(engine: Engine) -> None:
    page = central_page()
    texts = " ".join(engine.store.text(r) for r in range(len(engine.store)))
    for paragraph in page.body:
        if paragraph not in page.headings:
            assert paragraph in texts
    for junk in page.boilerplate:
        assert junk not in texts, junk


def test_a_heading_or_title_named_in_a_question_finds_the_passages_under_it(
        engine: Engine) -> None:
    answer = engine.ask("保障措施")
    assert answer.results[0].source.section == "三、保障措施"
    answer = engine.ask("县义务教育优质均衡发展实施方案的工作目标")
    assert answer.results[0].source.file == "plan.docx"
