"""OFD (GB/T 33190, the Chinese fixed-layout format 公文 systems export) -> paragraphs.

Read with zipfile and lxml only: easyofd needs PyMuPDF (AGPL) and ofdparser is unmaintained.
The package is a zip of XML files: OFD.xml lists the documents (DocBody/DocRoot), each
Document.xml lists its pages (Pages/Page@BaseLoc) and template pages (CommonData/TemplatePage),
and each page's Content.xml holds TextObjects whose TextCodes place every glyph (X, Y, then
DeltaX/DeltaY steps, with the `g count value` repetition). Like a PDF, an OFD has no lines or
paragraphs, only positioned glyphs, so this reader computes each glyph's place on the page
(Boundary, CTM, Size), groups glyphs into lines by baseline whatever order the objects come in
(digits often sit in TextObjects of their own), and hands the PDF reader's paragraph rules
(running headers, title, paragraph ends) the same line records the PDF reader makes: one set
of rules for both fixed layouts.

Template pages are furniture (a form's printed labels, a letterhead): their text is reported as
dropped, not indexed. Annotations, signatures and seals live in files this reader never opens.
"""

from __future__ import annotations

import contextlib
import math
import posixpath
import re
import statistics
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from io import BytesIO
from itertools import pairwise
from pathlib import Path

from lxml import etree

from retrieval.readers import Block, Dropped, RawDocument
from retrieval.readers.errors import UnreadableFile

# The PDF reader's paragraph rules, fed the same line records (its glyph extraction is
# PDFium's and stays there).
from retrieval.readers.pdf import (
    _AGENCY,
    _FAKE_TITLE,
    _blocks,
    _body_size,
    _drawn_once,
    _drop_running_lines,
    _find_title,
    _frames,
    _garbled,
    _Line,
    _Page,
    _usable_chars,
    _wide,
)

# The same threshold as the PDF reader: fewer usable characters per page means a scan.
_MIN_CHARS_PER_PAGE = 10
_MAX_PART_BYTES = 64 * 1024 * 1024  # one XML part larger than this is a zip bomb, not a page
_A4 = (210.0, 297.0)  # mm, when neither page nor document states a PhysicalBox
_ASCENT = 0.88  # glyph top above the baseline, in font sizes (no font metrics are read)

# DocInfo fields that name the software or a default account, not a person or a title.
_SOFTWARE = re.compile(
    r".*(?:suwell|数科|convert|wps|microsoft|office|word|ofd\s*r&w|ofdrw|foxit|福昕|书生|"
    r"sursen|apabi|方正|永中|yozo|金山|kingsoft|adobe|pdf|ofd|sdk|maker|writer|printer|"
    r"打印|转换|虚拟).*"
    r"|(?:administrator|admin|user|owner|author|unknown|test|default|guest|root|system|"
    r"用户|作者|未知|管理员|匿名|微软用户|dell|lenovo|hp|thinkpad|pc|微软中国)\d*",
    re.IGNORECASE,
)
_DATE = re.compile(r"\s*(\d{4})(?:[-/.年](\d{1,2})(?:[-/.月](\d{1,2}))?)?")


@dataclass(frozen=True)
class _Glyph:
    """One character placed on the page, in mm from the top left (OFD's y grows downwards)."""

    text: str
    x0: float
    x1: float
    baseline: float
    size: float
    space_before: bool


@dataclass(frozen=True)
class _PageText:
    """One page's glyphs: its own content and, apart, those of its template pages."""

    number: int
    height: float
    body: tuple[_Glyph, ...]
    template: tuple[_Glyph, ...]


def read(path: Path, data: bytes) -> RawDocument:
    """Read an OFD package's text into paragraph blocks; raise UnreadableFile without text."""
    try:
        archive = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise UnreadableFile(
            "cannot-read", f"not an OFD package (not a zip archive: {exc})") from None
    with archive:
        package = _Package(archive)
        root = package.xml("OFD.xml", "the package's OFD.xml")
        if _first(root, "Encryptions") is not None or package.has("Encryptions.xml"):
            raise UnreadableFile("encrypted", "encrypted OFD (needs the key it was sealed with)")
        bodies = list(root.iter("{*}DocBody"))
        if not bodies:
            raise UnreadableFile("cannot-read", "OFD.xml lists no document (no DocBody)")
        documents: list[list[_PageText]] = []
        info: dict[str, str] = {}
        pages = 0
        for body in bodies:
            doc_root = _text(_first(body, "DocRoot"))
            if not doc_root:
                raise UnreadableFile("cannot-read", "OFD.xml: a DocBody without its DocRoot")
            documents.append(_read_document(package, package.resolve("", doc_root), pages))
            pages += len(documents[-1])
            if not info:
                info = _doc_info(_first(body, "DocInfo"))
    if not pages:
        raise UnreadableFile("cannot-read", "the OFD documents list no pages")
    return _layout(documents, info, path)


