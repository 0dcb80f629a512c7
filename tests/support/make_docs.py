"""Documents tests build on the fly: .docx by python-docx, pages shaped like real Chinese
government sites (navigation, breadcrumbs, 【字号】 bars, share icons, related links, ICP
footers around a long article). Nothing binary is committed."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import docx


def make_docx(
    paragraphs: Sequence[str | tuple[str, str]],
    *,
    table: Sequence[Sequence[str]] | None = None,
    table_after: int | None = None,
    title: str = "",
    author: str = "",
) -> bytes:
    """A .docx of ``paragraphs`` (text, or (style name, text)), optionally a table inserted
    after paragraph number ``table_after`` (0-based), and core properties."""
    document = docx.Document()
    for number, item in enumerate(paragraphs):
        style, text = ("Normal", item) if isinstance(item, str) else item
        document.add_paragraph(text, style=style)
        if table is not None and table_after == number:
            _add_table(document, table)
    if table is not None and table_after is None:
        _add_table(document, table)
    document.core_properties.title = title
    document.core_properties.author = author
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _add_table(document, rows: Sequence[Sequence[str]]) -> None:
    table = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text


@dataclass(frozen=True)
class Page:
    html: str
    title: str  # the article's title (its h1)
    body: tuple[str, ...]  # every paragraph of the article body, as a reader must keep it
    headings: tuple[str, ...]  # the body's section headings (a subset of body)
    boilerplate: tuple[str, ...]  # texts around the article a reader must drop


CENTRAL_TITLE = "教育部关于加强新时代中小学教师队伍建设的意见"
CENTRAL_BODY = (
    "各省、自治区、直辖市教育厅（教委），新疆生产建设兵团教育局：",
    "为深入贯彻全国教育大会精神，全面落实立德树人根本任务，建设高素质专业化创新型中小学"
    "教师队伍，现就加强新时代中小学教师队伍建设提出如下意见。",
    "一、总体要求",
    "坚持把教师队伍建设作为基础工作，坚持师德为先、教学为要、科研为基、发展为本，以提高"
    "教师培养质量为核心，以深化教师管理综合改革为动力，以完善教师待遇保障为重点，努力造就"
    "党和人民满意的高素质教师队伍。",
    "二、主要任务",
    "（一）全面加强师德师风建设。各地要把师德师风作为评价教师队伍素质的第一标准，健全师德"
    "考核评价制度，建立师德失范行为通报警示制度，对违反师德的行为实行“零容忍”，推动形成"
    "崇尚师德、严守师德的良好氛围。",
    "（二）深化县管校聘管理改革。县级教育行政部门要统筹管理本地区中小学教职工编制、岗位和"
    "人员，推动城镇优秀教师向乡村学校、薄弱学校流动，每学年交流轮岗教师比例不低于符合条件"
    "教师总数的百分之十。",
    "（三）完善教师待遇保障机制。要确保中小学教师平均工资收入水平不低于或高于当地公务员平均"
    "工资收入水平，落实乡村教师生活补助政策，依据学校艰苦边远程度实行差别化补助。",
    "三、保障措施",
    "各级教育行政部门要把教师队伍建设摆在优先发展的战略地位，在经费投入上优先保障，在编制"
    "配备上优先满足，确保各项政策措施落到实处。本意见自印发之日起施行。",
)


def central_page() -> Page:
    """gov.cn style: header nav, breadcrumb div, article div with h1, 来源/发布时间 line,
    【字号】 bar, share icons, headings as <p><strong>, related links, ICP footer."""
    paragraphs = []
    for text in CENTRAL_BODY:
        if text.endswith(("总体要求", "主要任务", "保障措施")):
            paragraphs.append(f"<p style=\"text-indent:2em\"><strong>{text}</strong></p>")
        else:
            paragraphs.append(f"<p style=\"text-indent:2em\">　　{text}</p>")
    body = "\n".join(paragraphs)
    html = f"""<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{CENTRAL_TITLE}_滚动新闻_中国政府网</title>
<meta name="keywords" content="教师队伍,师德师风,县管校聘">
<meta name="PubDate" content="2018-01-31 10:22">
<meta property="og:url" content="https://www.gov.cn/xinwen/2018-01/31/content_5262659.htm">
<link rel="stylesheet" href="/css/common.css">
<script>var _hmt = _hmt || []; (function() {{ var hm = document.createElement("script");
hm.src = "https://hm.example/hm.js"; }})();</script>
<style>.share a {{ margin: 0 4px; }}</style>
</head>
<body>
<div class="header">
  <div class="logo"><a href="/"><img src="/images/logo.png" alt="中国政府网"></a></div>
  <ul class="nav">
    <li><a href="/">首页</a></li><li><a href="/premier/">总理</a></li>
    <li><a href="/xinwen/">新闻</a></li><li><a href="/zhengce/">政策</a></li>
    <li><a href="/hudong/">互动</a></li><li><a href="/fuwu/">服务</a></li>
    <li><a href="/shuju/">数据</a></li><li><a href="/guoqing/">国情</a></li>
  </ul>
  <div class="search"><form action="/search"><input name="q"><button>搜索</button></form></div>
