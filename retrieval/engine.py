"""The public entry point: build or load the index for a corpus and answer questions from it.

How a question is answered (``Engine.ask``): the scope it names (a year, a place, filters)
picks the documents searched; quoted formulations (提法) keep only the passages that hold
them word for word; BM25 ranks; repeated text is shown once; and the answer says plainly
when nothing answers, and why. The index lives in the cache (retrieval/cache.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from dataclasses import asdict, replace
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from . import answers
from .boilerplate import DOC_TYPE, Boilerplate
from .build import build_segment
from .cache import FORMAT, CacheError, IndexCache, Manifest
from .corpus import CorpusFile, CorpusState, FileReport, corpus_key, inspect_file, read_passages
from .corpus import scan as scan_files
from .index import BM25Index, top_k
from .model import (
    Answer,
    DocumentInfo,
    IndexReport,
    Passage,
    PhraseCount,
    Result,
    SkippedFile,
)
from .phrases import find_phrase, phrase_key, split_phrases
from .query import Query, QueryBuilder, Thesaurus
from .scope import Scope, canonical_place, places_in, question_scope
from .settings import RetrievalSettings
from .store import PassageStore
from .tokens import LONE_SURROGATE, Tokenizer

log = logging.getLogger(__name__)

# The code that decides what is indexed: a change to any of these rebuilds every cache.
INDEXING_CODE = ("files.py", "boilerplate.py", "documents.py", "metadata.py", "passages.py",
                 "tokens.py", "index.py", "store.py", "corpus.py", "build.py", "cache.py",
                 "scope.py", "readers/__init__.py", "readers/text.py", "readers/pdf.py",
                 "readers/docx.py", "readers/html.py", "readers/office.py", "readers/ofd.py",
                 "readers/doc.py")
LATIN = re.compile(r"[A-Za-z]")
# A scope of at most this many passages is scored by looking its rows up in each term's
# postings; a larger one by the union of the postings (cheaper past this size).
LOOKUP_ROWS = 20_000
SCOPE_NOTE = "范围："  # opens the note that says which documents an answer is from
# The document a question names after its year: "2026年国务院政府工作报告" gives the words
# before the kind (国务院政府工作) and the kind (报告); "1997年的报告" the kind alone.
DOCUMENT_NAMED = re.compile(
    r"(?:(?:19|20)\d\d|\d\d)年(?:的)?([\u4e00-\u9fff]{0,10}?)(报告|讲话|通知|意见|决定|决议|"
    r"公报|白皮书|纲要|条例)")
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class Engine:
    """A loaded index over one corpus. Safe to share between threads; replace it to reload."""

    def __init__(self, settings: RetrievalSettings, queries: QueryBuilder, index: BM25Index,
                 store: PassageStore, report: IndexReport,
                 state: CorpusState | None = None) -> None:
        self.settings = settings
        self.queries = queries
        self.tokenizer = queries.tokenizer
        self.index = index
        self.store = store
        self.report = report
        self.state = state or CorpusState()

    @classmethod
    def open(cls, settings: RetrievalSettings, *, progress: bool = False,
             tokenizer: Tokenizer | None = None) -> Engine:
        """Load the cached index for the corpus and settings, or build (and cache) it.
        A tokenizer may be shared between engines (it is the costly part to start)."""
        started = time.perf_counter()
        cache = IndexCache(settings.cache_dir)
        if tokenizer is None or not tokenizer.same_settings(settings):
            tokenizer = shared_tokenizer(settings)
        queries = QueryBuilder(tokenizer, Thesaurus.load(settings.synonyms, tokenizer.normalize),
                               settings.synonym_weight)
        fingerprint = {"format": FORMAT, "code": _code_digest(),
                       "settings": settings.fingerprint(), "tokens": tokenizer.fingerprint()}
        config_id = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()
        left_out: dict[str, int] = {}
        files = scan_files(settings, cache.known_signatures(), left_out)
        not_read = dict(sorted(left_out.items(), key=lambda item: (-item[1], item[0])))
        key = corpus_key(files, fingerprint)
        problem = None
        try:
            manifest = cache.manifest(key)
            if manifest is not None:
                engine = cls._load(settings, queries, cache, manifest)
                engine.report.not_read = not_read
                engine.report.seconds = time.perf_counter() - started
                cache.touch(key)
                return engine
        except CacheError as exc:
            problem = f"index cache for this corpus unusable ({exc}); rebuilt"
            log.warning("%s", problem)
            cache.forget(key)
        engine, manifest = cls._extend_or_build(settings, queries, cache, files, config_id,
                                                progress)
        engine.report.cache_problem = problem
        engine.report.not_read = not_read
        cache.save_manifest(key, manifest)
        engine.report.seconds = time.perf_counter() - started
        return engine

    @classmethod
    def _extend_or_build(cls, settings: RetrievalSettings, queries: QueryBuilder,
                         cache: IndexCache, files: list[CorpusFile], config_id: str,
                         progress: bool) -> tuple[Engine, Manifest]:
        by_name = {f.name: f for f in files}
        base = cache.base_for(config_id, by_name)
        if base is not None:
            try:
                engine = cls._load(settings, queries, cache, base)
                added = [f for f in files if f.name not in base.files]
                return engine._append(cache, added, files, base, config_id, progress)
            except CacheError as exc:
                log.warning("could not extend the cached index (%s); rebuilding", exc)
        engine = cls(settings, queries, BM25Index({}, [], settings.k1, settings.b,
                                                    settings.epsilon),
                     PassageStore([]), IndexReport())
        empty = Manifest(config=config_id, segments=(), files={}, skipped=(), report={})
        return engine._append(cache, files, files, empty, config_id, progress)

    def _append(self, cache: IndexCache, added: list[CorpusFile], files: list[CorpusFile],
                base: Manifest, config_id: str, progress: bool) -> tuple[Engine, Manifest]:
        """A new engine with the added files indexed as one more segment."""
        documents = list(self.store.document_infos)
        skipped = [SkippedFile(**s) for s in base.skipped]
        state = CorpusState.from_json(base.corpus)
        vocab = dict(self.index.vocab)
        known_terms = len(vocab)
        segment, part = build_segment(
            read_passages(added, self.settings, documents, skipped, state), documents, vocab,
            self.tokenizer, self.settings.workers, progress)
        segment_id = cache.save_segment(segment, part, list(vocab)[known_terms:])
        index = self.index.with_segment(vocab, segment)
        store = PassageStore([*self.store.parts, part])
        duplicates = sum(s.code == "duplicate" for s in skipped)
        report = IndexReport(files=len(files) - len(skipped), documents=len(documents),
                             passages=index.n, skipped=skipped, duplicates=duplicates)
        manifest = Manifest(
            config=config_id, segments=(*base.segments, segment_id),
            files={f.name: f.signature() for f in files},
            skipped=tuple(asdict(s) for s in skipped),
            report={"files": report.files, "documents": report.documents,
                    "passages": report.passages, "duplicates": duplicates},
            corpus=state.to_json())
        return Engine(self.settings, self.queries, index, store, report, state), manifest

    @classmethod
    def _load(cls, settings: RetrievalSettings, queries: QueryBuilder, cache: IndexCache,
              manifest: Manifest) -> Engine:
        vocab: dict[str, int] = {}
        segments, parts = [], []
        for segment_id in manifest.segments:
            segment, part, terms = cache.load_segment(segment_id)
            for term in terms:
                vocab[term] = len(vocab)
            if segment.terms > len(vocab):
                raise CacheError(f"segment {segment_id} refers to unknown terms")
            segments.append(segment)
            parts.append(part)
        index = BM25Index(vocab, segments, settings.k1, settings.b, settings.epsilon)
        store = PassageStore(parts)
        saved = manifest.report
        if index.n != len(store) or index.n != saved.get("passages"):
            raise CacheError("index and passages disagree in length")
        try:
            skipped = [SkippedFile(**s) for s in manifest.skipped]
        except TypeError as exc:
            raise CacheError(f"skipped files unreadable ({exc})") from None
        report = IndexReport(files=saved["files"], documents=saved["documents"],
                             passages=saved["passages"], skipped=skipped,
                             loaded_from_cache=True, duplicates=saved.get("duplicates", 0))
        return cls(settings, queries, index, store, report, CorpusState.from_json(manifest.corpus))

    # ---- asking -----------------------------------------------------------------------

    def ask(self, question: str, k: int | None = None, offset: int = 0,
            scope: Scope | None = None) -> Answer:
        """Rank passages for a free-text question; results[offset:offset+k], quotes highlighted.

        `scope` (explicit filters) is applied on top of the scope the question names."""
        k = self.settings.top_k if k is None else max(0, k)
        offset = max(0, offset)
        if not question or not question.strip():
            return Answer(query=question, answered=False, results=(), reason="empty")
        # Lone surrogates (broken UTF-16 from a client) cannot reach the converters.
        asked = question_scope(LONE_SURROGATE.sub("\ufffd", question), self.places, self._tag)
        phrases, rest = split_phrases(asked.text)
        query = self.queries.build(asked.text, self.index.vocab)
        latin_only = bool(LATIN.search(question)) and not CJK.search(question)
        if not query.terms and not phrases:
            return Answer(query=question, answered=False, results=(),
                          reason="not-chinese" if latin_only else "no-terms")
        wanted = scope or Scope()
        stated = asked.scope.merged(wanted)
        allowed, note, unmatched = self._scope_rows(stated, asked.document_year,
                                                   explicit=asked.typed or not wanted.is_empty)
        if asked.unknown_places and not wanted.places:
            note = f"语料中没有{'、'.join(asked.unknown_places)}的文件。"
            unmatched = True
        elif allowed is not None and not unmatched:
            conflict = self._title_conflict(asked.text, allowed)
            if conflict:
                within = note.removeprefix(SCOPE_NOTE)
                note, unmatched = f"语料中{within}的文件里没有{conflict}。", True
        if unmatched:
            return Answer(query=question, answered=False, results=(), terms=query.terms,
                          reason="scope-unmatched", note=note, scope=stated)
        missing = tuple(w for w in answers.evidence_terms(query.terms)
                        if w not in self.index.vocab)
        phrase = None
        if phrases:
            rows = self._phrase_rows(phrases, allowed)
            docs = len(np.unique(self.store.row_document[rows])) if len(rows) else 0
            phrase = PhraseCount(phrases=phrases, passages=len(rows), documents=docs)
            if not len(rows):
                return Answer(query=question, answered=False, results=(), terms=query.terms,
                              reason="phrase-absent", note=note, missing=missing,
                              phrase=phrase, scope=stated)
            allowed = rows
        weights = self._ranking_weights(query)
        # A phrase alone: every passage holding it is an answer, newest first; with other
        # words besides, those words rank them.
        by_date = bool(phrases) and not _asks_words(rest, self.tokenizer)
        ranked = self._distinct(weights, offset + k + 1, allowed, by_date=by_date)
        unanswered = "not-chinese" if latin_only else "no-match"
        if not ranked:
            return Answer(query=question, answered=False, results=(), terms=query.terms,
                          reason=unanswered, note=note, missing=missing, phrase=phrase,
                          scope=stated)
        if phrases:
            answered = True
        else:
            required = asked.unknown_places
            answered = (answers.match_share(query, self.index, ranked[0][0])
                        >= self.settings.min_match
                        and all(place in self.store.text(ranked[0][0]) for place in required))
        marked = set(query.weights)  # synonyms that matched are marked too
        results = tuple(
            self._result(offset + i + 1, row, score, copies, marked, phrases)
            for i, (row, score, copies) in enumerate(ranked[offset:offset + k]))
        return Answer(query=question, answered=answered, results=results, terms=query.terms,
                      more=len(ranked) > offset + k,
                      reason=None if answered else unanswered,
                      note=note, missing=missing, phrase=phrase,
                      scope=None if stated.is_empty else stated)

    def _result(self, rank: int, row: int, score: float, copies: int, marked: set[str],
                phrases: tuple[str, ...]) -> Result:
        passage = self.store.get(row)
        info = self.store.document_infos[passage.document]
        result = answers.make_result(rank, score, passage, marked, self.tokenizer,
                                     self.settings.quote_max_chars, info, copies)
        if phrases:  # the formulation itself is what the reader checks: mark it whole
            spans = sorted({s for p in phrases
                            for s in find_phrase(result.quote, p, self.tokenizer.normalize)}
                           | set(result.spans))
            result = replace(result, spans=tuple(answers.merge_spans(spans)))
        return result

    def _ranking_weights(self, query: Query) -> dict[str, float]:
        """The query's weights for ranking. A term every passage of a tiny corpus holds has a
        negative BM25 idf (rank_bm25's floor): it would push the passages holding it down, so
        it is given a tiny opposite weight, which ranks them just above those without it."""
        weights = dict(query.weights)
        for term, weight in query.weights.items():
            t = self.index.vocab.get(term)
            if t is not None and self.index.idf[t] <= 0:
                weights[term] = -1e-6 * weight
        return weights

    def _scope_rows(self, scope: Scope, document_year: bool,
                    explicit: bool) -> tuple[np.ndarray | None, str | None, bool]:
        """(rows the scope allows or None for all, a note for the reader, whether the scope
        matches no document at all). A year that names a document, a place or a filter
        restricts; a year of events also allows the next year's documents (reports look
        back), and when no document is of that time it is only noted."""
        if scope.is_empty:
            return None, None, False
        infos = self.store.document_infos
        conditions: list[tuple[str, np.ndarray]] = []  # (what it is called, documents it keeps)
        told: list[str] = []
        if scope.since is not None or scope.until is not None:
            since = scope.since if scope.since is not None else -10**6
            until = scope.until if scope.until is not None else 10**6
            shown = scope
            if not document_year and not explicit:
                until += 1
                shown = replace(scope, until=until) if scope.until is not None else scope
            years = np.array([i.year if i.year is not None else -10**7 for i in infos])
            in_time = (years >= since) & (years <= until)
            undated = years == -10**7
            if not explicit and undated.mean() > 0.5:  # mostly undated: keep them in
                in_time |= undated
            label = _years_label(shown)
            if in_time.any() or document_year or explicit:
                conditions.append((label, in_time))
            else:  # a year of events no document is of: answer from all, and say so
                told.append(f"语料中没有{label}的文件，按全部文件回答")
        if scope.places:
            wanted = {canonical_place(p) or p for p in scope.places}
            conditions.append(("、".join(scope.places), np.array(
                [_place_matches(i.place, wanted) for i in infos], dtype=bool)))
        if scope.documents:
            conditions.append(("、".join(f"《{i.title}》" for i in infos if i.id in scope.documents)
                               or "所选", np.array([i.id in scope.documents for i in infos],
                                                   dtype=bool)))
        if scope.doc:
            words = [self.tokenizer.normalize(w) for w in scope.doc.split()]
            conditions.append((f"标题含“{scope.doc}”", np.array(
                [all(w in title for w in words) for title in self._titles], dtype=bool)))
        keep = np.ones(len(infos), dtype=bool)
        for label, mask in conditions:
            keep &= mask
            told.append(label)
            if not keep.any():
                return None, f"语料中没有{'、'.join(told[-len(conditions):])}的文件。", True
        if not conditions:
            return None, "；".join(told), False
        rows = np.flatnonzero(keep[self.store.row_document]) if len(infos) else np.zeros(0, int)
        return rows, SCOPE_NOTE + "；".join(told), False

    @cached_property
    def _titles(self) -> list[str]:
        return [self.tokenizer.normalize(i.title) for i in self.store.document_infos]

    def _title_conflict(self, question: str, allowed: np.ndarray) -> str | None:
        """What the scope lacks of the document a question names: its kind (报告) when no
        scoped title is of that kind, or a word of its name (the words before 报告/讲话/通知 …)
        that no title in the scope holds while other titles do: 2026年国务院政府工作报告 in a
        corpus whose 2026 documents are all provincial. The scope then matches nothing."""
        named = DOCUMENT_NAMED.search(self.tokenizer.normalize(question))
        if not named:
            return None
        titles = self._titles
        scoped = set(np.unique(self.store.row_document[allowed]).tolist())
        kind = named.group(2)
        if not any(_kind_of(titles[i]) == kind for i in scoped):
            return kind
        for word in sorted(self.tokenizer.label_words(named.group(1)), key=len, reverse=True):
            if len(word) < 2 or word.isdigit() or places_in(word):
                continue
            holding = {i for i, title in enumerate(titles) if word in title}
            if holding and not scoped & holding:
                return f"标题含“{word}”的"
        return None

    def _phrase_rows(self, phrases: tuple[str, ...], allowed: np.ndarray | None) -> np.ndarray:
        """Rows whose text holds every phrase exactly (in matching form). Candidates are the
        rows holding the phrases' indexed character pairs (or, lacking those, characters),
        rarest first; each candidate is then checked against its text."""
        normalize = self.tokenizer.normalize
        keys = [phrase_key(p, normalize) for p in phrases]
        pairs = {f"#{k[i:i + 2]}" for k in keys for i in range(len(k) - 1)}
        terms = [t for t in map(self.index.vocab.get, pairs) if t is not None]
        if not terms:
            singles = {f"#{c}" for k in keys for c in k}
            terms = [t for t in map(self.index.vocab.get, singles) if t is not None]
        candidates = allowed
        for term in sorted(terms, key=lambda t: self.index.df[t]):
            rows = self.index.postings_rows(term)
            candidates = rows if candidates is None else np.intersect1d(candidates, rows,
                                                                        assume_unique=True)
            if not len(candidates):
                break
        if candidates is None:
            candidates = np.arange(self.index.n)
        hits = [row for row, text in zip(candidates.tolist(), map(self.store.text,
                                                                 candidates.tolist()),
                                         strict=True)
                if all(p in text for p in phrases)  # as typed: no need to fold the text
                or all(k in phrase_key(text, normalize) for k in keys)]
        return np.array(hits, dtype=np.int64)

    def _distinct(self, weights: dict[str, float], wanted: int, allowed: np.ndarray | None,
                  by_date: bool = False) -> list[tuple[int, float, int]]:
        """The best `wanted` (row, score, other documents holding the text), skipping passages
        that repeat text already ranked higher and counting the documents they stand in."""
        fetch = wanted * 3 + 20  # room for repeats skipped: a second fetch costs more
        while True:
            ranked = self._top(weights, fetch, allowed, by_date)
            seen: set[str] = set()
            kept: list[tuple[int, float, set[str], set[int]]] = []  # row, score, prints, docs
            for row, score in ranked:
                text = self.store.text(row)
                sentences = answers.fingerprint_sentences(text)
                if answers.is_repeat(text, seen):
                    owner = next((k for k in kept if sentences & k[2]), None)
                    if owner is not None:
                        owner[3].add(self.store.document_of(row))
                    continue
                seen |= sentences
                kept.append((row, score, sentences, {self.store.document_of(row)}))
                if len(kept) == wanted:
                    break
            if len(kept) == wanted or len(ranked) < fetch:
                return [(row, score, max(len(docs), self.store.documents_holding(row)) - 1)
                        for row, score, _, docs in kept]
            fetch *= 4

    def _top(self, weights: dict[str, float], k: int, allowed: np.ndarray | None,
             by_date: bool) -> list[tuple[int, float]]:
        if allowed is None:
            return self.index.top(weights, k)
        if len(allowed) <= LOOKUP_ROWS:  # a few documents: look their rows up, term by term
            rows, scores = allowed, self.index.scores_of(weights, allowed)
        else:
            rows, scores = self.index.scores(weights)
        if by_date:  # every allowed row holds the phrase: newest document first
            years = np.array([self.store.document_infos[s].date or "" for s in
                              self.store.row_document[allowed]])
            order = sorted(range(len(allowed)), key=lambda i: (years[i], -allowed[i]),
                           reverse=True)
            score_of = dict(zip(rows.tolist(), scores.tolist(), strict=True))
            return [(int(allowed[i]), score_of.get(int(allowed[i]), 0.0)) for i in order[:k]]
        inside = np.isin(rows, allowed, assume_unique=True) & (scores != 0)
        ranked = top_k(rows[inside], scores[inside], k)
        if len(ranked) < k:  # allowed rows that hold no query term still count, after
            rest = np.setdiff1d(allowed, rows[inside], assume_unique=True)[:k - len(ranked)]
            ranked += [(int(r), 0.0) for r in rest]
        return ranked

    # ---- documents and passages ---------------------------------------------------------

    @cached_property
    def places(self) -> frozenset[str]:
        """The places of the corpus's documents (what a question's place can scope to)."""
        return frozenset(i.place for i in self.store.document_infos if i.place)

    @cached_property
    def _posseg(self):
        import jieba.posseg

        return jieba.posseg.POSTokenizer(self.tokenizer.jieba)

    def _tag(self, text: str) -> list[tuple[str, str]]:
        return [(w.word, w.flag) for w in self._posseg.cut(text)]

    def passage(self, passage_id: str) -> Passage | None:
        row = self.store.row_of(passage_id)
        return None if row is None else self.store.get(row)

    def neighbours(self, passage_id: str, before: int = 1, after: int = 1) -> list[Passage]:
        """The passage with up to `before`/`after` passages around it in the same document."""
        row = self.store.row_of(passage_id)
        if row is None:
            return []
        document = self.store.document_of(row)
        lo, hi = max(0, row - before), min(len(self.store), row + after + 1)
        return [self.store.get(r) for r in range(lo, hi) if self.store.document_of(r) == document]

    def documents(self) -> list[DocumentInfo]:
        return list(self.store.document_infos)

    def document(self, document_id: str) -> DocumentInfo | None:
        return next((i for i in self.store.document_infos if i.id == document_id), None)

    def inspect_file(self, path: Path) -> FileReport:
        """What the index makes of one file, with this corpus's learned furniture."""
        return inspect_file(path, self.settings, self.state.boilerplate)

    @property
    def boilerplate(self) -> Boilerplate:
        return self.state.boilerplate


