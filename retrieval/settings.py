"""Configuration: config/default.yaml, an optional user YAML merged over it, then the environment.

Relative paths in a YAML file are relative to that file's directory. Environment variables
``POLICYBOT_<SECTION>__<KEY>=value`` override single settings (the value is parsed as YAML,
so ``POLICYBOT_SEARCH__TOP_K=5`` is an int). Secrets are never read from YAML.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.yaml"
ENV_PREFIX = "POLICYBOT_"
# Settings that hold paths, resolved against the directory of the YAML that set them.
_PATH_KEYS = {("corpus", "dirs"), ("tokens", "user_dict"), ("tokens", "stopwords"),
              ("cache", "dir"), ("telegram", "token_file"), ("webhook", "secret_token_file"),
              ("journal", "path"), ("search", "synonyms")}


class ConfigError(ValueError):
    """A configuration file or value that cannot be used; the message says which and why."""


@dataclass(frozen=True)
class RetrievalSettings:
    corpus_dirs: tuple[Path, ...]
    extensions: tuple[str, ...]
    max_file_bytes: int
    passage_max_chars: int
    passage_min_chars: int
    user_dict: Path
    stopwords: Path
    characters: bool
    k1: float
    b: float
    epsilon: float
    top_k: int
    quote_max_chars: int
    min_match: float
    synonyms: tuple[Path, ...]
    synonym_weight: float
    cache_dir: Path
    workers: int  # tokenizing processes for big builds; 0 = one per core

    def with_corpus(self, dirs: list[str] | list[Path]) -> RetrievalSettings:
        return replace(self, corpus_dirs=tuple(Path(d).resolve() for d in dirs))

    def fingerprint(self) -> dict[str, Any]:
        """The settings that change what is indexed: part of the cache key."""
        return {
            "extensions": list(self.extensions),
            "max_file_bytes": self.max_file_bytes,
            "passage_max_chars": self.passage_max_chars,
            "passage_min_chars": self.passage_min_chars,
            "k1": self.k1,
            "b": self.b,
            "epsilon": self.epsilon,
        }


@dataclass(frozen=True)
class Config:
    raw: dict[str, Any]  # the merged tree, for sections owned by other packages (telegram, ...)
    retrieval: RetrievalSettings
    source: tuple[Path, ...]  # the YAML files read, in order

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name) or {}
        if not isinstance(value, dict):
            raise ConfigError(f"config section '{name}' must be a mapping")
        return value


def load_config(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Config:
    """Read default.yaml, merge the user file over it, apply environment overrides."""
    env = os.environ if env is None else env
    if not DEFAULT_CONFIG.is_file():  # an install that copied the code without the checkout
        raise ConfigError(f"default config {DEFAULT_CONFIG} not found: policybot reads config/ "
                          "and seeds/ from its source checkout, so install it with "
                          "`pip install -e <checkout>`")
    files = [DEFAULT_CONFIG]
    if path is None and env.get("POLICYBOT_CONFIG"):
        path = env["POLICYBOT_CONFIG"]
    if path is not None:
        files.append(Path(path).resolve())
    tree: dict[str, Any] = {}
    for file in files:
        _merge(tree, _resolve_paths(_read_yaml(file), file.parent))
    for key, value in sorted(env.items()):
        if key.startswith(ENV_PREFIX) and "__" in key:
            section, _, name = key[len(ENV_PREFIX):].lower().partition("__")
            parsed = yaml.safe_load(value) if value.strip() else value
            if (section, name) in _PATH_KEYS:
                parsed = _resolve(parsed, Path.cwd())
            tree.setdefault(section, {})[name] = parsed
    return Config(raw=tree, retrieval=_retrieval_settings(tree), source=tuple(files))


def _read_yaml(file: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read config {file}: {exc.strerror or exc}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config {file} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"config {file} must be a mapping of sections")
    return data


def _resolve(value: Any, base: Path) -> Any:
    if isinstance(value, list):
        return [_resolve(v, base) for v in value]
    if isinstance(value, str) and value:
        return str((base / os.path.expanduser(value)).resolve())
    return value


def _resolve_paths(tree: dict[str, Any], base: Path) -> dict[str, Any]:
    tree = copy.deepcopy(tree)
    for section, name in _PATH_KEYS:
        part = tree.get(section)
        if isinstance(part, dict) and name in part:
            part[name] = _resolve(part[name], base)
    return tree


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _get(tree: dict[str, Any], section: str, name: str, kind: type) -> Any:
    try:
        value = tree[section][name]
    except (KeyError, TypeError):
        raise ConfigError(f"missing setting {section}.{name}") from None
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise ConfigError(f"setting {section}.{name} must be {kind.__name__}, got {value!r}")
    return value


def _retrieval_settings(tree: dict[str, Any]) -> RetrievalSettings:
    dirs = _get(tree, "corpus", "dirs", list)
    settings = RetrievalSettings(
        corpus_dirs=tuple(Path(d) for d in dirs),
        extensions=tuple(e.lower() for e in _get(tree, "corpus", "extensions", list)),
        max_file_bytes=_get(tree, "corpus", "max_file_mb", int) * 1024 * 1024,
        passage_max_chars=_get(tree, "passages", "max_chars", int),
        passage_min_chars=_get(tree, "passages", "min_chars", int),
        user_dict=Path(_get(tree, "tokens", "user_dict", str)),
        stopwords=Path(_get(tree, "tokens", "stopwords", str)),
        characters=_get(tree, "tokens", "characters", bool),
        k1=_get(tree, "bm25", "k1", float),
        b=_get(tree, "bm25", "b", float),
        epsilon=_get(tree, "bm25", "epsilon", float),
        top_k=_get(tree, "search", "top_k", int),
        quote_max_chars=_get(tree, "search", "quote_max_chars", int),
        min_match=_get(tree, "search", "min_match", float),
        synonyms=tuple(Path(p) for p in _get(tree, "search", "synonyms", list)),
        synonym_weight=_get(tree, "search", "synonym_weight", float),
        cache_dir=Path(_get(tree, "cache", "dir", str)),
        workers=_get(tree, "cache", "workers", int),
    )
    if settings.passage_min_chars >= settings.passage_max_chars:
        raise ConfigError("passages.min_chars must be smaller than passages.max_chars")
    if settings.top_k < 1:
        raise ConfigError("search.top_k must be at least 1")
    if not 0 <= settings.synonym_weight <= 1:
        raise ConfigError("search.synonym_weight must be between 0 and 1")
    return settings
