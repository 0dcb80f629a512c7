"""Exact BM25 over sparse term-frequency segments.

The scores are rank_bm25.BM25Okapi's, formula for formula (idf with its epsilon floor for very
common terms, k1/b length normalisation), but a query only reads the postings of its own terms
instead of looping over every passage in Python, and top-k runs MaxScore in a compiled kernel
(kernel.py): terms whose best possible contribution cannot lift a passage into the top k are
only looked up for the passages that can still make it. The result is the same top k, not an
approximation.

An index is a list of segments (runs of consecutive passages), so a new document is appended as
a small segment instead of rebuilding; idf and average length are always computed over all
segments together, so scores equal a fit over the whole corpus. Arrays are saved as .npy
files and memory-mapped on load.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .kernel import add_scores, dense_bitmap, term_ratio_max, tf_in_row, top_segment

SEGMENT_ARRAYS = ("indptr", "rows", "tf", "doc_len")
TF_MAX = np.iinfo(np.uint16).max
SEED_POSTINGS = 4096  # postings of the highest-bound terms scored first, for a high k-th best
FEW_ROWS = 1024  # as many allowed rows or fewer are scored one by one, not by the kernel
DENSE_UNION = 16  # a union of more than n / DENSE_UNION postings is summed densely
DENSE_SHARE = 256  # a term in 1 / DENSE_SHARE of a segment's passages or more may get a bitmap
DENSE_TERMS = 512  # the segment's most common terms that may (1.6M passages: 300 KB each)
# A query: tokens (a repeated token counts again, as in BM25Okapi.get_scores) or each term's
# weight (the score is then the weighted sum of the terms' BM25 scores).
QueryTerms = Sequence[str] | Mapping[str, float]


@dataclass
class Segment:
    """Postings of consecutive passages over the first len(indptr) - 1 terms of the vocabulary."""

    indptr: np.ndarray  # int64: postings of term t are [indptr[t], indptr[t+1])
    rows: np.ndarray  # int32 row within the segment, ascending within a term
    tf: np.ndarray  # uint16 term frequency of each posting
    doc_len: np.ndarray  # int32 tokens per passage

    @property
    def n(self) -> int:
        return len(self.doc_len)

    @property
    def terms(self) -> int:
        return len(self.indptr) - 1

    @cached_property
    def dense(self) -> DenseRows:
        return DenseRows(self)

    def df(self, terms: int) -> np.ndarray:
        out = np.zeros(terms, dtype=np.int64)
        out[:self.terms] = np.diff(self.indptr)
        return out

    def save(self, directory: Path) -> None:
        for name in SEGMENT_ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> Segment:
        seg = cls(**{name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                     for name in SEGMENT_ARRAYS})
        if seg.indptr[-1] != len(seg.rows) or len(seg.rows) != len(seg.tf):
            raise ValueError("index arrays are inconsistent")
        return seg

    @classmethod
    def from_columns(cls, chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]],
                     doc_len: np.ndarray, terms: int) -> Segment:
        """Counting-sort per-passage (term, tf) lists into CSC postings, chunk by chunk, so the
        peak memory is the result plus one chunk. Each chunk is (cols, tf, nnz per passage)
        for consecutive passages, cols are global term ids."""
        df = np.zeros(terms, dtype=np.int64)
        for cols, _, _ in chunks:
            df += np.bincount(cols, minlength=terms)
        indptr = np.zeros(terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        rows_out = np.empty(int(indptr[-1]), dtype=np.int32)
        tf_out = np.empty(int(indptr[-1]), dtype=np.uint16)
        cursor = indptr[:-1].copy()
        first_row = 0
        while chunks:
            cols, tf, nnz = chunks.pop(0)
            rows = np.repeat(np.arange(first_row, first_row + len(nnz), dtype=np.int32), nnz)
            first_row += len(nnz)
            order = np.argsort(cols, kind="stable")
            sorted_cols = cols[order]
            unique, start, count = np.unique(sorted_cols, return_index=True, return_counts=True)
            within = np.arange(len(sorted_cols)) - np.repeat(start, count)
            position = cursor[sorted_cols] + within
            rows_out[position] = rows[order]
            tf_out[position] = tf[order]
            cursor[unique] += count
        return cls(indptr, rows_out, tf_out, doc_len.astype(np.int32))


class DenseRows:
    """Bitmaps of the rows holding a segment's common terms, each with a running count of its
    postings a 64 rows: whether and where a passage holds such a term is then two reads of a
    small array, where a search through postings that most passages are in costs a gallop.
    Built when a query first needs a term, for the DENSE_TERMS most common terms only, into
    one pool allocated whole but zero-filled by the system page by page as it is used (memory
    grows with the terms built, never moves). A term's offset is published only once its bitmap
    is written, so a query running meanwhile reads finished bitmaps only."""

    def __init__(self, segment: Segment) -> None:
        self.segment = segment
        self.words = (segment.n + 63) // 64
        df = np.diff(np.asarray(segment.indptr))
        # The fewest postings that give a term a bitmap: the DENSE_TERMS-th most common term's.
        common = np.partition(df, -DENSE_TERMS)[-DENSE_TERMS] if len(df) > DENSE_TERMS else 1
        self.min_postings = max(int(common), -(-segment.n // DENSE_SHARE), 1)
        self._at: dict[int, int] = {}  # term -> its first word in the pool
        self._bits = np.zeros(DENSE_TERMS * self.words, dtype=np.uint64)
        self._rank = np.zeros(DENSE_TERMS * self.words, dtype=np.int32)
        self._lock = threading.Lock()

    def lookup(self, ids: np.ndarray, lo: np.ndarray,
               hi: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(each term's first word in the pool or -1, the pool's bits, its counts)."""
        wanted = [(t, a, b) for t, a, b in zip(ids.tolist(), lo.tolist(), hi.tolist(),
                                                strict=True)
                  if t not in self._at and b - a >= self.min_postings]
        if wanted:
            with self._lock:
                for t, a, b in wanted:
                    if t in self._at or len(self._at) == DENSE_TERMS:
                        continue
                    start = len(self._at) * self.words
                    end = start + self.words
                    dense_bitmap(self.segment.rows, a, b, self._bits[start:end],
                                 self._rank[start:end])
                    self._at[t] = start
        at = np.array([self._at.get(t, -1) for t in ids.tolist()], dtype=np.int64)
        return at, self._bits, self._rank


