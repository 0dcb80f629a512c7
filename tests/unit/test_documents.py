"""Reading real, messy documents: furniture dropped by shape and by what a corpus repeats,
titles and metadata found, lines re-joined, headings that label only what is under them,
nothing lost, and copies indexed once."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from retrieval import Engine, inspect_file
from retrieval.boilerplate import Boilerplate, shape_rule
from retrieval.documents import lines_for_learning, split_documents
from retrieval.model import Document, DocumentMeta, Unit
from retrieval.passages import document_passages
from retrieval.readers import Block, BlockKind, RawDocument
from retrieval.readers.text import text_blocks
from tests.conftest import SEEDS

BOILERPLATE = ["学习啦在线学习网", "文章地址", "由互联网用户分享整理", "的人还看了", "下面网友分享",
               "时间: 佩珊807 分享", "实用范文 >"]
NOT_TEXT = re.compile(r"[\s\W_]+")


def raw(text: str) -> RawDocument:
    return RawDocument(blocks=text_blocks(text), format="text")


def documents(text: str, boilerplate: Boilerplate | None = None, file: str = "x.txt"):
    return split_documents(raw(text), file, boilerplate)


def passages_of(document: Document):
    return document_passages(document, 0, max_chars=300, min_chars=40)


def page(body: str, title: str, n: int) -> str:
    """A provincial-site page as a browser copies it: menus one word a line, labels."""
    return (f"下载\n打印\n全屏\n收藏\n【字号：\n加大\n还原\n减小\n】\n{title}\n"
            f"——2026年1月{20 + n}日在第{n}届人民代表大会会议上\n来源：\n第{n}日报\n"
            f"省长 张{'一二三四'[n]}三\n各位代表：\n{body}\n扫一扫在手机打开当前页\n")


def test_seeds_hold_nine_speeches_with_clean_titles(seed_engine: Engine) -> None:
    docs = seed_engine.documents()
    assert len(docs) == 9
    assert [d.file[:3] for d in docs].count("000") == 5
    titles = [d.title for d in docs]
    assert "2024年度全县教育工作会议讲话稿" in titles
    assert "在全市教育工作座谈会上的讲话" in titles  # glued to 同志们: in the one-line file
    assert "教育局领导全市教育工作会议讲话稿" in titles  # "(3)" page suffix gone
    # A title broken over two lines before its dash subtitle is one title.
    assert ("加速实施教育振兴工程 为推进全市经济社会实现跨越赶超而努力奋斗"
            "——在2024年教育工作会议上的讲话") in titles
    assert not any(t.startswith("第") and "篇" in t[:4] for t in titles)
    assert docs[0].date == "2024" and docs[0].year == 2024


def test_boilerplate_never_reaches_a_passage(seed_engine: Engine) -> None:
    store = seed_engine.store
    texts = [store.text(i) for i in range(len(store))]
    for junk in BOILERPLATE:
        assert not any(junk in t for t in texts), junk
    assert not any(re.fullmatch(r"\s*\d+\s*", t) for t in texts)  # the stray trailing number
    assert not any(t in ("同志们：", "谢谢大家！") for t in texts)


def test_related_links_list_is_dropped_and_reported() -> None:
    text = ("标题讲话\n同志们：\n今天讲三点意见，请大家认真落实。\n\n"
            "学习啦在线学习网   看过标题讲话的人还看了:\n\n1.领导讲话\n\n2.教育局讲话\n")
    (doc,), dropped = documents(text)
    assert [u.text for u in doc.units] == ["今天讲三点意见，请大家认真落实。"]
    rules = {d.text: d.rule for d in dropped}
    assert rules["1.领导讲话"] == "related-links" and rules["同志们："] == "salutation"


def test_furniture_shapes_hold_on_any_site() -> None:
    for line, rule in [("【字号：大 中 小】", "share-bar"),
                       ("来源：人民网  2013-03-02", "label-line"),
                       ("本报记者 戴冰摄", "caption"),
                       ("学习 习近平 中央党校 干部 培训", "keyword-list"),
                       ("— 3 —", "page-number"), ("第3页 共9页", "page-number"),
                       ("首页 > 要闻 > 正文", "breadcrumb"), ("京ICP备05070218号", "footer"),
                       ("2026-02-03 09:02:33", "date-line"), ("相关链接>>", "related-links")]:
        assert shape_rule(line) == rule, line
    for content in ["一、对外办理时间", "现在，我代表国务院，向大会报告政府工作。", "2.5",
                    "关于进一步加强教师队伍建设的意见"]:
        assert shape_rule(content) is None, content


def test_a_corpus_teaches_its_own_furniture() -> None:
    """A menu word no rule knows goes once it stands in many files; a sentence never does."""
    body = "今年主要目标是：地区生产总值增长5%左右，城镇新增就业60万人以上。"
    menus = "\n网站地图\n联系我们\n友情链接"
    pages = [page(body.replace("5%", f"{n}%") + menus, f"2026年{p}政府工作报告", n)
             for n, p in enumerate(["甲省", "乙省", "丙省", "丁省"])]
    learned = Boilerplate.learn(lines_for_learning(raw(p)) for p in pages)
    assert {"网站地图", "联系我们"} <= learned.lines
    (doc,), dropped = documents(pages[2], learned)
    assert [u.text for u in doc.units] == [body.replace("5%", "2%")]
    assert {d.rule for d in dropped if d.text == "网站地图"} == {"repeated-line"}
    assert doc.title == "2026年丙省政府工作报告——2026年1月22日在第2届人民代表大会会议上"
    assert doc.meta.date == "2026-01-22" and doc.front == ("省长 张三三",)
    alone, _ = documents(pages[2])  # without the corpus, the unknown menu words stay
    assert "网站地图" in [u.text for u in alone[0].units]


def test_title_metadata_and_place_of_a_provincial_report() -> None:
    text = ("您的位置:\n首页\n>\n云南要闻\n云南要闻\n2026年政府工作报告\n来源：云南日报\n"
            "2026-02-03 09:02:33\n——2026年1月28日在云南省第十四届人民代表大会第四次会议上\n"
            "省长　王予波\n各位代表：\n现在，我代表省人民政府，向大会报告工作，请予审议。\n")
    (doc,), dropped = documents(text)
    assert doc.title == "2026年政府工作报告——2026年1月28日在云南省第十四届人民代表大会第四次会议上"
    assert (doc.meta.date, doc.meta.place) == ("2026-01-28", "云南省")
    assert doc.meta.issuer == "省长　王予波"
    assert {"云南要闻", "首页", "来源：云南日报"} <= {d.text for d in dropped}


def test_chinese_numeral_dates_and_years_of_national_documents() -> None:
    (doc,), _ = documents("2026年甘肃省政府工作报告\n——二〇二六年一月二十七日在甘肃省人大会议上\n"
                          "各位代表：\n现在我代表省人民政府向大会报告工作。\n")
    assert (doc.meta.date, doc.meta.place) == ("2026-01-27", "甘肃省")
    (doc,), _ = documents("1998年中华人民共和国国务院政府工作报告\n\n各位代表：\n\n报告工作。\n")
    assert (doc.meta.date, doc.meta.place) == ("1998", None)


def test_lines_broken_by_links_are_joined() -> None:
    text = ("某某报告\n\n我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志\n"
            "關於憲法草案的報告\n並進行了三天的討論以後，通過了我們國家的根本法——\n"
            "中華人民共和國憲法\n，接着通過了幾個法律。\n"
            "\n一、工作回顾\n细颗粒物（PM\n2.5\n）浓度继续下降。\n")
    (doc,), _ = documents(text)
    assert [u.text for u in doc.units] == [
        "我們第一届全國人民代表大會第一次會議，在聽了劉少奇同志關於憲法草案的報告並進行了三天的"
        "討論以後，通過了我們國家的根本法——中華人民共和國憲法，接着通過了幾個法律。",
        "一、工作回顾", "细颗粒物（PM2.5）浓度继续下降。"]


def test_flattened_notice_is_cut_back_into_paragraphs_without_loss() -> None:
    body = ("关于调整对外办理时间的通知 一、 对外办理时间 密云区社保中心将于2020年2月3日"
            "（周一）起对外办公，" + "办理业务时请佩戴口罩，" * 20 + "谢谢配合。 "
            "（二）1月22日乘坐38路（青A 60900）公交车的乘客请主动报告。"
            + "请及时联系社区，" * 20 + "做好登记。")
    (doc,), _ = documents(body)
    passages = passages_of(doc)
    texts = [p.text for p in passages]
    assert any(t.startswith("一、 对外办理时间 密云区社保中心") for t in texts)
    assert any(t.startswith("（二）1月22日乘坐38路（青A 60900）公交车") for t in texts)
    assert all("（青A" not in p.section or "60900）" in p.section for p in passages)
    kept = NOT_TEXT.sub("", doc.title + "".join(texts))
    assert kept == NOT_TEXT.sub("", body)  # every character, once


def test_speech_of_numbered_points_keeps_every_point() -> None:
    points = ["一、要推进素质教育。", "二、要加强教师队伍建设。", "三、要保障学校安全。"]
    (doc,), _ = documents("关于教育工作的讲话\n" + "\n".join(points))
    assert [p.text for p in passages_of(doc)] == points


def test_an_inline_point_labels_nothing_after_it() -> None:
    units = (Unit("一、关心特殊群体"),
             Unit("我们要关注困难学生。第二，要健全农村留守儿童关爱服务体系。"
                  + "各地要建立台账，" * 6 + "落实责任。"),
             Unit("第三，要关心重视特殊教育，" + "办好特殊教育学校，" * 6 + "提高质量。"),
             Unit("二、提高教师待遇"),
             Unit("教师工资不低于公务员平均工资水平，" + "要按时足额发放，" * 6 + "不得拖欠。"))
    doc = Document("a.txt", 0, DocumentMeta("讲话"), units)
    by_text = {p.text[:8]: p.section for p in passages_of(doc)}
    assert by_text["第二，要健全农村"] == "一、关心特殊群体"  # the inline point is no heading
    assert by_text["第三，要关心重视"].endswith("第三，要关心重视特殊教育")
    assert by_text["教师工资不低于公"] == "二、提高教师待遇"  # nothing leaks across headings


def test_short_points_before_a_long_one_are_all_kept() -> None:
    """Short points standing alone head nothing: each is a passage, whatever follows."""
    units = (Unit("第一，企业与国家的分配关系用法令的形式固定下来；"),
             Unit("第二，企业将从新增加的利润中得到较多的收益；"),
             Unit("第三，通过税收杠杆的调节作用，可以缓解目前价格不合理带来的矛盾，"
                  "使企业在利润悬殊状况有所改善的情况下开展竞争，有利于鼓励先进；"))
    doc = Document("a.txt", 0, DocumentMeta("报告"), units)
    assert [p.text for p in passages_of(doc)] == [u.text for u in units]


def test_run_on_paragraph_is_cut_at_each_point_of_a_list() -> None:
    points = ["一要落实教师待遇。" + "去年以来各地改善待遇，" * 12 + "成效明显。",
              "二要完善补充机制。" + "农村学校缺少教师，" * 12 + "必须补足。",
              "三是加强教师交流。" + "县域内轮岗交流，" * 12 + "形成制度。"]
    doc = Document("a.txt", 0, DocumentMeta("讲话"), (Unit("".join(points)),))
    assert [p.text for p in passages_of(doc)] == points


def test_a_point_opening_a_paragraph_stays_in_its_text_and_labels_its_passages() -> None:
    line = ("第五，加强党的领导。党的领导是根本保证。"
            "一是严格落实党委教育工作领导小组议事规则，确保方针政策全面落实。"
            "二是加强基层党组织建设，发挥学校党组织战斗堡垒作用和党员先锋模范作用。")
    doc = Document("a.txt", 0, DocumentMeta("讲话"), (Unit(line),))
    passages = passages_of(doc)
    assert "".join(p.text for p in passages) == line
    assert {p.section for p in passages} == {"第五，加强党的领导"}


def test_heading_without_text_under_it_is_kept_as_a_passage() -> None:
    units = (Unit("一、总体要求"), Unit("二、主要任务"),
             Unit("加强教师队伍建设，" * 8 + "提高质量。"), Unit("三、保障措施"))
    doc = Document("a.txt", 0, DocumentMeta("通知"), units)
    passages = passages_of(doc)
    assert [(p.text[:6], p.section) for p in passages] == [
        ("一、总体要求", ""), ("加强教师队伍", "二、主要任务"), ("三、保障措施", "")]


def test_format_headings_label_up_to_their_peer() -> None:
    units = (Unit("第一章 总则", heading_level=0), Unit("第一节 目的", heading_level=1),
             Unit("为了规范管理，" * 8 + "制定本办法。"), Unit("第二章 附则", heading_level=0),
             Unit("本办法自发布之日起施行，" * 5 + "由教育厅负责解释。"))
    doc = Document("a.docx", 0, DocumentMeta("办法"), units)
    sections = [p.section for p in passages_of(doc)]
    assert sections == ["第一章 总则 › 第一节 目的", "第二章 附则"]


def test_markdown_markers_are_not_text() -> None:
    text = ("# 关于课后服务的讲话\n\n同志们：\n\n## 一、总体要求\n\n"
            "- 要做到应开尽开。\n> 引文照录。\n")
    (doc,), _ = documents(text, file="notes.md")
    assert doc.title == "关于课后服务的讲话"
    assert [u.text for u in doc.units] == ["一、总体要求", "要做到应开尽开。", "引文照录。"]
    (plain,), _ = documents(text, file="notes.txt")
    assert plain.title.startswith("#")  # only for Markdown


def test_marker_titles_and_subtitles() -> None:
    text = ("第一篇讲话\n同志们：\n内容一。\n第二篇：教育工作会议讲话稿\n教育工作会议讲话稿\n"
            "——打造特色文化\n同志们：\n一、总体要求\n内容二很长很长。\n")
    docs, dropped = documents(text)
    assert [d.title for d in docs] == ["第一篇讲话", "教育工作会议讲话稿——打造特色文化"]
    assert "一、总体要求" in [u.text for u in docs[1].units]
    assert ("第二篇：教育工作会议讲话稿", "document-marker") in {(d.text, d.rule) for d in dropped}


def test_body_pasted_twice_in_a_file_is_kept_once() -> None:
    para = "现在，我代表省人民政府，向大会报告工作，请予审议，并请省政协委员提出意见。"
    text = f"2026年某省政府工作报告\n{para}\n其他内容在这里展开说明。\n{para}\n"
    (doc,), dropped = documents(text)
    assert [u.text for u in doc.units].count(para) == 1
    assert (para, "repeated-in-file") in {(d.text, d.rule) for d in dropped}


def test_a_repost_in_another_file_is_indexed_once(settings_for, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    shutil.copy(corpus / "001_1796a69f77622c37.txt", corpus / "repost.txt")
    engine = Engine.open(settings_for(corpus))
    assert engine.report.duplicates == 1
    assert len(engine.documents()) == 9
    skipped = {s.file: s for s in engine.report.skipped}
    assert skipped["repost.txt"].code == "duplicate"
    assert "001_1796a69f77622c37.txt" in skipped["repost.txt"].reason


def test_inspect_file_shows_passages_and_dropped_lines(base_settings) -> None:
    report = inspect_file(SEEDS / "004_ed1c8e3fc5ee3751.txt", base_settings)
    assert report.skipped is None and report.documents[0].passages == len(report.passages)
    assert any(d.rule == "site-prefix" for d in report.dropped)
    assert all(p.text for p in report.passages)


def test_seed_files_are_the_shared_ones() -> None:
    shared = SEEDS.parent.parent / "shared" / "seeds"
    if shared.is_dir():
        for f in shared.iterdir():
            assert (SEEDS / f.name).read_bytes() == f.read_bytes()


def test_the_parts_of_a_notice_are_named_and_its_closing_joins_the_text() -> None:
    from retrieval.passages import document_passages
    raw = RawDocument(blocks=tuple(Block(t) for t in (
        "关于提示异地贷款业务风险的通知", "苏银监办〔2005〕235号",
        "各银监分局，各国有商业银行江苏省分行：",
        "今年以来，异地贷款风险有所暴露，应引起高度重视。",
        "各银监分局要结合实际加强对异地贷款的风险提示。",
        "江苏银监局办公室", "二○○五年十一月十一日")), format="text")
    (document,), _ = split_documents(raw, "n.txt")
    passages = document_passages(document, 0, 300, 10)
    assert (passages[0].text, passages[0].section) == (
        "苏银监办〔2005〕235号 各银监分局，各国有商业银行江苏省分行：", "文号 › 主送")
    last = passages[-1]
    assert last.text == ("各银监分局要结合实际加强对异地贷款的风险提示。"
                         " 江苏银监局办公室 二○○五年十一月十一日")
    assert last.section.endswith("落款")
    # A 落款 set right by a run of spaces is as short: it joins the text all the same.
    padded = "江苏银监局办公室" + " " * 90 + "二○○五年十一月十一日"
    raw = RawDocument(blocks=tuple(Block(t) for t in (
        "关于提示异地贷款业务风险的通知", "各银监分局要结合实际加强对异地贷款的风险提示。",
        padded)), format="text")
    (document,), _ = split_documents(raw, "n.txt")
    (passage,) = document_passages(document, 0, 300, 10)
    assert passage.text == "各银监分局要结合实际加强对异地贷款的风险提示。 " + padded


REAL = Path(__file__).resolve().parents[1] / "data" / "real"


def real_title(name: str) -> tuple[str, list[str]]:
    """The title a real file gets, and the lines dropped as before-title."""
    from retrieval.files import read_file
    source = read_file(REAL / name, name, 50_000_000)
    documents_, dropped = split_documents(source.document, name)
    return documents_[0].title, [d.text for d in dropped if d.rule == "before-title"]


def paragraphs(*texts: str) -> RawDocument:
    return RawDocument(blocks=tuple(Block(t, BlockKind.PARAGRAPH) for t in texts), format="docx")


def test_a_title_set_on_two_lines_is_one_title() -> None:
    # d01 (.docx): the title broken before its kind of document; no line is lost.
    (doc,), dropped = split_documents(paragraphs(
        "", "上海保险分支机构高级管理人员", "任职资格考试管理办法", "", "第一章  总 则",
        "第一条 为加强对上海保险分支机构高级管理人员的管理，推进任职资格考试的制度化。"),
        "d01.docx")
    assert doc.title == "上海保险分支机构高级管理人员任职资格考试管理办法"
    assert not dropped
    assert doc.units[0].text == "第一章  总 则"  # a chapter heading is no title-block line
    # w06 (.doc): a number and a blank line above the two title lines.
    (doc,), dropped = split_documents(paragraphs(
        "浙银监发〔2018〕55号 ", "", "中国银监会浙江监管局关于推广“两跑三降”模式",
        "推动浙江银行业普惠金融高质量发展的指导意见", "",
        "各监管处、各银监分局：", "为积极落实党中央关于普惠金融发展的战略部署，现提出如下意见。"),
        "w06.doc")
    assert doc.title == ("中国银监会浙江监管局关于推广“两跑三降”模式"
                         "推动浙江银行业普惠金融高质量发展的指导意见")
    assert [d.text for d in dropped] == ["浙银监发〔2018〕55号"]


def test_the_red_head_above_a_broken_title_is_not_in_it() -> None:
    # w01: issuers apart by spaces, then 关于… on two lines: the title starts at 关于.
    (doc,), dropped = split_documents(paragraphs(
        "海南省农业农村厅\xa0\u2002海南省财政厅", "关于印发2024-2026年海南省农机",
        "购置与应用补贴实施方案的通知", "", "各市、县、自治县农业农村局、财政局：",
        "为规范实施农机购置与应用补贴政策，现将方案印发给你们，请认真贯彻执行。"), "w01.doc")
    assert doc.title == "关于印发2024-2026年海南省农机购置与应用补贴实施方案的通知"
    assert [d.rule for d in dropped] == ["before-title"]


def test_lines_that_are_no_pieces_of_a_title_are_not_joined() -> None:
    # A page's navigation, a short line and a speaker stay apart from the title below.
    (doc,), _ = documents("首页\n收藏本站\n关于做好全市安全生产工作的通知\n"
                          "各区人民政府：现将有关事项通知如下。\n")
    assert doc.title == "关于做好全市安全生产工作的通知"
    # A red head (XX文件) above a title that names its issuer before 关于.
    (doc,), _ = documents("天津市商务局文件\n市商务局关于做好外资企业服务工作的通知\n"
                          "各区商务主管部门：\n现将有关事项通知如下。\n")
    assert doc.title == "市商务局关于做好外资企业服务工作的通知"
    # A page title with the site after it, above the title: a copy, not a first half.
    (doc,), _ = split_documents(paragraphs(
        "国家文物局关于印发《规划》的通知_国务院部门文件_中国政府网(www.gov.cn)",
        "国家文物局关于印发规划》的通知", "各省、自治区、直辖市文物局：",
        "现将规划印发给你们，请结合本地实际认真贯彻执行。"), "p02.pdf")
    assert doc.title == "国家文物局关于印发规划》的通知"


def test_a_law_with_a_table_of_contents_keeps_its_title() -> None:
    # d06 (.docx): the TOC's 第X章 lines are no title; the 通过 line is kept, not dropped.
    (doc,), dropped = split_documents(paragraphs(
        "", "", "中华人民共和国能源法", "",
        "（2024年11月8日第十四届全国人民代表大会常务委员会第十二次会议通过）", "",
        "目\u3000\u3000录", "第一章\u3000总\u3000\u3000则", "第二章\u3000能源规划",
        "第三章\u3000能源开发利用", "", "第一章\u3000总\u3000\u3000则", "",
        "第一条\u3000为了推动能源高质量发展，保障国家能源安全，制定本法。"), "d06.docx")
    assert doc.title == "中华人民共和国能源法"
    assert not dropped
    assert doc.front[0].startswith("（2024年11月8日") and "目\u3000\u3000录" in doc.front
    assert doc.units[0].text == "第一章\u3000总\u3000\u3000则"  # the text's chapter stays
    assert doc.meta.date == "2024-11-08"
    # Without 目录 (a corpus may learn it as furniture) the chapter run is still a TOC.
    (doc,), _ = split_documents(paragraphs(
        "中华人民共和国禁毒法", "（2007年12月29日第十届全国人民代表大会常务委员会通过）",
        "第一章\u3000总则", "第二章\u3000禁毒宣传教育", "第一章\u3000总则",
        "第一条\u3000为了预防和惩治毒品违法犯罪行为，制定本法。"), "d02.docx")
    assert doc.title == "中华人民共和国禁毒法"
    assert len(doc.front) == 3 and doc.units[0].text == "第一章\u3000总则"


def test_real_files_titles_set_on_two_lines_or_long() -> None:
    # w08: two lines at the top of the file.
    assert real_title("w08_zhoushan_bank_statistics_assessment_measures.doc") == (
        "舟山市银行业金融机构监管统计信息工作考核办法", [])
    # w09: a line break inside the title's paragraph is nothing between CJK characters.
    title, _ = real_title("w09_jiangsu_env_credit_green_finance_opinion_2020_92.doc")
    assert title == ("中国银保监会江苏监管局 江苏省生态环境厅关于加强环保信用建设"
                     "推进绿色金融工作的指导意见")
    # w10: four issuers make a title over 60 characters; it is still the title.
    title, _ = real_title("w10_zhejiang_individual_business_finance_notice_2021_64.doc")
    assert title.endswith("国家税务总局浙江省税务局关于进一步加强个体工商户金融服务的通知")
    assert len(title) > 60
    # p04: a browser print: the page title (title + site) above the title line.
    title, before = real_title("p04_revolutionary_relics_opinion_quartz_p1.pdf")
    assert "关于实施革命文物保护利用工程" in title and not title.startswith("p04")
    assert "中国政府网" not in title and len(before) == 1


def test_long_lines_are_titles_only_in_the_shape_of_one() -> None:
    from retrieval.documents import _title_like
    notice = ("中国银保监会浙江监管局 浙江省财政厅 浙江省地方金融监管局 国家税务总局浙江省税务局"
              "关于进一步加强个体工商户金融服务的通知")
    assert len(notice) > 60 and _title_like(notice)
    assert not _title_like(notice[:-2] + "工作")  # no kind of document at its end
    assert not _title_like(notice + "。")


def test_a_notice_without_a_title_in_a_hash_named_file_is_named_by_its_issuer_and_date() -> None:
    text = ("国家税务总局南阳市税务局 各县税务局，局内各单位： 为做好疫情防控期间办税服务工作，"
            "现就有关事项通知如下。一、推行非接触式办税。 国家税务总局南阳市税务局 2020年2月7日")
    raw = RawDocument(blocks=(Block(text),), format="text")
    (document,), _ = split_documents(raw, "0013aa11eb73353abf1e2bd8bca41750.txt")
    assert document.meta.title == "国家税务总局南阳市税务局 2020-02-07"
    (named,), _ = split_documents(raw, "南阳办税通知.txt")  # a file name of words stays
    assert named.meta.title == "南阳办税通知"


def test_a_passage_that_is_the_effective_clause_is_named_so() -> None:
    units = (Unit("第一章 总则", heading_level=0), Unit("第一条 为了规范管理，制定本办法。"),
             Unit("第九条 本办法自2021年7月1日起施行。"))
    doc = Document("a.docx", 0, DocumentMeta("办法"), units)
    assert [p.section for p in passages_of(doc)] == ["第一章 总则", "第一章 总则 › 施行"]
