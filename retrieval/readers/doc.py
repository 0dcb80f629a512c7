"""Word 97-2003 binary (.doc, and WPS Writer's .wps) read in Python, without LibreOffice.

A .doc is an OLE compound file; its text is not stored in order but as pieces listed by the
piece table (the CLX in the table stream), each piece either 8-bit (cp1252, "compressed") or
UTF-16LE. Files written by WPS and fast-saved files have several pieces, and libraries that
read the text as one run (or decode every piece as 8-bit) garble them; this reader follows
the piece table as the format specifies ([MS-DOC]), which is what Word itself does.

What comes out: the main text's paragraphs in order (a table row as one paragraph, its
cells joined by an ideographic space, as the .docx reader does), then footnotes, endnotes
and text boxes as later paragraphs. A field keeps its result (what Word shows), not its
code. Headers/footers, comments, field codes, tracked deletions and hidden text are not the
document's body: they are reported as dropped. Headings and the title come from the
paragraph styles (built-in heading/title styles, outline levels), document properties from
the SummaryInformation stream when they look stated by a person.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from . import Block, BlockKind, Dropped, RawDocument
from .errors import UnreadableFile

FORMAT = "doc"
CELL_SEPARATOR = "　"
FIB_IDENT = 0xA5EC
MIN_NFIB = 101  # Word 97 and later; Word 6/95 files have another layout

# FibBase flags (offset 0x0A)
F_ENCRYPTED = 0x0100
F_WHICH_TABLE = 0x0200
F_OBFUSCATED = 0x8000

# Indexes into FibRgFcLcb97 (pairs of fc, lcb)
FC_STSHF = 1
FC_PLCF_BTE_CHPX = 12
FC_PLCF_BTE_PAPX = 13
FC_CLX = 33

# Sprms read from paragraph properties
SPRM_P_OUTLVL = 0x2640
SPRM_P_FINTABLE = 0x2416
SPRM_P_FTTP = 0x2417
SPRM_P_ITAP = 0x6649
SPRM_P_FINNERTTP = 0x244C
# ... and from character properties: text Word does not show is not content, but reported
SPRM_C_FRMARKDEL = 0x0800  # deleted with track changes on
SPRM_C_FVANISH = 0x083C  # hidden text
REMOVED_RULES = {SPRM_C_FRMARKDEL: "doc-deleted-revision", SPRM_C_FVANISH: "doc-hidden-text"}

STI_TITLE = 62  # built-in style identifiers: 1..9 are "heading 1".."heading 9"
BODY_OUTLINE = 9  # outline level 9 is body text

# Special characters of the text stream ([MS-DOC] 2.4.1 / 2.8)
PARAGRAPH_END = "\r"
CELL_MARK = "\x07"
FIELD_BEGIN, FIELD_SEPARATOR, FIELD_END = "\x13", "\x14", "\x15"
BREAKS = {"\x0c", "\x0e"}  # page/section break, column break: end the paragraph
ENDS = {PARAGRAPH_END, CELL_MARK, *BREAKS}
REPLACE = {"\x0b": "\n", "\x1e": "-", "\t": "\t"}

# Stories in CP order after the main text ([MS-DOC] 2.3.1); FibRgLw97 fields 3..10 minus the
# reserved one. What is not body text is reported under a rule instead of kept.
STORIES = ("main", "footnotes", "headers", "comments", "endnotes", "textboxes",
           "header-textboxes")
DROPPED_STORIES = {"headers": "doc-header-footer", "comments": "doc-comment",
                   "header-textboxes": "doc-header-footer"}

# Summary information property ids ([MS-OLEPS])
PID_CODEPAGE, PID_TITLE, PID_AUTHOR, PID_CREATED = 1, 2, 4, 12
VT_I2, VT_LPSTR, VT_LPWSTR, VT_FILETIME = 2, 30, 31, 64
# Values editors and templates write by themselves: not stated by the document's author.
PLACEHOLDERS = {"", "document", "word document", "untitled", "title", "无标题", "文档",
                "microsoft word", "microsoft word 文档", "microsoft office", "normal",
                "normal.dot", "normal.dotm", "author", "user", "admin", "administrator",
                "微软用户", "微软中国", "用户", "wps", "wps office", "kingsoft", "金山", "未命名",
                "sky", "dell", "lenovo", "hp", "china", "中国", "ibm", "microsoft", "owner",
                "管理员", "系统管理员", "walkinnet", "user01", "pc", "ylmf", "番茄花园",
                "雨林木风", "深度联盟", "mc sys"}
PLACEHOLDER_PATTERN = re.compile(
    r"\.(?:docx?|dotm?|wps|wpt|rtf|txt|pdf)$|^(?:文档|document|新建\S*)\s*\d*$|"
    r"^(?:wps office|microsoft)|^\d*$|^[-_.\s]+$|0{3,}\d*$",
    re.IGNORECASE)
CP1252_HIGH = {b: bytes([b]).decode("cp1252", errors="ignore") or chr(b)
               for b in range(0x80, 0xA0)}


@dataclass(frozen=True)
class Piece:
    cp_start: int
    cp_end: int
    fc: int  # byte offset of the piece's first character in the WordDocument stream
    compressed: bool  # 8-bit cp1252 when set, else UTF-16LE


@dataclass(frozen=True)
class ParaProps:
    istd: int = 0
    outline: int | None = None
    in_table: bool = False
    row_end: bool = False


@dataclass(frozen=True)
class Style:
    sti: int
    base: int | None
    name: str
    outline: int | None


class _Reader:
    """One file's streams and the structures found in them."""

    def __init__(self, word: bytes, table: bytes, fc_lcb: list[tuple[int, int]]) -> None:
        self.word = word
        self.table = table
        self.fc_lcb = fc_lcb
        self.pieces = _pieces(table, *self._slice(FC_CLX))
        self.piece_starts = [p.cp_start for p in self.pieces]
        self.papx = _PapxIndex(word, table, *self._slice(FC_PLCF_BTE_PAPX))
        self.removed = _removed_runs(word, table, *self._slice(FC_PLCF_BTE_CHPX))
        self.removed_starts = [start for start, _end, _rule in self.removed]
        self.styles = _styles(table, *self._slice(FC_STSHF))

    def _slice(self, index: int) -> tuple[int, int]:
        return self.fc_lcb[index] if index < len(self.fc_lcb) else (0, 0)

    def text(self, start: int, end: int) -> str:
        """Characters [start, end) in CP order, decoded piece by piece."""
        out: list[str] = []
        i = max(bisect.bisect_right(self.piece_starts, start) - 1, 0)
        while i < len(self.pieces) and self.pieces[i].cp_start < end:
            piece = self.pieces[i]
            lo, hi = max(start, piece.cp_start), min(end, piece.cp_end)
            if lo < hi:
                if piece.compressed:
                    pos = piece.fc + (lo - piece.cp_start)
                    out.append(_decode_8bit(self.word[pos:pos + hi - lo]))
                else:
                    pos = piece.fc + 2 * (lo - piece.cp_start)
                    out.append(self.word[pos:pos + 2 * (hi - lo)].decode("utf-16-le", "replace"))
            i += 1
        return "".join(out)

    def fc_of(self, cp: int) -> int | None:
        i = bisect.bisect_right(self.piece_starts, cp) - 1
        if i < 0 or cp >= self.pieces[i].cp_end:
            return None
        piece = self.pieces[i]
        return piece.fc + (cp - piece.cp_start) * (1 if piece.compressed else 2)

    def removed_rule(self, cp: int) -> str | None:
        """The rule under which the character at ``cp`` is not shown (deleted, hidden)."""
        fc = self.fc_of(cp) if self.removed else None
        if fc is None:
            return None
        i = bisect.bisect_right(self.removed_starts, fc) - 1
        return self.removed[i][2] if i >= 0 and fc < self.removed[i][1] else None

    def paragraph(self, cp: int) -> ParaProps:
        """Properties of the paragraph whose mark is the character at ``cp``."""
        fc = self.fc_of(cp)
        return self.papx.lookup(fc) if fc is not None else ParaProps()

    def block_kind(self, props: ParaProps) -> tuple[BlockKind, int | None]:
        style = self.styles.get(props.istd)
        if style is not None and style.sti == STI_TITLE:
            return BlockKind.TITLE, None
        outline = props.outline
        if outline is None:
            outline = self._style_outline(props.istd)
        if outline is not None and 0 <= outline < BODY_OUTLINE:
            return BlockKind.HEADING, outline
        return BlockKind.PARAGRAPH, None

    def _style_outline(self, istd: int) -> int | None:
        seen: set[int] = set()
        current: int | None = istd
        while current is not None and current not in seen:
            seen.add(current)
            style = self.styles.get(current)
            if style is None:
                return None
            if style.outline is not None:
                return style.outline
            if 1 <= style.sti <= 9:
                return style.sti - 1
            current = style.base
        return None


