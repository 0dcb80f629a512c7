"""The sparse scorer gives rank_bm25's scores exactly, and top-k is exact."""

from __future__ import annotations

import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from retrieval import Engine
from retrieval import index as index_module
from retrieval.build import passage_label, passage_tokens
from retrieval.index import (
    FEW_ROWS,
    BM25Index,
    Segment,
    append_segment,
    count_tokens,
    load_vocab,
    save_vocab,
    top_k,
)
from retrieval.kernel import _dense_posting


def _pair(docs: list[list[str]]) -> tuple[BM25Index, BM25Okapi]:
    return BM25Index.fit(docs, 1.5, 0.75, 0.25), BM25Okapi(docs, k1=1.5, b=0.75, epsilon=0.25)


def _assert_same_top(got: list[tuple[int, float]], expected: list[tuple[int, float]]) -> None:
    """Same passages in the same order, scores equal up to float summation order."""
    assert [row for row, _ in got] == [row for row, _ in expected]
    np.testing.assert_allclose([s for _, s in got], [s for _, s in expected], rtol=1e-12)


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


def test_weighted_query_is_the_weighted_sum_of_term_scores() -> None:
    """Synonyms are searched at a lower weight: each term's BM25Okapi score times its weight."""
    rng = random.Random(13)
    vocab = [f"w{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]
    docs = [rng.choices(vocab, weights, k=rng.randint(0, 40)) for _ in range(800)]
    ours, reference = _pair(docs)
    for _ in range(60):
        query = {t: rng.choice([1.0, 0.5, 0.3]) for t in rng.choices(vocab, weights, k=6)}
        query["unknown"] = 0.5
        expected = sum(w * reference.get_scores([t]) for t, w in query.items())
        np.testing.assert_allclose(ours.all_scores(query), expected, rtol=1e-10, atol=1e-12)
        for k in (1, 5, 20):
            _assert_same_top(ours.top(query, k), top_k(*ours.scores(query), k))


def test_parity_on_seeds(seed_engine: Engine) -> None:
    store = seed_engine.store
    docs = [passage_tokens(seed_engine.tokenizer, p.text, passage_label(p))
            for p in map(store.get, range(len(store)))]
    reference = BM25Okapi(docs, k1=1.5, b=0.75, epsilon=0.25)
    for question in ["教师队伍建设有哪些要求？", "县管校聘", "学校请保安的钱由谁出？",
                     "师德 负面清单", "公积金贷款买房最高能贷多少？", "教育"]:
        query = seed_engine.tokenizer.query_terms(question)
        np.testing.assert_allclose(seed_engine.index.all_scores(query),
                                   reference.get_scores(query), rtol=1e-10, atol=1e-12)


def test_saved_segment_scores_the_same(tmp_path) -> None:
    docs = [["a", "b"], ["b", "c", "c"], [], ["d"]]
    index, reference = _pair(docs)
    index.segments[0].save(tmp_path)
    save_vocab(index.vocab, tmp_path / "vocab.json")
    loaded = BM25Index(load_vocab(tmp_path / "vocab.json"), [Segment.load(tmp_path)],
                       1.5, 0.75, 0.25)
    for query in (["b"], ["c", "d"], ["a", "zz"]):
        np.testing.assert_allclose(loaded.all_scores(query), reference.get_scores(query))


def test_appended_segment_equals_a_fit_of_everything() -> None:
    rng = random.Random(11)
    vocab_words = [f"w{i}" for i in range(120)]
    old = [rng.choices(vocab_words[:100], k=rng.randint(1, 30)) for _ in range(300)]
    new = [rng.choices(vocab_words, k=rng.randint(1, 30)) for _ in range(40)]  # new terms too
    index = BM25Index.fit(old, 1.5, 0.75, 0.25)
    vocab = dict(index.vocab)
    grown = index.with_segment(vocab, append_segment(vocab, [count_tokens(new)]))
    reference = BM25Okapi(old + new, k1=1.5, b=0.75, epsilon=0.25)
    for query in (["w1", "w105"], ["w0"], ["w119", "w3", "w3"], rng.choices(vocab_words, k=6)):
        np.testing.assert_allclose(grown.all_scores(query), reference.get_scores(query),
                                   rtol=1e-10, atol=1e-12)
        _assert_same_top(grown.top(query, 10), top_k(*grown.scores(query), 10))


def test_maxscore_top_k_is_exact() -> None:
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(2000)]
    weights = [1 / (i + 1) ** 0.8 for i in range(2000)]
    docs = [rng.choices(vocab, weights, k=rng.randint(5, 60)) for _ in range(3000)]
    index = BM25Index.fit(docs, 1.5, 0.75, 0.25)
    for _ in range(200):
        query = rng.choices(vocab, weights, k=rng.randint(1, 25))
        for k in (1, 3, 10, 40):
            _assert_same_top(index.top(query, k), top_k(*index.scores(query), k))


