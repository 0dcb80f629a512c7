"""Web pages (.html, .htm): the article only, with what the page says about it.

A saved government page is mostly not the document: navigation, breadcrumbs, share and font-size
bars, related links, footers with ICP numbers. The article is found the way readability does
it: text-rich paragraphs credit their container, link-heavy containers lose, and the best
container (plus its text-rich siblings) is the article. Everything else is dropped, each
piece recorded with the rule that dropped it. Inside the article, h1 is the title, h2-h6
and whole-bold numbered lines (<p><strong>一、…) are headings, a table row is one paragraph.
"""

from __future__ import annotations

import codecs
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from . import Block, BlockKind, Dropped, RawDocument
from .errors import UnreadableFile
from .text import decode

FORMAT = "html"

SKIPPED_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "canvas", "object",
                "embed", "select", "option", "button", "input", "textarea", "head", "map"}
BLOCK_TAGS = {"html", "body", "p", "div", "section", "article", "main", "header", "footer",
              "nav", "aside", "ul", "ol", "li", "dl", "dt", "dd", "table", "thead", "tbody",
              "tfoot", "caption", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
              "form", "figure", "figcaption", "center", "address", "hr", "fieldset",
              "details", "summary", "tr", "td", "th"}
# A text in one of these is a paragraph of its parent; other blocks hold their own text.
PARAGRAPH_TAGS = {"p", "pre", "blockquote", "li", "dd", "dt", "tr", "h1", "h2", "h3", "h4",
                  "h5", "h6", "address", "figcaption"}
HEADING_TAGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
BOLD_TAGS = {"b", "strong"}
CELL_SEPARATOR = "　"

MIN_SCORED_CHARS = 25  # shorter text (menu items, labels) says nothing about where prose is
CLAUSE_MARKS = re.compile(r"[，。；！？,;]")
SHORT_LINE = 120  # boilerplate lines are short; a long paragraph that mentions 来源 is prose

CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two CJK characters is no space (CSS Text: segment break rules).
CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t\r\f\v]*\n\s*(?=[{CJK}])")
SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")

SHARE = re.compile(r"分享到|分享至|【\s*字号|字号[：:]?\s*[【\[]?\s*大|【\s*打印|【\s*关闭|关闭窗口"
                   r"|打印本页|收藏本页|扫一扫"
                   r"|^(?:\s*[\[【]?\s*(?:打印|关闭|返回顶部|返回|收藏)\s*[\]】]?)+\s*$")
META_LINE = re.compile(r"^\s*(?:信息)?(?:来源|发布时间|发布日期|更新时间|时间|日期|作者|"
                       r"责任编辑|编辑|浏览次数|点击数|访问量|发布机构|文章来源)\s*[：:]")
BREADCRUMB = re.compile(r"^\s*(?:当前位置|您的位置|您现在的位置|现在位置|所在位置)\s*[：:]"
                        r"|^\s*首页\s*[>»›＞/]")
FOOTER = re.compile(r"ICP\s*备|ICP证|公网安备|网站标识码|主办单位|承办单位|主办[：:]|承办[：:]"
                    r"|版权所有|Copyright|©|网站地图|联系我们|技术支持[：:]", re.IGNORECASE)
RELATED = re.compile(r"^\s*(?:相关链接|相关文章|相关阅读|相关新闻|相关稿件|延伸阅读|推荐阅读"
                     r"|热点推荐|上一篇|下一篇)")

DATE = re.compile(r"((?:19|20)\d{2})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})")
DATE_LINE = re.compile(r"(?:发布时间|发布日期|成文日期|时间|日期)\s*[：:]\s*" + DATE.pattern)
# The issuer runs to the next separator or the next label of the same line (a line break
# between Chinese characters is no space, so "来源：县教育局\n点击数" reads 县教育局点击数).
ISSUER_LINE = re.compile(
    r"(?:来源|发布机构|文章来源|信息来源)\s*[：:]\s*([^\s　|｜:：【\[（(]+?)"
    r"(?=$|[\s　|｜:：【\[（(]|(?:发布|时间|日期|作者|点击|浏览|阅读|访问|责任|编辑|字号|打印))")
DATE_META = {"pubdate", "publishdate", "article:published_time", "dc.date", "dc.date.issued",
             "firstpublishedtime", "published_time"}