def count_tokens(docs: Iterable[Sequence[str]]) -> tuple[list[str], np.ndarray, np.ndarray,
                                                         np.ndarray, np.ndarray]:
    """Token lists -> (local vocabulary, local term ids, tf, nnz per doc, doc lengths).

    The per-token work stays in C (Counter, map, set difference): this runs once per
    passage of the corpus."""
    local: dict[str, int] = {}
    cols: list[int] = []
    tfs: list[int] = []
    nnz: list[int] = []
    lengths: list[int] = []
    for doc in docs:
        counts = Counter(doc)
        new = set(counts).difference(local)  # iterates `counts`, looks up in `local`
        for token in filter(new.__contains__, counts):  # first-seen order: reproducible ids
            local[token] = len(local)
        cols.extend(map(local.__getitem__, counts))
        tfs.extend(counts.values())
        nnz.append(len(counts))
        lengths.append(len(doc))
    return (list(local), np.array(cols, dtype=np.int32),
            np.minimum(np.array(tfs, dtype=np.int64), TF_MAX).astype(np.uint16),
            np.array(nnz, dtype=np.int32), np.array(lengths, dtype=np.int32))


class BM25Index:
    def __init__(self, vocab: dict[str, int], segments: list[Segment], k1: float, b: float,
                 epsilon: float) -> None:
        self.vocab = vocab
        self.segments = segments
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.starts = np.cumsum([0] + [s.n for s in segments])
        self.n = int(self.starts[-1])
        doc_len = (np.concatenate([s.doc_len for s in segments]).astype(np.float64)
                   if segments else np.zeros(0))
        self.avgdl = float(doc_len.sum()) / self.n if self.n else 0.0
        df = sum((s.df(len(vocab)) for s in segments), np.zeros(len(vocab), dtype=np.int64))
        self.df = df
        idf = np.log(self.n - df + 0.5) - np.log(df + 0.5)
        average = float(idf.sum()) / len(idf) if len(idf) else 0.0
        self.idf = np.where(idf < 0, epsilon * average, idf)
        # The per-passage part of BM25's denominator, computed once instead of per query.
        with np.errstate(divide="ignore", invalid="ignore"):
            self.norm = k1 * (1 - b + b * doc_len / self.avgdl)
        self._ratios = np.full(len(vocab), np.nan)  # see _ratio_max

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], k1: float, b: float, epsilon: float) -> BM25Index:
        """One segment from token lists (the parallel builder in build.py does the same)."""
        vocab: dict[str, int] = {}
        segment = append_segment(vocab, [count_tokens(docs)])
        return cls(vocab, [segment], k1, b, epsilon)

    def with_segment(self, vocab: dict[str, int], segment: Segment) -> BM25Index:
        """A new index with `segment` appended; statistics recomputed over everything."""
        return BM25Index(vocab, [*self.segments, segment], self.k1, self.b, self.epsilon)

    def term_ids(self, terms: Iterable[str]) -> list[int]:
        return [t for t in (self.vocab.get(term) for term in terms) if t is not None]

    def idf_of(self, term: str) -> float:
        """idf of a term; one never seen gets the idf of a term in no passage (the maximum)."""
        t = self.vocab.get(term)
        if t is not None:
            return float(self.idf[t])
        return float(np.log(self.n + 0.5) - np.log(0.5))

    def _postings(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(global rows, BM25 weight) of every passage holding term t."""
        rows, weights = [], []
        for start, seg in zip(self.starts, self.segments, strict=False):
            if t < seg.terms:
                lo, hi = seg.indptr[t], seg.indptr[t + 1]
                if hi > lo:
                    r = np.asarray(seg.rows[lo:hi], dtype=np.int64) + start
                    rows.append(r)
                    weights.append(self._weight(t, np.asarray(seg.tf[lo:hi]), r))
        if len(rows) == 1:
            return rows[0], weights[0]
        if not rows:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return np.concatenate(rows), np.concatenate(weights)

    def _weight(self, t: int, tf: np.ndarray, rows: np.ndarray) -> np.ndarray:
        tf = tf.astype(np.float64)
        return self.idf[t] * (tf * (self.k1 + 1) / (tf + self.norm[rows]))

    def postings_rows(self, t: int) -> np.ndarray:
        """The global rows (ascending) of every passage holding term t."""
        parts = [np.asarray(seg.rows[seg.indptr[t]:seg.indptr[t + 1]], dtype=np.int64) + start
                 for start, seg in zip(self.starts, self.segments, strict=False)
                 if t < seg.terms]
        return np.concatenate(parts) if parts else np.empty(0, dtype=np.int64)

    def _query(self, query: QueryTerms) -> list[tuple[int, float]]:
        """(term id, weight) of the query's terms the corpus holds."""
        if isinstance(query, Mapping):
            return [(self.vocab[term], float(weight)) for term, weight in query.items()
                    if term in self.vocab and weight != 0]
        return [(t, float(c)) for t, c in Counter(self.term_ids(query)).items()]

    def scores(self, query: QueryTerms) -> tuple[np.ndarray, np.ndarray]:
        """(passages holding a query term, their scores): BM25Okapi.get_scores without the
        passages that hold none (they score exactly 0)."""
        terms = self._query(query)
        if not terms:
            return np.empty(0, dtype=np.int64), np.empty(0)
        return self._union(terms)

    def scores_of(self, query: QueryTerms, rows: np.ndarray) -> np.ndarray:
        """The scores of the given passages only (sorted global rows): for a query asked
        within a few documents, cheaper than the union of long postings."""
        out = np.zeros(len(rows))
        terms = self._query(query)
        if not terms or not len(rows):
            return out
        ids = np.array([t for t, _ in terms], dtype=np.int64)
        weight = np.array([c for _, c in terms])
        idf = self.idf[ids]
        rows = np.asarray(rows, dtype=np.int64)
        for start, seg, norm in zip(self.starts, self.segments, self._segment_norms,
                                    strict=False):
            a, b = np.searchsorted(rows, [start, start + seg.n])
            if a < b:
                lo, hi = self._ranges(seg, ids)
                add_scores(seg.rows, seg.tf, lo, hi, idf, weight, self.k1 + 1, norm,
                           rows[a:b] - start, out[a:b], *seg.dense.lookup(ids, lo, hi))
        return out

    def all_scores(self, query: QueryTerms) -> np.ndarray:
        """Scores of every passage, like BM25Okapi.get_scores (for tests and benchmarks)."""
        out = np.zeros(self.n)
        rows, values = self.scores(query)
        out[rows] = values
        return out

    def top(self, query: QueryTerms, k: int,
            allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The exact k best (passage index, score), best first; ties by passage order.
        `allowed` (sorted global rows), if given, are the only passages that may rank.

        MaxScore, document at a time, in the compiled kernel (kernel.top_segment): a term adds
        at most weight * idf * (k1 + 1) * max(tf / (tf + norm)) over its postings to a passage,
        so once the k-th best score exceeds what the cheapest terms can add together, passages
        only they hold are skipped. Exact, not approximate."""
        terms = self._query(query)
        k = min(k, self.n)  # the heap holds k: a page far past the end asks for no more
        if not terms or k <= 0:
            return []
        if any(self.idf[t] < 0 or c < 0 for t, c in terms):  # negative weights void the bounds
            rows, scores = self.scores(query)
            if allowed is not None:
                inside = np.isin(rows, allowed)
                rows, scores = rows[inside], scores[inside]
            return top_k(rows, scores, k)
        if allowed is not None and len(allowed) <= FEW_ROWS:
            scores = self.scores_of(query, allowed)
            return top_k(allowed[scores != 0], scores[scores != 0], k)  # as postings give
        ids = np.array([t for t, _ in terms], dtype=np.int64)
        weight = np.array([c for _, c in terms])
        idf = self.idf[ids]
        bound = weight * idf * (self.k1 + 1) * self._ratio_max(ids)
        order = np.argsort(bound, kind="stable")
        # The seeds: the terms of highest bound, up to SEED_POSTINGS postings (at least one).
        seeds = max(1, int((np.cumsum(self.df[ids[order[::-1]]]) <= SEED_POSTINGS).sum()))
        ranges = _runs(allowed) if allowed is not None else None
        heap_scores, heap_rows = np.empty(k), np.empty(k, dtype=np.int64)
        size = 0
        parts = []
        for start, seg, norm in zip(self.starts, self.segments, self._segment_norms,
                                    strict=False):
            runs = _within(ranges, int(start), seg.n)
            if runs is not None:
                lo, hi = self._ranges(seg, ids)
                parts.append((int(start), seg, norm, lo, hi, *runs,
                              *seg.dense.lookup(ids, lo, hi)))
        for seeding in (True, False):
            for start, seg, norm, lo, hi, range_lo, range_hi, *dense in parts:
                size = top_segment(seg.rows, seg.tf, lo, hi, idf, weight, bound, order,
                                   self.k1 + 1, norm, range_lo, range_hi, start, seeds,
                                   seeding, heap_scores, heap_rows, size, *dense)
        return top_k(heap_rows[:size], heap_scores[:size], k)

    @staticmethod
    def _ranges(seg: Segment, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each term's postings [lo, hi) in a segment (empty for terms it predates)."""
        inside = ids < seg.terms
        indptr = np.asarray(seg.indptr)  # a segment of no terms has indptr [0] alone
        return (np.where(inside, indptr[np.where(inside, ids, 0)], 0),
                np.where(inside, indptr[np.where(inside, ids + 1, 0)], 0))

    @cached_property
    def _segment_norms(self) -> list[np.ndarray]:
        return [self.norm[start:start + seg.n] for start, seg in
                zip(self.starts, self.segments, strict=False)]

    def _ratio_max(self, ids: np.ndarray) -> np.ndarray:
        """Per term, max over its postings of tf / (tf + norm): computed once per term, when
        a query first needs it, so loading an index touches none of its postings."""
        missing = ids[np.isnan(self._ratios[ids])]
        for t in missing.tolist():
            self._ratios[t] = max(
                (term_ratio_max(np.asarray(seg.indptr), np.asarray(seg.rows),
                                np.asarray(seg.tf), norm, t)
                 for seg, norm in zip(self.segments, self._segment_norms, strict=False)
                 if t < seg.terms), default=0.0)
        return self._ratios[ids]

    def _union(self, terms: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Rows holding any of the terms, with the sum of those terms' weights."""
        parts = [self._postings(t) for t, _ in terms]
        if len(parts) == 1:
            return parts[0][0], parts[0][1] * terms[0][1]
        rows = np.concatenate([p[0] for p in parts])
        weights = np.concatenate([p[1] * c for p, (_, c) in zip(parts, terms, strict=True)])
        if len(rows) * DENSE_UNION > self.n:
            # Many postings: summing into one slot per passage beats sorting them.
            dense = np.bincount(rows, weights=weights, minlength=self.n)
            held = np.zeros(self.n, dtype=bool)
            held[rows] = True
            unique = np.flatnonzero(held)
            return unique, dense[unique]
        unique, inverse = np.unique(rows, return_inverse=True)
        return unique, np.bincount(inverse, weights=weights, minlength=len(unique))

    def term_weight(self, term: str, row: int) -> float:
        """BM25 weight of one term in one passage; 0 where it is absent or unknown."""
        return self.row_weights([term], row)[term]

    def row_weights(self, terms: Iterable[str], row: int) -> dict[str, float]:
        """BM25 weight of each term in one passage (0 where absent or unknown), the same
        values as scores_of's, in one compiled search of the passage's segment."""
        out = dict.fromkeys(terms, 0.0)
        s = int(np.searchsorted(self.starts, row, side="right")) - 1
        seg = self.segments[s]
        known = [(term, t) for term, t in ((w, self.vocab.get(w)) for w in out)
                 if t is not None and t < seg.terms]
        if not known:
            return out
        ids = np.array([t for _, t in known], dtype=np.int64)
        tf = tf_in_row(np.asarray(seg.indptr), np.asarray(seg.rows), np.asarray(seg.tf), ids,
                       row - int(self.starts[s]))
        weights = self.idf[ids] * (tf * (self.k1 + 1) / (tf + self.norm[row]))
        out.update((term, float(w)) for (term, _), w, f in zip(known, weights, tf, strict=True)
                   if f)
        return out


def append_segment(vocab: dict[str, int],
                   chunks: Iterable[tuple[list[str], np.ndarray, np.ndarray, np.ndarray,
                                          np.ndarray]]) -> Segment:
    """Counted chunks (see count_tokens) -> a segment; new terms are added to `vocab`."""
    columns = []
    lengths = []
    for local_terms, cols, tf, nnz, doc_len in chunks:
        ids = np.fromiter((vocab.setdefault(term, len(vocab)) for term in local_terms),
                          dtype=np.int32, count=len(local_terms))
        columns.append((ids[cols] if len(cols) else cols, tf, nnz))
        lengths.append(doc_len)
    doc_len = np.concatenate(lengths) if lengths else np.zeros(0, dtype=np.int32)
    return Segment.from_columns(columns, doc_len, len(vocab))


def save_vocab(vocab: dict[str, int], path: Path) -> None:
    terms = sorted(vocab, key=vocab.__getitem__)
    path.write_text(json.dumps(terms, ensure_ascii=False), "utf-8")


def load_vocab(path: Path) -> dict[str, int]:
    return {term: i for i, term in enumerate(json.loads(path.read_text("utf-8")))}


NO_RANGES = np.zeros(0, dtype=np.int64)


def _runs(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted rows as runs of consecutive rows [lo, hi): a document's passages are one run."""
    rows = np.asarray(rows, dtype=np.int64)
    if not len(rows):
        return NO_RANGES, NO_RANGES
    breaks = np.flatnonzero(np.diff(rows) != 1)
    return rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, len(rows) - 1]] + 1


def _within(ranges: tuple[np.ndarray, np.ndarray] | None, start: int,
            n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The runs that fall in a segment's rows [start, start + n), in segment rows; no runs
    (empty arrays) mean no restriction, None a segment with no allowed row."""
    if ranges is None:
        return NO_RANGES, NO_RANGES
    lo, hi = ranges
    keep = (hi > start) & (lo < start + n)
    if not keep.any():
        return None
    return (np.maximum(lo[keep], start) - start, np.minimum(hi[keep], start + n) - start)


def top_k(rows: np.ndarray, values: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Exact top-k of a candidate set, sorted by score desc, then passage index asc.

    Works on the matched candidates only, so its cost does not grow with the corpus when
    most passages score 0 (where argpartition over the full score array is slow)."""
    if len(rows) == 0 or k <= 0:
        return []
    if len(rows) > k:
        part = np.argpartition(-values, k - 1)[:k]
        threshold = values[part].min()
        keep = np.flatnonzero(values >= threshold)  # all ties at the boundary, then sort
        rows, values = rows[keep], values[keep]
    order = np.lexsort((rows, -values))[:k]
    return [(int(rows[i]), float(values[i])) for i in order]
