"""Word .docx: paragraphs and table rows in body order, kinds from the paragraph styles.

Styles are what the author marked: "Title" is the document's title, "Heading N" (or the
Chinese "标题 N") a heading of level N-1. A table row becomes one paragraph, its cells
joined by an ideographic space, so a row of a policy table stays one quotable passage.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

from . import Block, BlockKind, RawDocument
from .errors import UnreadableFile

FORMAT = "docx"
# A .docx is a zip of XML: refuse one that would inflate past this (zip bombs).
MAX_DOCX_UNZIPPED = 100 * 1024 * 1024
CELL_SEPARATOR = "　"
# Word's file format (and so a real creation date) is no older than this.
EARLIEST_CREATED = 1990
# The creation date python-docx's own template carries: every file it makes without setting
# one has it, so it says nothing about the document.
TEMPLATE_CREATED = datetime(2013, 12, 23, 23, 15)
HEADING_STYLE = re.compile(r"^(?:heading|标题)\s*(\d)$", re.IGNORECASE)
TITLE_STYLES = {"title", "标题"}
# Notes come after the body (as the .doc reader gives them); Word's separator notes are no text.
NOTE_PARTS = ("footnotes", "endnotes")
W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Core properties Word and templates fill in by themselves: not what the author stated.
PLACEHOLDERS = {"", "document", "word document", "untitled", "title", "无标题", "文档",
                "microsoft word", "microsoft word 文档",
                "python-docx", "author", "user", "admin", "administrator", "微软用户", "用户"}
FILE_NAME = re.compile(r"\.(?:docx?|wps|rtf|txt|pdf)$|^(?:文档|document|新建)\s*\d*$",
                       re.IGNORECASE)


def read(path: Path, data: bytes, *, max_unzipped: int = MAX_DOCX_UNZIPPED) -> RawDocument:
    check_archive(data, max_unzipped)
    import docx  # python-docx; imported here so importing the readers stays cheap

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a broken package
        raise UnreadableFile(
            "damaged-docx", f"damaged .docx: cannot open it ({type(exc).__name__})") from exc
    try:
        blocks = tuple(_body_blocks(document)) + tuple(_note_blocks(document))
        meta = _meta(document.core_properties)
    except Exception as exc:  # malformed XML inside a valid zip
        raise UnreadableFile(
            "damaged-docx", f"damaged .docx: cannot read its body ({type(exc).__name__})"
        ) from exc
    return RawDocument(blocks=blocks, format=FORMAT, meta=meta)


def check_archive(data: bytes, max_unzipped: int = MAX_DOCX_UNZIPPED) -> None:
    """Refuse what is not a zip, and a zip that would inflate past ``max_unzipped``."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise UnreadableFile(
            "damaged-docx", "not a valid .docx file (perhaps an old .doc, or damaged)") from exc
    if unzipped > max_unzipped:
        raise UnreadableFile(
            "too-large",
            f"too large when unzipped ({unzipped / 2**20:.0f} MiB > "
            f"{max_unzipped / 2**20:.0f} MiB): damaged or a zip bomb")


def _body_blocks(document) -> list[Block]:
    """Blocks of the body's paragraphs and tables, interleaved as they stand in the body."""
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            blocks.append(_paragraph_block(item))
        elif isinstance(item, Table):
            blocks += _table_blocks(item)
    return blocks


def _note_blocks(document) -> list[Block]:
    """The footnotes' and endnotes' paragraphs, notes in part order, as later paragraphs."""
    from docx.oxml import parse_xml
    from docx.text.paragraph import Paragraph

    blocks: list[Block] = []
    for kind in NOTE_PARTS:
        rel = next((r for r in document.part.rels.values()
                    if not r.is_external and r.reltype.endswith(f"/{kind}")), None)
        if rel is None:
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root.iterchildren(f"{W_NS}{kind[:-1]}"):
            if note.get(f"{W_NS}type") not in (None, "normal"):
                continue  # separator, continuationSeparator, continuationNotice
            for p in note.iter(f"{W_NS}p"):
                text = Paragraph(p, None).text.strip()
                if text:
                    blocks.append(Block(text, BlockKind.PARAGRAPH))
    return blocks


def _paragraph_block(paragraph) -> Block:
    text = paragraph.text
    if not text.strip():
        return Block("", BlockKind.PARAGRAPH)
    name = _style_name(paragraph)
    if name.lower() in TITLE_STYLES:
        return Block(text, BlockKind.TITLE)
    heading = HEADING_STYLE.match(name)
    if heading:
        return Block(text, BlockKind.HEADING, level=max(int(heading.group(1)) - 1, 0))
    return Block(text, BlockKind.PARAGRAPH)


def _style_name(paragraph) -> str:
    try:
        style = paragraph.style
    except (KeyError, ValueError):  # a style id the styles part does not define
        return ""
    return (style.name or "").strip() if style is not None else ""


def _table_blocks(table) -> list[Block]:
    """One paragraph per row; a merged cell, which python-docx repeats for each grid column
    and row it spans, is kept once (where it starts); nested tables' text comes with their
    cell."""
    blocks: list[Block] = []
    seen: set = set()  # the cells' XML elements (kept alive, so identity is stable)
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            text = cell.text.strip()
            if text:
                cells.append(text)
        if cells:
            blocks.append(Block(CELL_SEPARATOR.join(cells), BlockKind.PARAGRAPH))
    return blocks


def _meta(properties) -> dict[str, str]:
    """Title and author where they are not an editor's default; the creation date where it is
    a plausible date (the metadata rules rank it below any date the text states)."""
    meta: dict[str, str] = {}
    for key, value in (("title", properties.title), ("author", properties.author)):
        value = (value or "").strip()
        if _looks_stated(value):
            meta[key] = value
    created = properties.created
    if (created is not None and EARLIEST_CREATED <= created.year <= date.today().year
            and created.replace(tzinfo=None) != TEMPLATE_CREATED):
        meta["date"] = created.date().isoformat()
    return meta


def _looks_stated(value: str) -> bool:
    """Not a template's or editor's default, and not a file name."""
    return value.lower() not in PLACEHOLDERS and not FILE_NAME.search(value)