</div>
<div class="BreadcrumbNav">当前位置：<a href="/">首页</a> &gt; <a href="/xinwen/">新闻</a>
 &gt; <a href="/xinwen/gundong.htm">滚动新闻</a></div>
<div class="article oneColumn pub_border">
  <h1>{CENTRAL_TITLE}</h1>
  <div class="pages-date">2018-01-31 10:22　来源：教育部网站
    <span class="font">【字号：<a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】</span>
    <span class="print"><a href="javascript:window.print()">打印本页</a></span>
  </div>
  <div class="pages_content" id="UCAP-CONTENT">
{body}
  </div>
  <div class="share">分享到：<a href="#" class="weixin">微信</a><a href="#" class="weibo">微博</a>
    <a href="#" class="qzone">QQ空间</a></div>
  <div class="editor">【我要纠错】 责任编辑：王洋</div>
</div>
<div class="related">
  <h3>相关链接</h3>
  <ul>
    <li><a href="/a.htm">教育部部署2018年教师工作重点</a></li>
    <li><a href="/b.htm">乡村教师支持计划实施情况综述</a></li>
    <li><a href="/c.htm">全国教育大会精神学习问答</a></li>
  </ul>
</div>
<div class="footer">
  <p><a href="/about.htm">关于本网</a> | <a href="/sitemap.htm">网站地图</a> |
  <a href="/contact.htm">联系我们</a></p>
  <p>版权所有：中国政府网　中文域名：中国政府网.政务</p>
  <p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p>
  <p>网站标识码bm01000001　京ICP备05070218号　京公网安备11010202000001号</p>
</div>
</body>
</html>
"""
    return Page(
        html=html, title=CENTRAL_TITLE, body=CENTRAL_BODY,
        headings=("一、总体要求", "二、主要任务", "三、保障措施"),
        boilerplate=("当前位置", "分享到", "字号", "打印本页", "相关链接", "京ICP备",
                     "网站标识码", "主办单位", "版权所有", "首页", "责任编辑"),
    )


PROVINCE_TITLE = "在全省教育工作会议上的讲话"
PROVINCE_BODY = (
    "同志们：",
    "这次全省教育工作会议的主要任务是，深入学习贯彻党的教育方针，总结去年全省教育工作，"
    "部署今年重点任务。刚才，几位同志作了很好的发言，讲得都很实在，我都同意。下面，我再讲"
    "三点意见。",
    "一是办好人民满意的教育。教育是民生之基，要坚持以人民为中心发展教育，扩大优质教育资源"
    "覆盖面，推进义务教育优质均衡发展，让每个孩子都能享有公平而有质量的教育。",
    "各市县要把新建改扩建中小学校纳入城市规划，确保学位供给与常住人口增长相适应，坚决消除"
    "大班额，今年全省计划新增公办学位十二万个。",
    "二是建设高素质教师队伍。要落实教师工资待遇保障长效机制，推进县管校聘管理改革，"
    "畅通城乡教师交流渠道，让乡村教师下得去、留得住、教得好。",
    "三是守住校园安全底线。要健全校园安全风险防控体系，落实校园安保经费，每所学校配齐"
    "专职保安，开展防溺水、交通安全、消防安全专题教育。",
    "同志们，教育事业关系千家万户，让我们以更加奋发有为的精神状态，推动全省教育事业高质量"
    "发展。",
)
PROVINCE_TABLE = (("市县", "新增学位", "新建学校"), ("省会市", "三万二千个", "十八所"),
                  ("东部县", "八千个", "五所"))


def province_page() -> Page:
    """A provincial site built of layout tables, declared GB2312 (sent as GBK bytes),
    with h2/h3 headings, a data table in the article, 您的位置 breadcrumb, 发布时间 line."""
    paragraphs = []
    for number, text in enumerate(PROVINCE_BODY):
        paragraphs.append(f"<p>　　{text}</p>")
        if number == 1:
            paragraphs.append("<h3>一、办好人民满意的教育</h3>")
        if number == 3:
            rows = "".join(
                "<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in PROVINCE_TABLE
            )
            paragraphs.append(f"<table class=\"data\" border=\"1\">{rows}</table>")
    body = "\n".join(paragraphs)
    html = f"""<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>{PROVINCE_TITLE} - 某某省人民政府门户网站</title>
