"""The ranking step's inner loops, compiled with numba: exact BM25 top-k by MaxScore.

Document at a time over one segment's postings (rows ascending within a term), the query's
terms sorted by the most they can add to a passage. Once a top-k is full, the cheapest terms
whose bounds together cannot lift a passage above the k-th best score are *non-essential*:
passages only they hold are never visited, and for the others they are looked up (a common
term in its bitmap, the others by galloping search), in order of their bound, only while the
passage can still make it. A passage's final score is summed in the query's own term order,
so equal passages score bit for bit the same and ties fall to the earlier passage, as in a full
scoring. Exact, not approximate.

Numba compiles these on first use and caches the machine code beside this file (or in
NUMBA_CACHE_DIR); the wheels ship LLVM, so no compiler is needed on the machine.
"""

from __future__ import annotations

import numpy as np
from numba import njit

END = 1 << 62  # a row past every segment's last
BOUND_SLACK = 1e-9  # bounds are inflated by this share, so float rounding never prunes a passage


@njit(cache=True, nogil=True)
def term_ratio_max(indptr: np.ndarray, rows: np.ndarray, tf: np.ndarray, norm: np.ndarray,
                   t: int) -> float:
    """max over the postings of term t of tf / (tf + norm): its weight over idf * (k1 + 1)."""
    best = 0.0
    for p in range(indptr[t], indptr[t + 1]):
        f = float(tf[p])
        r = f / (f + norm[rows[p]])
        best = max(best, r)
    return best


@njit(cache=True, nogil=True)
def tf_in_row(indptr: np.ndarray, rows: np.ndarray, tf: np.ndarray, ids: np.ndarray,
              row: int) -> np.ndarray:
    """The tf of each term (ids, all below len(indptr) - 1) in one passage, 0 where it is
    absent: a binary search in each term's postings."""
    out = np.zeros(len(ids))
    for j in range(len(ids)):
        lo, hi = indptr[ids[j]], indptr[ids[j] + 1]
        p = _seek(rows, lo, hi, row)
        if p < hi and rows[p] == row:
            out[j] = tf[p]
    return out


@njit(cache=True, nogil=True)
def add_scores(rows: np.ndarray, tf: np.ndarray, lo: np.ndarray, hi: np.ndarray,
               idf: np.ndarray, weight: np.ndarray, k1p1: float, norm: np.ndarray,
               local: np.ndarray, out: np.ndarray, dense_at: np.ndarray,
               dense_bits: np.ndarray, dense_rank: np.ndarray) -> None:
    """Add to out[j] the weighted BM25 weight of each term (postings [lo[i], hi[i])) in
    passage local[j] (segment rows, ascending), term after term in query order: the sum
    BM25Index.scores_of makes, bit for bit. A term with a bitmap (top_segment) is read there."""
    for i in range(len(lo)):
        if dense_at[i] >= 0:
            for j in range(len(local)):
                c = _dense_posting(dense_bits, dense_rank, dense_at[i], lo[i], local[j])
                if c >= 0:
                    f = float(tf[c])
                    out[j] += weight[i] * (idf[i] * (f * k1p1 / (f + norm[local[j]])))
            continue
        c = lo[i]
        for j in range(len(local)):
            c = _seek(rows, c, hi[i], local[j])
            if c == hi[i]:
                break
            if rows[c] == local[j]:
                f = float(tf[c])
                out[j] += weight[i] * (idf[i] * (f * k1p1 / (f + norm[local[j]])))


@njit(cache=True, nogil=True)
def _better(score_a: float, row_a: int, score_b: float, row_b: int) -> bool:
    """Whether (score_a, row_a) ranks above (score_b, row_b): higher score, then lower row."""
    return score_a > score_b or (score_a == score_b and row_a < row_b)


@njit(cache=True, nogil=True)
def _sift_down(scores: np.ndarray, rows: np.ndarray, size: int, i: int) -> None:
    """Min-heap on rank: the root is the worst of the top-k kept so far."""
    while True:
        child = 2 * i + 1
        if child >= size:
            return
        if child + 1 < size and _better(scores[child], rows[child],
                                        scores[child + 1], rows[child + 1]):
            child += 1
        if _better(scores[child], rows[child], scores[i], rows[i]):
            return
        scores[i], scores[child] = scores[child], scores[i]
        rows[i], rows[child] = rows[child], rows[i]
        i = child


