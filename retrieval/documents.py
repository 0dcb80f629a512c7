"""A file's text blocks -> clean documents: furniture dropped (and reported), compilations cut
at `第N篇`, lines broken mid-paragraph re-joined, the title block and the metadata found.

Every rule here is general (a shape of web or print furniture, or what the corpus repeats),
never a match on one site's words, so files from other sites clean the same way.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath

from .boilerplate import (
    CRUMB_MAX,
    CRUMB_SEPARATOR,
    DOC_TYPE,
    LABEL_ONLY,
    MARKER,
    SENTENCE_END,
    Boilerplate,
    fold,
    shape_rule,
)
from .metadata import (
    CLOSING_DATE,
    DOC_NUMBER,
    ORGAN_END,
    arabic,
    document_meta,
    is_number_line,
    iso_date,
)
from .model import Document, DocumentMeta, DroppedLine, Unit
from .readers import BlockKind, RawDocument

# "第二篇：标题" starts a new document inside a compilation file.
DOCUMENT_MARKER = re.compile(r"^\s*第[一二三四五六七八九十百\d]+篇\s*[:：]\s*(.*)$")
MARKDOWN_MARKER = re.compile(r"^(#{1,6}\s+|[-*+]\s+|>\s*)")
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
TITLE_MAX = 60
# A 公文 title naming several issuers runs longer: a line up to this long is still a title
# when it has a title's shape (it ends with a kind of document and holds no sentence end).
TITLE_LONG_MAX = 100
# A section heading's marker: such a line is no title (第一篇讲话 may be one, 第一章 is none).
CHAPTER = re.compile(r"^第[一二三四五六七八九十百零〇\d]+[章节编]")
SECTION_MARKER = re.compile(r"^[（(]?[一二三四五六七八九十]+[、)）]|^[（(]?\d{1,2}[.、．)）](?!\d)"
                            rf"|{CHAPTER.pattern}")
# A table of contents opens with 目录 (目次): the title stands above it, never in it.
CONTENTS = re.compile(r"^(目[\s\u3000]*录|目[\s\u3000]*次)$")
# A line the title may go on from: a run without spaces (a list of issuers has spaces) nor a
# page title's separators ("标题_栏目_网站名", "标题 | 网站").
TITLE_PIECE = re.compile(r"^[^\s:：_|｜/\\]{6,}$")
TITLE_LINES_MAX = 3  # a title set on this many lines at most
CJK = r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f\u2018-\u201d]"
# A line break inside a title: nothing between CJK characters, a space elsewhere.
CJK_BREAK = re.compile(rf"(?<={CJK})[ \t\u3000\u00a0]*[\r\n\v\f\u2028\u2029]+[ \t\u3000\u00a0]*"
                       rf"(?={CJK})")
TITLE_SPACE = re.compile(r"[\s\u3000\u00a0\u2002-\u200a]+")
DASHES = ("——", "――", "—", "--")  # a subtitle opens with a dash
# A flattened notice's opening pieces: runs between spaces (of any width, zero-width too).
OPENING_PIECE = re.compile(r"[^\s\u200b-\u200d\ufeff]+")
OPENING_PIECES = 12  # a title is looked for among this many pieces of the opening
# A piece holding one of these is a sentence or a salutation (各区…：): the text has begun.
OPENING_STOP = re.compile(r"[，,：:。！？!?；;]")
CRUMB_LABEL_MAX = 4  # a site's section label above a title: 政策文件, 通知公告, 最新文件
BRACKETED = re.compile(r"[（(][^（()）]{1,16}[）)]")
WRAPPERS = "（）()《》【】[]“”\"「」"
WRAPPED = ("（）", "()", "【】", "[]", "「」")  # a title set in one pair of brackets
# A 文号 glued before the title, by a dash or not: 石政发〔2020〕3号-北京市…的通知.
NUMBER_BEFORE_TITLE = re.compile(rf"((?:{DOC_NUMBER.pattern}))\s*[-—－_]*\s*")
# A headline without a kind of document, followed by the text: this long.
HEADLINE_MIN = 8
HEADLINE_MAX = 40
# Words that open a sentence, never a title: a flattened text that starts with its body.
SENTENCE_OPENING = re.compile(r"^(?:为了?|根据|按照|依据|近日|近期|目前|当前|今年|经|现将|随着)")
# A file name of no words: a hash or a number, as scraped collections name their files.
NAMELESS_FILE = re.compile(r"[0-9a-fA-F]{12,}|\d+")
HEAD_LINES = 15  # the title is looked for among this many lines at the top of a document
# A person or office that delivered or issued the document: "四川省人民政府省长 施小琳".
SPEAKER = re.compile(
    r"(省长|市长|县长|区长|州长|主席|总理|书记|主任|厅长|局长|部长|校长|院长|委员|代表)"
    r"[\s\u3000]*[\u4e00-\u9fff·]{2,4}$")
URL = re.compile(r"https?://[^\s<>\"'）)]+")
# A line that opens with this continues the previous one (a link or footnote broke it).
CONTINUATION = re.compile(r"^[，。、；：）」』”’,.;:)%％]")
# Where a flattened line (paragraph breaks turned into spaces) had its breaks: whitespace
# after a sentence end, or before a heading or list marker.
FLATTENED_BREAK = re.compile(
    r"(?<=[。！？!?；;”’」』）)])[ \u3000\t]+(?=\S)"
    r"|[ \u3000\t]+(?=(?:[（(]?[一二三四五六七八九十]+[、)）]|[（(]\d{1,2}[)）]"
    r"|\d{1,2}[、.．](?!\d)|第[一二三四五六七八九十]+[章节条]))")
FLATTENED_MIN = 400  # only lines this long are taken for flattened paragraphs
# A line ending in one of these stops inside a sentence, however short it is.
OPEN_ENDINGS = "的和与及在对把被为从向以将并或、，,（(“《"
LONG_PARAGRAPH = 60  # a paragraph this long is text, not a heading or a menu
PARAGRAPH_SEEN_MIN = 20  # a repeated paragraph this long (folded) is a copy, dropped


@dataclass
class _Line:
    text: str
    kind: BlockKind = BlockKind.LINE
    level: int | None = None
    page: int | None = None


@dataclass
class _Found:
    """Metadata seen in dropped furniture lines of a file (publishing date, URL, source)."""

    date: str | None = None
    url: str | None = None
    issuer: str | None = None
    dropped: list[DroppedLine] = field(default_factory=list)

    def drop(self, text: str, rule: str) -> None:
        self.dropped.append(DroppedLine(text, rule))
        if rule in ("label-line", "date-line") and self.date is None:
            self.date = _iso_date(text)
        if self.url is None and (m := URL.search(text)):
            self.url = m.group(0)


def lines_for_learning(raw: RawDocument) -> list[str]:
    """The paragraphs of a file (lines re-joined), as boilerplate learning counts them."""
    return [line.text for line in _lines(raw, False, _Found()) if line.text]


def split_documents(raw: RawDocument, file: str,
                    boilerplate: Boilerplate | None = None) -> tuple[list[Document],
                                                                     list[DroppedLine]]:
    """Clean a file's blocks and cut them into documents; also return what was dropped."""
    found = _Found(url=raw.meta.get("url"), issuer=raw.meta.get("issuer"))
    for d in raw.dropped:
        found.dropped.append(DroppedLine(d.text, d.rule))
    lines = _clean(_lines(raw, file.lower().endswith(".md"), found),
                   boilerplate or Boilerplate(), found)
    groups: list[tuple[str | None, list[_Line]]] = [(None, [])]
    for line in lines:
        marker = DOCUMENT_MARKER.match(line.text) if line.kind is BlockKind.LINE else None
        if marker:
            found.drop(line.text, "document-marker")  # its title may stand again below
            groups.append((marker.group(1).strip() or None, []))
        else:
            groups[-1][1].append(line)
    documents: list[Document] = []
    seen: set[str] = set()  # paragraphs already kept in this file: a body pasted twice
    for marker_title, body in groups:
        if not any(line.text for line in body):
            continue
        meta_title = marker_title or (raw.meta.get("title") if len(groups) == 1 else None)
        title, front_lines, rest = _take_title(body, meta_title, found)
        front = [line.text for line in front_lines]
        units = _units(rest, found, seen)
        if not units and not front:
            continue
        # Furniture lines may hold a 落款 (a print bar on its line): only of a file's one document.
        furniture = [d.text for d in found.dropped] if len(groups) == 1 else []
        stem = PurePosixPath(file).stem
        meta = _meta(title or stem, front, units, raw.meta, found, file, furniture, raw.format)
        if not title and NAMELESS_FILE.fullmatch(stem) and (
                named := " ".join(x for x in (meta.issuer, meta.date) if x) if meta.issuer
                else _headline(units)):
            # No title line and a file name that says nothing (a hash): the document is named
            # by what it states, its issuer and date or its headline, not by 0013aa11eb….
            meta = replace(meta, title=named)
        documents.append(Document(file=file, index=len(documents), meta=meta,
                                  units=tuple(units), front=tuple(front),
                                  front_page=front_lines[0].page if front_lines else None))
    return documents, found.dropped


