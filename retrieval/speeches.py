"""Decoded file text -> clean speeches: boilerplate removed, several speeches per file split.

Every rule here is general (a shape of web boilerplate), never a match on one file's words,
so files from other sites clean the same way.
"""

from __future__ import annotations

import re
from collections import Counter

from .model import Speech

# "第二篇：标题" starts a new speech inside a compilation file.
SPEECH_MARKER = re.compile(r"^\s*第[一二三四五六七八九十百\d]+篇\s*[:：]\s*(.*)$")
# "学习啦 > 实用范文 > 致辞讲话": navigation breadcrumbs.
BREADCRUMB = re.compile(r"^[^>。，,]{1,30}(\s*>\s*[^>。]{1,40}){2,}$")
# "时间: 佩珊807 分享": bylines of article sites.
BYLINE = re.compile(r"^\s*(时间|发布时间|来源|作者|编辑)\s*[:：].{0,40}(分享|发布|来源.*)?\s*$")
# "...由互联网用户分享整理。文章地址:http://..." footers, and bare URL lines.
FOOTER = re.compile(r"(由互联网用户分享整理|文章地址\s*[:：]|本文地址\s*[:：]|转载请注明|^\s*https?://\S+\s*$)")
# "看过...的人还看了:" starts the related-links list, which runs to the end of the article.
RELATED = re.compile(r"(看过.{0,60}的人还看了|相关推荐|相关文章|猜你喜欢|延伸阅读)\s*[:：]?\s*$")
# "下面网友分享多篇相关内容供您参考学习" and its site summary on the same line.
SITE_INTRO = re.compile(
    r"下面(网友|小编|为大家|为您|是)?.{0,10}(分享|整理|收集|带来).{0,30}(供|希望|欢迎)")
LIST_ITEM = re.compile(r"^\s*\d{1,3}\s*[.、．]\s*\S.{0,60}$")
MARKDOWN_MARKER = re.compile(r"^(#{1,6}\s+|[-*+]\s+|>\s*)")
STRAY_NUMBER = re.compile(r"^\s*\d+\s*$")
# A prefix ending in 网/网站 that repeats at line starts is a site name pasted into the text.
SITE_PREFIX = re.compile(r"^\s*([\u4e00-\u9fffA-Za-z]{2,16}(?:网站|网))")
# Salutations and closings are not content.
SALUTATION = re.compile(
    r"^(尊敬的|各位|同志们|亲爱的|老师们|同学们|女士们|大家好|上午好|下午好|晚上好)[^。！？]{0,40}[:：!！]?$")
CLOSING = re.compile(r"^(我的讲话(就)?(到此)?结束了?[，,]?)?谢谢(大家|各位)?[!！。.]*$")
# "在全市教育工作座谈会上的讲话同志们:今天..." -- a title glued to the salutation of its body.
GLUED_TITLE = re.compile(
    r"^(.{4,60}?(讲话|讲话稿|发言|致辞|报告|讲稿))((尊敬的|各位|同志们|亲爱的).{0,40}?[:：])")
TITLE_NOISE = re.compile(r"(\s*[（(]\d+[)）]\s*$|\s*篇\d+\s*$|新版$|范文$|\s*【.*?】\s*)")
SENTENCE_END = re.compile(r"[。！？!?；;…]")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
LEVEL = re.compile(r"(?:全|本)(县|区|市|省)|(县|区|市|省)(?:委|政府|人民政府|教育局|教育厅|教体局)")


def split_speeches(text: str, file: str) -> list[Speech]:
    """Clean a file's text and cut it into its speeches."""
    lines = clean_lines(text, markdown=file.lower().endswith(".md"))
    groups: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in lines:
        marker = SPEECH_MARKER.match(line)
        if marker:
            groups.append((marker.group(1).strip() or None, []))
        else:
            groups[-1][1].append(line)
    speeches = []
    for marker_title, body in groups:
        if not any(line.strip() for line in body):
            continue
        title, rest = _take_title(body, marker_title)
        if not any(line.strip() for line in rest):
            continue
        speeches.append(Speech(
            file=file, index=len(speeches), title=title or file, lines=tuple(rest),
            year=_year(title, rest), level=_level(title, rest)))
    return speeches


def clean_lines(text: str, markdown: bool = False) -> list[str]:
    """Drop boilerplate lines and site-name prefixes; keep blank lines as paragraph breaks.
    In Markdown, heading and list markers go too (the text after them is kept)."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").split("\n")
    prefix = _repeated_site_prefix(raw)
    out: list[str] = []
    in_related = False
    for line in raw:
        if prefix and line.lstrip().startswith(prefix):
            line = line.lstrip()[len(prefix):]
        line = line.strip(" \t\u3000\u00a0\ufeff")
        if markdown:
            line = MARKDOWN_MARKER.sub("", line)
        if in_related:
            if not line or LIST_ITEM.match(line):
                continue
            in_related = False
        if RELATED.search(line):
            in_related = True
            continue
        if (BREADCRUMB.match(line) or BYLINE.match(line) or FOOTER.search(line)
                or SITE_INTRO.search(line) or STRAY_NUMBER.match(line)):
            continue
        out.append(line)
    return out


def _repeated_site_prefix(lines: list[str]) -> str | None:
    counts = Counter(m.group(1) for line in lines if (m := SITE_PREFIX.match(line)))
    if not counts:
        return None
    prefix, count = counts.most_common(1)[0]
    return prefix if count >= 3 else None


def _is_title_like(line: str) -> bool:
    """Short and not a sentence: titles and subtitles carry no sentence punctuation."""
    return 0 < len(line) <= 60 and not SENTENCE_END.search(line)


def _clean_title(line: str) -> str:
    return TITLE_NOISE.sub("", line.strip().rstrip("：:")).strip() or line.strip()


def _take_title(body: list[str], marker_title: str | None) -> tuple[str | None, list[str]]:
    """Split the title block (heading lines before the text starts) off a speech's lines."""
    lines = list(body)
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines:
        glued = GLUED_TITLE.match(lines[0])
        if glued:
            lines[0:1] = [glued.group(1), lines[0][glued.end(1):]]
    block: list[str] = []
    while lines and (not lines[0].strip() or (
            _is_title_like(lines[0]) and not SALUTATION.match(lines[0])
            and not re.match(r"^[（(]?[一二三四五六七八九十]+[、)）]", lines[0]))):
        line = lines.pop(0).strip()
        if line:
            block.append(line)
    title = _clean_title(block[0]) if block else (marker_title and _clean_title(marker_title))
    subtitle = next((b for b in block[1:] if b.startswith("——")), None)
    if title and subtitle:
        title = f"{title}{subtitle}"
    return title, lines


def _year(title: str | None, lines: list[str]) -> int | None:
    found = YEAR.search(title or "")
    if found:
        return int(found.group(1))
    counts = Counter(m.group(1) for line in lines for m in YEAR.finditer(line))
    if counts:
        year, count = counts.most_common(1)[0]
        if count >= 2:
            return int(year)
    return None


def _level(title: str | None, lines: list[str]) -> str | None:
    found = LEVEL.search(title or "")
    if found:
        return found.group(1) or found.group(2)
    counts = Counter(m.group(1) or m.group(2) for line in lines[:40] for m in LEVEL.finditer(line))
    return counts.most_common(1)[0][0] if counts else None
