"""The reading benchmark's measures: where a reference's characters went, and the title and
date checks against SOURCES.md (benchmarks/reading.py --formats)."""

from __future__ import annotations

from pathlib import Path

from benchmarks import reading


def test_reference_characters_are_shared_out_kept_dropped_and_lost() -> None:
    reference = reading.compared("关于加强文物保护的通知。第一条 文物保护坚持保护为主。"
                                 "网站首页。这一句读取时丢了。")
    ordered = ["关于加强文物保护的通知", "第一条　文物保护坚持保护为主。"]
    kept = reading.compared("".join(ordered))
    hays = {"kept": reading.framed(map(reading.compared, ordered)),
            "dropped:nav": reading.framed(["网站首页"])}
    counts, lost = reading.share_out(reference, kept, hays)
    assert counts["kept"] == len(kept)
    assert counts["dropped:nav"] == 4
    assert [reference[a:b] for a, b in lost] == ["这一句读取时丢了"]
    assert counts["lost"] == 8


def test_text_kept_in_another_order_is_not_lost() -> None:
    # pdftotext puts a superscript citation before the words it follows
    reference = reading.compared("影像检查可以帮助相互鉴别[52]目前CT平扫仍是首选的检查手段之一")
    kept = reading.compared("影像检查可以帮助相互[52]鉴别目前CT平扫仍是首选的检查手段之一")
    counts, lost = reading.share_out(reference, kept, {"kept": reading.framed([kept])})
    assert counts["lost"] == 0 and not lost
    # ... or on a line of its own above the line it belongs to
    reference = reading.compared("肝癌筛查应重视将肝癌风险预测评分作为有效工具[14]开展社区"
                                 "医院一体化的精准筛查新模式从而有效提高肝癌早期诊断率")
    kept = reading.compared("肝癌筛查应重视将肝癌风险预测评分作为有效工具，开展社区、"
                            "医院一体化的精准筛查新模式[14]，从而有效提高肝癌早期诊断率")
    counts, lost = reading.share_out(reference, kept, {"kept": reading.framed([kept])})
    assert counts["lost"] == 0 and not lost


def test_a_short_line_counts_where_it_stands_whole() -> None:
    hays = {"kept": reading.framed(["正文一段较长的内容"]),
            "dropped:nav": reading.framed(["首页", "搜索"])}
    assert reading.placed("搜索首页", hays, 3, rest=False) == [
        ("dropped:nav", "搜索"), ("dropped:nav", "首页")]
    assert reading.placed("内首", hays, 3, rest=False) == [("lost", "内"), ("lost", "首")]


def test_reference_leaves_out_page_numbers_and_catdoc_garble(tmp_path: Path) -> None:
    pdf = tmp_path / "a.pdf.txt"
    pdf.write_text("标题\n正文 3 个字\n- 2 -\n\f3\n第二页正文\n", encoding="utf-8")
    assert reading.reference_text(pdf) == "标题正文3个字第二页正文"
    doc = tmp_path / "a.doc.txt"
    doc.write_text(")RÊvÿž[°s集约化经营。\n", encoding="utf-8")
    assert reading.reference_text(doc) == "集约化经营"


def test_titles_and_dates_against_the_sources_table() -> None:
    truth = "关于印发《区域电网输电价格定价办法》的通知 发改价格规〔2020〕100号"
    assert reading.title_match("关于印发《区域电网输电价格定价办法》的通知", truth) == "exact"
    assert reading.title_match("关于印发《区域电网输电价格定价办法》的通知"
                               "(发改价格规〔2020〕100号)", truth) == "exact"
    assert reading.title_match("国家发展改革委关于印发区域电网输电价格定价办法的通知",
                               truth) == "contains"
    assert reading.title_match("区域电网输电价格定价办法", truth) == "part"
    assert reading.title_match("a_file_name", truth) == "no"
    assert reading.title_match("上海保险专业中介机构合规管理暂行办法",
                               "上海保险专业中介机构合规管理暂行办法（附件）") == "exact"
    assert reading.date_match("2021-10-28", "2021-10-28") == "exact"
    assert reading.date_match("2018-03-30", "2018 (file created 2018-03-30)") == "year"
    assert reading.date_match("2019-01-01", "2018-12-22") == "wrong"
    assert reading.date_match(None, "2018") == "none"


def test_sources_table_is_read_by_its_header(tmp_path: Path) -> None:
    sources = tmp_path / "SOURCES.md"
    sources.write_text("# Sources\n\n| name | issuer | document title | date |\n"
                       "|---|---|---|---|\n"
                       "| p01.pdf | 国务院办公厅 | 某某规划的通知 | 2021-10-28 |\n",
                       encoding="utf-8")
    assert reading.sources_table(sources) == {"p01.pdf": {
        "name": "p01.pdf", "issuer": "国务院办公厅", "document title": "某某规划的通知",
        "date": "2021-10-28"}}
