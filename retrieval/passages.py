"""Documents -> passages: paragraphs cut at list points and sentences, headings turned into
each passage's section path. Passage text is always the original characters, and every
character of a document's units is in a passage's text or in a heading its passages carry.

A heading labels the paragraphs under it up to the next heading of its level or higher. A
list point (一是, 第一，, 其一) is never a heading: it opens a passage of its own and labels
nothing else, so a point made inside a paragraph cannot leak onto unrelated paragraphs.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from .metadata import is_number_line
from .model import SECTION_SEP, Document, Passage, Unit

NUM = "一二三四五六七八九十百"
# Heading markers by level (lower is higher); a format's own headings rank above all of them.
HEADING = [
    re.compile(rf"^第[{NUM}\d]+[编部](分)?"),
    re.compile(rf"^第[{NUM}\d]+章"),
    re.compile(rf"^第[{NUM}\d]+节"),
    re.compile(rf"^[{NUM}]+\s*、"),
    re.compile(rf"^[（(]\s*[{NUM}]+\s*[)）]"),
    re.compile(r"^\d{1,2}\s*[.．、]\s*(?!\d)"),
    re.compile(r"^[（(]\s*\d{1,2}\s*[)）]"),
]
FORMAT_LEVEL_OFFSET = -100  # a .docx/.html heading level L ranks as L - 100
# Where a paragraph is cut: a heading marker right after a sentence end (a new paragraph,
# which may be a heading) ...
HEADING_BREAK = re.compile(
    rf"(?<=[。！？!?；;”\s])(?=[{NUM}]+、|[（(][{NUM}]+[)）])")
# ... or a list point (a passage of its own, never a heading).
POINT_BREAK = re.compile(
    rf"(?<=[。！？!?；;”\s])(?=[{NUM}][是要][，,：:]?|第[{NUM}]+[，,、]|其[{NUM}][，,、])")
# A list point opening a paragraph, and the heading level from which it closes sections.
POINT_START = re.compile(rf"^(第[{NUM}]+[，,、]|其[{NUM}][，,、]|[{NUM}][是要])")
POINT_LEVEL = 4.5  # between （一） (4) and 1. (5)
SENTENCE = re.compile(r"[^。！？!?；;…]*(?:[。！？!?；;]+|…+)[”’」』）)]*|[^。！？!?；;…]+$")
HEADING_MAX = 50
LABEL_MAX = 30
OPEN, CLOSE = "（(“‘「『【《", "）)”’」』】》"
# The 落款: issuing bodies' names, then the date (2020年2月2日, 二〇二〇年二月二日).
CLOSING_MAX = 80
CLOSING_DATE = re.compile(r"(?:(?:19|20)\d{2}|[〇○◯零一二三四五六七八九]{4})\s*年\s*"
                          r"[\d一二三四五六七八九十]{1,3}\s*月\s*[\d一二三四五六七八九十]{1,3}\s*日")
# The addressee line, and a passage ending in a signature date.
ADDRESSEES = re.compile(r"\s*各[^。！？；]{1,200}[：:]\s*")
CLOSING_TAIL = re.compile(rf"(?:^|\s)(?:{CLOSING_DATE.pattern})\s*[)）]?\s*$")
# The clause that says from when a document applies: 本办法自2021年7月1日起施行.
EFFECTIVE = re.compile(r"本(?:法|条例|规定|办法|细则|通知|意见|方案|规则|决定|标准|指南|准则)"
                       r"[^。；]{0,30}?自[^。；]{2,30}?起(?:施行|实施|生效|执行)")
ISSUER_END = re.compile(r"(?:局|厅|委|委员会|政府|办公室|办公厅|中心|部|院|会|处|室|所|站|队|组|"
                        r"指挥部|公司|学校|大学|银行|分行|支行|集团|党组|工委|办|司|署)$")


@dataclass(frozen=True)
class _Paragraph:
    text: str
    page: int | None
    level: float | None = None  # a heading's level: it labels what follows, up to its peer
    label: str = ""  # the heading's label, or a list point's label for its own passages
    heading_only: bool = False  # nothing but a heading: its text becomes the label


def document_passages(document: Document, doc_no: int, max_chars: int,
                      min_chars: int) -> list[Passage]:
    """Cut one document into passages with section paths, positions and pages."""
    out: list[Passage] = []
    seen_ids: set[str] = set()

    def emit(text: str, labels: list[str], page: int | None) -> None:
        out.append(Passage(id=_passage_id(document, text, seen_ids), text=text,
                           file=document.file, title=document.title,
                           section=SECTION_SEP.join(x for x in labels if x),
                           position=len(out) + 1, document=doc_no, page=page))

    front = document.front
    if document.title and not _has_prose(document):
        # A page that is its title and attachment links: the title is what it says, so it is
        # a passage too (a question about it has nothing else to be answered from).
        front = (document.title, *front)
    if front:  # the title block: its parts (文号, 主送) name it
        emit(" ".join(front), [_part(line) or "" for line in front], document.front_page)
    sections: list[tuple[float, str]] = []  # (level, label) from the top down
    pending: _Paragraph | None = None  # a heading with nothing under it yet
    for para in _paragraphs(document.units, min_chars):
        closes = para.level if para.level is not None else POINT_LEVEL if para.label else None
        if pending is not None and closes is not None and closes <= pending.level:
            # The previous heading labelled nothing: its text is a passage of its own.
            emit(pending.text, [x for _, x in sections[:-1]], pending.page)
        if para.level is not None:
            sections = [x for x in sections if x[0] < para.level] + [(para.level, para.label)]
            if para.heading_only:
                pending = para
                continue
        elif para.label:
            # A list point opening a paragraph (第四，…) labels its own passages and ends the
            # numbered sub-headings (1. / （1）) of the point before it.
            sections = [x for x in sections if x[0] < POINT_LEVEL]
        pending = None
        labels = [x for _, x in sections] + ([para.label] if para.level is None else [])
        for piece in _pieces(para.text, max_chars, min_chars):
            emit(piece, labels, para.page)
    if pending is not None:
        emit(pending.text, [x for _, x in sections[:-1]], pending.page)
    return _parts_named(_closings_joined(out, document))


def _is_closing(text: str) -> bool:
    """A line of a document's 落款: the issuing bodies' names and/or the date, nothing else."""
    # Spaces that set the names right on the page are no length (a 落款 padded by 90 of them).
    if len("".join(text.split())) > CLOSING_MAX or re.search(r"[。！？!?；;，,：:]", text):
        return False
    rest = CLOSING_DATE.sub(" ", text)
    names = [n for n in re.split(r"[\s、]+", rest) if n]
    return (rest != text and not names) or (bool(names) and all(
        ISSUER_END.search(n) for n in names))


def _has_prose(document: Document) -> bool:
    """Whether a document has a sentence of its own besides its title and attachment lines
    (附件：点击下载相关附件！)."""
    return any(re.search(r"[。；！？!?;]", t) and not t.lstrip().startswith("附件")
               for t in (*document.front, *(u.text for u in document.units)))


def _parts_named(passages: list[Passage]) -> list[Passage]:
    """The parts of a 公文 (GB/T 9704) that no heading labels get their name as a section:
    the document number (文号), the addressees (主送), the signature and date (落款) and the
    clause saying from when it applies (施行). A question about them (文号是多少, 落款日期,
    从哪天施行) then finds them, and the source line says what the quote is."""
    named: list[Passage] = []
    for passage in passages:
        part = _part(passage.text, passage.section)
        if part and part not in passage.section.split(SECTION_SEP):
            section = SECTION_SEP.join(x for x in (passage.section, part) if x)
            passage = replace(passage, section=section)
        named.append(passage)
    return named


def _part(text: str, section: str = "") -> str | None:
    """Which named part of a 公文 a text is, if any (see _parts_named)."""
    if is_number_line(text):
        return "文号"
    if ADDRESSEES.fullmatch(text) and not section:
        return "主送"
    if CLOSING_TAIL.search(text):
        return "落款"
    effective = EFFECTIVE.search(text)
    if effective and len(effective.group()) * 2 >= len(text.strip()):
        return "施行"  # the passage is that clause (第八十五条　本法自…起施行。), not ends with it
    return None


def _closings_joined(passages: list[Passage], document: Document) -> list[Passage]:
    """A 落款 (issuer lines ending in a date line) joins the passage before it. Alone, a line
    such as "海陵区民政局" or "2020年2月2日" is the shortest passage that names the place and
    the year, so it outranks every paragraph that answers a question naming them."""
    out: list[Passage] = []
    i = 0
    while i < len(passages):
        j = i
        while j < len(passages) and _is_closing(passages[j].text):
            j += 1
        run = passages[i:j]
        if run and out and CLOSING_DATE.search(run[-1].text):
            previous = out.pop()
            text = " ".join([previous.text, *(p.text for p in run)])
            base = f"{document.file}\x1f{document.title}\x1f{text}"
            pid = hashlib.blake2b(base.encode("utf-8"), digest_size=8).hexdigest()
            out.append(replace(previous, text=text, id=pid))
            i = j
            continue
        out.append(passages[i])
        i += 1
    if len(out) == len(passages):
        return passages
    return [replace(p, position=n) for n, p in enumerate(out, start=1)]


def _paragraphs(units: tuple[Unit, ...], min_chars: int) -> Iterator[_Paragraph]:
    """Paragraphs with their heading level and label, after cutting units at inline heading
    markers and list points.

    Every point of a list (一是…二是…) becomes a paragraph of its own, even in a short line: a
    question is about one point, and a passage that holds four topics ranks and quotes badly.
    A piece shorter than min_chars (the sentence that opens a list) joins the next one. A
    point standing alone on a short line (第四，坚持精准施策。) heads what follows it."""
    for unit in units:
        if unit.heading_level is not None:
            yield _Paragraph(unit.text, unit.page, unit.heading_level + FORMAT_LEVEL_OFFSET,
                             _heading_text(unit.text), heading_only=True)
            continue
        pieces: list[tuple[str, bool]] = []  # (text, may be a heading)
        for part in filter(None, (p.strip() for p in HEADING_BREAK.split(unit.text))):
            points = [p.strip() for p in POINT_BREAK.split(part) if p.strip()]
            pieces += [(points[0], True)] + [(p, False) for p in points[1:]]
        merged: list[tuple[str, bool]] = []
        for text, headed in pieces:
            if merged and _too_short(merged[-1][0], min_chars):
                merged[-1] = (merged[-1][0] + text, merged[-1][1])
            else:
                merged.append((text, headed))
        point_label = ""
        for i, (text, headed) in enumerate(merged):
            level = _heading_level(text) if headed else None
            if level is not None:
                if _is_heading_only(text):
                    yield _Paragraph(text, unit.page, level, _heading_text(text), True)
                else:
                    yield _Paragraph(text, unit.page, level, _label(text))
            elif i == 0 and POINT_START.match(text):
                if len(merged) == 1 and _is_single_sentence(text):
                    yield _Paragraph(text, unit.page, POINT_LEVEL, _heading_text(text), True)
                    continue
                point_label = _label(text)
                yield _Paragraph(text, unit.page, None, point_label)
            else:
                yield _Paragraph(text, unit.page, None, point_label)


def _is_single_sentence(text: str) -> bool:
    return len(text) <= HEADING_MAX and len(SENTENCE.findall(text)) <= 1


def _too_short(piece: str, min_chars: int) -> bool:
    """A piece that cannot stand alone: a lone sentence opening a list, or a bare heading."""
    if _heading_level(piece) is not None and _is_heading_only(piece):
        return False
    return 0 < len(piece) < min_chars and not piece.endswith(("。", "！", "？", "；"))


def _heading_level(text: str) -> int | None:
    for level, pattern in enumerate(HEADING):
        if pattern.match(text):
            return level
    return None


def _is_heading_only(text: str) -> bool:
    """A heading line: short, and no sentence in it (it may end with a colon)."""
    return len(text) <= HEADING_MAX and not re.search(r"[。！？!?；;]", text.rstrip("：:"))


def _label(text: str) -> str:
    """The section label of a paragraph that opens with a heading marker and goes on: its
    lead clause, cut at a sentence end, colon or space, never inside brackets."""
    depth = 0
    for i, ch in enumerate(text[:LABEL_MAX + 1]):
        if ch in OPEN:
            depth += 1
        elif ch in CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and i > 2 and (ch in "。！？!?；;：:" or ch.isspace()):
            return _heading_text(text[:i])
    point = POINT_START.match(text)
    start = point.end() if point else 0  # a point's own comma (第三，) does not end it
    start += len(text[start:]) - len(text[start:].lstrip("，,、：: "))
    clause = re.match(rf"[^，,：:。；;]{{1,{LABEL_MAX}}}", text[start:])
    label = text[:start] + clause.group(0) if clause else text[:LABEL_MAX]
    opened = max(label.rfind(c) for c in OPEN)
    if opened > 2 and all(label.rfind(c) < opened for c in CLOSE):
        label = label[:opened]  # do not end a label inside a bracket
    return _heading_text(label)


def _heading_text(text: str) -> str:
    return text.strip().rstrip("。：:；;，, ")


def _pieces(paragraph: str, max_chars: int, min_chars: int) -> list[str]:
    """Split a long paragraph at sentence ends into pieces of at most max_chars."""
    if len(paragraph) <= max_chars:
        return [paragraph]
    sentences: list[str] = []
    for sentence in SENTENCE.findall(paragraph):
        while len(sentence) > max_chars:  # a run-on sentence: cut at the last comma that fits
            cut = max(sentence.rfind(c, 0, max_chars) for c in "，,、")
            cut = cut + 1 if cut > 0 else max_chars
            sentences.append(sentence[:cut])
            sentence = sentence[cut:]
        if sentence:
            sentences.append(sentence)
    pieces: list[str] = []
    for sentence in sentences:
        if pieces and len(pieces[-1]) + len(sentence) <= max_chars:
            pieces[-1] += sentence
        else:
            pieces.append(sentence)
    if len(pieces) > 1 and len(pieces[-1]) < min_chars:
        tail = pieces.pop()
        pieces[-1] += tail
    return [p.strip() for p in pieces if p.strip()]


def _passage_id(document: Document, text: str, seen: set[str]) -> str:
    """Same file, title and text give the same id on every indexing run."""
    base = f"{document.file}\x1f{document.title}\x1f{text}"
    n = 1
    while True:
        key = base if n == 1 else f"{base}\x1f{n}"
        pid = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
        if pid not in seen:
            seen.add(pid)
            return pid
        n += 1
