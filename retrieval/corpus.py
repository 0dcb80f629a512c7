"""Corpus directories -> file fingerprints (for the cache key) and passages (for a build).

A build reads every file first, learns the corpus's furniture from what the files repeat
(retrieval/boilerplate.py), then cleans and cuts each file with it. A document whose text
another file already holds (a repost) is indexed once.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .boilerplate import Boilerplate, fold
from .documents import lines_for_learning, split_documents
from .files import SourceFile, UnreadableFile, digest_of, find_files, read_file
from .model import Document, DocumentInfo, DroppedLine, Passage, SkippedFile
from .passages import document_passages
from .settings import RetrievalSettings

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


@dataclass
class CorpusState:
    """What a build learned of the corpus and keeps for appending files later."""

    boilerplate: Boilerplate = field(default_factory=Boilerplate)
    bodies: dict[str, str] = field(default_factory=dict)  # body hash -> file that holds it

    def to_json(self) -> dict:
        return {"boilerplate": self.boilerplate.to_json(), "bodies": self.bodies}

    @classmethod
    def from_json(cls, data: dict | None) -> CorpusState:
        data = data or {}
        return cls(Boilerplate.from_json(data.get("boilerplate", {})),
                   dict(data.get("bodies", {})))


def scan(settings: RetrievalSettings, known: Mapping[str, list],
         left_out: dict[str, int] | None = None) -> list[CorpusFile]:
    """Every corpus file with its content hash. A file whose size and mtime match what a
    cached index recorded keeps that hash unread, so opening a big corpus stays fast.
    ``left_out`` counts the files of other endings (see find_files)."""
    files = []
    for path, name in find_files(settings.corpus_dirs, settings.extensions, left_out):
        try:
            stat = path.stat()
        except OSError as exc:
            files.append(CorpusFile(path, name, -1, -1, f"unreadable: {exc.strerror or exc}"))
            continue
        seen = known.get(name)
        if seen and seen[0] == stat.st_size and seen[1] == stat.st_mtime_ns:
            digest = seen[2]
        else:
            try:
                digest = digest_of(path)
            except OSError as exc:
                digest = f"unreadable: {exc.strerror or exc}"
        files.append(CorpusFile(path, name, stat.st_size, stat.st_mtime_ns, digest))
    return files


def corpus_key(files: list[CorpusFile], fingerprint: dict) -> str:
    """Hash of every file's name and bytes plus everything else that shapes the index."""
    h = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode())
    for f in sorted(files, key=lambda f: f.name):
        h.update(f"\0{f.name}\0{f.digest}".encode())
    return h.hexdigest()


def document_id(file: str, index: int) -> str:
    return hashlib.blake2b(f"{file}\x1f{index}".encode(), digest_size=4).hexdigest()


def body_key(document: Document) -> str:
    """Hash of a document's text in comparable form: the same text in two files is a repost."""
    h = hashlib.blake2b(digest_size=12)
    for unit in document.units:
        h.update(fold(unit.text).encode("utf-8"))
    return h.hexdigest()


def document_info(document: Document, passages: int) -> DocumentInfo:
    meta = document.meta
    return DocumentInfo(id=document_id(document.file, document.index), title=meta.title,
                        file=document.file, passages=passages, date=meta.date,
                        place=meta.place, issuer=meta.issuer, url=meta.url,
                        number=meta.number)


def read_passages(files: list[CorpusFile], settings: RetrievalSettings,
                  documents: list[DocumentInfo], skipped: list[SkippedFile],
                  state: CorpusState) -> Iterator[Passage]:
    """Read, clean and cut the files; record documents and skipped files as it goes.
    Document numbers continue from len(documents), so segments can be appended; `state`
    gains what these files teach (their furniture, their bodies)."""
    sources: list[SourceFile] = []
    for entry in files:
        try:
            sources.append(read_file(entry.path, entry.name, settings.max_file_bytes))
        except UnreadableFile as exc:
            log.warning("skipped %s: %s", entry.name, exc)
            skipped.append(SkippedFile(entry.name, str(exc), exc.code))
        except Exception as exc:  # a bug met on one file must not stop the others
            skipped.append(_internal_error(entry.name, exc))
    learned = Boilerplate.learn(lines_for_learning(s.document) for s in sources)
    state.boilerplate = state.boilerplate.merged(learned)
    for source in sources:
        try:
            passages, infos, skip = _file_passages(source, settings, len(documents), state)
        except Exception as exc:  # as above: the file is reported, the index goes on
            skipped.append(_internal_error(source.name, exc))
            continue
        documents.extend(infos)
        if skip is not None:
            skipped.append(skip)
        yield from passages


def _internal_error(name: str, exc: Exception) -> SkippedFile:
    """A file that met a bug in reading or cutting: skipped, with the traceback in the log."""
    log.error("skipped %s: internal error (%s: %s)", name, type(exc).__name__, exc,
              exc_info=exc)
    return SkippedFile(name, f"internal-error: {type(exc).__name__}", "internal-error")


def _file_passages(source: SourceFile, settings: RetrievalSettings, first_document: int,
                   state: CorpusState,
                   ) -> tuple[list[Passage], list[DocumentInfo], SkippedFile | None]:
    """One read file cut into passages (numbering its documents from first_document), its
    documents, and why it gives none when it does not. Nothing is recorded in `state` or
    returned in part when it fails: the caller skips the file whole."""
    found_any = duplicate_of = None
    passages: list[Passage] = []
    infos: list[DocumentInfo] = []
    bodies: dict[str, str] = {}
    parsed, _ = split_documents(source.document, source.name, state.boilerplate)
    for document in parsed:
        key = body_key(document)
        if document.units and (key in state.bodies or key in bodies):
            duplicate_of = state.bodies.get(key) or bodies[key]
            continue
        bodies.setdefault(key, source.name)
        found = document_passages(document, first_document + len(infos),
                                  settings.passage_max_chars, settings.passage_min_chars)
        if not found:
            continue
        found_any = True
        infos.append(document_info(document, len(found)))
        passages.extend(found)
    for key, name in bodies.items():
        state.bodies.setdefault(key, name)
    if found_any:
        return passages, infos, None
    if duplicate_of:
        return passages, infos, SkippedFile(source.name, f"same text as {duplicate_of}",
                                            "duplicate")
    return passages, infos, SkippedFile(source.name, "no text after cleaning", "no-text")


@dataclass(frozen=True)
class FileReport:
    """What the index makes of one file: its documents, passages and dropped lines."""

    file: str
    documents: list[DocumentInfo]
    passages: list[Passage]
    dropped: list[DroppedLine]
    skipped: str | None = None  # why the file gives no passages


def inspect_file(path: Path, settings: RetrievalSettings,
                 boilerplate: Boilerplate | None = None) -> FileReport:
    """Read and cut one file as a build would, with the corpus's learned furniture if given."""
    name = path.name
    try:
        source = read_file(path, name, settings.max_file_bytes)
    except UnreadableFile as exc:
        return FileReport(name, [], [], [], str(exc))
    parsed, dropped = split_documents(source.document, name, boilerplate)
    infos: list[DocumentInfo] = []
    passages: list[Passage] = []
    for document in parsed:
        cut = document_passages(document, len(infos), settings.passage_max_chars,
                                settings.passage_min_chars)
        if cut:
            infos.append(document_info(document, len(cut)))
            passages += cut
    return FileReport(name, infos, passages, dropped,
                      None if passages else "no text after cleaning")