@njit(cache=True, nogil=True)
def _push(scores: np.ndarray, rows: np.ndarray, size: int, score: float, row: int) -> int:
    """Insert into a heap of fewer than its capacity; returns the new size."""
    i = size
    scores[i], rows[i] = score, row
    while i > 0:
        parent = (i - 1) // 2
        if _better(scores[parent], rows[parent], scores[i], rows[i]):
            scores[i], scores[parent] = scores[parent], scores[i]
            rows[i], rows[parent] = rows[parent], rows[i]
            i = parent
        else:
            break
    return size + 1


@njit(cache=True, nogil=True)
def _seek(rows: np.ndarray, c: int, end: int, target: int) -> int:
    """The first posting in [c, end) whose row is >= target: galloping, then bisection, so
    a cursor that moves forward a little pays a little."""
    step = 1
    while c + step < end and rows[c + step] < target:
        c += step
        step *= 2
    left, right = c, min(c + step, end)
    while left < right:
        mid = (left + right) // 2
        if rows[mid] < target:
            left = mid + 1
        else:
            right = mid
    return left


@njit(cache=True, nogil=True)
def _popcount(x: np.uint64) -> int:
    """Set bits of a 64-bit word (SWAR: numba has no portable popcount intrinsic)."""
    x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
    x = (x & np.uint64(0x3333333333333333)) + ((x >> np.uint64(2)) & np.uint64(0x3333333333333333))
    x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
    return int((x * np.uint64(0x0101010101010101)) >> np.uint64(56))


@njit(cache=True, nogil=True)
def dense_bitmap(rows: np.ndarray, lo: int, hi: int, bits: np.ndarray, rank: np.ndarray) -> None:
    """Fill bits (zeroed, one bit per segment row) with the rows of postings [lo, hi), and
    rank[w] with the postings before word w: posting of row r = lo + rank[r >> 6] + the set
    bits below r in its word."""
    for p in range(lo, hi):
        r = rows[p]
        bits[r >> 6] |= np.uint64(1) << np.uint64(r & 63)
    total = 0
    for w in range(len(bits)):
        rank[w] = total
        total += _popcount(bits[w])


@njit(cache=True, nogil=True)
def _dense_posting(bits: np.ndarray, rank: np.ndarray, at: int, lo: int, row: int) -> int:
    """The posting of `row` in a term's bitmap at word `at` (see dense_bitmap), -1 if absent."""
    w = at + (row >> 6)
    word = bits[w]
    bit = np.uint64(1) << np.uint64(row & 63)
    if not word & bit:
        return -1
    return lo + rank[w] + _popcount(word & (bit - np.uint64(1)))


