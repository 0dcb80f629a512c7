"""PDF with a text layer -> paragraphs, with page headers, footers and page numbers removed.

Extractor: PDFium (pypdfium2, Apache-2.0/BSD-3), chosen by testing pypdf, pdfminer.six and
pypdfium2 on PDFs made with reportlab's STSong-Light CID font in UniGB-UCS2-H and GBK-EUC-H
and on Identity-H with Adobe-GB1 CIDs, all without ToUnicode maps (as 公文 often are). pypdf
returned garbage for Identity-H; pdfminer and PDFium decoded all three, and PDFium is native
code (a 50-page PDF in well under a second) and gives each character's box, font size and
baseline, which paragraph re-joining needs. PyMuPDF is AGPL, so it was not considered.

PDF has no paragraphs, only positioned characters, so they are rebuilt from the layout: a
paragraph ends where a line stops short of the text block's right edge, the next line is
indented, the line gap widens, the font size changes, or a heading line stands alone.
"""

from __future__ import annotations

import ctypes
import re
import statistics
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from retrieval.readers import Block, BlockKind, Dropped, RawDocument
from retrieval.readers.errors import UnreadableFile

# PDFium is not thread-safe; the bot may read an upload while the index is rebuilt.
_PDFIUM_LOCK = threading.Lock()

_PASSWORD_ERRORS = {pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY}
# Below this many usable characters per page on average the text layer is missing (a scan,
# perhaps with a stamped page number) or undecodable (fonts without any Unicode map).
_MIN_CHARS_PER_PAGE = 10
_EDGE_LINES = 2  # lines at the top and at the bottom of a page that may be headers/footers