def properties(data: bytes) -> dict[str, str]:
    """What the file's SummaryInformation states (title, author, creation date), where it
    looks stated by a person; {} when the file has none or cannot be opened. The LibreOffice
    path keeps the text but not these, so it takes them from here."""
    import olefile

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            if not ole.exists("\x05SummaryInformation"):
                return {}
            return _meta(ole.openstream("\x05SummaryInformation").read())
    except Exception:  # a damaged container: the reader itself says so when it reads it
        return {}


def read(path: Path, data: bytes) -> RawDocument:
    """The blocks of a Word 97-2003 binary file (``.doc``, or a ``.wps`` of the same kind)."""
    import olefile  # imported here so importing the readers stays cheap

    if not olefile.isOleFile(data=data):
        raise UnreadableFile(
            "cannot-read", "not a Word 97-2003 file (no OLE compound file header): "
            "damaged, or another format under this name")
    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others for a broken container
        raise UnreadableFile(
            "cannot-read", f"damaged compound file ({type(exc).__name__}: {exc})"[:300]) from exc
    with ole:
        if not ole.exists("WordDocument"):
            raise UnreadableFile(
                "cannot-read",
                "the compound file has no WordDocument stream: not a Word or WPS Writer text "
                "document (perhaps a spreadsheet, a presentation, an old WPS 2000 file, or "
                "a truncated download)")
        word = ole.openstream("WordDocument").read()
        fib = _fib(word)
        if fib.flags & (F_ENCRYPTED | F_OBFUSCATED):
            raise UnreadableFile("encrypted", "the document is password-protected (encrypted)")
        table_name = "1Table" if fib.flags & F_WHICH_TABLE else "0Table"
        if not ole.exists(table_name):
            raise UnreadableFile("cannot-read", f"damaged .doc: no {table_name} stream")
        table = ole.openstream(table_name).read()
        summary = (ole.openstream("\x05SummaryInformation").read()
                   if ole.exists("\x05SummaryInformation") else b"")
    reader = _Reader(word, table, fib.fc_lcb)
    blocks: list[Block] = []
    dropped: list[Dropped] = []
    start = 0
    for name, length in zip(STORIES, fib.ccp, strict=True):
        end = start + length
        if length > 0:
            story_blocks = list(_blocks(reader, start, end, dropped, main=name == "main"))
            if name in DROPPED_STORIES:
                dropped += [Dropped(b.text, DROPPED_STORIES[name]) for b in story_blocks
                            if b.text.strip()]
            else:
                blocks += story_blocks
        start = end
    return RawDocument(blocks=tuple(blocks), format=FORMAT, meta=_meta(summary),
                       dropped=tuple(dropped))


