"""Passages -> a new index segment and store part, tokenized on every core.

Tokenizing is most of the cost of a build (jieba runs in Python), so chunks of passages go to
worker processes once a corpus is big enough to repay starting them. Workers count tokens per
passage against a vocabulary of their own; the parent maps those to the global vocabulary and
counting-sorts the postings, never holding every token list at once.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from tqdm import tqdm

from .index import Segment, append_segment, count_tokens
from .model import DocumentInfo, Passage
from .store import StoreBuilder, StorePart, char_pairs
from .tokens import Tokenizer

CHUNK = 2000  # passages per unit of work
SERIAL_CHUNKS = 5  # smaller corpora are tokenized in-process: no worker start-up cost

_worker: Tokenizer | None = None


def _start_worker(user_dict: Path, stopwords: Path, characters: bool) -> None:
    global _worker
    _worker = Tokenizer(user_dict, stopwords, characters)


def _count_chunk(texts: list[tuple[str, str]]):
    assert _worker is not None
    return counted_chunk(_worker, texts)


def counted_chunk(tokenizer: Tokenizer, texts: list[tuple[str, str]]):
    """(the chunk's token counts, each text in matching form without whitespace as UTF-8, the
    character pairs of the texts as typed and in that form): what every exact text search
    compares in and prunes by, made once here from the normalization the tokens need anyway,
    so no question has to normalize passages."""
    normals = [tokenizer.normalize(text) for text, _ in texts]
    counts = count_tokens(_tokens_of_normal(tokenizer, normal, label)
                          for normal, (_, label) in zip(normals, texts, strict=True))
    forms = ["".join(normal.split()) for normal in normals]
    pairs = char_pairs(forms + [text for text, _ in texts])
    return counts, [form.encode("utf-8") for form in forms], pairs


def passage_label(passage: Passage) -> str:
    """The words a passage is found by besides its own: its document's title and headings."""
    return f"{passage.title}\n{passage.section}"


def passage_tokens(tokenizer: Tokenizer, text: str, label: str) -> list[str]:
    """What a passage is indexed with: its text's tokens, then each word of its title and
    section path once, so a question that names a heading or a title finds the passages
    under it without the title outweighing the text."""
    return _tokens_of_normal(tokenizer, tokenizer.normalize(text), label)


def _tokens_of_normal(tokenizer: Tokenizer, normal: str, label: str) -> list[str]:
    return tokenizer.normal_tokens(normal) + tokenizer.label_words(label)


def build_segment(passages: Iterable[Passage], documents: list[DocumentInfo],
                  vocab: dict[str, int], tokenizer: Tokenizer, workers: int,
                  progress: bool) -> tuple[Segment, StorePart]:
    """Store every passage and index its tokens; `vocab` gains the new terms."""
    store = StoreBuilder()
    first_document = len(documents)
    if progress:
        passages = tqdm(passages, desc="indexing", unit=" passages", mininterval=1.0)

    def texts() -> Iterator[list[tuple[str, str]]]:
        chunk: list[tuple[str, str]] = []
        for passage in passages:
            store.add(passage)
            chunk.append((passage.text, passage_label(passage)))
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    def counts() -> Iterator:
        for counted, keys, pairs in _counted(texts(), tokenizer, workers or os.cpu_count() or 1):
            store.add_keys(keys, pairs)
            yield counted

    segment = append_segment(vocab, counts())
    store.documents = documents[first_document:]
    return segment, store.finish()


def _context() -> multiprocessing.context.BaseContext:
    """fork is fastest, but unsafe once other threads run (the bot rebuilds from a worker
    thread of its event loop): spawn then."""
    return multiprocessing.get_context("fork" if threading.active_count() == 1 else "spawn")


def _counted(chunks: Iterator[list[tuple[str, str]]], tokenizer: Tokenizer, workers: int):
    """Counted chunks in corpus order; in-process first, then on a worker pool if it pays."""
    pool: ProcessPoolExecutor | None = None
    pending: deque[Future] = deque()
    try:
        for n, chunk in enumerate(chunks):
            if pool is None and workers > 1 and n >= SERIAL_CHUNKS:
                pool = ProcessPoolExecutor(
                    workers, mp_context=_context(),
                    initializer=_start_worker,
                    initargs=(tokenizer.user_dict, tokenizer.stopwords_file, tokenizer.characters))
            if pool is None:
                yield counted_chunk(tokenizer, chunk)
                continue
            pending.append(pool.submit(_count_chunk, chunk))
            while len(pending) > 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
