"""Speeches -> passages: paragraphs re-joined, long ones cut at markers and sentences, headings
turned into each passage's section path. Passage text is always the original characters."""

from __future__ import annotations

import hashlib
import re

from .model import Passage, Speech
from .speeches import CLOSING, SALUTATION

NUM = "一二三四五六七八九十"
# Heading markers, by level: 一、  （一）/(一)  1. / 1、
HEADING = [
    re.compile(rf"^[{NUM}]+\s*、"),
    re.compile(rf"^[（(]\s*[{NUM}]+\s*[)）]|^第[{NUM}]+[，,、]"),
    re.compile(r"^\d{1,2}\s*[.．、]\s*(?!\d)"),
]
# Where a line is cut into paragraphs: a heading or list marker right after a sentence end.
INLINE_MARKER = re.compile(
    rf"(?<=[。！？!?；;”\s])(?=[{NUM}]+、|[（(][{NUM}]+[)）]|[{NUM}][是要]|第[{NUM}]+[，,、]|其[{NUM}][，,、])")
SENTENCE = re.compile(r"[^。！？!?；;…]*(?:[。！？!?；;]+|…+)[”’」』）)]*|[^。！？!?；;…]+$")
TERMINAL = tuple("。！？!?；;…”’」』:：")
HEADING_MAX = 50
SECTION_SEP = " › "


def speech_passages(speech: Speech, speech_no: int, max_chars: int,
                    min_chars: int) -> list[Passage]:
    """Cut one speech into passages with section paths and positions."""
    sections: list[str] = []  # heading text per level, '' where a level is unset
    out: list[Passage] = []
    seen_ids: set[str] = set()
    for paragraph in _paragraphs(speech.lines, min_chars):
        level = _heading_level(paragraph)
        body = paragraph
        if level is not None:
            heading, body = _split_heading(paragraph)
            sections = [*sections[:level], *[""] * max(0, level - len(sections)), heading]
        if not body or SALUTATION.match(body) or CLOSING.match(body):
            continue
        section = SECTION_SEP.join(s for s in sections if s)
        for piece in _pieces(body, max_chars, min_chars):
            pid = _passage_id(speech, piece, seen_ids)
            out.append(Passage(id=pid, text=piece, file=speech.file, title=speech.title,
                               section=section, position=len(out) + 1, speech=speech_no))
    return out


def _paragraphs(lines: tuple[str, ...], min_chars: int) -> list[str]:
    """Join lines broken mid-paragraph, then cut lines at inline section and list markers.

    Every point of a list (一是…二是…) becomes a paragraph of its own, even in a short line: a
    question is about one point, and a passage that holds four topics ranks and quotes badly.
    A piece shorter than min_chars (the sentence that opens a list) joins the next one."""
    joined: list[str] = []
    previous_open = False  # the previous line stopped mid-sentence
    for line in lines:
        if not line:
            previous_open = False
            continue
        if previous_open and joined and _heading_level(line) is None:
            joined[-1] += line
        else:
            joined.append(line)
        previous_open = len(joined[-1]) > HEADING_MAX and not joined[-1].endswith(TERMINAL)
    out: list[str] = []
    for paragraph in joined:
        short = False  # the previous piece of this line is too short to stand alone
        for piece in filter(None, (p.strip() for p in INLINE_MARKER.split(paragraph))):
            if short:
                out[-1] += piece
            else:
                out.append(piece)
            short = _too_short(out[-1], min_chars)
    return out


def _too_short(piece: str, min_chars: int) -> bool:
    """A piece that cannot stand alone: a lone sentence opening a list, after its heading."""
    body = piece if _heading_level(piece) is None else _split_heading(piece)[1]
    return 0 < len(body) < min_chars


def _heading_level(line: str) -> int | None:
    for level, pattern in enumerate(HEADING):
        if pattern.match(line):
            return level
    return None


def _split_heading(paragraph: str) -> tuple[str, str]:
    """A heading line, or a heading glued to its first paragraph: return (heading, body)."""
    if len(paragraph) <= HEADING_MAX and len(SENTENCE.findall(paragraph)) <= 1:
        return _heading_text(paragraph), ""
    cut = re.search(r"\s+|[。！？!?](?![”’」』])", paragraph)
    if cut and cut.end() <= HEADING_MAX:
        return _heading_text(paragraph[:cut.end()]), paragraph[cut.end():].strip()
    # No clear end of heading: label the section by its first clause, keep the text whole.
    clause = re.match(r"[^，,：:。；;]{1,30}", paragraph)
    return _heading_text(clause.group(0) if clause else paragraph[:30]), paragraph


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


def _passage_id(speech: Speech, text: str, seen: set[str]) -> str:
    """Same file, title and text give the same id on every indexing run."""
    base = f"{speech.file}\x1f{speech.title}\x1f{text}"
    n = 1
    while True:
        key = base if n == 1 else f"{base}\x1f{n}"
        pid = hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()
        if pid not in seen:
            seen.add(pid)
            return pid
        n += 1
