"""The sparse scorer gives rank_bm25's scores exactly, and top-k is exact."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval import Engine
from retrieval.index import BM25Index, top_k


def _pair(docs: list[list[str]]) -> tuple[BM25Index, BM25Okapi]:
    return BM25Index.fit(docs, 1.5, 0.75, 0.25), BM25Okapi(docs, k1=1.5, b=0.75, epsilon=0.25)


def test_parity_on_random_corpus() -> None:
    rng = random.Random(7)
    vocab = [f"w{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]  # Zipf-like: some terms in most documents
    docs = [rng.choices(vocab, weights, k=rng.randint(0, 40)) for _ in range(500)]
    ours, reference = _pair(docs)
    queries = [rng.choices(vocab, weights, k=rng.randint(1, 8)) for _ in range(100)]
    queries += [["w0"], ["w0", "w0", "w1"], ["unknown"], ["w5", "unknown", "w5"]]
    for query in queries:
        expected = reference.get_scores(query)
        np.testing.assert_allclose(ours.all_scores(query), expected, rtol=1e-10, atol=1e-12)
        assert (np.sort(ours.all_scores(query)) < 0).any() == (expected < 0).any()


def test_parity_on_seeds(seed_engine: Engine) -> None:
    store = seed_engine.store
    docs = [seed_engine.tokenizer.tokens(store.text(i)) for i in range(len(store))]
    reference = BM25Okapi(docs, k1=1.5, b=0.75, epsilon=0.25)
    for question in ["教师队伍建设有哪些要求？", "县管校聘", "学校请保安的钱由谁出？",
                     "师德 负面清单", "公积金贷款买房最高能贷多少？", "教育"]:
        query = seed_engine.tokenizer.query_terms(question)
        np.testing.assert_allclose(seed_engine.index.all_scores(query),
                                   reference.get_scores(query), rtol=1e-10, atol=1e-12)


def test_saved_index_scores_the_same(tmp_path) -> None:
    docs = [["a", "b"], ["b", "c", "c"], [], ["d"]]
    index, reference = _pair(docs)
    index.save(tmp_path)
    loaded = BM25Index.load(tmp_path, 1.5, 0.75, 0.25)
    for query in (["b"], ["c", "d"], ["a", "zz"]):
        np.testing.assert_allclose(loaded.all_scores(query), reference.get_scores(query))


@pytest.mark.parametrize("k", [1, 3, 10, 50])
def test_top_k_matches_full_sort(k: int) -> None:
    rng = np.random.default_rng(3)
    rows = np.sort(rng.choice(100_000, size=2000, replace=False))
    values = rng.integers(0, 20, size=2000).astype(float)  # many ties
    got = top_k(rows, values, k)
    order = sorted(zip(rows.tolist(), values.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
    assert got == order[:k]


def test_top_k_of_nothing() -> None:
    assert top_k(np.empty(0, dtype=np.int64), np.empty(0), 5) == []