@dataclass(frozen=True)
class _Fib:
    flags: int
    ccp: tuple[int, ...]
    fc_lcb: list[tuple[int, int]]


def _fib(word: bytes) -> _Fib:
    if len(word) < 64:
        raise UnreadableFile("cannot-read", "damaged .doc: WordDocument stream too short")
    ident, nfib = struct.unpack_from("<HH", word, 0)
    if ident != FIB_IDENT:
        raise UnreadableFile("cannot-read", f"not a Word 97-2003 document (FIB id {ident:#x})")
    if nfib < MIN_NFIB:
        raise UnreadableFile(
            "cannot-read", f"Word 6/95 documents (version {nfib}) cannot be read: "
            "save as .docx first")
    flags = struct.unpack_from("<H", word, 0x0A)[0]
    csw = struct.unpack_from("<H", word, 32)[0]
    pos = 34 + 2 * csw
    cslw = struct.unpack_from("<H", word, pos)[0]
    if cslw < 11:
        raise UnreadableFile("cannot-read", "damaged .doc: FIB too short")
    lw = struct.unpack_from(f"<{cslw}I", word, pos + 2)
    pos += 2 + 4 * cslw
    cb = struct.unpack_from("<H", word, pos)[0]
    raw = struct.unpack_from(f"<{2 * cb}I", word, pos + 2)
    fc_lcb = [(raw[2 * i], raw[2 * i + 1]) for i in range(cb)]
    # ccpText, ccpFtn, ccpHdd, (reserved), ccpAtn, ccpEdn, ccpTxbx, ccpHdrTxbx
    ccp = (lw[3], lw[4], lw[5], lw[7], lw[8], lw[9], lw[10])
    return _Fib(flags, ccp, fc_lcb)


