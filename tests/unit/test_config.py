"""The one configuration loader: every key of default.yaml accepted, anything else named with a
guess, typed and range-checked reads, paths relative to whoever set them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from retrieval import ConfigError, load_config
from retrieval.settings import DEFAULT_CONFIG, retrieval_settings


def _load(tmp_path: Path, text: str, env: dict[str, str] | None = None):
    file = tmp_path / "user.yaml"
    file.write_text(text, encoding="utf-8")
    return load_config(file, env=env or {})


def test_every_key_of_default_yaml_is_accepted_in_a_user_file(tmp_path: Path) -> None:
    """The check is default.yaml itself: keys the lead adds there are known at once."""
    defaults = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    mirrored = {section: dict(keys) for section, keys in defaults.items()}
    (tmp_path / "seeds").mkdir()
    mirrored["corpus"]["dirs"] = ["seeds"]
    config = _load(tmp_path, yaml.safe_dump(mirrored, allow_unicode=True))
    assert config.retrieval.corpus_dirs == (tmp_path / "seeds",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("search: {topk: 5}", r"unknown setting search\.topk \(did you mean search\.top_k\?\)"),
        ("serach: {top_k: 5}", r"unknown setting section serach \(did you mean search\?\)"),
        ("bm25: {k_1: 1.2}", r"did you mean bm25\.k1\?"),
        ("search: {zzz: 1}", r"unknown setting search\.zzz \(search has: top_k, "),
        ("search: 5", r"section 'search' .* must be a mapping"),
        ("search: {top_k: 0}", r"search\.top_k must be an integer from 1 to"),
        ("search: {top_k: true}", r"search\.top_k must be an integer"),
        ("bm25: {b: 1.5}", r"bm25\.b must be a number from 0 to 1"),
        ("search: {min_match: .nan}", r"search\.min_match must be a number"),
        ("corpus: {extensions: [txt]}", r"corpus\.extensions must be a list of file endings"),
        ("corpus: {extensions: [.txt, .tx]}",
         r"corpus\.extensions has \.tx, which no reader reads \(readers: \.doc, \.docx, "),
        ("passages: {min_chars: 400}", r"passages\.min_chars must be smaller"),
        ("cache: {workers: -1}", r"cache\.workers must be an integer from 0"),
    ],
)
def test_bad_settings_name_the_setting(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, text)


def test_environment_keys_are_checked_and_typed(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"search\.topk .* from POLICYBOT_SEARCH__TOPK"):
        load_config(env={"POLICYBOT_SEARCH__TOPK": "5"})
    assert load_config(env={"POLICYBOT_SEARCH__TOP_K": "5"}).retrieval.top_k == 5


def test_paths_resolve_against_the_file_or_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = _load(tmp_path, "tokens: {stopwords: words/stop.txt}\ncache: {dir: ~/idx}\n")
    assert config.retrieval.stopwords == tmp_path / "words" / "stop.txt"
    assert config.retrieval.cache_dir == Path.home() / "idx"
    assert config.retrieval.user_dict == DEFAULT_CONFIG.parent / "policy_terms.txt"
    monkeypatch.chdir(tmp_path)
    from_env = load_config(env={"POLICYBOT_CACHE__DIR": "here"})
    assert from_env.retrieval.cache_dir == tmp_path / "here"


def test_retrieval_reads_only_its_own_sections() -> None:
    """No telegram, journal or other bot section is needed (or resolved) to read retrieval's."""
    defaults = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    own = {s: defaults[s] for s in ("corpus", "passages", "tokens", "bm25", "search", "cache")}
    settings = retrieval_settings(own, {})  # no file set them: relative to the working dir
    assert settings.cache_dir == (Path.cwd() / defaults["cache"]["dir"]).resolve()
    assert settings.top_k == defaults["search"]["top_k"]
