"""Corpus directories -> file fingerprints (for the cache key) and passages (for a build)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from .files import UnreadableFile, find_files, read_file
from .model import Passage, SkippedFile, SpeechInfo
from .passages import speech_passages
from .settings import RetrievalSettings
from .speeches import split_speeches

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CorpusFile:
    path: Path
    name: str
    size: int
    mtime_ns: int
    digest: str  # sha256 of the bytes, or "unreadable: reason"

    def signature(self) -> list:
        return [self.size, self.mtime_ns, self.digest]


def scan(settings: RetrievalSettings, known: Mapping[str, list]) -> list[CorpusFile]:
    """Every corpus file with its content hash. A file whose size and mtime match what a
    cached index recorded keeps that hash unread, so opening a big corpus stays fast."""
    files = []
    for path, name in find_files(settings.corpus_dirs, settings.extensions):
        try:
            stat = path.stat()
        except OSError as exc:
            files.append(CorpusFile(path, name, -1, -1, f"unreadable: {exc.strerror or exc}"))
            continue
        seen = known.get(name)
        if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
            digest = seen[2]
        else:
            digest = _hash(path)
        files.append(CorpusFile(path, name, stat.st_size, stat.st_mtime_ns, digest))
    return files


def _hash(path: Path) -> str:
    h = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while block := f.read(1 << 20):
                h.update(block)
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"
    return h.hexdigest()


def corpus_key(files: list[CorpusFile], fingerprint: dict) -> str:
    """Hash of every file's name and bytes plus everything else that shapes the index."""
    h = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode())
    for f in sorted(files, key=lambda f: f.name):
        h.update(f"\0{f.name}\0{f.digest}".encode())
    return h.hexdigest()


def read_passages(files: list[CorpusFile], settings: RetrievalSettings,
                  speeches: list[SpeechInfo], skipped: list[SkippedFile]) -> Iterator[Passage]:
    """Read, clean and cut the files; record speeches and skipped files as it goes.
    Speech numbers continue from len(speeches), so segments can be appended."""
    for entry in files:
        try:
            source = read_file(entry.path, entry.name, settings.max_file_bytes)
        except UnreadableFile as exc:
            log.warning("skipped %s: %s", entry.name, exc)
            skipped.append(SkippedFile(entry.name, str(exc)))
            continue
        found_any = False
        for speech in split_speeches(source.text, source.name):
            passages = speech_passages(speech, len(speeches), settings.passage_max_chars,
                                       settings.passage_min_chars)
            if not passages:
                continue
            found_any = True
            speeches.append(SpeechInfo(title=speech.title, file=speech.file,
                                       passages=len(passages), year=speech.year,
                                       level=speech.level))
            yield from passages
        if not found_any:
            skipped.append(SkippedFile(entry.name, "no speech text after cleaning"))
