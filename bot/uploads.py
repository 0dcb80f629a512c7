"""Files sent by admins: safe names, duplicate checks, atomic storing, reasons in Chinese.

Nothing here talks to Telegram; ``bot/handlers/documents.py`` downloads the file and re-indexes.
The original file is stored as it was sent (any format the readers read); which files form the
corpus, their names and hashes come from ``retrieval.files``, the one corpus file API.
A file name comes from the sender's device and is untrusted: only its last path component is
kept, reduced to letters, digits, ``-`` and ``_``, never hidden, never replacing another file.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from retrieval import DocumentInfo, SkippedFile
from retrieval.files import digest_of, display_name, find_files, sha256_bytes
from retrieval.readers import UnreadableFile, read_document

MAX_STEM_CHARS = 60
DEFAULT_STEM = "upload"
MAX_SUFFIX = 999  # name-2 ... name-999, then refuse

# The readers' and the index's reason codes (UnreadableFile.code, SkippedFile.code), said in
# Chinese for the admin; the English reason follows in brackets.
REASONS_ZH = {
    "empty": "文件是空的",
    "binary": "不是文本文件",
    "undecodable": "无法识别文字编码（支持 UTF-8、GBK/GB18030、Big5、UTF-16）",
    "too-large": "文件超过大小上限",
    "cannot-read": "无法读取文件",
    "no-text": "没有可收录的正文",
    "no-text-layer": "没有文字层（可能是扫描件），请先做文字识别",
    "garbled-text-layer": "文字层无法识别，请转换或OCR后再试",
    "internal-error": "读取这个文件时程序出错，已记入日志",
    "encrypted": "文件已加密，请去掉密码后再发送",
    "damaged-pdf": "PDF 文件已损坏",
    "damaged-docx": "不是有效的 .docx 文件（可能是旧版 .doc 或已损坏）",
    "needs-libreoffice": "服务器未安装 LibreOffice，无法读取这种格式，请转成 .docx 或 PDF",
    "conversion-failed": "文件转换失败，请另存为 .docx 或 PDF 后再发送",
    "unsupported-format": "不支持这种文件格式，请转成 PDF 或 .docx",
    "duplicate": "内容与已收录的文件相同",
}


class UploadRefused(Exception):
    """The upload cannot be stored; str() is the reason in Chinese for the admin."""


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


def corpus_files(dirs: Iterable[Path], extensions: Sequence[str]) -> list[Path]:
    """The files the index reads (retrieval.files' rule); a missing directory has none."""
    return [path for root in dirs if root.is_dir()
            for path, _ in find_files((root,), tuple(extensions))]


def find_duplicate(data: bytes, candidates: Iterable[Path]) -> Path | None:
    """A file with exactly these bytes (size compared first, then SHA-256)."""
    digest = sha256_bytes(data)
    for path in candidates:
        with contextlib.suppress(OSError):
            if path.stat().st_size == len(data) and digest_of(path) == digest:
                return path
    return None


def store(directory: Path, stem: str, files: dict[str, bytes]) -> dict[str, Path]:
    """Write each ``{extension: bytes}`` as ``<stem><extension>`` in ``directory``, atomically
    and without replacing anything: ``stem-2``, ``stem-3``, ... when a name is taken (for every
    extension at once, so files stored together keep one stem)."""
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


def index_name(path: Path, corpus_dirs: Sequence[Path]) -> str | None:
    """The file's name in the index and /sources (retrieval.files' naming); None outside."""
    return display_name(path, corpus_dirs)


def reason_zh(reason: str, code: str | None) -> str:
    """A reason from a reader or the index, in Chinese by its code, the original in brackets."""
    chinese = REASONS_ZH.get(code or "")
    return f"{chinese}（{reason}）" if chinese else reason


def added_documents(documents: Iterable[DocumentInfo], name: str) -> list[DocumentInfo]:
    return [d for d in documents if d.file == name]


def skipped_entry(skipped: Iterable[SkippedFile], name: str) -> SkippedFile | None:
    """Why the index skipped the file called ``name``, if it did."""
    return next((entry for entry in skipped if entry.file == name), None)


def unreadable(extension: str, data: bytes) -> UnreadableFile | None:
    """Why the readers cannot use this upload (the same reading the index will do), or None.
    Checked before storing, so a damaged or empty file never enters the corpus."""
    try:
        document = read_document(Path(f"{DEFAULT_STEM}{extension}"), data)
    except UnreadableFile as error:
        return error
    if not any(block.text.strip() for block in document.blocks):
        return UnreadableFile("empty", "no text in the file")
    return None