def _lines(raw: RawDocument, markdown: bool, found: _Found) -> list[_Line]:
    """The file's lines stripped, site prefixes and breadcrumb items dropped, lines broken
    mid-paragraph re-joined (text formats) and flattened paragraphs cut apart again."""
    texts = [b.text.replace("\r", "") for b in raw.blocks]
    prefix = _repeated_site_prefix(texts)
    crumbs = _breadcrumb_items(texts)
    out: list[_Line] = []
    open_line = False  # the previous line stopped mid-sentence
    for i, (block, text) in enumerate(zip(raw.blocks, texts, strict=True)):
        if prefix and text.lstrip().startswith(prefix):
            found.drop(prefix, "site-prefix")
            text = text.lstrip()[len(prefix):]
        text = text.strip(" \t\u3000\u00a0\ufeff")
        if markdown and (m := MARKDOWN_MARKER.match(text)):
            text = text[m.end():]
        if i in crumbs and text:
            found.drop(text, "breadcrumb")
            continue
        if not text:
            out.append(_Line("", block.kind, block.level, block.page))
            open_line = False
            continue
        text_line = block.kind is BlockKind.LINE
        pieces = ([p for p in FLATTENED_BREAK.split(text) if p.strip()]
                  if text_line and len(text) >= FLATTENED_MIN else [text])
        for piece in pieces:
            if (text_line and out and out[-1].kind is BlockKind.LINE and out[-1].text
                    and (open_line or CONTINUATION.match(piece)) and not MARKER.match(piece)
                    and not SALUTATION.match(piece)):
                out[-1].text += piece
            else:
                out.append(_Line(piece, block.kind, block.level, block.page))
            open_line = text_line and _stops_mid_sentence(out[-1].text)
    return out


