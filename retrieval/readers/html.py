"""Web pages (.html, .htm): the article only, with what the page says about it.

A saved government page is mostly not the document: navigation, breadcrumbs, share and font-size
bars, related links, footers with ICP numbers and the site's address. The article is found the
way readability does it: text-rich paragraphs credit their container, link-heavy containers
lose, and the best container (plus its text-rich siblings) is the article. Lines shaped like
page furniture (footers, breadcrumbs, share bars, 发布时间 lines) score nothing and count
against their container, so a footer with an address never outscores a short body.

The title is the line that names the page (equal to its CMS ArticleTitle meta or its <title>
without the site name), wherever the template puts it; else the heading that text follows.
Text in the title's own container counts double, and there a link to a file (.pdf, .docx …)
is content, not navigation: a notice whose body is only its attachments keeps their names.
Everything else is dropped, each piece recorded with the rule that dropped it (text the page
hides with display:none too, and a <title> that says more than the title kept, under
"html-title"). Inside the article h2-h6 and whole-bold numbered lines
(<p><strong>一、…) are headings, a table row is one paragraph.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
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

NEAR_TITLE = 2.0  # text in the title's own container counts double
MIN_SCORED_CHARS = 25  # shorter text (menu items, labels) says nothing about where prose is
CLAUSE_MARKS = re.compile(r"[，。；！？,;]")
SHORT_LINE = 120  # boilerplate lines are short; a long paragraph that mentions 来源 is prose

CJK = "\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"
# A line break between two CJK characters is no space (CSS Text: segment break rules).
CJK_BREAK = re.compile(rf"(?<=[{CJK}])[ \t\r\f\v]*\n\s*(?=[{CJK}])")
SPACES = re.compile(r"[ \t\r\n\f\v\xa0]+")

SHARE = re.compile(r"分享到|分享至|【\s*字号|字号[：:]?\s*[【\[]?\s*大|【\s*打印|【\s*关闭|关闭窗口"
                   r"|打印本页|收藏本页|扫一扫|^\s*字[体号]\s*[：:]"
                   r"|^(?:\s*[\[【]?\s*(?:打印|关闭|返回顶部|返回|收藏)\s*[\]】]?)+\s*$")
META_LINE = re.compile(r"^\s*(?:信息)?(?:来源|发布时间|发布日期|更新时间|时间|日期|作者|"
                       r"责任编辑|编辑|浏览次数|点击数|访问量|发布机构|文章来源)\s*[：:]"
                       # a bare publishing stamp: 2019-12-25 10:25, optionally 来源：…
                       r"|^\s*(?:19|20)\d{2}[-/.]\d{1,2}[-/.]\d{1,2}"
                       r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?\s*(?:来源\s*[：:].*)?|\s*来源\s*[：:].*)$")
BREADCRUMB = re.compile(r"^\s*您?(?:当前|现在|所在)?的?位置\s*[：:]"
                        r"|^\s*首页\s*[>»›＞/]")
FOOTER = re.compile(r"ICP\s*备|ICP证|公网安备|网站标识码|主办单位|承办单位|主办[：:]|承办[：:]"
                    r"|版权所有|Copyright|©|网站地图|联系我们|技术支持[：:]", re.IGNORECASE)
# A site's contact line (address, post code, phone, fax): furniture outside the article, content
# inside it (a notice's 联系人/电话 line).
CONTACT = re.compile(r"^\s*(?:通讯地址|通信地址|联系地址|地址|邮编|邮政编码|电话|联系电话|传真"
                     r"|电子邮箱|邮箱|值班电话)\s*[：:]")
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
# A link to a file: an attachment of the document, so content (its name is what the page says).
FILE_LINK = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|ofd|zip|rar|7z|txt|rtf|pptx?|ceb|tiff?"
                       r"|jpe?g|png)(?:$|[?#])", re.IGNORECASE)
# CMS meta names of the article title (TRS/Hanweb/gov.cn: ArticleTitle; Open Graph; Dublin Core)
TITLE_META = ("articletitle", "og:title", "dc.title", "title")
SITE_META = ("sitename", "og:site_name", "columnname")
# What may follow the title on the title's own line: its date, number or source.
TITLE_TAIL = re.compile(r"[\s(（【\[]+(?:发布日期|发布时间|日期|时间|来源|文号|索引号|字号)"
                        r"\s*[：:]")
HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class Segment:
    """One run of text the page shows as a block, with what placing and kind depend on."""

    text: str
    element: object  # the nearest block-level element (an lxml element)
    link_chars: int  # characters inside <a> to pages (navigation), not to files
    bold: bool  # all of it inside <b>/<strong>
    order: int
    file_chars: int = 0  # characters inside <a> to files (attachments)


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
    names = page_titles(root)
    named = _naming_segment(segments, names)
    if named is None and (heading := _leading_heading(segments)) is not None:
        named = (heading, heading.text, "")
    content, near = _article(segments, named[0] if named else None)
    if near is not None:  # the document's attachments, wherever by its title they are listed
        content += [s.element for s in segments if s.file_chars and _within(s.element, [near])
                    and not _within(s.element, content)]
    whole_page = _tag(content[0]) == "html"
    inside = [s for s in segments if _within(s.element, content)]
    inside_orders = {s.order for s in inside}
    first_inside = min(inside_orders, default=len(segments))
    if named and named[0].order > first_inside:
        named = None  # a title below the start of the text would cut the text off
    if named is None:
        h1 = next((s for s in inside if _tag(s.element) == "h1"), None)
        named = (h1, h1.text, "") if h1 is not None else None
    title = named[0] if named else None
    blocks: list[Block] = []
    dropped: list[Dropped] = []
    related = _related_areas(inside, content)
    for segment in segments:
        if segment is title:
            blocks.append(Block(named[1], BlockKind.TITLE))
            if named[2]:
                dropped.append(Dropped(named[2], "html-meta"))
        elif _hidden(segment.element):
            dropped.append(Dropped(segment.text, "html-hidden"))
        elif segment.order in inside_orders:
            rule = _rule_inside(segment, related)
            if rule is None and whole_page and segment.link_chars >= 0.5 * len(segment.text):
                rule = "html-nav"  # no text scored: the page's links are still no article
            if rule:
                dropped.append(Dropped(segment.text, rule))
            else:
                blocks.append(_block(segment))
        else:
            dropped.append(Dropped(segment.text, _rule_outside(segment)))
    if not blocks:
        raise UnreadableFile("no-text", "no article text in the HTML page")
    page_title = _clean(root.findtext(".//title") or "")
    kept_title = named[1] if named else (names[0] if names else "")
    if page_title and _title_says_more(page_title, kept_title, [*blocks, *dropped]):
        dropped.insert(0, Dropped(page_title, "html-title"))
    meta = _meta(root, segments, named[1] if named else None, names)
    return RawDocument(blocks=tuple(blocks), format=FORMAT, meta=meta, dropped=tuple(dropped),
                       encoding=encoding)


def _title_says_more(page_title: str, title: str, pieces: list[Block | Dropped]) -> bool:
    """Whether the <title>, which is no line of the page, holds more than the title kept (the
    title block, else the page title taken as the document's) and the page's own lines: what
    it adds (a site name, 【】) would otherwise be lost silently."""
    rest = _fold(page_title)
    kept = _fold(title)
    if kept and kept in rest:
        rest = rest.replace(kept, "", 1)
    rest = rest.strip("【】[]()（）_|｜-–—:：")
    return bool(rest) and rest not in {_fold(p.text) for p in pieces}


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
    walker.walk(body if body is not None else root, "", False)
    walker.flush()
    return walker.segments


class _Walker:
    """Collects inline text until a block boundary, then emits it as one Segment."""

    def __init__(self) -> None:
        self.segments: list[Segment] = []
        self.pieces: list[tuple[str, str, bool]] = []  # (text, link kind, in bold)
        self.stack: list[object] = []

    def walk(self, element, link: str, bold: bool) -> None:
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
                if tag == "a" and not link:
                    link = _link_kind(element)
                self._inner(element, link, bold or tag in BOLD_TAGS)
        if element.tail:
            self.pieces.append((element.tail, "", bold))

    def _inner(self, element, link: str, bold: bool) -> None:
        if element.text:
            self.pieces.append((element.text, link, bold))
        for child in element:
            self.walk(child, link, bold)

    def flush(self) -> None:
        text = _clean("".join(p[0] for p in self.pieces))
        if text:
            links = sum(len(_clean(p[0])) for p in self.pieces if p[1] == "nav")
            files = sum(len(_clean(p[0])) for p in self.pieces if p[1] == "file")
            bold = all(p[2] for p in self.pieces if p[0].strip())
            self._emit(text, self.stack[-1] if self.stack else None, links, bold, files)
        self.pieces.clear()

    def _row(self, row) -> None:
        """A table row of data is one paragraph, its cells joined (like a .docx row)."""
        cells = [c for c in row if _tag(c) in ("td", "th")]
        texts = [_clean(c.text_content()) for c in cells]
        text = CELL_SEPARATOR.join(t for t in texts if t)
        if text:
            links = files = 0
            for a in row.iter("a"):
                chars, kind = len(_clean(a.text_content())), _link_kind(a)
                if kind == "file":
                    files += chars
                elif kind:
                    links += chars
            filled = [c for c, t in zip(cells, texts, strict=True) if t]
            bold = all(any(True for _ in c.iter("b", "strong")) for c in filled)
            self._emit(text, row, links, bold, files)

    def _emit(self, text: str, element, links: int, bold: bool, files: int = 0) -> None:
        links = min(links, len(text))
        self.segments.append(Segment(text, element, links, bold, len(self.segments),
                                     min(files, len(text) - links)))


def _link_kind(anchor) -> str:
    """"file" for a link to a document file (by its address or its text), "nav" for another
    link, "" for an anchor that links nowhere (<a name="title">, which editors wrap around
    a body's own text)."""
    href = anchor.get("href")
    if href is None:
        return ""
    href = href.strip()
    if FILE_LINK.search(href.split("#")[0]) or FILE_LINK.search(_clean(anchor.text_content())):
        return "file"
    return "nav"


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

def _article(segments: list[Segment],
             title: Segment | None = None) -> tuple[list[object], object | None]:
    """The elements holding the article (the best-scoring container and its rich siblings),
    and the title's own container.

    A segment scores by its clauses and length. Text in the title's own container counts
    double, and there a link to a file is content that scores whatever its length (a notice's
    body may be only its attachments); elsewhere it is a link like any other (a sidebar of
    downloads). Lines shaped like page furniture score nothing and, like links, count against
    the density of their containers."""
    furniture = {s.order for s in segments if _furniture(s) or _hidden(s.element)}
    near = _title_region(title, [
        s for s in segments if s.order not in furniture and s is not title
        and (s.file_chars or len(s.text) - s.link_chars >= MIN_SCORED_CHARS)])
    scores: dict[object, float] = defaultdict(float)
    text_chars: dict[object, int] = defaultdict(int)
    junk_chars: dict[object, int] = defaultdict(int)
    for segment in segments:
        by_title = near is not None and _within(segment.element, [near])
        links = segment.link_chars + (0 if by_title else segment.file_chars)
        junk = len(segment.text) if segment.order in furniture else links
        for ancestor in _ancestors(segment.element):
            text_chars[ancestor] += len(segment.text)
            junk_chars[ancestor] += junk
        own = len(segment.text) - links
        if segment.order in furniture or CONTACT.match(segment.text) or segment is title:
            continue
        attachment = by_title and segment.file_chars > 0
        if (own < MIN_SCORED_CHARS and not attachment) or links > own:
            continue
        score = 1 + len(CLAUSE_MARKS.findall(segment.text)) + min(own / 100, 3)
        if by_title:
            score *= NEAR_TITLE
        element = segment.element
        first = element.getparent() if _tag(element) in PARAGRAPH_TAGS else element
        if first is None:
            first = element
        scores[first] += score
        parent = first.getparent()
        if parent is not None:
            scores[parent] += score / 2

    def final(element) -> float:
        density = junk_chars[element] / max(text_chars[element], 1)
        return scores[element] * (1 - density)

    if not scores:
        return [segments[0].element.getroottree().getroot()], near
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
                              and junk_chars[sibling] < 0.25 * text_chars[sibling])
            if final(sibling) >= threshold or rich_paragraph:
                chosen.append(sibling)
    return chosen, near


def _title_region(title: Segment | None, candidates: list[Segment]) -> object | None:
    """The nearest container of the title that holds text which may score: where the
    article starts (a sidebar of downloads or a footer stands farther off)."""
    if title is None:
        return None
    holders = {a for s in candidates for a in _ancestors(s.element)}
    region = next((a for a in _ancestors(title.element) if a in holders), None)
    return None if _tag(region) in ("body", "html") else region  # the whole page is no region


def _hidden(element) -> bool:
    """Inside an element the page hides (style="display:none", hidden): a search engine's
    keyword line, a duplicate for print; a hidden h1 may still be the title."""
    return any(a.get("hidden") is not None or HIDDEN.search(a.get("style") or "")
               for a in _ancestors(element) if _tag(a))


def _furniture(segment: Segment) -> bool:
    """A short line shaped like page furniture (footer, breadcrumb, share bar, meta line)."""
    return len(segment.text) <= SHORT_LINE and _line_rule(segment.text, _OUTSIDE_ORDER) is not None


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
        if len(members) >= 3 and links > 0.6 * text:  # file links (attachments) are content
            areas.add(area)
    return areas


def page_titles(root) -> list[str]:
    """What the page says its article is called: the CMS's ArticleTitle (og:title, DC.Title)
    meta, then its <title>, each without the site name."""
    sites = [c for m in root.iter("meta") if _meta_key(m) in SITE_META
             if (c := _clean(m.get("content") or ""))]
    found = [(_clean(m.get("content") or ""), key == "og:title") for key in TITLE_META
             for m in root.iter("meta") if _meta_key(m) == key]
    found.append((_clean(root.findtext(".//title") or ""), True))
    names: list[str] = []
    for name, suffixed in found:  # an ArticleTitle has no site suffix to guess at
        name = clean_title(name, sites, guess=suffixed)
        if len(name) >= 4 and name not in names and name not in sites:
            names.append(name)
    return names


def _naming_segment(segments: list[Segment],
                    names: list[str]) -> tuple[Segment, str, str] | None:
    """The line that names the page: (segment, title text, what follows the title on it).

    The first line (not a link) equal to a page title, or to one followed by its date or
    number (标题 (发布日期：…)); else the last h1-h3 that starts a page title or the reverse,
    so a site-name h1 in the header is not taken for the title."""
    if not names:
        return None
    folded = [_fold(n) for n in names]
    heading = None
    for segment in segments:
        if segment.link_chars + segment.file_chars > len(segment.text) / 2:
            continue
        text = _fold(segment.text)
        if text in folded:
            return segment, segment.text, ""
        tail = TITLE_TAIL.search(segment.text, 1)
        if tail and _fold(segment.text[:tail.start()]) in folded:
            return (segment, segment.text[:tail.start()].strip(),
                    segment.text[tail.start():].strip())
        if (_tag(segment.element) in ("h1", "h2", "h3") and len(text) >= 4
                and any(f.startswith(text) or text.startswith(f) for f in folded)
                and (heading is None or _tag(segment.element) == "h1"
                     or _tag(heading.element) != "h1")):
            heading = segment
    return (heading, heading.text, "") if heading is not None else None


def _leading_heading(segments: list[Segment]) -> Segment | None:
    """Without a line naming the page: the highest h1-h3 (not a link, not a numbered section)
    that text follows with no navigation in between; a site-name h1 above the menu is none."""
    best = None
    for i, segment in enumerate(segments):
        tag = _tag(segment.element)
        if (tag not in ("h1", "h2", "h3") or len(segment.text) < 4
                or segment.link_chars + segment.file_chars > len(segment.text) / 2
                or _numbered_heading_level(segment.text) is not None
                or (best is not None and tag >= _tag(best.element))):
            continue
        for after in segments[i + 1:]:
            if _furniture(after):
                continue
            own = len(after.text) - after.link_chars
            if after.link_chars > own:
                break  # navigation: the heading is the header's
            if after.file_chars or own >= MIN_SCORED_CHARS:
                best = segment
                break
    return best


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


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
    if CONTACT.match(text):
        return "html-footer"
    if segment.link_chars + segment.file_chars >= 0.5 * len(text):
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

def _meta(root, segments: list[Segment], title: str | None,
          names: list[str]) -> dict[str, str]:
    meta: dict[str, str] = {}
    if title or names:
        meta["title"] = title or names[0]
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


def clean_title(title: str, sites: Iterable[str] = (), guess: bool = True) -> str:
    """A <title> without its site suffix (标题_中国政府网, 标题 - XX省人民政府, 标题|XX网, or
    any of ``sites``, the site names the page states; only those without ``guess``) and
    without 【】 around it all."""
    sites = {s for s in sites if s}
    while True:
        separators = list(TITLE_SEPARATOR.finditer(title))
        match = separators[-1] if separators else None
        if match is None or match.start() == 0:
            break
        head, tail = title[:match.start()].strip(), title[match.end():].strip()
        site = tail in sites or (guess and (SITE_TAIL.search(tail) or len(tail) <= SHORT_TAIL))
        if not head or not site:
            break
        title = head
    if title.startswith("【") and title.endswith("】") and title.count("【") == 1:
        title = title[1:-1].strip()
    return title


def _meta_key(meta) -> str:
    return (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()


def _meta_date(root) -> str | None:
    for meta in root.iter("meta"):
        if _meta_key(meta) in DATE_META:
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
