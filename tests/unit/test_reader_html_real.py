"""The HTML reader on real saved pages of five government sites (tests/data/real/h0*.html,
public official documents, with the pages' visible text as *.html.txt): the article is found
whatever the template (a TRS editor div, <span>/<br> soup, a body of attachment links only),
the title is the document's, menus and footers are dropped with a rule, never kept, and
nothing the page shows is lost silently."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from retrieval.readers import BlockKind, Dropped, RawDocument, UnreadableFile, read_document

REAL = Path(__file__).resolve().parent.parent / "data" / "real"


def page(key: str) -> RawDocument:
    path = next(REAL.glob(f"{key}_*.html"))
    return read_document(path, path.read_bytes())


def fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def kept(document: RawDocument) -> list[str]:
    return [b.text for b in document.blocks]


# Per page: the document's title, its date, golds of ../shared/formats/qa.jsonl that stand in
# the article (by question id), and lines of the page's furniture that must not be kept.
PAGES = {
    "h01": ("关于印发《上海市省间清洁购电交易机制实施办法（试行）》的通知", "2019-05-31",
            {"g072": "沪发改规范〔2019〕7号", "g073": "国家能源局华东监管局"},
            ["当前位置：", "政策性文件留言咨询", "打印本页关闭窗口", "分享", "/ 资源环境"]),
    "h02": ("关于印发《区域电网输电价格定价办法》的通知(发改价格规〔2020〕100号)", "2020-02-05",
            {"g075": "发改价格规〔2020〕100号", "g076": "发改价格〔2017〕2269号",
             "g077": "2020年1月19日"},
            ["首页 > 政务公开 > 政策 > 规范性文件", "发布时间：2020/02/05", "来源：价格司",
             "相关政策与解读", "排行榜", "[ 打印 ]"]),
    "h03": ("关于印发《新疆电力辅助服务市场运营规则（试行）》的通知", "2017-09-28",
            {"g079": "新疆电力辅助服务市场运营规则（试行）定稿.pdf"},
            ["机构概览", "动态要闻", "信息公开", "在线办事", "互动回应", "设为首页", "工作邮箱",
             "扫一扫在手机打开当前页", "字体：小", "网站地图联系我们"]),
    "h04": ("关于对山东广能节能科技有限公司违反电力市场交易规则情况的通报", "2019-12-25",
            {"g080": "山东广能节能科技有限公司"},
            ["机构概览", "专题专栏", "设为首页",
             "2019-12-25 10:25 来源：国家能源局山东监管办公室"]),
    "h05": ("国家能源局福建监管办公室关于印发《福建省电力调频辅助服务市场交易规则（试行）》的通知"
            "（闽监能市场〔2018〕140号）", "2018-12-22",
            {"g082": "闽监能市场〔2018〕140号"},
            ["机构概览", "专题专栏", "设为首页", "2018-12-22 10:40 来源：福建能源监管办"]),
    "h06": ("关于做好电力现货市场试点连续试结算相关工作的通知(发改办能源规〔2020〕245号)",
            "2020-04-03",
            {"g084": "本通知自发布之日起施行，有效期2年", "g085": "不得设置不平衡资金池",
             "g086": "离职三年内不得在利益主体就业"},
            ["首页 > 政务公开 > 政策 > 规范性文件", "发布时间：2020/04/03", "相关政策与解读",
             "排行榜", "《关于做好电力现货市场试点连续试结算相关工作的通知》政策解读"]),
}
# Site footers: the same on every page of a site, so furniture (dropped, never a block).
FOOTER = ["主办单位", "京ICP备11044902号", "版权所有", "网站标识码", "地址:", "邮编", "传真"]


@pytest.mark.parametrize("key", sorted(PAGES))
def test_real_page_title_date_and_golds(key: str) -> None:
    title, date, golds, _ = PAGES[key]
    document = page(key)
    assert document.meta["title"] == title
    assert document.meta["date"] == date
    assert [b.text for b in document.blocks if b.kind is BlockKind.TITLE] == [title]
    assert document.blocks[0].kind is BlockKind.TITLE
    text = fold(" ".join(kept(document)))
    for qid, gold in golds.items():
        assert fold(gold) in text, (qid, gold)


@pytest.mark.parametrize("key", sorted(PAGES))
def test_real_page_menus_and_footers_are_dropped_not_kept(key: str) -> None:
    document = page(key)
    menus = PAGES[key][3]
    blocks = kept(document)
    dropped = [d.text for d in document.dropped]
    for line in menus:
        assert line not in blocks, line
        assert any(line in d for d in dropped), line
    for line in FOOTER:
        assert not any(line in b for b in blocks), line
    assert all(d.rule.startswith("html-") for d in document.dropped)


@pytest.mark.parametrize("key", sorted(PAGES))
def test_real_page_loses_nothing_silently(key: str) -> None:
    """Every line the page shows (its visible text, in the reference) is in a block or in a
    dropped piece."""
    document = page(key)
    reference = next(REAL.glob(f"{key}_*.html.txt")).read_text(encoding="utf-8")
    read = fold(" ".join(kept(document) + [d.text for d in document.dropped]))
    lines = [fold(line) for line in reference.splitlines()[1:]]  # line 1: the <title>
    missing = [line for line in lines if line and line not in read]
    assert not missing


@pytest.mark.parametrize("key", sorted(PAGES))
def test_real_page_title_element_is_kept_or_reported(key: str) -> None:
    """The <title> (the reference's line 1) is the title block or reported: a site suffix
    the title block leaves out is not lost silently."""
    document = page(key)
    reference = next(REAL.glob(f"{key}_*.html.txt")).read_text(encoding="utf-8")
    title_line = fold(reference.splitlines()[0])
    assert title_line in fold(" ".join(kept(document) + [d.text for d in document.dropped]))


def test_page_title_with_site_suffix_is_reported() -> None:
    document = page("h06")
    assert Dropped("【关于做好电力现货市场试点连续试结算相关工作的通知(发改办能源规〔2020〕245号)】"
                   "-国家发展和改革委员会", "html-title") in document.dropped
    assert document.meta["title"] == PAGES["h06"][0]


@pytest.mark.parametrize(("key", "body"), [
    # Bodies that are only attachment links: their names are the content, nothing else is.
    ("h03", ["关于印发《新疆电力辅助服务市场运营规则（试行）》的通知.pdf",
             "新疆电力辅助服务市场运营规则（试行）定稿.pdf"]),
    ("h04", ["附件：点击下载相关附件！"]),
    ("h05", ["国家能源局福建监管办公室关于印发《福建省电力调频辅助服务市场交易规则（试行）》"
             "的通知"]),
])
def test_attachment_only_bodies_keep_the_link_texts_and_nothing_else(
        key: str, body: list[str]) -> None:
    document = page(key)
    assert kept(document)[1:] == body
    rules = {d.text: d.rule for d in document.dropped}
    assert rules["机构概览"] == "html-nav"
    assert next(r for t, r in rules.items() if "主办单位" in t) == "html-footer"
    assert next(r for t, r in rules.items() if t.startswith(("地址", "通讯地址"))) == "html-footer"


def test_span_br_soup_body_keeps_every_paragraph_and_its_headings() -> None:
    document = page("h06")
    headings = [b.text for b in document.blocks if b.kind is BlockKind.HEADING]
    assert headings == ["一、高度重视电力现货市场试点连续试结算相关工作",
                        "二、结合实际制定电力现货市场稳定运行的保障措施",
                        "三、做好各项措施落实工作", "四、附则"]
    paragraphs = [b.text for b in document.blocks if b.kind is BlockKind.PARAGRAPH]
    assert sum(t.startswith("（") for t in paragraphs) == 15  # （一） … （十五）
    assert paragraphs[-1] == "2020年3月26日"
    # The red-head title of the body stays text, below the page's title line.
    assert paragraphs[:3] == ["国家发展改革委办公厅 国家能源局综合司关于",
                              "做好电力现货市场试点连续试结算", "相关工作的通知"]


def test_a_title_line_with_its_date_and_number_is_cut_at_them() -> None:
    document = page("h01")
    assert document.blocks[0].text == "关于印发《上海市省间清洁购电交易机制实施办法（试行）》的通知"
    assert ("(发布日期：2019年05月31日文号：沪发改规范〔2019〕7号)", "html-meta") in {
        (d.text, d.rule) for d in document.dropped}


@pytest.mark.parametrize(("a", "b"), [("h02", "h06"), ("h03", "h04"), ("h04", "h05"),
                                      ("h03", "h05")])
def test_two_pages_of_one_site_template_do_not_read_the_same(a: str, b: str) -> None:
    first, second = kept(page(a)), kept(page(b))
    assert first != second
    assert not set(first) & set(second)


# --- shapes of other sites, on the same rules -----------------------------------------------

MENU = "".join(f'<li><a href="/c{i}/">{name}</a></li>' for i, name in enumerate(
    ["首页", "机构职能", "领导信息", "内设机构", "直属单位", "政务公开", "政策文件", "政策解读",
     "通知公告", "人事信息", "财政信息", "建议提案", "办事服务", "互动交流", "专题专栏",
     "统计数据", "规划计划", "应急管理", "招标采购", "网站地图"]))
WORD_BODY = [
    "各区县人民政府，市政府各部门：",
    "为进一步规范行政规范性文件管理，提高制度建设质量，经市政府同意，现将有关事项通知如下。",
    "一、严格制定程序",
    "起草部门应当开展调查研究，充分听取意见，涉及群众切身利益的，应当向社会公开征求意见，"
    "征求意见的期限一般不少于三十日。",
    "二、加强备案审查",
    "规范性文件应当自公布之日起三十日内报送备案，备案审查机关发现问题的，应当及时纠正。",
]


def _word_page() -> str:
    """A county site of layout tables: a long menu in the left cell, the article (pasted from
    Word: MsoNormal paragraphs, one <span> per run, <o:p>, bold numbered headings) in the
    right cell, three attachments, a contact line inside the article and a footer below."""
    paragraphs = []
    for text in WORD_BODY:
        runs = "".join(f'<span style="font-family:仿宋_GB2312">{text[i:i + 7]}</span>'
                       for i in range(0, len(text), 7))
        if text[1] == "、":
            runs = f"<b>{runs}</b>"
        paragraphs.append(f'<p class="MsoNormal" style="text-indent:32pt">{runs}'
                          f'<span lang="EN-US"><o:p></o:p></span></p>')
    files = "".join(f'<p class="MsoBodyText"><a href="/u/{n}.doc">附件{n}：备案表{n}</a></p>'
                    for n in (1, 2, 3))
    return f"""<html><head><meta charset="utf-8">
<title>关于规范行政规范性文件管理的通知-某某市人民政府</title>
<meta name="PubDate" content="2021-06-08 09:00"></head><body>
<table width="100%"><tr><td class="left"><ul>{MENU}</ul></td><td class="right">
<div class="bt">关于规范行政规范性文件管理的通知</div>
<div class="info">2021-06-08 09:00 来源：市司法局</div>
<div class="WordSection1">{"".join(paragraphs)}
<p class="MsoNormal"><span>联系电话：0571-12345678</span></p>{files}</div>
</td></tr></table>
<div class="foot"><p>地址：某某市人民路1号 邮编：310000</p>
<p>主办单位：某某市人民政府办公室</p></div>
</body></html>"""


def test_word_pasted_article_in_a_layout_table_below_a_long_menu() -> None:
    document = read_document(Path("notice.html"), _word_page().encode("utf-8"))
    assert document.meta["title"] == "关于规范行政规范性文件管理的通知"
    assert document.meta["date"] == "2021-06-08"
    assert kept(document) == ["关于规范行政规范性文件管理的通知", *WORD_BODY,
                              "联系电话：0571-12345678", "附件1：备案表1", "附件2：备案表2",
                              "附件3：备案表3"]
    headings = [b.text for b in document.blocks if b.kind is BlockKind.HEADING]
    assert headings == ["一、严格制定程序", "二、加强备案审查"]
    rules = {d.text: d.rule for d in document.dropped}
    assert rules["机构职能"] == "html-nav"
    assert rules["地址：某某市人民路1号 邮编：310000"] == "html-footer"
    assert rules["2021-06-08 09:00 来源：市司法局"] in ("html-meta", "html-outside")


def test_a_body_of_attachments_beats_a_sidebar_of_downloads() -> None:
    """Links to files are content, but a sidebar list of other downloads is not the article:
    the text in the title's own container counts more."""
    downloads = "".join(
        f"<li><a href=\"/d/{n}.pdf\">某某市202{n}年度政府信息公开工作年度报告全文</a></li>"
        for n in range(6))
    html = f"""<html><head><meta charset="utf-8">
<title>关于公布第二批历史建筑名单的通知_某某市规划局</title>
<meta name="ArticleTitle" content="关于公布第二批历史建筑名单的通知"></head><body>
<div class="nav"><a href="/">首页</a><a href="/a">机构职能</a><a href="/b">政务公开</a></div>
<div class="main"><div class="side"><h3>下载中心</h3><ul>{downloads}</ul></div>
<div class="detail"><h1>关于公布第二批历史建筑名单的通知</h1>
<div class="time">发布时间：2022-04-01</div>
<div class="con"><p><a href="/f/notice.pdf">关于公布第二批历史建筑名单的通知.pdf</a></p>
<p><a href="/f/list.xlsx">第二批历史建筑名单.xlsx</a></p></div></div></div>
<div class="foot">版权所有：某某市规划局　地址：某某市中山路8号</div></body></html>"""
    document = read_document(Path("n.html"), html.encode("utf-8"))
    assert kept(document) == ["关于公布第二批历史建筑名单的通知",
                              "关于公布第二批历史建筑名单的通知.pdf", "第二批历史建筑名单.xlsx"]
    assert document.meta["date"] == "2022-04-01"
    rules = {d.text: d.rule for d in document.dropped}
    assert rules["某某市2020年度政府信息公开工作年度报告全文"] == "html-nav"


def test_named_anchors_around_the_body_are_no_links() -> None:
    """Editors export the red-head fields as <a name="title">…</a>: text, not navigation
    (a TRS page of hzj.nea.gov.cn, cut down)."""
    html = """<html><head><meta charset="UTF-8">
<title>华中能源监管局关于印发《湖北电力调峰辅助服务市场运营规则（试行）》的通知</title></head><body>
<div class="menu"><ul><li><a href="/">首页</a></li><li><a href="/jggl/">机构概览</a></li>
<li><a href="/dtyw/">动态要闻</a></li><li><a href="/xxgk/">信息公开</a></li></ul></div>
<div class="wrapper_deatil"><div class="wrapper_deatil_title">
华中能源监管局关于印发《湖北电力调峰辅助服务市场运营规则（试行）》的通知</div>
<div class="wrapper_detail_text"><body class="b1">
<p class="p4"><a name="wenHao"><span>华中监能市场</span><span>﹝</span><span>2020</span
><span>﹞</span><span>87号</span></a></p>
<p class="p7"><a name="topic1"><span>国网华中分部、湖北省电力公司，华能、华电、国家能源、
国家电投集团湖北分公司，各有关发电企业、电储能企业，湖北电力交易中心有限公司</span></a
><span>：</span></p>
<p class="p8"><a name="body"><span>为进一步推进湖北省电力辅助服务市场化，促进清洁能源消纳，
我局制订了《湖北电力调峰辅助服务市场运营规则（试行）》，现印发给你们，请遵照执行。</span></a></p>
<p class="p9"><span>四、工作中有何问题，请及时报告我局。</span></p></div></div>
<div class="footer"><p>主办单位: 国家能源局华中监管局 京ICP备11044902号</p></div>
</body></html>"""
    document = read_document(Path("hzj.html"), html.encode("utf-8"))
    body = kept(document)
    assert body[0] == "华中能源监管局关于印发《湖北电力调峰辅助服务市场运营规则（试行）》的通知"
    assert body[1] == "华中监能市场﹝2020﹞87号"
    assert body[2].startswith("国网华中分部") and body[-1] == "四、工作中有何问题，请及时报告我局。"
    assert len(body) == 5


def test_a_site_name_page_title_yields_to_the_heading_above_the_text() -> None:
    """<title> is only the site's name: the title is the heading the text follows, and the
    attachment listed below the text is kept (a page of pm.poweremarket.com, cut down)."""
    menu = "".join(f'<li><a href="/m{i}/">{m}</a></li>' for i, m in enumerate(
        ["首页", "新闻资讯", "信息发布", "市场服务", "政策法规", "关于我们"]))
    html = f"""<html><head><meta charset="utf-8"><title>广州电力交易中心</title></head><body>
<div class="header"><ul class="top"><li>交易服务热线: 400-15-95598</li></ul>
<nav class="menu"><ul>{menu}</ul></nav></div>
<div class="leftMenu"><ul><li><h5><a href="/flfg/">法律法规</a></h5></li>
<li><h5><a href="/zcwj/">政策文件</a></h5></li>
<li><h5><a href="/jygz/">交易规则</a></h5></li></ul></div>
<div class="rightMain"><div class="content">
<h3 class="title">国家发展改革委、国家能源局关于印发《电力中长期交易基本规则》的通知</h3>
<p class="subTitle">信息来源：国家发展改革委    发布时间：2020-06-14</p>
<div class="txt"><div class=TRS_Editor>
<p style="text-align: center;">国家发展改革委、国家能源局关于印发《电力中长期交易基本规则》的通知
&nbsp;</p>
</div></div>
<div style="padding:20px 0"><h5>相关附件</h5>
<p><a href="./P020250516617649183947.pdf" target="_blank">正文1.pdf</a></p></div>
</div></div>
<div class="footer"><ul class="linksTab"><li><a href="/lxwm/">联系我们</a></li>
<li><a href="/map/">网站地图</a></li></ul>
<p>版权所有: © 2020 广州电力交易中心 版权所有 <a href="https://beian.miit.gov.cn">粤ICP备20027641号-2</a></p>
</div></body></html>"""
    document = read_document(Path("gz.html"), html.encode("utf-8"))
    title = "国家发展改革委、国家能源局关于印发《电力中长期交易基本规则》的通知"
    assert document.meta["title"] == title
    assert document.meta["date"] == "2020-06-14"
    assert kept(document) == [title, title, "正文1.pdf"]
    rules = {d.text: d.rule for d in document.dropped}
    assert rules["交易规则"] == "html-nav" and rules["交易服务热线: 400-15-95598"] == "html-outside"


def test_a_table_page_with_a_hidden_title_and_an_info_table() -> None:
    """www.nea.gov.cn (cut down): the article is a table cell below a 目录项 info table, its
    h1 is hidden (the title still), a hidden keyword line is dropped, not kept."""
    rules = "".join(f"<p>　　<strong>第{n}条</strong> 电力交易机构收到经营主体提交的变更申请和"
                    f"变更材料后，在5个工作日内进行审查。对于变更材料不符合要求的，应予以一次性"
                    f"告知。</p>" for n in "一二三")
    html = f"""<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta name="SiteName" content="国家能源局" />
<meta name="ArticleTitle" content="国家能源局关于印发《电力市场注册基本规则》的通知" />
<meta name="PubDate" content="2024-09-13 14:46:51" />
<title>国家能源局关于印发《电力市场注册基本规则》的通知-国家能源局网站</title></head><body>
<div class="main-colum"><div class="now-site">您当前位置：<a href="/">首页</a> > 正文</div>
<div class="article-content">
<table><tbody><tr><td class="STYLE5">目录项的基本信息</td></tr></tbody></table>
<table class="table1"><tbody>
<tr><td><span>公开事项名称:</span></td>
<td colspan="3">国家能源局关于印发《电力市场注册基本规则》的通知</td></tr>
<tr><td><span>索引号: </span></td><td>000019705/2024-00241</td><td><span>主办单位:</span></td>
<td>国家能源局</td></tr></tbody></table>
<table><tbody><tr><td class="detail">
<p style="display:none;font-family:楷体">电力,市场,主体,经营,注册,交易,条件,材料,执行,机构</p>
<h1 style="display:none;">国家能源局关于印发《电力市场注册基本规则》的通知</h1>
<p style="TEXT-ALIGN: center"><font><strong>国家能源局关于印发</strong></font></p>
<p style="TEXT-ALIGN: center"><font><strong>《电力市场注册基本规则》的通知</strong></font></p>
<p style="TEXT-ALIGN: center"><font face="楷体">国能发监管规〔2024〕76号</font></p>
<p>各省（自治区、直辖市）能源局，各派出机构，北京、广州电力交易中心：</p>
<p>　　为贯彻落实党中央、国务院进一步深化电力体制改革，加快建设全国统一大市场的有关精神，
我们组织制定了《电力市场注册基本规则》。现印发给你们，请遵照执行。</p>
<p style="TEXT-ALIGN: right">国家能源局</p><p style="TEXT-ALIGN: right">2024年9月13日</p>
<p style="TEXT-ALIGN: center"><strong>第一章 总则</strong></p>{rules}
</td></tr></tbody></table></div></div>
<IFRAME src="http://www.nea.gov.cn/2017/201708bottom.htm"></IFRAME></body></html>"""
    document = read_document(Path("nea.htm"), html.encode("utf-8"))
    title = "国家能源局关于印发《电力市场注册基本规则》的通知"
    assert document.meta["title"] == title and document.meta["date"] == "2024-09-13"
    body = kept(document)
    assert body[:4] == [title, "国家能源局关于印发", "《电力市场注册基本规则》的通知",
                        "国能发监管规〔2024〕76号"]
    assert body[-1].startswith("第三条") and len(body) == 12
    rules_of = {d.text: d.rule for d in document.dropped}
    assert rules_of["电力,市场,主体,经营,注册,交易,条件,材料,执行,机构"] == "html-hidden"
    assert rules_of["您当前位置：首页 > 正文"] == "html-breadcrumb"
    assert rules_of["索引号:　000019705/2024-00241　主办单位:　国家能源局"] == "html-footer"


def test_a_page_of_links_only_is_unreadable_and_a_lone_file_link_is_kept() -> None:
    menu = b"<html><body><a href='/a'>\xe9\xa6\x96\xe9\xa1\xb5</a><a href='/b'>x</a></body></html>"
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("menu.html"), menu)
    assert caught.value.code == "no-text"
    html = ("<html><body><div class=nav><a href='/'>首页</a></div>"
            "<div><a href='/x.pdf'>附件.pdf</a></div></body></html>")
    document = read_document(Path("f.html"), html.encode("utf-8"))
    assert kept(document) == ["附件.pdf"]
    assert [(d.rule, d.text) for d in document.dropped] == [("html-nav", "首页")]