_PAGE_NUMBER = re.compile(
    r"[-—–－―~_\s]*\d+[-—–－―~_\s]*"  # — 3 —, - 3 -, 3
    r"|[-—–－―]\s*[一二三四五六七八九十百]+\s*[-—–－―]"  # — 三 —
    r"|第\s*\d+\s*页\s*[,，/]?\s*(?:共\s*\d+\s*页)?"  # 第3页, 第3页 共9页
    r"|(?:共\s*\d+\s*页\s*[,，]?\s*)第\s*\d+\s*页"  # 共9页 第3页
    r"|\d+\s*/\s*\d+"  # 3/9
    r"|(?:page\s*)?\d+(?:\s*of\s*\d+)?",  # Page 3 of 9
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"(?:第[一二三四五六七八九十百千零〇两\d]+[章节篇部分编]"
    r"|[一二三四五六七八九十百]+[、.．]"
    r"|[（(][一二三四五六七八九十百\d]+[）)]"
    r"|\d+[、.．](?!\d))"
)
_SENTENCE_END = tuple("。；！？…;!?")
_HEADING_MAX_CHARS = 40
# A 发文机关标志 without 文件 (letters 函, party offices): the large lead line names an agency.
_AGENCY = re.compile(
    r".{2,40}(厅|局|委|委员会|(?<!干)部|办|办公室|政府|党委|工委|党组|中心|学校|大学|学院|研究院|总会|协会|"
    r"法院|检察院|署|司)"
)
# An info-dictionary title that is a word processor's placeholder or a file name, not a title.
_FAKE_TITLE = re.compile(
    r"(?:microsoft\s+\w+\s*-.*|.*\.(?:docx?|wps|pdf|txt|rtf|xlsx?|pptx?|tmp|html?)"
    r"|untitled.*|无标题.*|document\d*|文档\d*|新建.*文档.*|\s*)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Line:
    """One line of a page, in PDF points (y grows upwards)."""

    text: str
    page: int  # 1-based
    x0: float
    x1: float
    top: float
    baseline: float
    size: float  # the font size most of its characters have
    first_word: float  # width of the text before its first break opportunity


@dataclass(frozen=True)
class _Page:
    number: int
    height: float
    lines: tuple[_Line, ...]


@dataclass(frozen=True)
class _Frame:
    """A page's text block: where full lines start and end, and the usual line pitch."""

    left: float
    right: float
    pitch: float


def read(path: Path, data: bytes) -> RawDocument:
    """Read a PDF's text layer into paragraph blocks; raise UnreadableFile when it has none."""
    pages, info = _extract(data)
    usable = sum(_usable_chars(line.text) for page in pages for line in page.lines)
    if usable < _MIN_CHARS_PER_PAGE * max(len(pages), 1):
        raise UnreadableFile("no-text-layer", "scanned PDF without a text layer (OCR it first)")
    pages, dropped = _drop_running_lines(pages)
    flow = [line for page in pages for line in page.lines]
    if not flow:
        raise UnreadableFile("no-text-layer", "scanned PDF without a text layer (OCR it first)")
    body_size = _body_size(flow)
    frames = _frames(pages)
    issuer, title = _find_title(pages[0], body_size)
    blocks = tuple(_blocks(flow, frames, title))
    meta: dict[str, str] = {}
    info_title = " ".join(info.get("Title", "").split())
    if not _FAKE_TITLE.fullmatch(info_title) and info_title != path.stem:
        meta["title"] = info_title
    if issuer:
        meta["issuer"] = issuer
    return RawDocument(blocks=blocks, format="pdf", meta=meta, dropped=tuple(dropped))


# --- extraction ---------------------------------------------------------------------------


def _extract(data: bytes) -> tuple[list[_Page], dict[str, str]]:
    """Every page's lines and the info dictionary; PDFium's failures become UnreadableFile."""
    with _PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            if getattr(exc, "err_code", None) in _PASSWORD_ERRORS:
                raise UnreadableFile("encrypted", "encrypted PDF (needs a password)") from None
            raise UnreadableFile("damaged-pdf", f"damaged PDF: {exc}") from None
        try:
            if len(document) == 0:
                raise UnreadableFile("damaged-pdf", "damaged PDF: it has no pages")
            pages = [_read_page(document, index) for index in range(len(document))]
            info = {key: str(value) for key, value in document.get_metadata_dict().items()}
        except UnreadableFile:
            raise
        except Exception as exc:  # PDFium and ctypes raise several kinds on broken files
            raise UnreadableFile("damaged-pdf", f"damaged PDF: {exc}") from None
        finally:
            document.close()
    return pages, info


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    baseline: float
    size: float
    space_before: bool  # the PDF has a space character before it


def _read_page(document: pdfium.PdfDocument, index: int) -> _Page:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            chars = list(_page_chars(textpage))
        finally:
            textpage.close()
        height = page.get_height()
    finally:
        page.close()
    return _Page(number=index + 1, height=height, lines=tuple(_group_lines(chars, index + 1)))


def _page_chars(textpage: pdfium.PdfTextPage) -> Iterator[_Char]:
    """The page's visible characters in content order (raw calls: helpers cost 10x more)."""
    handle = textpage.raw
    box = pdfium_c.FS_RECTF()
    x, y = ctypes.c_double(), ctypes.c_double()
    pending_space = False
    count = pdfium_c.FPDFText_CountChars(handle)
    index = 0
    while index < count:
        code = pdfium_c.FPDFText_GetUnicode(handle, index)
        index += 1
        if 0xD800 <= code < 0xDC00 and index < count:  # a surrogate pair beyond the BMP
            low = pdfium_c.FPDFText_GetUnicode(handle, index)
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            index += 1
        text = chr(code) if 0 < code < 0x110000 else "\ufffd"
        if unicodedata.category(text) == "Cc" and not text.isspace():
            continue  # control codes from broken font maps are not text
        if text.isspace() or code in (0xFFFE, 0xFEFF):
            # PDFium invents spaces (and line ends) from gaps; only the PDF's own spaces count,
            # the gaps are judged in _make_line with the neighbours in view.
            generated = pdfium_c.FPDFText_IsGenerated(handle, index - 1) == 1
            pending_space = pending_space or (text.isspace() and not generated)
            continue
        pdfium_c.FPDFText_GetLooseCharBox(handle, index - 1, box)
        pdfium_c.FPDFText_GetCharOrigin(handle, index - 1, x, y)
        size = pdfium_c.FPDFText_GetFontSize(handle, index - 1) or (box.top - box.bottom)
        yield _Char(text, box.left, box.right, box.top, y.value, size, pending_space)
        pending_space = False


def _group_lines(chars: Sequence[_Char], page: int) -> Iterator[_Line]:
    """Characters sharing a baseline form a line; lines come top to bottom."""
    rows: list[list[_Char]] = []
    for char in chars:
        row = rows[-1] if rows else None
        if row is None or abs(row[0].baseline - char.baseline) > 0.4 * max(row[0].size, 1.0):
            # Content order mostly equals reading order; a line drawn in pieces (or a footer
            # drawn before the body) is merged or re-sorted below.
            row = next(
                (r for r in rows if abs(r[0].baseline - char.baseline) <= 0.4 * r[0].size),
                None,
            )
            if row is None:
                row = []
                rows.append(row)
        row.append(char)
    rows.sort(key=lambda r: -r[0].baseline)
    for row in rows:
        row.sort(key=lambda c: c.x0)
        yield _make_line(row, page)


def _make_line(row: Sequence[_Char], page: int) -> _Line:
    parts: list[str] = []
    previous: _Char | None = None
    for char in row:
        if previous is not None and not (_wide(previous.text) and _wide(char.text)):
            latin = not (_wide(previous.text) or _wide(char.text))
            gap = char.x0 - previous.x1
            # Spaces between CJK characters are layout (justification, 全角 padding), dropped;
            # next to Latin words and numbers they are text, kept; between Latin words a gap
            # without a space character is a space too (PDFs often position words instead).
            if char.space_before or (latin and gap > 0.3 * char.size):
                parts.append(" ")
        parts.append(char.text)
        previous = char
    first_word_end = row[0].x1
    if not _wide(row[0].text):
        for before, char in pairwise(row):
            if char.space_before or _wide(char.text) or char.x0 - before.x1 > 0.3 * char.size:
                break
            first_word_end = char.x1
    sizes = Counter(round(char.size, 1) for char in row)
    return _Line(
        text="".join(parts),
        page=page,
        x0=row[0].x0,
        x1=max(char.x1 for char in row),
        top=max(char.top for char in row),
        baseline=statistics.median(char.baseline for char in row),
        size=sizes.most_common(1)[0][0],
        first_word=first_word_end - row[0].x0,
    )


def _wide(text: str) -> bool:
    return unicodedata.east_asian_width(text[0]) in ("W", "F")


def _usable_chars(text: str) -> int:
    """Characters that are real text: not U+FFFD, private-use glyph codes or controls."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Co", "Cc", "Cs", "Cn")
               and ch != "\ufffd")


# --- running headers, footers and page numbers ----------------------------------------------


def _drop_running_lines(pages: Sequence[_Page]) -> tuple[list[_Page], list[Dropped]]:
    """Remove page numbers and lines repeated at the top or bottom of most pages."""
    dropped: list[Dropped] = []
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    for page in pages:
        tops.update({_running_key(line.text) for line in page.lines[:_EDGE_LINES]})
        bottoms.update({_running_key(line.text) for line in page.lines[-_EDGE_LINES:]})

    def repeated(counts: Counter[str], key: str) -> bool:
        # Most pages, and at least two: one page's first line is not a running header.
        return counts[key] >= 2 and counts[key] * 2 > len(pages)

    kept_pages: list[_Page] = []
    for page in pages:
        lines = list(page.lines)
        edge = len(lines)
        keep: list[_Line] = []
        for position, line in enumerate(lines):
            at_top = position < _EDGE_LINES
            at_bottom = position >= edge - _EDGE_LINES
            key = _running_key(line.text)
            if (at_top or at_bottom) and _PAGE_NUMBER.fullmatch(line.text):
                dropped.append(Dropped(line.text, "page-number"))
            elif at_top and repeated(tops, key):
                dropped.append(Dropped(line.text, "page-header"))
            elif at_bottom and repeated(bottoms, key):
                dropped.append(Dropped(line.text, "page-footer"))
            else:
                keep.append(line)
        kept_pages.append(_Page(page.number, page.height, tuple(keep)))
    return kept_pages, dropped


def _running_key(text: str) -> str:
    """Header identity across pages: numbers vary (页码, dates), spacing may too."""
    return re.sub(r"\d+", "#", "".join(text.split()))


# --- layout ----------------------------------------------------------------------------------


def _body_size(lines: Sequence[_Line]) -> float:
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0]


def _frames(pages: Sequence[_Page]) -> dict[int, _Frame]:
    """Each page's text block, measured from its own lines when it has enough of them."""
    whole = _measure([line for page in pages for line in page.lines])
    frames: dict[int, _Frame] = {}
    for page in pages:
        # A page with a few lines (the last one, a signature page) says little about the
        # layout; the document's usual block is the better guess there.
        frames[page.number] = _measure(page.lines) if len(page.lines) >= 8 else whole
    return frames


def _measure(lines: Sequence[_Line]) -> _Frame:
    if not lines:
        return _Frame(left=0.0, right=0.0, pitch=0.0)
    size = _body_size(lines)
    body = [line for line in lines if abs(line.size - size) <= 0.15 * size] or list(lines)
    # The right edge is where full lines end: the rightmost line end that other lines share
    # (within a character), so a lone wider line (a table row, a URL) does not set it.
    ends = sorted((line.x1 for line in body), reverse=True)
    right = next(
        (end for end in ends if sum(1 for x in ends if end - size <= x <= end) >= 2),
        ends[0],
    )
    # The left edge is where unindented lines start: the smallest x0 shared by two lines.
    starts = sorted(line.x0 for line in body)
    left = next(
        (a for a, b in pairwise(starts) if b - a <= 0.3 * size),
        starts[0],
    )
    pitches = [
        a.baseline - b.baseline
        for a, b in pairwise(body)
        if a.page == b.page and a.baseline > b.baseline
    ]
    pitch = statistics.median(pitches) if pitches else 1.5 * size
    return _Frame(left=left, right=right, pitch=pitch)


def _find_title(first: _Page, body_size: float) -> tuple[str, tuple[_Line, ...]]:
    """The issuer (the red-head: lines ending in 文件, or an agency's name above a later large
    run) and the title lines (the largest run after it) on page 1."""
    runs: list[list[_Line]] = []
    previous: _Line | None = None
    for line in first.lines:
        near_top = line.top >= 0.4 * first.height
        if near_top and line.size >= 1.2 * body_size:
            if previous is not None and runs and abs(previous.size - line.size) <= 0.1 * line.size:
                runs[-1].append(line)
            else:
                runs.append([line])
            previous = line
        else:
            previous = None
    issuer = ""
    if runs:
        lead = runs[0]
        cut = next((i for i, line in enumerate(lead) if line.text.endswith("文件")), None)
        if cut is not None:
            issuer = _join(lead[: cut + 1])
            runs = ([lead[cut + 1 :]] if cut + 1 < len(lead) else []) + runs[1:]
        elif len(runs) > 1 and _AGENCY.fullmatch(_join(lead).replace(" ", "")):
            issuer, runs = _join(lead), runs[1:]
    if not runs:
        return issuer, ()
    largest = max(runs, key=lambda run: max(line.size for line in run))
    return issuer, tuple(largest)


def _blocks(
    flow: Sequence[_Line], frames: dict[int, _Frame], title: tuple[_Line, ...]
) -> Iterator[Block]:
    title_ids = {id(line) for line in title}
    current: list[_Line] = []
    in_title = False
    for line in flow:
        is_title = id(line) in title_ids
        # The title is one block of its own; body lines split where a paragraph ends.
        if current and (
            is_title != in_title or (not is_title and _breaks(current[-1], line, frames))
        ):
            yield _block(current, in_title)
            current = []
        current.append(line)
        in_title = is_title
    if current:
        yield _block(current, in_title)


def _block(lines: Sequence[_Line], is_title: bool) -> Block:
    kind = BlockKind.TITLE if is_title else BlockKind.PARAGRAPH
    return Block(text=_join(lines), kind=kind, page=lines[0].page)


def _breaks(above: _Line, below: _Line, frames: dict[int, _Frame]) -> bool:
    """Whether a paragraph ends between two consecutive body lines."""
    frame_above, frame_below = frames[above.page], frames[below.page]
    size = max(above.size, below.size)
    if abs(above.size - below.size) > 0.15 * size:
        return True
    # Stopped short: the next line's first word (one character in Chinese) would have fit.
    if frame_above.right - above.x1 > max(below.first_word, below.size) + 0.5 * below.size:
        return True
    if below.x0 - frame_below.left > 0.8 * below.size:  # indented, as 公文 paragraphs start
        return True
    if _is_heading(above, frame_above) or _is_heading(below, frame_below):
        return True
    same_page = above.page == below.page
    return same_page and above.baseline - below.baseline > 1.4 * max(frame_above.pitch, size)


def _is_heading(line: _Line, frame: _Frame) -> bool:
    """一、 / （一） / 第一章 ...: short, not reaching the right edge, no sentence end."""
    return (
        bool(_HEADING.match(line.text))
        and len(line.text) <= _HEADING_MAX_CHARS
        and not line.text.endswith(_SENTENCE_END)
        and frame.right - line.x1 > line.size
    )


def _join(lines: Sequence[_Line]) -> str:
    """Chinese lines join with nothing between; Latin words across lines with a space."""
    text = lines[0].text
    for line in lines[1:]:
        if not (_wide(text[-1]) or _wide(line.text[0]) or text.endswith("-")):
            text += " "
        text += line.text
    return text