def _pieces(table: bytes, fc: int, lcb: int) -> list[Piece]:
    """The piece table: the CLX's Prc entries are skipped, its Pcdt holds the PlcPcd."""
    clx = table[fc:fc + lcb]
    pos = 0
    while pos + 3 <= len(clx) and clx[pos] == 0x01:  # Prc: property modifiers (fast saves)
        size = struct.unpack_from("<h", clx, pos + 1)[0]
        if size < 0:
            raise UnreadableFile("cannot-read", "damaged .doc: bad piece table")
        pos += 3 + size
    if pos + 5 > len(clx) or clx[pos] != 0x02:
        raise UnreadableFile("cannot-read", "damaged .doc: no piece table")
    size = struct.unpack_from("<I", clx, pos + 1)[0]
    plc = clx[pos + 5:pos + 5 + size]
    count = (len(plc) - 4) // 12
    if count <= 0:
        raise UnreadableFile("cannot-read", "damaged .doc: empty piece table")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    pieces: list[Piece] = []
    for i in range(count):
        fc_value = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * i + 2)[0]
        compressed = bool(fc_value & 0x40000000)
        offset = fc_value & 0x3FFFFFFF
        if compressed:
            offset //= 2
        if cps[i + 1] > cps[i]:
            pieces.append(Piece(cps[i], cps[i + 1], offset, compressed))
    return pieces


def _decode_8bit(raw: bytes) -> str:
    """Compressed piece text: cp1252, the five bytes cp1252 leaves undefined kept as is."""
    return "".join(CP1252_HIGH.get(b, chr(b)) for b in raw) if any(
        0x80 <= b < 0xA0 for b in raw) else raw.decode("latin-1")


class _PapxIndex:
    """Paragraph properties by file offset, from the PAPX FKPs (PlcBtePapx)."""

    def __init__(self, word: bytes, table: bytes, fc: int, lcb: int) -> None:
        self.word = word
        self.bounds: list[int] = []
        self.pages: list[int] = []
        self.cache: dict[int, tuple[list[int], list[ParaProps]]] = {}
        if lcb < 8:
            return
        count = (lcb - 4) // 8
        plc = table[fc:fc + lcb]
        self.bounds = list(struct.unpack_from(f"<{count + 1}I", plc, 0))
        self.pages = [v & 0x3FFFFF for v in struct.unpack_from(f"<{count}I", plc, 4 * (count + 1))]

    def lookup(self, fc: int) -> ParaProps:
        i = bisect.bisect_right(self.bounds, fc) - 1
        if i < 0 or i >= len(self.pages):
            return ParaProps()
        fcs, props = self._page(self.pages[i])
        j = bisect.bisect_right(fcs, fc) - 1
        return props[j] if 0 <= j < len(props) else ParaProps()

    def _page(self, pn: int) -> tuple[list[int], list[ParaProps]]:
        if pn not in self.cache:
            self.cache[pn] = _papx_fkp(self.word[pn * 512:pn * 512 + 512])
        return self.cache[pn]


