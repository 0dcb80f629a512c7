"""Corpus directories -> passages, with every skipped file named and explained."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field

from .files import SourceFile, UnreadableFile, find_files, read_file
from .model import Passage, SkippedFile, SpeechInfo
from .passages import speech_passages
from .settings import RetrievalSettings
from .speeches import split_speeches

log = logging.getLogger(__name__)


@dataclass
class Corpus:
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)

    def digest(self, extra: dict) -> str:
        """Hash of every file's bytes and name plus the settings: the index cache key."""
        h = hashlib.sha256(json.dumps(extra, sort_keys=True).encode())
        for f in self.files:
            h.update(f"\0{f.name}\0{f.digest}".encode())
        for s in self.skipped:
            h.update(f"\0skipped\0{s.file}\0{s.reason}".encode())
        return h.hexdigest()

    def passages(self, settings: RetrievalSettings) -> tuple[list[Passage], list[SpeechInfo]]:
        passages: list[Passage] = []
        infos: list[SpeechInfo] = []
        for f in self.files:
            speeches = split_speeches(f.text, f.name)
            if not speeches:
                self.skipped.append(SkippedFile(f.name, "no speech text after cleaning"))
                continue
            for speech in speeches:
                found = speech_passages(speech, len(infos), settings.passage_max_chars,
                                        settings.passage_min_chars)
                if not found:
                    continue
                passages.extend(found)
                infos.append(SpeechInfo(title=speech.title, file=speech.file,
                                        passages=len(found), year=speech.year,
                                        level=speech.level))
        return passages, infos


def read_corpus(settings: RetrievalSettings) -> Corpus:
    """Read and decode every corpus file; a bad file is recorded and skipped, never fatal."""
    corpus = Corpus()
    for path, name in find_files(settings.corpus_dirs, settings.extensions):
        try:
            corpus.files.append(read_file(path, name, settings.max_file_bytes))
        except UnreadableFile as exc:
            log.warning("skipped %s: %s", name, exc)
            corpus.skipped.append(SkippedFile(name, str(exc)))
    return corpus
