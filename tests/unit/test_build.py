"""Parallel builds index exactly what a serial build does."""

from __future__ import annotations

from dataclasses import replace
from itertools import pairwise

import numpy as np
import pytest

from retrieval import Engine, build
from retrieval.store import char_pairs
from tests.conftest import SEEDS


def test_worker_processes_build_the_same_index(settings_for, tmp_path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    serial = Engine.open(replace(settings_for(SEEDS), cache_dir=tmp_path / "serial", workers=1))
    monkeypatch.setattr(build, "CHUNK", 40)  # the seeds are small: force several chunks
    monkeypatch.setattr(build, "SERIAL_CHUNKS", 1)
    parallel = Engine.open(replace(settings_for(SEEDS), cache_dir=tmp_path / "par", workers=2))
    assert parallel.index.vocab == serial.index.vocab
    for name in ("indptr", "rows", "tf", "doc_len"):
        np.testing.assert_array_equal(getattr(parallel.index.segments[0], name),
                                      getattr(serial.index.segments[0], name))
    assert [parallel.store.text(i) for i in range(len(parallel.store))] == \
        [serial.store.text(i) for i in range(len(serial.store))]
    for part, other in zip(parallel.store.parts, serial.store.parts, strict=True):
        np.testing.assert_array_equal(part.keys, other.keys)
        np.testing.assert_array_equal(part.pairs, other.pairs)


def test_every_passage_is_stored_in_the_form_exact_search_compares_in(settings_for) -> None:
    """The matching form kept at indexing is the text's phrase key, passage for passage, after
    a reload from the cache too: exact search compares in it and never normalizes again."""
    from retrieval.phrases import phrase_key
    built, loaded = Engine.open(settings_for(SEEDS)), Engine.open(settings_for(SEEDS))
    assert loaded.report.loaded_from_cache and not built.report.loaded_from_cache
    for engine in (built, loaded):
        for start, part in zip(engine.store.starts, engine.store.parts, strict=False):
            forms = part.searchable_keys()
            for local in range(len(part)):
                form = bytes(forms[part.key_offsets[local]:part.key_offsets[local + 1]])
                text = engine.store.text(int(start) + local)
                assert form.decode("utf-8") == phrase_key(text, engine.tokenizer.normalize)


def test_a_part_knows_every_pair_of_characters_side_by_side_in_its_passages(settings_for) -> None:
    """Exact search skips a part that lacks a pair of the word: the set must hold every pair
    of every passage, as typed and in matching form, and none across two passages."""
    engine = Engine.open(settings_for(SEEDS))
    (part,) = engine.store.parts
    texts = [part.text(i) for i in range(len(part))]
    forms = [bytes(part.searchable_keys()[part.key_offsets[i]:part.key_offsets[i + 1]])
             .decode("utf-8") for i in range(len(part))]
    expected = {(ord(a) << 21) | ord(b) for t in texts + forms for a, b in pairwise(t)}
    assert set(part.pairs.tolist()) == expected
    assert np.all(np.diff(part.pairs.astype(np.int64)) > 0)


def test_character_pairs_never_span_two_strings() -> None:
    pairs = set(char_pairs(["教师", "", "队伍建设", "a"]).tolist())
    assert pairs == {(ord(a) << 21) | ord(b) for a, b in ("教师", "队伍", "伍建", "建设")}
    assert not len(char_pairs(["教"])) and not len(char_pairs([]))