@njit(cache=True, nogil=True)
def top_segment(rows: np.ndarray, tf: np.ndarray, lo: np.ndarray, hi: np.ndarray,
                idf: np.ndarray, weight: np.ndarray, bound: np.ndarray,
                order: np.ndarray, k1p1: float, norm: np.ndarray, range_lo: np.ndarray,
                range_hi: np.ndarray, offset: int, seeds: int, seeding: bool,
                heap_scores: np.ndarray, heap_rows: np.ndarray, size: int,
                dense_at: np.ndarray, dense_bits: np.ndarray, dense_rank: np.ndarray) -> int:
    """Add one segment's passages to a top-k heap (capacity len(heap_scores)); returns its size.

    Term i (query order) has postings [lo[i], hi[i]) of `rows`/`tf`, and adds
    idf[i] * (tf * k1p1 / (tf + norm[row])) * weight[i] to a passage (the expression of the
    full scoring, for the same bits). `bound[i]` is the most it can add, `order` the terms by
    bound ascending. `norm` is indexed by segment row; global row = offset + segment row.
    If `range_lo` is not empty, only the rows of [range_lo[r], range_hi[r]) (segment rows,
    ascending, disjoint) may rank: the cursors jump over the rows between them.

    Two passes over every segment: `seeding` scores the passages holding one of the `seeds`
    terms of highest bound (few, rare postings: a high k-th best score, early), the other
    pass every other passage that can still make it, skipping those the first one scored.

    A term with dense_at[i] >= 0 has a bitmap of its rows (see dense_bitmap) at that word of
    dense_bits/dense_rank: a lookup in it tells in O(1) whether and where a passage holds the
    term, instead of a search through its postings."""
    m = len(lo)
    k = len(heap_scores)
    cursor = lo.copy()
    # head[i]: the row at term i's cursor (END past its last posting), read from a small array
    # in the loops below instead of through the cursor into the postings.
    head = np.empty(m, dtype=np.int64)
    for i in range(m):
        head[i] = rows[lo[i]] if lo[i] < hi[i] else END
    # cum[j]: the most the terms order[0..j] can add together.
    cum = np.empty(m)
    total = 0.0
    for j in range(m):
        total += bound[order[j]] * (1 + BOUND_SLACK)
        cum[j] = total
    contrib = np.zeros(m)
    touched = np.empty(m, dtype=np.int64)  # the terms whose contrib the current passage set
    # Passages whose bound is below theta - tol cannot make the top k (tol: float rounding).
    theta = -np.inf if size < k else heap_scores[0]
    tol = 0.0 if theta == -np.inf else abs(theta) * BOUND_SLACK
    first = m - seeds  # order[first:] are essential: a passage must hold one to make it
    if not seeding:
        first = 0
        while first < m and cum[first] < theta - tol:
            first += 1
    restricted = len(range_lo) > 0
    r = 0
    while first < m:
        row = END
        for j in range(first, m):
            row = min(row, head[order[j]])
        if row == END:
            break
        if restricted:
            while r < len(range_lo) and range_hi[r] <= row:
                r += 1
            if r == len(range_lo):
                break
            if row < range_lo[r]:
                for j in range(first, m):
                    i = order[j]
                    cursor[i] = _seek(rows, cursor[i], hi[i], range_lo[r])
                    head[i] = rows[cursor[i]] if cursor[i] < hi[i] else END
                continue
        partial = 0.0
        seeded = False
        held = 0
        for j in range(first, m):
            i = order[j]
            if head[i] == row:
                c = cursor[i]
                f = float(tf[c])
                contrib[i] = idf[i] * (f * k1p1 / (f + norm[row])) * weight[i]
                partial += contrib[i]
                touched[held] = i
                held += 1
                cursor[i] = c + 1
                head[i] = rows[c + 1] if c + 1 < hi[i] else END
                seeded = seeded or j >= m - seeds
        alive = not (seeded and not seeding)
        # The other terms, by bound descending, only while the passage can still make it.
        for j in range(first - 1, -1, -1):
            if not alive or partial + cum[j] < theta - tol:
                alive = False
                break
            i = order[j]
            if dense_at[i] >= 0:
                c = _dense_posting(dense_bits, dense_rank, dense_at[i], lo[i], row)
            else:
                c = _seek(rows, cursor[i], hi[i], row)  # cursors only move forward
                cursor[i] = c
                if c == hi[i] or rows[c] != row:
                    c = -1
            if c >= 0:
                f = float(tf[c])
                contrib[i] = idf[i] * (f * k1p1 / (f + norm[row])) * weight[i]
                partial += contrib[i]
                touched[held] = i
                held += 1
        if alive:
            score = 0.0
            for i in range(m):
                score += contrib[i]
            g = offset + row
            if size < k:
                size = _push(heap_scores, heap_rows, size, score, g)
            elif _better(score, g, heap_scores[0], heap_rows[0]):
                heap_scores[0], heap_rows[0] = score, g
                _sift_down(heap_scores, heap_rows, size, 0)
            if size == k and heap_scores[0] > theta:
                theta = heap_scores[0]
                tol = abs(theta) * BOUND_SLACK
                if not seeding:
                    while first < m and cum[first] < theta - tol:
                        first += 1
        for h in range(held):
            contrib[touched[h]] = 0.0
    return size