# Between a page title and its site name: _ | ｜ - – or a single — (a double —— opens a
# subtitle, which belongs to the title).
TITLE_SEPARATOR = re.compile(r"\s*(?:_|\||｜|(?<!—)—(?!—)|-|–)\s*")
SITE_TAIL = re.compile(r"(?:网|政府|门户|网站|报|厅|局|委员会|中心|频道)$")
SHORT_TAIL = 6
CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class Segment:
    """One run of text the page shows as a block, with what placing and kind depend on."""

    text: str
    element: object  # the nearest block-level element (an lxml element)
    link_chars: int  # characters inside <a>
    bold: bool  # all of it inside <b>/<strong>
    order: int


def read(path: Path, data: bytes) -> RawDocument:
    text, encoding = decode_page(data)
    from lxml import etree
    from lxml import html as lxml_html

    try:
        root = lxml_html.document_fromstring(XML_DECLARATION.sub("", text))
    except (etree.ParserError, ValueError) as exc:
        raise UnreadableFile("no-text", f"no HTML text ({exc})") from exc
    segments = list(_segments(root))
    if not segments:
        raise UnreadableFile("no-text", "no text in the HTML page")
    content = _article(segments)
    inside = [s for s in segments if _within(s.element, content)]
    inside_orders = {s.order for s in inside}
    title = _title_segment(root, segments, inside)
    blocks: list[Block] = []
    dropped: list[Dropped] = []
    related = _related_areas(inside, content)
    for segment in segments:
        if segment is title:
            blocks.append(Block(segment.text, BlockKind.TITLE))
        elif segment.order in inside_orders:
            rule = _rule_inside(segment, related)
            if rule:
                dropped.append(Dropped(segment.text, rule))
            else:
                blocks.append(_block(segment))
        else:
            dropped.append(Dropped(segment.text, _rule_outside(segment)))
    meta = _meta(root, segments, title)
    return RawDocument(blocks=tuple(blocks), format=FORMAT, meta=meta, dropped=tuple(dropped),
                       encoding=encoding)


def decode_page(data: bytes) -> tuple[str, str]:
    """Text by the page's declared charset (a GB2312 page is read as its superset GB18030);
    without a usable declaration, by the plain-text detection."""
    declared = CHARSET.search(data[:4096])
    if declared and not data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE,
                                         codecs.BOM_UTF16_BE)):  # a BOM outranks a meta tag
        name = declared.group(1).decode("ascii").lower()
        try:
            encoding = codecs.lookup(name).name
        except LookupError:
            encoding = ""
        encoding = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "cp950"}.get(
            encoding, encoding)
        if encoding:
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                pass  # a wrong declaration is common; detect instead
    return decode(data)


# --- segments ----------------------------------------------------------------------------

def _segments(root) -> list[Segment]:
    """The page's text as the blocks a browser would show, in document order."""
    walker = _Walker()
    body = root.find("body")
    walker.walk(body if body is not None else root, False, False)
    walker.flush()
    return walker.segments