def _clean(lines: list[_Line], boilerplate: Boilerplate, found: _Found) -> list[_Line]:
    """Drop furniture paragraphs (recording each with its rule); keep blank lines as breaks.

    A paragraph the corpus repeats is dropped when short, unless it stands between two
    paragraphs of text (a heading such as 结束语); a long one only above the first or below
    the last paragraph of the document's own text (a licence note, a site's closing)."""
    rules: list[str | None] = []
    for line in lines:
        rule = None
        if line.text and line.kind not in (BlockKind.TITLE, BlockKind.HEADING):
            rule = shape_rule(line.text) or boilerplate.line_rule(line.text)
        rules.append(rule)
    own = [i for i, (line, rule) in enumerate(zip(lines, rules, strict=True))
           if line.text and rule is None and len(line.text) > LONG_PARAGRAPH]
    first, last = (own[0], own[-1]) if own else (len(lines), -1)
    # The title block (the title down to the text) may hold lines every document of the
    # corpus has (国务院总理 / 李克强): there they are the speaker, not furniture.
    titled = next((i for i, line in enumerate(lines[:first])
                   if rules[i] is None and _title_like(line.text)
                   and DOC_TYPE.search(_clean_title(line.text))), len(lines))
    block_end = next((i for i in range(titled + 1, len(lines))
                      if lines[i].text and not _title_like(lines[i].text)), len(lines))
    out: list[_Line] = []
    in_related = False
    label = ""  # a label standing alone on the line before ("来源:"), its value may follow
    for i, (line, rule) in enumerate(zip(lines, rules, strict=True)):
        text = line.text
        if not text or line.kind in (BlockKind.TITLE, BlockKind.HEADING):
            out.append(line)
            if text:
                in_related, label = False, ""
            continue
        if label:
            value_of, label = label, ""
            if len(text) <= 30 and not SENTENCE_END.search(text):
                found.drop(f"{value_of}{text}", "label-line")
                continue
            found.drop(value_of, "label-line")
        if in_related:
            if len(text) <= TITLE_MAX and not SENTENCE_END.search(text[-1:]):
                found.drop(text, "related-links")
                continue
            in_related = False
        if LABEL_ONLY.match(text):
            label = text
            continue
        if rule == "repeated-line" and (_between_text(lines, i) or titled < i < block_end):
            rule = None
        if rule == "repeated-paragraph" and first < i < last:
            rule = None
        if rule:
            found.drop(text, rule)
            in_related = rule == "related-links"
            continue
        kept, tail = boilerplate.strip_suffix(text)
        if tail:
            found.drop(tail, "repeated-suffix")
        out.append(_Line(kept, line.kind, line.level, line.page))
    if label:
        found.drop(label, "label-line")
    return out


