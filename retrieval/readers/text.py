"""Plain text (.txt, .md): detect the encoding, one block per line.

Users drop in files saved by Windows editors (GBK, Big5, UTF-16, UTF-8 with BOM) as often as
UTF-8. Detection is by strict decoding in a fixed order rather than statistical guessing, so a
file decodes the same way every time, and a file that is none of them is reported, not
mangled. Only when both GB18030 and Big5 decode the same bytes cleanly (they share a byte
range) does a comparison of the two texts, then charset-normalizer, break the tie.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path

from . import Block, BlockKind, RawDocument
from .errors import UnreadableFile

FORMAT = "text"
SAMPLE_CHARS = 4000  # enough text to judge an encoding, cheap on big files
# Windows' Big5 (a superset of Big5, what Windows editors save traditional Chinese in).
BIG5 = "cp950"

# Characters real Chinese/English text is made of: ASCII, general punctuation, CJK
# punctuation, CJK ideographs (incl. extension A), full-width forms.
COMMON_SCRIPT = re.compile(r"[\s!-~\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def read(path: Path, data: bytes) -> RawDocument:
    """The lines of a text file; blank lines stay as empty blocks (they separate paragraphs)."""
    text, encoding = decode(data)
    return RawDocument(blocks=text_blocks(text), format=FORMAT, encoding=encoding)


def text_blocks(text: str) -> tuple[Block, ...]:
    return tuple(
        Block(line if line.strip() else "", BlockKind.LINE) for line in text.splitlines()
    )


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise UnreadableFile."""
    if not data.strip():
        raise UnreadableFile("empty", "empty file")
    if data.startswith(codecs.BOM_UTF8):
        return _strict(data[3:], "utf-8"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(data, "utf-16"), "utf-16"
    if b"\x00" in data:
        for encoding in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            if _looks_like_text(text) and _uncommon(text) <= 0.1 * len(text[:SAMPLE_CHARS]):
                return text, encoding
        raise UnreadableFile(
            "binary", "binary file (contains NUL bytes and is not UTF-16 text)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text, "utf-8"
        raise UnreadableFile("binary", "binary file (decodes as utf-8 but is not text)")
    decoded = {}
    for encoding in ("gb18030", BIG5):
        try:
            decoded[encoding] = data.decode(encoding)
        except UnicodeDecodeError:
            continue
    texts = {e: t for e, t in decoded.items() if _looks_like_text(t)}
    if len(texts) == 1:
        return next(iter(texts.items()))[::-1]
    if texts:
        encoding = _tie_break(data, texts)
        return texts[encoding], encoding
    if decoded:
        raise UnreadableFile(
            "binary", f"binary file (decodes as {next(iter(decoded))} but is not text)")
    raise UnreadableFile("undecodable", "undecodable: not UTF-8, GB18030/GBK, Big5 or UTF-16 text")


def _tie_break(data: bytes, texts: dict[str, str]) -> str:
    """GB18030 or Big5 for bytes valid in both. The wrong one turns Chinese into kana,
    Cyrillic and box drawings: fewer characters outside common scripts wins; on a draw,
    charset-normalizer's statistical choice between the two; else GB18030 (the common case
    in mainland corpora)."""
    uncommon = {e: _uncommon(t) for e, t in texts.items()}
    best = min(uncommon.values())
    winners = [e for e in texts if uncommon[e] == best]
    if len(winners) == 1:
        return winners[0]
    try:
        import charset_normalizer
    except ImportError:  # optional: the fixed preference still decodes the same every time
        return "gb18030"
    match = charset_normalizer.from_bytes(data[:SAMPLE_CHARS * 2],
                                          cp_isolation=["gb18030", "big5", BIG5]).best()
    if match is not None and match.encoding in ("big5", BIG5):
        return BIG5
    return "gb18030"


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(
            "undecodable", f"undecodable: invalid {encoding} at byte {exc.start}") from exc
    if not text.strip():
        raise UnreadableFile("empty", "empty file")
    return text


def _uncommon(text: str) -> int:
    """Characters outside the scripts of Chinese/English text (in the sample)."""
    sample = text[:SAMPLE_CHARS]
    return len(sample) - len(COMMON_SCRIPT.findall(sample))


def _looks_like_text(text: str) -> bool:
    """Few control, private-use or unassigned characters: a real text file."""
    sample = text[:SAMPLE_CHARS]
    bad = sum(
        1 for ch in sample
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\n\r\f\v"
    )
    return bad <= max(2, len(sample) // 100)