# --- the package -------------------------------------------------------------------------


class _Package:
    """The zip's parts by name; OFD paths are absolute from the root or relative to the part
    that names them, and producers get this wrong, so both are tried, case-insensitively."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        self._names = {info.filename.replace("\\", "/").lstrip("/"): info
                       for info in archive.infolist() if not info.is_dir()}
        self._folded = {name.lower(): name for name in self._names}

    def has(self, name: str) -> bool:
        return self._find(name) is not None

    def resolve(self, base_dir: str, location: str) -> str:
        """The part a BaseLoc names, seen from the folder of the part naming it."""
        location = location.strip().replace("\\", "/")
        candidates = [posixpath.normpath(location.lstrip("/"))]
        if not location.startswith("/"):
            candidates.insert(0, posixpath.normpath(posixpath.join(base_dir, location)))
        for candidate in candidates:
            for name in (candidate, posixpath.join(candidate, "Content.xml")):
                found = self._find(name)
                if found is not None:
                    return found
        return candidates[0]  # missing: xml() names it in the error

    def _find(self, name: str) -> str | None:
        if name in self._names:
            return name
        return self._folded.get(name.lower())

    def xml(self, name: str, what: str) -> etree._Element:
        found = self._find(name)
        if found is None:
            raise UnreadableFile("cannot-read", f"damaged OFD: {what} ({name}) is missing")
        info = self._names[found]
        if info.file_size > _MAX_PART_BYTES:
            raise UnreadableFile("too-large", f"OFD part {name} is too large to read")
        try:
            data = self._archive.read(info)
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError) as exc:
            raise UnreadableFile(
                "cannot-read", f"damaged OFD: cannot unpack {name} ({exc})") from None
        try:
            return etree.fromstring(data, _PARSER)
        except etree.XMLSyntaxError:
            try:  # a stray byte should not cost the whole page
                element = etree.fromstring(data, _RECOVER)
            except etree.XMLSyntaxError as exc:
                raise UnreadableFile(
                    "cannot-read", f"damaged OFD: {name} is not XML ({exc})") from None
            if element is None:
                raise UnreadableFile("cannot-read", f"damaged OFD: {name} is not XML") from None
            return element


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_RECOVER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True)


def _first(element: etree._Element | None, name: str) -> etree._Element | None:
    return None if element is None else element.find(f"{{*}}{name}")


def _text(element: etree._Element | None) -> str:
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


# --- documents and pages -----------------------------------------------------------------


def _read_document(package: _Package, name: str, pages_before: int) -> list[_PageText]:
    document = package.xml(name, "a document's Document.xml")
    folder = posixpath.dirname(name)
    common = _first(document, "CommonData")
    default_box = _box(_first(_first(common, "PageArea"), "PhysicalBox"))
    templates: dict[str, str] = {}
    for template in document.iterfind("{*}CommonData/{*}TemplatePage"):
        if template.get("ID") and template.get("BaseLoc"):
            templates[template.get("ID", "")] = package.resolve(folder, template.get("BaseLoc", ""))
    template_glyphs: dict[str, tuple[_Glyph, ...]] = {}
    pages: list[_PageText] = []
    for entry in document.iterfind("{*}Pages/{*}Page"):
        location = entry.get("BaseLoc")
        if not location:
            raise UnreadableFile("cannot-read", f"damaged OFD: {name} lists a page without BaseLoc")
        page = package.xml(package.resolve(folder, location), f"page {len(pages) + 1}'s content")
        box = _box(_first(_first(page, "Area"), "PhysicalBox")) or default_box or (0, 0, *_A4)
        used: list[_Glyph] = []
        for ref in page.iterfind("{*}Template"):
            template_id = ref.get("TemplateID", "")
            if template_id not in templates:
                continue  # a dangling reference draws nothing
            if template_id not in template_glyphs:
                template_page = package.xml(templates[template_id], f"template {template_id}")
                template_glyphs[template_id] = tuple(_page_glyphs(template_page, box))
            used.extend(template_glyphs[template_id])
        pages.append(_PageText(
            number=pages_before + len(pages) + 1,
            height=box[3],
            body=tuple(_page_glyphs(page, box)),
            template=tuple(used),
        ))
    return pages


def _box(element: etree._Element | None) -> tuple[float, float, float, float] | None:
    numbers = _numbers(_text(element))
    if len(numbers) != 4 or numbers[2] <= 0 or numbers[3] <= 0:
        return None
    return numbers[0], numbers[1], numbers[2], numbers[3]


def _numbers(text: str) -> list[float]:
    values: list[float] = []
    for token in text.split():
        try:
            value = float(token)
        except ValueError:
            continue
        if math.isfinite(value):
            values.append(value)
    return values


# --- glyph positions ---------------------------------------------------------------------


def _page_glyphs(page: etree._Element, box: tuple[float, float, float, float]
                 ) -> Iterator[_Glyph]:
    """Every glyph of a page's text objects, in content order, in page coordinates."""
    origin_x, origin_y = box[0], box[1]
    for text_object in page.iter("{*}TextObject"):
        yield from _object_glyphs(text_object, origin_x, origin_y)


