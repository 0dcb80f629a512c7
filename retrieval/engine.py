"""The public entry point: build or load the index for a corpus and answer questions from it."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from pathlib import Path

from tqdm import tqdm

from . import answers
from .corpus import Corpus, read_corpus
from .index import BM25Index, top_k
from .model import Answer, IndexReport, Passage, Result, SkippedFile, SpeechInfo
from .settings import RetrievalSettings
from .store import PassageStore
from .tokens import Tokenizer

log = logging.getLogger(__name__)

FORMAT = "policybot-index/1"
# The code that decides what is indexed: a change to any of these rebuilds every cache.
INDEXING_CODE = ("files.py", "speeches.py", "passages.py", "tokens.py", "index.py", "store.py")
KEEP_CACHES = 3  # older index directories beyond this many are removed
PROGRESS_MIN_PASSAGES = 5000  # show a progress bar only when indexing takes a while


class CacheError(Exception):
    """A cached index that cannot be used (truncated, foreign, or from another version)."""


class Engine:
    """A loaded index over one corpus. Safe to share between threads; replace it to reload."""

    def __init__(self, settings: RetrievalSettings, tokenizer: Tokenizer, index: BM25Index,
                 store: PassageStore, report: IndexReport) -> None:
        self.settings = settings
        self.tokenizer = tokenizer
        self.index = index
        self.store = store
        self.report = report

    @classmethod
    def open(cls, settings: RetrievalSettings, *, progress: bool = False) -> Engine:
        """Load the cached index for the corpus and settings, or build (and cache) it."""
        started = time.perf_counter()
        tokenizer = Tokenizer(settings.user_dict, settings.stopwords)
        corpus = read_corpus(settings)
        key = corpus.digest({"format": FORMAT, "code": _code_digest(),
                             "settings": settings.fingerprint(),
                             "tokens": tokenizer.fingerprint()})
        directory = settings.cache_dir / key
        problem = None
        if directory.exists():
            try:
                engine = cls._load(settings, tokenizer, directory, key)
                engine.report.seconds = time.perf_counter() - started
                return engine
            except (CacheError, OSError, ValueError, KeyError, TypeError) as exc:
                problem = f"index cache {directory} unusable ({exc}); rebuilt"
                log.warning("%s", problem)
                shutil.rmtree(directory, ignore_errors=True)
        engine = cls._build(settings, tokenizer, corpus, progress)
        engine.report.cache_problem = problem
        engine._save(directory, key)
        engine.report.seconds = time.perf_counter() - started
        return engine

    @classmethod
    def _build(cls, settings: RetrievalSettings, tokenizer: Tokenizer, corpus: Corpus,
               progress: bool) -> Engine:
        passages, infos = corpus.passages(settings)
        texts = (p.text for p in passages)
        if progress and len(passages) >= PROGRESS_MIN_PASSAGES:
            texts = tqdm(texts, total=len(passages), desc="tokenizing", unit="passage")
        docs = [tokenizer.tokens(text) for text in texts]
        index = BM25Index.fit(docs, settings.k1, settings.b, settings.epsilon)
        report = IndexReport(files=len(corpus.files), speeches=len(infos),
                             passages=len(passages), skipped=corpus.skipped)
        return cls(settings, tokenizer, index, PassageStore.build(passages, infos), report)

    def _save(self, directory: Path, key: str) -> None:
        """Write to a temporary directory and rename it into place, so readers never see half."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = directory.parent / f".tmp-{key[:16]}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        try:
            self.index.save(tmp)
            self.store.save(tmp)
            sizes = {p.name: p.stat().st_size for p in tmp.iterdir()}
            meta = {"format": FORMAT, "key": key, "sizes": sizes,
                    "report": {"files": self.report.files, "speeches": self.report.speeches,
                               "passages": self.report.passages,
                               "skipped": [s.__dict__ for s in self.report.skipped]}}
            (tmp / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")
            os.replace(tmp, directory)
        except OSError as exc:
            log.warning("could not save index cache to %s: %s", directory, exc)
            shutil.rmtree(tmp, ignore_errors=True)
            return
        _prune(directory.parent)

    @classmethod
    def _load(cls, settings: RetrievalSettings, tokenizer: Tokenizer, directory: Path,
              key: str) -> Engine:
        try:
            meta = json.loads((directory / "meta.json").read_text("utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise CacheError(f"meta.json unreadable: {exc}") from exc
        if meta.get("format") != FORMAT or meta.get("key") != key:
            raise CacheError(f"written by another version ({meta.get('format')!r})")
        for name, size in meta["sizes"].items():
            actual = (directory / name).stat().st_size
            if actual != size:
                raise CacheError(f"{name} is {actual} bytes, expected {size} (truncated?)")
        index = BM25Index.load(directory, settings.k1, settings.b, settings.epsilon)
        store = PassageStore.load(directory)
        if index.n != len(store):
            raise CacheError("index and passages disagree in length")
        saved = meta["report"]
        report = IndexReport(files=saved["files"], speeches=saved["speeches"],
                             passages=saved["passages"],
                             skipped=[SkippedFile(**s) for s in saved["skipped"]],
                             loaded_from_cache=True)
        return cls(settings, tokenizer, index, store, report)

    def ask(self, question: str, k: int | None = None, offset: int = 0) -> Answer:
        """Rank passages for a free-text question; results[offset:offset+k], quotes highlighted."""
        k = self.settings.top_k if k is None else max(0, k)
        offset = max(0, offset)
        terms = self.tokenizer.query_terms(question)
        if not terms:
            return Answer(query=question, answered=False, results=())
        rows, values = self.index.scores(terms)
        ranked = self._distinct(rows, values, offset + k)
        if not ranked:
            return Answer(query=question, answered=False, results=(), terms=tuple(terms))
        share = self.index.match_share(answers.evidence_terms(terms), ranked[0][0])
        term_set = set(terms)
        results: list[Result] = [
            answers.make_result(offset + i + 1, score, self.store.get(row), term_set,
                                self.tokenizer, self.settings.quote_max_chars)
            for i, (row, score) in enumerate(ranked[offset:offset + k])]
        return Answer(query=question,
                      answered=bool(share >= self.settings.min_match),
                      results=tuple(results), terms=tuple(terms), total=len(rows))

    def _distinct(self, rows, values, wanted: int) -> list[tuple[int, float]]:
        """The best `wanted` passages, skipping ones that repeat text already ranked higher."""
        seen: set[str] = set()
        out: list[tuple[int, float]] = []
        fetch = wanted * 2 + 10
        while True:
            ranked = top_k(rows, values, fetch)
            out, seen = [], set()
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
        speech = self.store.speech[row]
        lo, hi = max(0, row - before), min(len(self.store), row + after + 1)
        return [self.store.get(r) for r in range(lo, hi) if self.store.speech[r] == speech]

    def speeches(self) -> list[SpeechInfo]:
        return list(self.store.speech_infos)


def _code_digest() -> str:
    h = hashlib.sha256()
    for name in INDEXING_CODE:
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


def _prune(cache_root: Path) -> None:
    entries = sorted((p for p in cache_root.iterdir() if p.is_dir() and not p.name.startswith(".")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_CACHES:]:
        shutil.rmtree(old, ignore_errors=True)