class _Walker:
    """Collects inline text until a block boundary, then emits it as one Segment."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.pieces: list[tuple[str, bool, bool]] = []  # (text, in a link, in bold)
        self.stack: list[object] = []

    def walk(self, element, link: bool, bold: bool) -> None:
        tag = _tag(element)
        if tag and tag not in SKIPPED_TAGS:
            if tag == "tr" and _is_data_row(element):
                self.flush()
                self._row(element)
            elif tag == "br":
                self.flush()
            elif tag in BLOCK_TAGS:
                self.flush()
                self.stack.append(element)
                self._inner(element, link, bold)
                self.flush()
                self.stack.pop()
            else:
                self._inner(element, link or tag == "a", bold or tag in BOLD_TAGS)
        if element.tail:
            self.pieces.append((element.tail, link, bold))

    def _inner(self, element, link: bool, bold: bool) -> None:
        if element.text:
            self.pieces.append((element.text, link, bold))
        for child in element:
            self.walk(child, link, bold)

    def flush(self) -> None:
        text = _clean("".join(p[0] for p in self.pieces))
        if text:
            links = sum(len(_clean(p[0])) for p in self.pieces if p[1])
            bold = all(p[2] for p in self.pieces if p[0].strip())
            self._emit(text, self.stack[-1] if self.stack else None, links, bold)
        self.pieces.clear()

    def _row(self, row) -> None:
        """A table row of data is one paragraph, its cells joined (like a .docx row)."""
        cells = [c for c in row if _tag(c) in ("td", "th")]
        texts = [_clean(c.text_content()) for c in cells]
        text = CELL_SEPARATOR.join(t for t in texts if t)
        if text:
            links = sum(len(_clean(a.text_content())) for a in row.iter("a"))
            filled = [c for c, t in zip(cells, texts, strict=True) if t]
            bold = all(any(True for _ in c.iter("b", "strong")) for c in filled)
            self._emit(text, row, links, bold)

    def _emit(self, text: str, element, links: int, bold: bool) -> None:
        self.segments.append(
            Segment(text, element, min(links, len(text)), bold, len(self.segments)))


ROW_BLOCKS = {"p", "div", "table", "ul", "ol", "dl", "h1", "h2", "h3", "h4", "h5", "h6",
              "section", "article", "blockquote", "pre"}


def _is_data_row(row) -> bool:
    """A row whose cells hold only inline text; a layout row (a page built of tables) holds
    paragraphs and divs and is walked like any block."""
    return not any(_tag(d) in ROW_BLOCKS for d in row.iterdescendants())


def _clean(text: str) -> str:
    text = CJK_BREAK.sub("", text)
    return SPACES.sub(" ", text).strip(" \u3000")


# --- the article -------------------------------------------------------------------------

def _article(segments: list[Segment]) -> list[object]:
    """The elements holding the article: the best-scoring container and its rich siblings."""
    scores: dict[object, float] = defaultdict(float)
    text_chars: dict[object, int] = defaultdict(int)
    link_chars: dict[object, int] = defaultdict(int)
    for segment in segments:
        for ancestor in _ancestors(segment.element):
            text_chars[ancestor] += len(segment.text)
            link_chars[ancestor] += segment.link_chars
        own = len(segment.text) - segment.link_chars
        if own < MIN_SCORED_CHARS or segment.link_chars > own:
            continue
        score = 1 + len(CLAUSE_MARKS.findall(segment.text)) + min(own / 100, 3)
        element = segment.element
        first = element.getparent() if _tag(element) in PARAGRAPH_TAGS else element
        if first is None:
            first = element
        scores[first] += score
        parent = first.getparent()
        if parent is not None:
            scores[parent] += score / 2

    def final(element) -> float:
        density = link_chars[element] / max(text_chars[element], 1)
        return scores[element] * (1 - density)

    if not scores:
        return [segments[0].element.getroottree().getroot()]
    top = max(scores, key=final)
    best = final(top)
    chosen = [top]
    parent = top.getparent()
    if parent is not None:
        threshold = max(10.0, best * 0.2)
        for sibling in parent:
            if sibling is top or not isinstance(sibling.tag, str):
                continue
            rich_paragraph = (_tag(sibling) == "p" and text_chars[sibling] >= 80
                              and link_chars[sibling] < 0.25 * text_chars[sibling])
            if final(sibling) >= threshold or rich_paragraph:
                chosen.append(sibling)
    return chosen


def _related_areas(inside: list[Segment], content: list[object]) -> set[object]:
    """Link lists inside the article's container (related articles, attachments bars)."""
    by_list: dict[object, list[Segment]] = defaultdict(list)
    for segment in inside:
        for ancestor in _ancestors(segment.element):
            if ancestor in content:
                break
            if _tag(ancestor) in ("ul", "ol", "dl", "div", "table", "section"):
                by_list[ancestor].append(segment)
    areas = set()
    for area, members in by_list.items():
        text = sum(len(s.text) for s in members)
        links = sum(s.link_chars for s in members)
        if len(members) >= 3 and links > 0.6 * text:
            areas.add(area)
    return areas


def _title_segment(root, segments: list[Segment], inside: list[Segment]) -> Segment | None:
    """The article's title: its h1 inside the article; else the last h1, h2 or h3 before the
    article that names the page (its <title> without the site suffix starts with it, or
    it with that), so a site-name h1 in the header is not taken for the title."""
    for segment in inside:
        if _tag(segment.element) == "h1":
            return segment
    first = inside[0].order if inside else len(segments)
    page_title = clean_title(_clean(root.findtext(".//title") or ""))

    def names_page(text: str) -> bool:
        return len(text) >= 4 and bool(page_title) and (
            page_title.startswith(text) or text.startswith(page_title))

    before = [s for s in segments if s.order < first and s.link_chars < len(s.text)
              and _tag(s.element) in ("h1", "h2", "h3") and names_page(s.text)]
    h1 = [s for s in before if _tag(s.element) == "h1"]
    return (h1 or before or [None])[-1]


# The line shapes of page furniture, by rule. A line matching several is recorded under the
# first rule of the order: inside the article short lines are tried share bar first, outside it
# breadcrumb and footer first.
_LINE_RULES = {"html-share": SHARE, "html-meta": META_LINE, "html-breadcrumb": BREADCRUMB,
               "html-footer": FOOTER, "html-related": RELATED}
_INSIDE_ORDER = ("html-share", "html-meta", "html-breadcrumb", "html-footer", "html-related")
_OUTSIDE_ORDER = ("html-breadcrumb", "html-footer", "html-share", "html-related", "html-meta")


