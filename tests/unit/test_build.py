"""Parallel builds index exactly what a serial build does."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from retrieval import Engine, build
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