def _papx_fkp(page: bytes) -> tuple[list[int], list[ParaProps]]:
    if len(page) < 512:
        return [], []
    crun = page[511]
    fcs = list(struct.unpack_from(f"<{crun + 1}I", page, 0))
    props: list[ParaProps] = []
    base = 4 * (crun + 1)
    for k in range(crun):
        offset = page[base + 13 * k] * 2
        if offset == 0:
            props.append(ParaProps())
            continue
        cb = page[offset]
        if cb == 0:
            length, start = 2 * page[offset + 1], offset + 2
        else:
            length, start = 2 * cb - 1, offset + 1
        chunk = page[start:start + length]
        props.append(_para_props(chunk))
    return fcs, props


def _removed_runs(word: bytes, table: bytes, fc: int, lcb: int) -> list[tuple[int, int, str]]:
    """File-offset ranges of deleted or hidden text, from the CHPX FKPs (PlcBteChpx)."""
    if lcb < 8:
        return []
    count = (lcb - 4) // 8
    plc = table[fc:fc + lcb]
    pages = [v & 0x3FFFFF for v in struct.unpack_from(f"<{count}I", plc, 4 * (count + 1))]
    runs: list[tuple[int, int, str]] = []
    for pn in dict.fromkeys(pages):
        page = word[pn * 512:pn * 512 + 512]
        if len(page) < 512:
            continue
        crun = page[511]
        fcs = struct.unpack_from(f"<{crun + 1}I", page, 0)
        for k in range(crun):
            offset = page[4 * (crun + 1) + k] * 2
            if offset == 0:
                continue
            grpprl = page[offset + 1:offset + 1 + page[offset]]
            for sprm, operand in _sprms(grpprl):
                # toggle operands: 1 on, 0x81 the opposite of the style's (off in styles)
                if sprm in REMOVED_RULES and operand and operand[0] in (1, 0x81):
                    runs.append((fcs[k], fcs[k + 1], REMOVED_RULES[sprm]))
                    break
    return sorted(runs)


def _para_props(chunk: bytes) -> ParaProps:
    if len(chunk) < 2:
        return ParaProps()
    istd = struct.unpack_from("<H", chunk, 0)[0]
    outline: int | None = None
    in_table = row_end = False
    itap = 0
    for sprm, operand in _sprms(chunk[2:]):
        if sprm == SPRM_P_OUTLVL and operand:
            outline = operand[0]
        elif sprm == SPRM_P_FINTABLE and operand:
            in_table = bool(operand[0])
        elif sprm == SPRM_P_FTTP and operand:
            row_end = bool(operand[0])
        elif sprm == SPRM_P_ITAP and len(operand) >= 4:
            itap = struct.unpack_from("<i", operand, 0)[0]
        elif sprm == SPRM_P_FINNERTTP and operand and operand[0]:
            row_end = row_end or itap <= 1
    return ParaProps(istd, outline, in_table or itap > 0, row_end)


def _sprms(grpprl: bytes) -> Iterator[tuple[int, bytes]]:
    """(sprm, operand) pairs of a grpprl; the operand size comes from the sprm's spra."""
    pos = 0
    while pos + 2 <= len(grpprl):
        sprm = struct.unpack_from("<H", grpprl, pos)[0]
        pos += 2
        spra = sprm >> 13
        if spra in (0, 1):
            size = 1
        elif spra in (2, 4, 5):
            size = 2
        elif spra == 3:
            size = 4
        elif spra == 7:
            size = 3
        elif sprm == 0xD608 and pos + 2 <= len(grpprl):  # sprmTDefTable: 2-byte size
            size = struct.unpack_from("<H", grpprl, pos)[0] - 1
            pos += 2
        elif pos < len(grpprl):
            size = grpprl[pos]
            pos += 1
            if sprm == 0xC615 and size == 255:  # sprmPChgTabs long form
                break
        else:
            break
        yield sprm, grpprl[pos:pos + size]
        pos += size


def _styles(table: bytes, fc: int, lcb: int) -> dict[int, Style]:
    """The stylesheet: built-in identifier, base style, name and outline level by istd."""
    styles: dict[int, Style] = {}
    stsh = table[fc:fc + lcb]
    if len(stsh) < 6:
        return styles
    cb_stshi = struct.unpack_from("<H", stsh, 0)[0]
    cstd, cb_base = struct.unpack_from("<HH", stsh, 2)
    pos = 2 + cb_stshi
    for istd in range(cstd):
        if pos + 2 > len(stsh):
            break
        cb_std = struct.unpack_from("<H", stsh, pos)[0]
        std = stsh[pos + 2:pos + 2 + cb_std]
        pos += 2 + cb_std
        if cb_std < cb_base or cb_base < 10:
            continue
        try:
            styles[istd] = _style(std, cb_base)
        except (struct.error, IndexError):
            continue
    return styles