def _line_rule(text: str, order: tuple[str, ...]) -> str | None:
    return next((rule for rule in order if _LINE_RULES[rule].search(text)), None)


def _rule_inside(segment: Segment, related: set[object]) -> str | None:
    text = segment.text
    if len(text) <= SHORT_LINE and (rule := _line_rule(text, _INSIDE_ORDER)):
        return rule
    if any(a in related for a in _ancestors(segment.element)):
        return "html-related"
    return None


def _rule_outside(segment: Segment) -> str:
    text = segment.text
    if rule := _line_rule(text, _OUTSIDE_ORDER):
        return rule
    if segment.link_chars >= 0.5 * len(text):
        return "html-nav"
    return "html-outside"


def _block(segment: Segment) -> Block:
    tag = _tag(segment.element)
    if tag in HEADING_TAGS:
        # h1 is the title; h2 is a first-level section (as Word's "Heading 1"), level 0.
        return Block(segment.text, BlockKind.HEADING, level=max(HEADING_TAGS[tag] - 2, 0))
    level = _numbered_heading_level(segment.text)
    if segment.bold and level is not None:
        return Block(segment.text, BlockKind.HEADING, level=level)
    return Block(segment.text, BlockKind.PARAGRAPH)


NUMBERED = (
    (re.compile(r"^[一二三四五六七八九十百]+、"), 0),
    (re.compile(r"^[（(][一二三四五六七八九十百]+[）)]"), 1),
    (re.compile(r"^\d{1,2}[.．、]"), 2),
    (re.compile(r"^第[一二三四五六七八九十百\d]+[部分章节篇]"), 0),
)


def _numbered_heading_level(text: str) -> int | None:
    """A short bold line numbered like a section (一、 （一） 1.) is a heading."""
    if len(text) > 60:
        return None
    for pattern, level in NUMBERED:
        if pattern.match(text):
            return level
    return None


# --- metadata ----------------------------------------------------------------------------

def _meta(root, segments: list[Segment], title: Segment | None) -> dict[str, str]:
    meta: dict[str, str] = {}
    if title is not None:
        meta["title"] = title.text
    else:
        page_title = root.findtext(".//title")
        cleaned = clean_title(_clean(page_title or ""))
        if cleaned:
            meta["title"] = cleaned
    date = _meta_date(root) or _line_date(segments)
    if date:
        meta["date"] = date
    url = _link_url(root)
    if url:
        meta["url"] = url
    issuer = _issuer(segments)
    if issuer:
        meta["issuer"] = issuer
    return meta


def clean_title(title: str) -> str:
    """A <title> without its site suffix (标题_中国政府网, 标题 - XX省人民政府, 标题|XX网)."""
    while True:
        separators = list(TITLE_SEPARATOR.finditer(title))
        match = separators[-1] if separators else None
        if match is None or match.start() == 0:
            return title
        head, tail = title[:match.start()].strip(), title[match.end():].strip()
        if not head or not (SITE_TAIL.search(tail) or len(tail) <= SHORT_TAIL):
            return title
        title = head


def _meta_date(root) -> str | None:
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in DATE_META:
            found = DATE.search(meta.get("content") or "")
            if found:
                return _iso(found)
    return None


def _line_date(segments: Iterable[Segment]) -> str | None:
    for segment in segments:
        if len(segment.text) <= SHORT_LINE * 2:
            found = DATE_LINE.search(segment.text)
            if found:
                return _iso(found, offset=1)
    return None


def _iso(match: re.Match[str], offset: int = 1) -> str | None:
    year, month, day = (int(match.group(offset + i)) for i in range(3))
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def _link_url(root) -> str | None:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href").strip()
    for meta in root.iter("meta"):
        if (meta.get("property") or meta.get("name") or "").lower() == "og:url":
            content = (meta.get("content") or "").strip()
            if content:
                return content
    return None


def _issuer(segments: Iterable[Segment]) -> str | None:
    for segment in segments:
        if len(segment.text) <= SHORT_LINE * 2:
            found = ISSUER_LINE.search(segment.text)
            if found:
                return found.group(1).strip("　 ,，;；")
    return None


# --- helpers -----------------------------------------------------------------------------

def _tag(element) -> str:
    tag = getattr(element, "tag", "")
    return tag.lower() if isinstance(tag, str) else ""


def _ancestors(element) -> Iterator[object]:
    while element is not None:
        yield element
        element = element.getparent()


def _within(element, containers: list[object]) -> bool:
    return any(a in containers for a in _ancestors(element))
