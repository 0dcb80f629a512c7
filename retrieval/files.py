"""Find the speech files of a corpus and decode them, whatever their encoding.

Users drop in files saved by Windows editors (GBK, UTF-16, UTF-8 with BOM) as often as UTF-8.
Detection is by strict decoding in a fixed order rather than statistical guessing, so a file
decodes the same way every time, and a file that is none of them is reported, not mangled.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class UnreadableFile(Exception):
    """A corpus file that cannot be used; str() is the reason, for the report."""


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # relative to its corpus directory, '/'-separated; prefixed by the dir if several
    text: str
    encoding: str
    digest: str  # sha256 of the raw bytes


def find_files(dirs: tuple[Path, ...], extensions: tuple[str, ...]) -> Iterator[tuple[Path, str]]:
    """Yield (path, display name) for every corpus file, in a stable order."""
    several = len(dirs) > 1
    for root in dirs:
        if not root.is_dir():
            raise FileNotFoundError(f"corpus directory not found: {root}")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.suffix.lower() not in extensions or path.name.startswith("."):
                continue
            rel = path.relative_to(root).as_posix()
            yield path, f"{root.name}/{rel}" if several else rel


def read_file(path: Path, name: str, max_bytes: int) -> SourceFile:
    """Read and decode one file; raise UnreadableFile naming the reason."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(
                f"too large ({size / 2**20:.1f} MiB > {max_bytes / 2**20:.0f} MiB)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile(f"cannot read: {exc.strerror or exc}") from exc
    text, encoding = decode(data)
    return SourceFile(path, name, text, encoding, hashlib.sha256(data).hexdigest())


def decode(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name) or raise UnreadableFile."""
    if not data.strip():
        raise UnreadableFile("empty file")
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
            if _looks_like_text(text) and _mostly_common_script(text):
                return text, encoding
        raise UnreadableFile("binary file (contains NUL bytes and is not UTF-16 text)")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            return text, encoding
        raise UnreadableFile(f"binary file (decodes as {encoding} but is not text)")
    raise UnreadableFile("undecodable: not UTF-8, GB18030/GBK or UTF-16 text")


def _strict(data: bytes, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise UnreadableFile(f"undecodable: invalid {encoding} at byte {exc.start}") from exc
    if not text.strip():
        raise UnreadableFile("empty file")
    return text


COMMON_SCRIPT = re.compile(r"[\s!-~\u2000-\u206f\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


def _mostly_common_script(text: str) -> bool:
    """UTF-16 decodes any even-length bytes; real Chinese/English text stays in a few ranges."""
    sample = text[:4000]
    return len(COMMON_SCRIPT.findall(sample)) >= 0.9 * len(sample)


def _looks_like_text(text: str) -> bool:
    """Few control, private-use or unassigned characters: a real text file."""
    sample = text[:4000]
    bad = sum(
        1 for ch in sample
        if unicodedata.category(ch) in ("Cc", "Co", "Cn", "Cs") and ch not in "\t\n\r\f\v"
    )
    return bad <= max(2, len(sample) // 100)