def _between_text(lines: list[_Line], i: int) -> bool:
    """Whether the nearest non-blank paragraphs on both sides are long text."""
    before = next((x.text for x in reversed(lines[:i]) if x.text), "")
    after = next((x.text for x in lines[i + 1:] if x.text), "")
    return len(before) > LONG_PARAGRAPH and len(after) > LONG_PARAGRAPH


def _breadcrumb_items(texts: list[str]) -> set[int]:
    """Lines of a breadcrumb broken one item a line: the short lines on either side of a
    lone separator line ("首页" / ">" / "政府信息公开" / ">" / …), and the separators."""
    items: set[int] = set()
    for i, text in enumerate(texts):
        if CRUMB_SEPARATOR.match(text):
            items.add(i)
            for j in (i - 1, i + 1):
                near = texts[j].strip() if 0 <= j < len(texts) else ""
                if near and len(near) <= CRUMB_MAX and not SENTENCE_END.search(near):
                    items.add(j)
    return items


def _repeated_site_prefix(lines: list[str]) -> str | None:
    counts = Counter(m.group(1) for line in lines if (m := SITE_PREFIX.match(line)))
    if not counts:
        return None
    prefix, count = counts.most_common(1)[0]
    return prefix if count >= 3 else None


def _title_like(text: str) -> bool:
    """Short and not a sentence: titles and subtitles carry no sentence punctuation. A longer
    line is one when it ends with a kind of document (关于…的通知 of several issuers)."""
    if not text or SENTENCE_END.search(text) or SALUTATION.match(text):
        return False
    if SECTION_MARKER.match(text):
        return False
    return len(text) <= TITLE_MAX or (len(text) <= TITLE_LONG_MAX
                                      and bool(DOC_TYPE.search(_clean_title(text))))


def _normal_title(text: str) -> str:
    """A title on one line: a line break between CJK characters is nothing, other runs of
    whitespace one space."""
    return TITLE_SPACE.sub(" ", CJK_BREAK.sub("", text)).strip()


def _clean_title(text: str, found: _Found | None = None) -> str:
    """A title without its site noise ("（2）", "篇3", "新版", "【荐】"), which is reported."""
    text = _normal_title(text)
    title = TITLE_NOISE.sub("", text.strip().rstrip("：:")).strip() or text.strip()
    if found is not None and fold(title) != fold(text):
        for noise in TITLE_NOISE.findall(text):
            found.drop(noise[0] if isinstance(noise, tuple) else noise, "title-noise")
    return title


