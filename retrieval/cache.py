"""The index cache on disk: manifests naming segments, segments of postings and passages.

Layout under ``cache.dir``: ``segments/<id>/`` holds one segment (postings, passages, the
vocabulary terms it added); ``<key>.json`` is a manifest naming the segments of the index for
one corpus state (key = hash of file contents, settings, dictionaries and indexing code). A
corpus that only gained files reuses the segments of its previous state and adds one. Every
write lands whole or not at all; what cannot be read raises CacheError, and is rebuilt.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .corpus import CorpusFile
from .index import Segment, load_vocab, save_vocab
from .store import StorePart

FORMAT = "policybot-index/6"
KEEP_MANIFESTS = 3  # corpus states kept in the cache; segments no kept state uses are removed
MAX_SEGMENTS = 8  # past this many appended segments, the next change rebuilds in one


class CacheError(Exception):
    """A cached index that cannot be used (truncated, foreign, or from another version)."""


@dataclass(frozen=True)
class Manifest:
    """One corpus state: its segments, the files they were built from, what was skipped."""

    config: str  # hash of everything but the files that shapes the index
    segments: tuple[str, ...]
    files: dict[str, list]  # display name -> [size, mtime_ns, sha256]
    skipped: tuple[dict, ...]
    report: dict[str, int]  # files, documents, passages, duplicates
    corpus: dict[str, Any] = field(default_factory=dict)  # CorpusState.to_json()

    def to_json(self) -> dict[str, Any]:
        return {"format": FORMAT, "config": self.config, "segments": list(self.segments),
                "files": self.files, "skipped": list(self.skipped), "report": self.report,
                "corpus": self.corpus}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("format") != FORMAT:
            raise CacheError(f"written by another version ({data.get('format')!r})")
        try:
            return cls(config=str(data["config"]), segments=tuple(data["segments"]),
                       files=dict(data["files"]), skipped=tuple(data["skipped"]),
                       report={k: int(v) for k, v in data["report"].items()},
                       corpus=dict(data.get("corpus") or {}))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CacheError(f"manifest is incomplete ({exc!r})") from None


class IndexCache:
    """Manifests and segments on disk; every write lands whole or not at all."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.segments = root / "segments"

    def _manifests(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(self.root.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)

    def _read(self, path: Path) -> dict | None:
        try:
            data = json.loads(path.read_text("utf-8"))
            return data if isinstance(data, dict) else None
        except (OSError, json.JSONDecodeError):
            return None

    def manifest(self, key: str) -> Manifest | None:
        """The manifest of a corpus state, None if there is none; CacheError if unreadable."""
        path = self.root / f"{key}.json"
        if not path.exists():
            return None
        data = self._read(path)
        if data is None:
            raise CacheError(f"manifest {path.name} is not readable JSON")
        return Manifest.from_json(data)

    def known_signatures(self) -> dict[str, list]:
        """(size, mtime, hash) of files as the newest cached index saw them."""
        for path in self._manifests():
            data = self._read(path)
            if data and isinstance(data.get("files"), dict):
                return data["files"]
        return {}

    def base_for(self, config_id: str, files: dict[str, CorpusFile]) -> Manifest | None:
        """The largest cached state with the same settings whose files are all still here,
        unchanged, and which leaves files to add (so one segment can be appended)."""
        best: Manifest | None = None
        for path in self._manifests():
            data = self._read(path)
            try:
                manifest = Manifest.from_json(data or {})
            except CacheError:
                continue
            saved = manifest.files
            if (manifest.config == config_id and len(manifest.segments) < MAX_SEGMENTS
                    and len(saved) < len(files)
                    and all(name in files and files[name].digest == sig[2]
                            for name, sig in saved.items())
                    and (best is None or len(saved) > len(best.files))):
                best = manifest
        return best

    def touch(self, key: str) -> None:
        os.utime(self.root / f"{key}.json")

    def forget(self, key: str) -> None:
        (self.root / f"{key}.json").unlink(missing_ok=True)

    def save_segment(self, segment: Segment, part: StorePart, new_terms: list[str]) -> str:
        segment_id = uuid.uuid4().hex[:16]
        self.segments.mkdir(parents=True, exist_ok=True)
        tmp = self.segments / f".tmp-{segment_id}"
        tmp.mkdir()
        try:
            segment.save(tmp)
            part.save(tmp)
            save_vocab({t: i for i, t in enumerate(new_terms)}, tmp / "terms.json")
            sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
            (tmp / "sizes.json").write_text(json.dumps(sizes), "utf-8")
            os.replace(tmp, self.segments / segment_id)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return segment_id

    def load_segment(self, segment_id: str) -> tuple[Segment, StorePart, list[str]]:
        directory = self.segments / segment_id
        try:
            sizes = json.loads((directory / "sizes.json").read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CacheError(f"segment {segment_id} missing or unreadable") from exc
        try:
            for name, size in sizes.items():
                actual = (directory / name).stat().st_size
                if actual != size:
                    raise CacheError(f"{name} is {actual} bytes, expected {size} (truncated?)")
            terms = list(load_vocab(directory / "terms.json"))
            return Segment.load(directory), StorePart.load(directory), terms
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CacheError(f"segment {segment_id} unreadable ({exc})") from exc

    def save_manifest(self, key: str, manifest: Manifest) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False), "utf-8")
        os.replace(tmp, self.root / f"{key}.json")
        self._prune()

    def _prune(self) -> None:
        """Keep the newest few corpus states and the segments they use."""
        manifests = self._manifests()
        for old in manifests[KEEP_MANIFESTS:]:
            old.unlink(missing_ok=True)
        used = set()
        for path in manifests[:KEEP_MANIFESTS]:
            data = self._read(path) or {}
            used.update(data.get("segments", []))
        if self.segments.is_dir():
            for directory in self.segments.iterdir():
                if directory.name not in used and not directory.name.startswith(".tmp-"):
                    shutil.rmtree(directory, ignore_errors=True)