def test_maxscore_on_seed_questions(seed_engine: Engine) -> None:
    for question in ["教师队伍建设有哪些要求？", "县管校聘", "学校请保安的钱由谁出？",
                     "师德 负面清单", "教育", "全市的职普比提升到了多少？"]:
        query = seed_engine.tokenizer.query_terms(question)
        full = top_k(*seed_engine.index.scores(query), 30)
        _assert_same_top(seed_engine.index.top(query, 30), full)


def test_a_common_terms_bitmap_finds_each_of_its_postings() -> None:
    """The bitmap of a term most passages hold gives, for every row, its posting or none."""
    rng = random.Random(17)
    docs = [rng.choices(["a", "b", "c"], [5, 2, 1], k=rng.randint(0, 3)) for _ in range(1000)]
    index = BM25Index.fit(docs, 1.5, 0.75, 0.25)  # 1000 rows: the last word half full
    seg = index.segments[0]
    ids = np.array(index.term_ids(["a", "b", "c"]), dtype=np.int64)
    lo, hi = index._ranges(seg, ids)
    at, bits, rank = seg.dense.lookup(ids, lo, hi)
    assert (at >= 0).all()
    for i, t in enumerate(ids.tolist()):
        where = {int(seg.rows[p]): p for p in range(lo[i], hi[i])}
        assert len(where) == index.df[t] > 0
        for row in range(seg.n):
            assert _dense_posting(bits, rank, at[i], lo[i], row) == where.get(row, -1)


def test_maxscore_is_exact_with_and_without_bitmaps(monkeypatch) -> None:
    """Common terms looked up in bitmaps, or by search once no more bitmaps may be built:
    the same top k as a full scoring either way."""
    rng = random.Random(29)
    vocab = [f"w{i}" for i in range(400)]
    weights = [1 / (i + 1) ** 0.7 for i in range(400)]
    docs = [rng.choices(vocab, weights, k=rng.randint(3, 50)) for _ in range(2500)]
    queries = [{t: rng.choice([1.0, 0.5]) for t in rng.choices(vocab, weights, k=20)}
               for _ in range(60)]
    cases = {10**9: 512, index_module.DENSE_SHARE: 12, 1: 512}  # share: most bitmaps
    asked = len({t for query in queries for t in query})  # all in some passage, none in all
    for share, terms in cases.items():
        monkeypatch.setattr(index_module, "DENSE_SHARE", share)
        monkeypatch.setattr(index_module, "DENSE_TERMS", terms)
        index = BM25Index.fit(docs, 1.5, 0.75, 0.25)
        for query in queries:
            for k in (1, 10, 32):
                _assert_same_top(index.top(query, k), top_k(*index.scores(query), k))
        expected = asked if share == 10**9 else 0 if share == 1 else terms
        assert len(index.segments[0].dense._at) == expected


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