def _take_title(body: list[_Line], meta_title: str | None,
                found: _Found) -> tuple[str | None, list[_Line], list[_Line]]:
    """Split the title block off a document: (title, other title-block lines, the rest).

    A format's own title wins. Otherwise the title is the first short non-sentence line at
    the top that names a kind of document (报告, 通知, 讲话 …), else the first such line; short
    lines above it are the page's navigation. Lines right after it that are no sentences
    (a `——` subtitle, the meeting and the speaker) are the title block."""
    lines = list(body)
    marked = next((i for i, line in enumerate(lines) if line.kind is BlockKind.TITLE), None)
    if marked is not None:
        title = _normal_title(lines[marked].text)
        for line in lines[:marked]:
            if line.text:
                found.drop(line.text, "before-title")
        rest = lines[marked + 1:]
    else:
        while lines and not lines[0].text:
            lines.pop(0)
        if lines and (glued := GLUED_TITLE.match(lines[0].text)):
            first = lines[0]
            lines[0:1] = [_Line(glued.group(1), first.kind, None, first.page),
                          _Line(first.text[glued.end(1):], first.kind, None, first.page)]
        head = []  # indexes of title-like lines before the first sentence
        page_title = set()  # long lines that repeat the title with a site's name after it
        for i, line in enumerate(lines[:HEAD_LINES]):
            if not line.text:
                continue
            if line.kind is BlockKind.HEADING or CONTENTS.match(line.text):
                break  # the text, or a table of contents, starts here
            if not _title_like(line.text):
                if not _repeats_next(lines, i):
                    break
                page_title.add(i)
            head.append(i)
        # A dash line is a subtitle, never the title itself.
        named = [i for i in head if not lines[i].text.startswith(DASHES) and i not in page_title]
        pick = next((i for i in named if DOC_TYPE.search(_clean_title(lines[i].text))),
                    named[0] if named else None)
        if pick is None:
            if not meta_title and (opened := _opening_title(lines, found)):
                return opened
            return meta_title and _clean_title(meta_title, found), [], lines
        start = _title_start(lines, head, pick)
        for i in head:
            if i < start:
                found.drop(lines[i].text, "before-title")
        title = _clean_title("\n".join(lines[i].text for i in range(start, pick + 1)), found)
        rest = lines[pick + 1:]
        # A title broken over lines: the lines down to its dash subtitle belong to it.
        dash = next((j for j in head if j > pick and lines[j].text.startswith(DASHES)), None)
        if dash is not None and all(not SPEAKER.search(lines[j].text)
                                    and not DOC_TYPE.search(lines[j].text)
                                    for j in head if pick < j < dash):
            title = " ".join([title, *(lines[j].text for j in head if pick < j < dash)])
            rest = lines[dash:]
    front: list[_Line] = []
    subtitle = ""
    contents: set[str] = set()  # a table of contents in the title block: 目录 and its chapters
    while rest and (not rest[0].text or _in_title_block(rest, contents)):
        taken = rest.pop(0)
        line = taken.text
        if not line:
            continue
        if contents or CONTENTS.match(line) or CHAPTER.match(line):
            contents.add(fold(line))
            front.append(taken)
        elif fold(_clean_title(line)) == fold(title) or line in (f.text for f in front):
            found.drop(line, "repeated-in-file")
        elif line.startswith(DASHES) and not subtitle:
            subtitle = line
        elif subtitle and not front and not SPEAKER.search(line) and not subtitle.endswith("上"):
            subtitle += line  # a subtitle broken over lines
        else:
            front.append(taken)
    return (f"{title}{subtitle}" if subtitle else title), front, rest


