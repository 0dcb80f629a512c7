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
from dataclasses import dataclass

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

    if document.front:
        emit(" ".join(document.front), [], document.front_page)
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
    return out


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
