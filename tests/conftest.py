"""Shared fixtures: settings pointed at a temporary cache, the seed corpus engine, and an
engine over one notice beside an unrelated one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from retrieval import Engine, RetrievalSettings, load_config

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
QA_DIR = ROOT.parent / "shared" / "qa"


@pytest.fixture(scope="session")
def base_settings(tmp_path_factory: pytest.TempPathFactory) -> RetrievalSettings:
    config = load_config(env={})
    return replace(config.retrieval, cache_dir=tmp_path_factory.mktemp("cache"))


@pytest.fixture(scope="session")
def seed_engine(base_settings: RetrievalSettings) -> Engine:
    return Engine.open(base_settings.with_corpus([SEEDS]))


@pytest.fixture
def settings_for(base_settings: RetrievalSettings, tmp_path: Path):
    """Settings for a corpus directory, with a cache of the test's own."""
    def make(*dirs: Path, **changes) -> RetrievalSettings:
        return replace(base_settings.with_corpus(list(dirs)), cache_dir=tmp_path / "cache",
                       **changes)
    return make


OTHER_NOTICE = "关于做好春耕备耕工作的通知\n各地要抓好春耕备耕，保障农资供应。\n"


@pytest.fixture
def notice_engine(settings_for, tmp_path: Path):
    """An engine over a corpus of one notice (the text given) and an unrelated one."""
    def make(text: str) -> Engine:
        corpus = tmp_path / "notices"
        corpus.mkdir()
        (corpus / "a.txt").write_text(text, encoding="utf-8")
        (corpus / "b.txt").write_text(OTHER_NOTICE, encoding="utf-8")
        return Engine.open(settings_for(corpus))
    return make