def _in_title_block(rest: list[_Line], contents: set[str]) -> bool:
    """Whether the next line below the title is still of its block: a short non-sentence
    line, or a table of contents (目录, or 第X章 lines one after another with no text between,
    down to the first chapter the text repeats). A chapter line with text under it opens the
    text."""
    line = rest[0]
    text = line.text
    if line.kind is BlockKind.HEADING:
        return False
    if CHAPTER.match(text):
        if len(text) > TITLE_MAX or SENTENCE_END.search(text) or fold(text) in contents:
            return False
        after = next((x for x in rest[1:] if x.text), None)
        return bool(contents) or (after is not None and after.kind is line.kind
                                  and bool(CHAPTER.match(after.text)))
    return not contents and (bool(CONTENTS.match(text)) or _title_like(text))


def _repeats_next(lines: list[_Line], i: int) -> bool:
    """A long line without a sentence end that holds the next line whole: a page's title
    with the site after it ("标题_栏目_网站名"), printed above the title itself."""
    text = lines[i].text
    after = next((x.text for x in lines[i + 1:i + 3] if x.text), "")
    return (not SENTENCE_END.search(text) and len(after) >= 6 and _title_like(after)
            and fold(after) in fold(text))


def _title_start(lines: list[_Line], head: list[int], pick: int) -> int:
    """Where a title set on several lines starts: the lines right above the picked one (no
    blank between, same kind, level and page) that are pieces of one title, not the issuers
    of a red head (names apart by spaces), a number, a date, a speaker, a title of its own or
    a copy of the line below (a page title above the title).
    A line holding 关于 starts the title: its issuer, if any, is on it (…关于…的通知), and
    what is above is the red head (XX文件, the issuers' names)."""
    start = pick
    while (pick - start + 1 < TITLE_LINES_MAX and start - 1 in head
           and "关于" not in lines[start].text):
        above, here = lines[start - 1], lines[start]
        text = above.text
        if ((above.kind, above.level, above.page) != (here.kind, here.level, here.page)
                or not TITLE_PIECE.match(text) or text.startswith(DASHES)
                or DOC_TYPE.search(_clean_title(text)) or DOC_NUMBER.search(text)
                or CLOSING_DATE.search(text) or SPEAKER.search(text) or MARKER.match(text)
                or CONTINUATION.match(here.text) or fold(here.text)[:6] in fold(text)
                or len(text) + len(here.text) > TITLE_LONG_MAX):
            break
        start -= 1
    return start


def _opening_title(lines: list[_Line],
                   found: _Found) -> tuple[str, list[_Line], list[_Line]] | None:
    """The title a flattened notice opens with: "XX关于…的通知 各区…： 为…" -> ("XX关于…的通知",
    title-block lines, the rest of the line and the lines after).

    The line's opening pieces (runs between spaces) are walked up to the first that names a
    kind of document (通知, 通告（第7号）, 若干措施 …); a piece of a sentence, a salutation or a
    文号 ends the walk. Issuers set apart by spaces are part of the title. What stands before a
    restart (a red head repeated above the title) or a site's short section label is the page's
    head, dropped as before-title; a 文号 glued before the title (石政发〔2020〕3号-…) is its
    title block."""
    first = lines[0] if lines else None
    if first is None or first.kind is not BlockKind.LINE or len(first.text) <= TITLE_MAX:
        return None
    text = first.text
    pieces = [m.span() for m in OPENING_PIECE.finditer(text)][:OPENING_PIECES]
    front: list[_Line] = []
    opening = 0  # where the text above the title starts, after a 文号 glued before it
    if pieces and (number := NUMBER_BEFORE_TITLE.match(text, pieces[0][0])) and (
            pieces[0][1] - number.end() >= HEADLINE_MIN):
        front.append(_Line(number.group(1), first.kind, first.level, first.page))
        opening = number.end()
        pieces[0] = (opening, pieces[0][1])
    start = 0  # index of the title's first piece
    end = None  # index of its last
    for i, (a, b) in enumerate(pieces):
        piece = text[a:b]
        if (number := DOC_NUMBER.search(piece)) and (  # …的通知（黔发改服务〔2020〕111号）…
                title_end := piece[:number.start()].rstrip(WRAPPERS)) and (
                DOC_TYPE.search(title_end)) and not OPENING_STOP.search(title_end):
            pieces[i] = (a, a + len(title_end))
            end = i
            break
        if OPENING_STOP.search(piece) or number or b - pieces[start][0] > TITLE_LONG_MAX:
            break
        if len(piece) <= CRUMB_LABEL_MAX and not ORGAN_END.search(piece):
            start = i + 1  # a site's section label (政策文件, 通知公告): the title is after it
            continue
        if len(piece) >= 4 and fold(piece) in fold(text[pieces[start][0]:a]):
            start = i  # the title again below a red head or page title: it starts here
        if DOC_TYPE.search(_clean_title(piece).strip(WRAPPERS)):
            end = i
            break
    if end is None:
        return None
    if end + 1 < len(pieces) and BRACKETED.fullmatch(text, *pieces[end + 1]):
        end += 1  # （第6号）, （2020年2月14日更新） set apart from the title
    head = text[opening:pieces[start][0]].strip()
    if head:
        found.drop(head, "before-title")
    title = _normal_title(text[pieces[start][0]:pieces[end][1]])
    if title[:1] + title[-1:] in WRAPPED:
        title = title[1:-1].strip()  # （关于…的公告）
    rest = _Line(text[pieces[end][1]:].lstrip(), first.kind, first.level, first.page)
    return title, front, [rest, *lines[1:]]


