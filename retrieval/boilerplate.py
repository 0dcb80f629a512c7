"""What is not content: web and print furniture, by line shape and by frequency across files.

Two kinds of rule, both general:
- Shapes that mean furniture on any site: keyword lists, `来源：`/`发布时间：` lines, photo
  captions, `字号/打印/分享到` bars, breadcrumbs, footers, bare URLs and page numbers.
- What a corpus repeats: a short line (a menu word, a site banner, a database name) or a line
  label (`关键词：`) that stands in many files of one corpus is that site's furniture, so a new
  site's furniture goes without a new rule. Sentences are never learned: a sentence that
  repeats across files is content (reposts are merged elsewhere).

Every rule has a name: what is dropped is reported with it (`policybot passages FILE`).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

# A heading or list marker at a line start: such a line is structure, never furniture.
MARKER = re.compile(
    r"^\s*([（(]?[一二三四五六七八九十百]+[、)）.．]|[（(]?\d{1,2}[)）.．、](?!\d)"
    r"|第[一二三四五六七八九十百\d]+([章节条篇部分编]|[，,、])"
    r"|[一二三四五六七八九十][是要]|其[一二三四五六七八九十])")
SENTENCE_END = re.compile(r"[。！？!?；;]")
# Words that end a document title (报告, 通知, 讲话 ...): a line holding one is a title
# candidate and is never learned as furniture, even where several files share it.
DOC_TYPE = re.compile(
    r"(报告|讲话|讲话稿|发言|致辞|通知|通告|公告|意见|决定|决议|办法|方案|规划|纲要|条例|规定|细则|"
    r"批复|函|通报|纪要|公报|白皮书|指南|标准|计划|要点|总结|说明|答记者问|讲稿|建议|议案|提案|"
    r"措施|举措|公示|解读|提示|提醒|指引|问答|答疑|清单|须知|预案|汇编|告知书|倡议书|公开信|一封信|令)"
    r"([（(][^）)]{0,12}[）)]|第[\d一二三四五六七八九十百]+号)?$")

PAGE_NUMBER = re.compile(
    r"^[-—–~\s]*(第\s*)?\d{1,4}\s*(页)?(\s*[/／共]\s*\d{1,4}\s*页?)?[-—–~\s]*$")
FOOTER_MAX_CHARS = 120  # a footer phrase inside a longer line is part of a sentence

# name -> pattern over a stripped line; the first that matches names the drop.
SHAPES: tuple[tuple[str, re.Pattern[str]], ...] = (
    # "来源：人民网  2013-03-02", "责任编辑：李莎莎", "发布时间：", "阅读量：" (value may follow
    # on the next line: see LABEL_ONLY).
    ("label-line", re.compile(
        r"^(来源|来源于|稿源|时间|日期|发布时间|发表时间|发布日期|更新时间|作者|编辑|责任编辑|责编|"
        r"审核|校对|编审|主编|撰稿|记者|通讯员|摄影|摄像|供图|图片来源|点击数|点击量|浏览次数|"
        r"阅读量|阅读|浏览|访问量|字数|关键词|关键字|标签|Tags?|分类|栏目|发布机构|发文机关|"
        r"信息来源|文章来源|原标题|索引号|主题分类|成文日期|发布人)"
        r"\s*[:：].{0,60}$", re.IGNORECASE)),
    # "相关链接>>", "看过…的人还看了:": the start of a related-links list (see RELATED).
    ("related-links", re.compile(
        r"(看过.{0,60}的人还看了|^(相关|延伸|推荐|热点|热门|更多)(链接|阅读|文章|推荐|新闻|文档|附件|"
        r"专题|报道|阅读推荐)?\s*[:：>》]*\s*$|猜你喜欢\s*[:：]?$|》》.{0,20}《《)")),
    # "学习啦 > 实用范文 > 致辞讲话", "首页>>要闻": navigation breadcrumbs.
    ("breadcrumb", re.compile(r"^(您的位置|当前位置|所在位置|位置)\s*[:：]|"
                              r"^[^>。，,]{1,30}(\s*(>>?|》|→)\s*[^>。]{0,40}){2,}$")),
    # "【字号：大 中 小】", "打印本页 关闭窗口", "分享到：", "扫一扫在手机打开当前页".
    ("share-bar", re.compile(
        r"^[【\[]?\s*(字号|字体|文字大小)\s*[:：]|^(分享到|分享|转发到|扫一扫|扫码|微信扫一扫)|"
        r"^(打印本页|打印|关闭窗口|关闭本页|返回顶部|回到顶部|收藏本页|收藏|下载|全屏|纠错|"
        r"加大|还原|减小|默认|大|中|小|[>|｜×•·/【】\[\]]+)$|"
        r"^(?!.*(19|20)\d{2}\s*年\s*\d{1,2}\s*月)"  # a 落款 glued to the bar is content
        r".{0,30}(打印本页|关闭窗口|返回顶部|【打印】|【关闭】|【收藏】).{0,30}$")),
    # "本报记者 戴冰摄", "（新华社记者 李学仁 摄）", "图为…（记者 XX 摄）": photo captions.
    ("caption", re.compile(
        r"^[（(]?\s*(本报|新华社|人民网|中新社|央视网)?(特约)?(记者|通讯员|摄影)\s*[\u4e00-\u9fff·\s]{2,16}"
        r"\s*(摄|供图|/摄)\s*[)）]?$|^图[为：:].{0,60}[（(].{0,20}摄\s*[)）]$"
        r"|^.{0,40}(记者|通讯员|摄影)\s*[\u4e00-\u9fff·]{2,4}\s*摄\s*[)）]?$")),
    # "...由互联网用户分享整理。文章地址:http://...", copyright and ICP lines, bare URLs.
    ("footer", re.compile(
        r"(由互联网用户分享整理|文章地址\s*[:：]|本文地址\s*[:：]|原文链接\s*[:：]|转载请注明|"
        r"版权所有|ICP\s*备|网站标识码|公网安备|主办单位\s*[:：]|承办单位\s*[:：]|"
        r"^\s*https?://\S+\s*$|^Public domain$|^(true|false)$|^[0-9a-f]{24,}\s*[:：]?$)",
        re.IGNORECASE)),
    # "下面网友分享多篇相关内容供您参考学习": article-site intros.
    ("site-intro", re.compile(
        r"下面(网友|小编|为大家|为您|是)?.{0,10}(分享|整理|收集|带来).{0,30}(供|希望|欢迎)")),
    # A line that is only a date in digits (2013-03-02), or a date and time: the page's
    # publishing stamp, not text. A date in words (2020年2月2日) is a document's 落款: content.
    ("date-line", re.compile(
        r"^(19|20)\d{2}\s*[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}"
        r"(\s*\d{1,2}\s*[:：时]\s*\d{1,2}\s*分?(\s*[:：]\s*\d{1,2}\s*秒?)?)?$"
        r"|^(19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日"
        r"\s*\d{1,2}\s*[:：时]\s*\d{1,2}\s*分?(\s*[:：]\s*\d{1,2}\s*秒?)?$")),
    ("page-number", PAGE_NUMBER),
)
# A date in words ending a line: the 落款 of a document (人力资源社会保障部 财政部 2020年2月20日).
CLOSING_DATE = re.compile(r"(19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
# A line that only separates breadcrumb items ("首页" / ">" / "要闻").
CRUMB_SEPARATOR = re.compile(r"^\s*(>>?|»|›|→|/|\\)\s*$")
CRUMB_MAX = 12

# A label with its value on the next line ("来源:" / "四川日报").
LABEL_ONLY = re.compile(
    r"^(来源|时间|日期|发布时间|发表时间|发布日期|作者|编辑|责任编辑|阅读量|点击数|浏览次数|"
    r"关键词|发布机构|信息来源|文章来源)\s*[:：]\s*$")
# Space-separated short words, no sentence punctuation: a keyword or tag list.
KEYWORDS = re.compile(r"^[\w\u4e00-\u9fff·]{1,10}([ \u3000\t]+[\w\u4e00-\u9fff·]{1,10}){3,}$")
# A label that may open a line, for learning line prefixes ("关键词：", "人民网>>").
PREFIX = re.compile(r"^([^《》（）()]{1,8}?)(\s*[:：|｜]\s*|\s*>>\s*)")
# A bracketed tail naming a source or a label, for learning line suffixes ("（来源：人民日报）",
# "（新华社）"); other bracketed tails ("（草案）") are content.
SUFFIX = re.compile(
    r"\s*[（(【\[]([^（()）【】\[\]]{0,20}[:：][^（()）【】\[\]]{0,20}"
    r"|[^（()）【】\[\]]{1,20}(网|报|社|台|摄|记者|编辑))[)）】\]]\s*$")

LEARN_MAX_CHARS = 40  # longer lines are content, however often they repeat
MIN_FILES = 3  # a line must stand in at least this many files (and 2% of them) to be learned
PARAGRAPH_MIN_FILES = 5  # a long paragraph: at least this many files and a quarter of them


def fold(line: str) -> str:
    """The comparable form of a line: NFKC, no whitespace."""
    return "".join(unicodedata.normalize("NFKC", line).split())


def shape_rule(line: str) -> str | None:
    """The name of the furniture shape a stripped line has, or None for content."""
    if not line or (MARKER.match(line) and not PAGE_NUMBER.match(line)):
        return None
    for name, pattern in SHAPES:
        if pattern.search(line) and (name != "footer" or len(line) <= FOOTER_MAX_CHARS):
            return name
    if KEYWORDS.match(line) and not DOC_TYPE.search(line) and not CLOSING_DATE.search(line):
        return "keyword-list"  # but issuers' names before their date are a 落款: content
    return None


def learnable(line: str) -> bool:
    """Short, not a sentence, not structure, not a title: could be a site's furniture."""
    return (0 < len(line) <= LEARN_MAX_CHARS and not SENTENCE_END.search(line)
            and "，" not in line and "," not in line
            and not MARKER.match(line) and not DOC_TYPE.search(line))