def _style(std: bytes, cb_base: int) -> Style:
    sti = struct.unpack_from("<H", std, 0)[0] & 0x0FFF
    word2 = struct.unpack_from("<H", std, 2)[0]
    stk, istd_base = word2 & 0x000F, word2 >> 4
    cupx = struct.unpack_from("<H", std, 4)[0] & 0x000F
    pos = cb_base
    cch = struct.unpack_from("<H", std, pos)[0]
    name = std[pos + 2:pos + 2 + 2 * cch].decode("utf-16-le", "replace")
    pos += 2 + 2 * cch + 2
    outline: int | None = None
    if stk == 1 and cupx >= 1:  # paragraph style: the first UPX holds its paragraph sprms
        pos += pos % 2
        cb_upx = struct.unpack_from("<H", std, pos)[0]
        upx = std[pos + 2:pos + 2 + cb_upx]
        for sprm, operand in _sprms(upx[2:]):
            if sprm == SPRM_P_OUTLVL and operand:
                outline = operand[0]
    return Style(sti, None if istd_base == 0x0FFF else istd_base, name, outline)


def _blocks(reader: _Reader, start: int, end: int, dropped: list[Dropped],
            *, main: bool) -> Iterator[Block]:
    """Paragraph blocks of the story [start, end): field results kept, codes reported."""
    text = reader.text(start, end)
    fields: list[_Field] = []  # the open fields, innermost last
    paragraph: list[str] = []
    cells: list[str] = []
    previous = ""
    removed: list[str] = []  # the run of removed characters being collected, and its rule
    removed_rule: str | None = None
    for offset, char in enumerate(text):
        cp = start + offset
        rule = reader.removed_rule(cp)
        if rule != removed_rule:
            if removed_rule and "".join(removed).strip():
                dropped.append(Dropped(" ".join("".join(removed).split()), removed_rule))
            removed, removed_rule = [], rule
        if rule is not None:
            removed.append(char if char >= " " else " ")
            continue
        if char == FIELD_BEGIN:
            fields.append(_Field())
            continue
        if char == FIELD_SEPARATOR and fields:
            fields[-1].close_code(dropped)
            continue
        if char == FIELD_END and fields:
            fields.pop().close_code(dropped)
            continue
        if fields and not all(f.in_result for f in fields):
            next(f for f in reversed(fields) if not f.in_result).code.append(char)
            continue
        if char in ENDS:
            line = "".join(paragraph).strip(" ")
            paragraph = []
            props = reader.paragraph(cp) if char != PARAGRAPH_END or main else ParaProps()
            if char == CELL_MARK:
                row_end = props.row_end or (not reader.papx.bounds and previous == CELL_MARK)
                if row_end:
                    if cells:
                        yield Block(CELL_SEPARATOR.join(cells), BlockKind.PARAGRAPH)
                    cells = []
                elif line.strip():
                    cells.append(line.strip())
            elif props.in_table and char == PARAGRAPH_END:
                if line.strip():  # a paragraph inside a cell: joins the cell's text
                    cells.append(line.strip())
            else:
                if cells:  # a row whose end mark was not seen
                    yield Block(CELL_SEPARATOR.join(cells), BlockKind.PARAGRAPH)
                    cells = []
                if line.strip():
                    kind, level = reader.block_kind(props) if main else (BlockKind.PARAGRAPH,
                                                                        None)
                    yield Block(line, kind, level=level)
                elif main:  # a blank line of the body is a break; a note's is nothing
                    yield Block("", BlockKind.PARAGRAPH)
            previous = char
            continue
        previous = char
        if char in REPLACE:
            paragraph.append(REPLACE[char])
        elif char >= " ":
            paragraph.append(char)
    if removed_rule and "".join(removed).strip():
        dropped.append(Dropped(" ".join("".join(removed).split()), removed_rule))
    line = "".join(paragraph).strip(" ")
    if cells:
        yield Block(CELL_SEPARATOR.join([*cells, line] if line.strip() else cells),
                    BlockKind.PARAGRAPH)
    elif line.strip():
        yield Block(line, BlockKind.PARAGRAPH)