def _headline(units: list[Unit]) -> str | None:
    """A flattened text's opening piece when the next one is a sentence: a news-style headline
    ("…收费公路免收车辆通行费 为全力…，"). It stays in the text; it only names the document."""
    text = units[0].text if units else ""
    pieces = [m.span() for m in OPENING_PIECE.finditer(text, 0, HEADLINE_MAX * 4)][:2]
    if len(pieces) < 2:
        return None
    headline = text[slice(*pieces[0])]
    if (HEADLINE_MIN <= len(headline) <= HEADLINE_MAX and not OPENING_STOP.search(headline)
            and not SENTENCE_OPENING.match(headline) and not ORGAN_END.search(headline)
            and OPENING_STOP.search(text, *pieces[1])):
        return headline
    return None


def _units(lines: list[_Line], found: _Found, seen: set[str]) -> list[Unit]:
    """Paragraphs and headings, salutations and copies of earlier paragraphs dropped."""
    units: list[Unit] = []
    for line in lines:
        text = line.text.strip()
        if not text:
            continue
        if SALUTATION.match(text) or CLOSING.match(text):
            found.drop(text, "salutation" if SALUTATION.match(text) else "closing")
            continue
        key = fold(text)
        if len(key) >= PARAGRAPH_SEEN_MIN and line.kind is not BlockKind.HEADING:
            if key in seen:
                found.drop(text, "repeated-in-file")
                continue
            seen.add(key)
        heading = line.kind is BlockKind.HEADING and not is_number_line(text)
        level = (line.level if line.level is not None else 0) if heading else None
        units.append(Unit(text, heading_level=level, page=line.page))
    return units


def _stops_mid_sentence(text: str) -> bool:
    """A line that ends without closing its sentence, where the next line goes on.

    A long line without an end, or one broken after a comma (a link or a note split it); a
    short line with no punctuation at all is a heading and stands alone."""
    if not text or text[-1] in "。！？!?；;…”’」』:：":
        return False
    opened = text.count("（") + text.count("(") - text.count("）") - text.count(")")
    if text[-1] in OPEN_ENDINGS or opened > 0:
        return True  # ends on a connective, or inside an open bracket
    return len(text) > 50 or bool(re.search(r"[，,、]", MARKER.sub("", text, count=1)))


def _meta(title: str, front: list[str], units: list[Unit], stated: dict | object,
          found: _Found, file: str, furniture: list[str] | None = None,
          file_format: str | None = None) -> DocumentMeta:
    stated_get = getattr(stated, "get", lambda _k: None)
    return document_meta(title, front, units, stated, found.date, found.issuer, file,
                         url=stated_get("url") or found.url, dropped=furniture or (),
                         file_format=file_format)


# Kept for callers of the former names: the conversion lives in metadata.py.
_arabic = arabic
_iso_date = iso_date
