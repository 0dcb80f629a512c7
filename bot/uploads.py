"""Speech files sent by admins: safe names, duplicate checks, .docx to text, atomic storing.

Nothing here talks to Telegram; ``bot/handlers/documents.py`` downloads the file and re-indexes.
A file name comes from the sender's device and is untrusted: only its last path component is
kept, reduced to letters, digits, ``-`` and ``_``, never hidden, never replacing another file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import secrets
import unicodedata
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval import SkippedFile, SpeechInfo

MAX_STEM_CHARS = 60
DEFAULT_STEM = "upload"
MAX_SUFFIX = 999  # name-2 ... name-999, then refuse
DOCX = ".docx"
# A .docx is a zip of XML: refuse one that would inflate past this (zip bombs).
MAX_DOCX_UNZIPPED = 100 * 1024 * 1024

# The retrieval layer's skip reasons (English, for logs and the CLI), said in Chinese.
REASONS_ZH = (
    ("empty file", "文件是空的"),
    ("binary file", "不是文本文件"),
    ("undecodable", "无法识别文字编码（支持 UTF-8、GBK/GB18030、UTF-16）"),
    ("too large", "文件超过语料的大小上限（corpus.max_file_mb）"),
    ("cannot read", "无法读取文件"),
    ("no speech text after cleaning", "去掉网页杂项后没有讲话正文"),
)


class UploadRefused(Exception):
    """The upload cannot be stored; str() is the reason in Chinese for the admin."""


@dataclass(frozen=True)
class Stored:
    """What an upload left in the corpus: the indexed file, and the original if converted."""

    indexed: Path
    original: Path | None = None  # the .docx kept beside its .txt

    def paths(self) -> list[Path]:
        return [p for p in (self.indexed, self.original) if p is not None]


def split_name(raw: str | None) -> tuple[str, str]:
    """(safe stem, lower-case extension with the dot) of an untrusted file name.

    The last component after ``/`` or ``\\`` only (no directories, no traversal); NFKC; every
    character other than a letter, digit, ``-`` or ``_`` (NUL, controls, spaces, dots, bidi
    marks) becomes ``_``; leading and trailing ``_``/``-`` go (no hidden or option-like names);
    at most 60 characters; ``upload`` when nothing is left.
    """
    name = unicodedata.normalize("NFKC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = extension, ""
    extension = "".join(c for c in extension.lower() if c.isascii() and c.isalnum())
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)
    while "__" in safe:
        safe = safe.replace("__", "_")
    safe = safe.strip("_-")[:MAX_STEM_CHARS].rstrip("_-") or DEFAULT_STEM
    return safe, f".{extension}" if extension else ""


def safe_file_name(raw: str | None) -> str:
    stem, extension = split_name(raw)
    return stem + extension


def docx_text(data: bytes, *, max_unzipped: int = MAX_DOCX_UNZIPPED) -> str:
    """The paragraphs of a .docx, one per line (empty paragraphs stay as blank lines)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if sum(info.file_size for info in archive.infolist()) > max_unzipped:
                raise UploadRefused("文档解压后过大，疑似损坏或恶意文件")
    except zipfile.BadZipFile:
        raise UploadRefused("不是有效的 .docx 文件（可能是旧版 .doc 或已损坏）") from None
    import docx  # python-docx; imported here so the bot starts without paying for lxml

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as error:  # python-docx raises many kinds for a broken package
        raise UploadRefused(f"无法读取这个 .docx 文件（{type(error).__name__}）") from None
    return "\n".join(paragraph.text for paragraph in document.paragraphs)


def corpus_files(dirs: Iterable[Path], extensions: Iterable[str]) -> list[Path]:
    """The files the index reads (same rule as the corpus: by ending, hidden ones skipped)."""
    wanted = {e.lower() for e in extensions}
    found: list[Path] = []
    for root in dirs:
        if root.is_dir():
            found += sorted(
                p for p in root.rglob("*")
                if p.is_file() and p.suffix.lower() in wanted and not p.name.startswith(".")
            )
    return found


def find_duplicate(data: bytes, candidates: Iterable[Path]) -> Path | None:
    """A file with exactly these bytes (size compared first, then SHA-256)."""
    digest = hashlib.sha256(data).hexdigest()
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_size == len(data) and _sha256(path) == digest:
                return path
    return None


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            h.update(block)
    return h.hexdigest()


def store(directory: Path, stem: str, files: dict[str, bytes]) -> dict[str, Path]:
    """Write each ``{extension: bytes}`` as ``<stem><extension>`` in ``directory``, atomically
    and without replacing anything: ``stem-2``, ``stem-3``, ... when a name is taken (for every
    extension at once, so a .docx and its .txt keep one stem)."""
    directory.mkdir(parents=True, exist_ok=True)
    root = directory.resolve()
    for number in range(1, MAX_SUFFIX + 1):
        candidate = stem if number == 1 else f"{stem}-{number}"
        targets = {ext: root / f"{candidate}{ext}" for ext in files}
        if any(t.exists() for t in targets.values()):
            continue
        written: dict[str, Path] = {}
        try:
            for ext, target in targets.items():
                if target.parent != root:  # never outside the upload directory
                    raise UploadRefused("文件名不安全")
                _write_new(target, files[ext])
                written[ext] = target
        except FileExistsError:  # taken meanwhile by someone else: undo, next suffix
            for path in written.values():
                path.unlink(missing_ok=True)
            continue
        return written
    raise UploadRefused("同名文件太多，请改个文件名再发送")


def _write_new(target: Path, data: bytes) -> None:
    """Write via a hidden temporary file (the index skips hidden files) and hard-link it into
    place: the file appears whole or not at all, and an existing file is never replaced."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.tmp")
    try:
        with tmp.open("xb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise
        except OSError:  # no hard links on this file system: exclusive create instead
            with target.open("xb") as file:
                file.write(data)
    finally:
        tmp.unlink(missing_ok=True)


def display_names(path: Path, corpus_dirs: Iterable[Path]) -> set[str]:
    """The names the index may give the file: relative to its corpus directory, with or
    without that directory's name in front (the index prefixes it when there are several)."""
    names: set[str] = set()
    for root in corpus_dirs:
        root = root.resolve()
        if path.is_relative_to(root):
            relative = path.relative_to(root).as_posix()
            names |= {relative, f"{root.name}/{relative}"}
    return names


def index_name(path: Path, corpus_dirs: Sequence[Path]) -> str | None:
    """The file's name in the index and /sources: relative to its corpus directory, prefixed
    by that directory's name when there are several; None outside the corpus."""
    for root in corpus_dirs:
        root = root.resolve()
        if path.is_relative_to(root):
            relative = path.relative_to(root).as_posix()
            return f"{root.name}/{relative}" if len(corpus_dirs) > 1 else relative
    return None


def reason_zh(reason: str) -> str:
    """A skip reason from the index, in Chinese, with the original in brackets."""
    for prefix, chinese in REASONS_ZH:
        if reason.startswith(prefix):
            return f"{chinese}（{reason}）"
    return reason


def added_speeches(speeches: Iterable[SpeechInfo], names: set[str]) -> list[SpeechInfo]:
    return [s for s in speeches if s.file in names]


def skip_reason(skipped: Iterable[SkippedFile], names: set[str]) -> str | None:
    for entry in skipped:
        if entry.file in names:
            return entry.reason
    return None
