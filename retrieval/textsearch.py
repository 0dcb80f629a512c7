"""Which passages and documents hold a string, exactly, as written in their text.

Everything the product says about the corpus's text ("语料中没有“X”", the count of a 提法, the
documents that name 武汉) is decided here, by the text itself, never by the absence of a jieba
token: 种地 may be no token of a passage that holds it. Candidates come from the character-pair
postings (or, without those, the characters'), rarest first, and only in the store parts
whose set of character pairs admits the string (a word with a pair no passage has is absent
without reading any text); each candidate is then checked against its text in matching form
(width, 繁/简, case and spaces folded).
"""

from __future__ import annotations

import mmap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

import numpy as np
from numba import njit

from .index import BM25Index
from .phrases import Normalize, phrase_key
from .store import PassageStore, char_pairs, release

# Checking more candidates than this touches pages all over a part's blobs; they are let go
# afterwards (store.release) rather than left resident for a check that is seldom repeated.
SCATTERED_ROWS = 2_000


class TextSearch:
    def __init__(self, index: BM25Index, store: PassageStore, normalize: Normalize,
                 titles: Sequence[str]) -> None:
        """`titles`: every document's title in matching form (normalize), in store order."""
        self.index = index
        self.store = store
        self.normalize = normalize
        self._titles = titles
        self.documents = lru_cache(maxsize=512)(self._documents)
        self.holds = lru_cache(maxsize=4096)(self._holds)

    def rows(self, phrases: tuple[str, ...], allowed: np.ndarray | None = None,
             limit: int | None = None) -> np.ndarray:
        """Rows (among `allowed`, or all) whose text holds every phrase in matching form; with
        `limit`, only the first `limit` of them (enough to know a phrase is there).

        Only the parts whose character pairs admit every phrase are read. The character-pair
        postings give the candidates fast; they miss a phrase that crosses a function word (the
        pairs are of content words only), so when they find nothing the passages' UTF-8 text is
        searched byte for byte as well, before anything is called absent."""
        keys = [k for k in (phrase_key(p, self.normalize) for p in phrases) if k]
        parts = self._admitting(phrases)
        if not keys or not parts:
            return np.zeros(0, dtype=np.int64)
        hits = self._verified(self._candidates(keys, allowed, parts), phrases, keys, limit)
        if not hits:
            hits = self._verified(self._bytes_holding(phrases, keys, allowed, parts), phrases,
                                  keys, limit)
        return np.array(sorted(hits), dtype=np.int64)

    def _admitting(self, phrases: tuple[str, ...]) -> list[int]:
        """The store parts that can hold every phrase: each phrase's character pairs, as typed
        or in matching form, all stand among the part's (StorePart.pairs)."""
        wanted = [(char_pairs([p]), char_pairs([phrase_key(p, self.normalize)]))
                  for p in phrases]
        return [i for i, part in enumerate(self.store.parts)
                if all(_among(typed, part.pairs) or _among(key, part.pairs)
                       for typed, key in wanted)]

    def _candidates(self, keys: list[str], allowed: np.ndarray | None,
                    parts: list[int]) -> np.ndarray:
        vocab = self.index.vocab
        pairs = {f"#{k[i:i + 2]}" for k in keys for i in range(len(k) - 1)}
        terms = [t for t in map(vocab.get, pairs) if t is not None]
        if not terms:
            terms = [t for t in map(vocab.get, {f"#{c}" for k in keys for c in k})
                     if t is not None]
        if not terms:
            return np.zeros(0, dtype=np.int64)
        candidates = allowed
        for term in sorted(terms, key=lambda t: self.index.df[t]):
            rows = self.index.postings_rows(term)
            candidates = rows if candidates is None else np.intersect1d(candidates, rows,
                                                                        assume_unique=True)
            if not len(candidates):
                break
        if candidates is None:
            return np.zeros(0, dtype=np.int64)
        if len(parts) < len(self.store.parts):
            of_part = np.searchsorted(self.store.starts, candidates, side="right") - 1
            candidates = candidates[np.isin(of_part, parts)]
        return candidates

    def _bytes_holding(self, phrases: tuple[str, ...], keys: list[str],
                       allowed: np.ndarray | None, parts: list[int]) -> np.ndarray:
        """Rows whose text holds the first phrase as typed, or whose matching form holds it in
        matching form, found by searching the blobs of the given parts (C speed, no passage
        decoded)."""
        typed, key = phrases[0].encode("utf-8"), keys[0].encode("utf-8")
        found: list[np.ndarray] = []
        for i in parts:
            start, part = self.store.starts[i], self.store.parts[i]
            for blob, offsets, needle in ((part.searchable(), part.offsets, typed),
                                          (part.searchable_keys(), part.key_offsets, key)):
                if not needle:
                    continue
                ends = occurrences(blob, needle)
                release(blob)  # a scan of the whole blob: its pages need not stay resident
                if ends:
                    local = np.searchsorted(offsets, np.array(ends), side="right") - 1
                    found.append(np.unique(local) + int(start))
        rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.int64)
        return rows if allowed is None else np.intersect1d(rows, allowed)

    def _verified(self, candidates: np.ndarray, phrases: tuple[str, ...],
                  keys: list[str], limit: int | None = None) -> list[int]:
        """The candidates (ascending) whose text holds every phrase as typed, or whose matching
        form holds every key: byte comparisons against the stored forms, nothing normalized."""
        typed, typed_at = _packed([p.encode("utf-8") for p in phrases])
        wanted, wanted_at = _packed([k.encode("utf-8") for k in keys])
        found: list[int] = []
        for start, part in zip(self.store.starts.tolist(), self.store.parts, strict=False):
            inside = candidates[(candidates >= start) & (candidates < start + len(part))]
            if not len(inside):
                continue
            left = -1 if limit is None else limit - len(found)
            held = _holding(part.keys, part.key_offsets, wanted, wanted_at, part.blob,
                            part.offsets, typed, typed_at, inside - start, left)
            if len(inside) > SCATTERED_ROWS:  # pages all over both blobs: let them go
                release(part.searchable())
                release(part.searchable_keys())
            found.extend(inside[held].tolist())
            if limit is not None and len(found) >= limit:
                return found
        return found

    @cached_property
    def _title_keys(self) -> list[str]:
        """Every document's title as a phrase key (matching form without whitespace)."""
        return ["".join(title.split()) for title in self._titles]

    @cached_property
    def _joined_titles(self) -> Joined:
        return Joined.of(self._title_keys)

    def titles_holding(self, key: str) -> np.ndarray:
        """The documents whose title key holds `key` (in matching form), ascending."""
        return self._joined_titles.holding(key)

    def titled_rows(self, phrases: tuple[str, ...], allowed: np.ndarray | None = None,
                    ) -> tuple[np.ndarray, list[str]]:
        """Rows (among `allowed`, or all) of the documents whose title holds every phrase in
        matching form, and those titles."""
        keys = [k for k in (phrase_key(p, self.normalize) for p in phrases) if k]
        documents = self.titles_holding(keys[0]) if keys else np.zeros(0, dtype=np.int64)
        documents = [i for i in documents.tolist()
                     if all(k in self._title_keys[i] for k in keys[1:])]
        if not documents:
            return np.zeros(0, dtype=np.int64), []
        rows = np.flatnonzero(np.isin(self.store.row_document, documents))
        return (rows if allowed is None else np.intersect1d(rows, allowed),
                [self._title_keys[i] for i in documents])

    def _documents(self, text: str) -> frozenset[int]:
        """The documents whose passages or title hold `text` (cached: asked per question)."""
        rows = self.rows((text,))
        found = set(np.unique(self.store.row_document[rows]).tolist()) if len(rows) else set()
        found.update(self.titles_holding(phrase_key(text, self.normalize)).tolist())
        return frozenset(found)

    def _holds(self, text: str) -> bool:
        """Whether any passage or title of the corpus holds `text`: stops at the first."""
        key = phrase_key(text, self.normalize)
        return bool(key) and (len(self.titles_holding(key)) > 0
                              or bool(len(self.rows((text,), limit=1))))