<meta name="publishdate" content="2023-03-02">
<link rel="canonical" href="http://www.example.gov.cn/art/2023/3/2/art_1_100.html">
</head>
<body>
<table width="100%"><tr><td class="top">
  <a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/zwfw/">政务服务</a>
  <a href="/hdjl/">互动交流</a> <a href="/zjsx/">走进某某</a>
</td></tr></table>
<table width="1000" align="center"><tr>
<td class="left" width="200">
  <ul><li><a href="/ldzc/">领导之窗</a></li><li><a href="/ldjh/">领导讲话</a></li>
  <li><a href="/ldhd/">领导活动</a></li></ul>
</td>
<td class="main">
  <div class="weizhi">您的位置：<a href="/">首页</a> &gt;&gt; <a href="/ldzc/">领导之窗</a>
   &gt;&gt; <a href="/ldjh/">领导讲话</a></div>
  <div class="title"><h2 class="bt">{PROVINCE_TITLE}</h2></div>
  <div class="info">发布时间：2023-03-02　发布机构：省教育厅　浏览次数：<span>1024</span></div>
  <div class="zoom">【字号 <a href="#">大</a> <a href="#">中</a> <a href="#">小</a>】
   【<a href="javascript:window.print()">打印</a>】
   【<a href="javascript:window.close()">关闭窗口</a>】</div>
  <div id="zoom" class="content">
{body}
  </div>
</td></tr></table>
<div class="bottom">
  <p>主办：某某省人民政府办公厅　承办：某某省大数据中心</p>
  <p>某ICP备12003456号-1　网站标识码1300000001　<a href="/sitemap/">网站地图</a></p>
</div>
</body>
</html>
"""
    return Page(
        html=html, title=PROVINCE_TITLE, body=PROVINCE_BODY,
        headings=("一、办好人民满意的教育",),
        boilerplate=("您的位置", "领导之窗", "字号", "关闭窗口", "ICP备", "网站标识码", "主办",
                     "政务服务"),
    )


COUNTY_TITLE = "县长在全县校园安全工作会议上的讲话"
COUNTY_BODY = (
    "同志们：",
    "今天召开全县校园安全工作会议，主要任务是分析当前校园安全形势，安排部署下一阶段工作。",
    "一、提高认识，切实增强做好校园安全工作的责任感",
    "校园安全关系到广大师生的生命财产安全，关系到千家万户的幸福安宁。各乡镇、各部门要牢固"
    "树立安全第一的思想，把校园安全摆在更加突出的位置，做到思想认识到位、工作措施到位。",
    "二、突出重点，全面排查整治校园安全隐患",
    "要对全县所有中小学校、幼儿园开展拉网式排查，重点检查校舍、消防设施、食堂和校车，"
    "发现隐患立即整改，一时不能整改的要落实防范措施，确保万无一失。",
    "同志们，校园安全责任重于泰山，让我们齐心协力，为全县师生创造安全稳定的学习生活环境。",
)


def county_page() -> Page:
    """An old county site: one content div whose paragraphs are separated by <br>, headings
    as bold lines, <font> tags, the title in a centred <h1>, a print/close bar, a footer."""
    lines = []
    for text in COUNTY_BODY:
        if text.startswith(("一、", "二、")):
            lines.append(f"&nbsp;&nbsp;&nbsp;&nbsp;<b>{text}</b>")
        else:
            lines.append(f"&nbsp;&nbsp;&nbsp;&nbsp;<font size=\"3\">{text}</font>")
    body = "<br>\n".join(lines)
    html = f"""<html><head><meta charset="utf-8"><title>{COUNTY_TITLE}|某某县人民政府网</title>
<meta name="pubdate" content="2016年9月5日"></head>
<body>
<div id="top"><a href="/">网站首页</a>｜<a href="/xxgk/">信息公开</a>｜<a href="/bsfw/">办事服务</a>
｜<a href="/gzhd/">公众互动</a></div>
<div id="position">您现在的位置：<a href="/">首页</a> » <a href="/ldjh/">领导讲话</a></div>
<div id="main">
<h1 align="center">{COUNTY_TITLE}</h1>
<div class="source">时间：2016-09-05 来源：县教育局
 点击数：<script>document.write(88)</script></div>
<div id="content">
{body}
</div>
<div class="tools"><a href="javascript:window.print()">[打印]</a>
<a href="javascript:window.close()">[关闭]</a></div>
</div>
<div id="foot">Copyright © 2016 某某县人民政府 版权所有　某ICP备05001234号</div>
</body></html>
"""
    return Page(
        html=html, title=COUNTY_TITLE, body=COUNTY_BODY,
        headings=("一、提高认识，切实增强做好校园安全工作的责任感",
                  "二、突出重点，全面排查整治校园安全隐患"),
        boilerplate=("网站首页", "您现在的位置", "打印", "关闭", "版权所有", "ICP备", "点击数"),
    )