@dataclass
class _Field:
    """A field being read: its instruction (dropped, reported) until the separator, then its
    result (the text Word shows, kept)."""

    code: list[str] = dc_field(default_factory=list)
    in_result: bool = False

    def close_code(self, dropped: list[Dropped]) -> None:
        if not self.in_result:
            code = " ".join("".join(self.code).split())
            if code:
                dropped.append(Dropped(code, "field-code"))
            self.in_result = True


def _meta(summary: bytes) -> dict[str, str]:
    """Title, author and creation date from the SummaryInformation property set."""
    props = _property_set(summary)
    meta: dict[str, str] = {}
    for key, pid in (("title", PID_TITLE), ("author", PID_AUTHOR)):
        value = props.get(pid)
        if isinstance(value, str):
            value = " ".join(value.split())
            if _looks_stated(value):
                meta[key] = value
    created = props.get(PID_CREATED)
    if isinstance(created, datetime) and 1990 <= created.year <= datetime.now(UTC).year:
        meta["date"] = created.date().isoformat()
    return meta


def _looks_stated(value: str) -> bool:
    """Not a template's, editor's or machine's default, and not a file name."""
    return (value.lower() not in PLACEHOLDERS and not PLACEHOLDER_PATTERN.search(value)
            and "\ufffd" not in value)


def _property_set(stream: bytes) -> dict[int, str | datetime | int]:
    """The first section's properties of an OLE property set stream ([MS-OLEPS] 2.21).

    olefile's own parser reads strings as 8-bit, which garbles sets in code page 1200
    (UTF-16), as WPS writes them; this reads the few types needed, in the set's code page.
    """
    values: dict[int, str | datetime | int] = {}
    try:
        if len(stream) < 48 or struct.unpack_from("<H", stream, 0)[0] != 0xFFFE:
            return values
        section = struct.unpack_from("<I", stream, 44)[0]
        count = struct.unpack_from("<I", stream, section + 4)[0]
        entries = [struct.unpack_from("<II", stream, section + 8 + 8 * i)
                   for i in range(min(count, 1000))]
        raw: dict[int, tuple[int, int]] = {}
        for pid, offset in entries:
            at = section + offset
            raw[pid] = (struct.unpack_from("<I", stream, at)[0] & 0xFFFF, at + 4)
        codepage = 1252
        if PID_CODEPAGE in raw and raw[PID_CODEPAGE][0] == VT_I2:
            codepage = struct.unpack_from("<H", stream, raw[PID_CODEPAGE][1])[0]
        for pid, (vtype, at) in raw.items():
            if vtype == VT_LPSTR:
                size = struct.unpack_from("<I", stream, at)[0]
                data = stream[at + 4:at + 4 + size]
                values[pid] = _decode_property(data, codepage)
            elif vtype == VT_LPWSTR:
                size = struct.unpack_from("<I", stream, at)[0]
                data = stream[at + 4:at + 4 + 2 * size]
                values[pid] = data.decode("utf-16-le", "replace").split("\x00")[0]
            elif vtype == VT_FILETIME:
                ticks = struct.unpack_from("<Q", stream, at)[0]
                if ticks:
                    values[pid] = datetime(1601, 1, 1, tzinfo=UTC) + timedelta(
                        microseconds=ticks // 10)
    except (struct.error, OverflowError, ValueError):
        return values
    return values


def _decode_property(data: bytes, codepage: int) -> str:
    if codepage == 1200:
        return data.decode("utf-16-le", "replace").split("\x00")[0]
    encoding = {65001: "utf-8", 936: "gbk", 950: "big5", 54936: "gb18030"}.get(
        codepage, f"cp{codepage}")
    try:
        return data.split(b"\x00")[0].decode(encoding, "replace")
    except LookupError:
        return data.split(b"\x00")[0].decode("cp1252", "replace")
