"""Real PDFs for reader tests, laid out like 公文: a 28-character text block, two-character
first-line indents, running headers and page numbers, drawn by reportlab with CID fonts."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib import pdfencrypt
from reportlab.lib.colors import black, red
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import CIDFont, UnicodeCIDFont
from reportlab.pdfgen import canvas

BODY_SIZE = 16.0  # 三号
LEFT = 79.0
TEXT_WIDTH = 28 * BODY_SIZE
TOP = 770.0
BOTTOM = 90.0


@dataclass(frozen=True)
class Para:
    """One paragraph to draw; `align` is "indent" (公文 body), "left" or "center"."""

    text: str
    size: float = BODY_SIZE
    align: str = "indent"
    gap_after: float = 0.0  # extra space below, in lines
    red: bool = False


@dataclass(frozen=True)
class DrawnLine:
    page: int
    text: str


@dataclass(frozen=True)
class _Font:
    name: str
    gbk: bool  # text must be passed as GBK bytes (a CID font without a Unicode encoding)


def _font(encoding: str | None) -> _Font:
    if encoding is None:
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return _Font("STSong-Light", gbk=False)
    font = CIDFont("STSong-Light", encoding)  # no ToUnicode map is written for it
    pdfmetrics.registerFont(font)
    return _Font(font.name, gbk=True)


def _width(text: str, font: _Font, size: float) -> float:
    if font.gbk:  # reportlab has no metrics for it; the PDF's default CID width is 1 em
        return sum(size if unicodedata.east_asian_width(ch) in "WF" else size / 2 for ch in text)
    return pdfmetrics.stringWidth(text, font.name, size)


def _wrap(text: str, font: _Font, size: float, first: float, rest: float) -> list[str]:
    """Greedy wrap: between any two Chinese characters, between Latin words only (the
    space at a break is not drawn), so each full line ends within a character of the edge."""
    tokens = re.findall(r"[A-Za-z0-9.,;:'\-]+ ?|.", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        limit = first if not lines else rest
        if line and _width(line + token.rstrip(), font, size) > limit:
            lines.append(line.rstrip())
            line = ""
        line += token
    lines.append(line.rstrip())
    return lines


def write_pdf(
    path: Path,
    paras: Sequence[Para],
    *,
    header: str | None = None,
    footer: str | None = None,
    page_number: str | None = "— {n} —",
    encoding: str | None = None,
    info_title: str | None = None,
    user_password: str | None = None,
) -> list[DrawnLine]:
    """Draw the paragraphs over as many pages as they need; return the body lines drawn.

    `page_number` is a template with {n} (this page) and {total} (pages)."""
    font = _font(encoding)
    placed = _layout(paras, font)
    total = placed[-1].page
    encrypt = (
        pdfencrypt.StandardEncryption(user_password, ownerPassword="owner")
        if user_password
        else None
    )
    pdf = canvas.Canvas(str(path), pagesize=A4, encrypt=encrypt)
    if info_title is not None:
        pdf.setTitle(info_title)

    def draw(text: str, x: float, y: float, size: float, colour=black) -> None:
        pdf.setFillColor(colour)
        pdf.setFont(font.name, size)
        pdf.drawString(x, y, text.encode("gbk").decode("latin-1") if font.gbk else text)

    def centred(text: str, y: float, size: float) -> None:
        draw(text, LEFT + (TEXT_WIDTH - _width(text, font, size)) / 2, y, size)

    for page in range(1, total + 1):
        if header:
            centred(header, 800, 10.5)
        for line in (line for line in placed if line.page == page):
            draw(line.text, line.x, line.y, line.size, red if line.red else black)
        if footer:
            centred(footer, 70, 10.5)
        if page_number:
            centred(page_number.format(n=page, total=total), 45, 14)
        pdf.showPage()
    pdf.save()
    return [DrawnLine(line.page, line.text) for line in placed]


@dataclass(frozen=True)
class _Placed:
    page: int
    text: str
    x: float
    y: float
    size: float
    red: bool


def _layout(paras: Sequence[Para], font: _Font) -> list[_Placed]:
    placed: list[_Placed] = []
    page, y = 1, TOP
    for para in paras:
        indent = 2 * para.size if para.align == "indent" else 0.0
        pitch = para.size * 1.8
        wrapped = _wrap(para.text, font, para.size, TEXT_WIDTH - indent, TEXT_WIDTH)
        for index, text in enumerate(wrapped):
            if y - pitch < BOTTOM:
                page, y = page + 1, TOP
            y -= pitch
            x = LEFT + (indent if index == 0 else 0.0)
            if para.align == "center":
                x = LEFT + (TEXT_WIDTH - _width(text, font, para.size)) / 2
            placed.append(_Placed(page, text, x, y, para.size, para.red))
        y -= para.gap_after * pitch
    return placed


def write_scanned_pdf(path: Path, pages: int = 2) -> None:
    """Pages holding only a picture of text, as a scanner makes them: no text layer."""
    from PIL import Image, ImageDraw

    picture = Image.new("L", (600, 800), 255)
    pen = ImageDraw.Draw(picture)
    for row in range(60, 760, 40):
        pen.rectangle((60, row, 540, row + 18), fill=30)  # lines of "text" as ink blots
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for _ in range(pages):
        pdf.drawImage(ImageReader(picture), 0, 0, width=A4[0], height=A4[1])
        pdf.showPage()
    pdf.save()
