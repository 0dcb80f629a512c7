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
from .answer_kinds import KIND_BOOST, holds_kind, kinds_asked
from .boilerplate import Boilerplate
from .build import build_segment
from .cache import FORMAT, CacheError, IndexCache, Manifest
from .corpus import CorpusFile, CorpusState, FileReport, corpus_key, inspect_file, read_passages
from .corpus import scan as scan_files
from .index import BM25Index
from .model import (
    Answer,
    DocumentInfo,
    IndexReport,
    Passage,
    PhraseCount,
    Result,
    SkippedFile,
)
from .phrases import find_phrase, split_phrases
from .prior import Catalog, Prior, implied_prior, part_words, parts_asked
from .query import Query, QueryBuilder, Thesaurus
from .scope import (
    QuestionScope,
    Scope,
    canonical_place,
    may_name_place,
    place_forms,
    place_gazetteer,
    question_scope,
    same_place,
    years_label,
)
from .settings import RetrievalSettings
from .store import PassageStore
from .textsearch import TextSearch
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
SCOPE_NOTE = "范围："  # opens the note that says which documents the filters kept
# A bare place word (深圳) counts when the dictionary has its suffixed form (深圳市) at least
# this often against the word's own use; below it the word is mostly something else (新建).
SETTLEMENT_SUFFIXES = ("市", "县", "区", "州", "盟")
SETTLEMENT_SHARE = 0.02
PRIOR_NOTE = "优先："  # opens the note that says what the question's words preferred
TITLE_WORD_WEIGHT = 0.3  # see Engine._ranking_weights
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

    def warm(self) -> None:
        """Load now what the first question would otherwise wait for (2.4 s at 160k passages,
        6.4 s at 1.6M): jieba's dictionary, the place tagger and gazetteer, the compiled kernels'
        caches. A server calls it before it takes questions; answers are the same either way.
        """
        _ = self._gazetteer  # loads jieba and its part-of-speech table
        if not len(self.store):
            return
        sample = self.store.text(0)[:24]
        # Its own text (ranking, repeats, quotes), a quoted formulation (the text search and
        # its compiled check), and a word no passage holds (the "没有" check).
        for question in (sample, f"“{sample[:6]}”", sample[:8] + "龘龖"):
            self.ask(question)

    def ask(self, question: str, k: int | None = None, offset: int = 0,
            scope: Scope | None = None) -> Answer:
        """Rank passages for a free-text question; results[offset:offset+k], quotes highlighted.

        What the question's words imply (a year, a place, a document) ranks; only filters
        restrict: those typed in the question (年:, 地:, 文:) and `scope` (flags, buttons),
        which overrides them field by field."""
        k = self.settings.top_k if k is None else max(0, k)
        offset = max(0, offset)
        if not question or not question.strip():
            return Answer(query=question, answered=False, results=(), reason="empty")
        # Lone surrogates (broken UTF-16 from a client) cannot reach the converters.
        question = LONE_SURROGATE.sub("\ufffd", question)
        asked = question_scope(question, self.places, self._tag,
                               settlement=self._is_settlement)
        phrases, rest = split_phrases(asked.text)
        query = self.queries.build(asked.text, self.index.vocab)
        latin_only = bool(LATIN.search(question)) and not CJK.search(question)
        if not query.terms and not phrases:
            return Answer(query=question, answered=False, results=(),
                          reason="not-chinese" if latin_only else "no-terms")
        explicit = asked.explicit.merged(scope or Scope())
        shown_scope = None if explicit.is_empty else explicit
        allowed, notes, refusal = self._filter_rows(explicit)
        if refusal:
            return Answer(query=question, answered=False, results=(), terms=query.terms,
                          reason="scope-unmatched", note=refusal, scope=shown_scope)
        missing = self._missing(query, asked.text)
        asking = self.tokenizer.normalize(part_words(asked.text))
        words = {w: max(self.index.idf_of(w), 0.0) for w in answers.evidence_terms(query.terms)
                 if len(w) >= 2 and w in self.index.vocab  # words a title may hold
                 and w not in asking}  # not those asking for a part (文号, 落款日期)
        prior = implied_prior(asked, self.store.document_infos, self._catalog, self.search,
                              words)
        if not prior.is_empty:
            notes.append(PRIOR_NOTE + prior.label)
        # A question that is a quoted formulation and nothing else is a 提法 check: only the
        # passages holding it answer. Quoted words inside a longer question rank first.
        strict = bool(phrases) and not _asks_words(rest, self.tokenizer)
        phrase = first = None
        title_words = prior.title_words
        if phrases:
            rows = self.search.rows(phrases, allowed)
            docs = len(np.unique(self.store.row_document[rows])) if len(rows) else 0
            phrase = PhraseCount(phrases=phrases, passages=len(rows), documents=docs)
            quoted = "".join(f"“{p}”" for p in phrases)
            # Quoted words a document's title holds name that document (a passage is found by its
            # title's words): all its passages lead, and the rest of the question ranks them.
            named, titles = (np.zeros(0, dtype=np.int64), []) if strict and len(rows) else (
                self.search.titled_rows(phrases, allowed))
            if strict and not len(rows) and not len(named):
                return Answer(query=question, answered=False, results=(), terms=query.terms,
                              reason="phrase-absent", note=_sentences(notes),
                              missing=missing, phrase=phrase, scope=shown_scope)
            if strict and len(rows):
                allowed = rows
            elif strict:  # only titles hold it: each such document's first passage, said so
                _, starts = np.unique(self.store.row_document[named], return_index=True)
                allowed = named[starts]
                notes.append(f"{quoted}只见于 {len(allowed)} 篇文件的标题")
                phrase = None
            elif len(rows) or len(named):
                first = np.union1d(rows, named)
                if len(named):  # the question's words that title holds name the document
                    title_words = title_words | {t for t in query.weights
                                                 if any(t.lstrip("#") in k for k in titles)}
            else:
                notes.append(quoted + "原文未出现")
                phrase = None
        note = _sentences(notes)
        weights = self._ranking_weights(query, title_words)
        if first is None:  # 文号是多少: the 文号 passage of the document the question names
            first = self._asked_part_rows(asked.text, prior, allowed, weights)
        ranked = self._distinct(weights, offset + k + 1, allowed, prior, first, by_date=strict,
                                kinds=kinds_asked(asked.text))
        unanswered = "not-chinese" if latin_only else "no-match"
        if not ranked:
            return Answer(query=question, answered=False, results=(), terms=query.terms,
                          reason=unanswered, note=note, missing=missing, phrase=phrase,
                          scope=shown_scope)
        top_row = ranked[0][0]
        # The question names a place or document no document states or names (Prior.absent),
        # or the best passage is from another one (Prior.unmet): it is the closest, no answer.
        unmet = [*prior.absent,
                 *prior.unmet(self.store.document_of(top_row), self.store.text(top_row))]
        answered = not unmet and (
            strict or (first is not None and top_row in set(first.tolist()))
            or answers.match_share(query, self.index, top_row, self._scope_words(asked))
            >= self.settings.min_match)
        marked = set(query.weights)  # synonyms that matched are marked too
        results = tuple(
            self._result(offset + i + 1, row, score, boost, copies, marked, phrases)
            for i, (row, score, boost, copies) in enumerate(ranked[offset:offset + k]))
        return Answer(query=question, answered=answered, results=results, terms=query.terms,
                      more=len(ranked) > offset + k,
                      reason=None if answered else unanswered,
                      note=note, missing=missing, phrase=phrase, scope=shown_scope)

    def _asked_part_rows(self, question: str, prior: Prior, allowed: np.ndarray | None,
                         weights: dict[str, float]) -> np.ndarray | None:
        """The passages that are the named part a question asks for (its 文号, 落款, 主送, 施行
        clause) in the documents the question names: those of the highest prior, or without
        one, the document of the best passage. None when it asks for no part."""
        parts = parts_asked(question)
        if not parts:
            return None
        rows = np.concatenate([self.store.rows_in_section(p) for p in parts])
        if allowed is not None:
            rows = np.intersect1d(rows, allowed)
        boost = prior.document_boost
        if boost is not None and boost.max() > 0:
            rows = rows[boost[self.store.row_document[rows]] >= boost.max()]
        else:
            best = self._top(weights, 1, allowed, False)
            if not best:
                return None
            rows = rows[self.store.row_document[rows] == self.store.document_of(best[0][0])]
        return np.unique(rows) if len(rows) else None

    def _scope_words(self, asked: QuestionScope) -> frozenset[str]:
        """The tokens that name the question's implied place and years: where, not what."""
        scope = asked.implied
        names = {self.tokenizer.normalize(f) for p in scope.places for f in place_forms(p)}
        if scope.since is not None and scope.until is not None and scope.until - scope.since < 10:
            names |= {str(y) for y in range(scope.since, scope.until + 1)}
            names |= {f"{y}年" for y in range(scope.since, scope.until + 1)}
        return frozenset(names)

    @cached_property
    def search(self) -> TextSearch:
        return TextSearch(self.index, self.store, self.tokenizer.normalize, self._titles)

    def _missing(self, query: Query, question: str) -> tuple[str, ...]:
        """The question's words that no passage or title holds, checked on the text (a word
        may be no token of a passage that holds it), in the asker's own spelling."""
        absent = [w for w in answers.evidence_terms(query.terms)
                  if w not in self.index.vocab and not self.search.holds(w)]
        return tuple(_as_typed(w, question) for w in dict.fromkeys(absent))

    def _result(self, rank: int, row: int, score: float, boost: float, copies: int,
                marked: set[str], phrases: tuple[str, ...]) -> Result:
        passage = self.store.get(row)
        info = self.store.document_infos[passage.document]
        result = answers.make_result(rank, score, passage, marked, self.tokenizer,
                                     self.settings.quote_max_chars, info, copies, boost)
        if phrases:  # the formulation itself is what the reader checks: mark it whole
            spans = sorted({s for p in phrases
                            for s in find_phrase(result.quote, p, self.tokenizer.normalize)}
                           | set(result.spans))
            result = replace(result, spans=tuple(answers.merge_spans(spans)))
        return result

    def _ranking_weights(self, query: Query,
                         title_words: frozenset[str] = frozenset()) -> dict[str, float]:
        """The query's weights for ranking. A term every passage of a tiny corpus holds has a
        negative BM25 idf (rank_bm25's floor): it would push the passages holding it down, so
        it is given a tiny opposite weight, which ranks them just above those without it.
        Words that name the question's document by its title (and their characters) weigh
        TITLE_WORD_WEIGHT: the prior prefers that document; its passages are told apart by
        the rest of the question, not by which of them repeats its title."""
        weights = dict(query.weights)
        for term in weights:
            if term in title_words or (term.startswith("#") and any(
                    term[1:] in w for w in title_words)):
                weights[term] *= TITLE_WORD_WEIGHT
        for term, weight in query.weights.items():
            t = self.index.vocab.get(term)
            if t is not None and self.index.idf[t] <= 0:
                weights[term] = -1e-6 * weight
        return weights

    def _filter_rows(self, scope: Scope) -> tuple[np.ndarray | None, list[str], str | None]:
        """(rows the explicit filters allow, or None for all; the notes that say what they
        kept and how many documents of unknown year or place they left out; the one sentence
        that says why nothing is left, when nothing is)."""
        notes: list[str] = []
        if scope.is_empty:
            return None, notes, None
        infos = self.store.document_infos
        # (label, documents kept, documents that state nothing about it, what the text may hold)
        conditions: list[tuple[str, np.ndarray, np.ndarray | None, tuple[str, ...]]] = []
        if scope.since is not None or scope.until is not None:
            since = scope.since if scope.since is not None else -10**6
            until = scope.until if scope.until is not None else 10**6
            years = np.array([i.year if i.year is not None else -10**7 for i in infos])
            label = years_label(scope.since, scope.until)
            words = (label,) if scope.since == scope.until else ()
            conditions.append((label, (years >= since) & (years <= until), years == -10**7,
                               words))
        if scope.places:
            wanted = {canonical_place(p) or p for p in scope.places}
            shorts = [place_forms(p)[-1] for p in scope.places]
            conditions.append(("、".join(scope.places), np.array(
                [any(same_place(i.place, w) for w in wanted) or any(w in t for w in shorts)
                 for i, t in zip(infos, self._titles, strict=True)], dtype=bool),
                np.array([not i.place for i in infos], dtype=bool),
                tuple(shorts)))
        if scope.documents:
            conditions.append(("、".join(f"《{i.title}》" for i in infos if i.id in scope.documents)
                               or "所选", np.array([i.id in scope.documents for i in infos],
                                                   dtype=bool), None, ()))
        if scope.doc:
            words = [self.tokenizer.normalize(w) for w in scope.doc.split()]
            conditions.append((f"标题含“{scope.doc}”", np.array(
                [all(w in title for w in words) for title in self._titles], dtype=bool),
                None, ()))
        keep = np.ones(len(infos), dtype=bool)
        for label, mask, _, words in conditions:
            if not mask.any():
                return None, notes, self._nothing_stated(label, words)
            keep &= mask
        if not keep.any():
            together = "、".join(label for label, *_ in conditions)
            return None, notes, f"语料中没有同时符合{together}的文件。"
        notes.append(SCOPE_NOTE + "；".join(label for label, *_ in conditions))
        for label, _, unknown, _ in conditions:
            if unknown is None:
                continue
            others = np.ones(len(infos), dtype=bool)
            for other, other_mask, *_ in conditions:
                if other != label:
                    others &= other_mask
            left_out = int((unknown & others).sum())
            if left_out:
                what = "年份" if label.endswith(("年", "年以来", "年以前")) else "地点"
                notes.append(f"另有 {left_out} 篇未注明{what}的文件未计入")
        rows = np.flatnonzero(keep[self.store.row_document]) if len(infos) else np.zeros(0, int)
        return rows, notes, None

    def _nothing_stated(self, label: str, words: tuple[str, ...]) -> str:
        """Why a filter leaves no document, in a sentence that is true of the text: where the
        text names what no document's metadata states, it says so and how many name it."""
        named = [(w, len(self.search.documents(w))) for w in words]
        named = [(w, n) for w, n in named if n]
        if named:
            said = "、".join(f"“{w}”" for w, _ in named)
            count = len(set().union(*(self.search.documents(w) for w, _ in named)))
            return (f"没有注明{label}的文件；正文提到{said}的有 {count} 篇，"
                    f"去掉这个限定再问即可查到。")
        return f"语料中没有{label}的文件。"

    @cached_property
    def _titles(self) -> list[str]:
        return [self.tokenizer.normalize(i.title) for i in self.store.document_infos]

    @cached_property
    def _catalog(self) -> Catalog:
        return Catalog.of(self.store.document_infos, self._titles)

    def _distinct(self, weights: dict[str, float], wanted: int, allowed: np.ndarray | None,
                  prior: Prior, first: np.ndarray | None, by_date: bool = False,
                  kinds: tuple[str, ...] = ()) -> list[tuple[int, float, float, int]]:
        """The best `wanted` (row, BM25 score, prior, other documents holding the text),
        skipping passages that repeat text already ranked higher and counting the documents
        they stand in."""
        fetch = wanted * 3 + 20  # room for repeats skipped: a second fetch costs more
        while True:
            ranked = self._ranked(weights, fetch, allowed, prior, first, by_date, kinds)
            seen: set[str] = set()
            kept: list[tuple[int, float, float, set[str], set[int]]] = []
            documents = self.store.row_document[[row for row, _, _ in ranked]].tolist()
            for (row, score, boost), document in zip(ranked, documents, strict=True):
                text = self.store.text(row)
                sentences = answers.fingerprint_sentences(text)
                if answers.is_repeat(sentences, seen):
                    owner = next((k for k in kept if sentences & k[3]), None)
                    if owner is not None:
                        owner[4].add(document)
                    continue
                seen |= sentences
                kept.append((row, score, boost, sentences, {document}))
                if len(kept) == wanted:
                    break
            if len(kept) == wanted or len(ranked) < fetch:
                return [(row, score, boost,
                         max(len(docs), self.store.documents_holding(row)) - 1)
                        for row, score, boost, _, docs in kept]
            fetch *= 4

    def _ranked(self, weights: dict[str, float], k: int, allowed: np.ndarray | None,
                prior: Prior, first: np.ndarray | None, by_date: bool,
                kinds: tuple[str, ...] = ()) -> list[tuple[int, float, float]]:
        """The best k (row, BM25 score, prior) in the order shown: passages holding a quoted
        phrase first, then by BM25 x (1 + prior) x (1 + KIND_BOOST where the passage shows the
        kind of answer asked for: a number for 热线是多少). The candidates are the BM25 top k
        overall, within the preferred documents and within the phrase's passages."""
        if by_date:
            return [(row, score, 0.0) for row, score in self._top(weights, k, allowed, True)]
        pools = [self._top(weights, k, allowed, False)]
        boost = prior.document_boost
        if boost is not None:
            preferred = np.flatnonzero(boost[self.store.row_document] > 0)
            if allowed is not None:
                preferred = np.intersect1d(preferred, allowed, assume_unique=True)
            if len(preferred):
                pools.append(self._top(weights, k, preferred, False))
        leading: set[int] = set()
        if first is not None:
            pools.append(self._top(weights, k, first, False))
            leading = set(first.tolist())
        scored = {row: score for pool in pools for row, score in pool}
        extras = (boost[self.store.row_document[list(scored)]].tolist() if boost is not None
                  else [0.0] * len(scored))
        out = [(row, score, extra) for (row, score), extra
               in zip(scored.items(), extras, strict=True)]
        shows = {row for row, *_ in out if kinds and holds_kind(self.store.text(row), kinds)}
        out.sort(key=lambda r: (r[0] in leading,
                                r[1] * (1 + r[2]) * (1 + KIND_BOOST * (r[0] in shows)), -r[0]),
                 reverse=True)
        return out[:k]

    def _top(self, weights: dict[str, float], k: int, allowed: np.ndarray | None,
             by_date: bool) -> list[tuple[int, float]]:
        if allowed is None:
            return self.index.top(weights, k)
        if by_date:  # every allowed row holds the phrase: newest document first
            if len(allowed) <= LOOKUP_ROWS:  # a few documents: look their rows up
                rows, scores = allowed, self.index.scores_of(weights, allowed)
            else:
                rows, scores = self.index.scores(weights)
            years = np.array([self.store.document_infos[s].date or "" for s in
                              self.store.row_document[allowed]])
            order = sorted(range(len(allowed)), key=lambda i: (years[i], -allowed[i]),
                           reverse=True)
            score_of = dict(zip(rows.tolist(), scores.tolist(), strict=True))
            return [(int(allowed[i]), score_of.get(int(allowed[i]), 0.0)) for i in order[:k]]
        ranked = [(row, score) for row, score in self.index.top(weights, k, allowed)
                  if score != 0]
        if len(ranked) < k:  # allowed rows that hold no query term still count, after
            held = np.array([row for row, _ in ranked], dtype=np.int64)
            rest = np.setdiff1d(allowed, held)[:k - len(ranked)]
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

    def _is_settlement(self, word: str) -> bool:
        """Whether a bare word names a city or county: jieba's dictionary has it with a suffix
        as a place (深圳市), used often against the word itself. 新建 is ns too, for 新建县, yet
        新建县 is 4 in 1000 uses of 新建; 深圳市 is 553 in 2801, 杭州市 156 in 2806."""
        freq, tags = self.tokenizer.jieba.FREQ, self._posseg.word_tag_tab
        own = freq.get(word) or 1
        return any(tags.get(word + suffix) == "ns"
                   and freq.get(word + suffix, 0) >= SETTLEMENT_SHARE * own
                   for suffix in SETTLEMENT_SUFFIXES)

    @cached_property
    def _gazetteer(self) -> tuple[frozenset[str], int]:
        words = place_gazetteer(self._posseg.word_tag_tab, self.places)
        return words, max(map(len, words), default=0)

    def _tag(self, text: str) -> list[tuple[str, str]]:
        """The question's words with their part of speech, for the place rules; a question
        holding no word that could name a place is not tagged (nothing to find)."""
        if not may_name_place(text, *self._gazetteer):
            return []
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


def _sentences(notes: list[str]) -> str | None:
    """Notes as one text for the reader: each a sentence of its own."""
    return "。".join(n.rstrip("。") for n in notes) + "。" if notes else None


def _as_typed(word: str, question: str) -> str:
    """A word of the question as the asker spelled it (GDP, not the index's gdp)."""
    found = re.search(re.escape(word), question, re.IGNORECASE)
    return found.group() if found else word


def _code_digest() -> str:
    h = hashlib.sha256()
    for name in INDEXING_CODE:
        path = Path(__file__).parent / name
        if path.exists():
            h.update(path.read_bytes())
    return h.hexdigest()
