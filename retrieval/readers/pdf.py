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

Reading order comes from the characters' positions, never from the content stream: WPS and
Word write characters out of order (neighbouring lines interleaved, a line in pieces), so
characters are grouped into lines by baseline (tolerance relative to their effective size:
the font size times the text matrix's scale, as WPS writes `319 Tf` under a 0.05 matrix),
ordered by x, lines by y, and a page with two columns (a vertical gutter that most lines stop
at) is read column by column. Superscript citation marks join the line they sit on; text
turned a quarter (a landscape table on a portrait page) is read along its own lines.

Kangxi radicals and CJK radical supplement code points (⽂ for 文, ⻅ for 见, written by
some fonts' cmaps) become the unified ideographs. A text layer whose characters are
mostly outside common Chinese (a font without a correct map: 犐犆犛３５．２４０) is refused
as garbled, a page without text but with an image (a scan) is reported as dropped.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import math
import re
import statistics
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Protocol, TypeVar

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
# A table of contents entry: a dot leader, then the page number, at the end of the line.
_TOC_ENTRY = re.compile(r".*(?:[.…·．]\s*){4,}\d+")
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
    """One line of a page (or of one column of it), in PDF points (y grows upwards)."""

    text: str
    page: int  # 1-based
    x0: float
    x1: float
    top: float
    baseline: float
    size: float  # the font size most of its characters have
    first_word: float  # width of the text before its first break opportunity
    column: int = 0  # 0: the page's full width; 1, 2: left and right column


@dataclass(frozen=True)
class _Page:
    number: int
    height: float
    lines: tuple[_Line, ...]
    images: bool = False  # the page draws an image (a scan when it has no text)


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
    if _garbled(" ".join(line.text for page in pages for line in page.lines)):
        raise UnreadableFile(
            "garbled-text-layer", "text layer cannot be decoded (garbled): convert or OCR it first"
        )
    # A scanned page among text pages (a signed cover, a stamped annex) holds text no one can
    # search: say so instead of leaving it out unseen.
    dropped = [
        Dropped(f"第{page.number}页：无文字层（扫描页）", "no-text-layer")
        for page in pages
        if page.images
        and sum(_usable_chars(line.text) for line in page.lines) < _MIN_CHARS_PER_PAGE
    ]
    pages, garbled = _drop_garbled_pages(pages)
    pages, running = _drop_running_lines(pages)
    dropped += garbled + running
    flow = [line for page in pages for line in page.lines]
    if not flow:
        raise UnreadableFile("no-text-layer", "scanned PDF without a text layer (OCR it first)")
    body_size = _body_size(flow)
    frames = _frames(pages)
    first = next(page for page in pages if page.lines)
    issuer, title = _find_title(first, body_size)
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
    size: float  # the effective font size, in points on the page
    space_before: bool  # the PDF has a space character before it
    ink: float  # the centre of the glyph's ink (a full-width bracket's sits off its box's)
    order: int  # its place in the content stream
    gap_before: bool  # PDFium saw a word gap before it (and made up a space there)


def _read_page(document: pdfium.PdfDocument, index: int) -> _Page:
    page = document[index]
    try:
        textpage = page.get_textpage()
        try:
            chars = list(_page_chars(textpage))
        finally:
            textpage.close()
        height = page.get_height()
        # A page of (almost) no text that draws an image is a scan (perhaps page-numbered).
        text = sum(_usable_chars(char.text) for char in chars)
        images = text < _MIN_CHARS_PER_PAGE and _has_image(page)
    finally:
        page.close()
    return _Page(number=index + 1, height=height, lines=tuple(_group_lines(chars, index + 1)),
                 images=images)


def _has_image(page: pdfium.PdfPage) -> bool:
    """Whether the page draws an image, itself or inside a form XObject (a vector drawing
    alone is no scan)."""
    handle = page.raw
    objects = [pdfium_c.FPDFPage_GetObject(handle, i)
               for i in range(pdfium_c.FPDFPage_CountObjects(handle))]
    for _ in range(4):  # forms nest; a few levels are plenty
        forms = []
        for obj in objects:
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_IMAGE:
                return True
            if kind == pdfium_c.FPDF_PAGEOBJ_FORM:
                forms += [pdfium_c.FPDFFormObj_GetObject(obj, i)
                          for i in range(pdfium_c.FPDFFormObj_CountObjects(obj))]
        objects = forms
    return False


# CJK Radicals Supplement code points that stand for a whole character; fonts whose cmap maps
# one glyph to both (macOS PingFang) make Quartz write ⻅ for 见. NFKC maps only ⺟ and ⻳ of
# this block; the Kangxi Radicals (U+2F00-U+2FD5) it maps all (⽂ -> 文).
_RADICAL_SUPPLEMENT = dict(zip(
    "⺠⺩⺪⻁⻄⻅⻆⻉⻋⻑⻓⻔⻗⻘⻙⻚⻛⻜⻝⻡⻢⻣⻤⻥⻦⻧⻨⻩⻪⻫⻬⻭⻮⻯⻰⻱⻲",
    "民王疋虎西见角贝车長长门雨青韦页风飞食首马骨鬼鱼鸟卤麦黄黾斉齐歯齿竜龙龜亀",
    strict=True,
))


def _unify(text: str) -> str:
    """A Kangxi or supplement radical as the unified ideograph it stands for."""
    code = ord(text)
    if 0x2F00 <= code <= 0x2FDF or 0x2E80 <= code <= 0x2EFF:
        return _RADICAL_SUPPLEMENT.get(text) or unicodedata.normalize("NFKC", text)
    return text


def _page_chars(textpage: pdfium.PdfTextPage) -> Iterator[_Char]:
    """The page's visible characters in content order (raw calls: helpers cost 10x more)."""
    handle = textpage.raw
    box = pdfium_c.FS_RECTF()
    matrix = pdfium_c.FS_MATRIX()
    x, y = ctypes.c_double(), ctypes.c_double()
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pending_space = pending_gap = False
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
            pending_gap = pending_gap or (text == " " and generated)
            continue
        pdfium_c.FPDFText_GetLooseCharBox(handle, index - 1, box)
        pdfium_c.FPDFText_GetCharOrigin(handle, index - 1, x, y)
        # The size operand of Tf is in text space: WPS writes `319 Tf` under a 0.05 matrix.
        # The character's matrix scales it to the page; the box height is the fallback.
        size = pdfium_c.FPDFText_GetFontSize(handle, index - 1)
        if pdfium_c.FPDFText_GetMatrix(handle, index - 1, matrix):
            size *= abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        if not 0.5 <= size <= 2000:
            size = max(box.top - box.bottom, 1.0)
        tight = pdfium_c.FPDFText_GetCharBox(handle, index - 1, left, right, bottom, top)
        angle = pdfium_c.FPDFText_GetCharAngle(handle, index - 1)
        # PDFium measures the angle clockwise.
        if abs(angle - 3 * math.pi / 2) < 0.2:
            # Text running up the page (a landscape table on a portrait page): turned so that
            # it runs left to right, in coordinates of its own; lines group there the same.
            x0, x1, char_top, baseline = box.bottom, box.top, -box.left, -x.value
            ink_box = (bottom.value, top.value) if tight else (x0, x1)
        elif abs(angle - math.pi / 2) < 0.2:  # running down the page
            x0, x1, char_top, baseline = -box.top, -box.bottom, box.right, x.value
            ink_box = (-top.value, -bottom.value) if tight else (x0, x1)
        else:
            x0, x1, char_top, baseline = box.left, box.right, box.top, y.value
            ink_box = (left.value, right.value) if tight else (x0, x1)
        ink = (x0 + x1) / 2
        if x0 <= ink_box[0] < ink_box[1] <= x1:
            ink = (ink_box[0] + ink_box[1]) / 2
        yield _Char(_unify(text), x0, x1, char_top, baseline, size, pending_space, ink,
                    index, pending_gap)
        pending_space = pending_gap = False


def _group_lines(chars: Sequence[_Char], page: int) -> Iterator[_Line]:
    """Lines from the characters' positions, top to bottom, column by column where the page
    has two; the content stream's order is not used (WPS and Word interleave lines)."""
    rows = _rows(chars)
    gutter = _gutter(rows)
    if gutter is None:
        for row in rows:
            yield _make_line(row, page)
        return
    band: list[list[_Char]] = []

    def flush() -> Iterator[_Line]:
        for column, side in ((1, lambda c: c.x1 <= gutter), (2, lambda c: c.x0 >= gutter)):
            for row in band:
                part = [char for char in row if side(char)]
                if part:
                    yield _make_line(part, page, column)
        band.clear()

    for row in rows:
        if _spans(row, gutter):
            yield from flush()
            yield _make_line(row, page)
        else:
            band.append(row)
    yield from flush()


def _spans(row: Sequence[_Char], gutter: float) -> bool:
    """Whether a line runs across the gutter (a heading over both columns): a character
    over it, or characters on both sides without a gap at it."""
    if any(char.x0 < gutter < char.x1 for char in row):
        return True
    left = [char for char in row if char.x1 <= gutter]
    right = [char for char in row if char.x0 >= gutter]
    return bool(left and right) and right[0].x0 - left[-1].x1 < 0.8 * right[0].size


def _rows(chars: Sequence[_Char]) -> list[list[_Char]]:
    """Characters sharing a baseline (within 0.45 of their size), each row ordered by x."""
    rows: list[list[_Char]] = []
    bases: list[tuple[float, float]] = []  # each row's baseline and size, of its largest char
    for char in sorted(chars, key=lambda c: -c.baseline):
        if rows:
            base, size = bases[-1]
            if abs(base - char.baseline) <= 0.45 * max(size, char.size):
                rows[-1].append(char)
                if char.size > size:
                    bases[-1] = (char.baseline, char.size)
                continue
        rows.append([char])
        bases.append((char.baseline, char.size))
    _attach_small_rows(rows, bases)
    for row in rows:
        row.sort(key=lambda c: c.x0)
        row[:] = _drawn_once(row)
    return rows


class _Placed(Protocol):
    """What grouping glyphs needs of one: a PDF character or an OFD glyph."""

    text: str
    x0: float
    baseline: float
    size: float


_C = TypeVar("_C", bound=_Placed)


def _drawn_once(row: Sequence[_C]) -> list[_C]:
    """A row (sorted by x) with each glyph once: the same glyph drawn twice at one place (fake
    bold, a shadow) is one character. Shared with the OFD reader."""
    return [glyph for i, glyph in enumerate(row)
            if i == 0 or not (glyph.text == row[i - 1].text
                              and abs(glyph.x0 - row[i - 1].x0) < 0.2 * glyph.size
                              and abs(glyph.baseline - row[i - 1].baseline) < 0.2 * glyph.size)]


def _attach_small_rows(rows: list[list[_Char]], bases: list[tuple[float, float]]) -> None:
    """A row of small characters raised or lowered off a line (a citation mark [1-2], an
    exponent) joins that line when it fits in a gap of it rather than overlapping it."""
    index = 0
    while index < len(rows):
        base, size = bases[index]
        best = None
        for other in (index - 1, index + 1):
            if not 0 <= other < len(rows):
                continue
            other_base, other_size = bases[other]
            offset = base - other_base  # > 0: raised above the other row's baseline
            if (size <= 0.8 * other_size and -0.35 * other_size <= offset <= 0.75 * other_size
                    and not _overlaps(rows[index], rows[other])
                    and (best is None or abs(offset) < abs(base - bases[best][0]))):
                best = other
        if best is None:
            index += 1
            continue
        rows[best].extend(rows[index])
        del rows[index], bases[index]
        index = max(index - 1, 0)


def _overlaps(small: Sequence[_Char], row: Sequence[_Char]) -> bool:
    """Whether a character of the row has its ink under a run of the small characters."""
    runs: list[list[float]] = []
    for char in sorted(small, key=lambda c: c.x0):
        if runs and char.x0 - runs[-1][1] < 0.5 * char.size:
            runs[-1][1] = max(runs[-1][1], char.x1)
        else:
            runs.append([char.x0, char.x1])
    centres = [char.ink for char in row]
    return any(x0 < centre < x1 for x0, x1 in runs for centre in centres)


def _gutter(rows: Sequence[Sequence[_Char]]) -> float | None:
    """The x of a vertical gutter between two columns of prose, when the page has one: a
    strip in the middle of the text that (almost) no line has a character in, with lines of
    text on both sides that end (left) and start (right) at the same x. Table cells, whose
    left texts end wherever they end, are not columns; nor are lines on one side only, as
    the short rows of a list under full-width lines are (columns whose baselines do not line
    up give lines on one side only too, but as many on the left as on the right)."""
    full = [row for row in rows if len(row) >= 4]
    if len(full) < 8:
        return None
    left_edge = min(row[0].x0 for row in full)
    right_edge = max(row[-1].x1 for row in full)
    width = right_edge - left_edge
    size = statistics.median(char.size for row in full for char in row)
    # How many lines have ink in each 1-pt strip; the gutter is a run of nearly empty ones.
    bins = int(width) + 1
    cover = [0] * bins
    for row in full:
        marked = set()
        for char in row:
            marked.update(range(max(int(char.x0 - left_edge), 0),
                                min(int(char.x1 - left_edge) + 1, bins)))
        for i in marked:
            cover[i] += 1
    low = [cover[i] <= 0.15 * len(full) for i in range(bins)]
    candidates: list[float] = []
    start = None
    for i in range(bins + 1):
        if i < bins and low[i]:
            start = i if start is None else start
        elif start is not None:
            middle = left_edge + (start + i) / 2
            if i - start >= size and left_edge + 0.25 * width < middle < right_edge - 0.25 * width:
                candidates.append(middle)
            start = None
    best: tuple[int, float] | None = None
    for x in candidates:
        both, only_left, only_right, crossing = 0, 0, 0, 0
        left_rows, right_rows = [], []
        for row in full:
            if any(char.x0 < x < char.x1 for char in row):
                crossing += 1
                continue
            left = [char for char in row if char.x1 <= x]
            right = [char for char in row if char.x0 >= x]
            both += bool(left and right)
            only_left += bool(left and not right)
            only_right += bool(right and not left)
            if left:
                left_rows.append(left)
            if right:
                right_rows.append(right)
        paired = both + 2 * min(only_left, only_right)
        if paired < max(5, 0.5 * len(full)) or crossing > 0.15 * len(full):
            continue
        lefts = [part[-1].x1 for part in left_rows]
        rights = [part[0].x0 for part in right_rows]
        aligned = sum(1 for end in lefts if max(lefts) - end <= 1.5 * size)
        starts = sum(1 for begin in rights if begin - min(rights) <= 1.5 * size)
        long_left = statistics.median(len(part) for part in left_rows)
        long_right = statistics.median(len(part) for part in right_rows)
        if (aligned >= 0.6 * len(lefts) and starts >= 0.6 * len(rights)
                and min(long_left, long_right) >= 8
                and (best is None or paired > best[0])):
            best = (paired, (max(lefts) + min(rights)) / 2)
    return best[1] if best else None


def _make_line(row: Sequence[_Char], page: int, column: int = 0) -> _Line:
    parts: list[str] = []
    previous: _Char | None = None
    for char in row:
        if previous is not None:
            gap = char.x0 - previous.x1
            both_wide = _wide(previous.text) and _wide(char.text)
            latin = not (_wide(previous.text) or _wide(char.text))
            # Spaces between CJK characters are layout (justification, 全角 padding), dropped,
            # unless the gap is too wide for that (a table's cells, a signature and its date);
            # next to Latin words and numbers they are text, kept; between Latin words a gap
            # without a space character is a space too (PDFs often position words instead), and
            # so is a narrower one where PDFium saw a word gap between neighbours in the stream
            # (WPS sets Latin text in half-em cells, words a quarter-em apart).
            # A space in the stream counts between the characters it stood between there.
            neighbours = previous.order < char.order <= previous.order + 3
            if (gap >= 2 * max(char.size, previous.size)
                    or (not both_wide and char.space_before and neighbours)
                    or (latin and gap > 0.3 * char.size)
                    or (latin and char.gap_before and gap > 0.1 * char.size and neighbours)):
                parts.append(" ")
        parts.append(char.text)
        previous = char
    first_word_end = row[0].x1
    if not _wide(row[0].text):
        for before, char in pairwise(row):
            if char.space_before or _wide(char.text) or char.x0 - before.x1 > 0.3 * char.size:
                break
            first_word_end = char.x1
    # The line's size is its text's, not a citation mark's set smaller beside it.
    largest = max(char.size for char in row)
    sizes = Counter(round(char.size, 1) for char in row if char.size >= 0.8 * largest)
    size = sizes.most_common(1)[0][0]
    # The line's baseline is its body text's, not a raised citation mark's.
    body = [char for char in row if round(char.size, 1) == size]
    return _Line(
        text="".join(parts),
        page=page,
        x0=row[0].x0,
        x1=max(char.x1 for char in row),
        top=max(char.top for char in row),
        baseline=statistics.median(char.baseline for char in body),
        size=size,
        first_word=first_word_end - row[0].x0,
        column=column,
    )


def _wide(text: str) -> bool:
    return unicodedata.east_asian_width(text[0]) in ("W", "F")


def _usable_chars(text: str) -> int:
    """Characters that are real text: not U+FFFD, private-use glyph codes or controls."""
    return sum(1 for ch in text if unicodedata.category(ch) not in ("Co", "Cc", "Cs", "Cn")
               and ch != "\ufffd")


# --- garbled text layers ---------------------------------------------------------------------

# A font without a correct Unicode map yields characters that exist but mean nothing
# (犐犆犛３５．２４０．０１ for ICS 35.240.01). Chinese prose draws almost all its characters
# from a few thousand common ones: the 6000 most frequent of jieba's dictionary (weighted by
# word frequency), with the standards' lists of frequent characters, simplified (GB 2312
# level 1, 3755) and traditional (Big5 常用字, 5401: jieba's dictionary is simplified and a
# Hong Kong ordinance is not garbled). In the real PDFs here at most 2% of a page's
# ideographs fall outside them; a garbled layer has most outside.
_COMMON_CHARS = 6000
_GARBLED_SHARE = 0.3  # of the ideographs and private-use characters, rare ones
_GARBLED_MIN = 50  # fewer ideographs (or pairs) than this say too little (an English page)
# A map that garbles into common characters is told by their pairs: of adjacent ideographs,
# 45-55% in the real PDFs here are a pair inside a frequent word of jieba's dictionary (one
# of frequency 100 or more), 24% in traditional Chinese, 26% in a list of names, 6% in the
# old reader's interleaved lines, 0-0.5% with common characters substituted at random.
_WORD_FREQUENCY = 100
_GARBLED_PAIRS = 0.03


@cache
def _dictionary() -> tuple[frozenset[str], frozenset[str]]:
    """Frequent Chinese characters (simplified and traditional) and the character pairs of
    frequent words, built once."""
    common: set[str] = set()
    for codec, first, last in (("gb2312", 0xB0A1, 0xD7FE), ("big5", 0xA440, 0xC67E)):
        for code in range(first, last + 1):
            with contextlib.suppress(UnicodeDecodeError):  # holes in the code table
                common.add(code.to_bytes(2, "big").decode(codec))
    pairs: set[str] = set()
    spec = importlib.util.find_spec("jieba")
    if spec is not None and spec.origin is not None:
        weights: Counter[str] = Counter()
        with open(Path(spec.origin).with_name("dict.txt"), encoding="utf-8") as dictionary:
            for entry in dictionary:
                word, _, rest = entry.partition(" ")
                frequency = int(rest.split(" ", 1)[0] or 0)
                for char in word:
                    weights[char] += frequency
                if frequency >= _WORD_FREQUENCY:
                    pairs.update(word[i : i + 2] for i in range(len(word) - 1))
        common.update(char for char, _ in weights.most_common(_COMMON_CHARS))
    return frozenset(common), frozenset(pairs)


def _common_chars() -> frozenset[str]:
    return _dictionary()[0]


def _ideograph(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x3FFFF


def _rare_share(text: str) -> tuple[int, float]:
    """How many ideographs (and private-use characters) the text has, and the share of them
    that are rare or private-use."""
    common = _common_chars()
    seen = rare = 0
    for char in text:
        if 0xE000 <= ord(char) <= 0xF8FF:
            seen += 1
            rare += 1
        elif _ideograph(char):
            seen += 1
            rare += char not in common
    return seen, (rare / seen if seen else 0.0)


def _word_pairs(text: str) -> tuple[int, float]:
    """How many pairs of adjacent ideographs the text has, and the share of them that occur
    inside frequent words."""
    words = _dictionary()[1]
    pairs = [a + b for a, b in pairwise(text) if _ideograph(a) and _ideograph(b)]
    return len(pairs), (sum(pair in words for pair in pairs) / len(pairs) if pairs else 1.0)


def _garbled(text: str) -> bool:
    seen, share = _rare_share(text)
    if seen >= _GARBLED_MIN and share > _GARBLED_SHARE:
        return True
    if not _dictionary()[1]:  # without jieba's dictionary pairs cannot be judged
        return False
    count, in_words = _word_pairs(text)
    return count >= _GARBLED_MIN and in_words < _GARBLED_PAIRS


def _drop_garbled_pages(pages: Sequence[_Page]) -> tuple[list[_Page], list[Dropped]]:
    """A garbled page in a readable document (one font without a map) is dropped whole."""
    kept: list[_Page] = []
    dropped: list[Dropped] = []
    for page in pages:
        if _garbled(" ".join(line.text for line in page.lines)):
            dropped.extend(Dropped(line.text, "garbled-text-layer") for line in page.lines)
            kept.append(replace(page, lines=()))
        else:
            kept.append(page)
    return kept, dropped


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
        kept_pages.append(replace(page, lines=tuple(keep)))
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


def _frames(pages: Sequence[_Page]) -> dict[tuple[int, int], _Frame]:
    """Each page's (each column's) text block, measured from its own lines when it has
    enough of them."""
    whole = _measure([line for page in pages for line in page.lines if line.column == 0]
                     or [line for page in pages for line in page.lines])
    frames: dict[tuple[int, int], _Frame] = {}
    for page in pages:
        for column in {line.column for line in page.lines}:
            lines = [line for line in page.lines if line.column == column]
            # A page with a few lines (the last one, a signature page) says little about the
            # layout; the document's usual block is the better guess there.
            frames[page.number, column] = _measure(lines) if len(lines) >= 8 else whole
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
    flow: Sequence[_Line], frames: dict[tuple[int, int], _Frame], title: tuple[_Line, ...]
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


def _breaks(above: _Line, below: _Line, frames: dict[tuple[int, int], _Frame]) -> bool:
    """Whether a paragraph ends between two consecutive body lines."""
    frame_above = frames[above.page, above.column]
    frame_below = frames[below.page, below.column]
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
    if _TOC_ENTRY.fullmatch(above.text):
        return True
    same_block = above.page == below.page and above.column == below.column
    return same_block and above.baseline - below.baseline > 1.4 * max(frame_above.pitch, size)


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