@dataclass(frozen=True)
class Boilerplate:
    """Lines, line labels and line tails that repeat across many files of one corpus."""

    lines: frozenset[str] = frozenset()  # folded short lines
    paragraphs: frozenset[str] = frozenset()  # folded long paragraphs (licence notes …)
    prefixes: frozenset[str] = frozenset()  # folded labels, with their delimiter
    suffixes: frozenset[str] = frozenset()  # folded bracketed tails

    @classmethod
    def learn(cls, files: Iterable[Iterable[str]], min_files: int = MIN_FILES) -> Boilerplate:
        """Learn from each file's stripped lines. A line counts once per file; it is learned
        when it stands in at least max(min_files, 2% of the files) files."""
        lines: Counter[str] = Counter()
        paragraphs: Counter[str] = Counter()
        prefixes: Counter[str] = Counter()
        suffixes: Counter[str] = Counter()
        n = 0
        for file_lines in files:
            n += 1
            seen_lines, seen_paragraphs, seen_prefixes, seen_suffixes = set(), set(), set(), set()
            for line in file_lines:
                if learnable(line):
                    seen_lines.add(fold(line))
                elif len(line) > LEARN_MAX_CHARS:
                    seen_paragraphs.add(fold(line))
                if (m := PREFIX.match(line)) and not MARKER.match(line):
                    seen_prefixes.add(fold(m.group(0)))
                if (m := SUFFIX.search(line)) and len(line) > len(m.group(0)):
                    seen_suffixes.add(fold(m.group(0)))
            lines.update(seen_lines)
            paragraphs.update(seen_paragraphs)
            prefixes.update(seen_prefixes)
            suffixes.update(seen_suffixes)
        least = max(min_files, -(-2 * n // 100))

        def frequent(counts: Counter[str], least: int = least) -> frozenset[str]:
            return frozenset(k for k, c in counts.items() if c >= least)

        most = max(PARAGRAPH_MIN_FILES, -(-n // 4))
        return cls(frequent(lines), frequent(paragraphs, most), frequent(prefixes),
                   frequent(suffixes))

    def merged(self, other: Boilerplate) -> Boilerplate:
        return Boilerplate(self.lines | other.lines, self.paragraphs | other.paragraphs,
                           self.prefixes | other.prefixes, self.suffixes | other.suffixes)

    def line_rule(self, line: str) -> str | None:
        """'repeated-line' for a learned line; 'repeated-label' for a learned label followed
        by a short non-sentence (a tag list, an editor's name)."""
        if learnable(line) and fold(line) in self.lines:
            return "repeated-line"
        if len(line) > LEARN_MAX_CHARS and fold(line) in self.paragraphs:
            return "repeated-paragraph"
        m = PREFIX.match(line)
        if m and fold(m.group(0)) in self.prefixes and not MARKER.match(line):
            rest = line[m.end():]
            if len(rest) <= LEARN_MAX_CHARS and not SENTENCE_END.search(rest):
                return "repeated-label"
        return None

    def strip_suffix(self, line: str) -> tuple[str, str]:
        """(line without a learned bracketed tail, the tail removed or '')."""
        m = SUFFIX.search(line)
        if m and len(line) > len(m.group(0)) and fold(m.group(0)) in self.suffixes:
            return line[:m.start()].rstrip(), m.group(0)
        return line, ""

    def to_json(self) -> dict[str, list[str]]:
        return {"lines": sorted(self.lines), "paragraphs": sorted(self.paragraphs),
                "prefixes": sorted(self.prefixes),
                "suffixes": sorted(self.suffixes)}

    @classmethod
    def from_json(cls, data: dict[str, list[str]]) -> Boilerplate:
        return cls(frozenset(data.get("lines", ())), frozenset(data.get("paragraphs", ())),
                   frozenset(data.get("prefixes", ())),
                   frozenset(data.get("suffixes", ())))