@dataclass(frozen=True)
class Joined:
    """Strings back to back, each after a line break (none may hold one), and where each
    starts: one C-speed find tells which of thousands of titles hold a word."""

    text: str
    starts: np.ndarray  # where each string's line break stands in `text`
    # _holding, each needle looked for once: questions share their words (教育, 要求).
    holding: Callable[[str], np.ndarray] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holding", lru_cache(maxsize=4096)(self._holding))

    @classmethod
    def of(cls, strings: Sequence[str]) -> Joined:
        return cls("".join("\n" + s for s in strings),
                   np.cumsum([0] + [len(s) + 1 for s in strings])[:-1])

    def _holding(self, needle: str) -> np.ndarray:
        """The indexes of the strings that hold `needle` (no line break in it), ascending
        (read-only: the array is shared by every caller that asks for `needle`)."""
        found = (np.unique(np.searchsorted(self.starts, occurrences(self.text, needle),
                                           side="right") - 1) if needle
                 else np.zeros(0, dtype=np.int64))
        found.flags.writeable = False
        return found


def _packed(needles: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Byte strings back to back as one array, and their n + 1 offsets (for _holding)."""
    return (np.frombuffer(b"".join(needles), dtype=np.uint8),
            np.cumsum([0] + [len(n) for n in needles]).astype(np.int64))


@njit(cache=True, nogil=True)
def _holds_bytes(blob: np.ndarray, a: int, b: int, needle: np.ndarray, i: int, j: int) -> bool:
    """Whether blob[a:b] holds needle[i:j] (UTF-8 is matched byte for byte, as bytes' `in`)."""
    n = j - i
    if n == 0:
        return True
    for s in range(a, b - n + 1):
        if blob[s] == needle[i]:
            t = 1
            while t < n and blob[s + t] == needle[i + t]:
                t += 1
            if t == n:
                return True
    return False


@njit(cache=True, nogil=True)
def _holding(forms: np.ndarray, form_at: np.ndarray, keys: np.ndarray, keys_at: np.ndarray,
             texts: np.ndarray, text_at: np.ndarray, typed: np.ndarray, typed_at: np.ndarray,
             rows: np.ndarray, limit: int) -> np.ndarray:
    """Which of the rows (ascending) hold every key in their matching form, or every typed
    phrase in their text; after `limit` such rows (if >= 0), no more are looked at."""
    held = np.zeros(len(rows), dtype=np.bool_)
    count = 0
    for r in range(len(rows)):
        if count == limit:
            break
        row = rows[r]
        ok = True
        for k in range(len(keys_at) - 1):
            if not _holds_bytes(forms, form_at[row], form_at[row + 1], keys, keys_at[k],
                                keys_at[k + 1]):
                ok = False
                break
        if not ok:
            ok = True
            for k in range(len(typed_at) - 1):
                if not _holds_bytes(texts, text_at[row], text_at[row + 1], typed, typed_at[k],
                                    typed_at[k + 1]):
                    ok = False
                    break
        if ok:
            held[r] = True
            count += 1
    return held


def _among(values: np.ndarray, sorted_set: np.ndarray) -> bool:
    """Whether every value stands in the sorted array (a binary search each)."""
    if not len(values):
        return True
    if not len(sorted_set):
        return False
    at = np.minimum(np.searchsorted(sorted_set, values), len(sorted_set) - 1)
    return bool((sorted_set[at] == values).all())


def occurrences(blob: str | bytes | mmap.mmap, needle: str | bytes) -> list[int]:
    """Every offset where `needle` starts in `blob`: a str, bytes or mmap (C-speed find)."""
    out: list[int] = []
    i = blob.find(needle)
    while i >= 0:
        out.append(i)
        i = blob.find(needle, i + 1)
    return out