def shared_tokenizer(settings: RetrievalSettings) -> Tokenizer:
    """One tokenizer per dictionary state, shared by the engines of a process (a reload, the
    tests): loading jieba's dictionary is the slow part of opening an index."""
    def stamp(path: Path) -> tuple[int, int]:
        stat = path.stat()
        return stat.st_mtime_ns, stat.st_size

    return _tokenizer(settings.user_dict, settings.stopwords, settings.characters,
                      stamp(settings.user_dict), stamp(settings.stopwords))


@lru_cache(maxsize=4)
def _tokenizer(user_dict: Path, stopwords: Path, characters: bool, *_stamps) -> Tokenizer:
    return Tokenizer(user_dict, stopwords, characters)


def _asks_words(rest: str, tokenizer: Tokenizer) -> bool:
    """Whether the part of a question outside its quoted phrases holds any word."""
    return any(Tokenizer.is_word(t) for t in tokenizer.query_terms(rest))


def _kind_of(title: str) -> str | None:
    """The kind of document a title names by its last word (报告 in 政府工作报告——…会议上)."""
    found = DOC_TYPE.search(title.split("——")[0].split("――")[0].strip())
    return found.group(1) if found else None


def _place_matches(place: str | None, wanted: set[str]) -> bool:
    return bool(place) and any(place == w or place.startswith(w) or w.startswith(place)
                               for w in wanted)


def _years_label(scope: Scope) -> str:
    if scope.since == scope.until:
        return f"{scope.since}年"
    if scope.until is None:
        return f"{scope.since}年以来"
    if scope.since is None:
        return f"{scope.until}年以前"
    return f"{scope.since}—{scope.until}年"


def _code_digest() -> str:
    h = hashlib.sha256()
    for name in INDEXING_CODE:
        path = Path(__file__).parent / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()
