"""Exact BM25 over a sparse term-frequency matrix.

The scores are rank_bm25.BM25Okapi's, formula for formula (idf with its epsilon floor for very
common terms, k1/b length normalisation), but a query only touches the postings of its own
terms instead of looping over every passage in Python, and top-k only looks at the passages
that matched. Arrays are saved as .npy files and memory-mapped on load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

ARRAYS = ("indptr", "rows", "tf", "doc_len")


@dataclass
class BM25Index:
    vocab: dict[str, int]
    indptr: np.ndarray  # CSC column pointers: postings of term t are [indptr[t], indptr[t+1])
    rows: np.ndarray  # passage index of each posting (int32), ascending within a term
    tf: np.ndarray  # term frequency of each posting
    doc_len: np.ndarray  # tokens per passage
    k1: float
    b: float
    epsilon: float

    @classmethod
    def fit(cls, docs: Sequence[Sequence[str]], k1: float, b: float, epsilon: float) -> BM25Index:
        vocab: dict[str, int] = {}
        cols: list[int] = []
        row_ids: list[int] = []
        for i, doc in enumerate(docs):
            for token in doc:
                cols.append(vocab.setdefault(token, len(vocab)))
            row_ids.extend([i] * len(doc))
        n = len(docs)
        counts = sparse.coo_matrix(
            (np.ones(len(cols), dtype=np.int32), (np.array(row_ids, dtype=np.int64),
                                                  np.array(cols, dtype=np.int64))),
            shape=(n, len(vocab))).tocsc()
        counts.sum_duplicates()
        counts.sort_indices()
        doc_len = np.array([len(d) for d in docs], dtype=np.float64)
        return cls(vocab, counts.indptr.astype(np.int64), counts.indices.astype(np.int32),
                   counts.data.astype(np.float64), doc_len, k1, b, epsilon)

    def __post_init__(self) -> None:
        self.n = len(self.doc_len)
        total = float(self.doc_len.sum())
        self.avgdl = total / self.n if self.n else 0.0
        df = np.diff(self.indptr).astype(np.float64)
        idf = np.log(self.n - df + 0.5) - np.log(df + 0.5)
        average = float(idf.sum()) / len(idf) if len(idf) else 0.0
        self.idf = np.where(idf < 0, self.epsilon * average, idf)
        # The per-passage part of BM25's denominator, computed once instead of per query.
        with np.errstate(divide="ignore", invalid="ignore"):
            self.norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl)

    def term_ids(self, terms: Iterable[str]) -> list[int]:
        return [t for t in (self.vocab.get(term) for term in terms) if t is not None]

    def idf_of(self, term: str) -> float:
        """idf of a term; one never seen gets the idf of a term in no passage (the maximum)."""
        t = self.vocab.get(term)
        if t is not None:
            return float(self.idf[t])
        return float(np.log(self.n + 0.5) - np.log(0.5))

    def scores(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """(passage indices with a score > 0 or matched, their scores): BM25Okapi.get_scores
        restricted to the passages that contain a query term (all others score exactly 0)."""
        counts: dict[int, int] = {}
        for t in self.term_ids(query):
            counts[t] = counts.get(t, 0) + 1
        if not counts:
            return np.empty(0, dtype=np.int64), np.empty(0)
        postings = [self._postings(t, c) for t, c in counts.items()]
        if len(postings) == 1:
            return postings[0]
        rows = np.concatenate([p[0] for p in postings])
        weights = np.concatenate([p[1] for p in postings])
        unique, inverse = np.unique(rows, return_inverse=True)
        return unique, np.bincount(inverse, weights=weights, minlength=len(unique))

    def _postings(self, t: int, count: int) -> tuple[np.ndarray, np.ndarray]:
        lo, hi = self.indptr[t], self.indptr[t + 1]
        rows = np.asarray(self.rows[lo:hi], dtype=np.int64)
        tf = self.tf[lo:hi]
        weight = self.idf[t] * (tf * (self.k1 + 1) / (tf + self.norm[rows]))
        return rows, weight * count if count != 1 else weight

    def match_share(self, terms: Sequence[str], row: int) -> float:
        """How much of the question one passage matches: its BM25 score over `terms` divided by
        the score of an average-length passage holding each term once (the sum of their idf).
        Terms unknown to the corpus count in the divisor with the highest idf."""
        possible = sum(self.idf_of(term) for term in terms)
        if possible <= 0:
            return 0.0
        score = 0.0
        for t in self.term_ids(terms):
            lo, hi = int(self.indptr[t]), int(self.indptr[t + 1])
            i = lo + int(np.searchsorted(self.rows[lo:hi], row))
            if i < hi and self.rows[i] == row:
                tf = self.tf[i]
                score += self.idf[t] * (tf * (self.k1 + 1) / (tf + self.norm[row]))
        return score / possible

    def all_scores(self, query: Sequence[str]) -> np.ndarray:
        """Scores of every passage, like BM25Okapi.get_scores (for tests and benchmarks)."""
        out = np.zeros(self.n)
        rows, values = self.scores(query)
        out[rows] = values
        return out

    def top(self, query: Sequence[str], k: int) -> list[tuple[int, float]]:
        """The k best (passage index, score), best first; ties by passage order."""
        rows, values = self.scores(query)
        return top_k(rows, values, k)

    def save(self, directory: Path) -> None:
        for name in ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)
        terms = sorted(self.vocab, key=self.vocab.__getitem__)
        (directory / "vocab.json").write_text(json.dumps(terms, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path, k1: float, b: float, epsilon: float) -> BM25Index:
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in ARRAYS}
        terms = json.loads((directory / "vocab.json").read_text("utf-8"))
        index = cls({term: i for i, term in enumerate(terms)}, k1=k1, b=b, epsilon=epsilon,
                    **arrays)
        if len(index.indptr) != len(terms) + 1 or index.indptr[-1] != len(index.rows) \
                or len(index.rows) != len(index.tf):
            raise ValueError("index arrays are inconsistent")
        return index


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
