"""The public entry point: build or load the index for a corpus and answer questions from it.

Cache layout under ``cache.dir``: ``segments/<id>/`` holds one segment (postings, passages,
the vocabulary terms it added); ``<key>.json`` is a manifest naming the segments of the index
for one corpus state (key = hash of file contents, settings, dictionaries and indexing code).
A corpus that only gained files reuses the segments of its previous state and adds one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from dataclasses import asdict
from pathlib import Path

from . import answers
from .build import build_segment
from .corpus import CorpusFile, corpus_key, read_passages, scan
from .index import BM25Index, Segment, load_vocab, save_vocab
from .model import Answer, IndexReport, Passage, SkippedFile, SpeechInfo
from .query import QueryBuilder, Thesaurus
from .settings import RetrievalSettings
from .store import PassageStore, StorePart
from .tokens import Tokenizer

log = logging.getLogger(__name__)

FORMAT = "policybot-index/2"
# The code that decides what is indexed: a change to any of these rebuilds every cache.
INDEXING_CODE = ("files.py", "speeches.py", "passages.py", "tokens.py", "index.py", "store.py",
                 "corpus.py", "build.py")
KEEP_MANIFESTS = 3  # corpus states kept in the cache; segments no kept state uses are removed
MAX_SEGMENTS = 8  # past this many appended segments, the next change rebuilds in one


class CacheError(Exception):
    """A cached index that cannot be used (truncated, foreign, or from another version)."""


class Engine:
    """A loaded index over one corpus. Safe to share between threads; replace it to reload."""

    def __init__(self, settings: RetrievalSettings, queries: QueryBuilder, index: BM25Index,
                 store: PassageStore, report: IndexReport) -> None:
        self.settings = settings
        self.queries = queries
        self.tokenizer = queries.tokenizer
        self.index = index
        self.store = store
        self.report = report

    @classmethod
    def open(cls, settings: RetrievalSettings, *, progress: bool = False) -> Engine:
        """Load the cached index for the corpus and settings, or build (and cache) it."""
        started = time.perf_counter()
        cache = _Cache(settings.cache_dir)
        tokenizer = Tokenizer(settings.user_dict, settings.stopwords, settings.characters)
        queries = QueryBuilder(tokenizer, Thesaurus.load(settings.synonyms, tokenizer.normalize),
                               settings.synonym_weight)
        fingerprint = {"format": FORMAT, "code": _code_digest(),
                       "settings": settings.fingerprint(), "tokens": tokenizer.fingerprint()}
        config_id = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
        files = scan(settings, cache.known_signatures())
        key = corpus_key(files, fingerprint)
        problem = None
        try:
            manifest = cache.manifest(key)
            if manifest is not None:
                engine = cls._load(settings, queries, cache, manifest)
                engine.report.seconds = time.perf_counter() - started
                cache.touch(key)
                return engine
        except (CacheError, OSError, ValueError, KeyError, TypeError) as exc:
            problem = f"index cache for this corpus unusable ({exc}); rebuilt"
            log.warning("%s", problem)
            cache.forget(key)
        engine, manifest = cls._extend_or_build(settings, queries, cache, files, config_id,
                                                progress)
        engine.report.cache_problem = problem
        cache.save_manifest(key, manifest)
        engine.report.seconds = time.perf_counter() - started
        return engine

    @classmethod
    def _extend_or_build(cls, settings, queries, cache, files, config_id, progress):
        by_name = {f.name: f for f in files}
        base = cache.base_for(config_id, by_name)
        if base is not None:
            try:
                engine = cls._load(settings, queries, cache, base)
                added = [f for f in files if f.name not in base["files"]]
                return engine._append(cache, added, files, base, config_id, progress)
            except (CacheError, OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("could not extend the cached index (%s); rebuilding", exc)
        engine = cls(settings, queries, BM25Index({}, [], settings.k1, settings.b,
                                                    settings.epsilon),
                     PassageStore([]), IndexReport())
        return engine._append(cache, files, files, {"segments": [], "skipped": []}, config_id,
                              progress)

    def _append(self, cache: _Cache, added: list[CorpusFile], files: list[CorpusFile],
                base: dict, config_id: str, progress: bool) -> tuple[Engine, dict]:
        """A new engine with the added files indexed as one more segment."""
        speeches = list(self.store.speech_infos)
        skipped = [SkippedFile(**s) for s in base["skipped"]]
        vocab = dict(self.index.vocab)
        known_terms = len(vocab)
        segment, part = build_segment(
            read_passages(added, self.settings, speeches, skipped), speeches, vocab,
            self.tokenizer, self.settings.workers, progress)
        segment_id = cache.save_segment(segment, part, list(vocab)[known_terms:])
        index = self.index.with_segment(vocab, segment)
        store = PassageStore([*self.store.parts, part])
        report = IndexReport(files=len(files) - len(skipped), speeches=len(speeches),
                             passages=index.n, skipped=skipped)
        manifest = {"format": FORMAT, "config": config_id,
                    "segments": [*base["segments"], segment_id],
                    "files": {f.name: f.signature() for f in files},
                    "skipped": [asdict(s) for s in skipped],
                    "report": {"files": report.files, "speeches": report.speeches,
                               "passages": report.passages}}
        return Engine(self.settings, self.queries, index, store, report), manifest

    @classmethod
    def _load(cls, settings: RetrievalSettings, queries: QueryBuilder, cache: _Cache,
              manifest: dict) -> Engine:
        if manifest.get("format") != FORMAT:
            raise CacheError(f"written by another version ({manifest.get('format')!r})")
        vocab: dict[str, int] = {}
        segments, parts = [], []
        for segment_id in manifest["segments"]:
            segment, part, terms = cache.load_segment(segment_id)
            for term in terms:
                vocab[term] = len(vocab)
            if segment.terms > len(vocab):
                raise CacheError(f"segment {segment_id} refers to unknown terms")
            segments.append(segment)
            parts.append(part)
        index = BM25Index(vocab, segments, settings.k1, settings.b, settings.epsilon)
        store = PassageStore(parts)
        saved = manifest["report"]
        if index.n != len(store) or index.n != saved["passages"]:
            raise CacheError("index and passages disagree in length")
        report = IndexReport(files=saved["files"], speeches=saved["speeches"],
                             passages=saved["passages"],
                             skipped=[SkippedFile(**s) for s in manifest["skipped"]],
                             loaded_from_cache=True)
        return cls(settings, queries, index, store, report)

    def ask(self, question: str, k: int | None = None, offset: int = 0) -> Answer:
        """Rank passages for a free-text question; results[offset:offset+k], quotes highlighted."""
        k = self.settings.top_k if k is None else max(0, k)
        offset = max(0, offset)
        query = self.queries.build(question, self.index.vocab)
        if not query.terms:
            return Answer(query=question, answered=False, results=())
        ranked = self._distinct(query.weights, offset + k + 1)
        if not ranked:
            return Answer(query=question, answered=False, results=(), terms=query.terms)
        share = answers.match_share(query, self.index, ranked[0][0])
        marked = set(query.weights)  # synonyms that matched are marked too
        results = tuple(
            answers.make_result(offset + i + 1, score, self.store.get(row), marked,
                                self.tokenizer, self.settings.quote_max_chars)
            for i, (row, score) in enumerate(ranked[offset:offset + k]))
        return Answer(query=question, answered=bool(share >= self.settings.min_match),
                      results=results, terms=query.terms, more=len(ranked) > offset + k)

    def _distinct(self, weights: dict[str, float], wanted: int) -> list[tuple[int, float]]:
        """The best `wanted` passages, skipping ones that repeat text already ranked higher."""
        fetch = wanted * 2 + 10
        while True:
            ranked = self.index.top(weights, fetch)
            seen: set[str] = set()
            out: list[tuple[int, float]] = []
            for row, score in ranked:
                text = self.store.text(row)
                if answers.is_repeat(text, seen):
                    continue
                seen |= answers.fingerprint_sentences(text)
                out.append((row, score))
                if len(out) == wanted:
                    return out
            if len(ranked) < fetch:
                return out
            fetch *= 4

    def passage(self, passage_id: str) -> Passage | None:
        row = self.store.row_of(passage_id)
        return None if row is None else self.store.get(row)

    def neighbours(self, passage_id: str, before: int = 1, after: int = 1) -> list[Passage]:
        """The passage with up to `before`/`after` passages around it in the same speech."""
        row = self.store.row_of(passage_id)
        if row is None:
            return []
        speech = self.store.speech_of(row)
        lo, hi = max(0, row - before), min(len(self.store), row + after + 1)
        return [self.store.get(r) for r in range(lo, hi) if self.store.speech_of(r) == speech]

    def speeches(self) -> list[SpeechInfo]:
        return list(self.store.speech_infos)


class _Cache:
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

    def manifest(self, key: str) -> dict | None:
        """The manifest of a corpus state, None if there is none; CacheError if unreadable."""
        path = self.root / f"{key}.json"
        if not path.exists():
            return None
        data = self._read(path)
        if data is None:
            raise CacheError(f"manifest {path.name} is not readable JSON")
        return data

    def known_signatures(self) -> dict[str, list]:
        """(size, mtime, hash) of files as the newest cached index saw them."""
        for path in self._manifests():
            data = self._read(path)
            if data and isinstance(data.get("files"), dict):
                return data["files"]
        return {}

    def base_for(self, config_id: str, files: dict[str, CorpusFile]) -> dict | None:
        """The largest cached state with the same settings whose files are all still here,
        unchanged, and which leaves files to add (so one segment can be appended)."""
        best = None
        for path in self._manifests():
            data = self._read(path)
            if not data or data.get("format") != FORMAT or data.get("config") != config_id:
                continue
            saved = data.get("files", {})
            if (len(data.get("segments", [])) < MAX_SEGMENTS and len(saved) < len(files)
                    and all(name in files and files[name].digest == sig[2]
                            for name, sig in saved.items())
                    and (best is None or len(saved) > len(best["files"]))):
                best = data
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
        for name, size in sizes.items():
            actual = (directory / name).stat().st_size
            if actual != size:
                raise CacheError(f"{name} is {actual} bytes, expected {size} (truncated?)")
        terms = list(load_vocab(directory / "terms.json"))
        return Segment.load(directory), StorePart.load(directory), terms

    def save_manifest(self, key: str, manifest: dict) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{key}.json.tmp-{os.getpid()}"
        tmp.write_text(json.dumps(manifest, ensure_ascii=False), "utf-8")
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


def _code_digest() -> str:
    h = hashlib.sha256()
    for name in INDEXING_CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()

