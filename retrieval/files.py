"""The corpus file API: which files form the corpus, their display names, bytes and hashes.

One place for it, so the index, the cache key and the bot's uploads agree on what a corpus
file is. Each file is hashed once, by the scan that keys the cache (unchanged files keep the
hash the cache recorded), and read once more only when it is indexed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .readers import RawDocument, read_document
from .readers.errors import UnreadableFile
from .readers.text import decode

__all__ = ["SourceFile", "UnreadableFile", "decode", "digest_of", "find_files", "read_file",
           "sha256_bytes"]


@dataclass(frozen=True)
class SourceFile:
    path: Path
    name: str  # relative to its corpus directory, '/'-separated; prefixed by the dir if several
    document: RawDocument


def find_files(dirs: tuple[Path, ...], extensions: tuple[str, ...],
               left_out: dict[str, int] | None = None) -> Iterator[tuple[Path, str]]:
    """Yield (path, display name) for every corpus file, in a stable order: files ending in
    one of ``extensions`` (any case), hidden files skipped (uploads are written under a
    hidden temporary name first).

    ``left_out``, when given, counts the other visible files by ending ('' for none), so a
    folder of .ofd or .xls files is reported instead of silently ignored."""
    wanted = {e.lower() for e in extensions}
    several = len(dirs) > 1
    for root in dirs:
        if not root.is_dir():
            raise FileNotFoundError(f"corpus directory not found: {root}")
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if path.name.startswith("."):
                continue
            ending = path.suffix.lower()
            if ending in wanted:
                rel = path.relative_to(root).as_posix()
                yield path, f"{root.name}/{rel}" if several else rel
            elif left_out is not None:
                left_out[ending] = left_out.get(ending, 0) + 1


def display_name(path: Path, dirs: Iterable[Path]) -> str | None:
    """The name find_files gives ``path`` (resolved against resolved ``dirs``); None outside."""
    roots = [d.resolve() for d in dirs]
    path = path.resolve()
    for root in roots:
        if path.is_relative_to(root):
            rel = path.relative_to(root).as_posix()
            return f"{root.name}/{rel}" if len(roots) > 1 else rel
    return None


def read_file(path: Path, name: str, max_bytes: int) -> SourceFile:
    """Read one file and its document; UnreadableFile names the reason (size, I/O, or what
    its reader found). The file's hash is the scan's (corpus.scan): it is not taken again."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(
                "too-large", f"too large ({size / 2**20:.1f} MiB > {max_bytes / 2**20:.0f} MiB)")
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableFile("cannot-read", f"cannot read: {exc.strerror or exc}") from exc
    if len(data) > max_bytes:  # grew between stat and read
        raise UnreadableFile("too-large", f"too large (> {max_bytes / 2**20:.0f} MiB)")
    return SourceFile(path, name, read_document(path, data))


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def digest_of(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks (for hashing without keeping the bytes)."""
    h = hashlib.sha256()
    with path.open("rb") as file:
        while block := file.read(1 << 20):
            h.update(block)
    return h.hexdigest()