def test_top_within_allowed_rows_over_segments() -> None:
    """The kernel's runs of allowed rows, across appended segments, give the same top k as
    scoring everything and keeping the allowed rows; ties fall to the earlier passage."""
    rng = random.Random(23)
    vocab = [f"w{i}" for i in range(120)]
    weights = [1 / (i + 1) for i in range(120)]
    docs = [rng.choices(vocab, weights, k=rng.randint(1, 30)) for _ in range(1500)]
    docs += [["w3", "w7"]] * 40  # equal scores: the order must be the passages' order
    terms: dict[str, int] = {}
    first = append_segment(terms, [count_tokens(docs[:900])])
    index = BM25Index(dict(terms), [first], 1.5, 0.75, 0.25)
    index = index.with_segment(terms, append_segment(terms, [count_tokens(docs[900:])]))
    for _ in range(40):
        query = {t: rng.choice([1.0, 0.5]) for t in rng.choices(vocab, weights, k=8)}
        # A few documents (scored one by one) or many (the kernel's runs): both paths.
        runs = sorted(rng.sample(range(0, len(docs), 20), rng.choice([15, 60])))
        allowed = np.unique(np.concatenate([np.arange(s, s + rng.randint(1, 60)) for s in runs]))
        allowed = allowed[allowed < len(docs)]
        rows, scores = index.scores(query)
        inside = np.isin(rows, allowed)
        for k in (1, 10, 40):
            _assert_same_top(index.top(query, k, allowed), top_k(rows[inside], scores[inside], k))
    assert FEW_ROWS < 1500 < len(docs)
    tied = index.top({"w3": 1.0, "w7": 1.0}, 30, np.arange(len(docs) - 1500, len(docs)))
    equal = [row for row, score in tied if score == tied[-1][1]]
    assert len(equal) > 5 and equal == sorted(equal)


def test_top_over_a_segment_of_no_terms() -> None:
    """Files whose passages hold no token append a segment with no terms at all."""
    terms: dict[str, int] = {}
    empty = append_segment(terms, [count_tokens([[], []])])
    index = BM25Index(dict(terms), [empty], 1.5, 0.75, 0.25)
    index = index.with_segment(terms, append_segment(terms, [count_tokens([["a", "b"], ["c"]])]))
    assert [row for row, _ in index.top(["a"], 5)] == [2]
    assert [row for row, _ in index.top({"a": 1.0, "c": 1.0}, 5, np.arange(4))] == [3, 2]


def test_one_passages_weights_are_its_term_scores_over_segments() -> None:
    """What abstaining reads (each word's weight in the best passage) equals rank_bm25's
    per-term score, in either of two segments, and 0 for a term it lacks or nobody has."""
    rng = random.Random(5)
    vocab = [f"w{i}" for i in range(120)]
    weights = [1 / (i + 1) for i in range(120)]
    docs = [rng.choices(vocab, weights, k=rng.randint(0, 30)) for _ in range(300)]
    index = BM25Index.fit(docs[:200], 1.5, 0.75, 0.25)
    vocab_ids = dict(index.vocab)
    index = index.with_segment(vocab_ids, append_segment(vocab_ids, [count_tokens(docs[200:])]))
    reference = BM25Okapi(docs, k1=1.5, b=0.75, epsilon=0.25)
    terms = [*vocab[:40], "unknown"]
    expected = {t: reference.get_scores([t]) for t in terms}
    for row in (0, 57, 199, 200, 263, 299):
        got = index.row_weights(terms, row)
        for t in terms:
            assert got[t] == pytest.approx(expected[t][row], rel=1e-12, abs=1e-12)
            assert got[t] == index.scores_of([t], np.array([row]))[0]
    rows = np.array([0, 57, 199, 200, 263, 299])
    query = {"w0": 1.0, "w3": 0.5, "w17": 0.3, "unknown": 0.5}
    expected_sum = sum(w * reference.get_scores([t]) for t, w in query.items())[rows]
    np.testing.assert_allclose(index.scores_of(query, rows), expected_sum, rtol=1e-12)