def _object_glyphs(text_object: etree._Element, origin_x: float, origin_y: float
                   ) -> Iterator[_Glyph]:
    boundary = _numbers(text_object.get("Boundary", ""))
    left = (boundary[0] if boundary else 0.0) - origin_x
    top = (boundary[1] if len(boundary) > 1 else 0.0) - origin_y
    ctm = _numbers(text_object.get("CTM", ""))
    a, b, c, d, e, f = ctm if len(ctm) == 6 else (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    scale = math.sqrt(abs(a * d - b * c)) or 1.0
    sizes = _numbers(text_object.get("Size", ""))
    size = sizes[0] if sizes and sizes[0] > 0 else 3.5  # Size is required; 3.5 mm is 10 pt
    h_scale = (_numbers(text_object.get("HScale", "")) or [1.0])[0]
    # Rotated or mirrored text (a sideways note, a seal's ring) would scatter over many
    # baselines: it is kept as one run along its first glyph's baseline instead.
    upright = a > 0 and d > 0 and abs(b) <= 0.1 * a and abs(c) <= 0.1 * d
    clusters = _clusters(text_object, size * h_scale)
    run_start: tuple[float, float] | None = None
    run_x = 0.0
    pending_space = False
    for cluster in clusters:
        guess = sum(_advance(char, size) for char in cluster.text) * h_scale
        # The glyphs' box reaches the next glyph (letter spacing is no word gap: producers
        # write spaces as characters), unless the step is a jump or goes backwards.
        step = cluster.advance
        width = (step if 0 < step <= 3 * guess else guess) * scale / len(cluster.text)
        px = left + a * cluster.x + c * cluster.y + e
        py = top + b * cluster.x + d * cluster.y + f
        if not upright:
            run_start = run_start or (px, py)
            px, py = run_start[0] + run_x, run_start[1]
            width = guess * scale / len(cluster.text)
            run_x += guess * scale
        for index, char in enumerate(cluster.text):
            if char.isspace() or unicodedata.category(char) in ("Cc", "Cf"):
                pending_space = pending_space or char.isspace()
                continue
            x0 = px + index * width
            yield _Glyph(char, x0, x0 + width, py, size * scale, pending_space)
            pending_space = False


@dataclass(frozen=True)
class _Cluster:
    """Characters drawn as one step (one glyph, or a ligature by CGTransform), in object
    coordinates, with the step to the next one (estimated where the file gives none)."""

    text: str
    x: float
    y: float
    advance: float


def _clusters(text_object: etree._Element, size: float) -> list[_Cluster]:
    """The text object's characters placed by X/Y and DeltaX/DeltaY. Deltas count glyphs, so
    characters a CGTransform draws as fewer glyphs (ligatures) step together."""
    transforms: dict[int, tuple[int, int]] = {}
    for transform in text_object.iterfind("{*}CGTransform"):
        numbers = [_numbers(transform.get(key, default)) for key, default in
                   (("CodePosition", ""), ("CodeCount", "1"), ("GlyphCount", "1"))]
        if all(numbers) and numbers[1][0] >= 1:
            transforms[int(numbers[0][0])] = (int(numbers[1][0]), max(0, int(numbers[2][0])))
    clusters: list[_Cluster] = []
    x = y = 0.0
    offset = 0  # characters of earlier TextCodes: CodePosition counts the whole object
    for code in text_object.iterfind("{*}TextCode"):
        # Line breaks and tabs are the XML's indentation, never glyphs (they take no delta).
        text = re.sub(r"[\r\n\t]", "", "".join(code.itertext()))
        x = (_numbers(code.get("X", "")) or [x])[0]  # absent: the previous TextCode's value
        y = (_numbers(code.get("Y", "")) or [y])[0]
        dx, dy = _deltas(code.get("DeltaX", "")), _deltas(code.get("DeltaY", ""))
        index = glyph = 0
        while index < len(text):
            count, glyphs = transforms.get(offset + index, (1, 1))
            count = max(1, min(count, len(text) - index))
            chars = text[index:index + count]
            steps = dx[glyph:glyph + glyphs]
            # Without DeltaX the font's own advance applies; it is not read, so estimated.
            advance = sum(steps)
            if len(steps) < glyphs:  # the last glyph, or DeltaX too short
                missing = (glyphs - len(steps)) / glyphs
                advance += missing * sum(_advance(char, size) for char in chars)
            clusters.append(_Cluster(chars, x, y, advance))
            x += advance
            y += sum(dy[glyph:glyph + glyphs])
            index += count
            glyph += glyphs
        offset += len(text)
    return clusters


def _advance(char: str, size: float) -> float:
    """A glyph's advance when the file gives none: full width for CJK, half for Latin."""
    return size if _wide(char) else 0.5 * size


def _deltas(text: str) -> list[float]:
    """DeltaX/DeltaY values with `g count value` expanded (`g 3 2.5` is 2.5 2.5 2.5)."""
    tokens = text.split()
    values: list[float] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token == "g" and index + 2 < len(tokens):
            try:
                count, value = int(float(tokens[index + 1])), float(tokens[index + 2])
            except ValueError:
                index += 1
                continue
            values.extend([value] * max(0, min(count, 100_000)))
            index += 3
            continue
        with contextlib.suppress(ValueError):
            values.append(float(token))
        index += 1
    return values


# --- layout ------------------------------------------------------------------------------


def _layout(documents: Sequence[Sequence[_PageText]], info: dict[str, str], path: Path
            ) -> RawDocument:
    pages = [page for document in documents for page in document]
    usable = sum(_usable_chars(glyph.text) for page in pages for glyph in page.body)
    in_templates = sum(_usable_chars(glyph.text) for page in pages for glyph in page.template)
    if usable + in_templates < _MIN_CHARS_PER_PAGE * len(pages):
        raise UnreadableFile("no-text-layer", "scanned OFD without a text layer (OCR it first)")
    # All the text sits in templates: then they are the document, not its furniture.
    templates_are_body = usable < _MIN_CHARS_PER_PAGE * len(pages)
    if _garbled("".join(glyph.text for page in pages for glyph in page.body
                        + (page.template if templates_are_body else ()))):
        raise UnreadableFile(
            "garbled-text-layer", "text layer cannot be decoded (garbled): convert or OCR it first"
        )
    dropped: list[Dropped] = []
    blocks: list[Block] = []
    issuer = ""
    for document in documents:
        body_pages = []
        for page in document:
            glyphs = page.body + page.template if templates_are_body else page.body
            lines_page = _lines_page(page.number, page.height, glyphs)
            if _garbled("".join(glyph.text for glyph in glyphs)):
                dropped.extend(Dropped(line.text, "garbled-text-layer")
                               for line in lines_page.lines)
                lines_page = _Page(number=page.number, height=page.height, lines=())
            body_pages.append(lines_page)
            if not templates_are_body:
                template = _lines_page(page.number, page.height, page.template)
                dropped.extend(Dropped(line.text, "ofd-template") for line in template.lines)
        # Running headers repeat within one document, not across the documents of a package.
        body_pages, running = _drop_running_lines(body_pages)
        dropped.extend(running)
        flow = [line for page in body_pages for line in page.lines]
        if not flow:
            continue
        first = next(page for page in body_pages if page.lines)
        found_issuer, title = _find_title(first, _body_size(flow))
        if not any(char.isalpha() for line in title for char in line.text):
            title = ()  # a large number (a form's serial, a licence number) names nothing
        issuer = issuer or found_issuer
        blocks.extend(_blocks(flow, _frames(body_pages), title))
    if not blocks:
        raise UnreadableFile("no-text-layer", "scanned OFD without a text layer (OCR it first)")
    meta = {key: value for key, value in info.items() if key != "title"}
    if "title" in info and info["title"] != path.stem:
        meta["title"] = info["title"]
    if issuer:
        meta["issuer"] = issuer
    return RawDocument(blocks=tuple(blocks), format="ofd", meta=meta, dropped=tuple(dropped))


def _lines_page(number: int, height: float, glyphs: Sequence[_Glyph]) -> _Page:
    """A page as the PDF reader's line records (its coordinates: y up from the page bottom),
    so its paragraph rules apply unchanged."""
    return _Page(number=number, height=height,
                 lines=tuple(_make_line(row, number, height) for row in _rows(glyphs)))


def _rows(glyphs: Sequence[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs sharing a baseline (within 0.45 of the larger size), top to bottom, each row
    ordered by x: producers write text objects in any order (digits, a line's pieces)."""
    rows: list[list[_Glyph]] = []
    bases: list[tuple[float, float]] = []  # each row's baseline and size, of its largest glyph
    for glyph in sorted(glyphs, key=lambda g: (g.baseline, g.x0)):
        if rows:
            base, size = bases[-1]
            if abs(glyph.baseline - base) <= 0.45 * max(size, glyph.size):
                rows[-1].append(glyph)
                if glyph.size > size:
                    bases[-1] = (glyph.baseline, glyph.size)
                continue
        rows.append([glyph])
        bases.append((glyph.baseline, glyph.size))
    for row in rows:
        row.sort(key=lambda g: g.x0)
        row[:] = _drawn_once(row)
    return rows


def _make_line(row: Sequence[_Glyph], page: int, height: float) -> _Line:
    """One row as a line, spaced as the PDF reader spaces: nothing between CJK characters,
    a space next to Latin where the file has one or where a word gap is."""
    parts: list[str] = []
    for previous, glyph in zip([None, *row[:-1]], row, strict=True):
        if previous is not None and not (_wide(previous.text) and _wide(glyph.text)):
            latin = not (_wide(previous.text) or _wide(glyph.text))
            if glyph.space_before or (latin and glyph.x0 - previous.x1 > 0.3 * glyph.size):
                parts.append(" ")
        parts.append(glyph.text)
    first_word_end = row[0].x1
    if not _wide(row[0].text):
        for before, glyph in pairwise(row):
            if (glyph.space_before or _wide(glyph.text)
                    or glyph.x0 - before.x1 > 0.3 * glyph.size):
                break
            first_word_end = glyph.x1
    largest = max(glyph.size for glyph in row)
    sizes = Counter(round(glyph.size, 2) for glyph in row if glyph.size >= 0.8 * largest)
    size = sizes.most_common(1)[0][0]
    body = [glyph for glyph in row if round(glyph.size, 2) == size]
    baseline = statistics.median(glyph.baseline for glyph in body)
    return _Line(
        text="".join(parts),
        page=page,
        x0=row[0].x0,
        x1=max(glyph.x1 for glyph in row),
        top=max(height - glyph.baseline + _ASCENT * glyph.size for glyph in row),
        baseline=height - baseline,
        size=size,
        first_word=first_word_end - row[0].x0,
    )


# --- DocInfo ------------------------------------------------------------------------------


def _doc_info(info: etree._Element | None) -> dict[str, str]:
    """Title, author and date from DocInfo, where they are not a program's or a placeholder."""
    meta: dict[str, str] = {}
    if info is None:
        return meta
    title = _text(_first(info, "Title"))
    creator = _text(_first(info, "Creator"))
    # An agency's name alone is the letterhead a template put into Title (often an old name
    # of the issuer: 蚌埠市国土资源局 on a letter of 蚌埠市自然资源和规划局), not the text's title.
    if (title and not _FAKE_TITLE.fullmatch(title) and not _AGENCY.fullmatch(title)
            and len(set(title)) > 1 and title != creator):
        meta["title"] = title
    author = _text(_first(info, "Author"))
    if author and not _placeholder(author):
        meta["author"] = author
    date = _iso(_text(_first(info, "CreationDate")))
    if date:
        meta["date"] = date
    return meta


def _placeholder(text: str) -> bool:
    """A program's name, a default account, or a run of one letter (`dddddd`)."""
    compact = "".join(text.split())
    return bool(_SOFTWARE.fullmatch(compact)) or len(set(compact.lower())) <= 1


def _iso(text: str) -> str | None:
    """xs:date and the `2023-7-12` producers write instead, as ISO YYYY-MM-DD."""
    match = _DATE.match(text)
    if not match:
        return None
    year, month, day = match.group(1), match.group(2), match.group(3)
    if not 1900 < int(year) < 2200:
        return None
    if not month or not 1 <= int(month) <= 12:
        return year
    if not day or not 1 <= int(day) <= 31:
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"
