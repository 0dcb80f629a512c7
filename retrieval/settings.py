"""Configuration: config/default.yaml, an optional user YAML merged over it, then the environment.

One loader for every section, and one typed reader (``Section``) that each package uses for
the sections it owns: retrieval reads corpus, passages, tokens, bm25, search and cache here; the
bot reads its own in bot/settings.py. The loader knows no section's meaning, only which keys
exist: every key of default.yaml, so a misspelt key or section stops with a suggestion instead
of silently running on the defaults.

Relative paths in a YAML file are relative to that file's directory. Environment variables
``POLICYBOT_<SECTION>__<KEY>=value`` override single settings (the value is parsed as YAML,
so ``POLICYBOT_SEARCH__TOP_K=5`` is an int; relative paths there are relative to the working
directory). Secrets are never read from YAML.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from .readers import NOT_YET, READERS

DEFAULT_CONFIG = Path(__file__).resolve().parent.parent / "config" / "default.yaml"
ENV_PREFIX = "POLICYBOT_"


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
    raw: dict[str, Any]  # the merged tree, unresolved; read it through ``read(section)``
    retrieval: RetrievalSettings
    source: tuple[Path, ...]  # the YAML files read, in order
    # Where each (section, key) was last set: its file's directory, or the working directory
    # for the environment. Relative paths resolve against it, whoever reads the setting.
    bases: Mapping[tuple[str, str], Path] = field(default_factory=dict, repr=False)

    def section(self, name: str) -> dict[str, Any]:
        return _section_values(self.raw, name)

    def read(self, name: str) -> Section:
        """The typed reader for one section."""
        return Section(name, self.section(name), self.bases)


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
    defaults = _read_yaml(DEFAULT_CONFIG)
    tree: dict[str, Any] = {}
    bases: dict[tuple[str, str], Path] = {}
    for file in files:
        data = defaults if file == DEFAULT_CONFIG else _read_yaml(file)
        for section, values in data.items():
            if not isinstance(values, dict):
                raise ConfigError(f"config section '{section}' in {file} must be a mapping")
            for key, value in values.items():
                _check_known(defaults, str(section), str(key), f"in {file}")
                tree.setdefault(section, {})[key] = value
                bases[section, key] = file.parent
    for name, value in sorted(env.items()):
        if name.startswith(ENV_PREFIX) and "__" in name:
            section, _, key = name[len(ENV_PREFIX):].lower().partition("__")
            _check_known(defaults, section, key, f"from {name}")
            tree.setdefault(section, {})[key] = yaml.safe_load(value) if value.strip() else value
            bases[section, key] = Path.cwd()
    return Config(raw=tree, retrieval=retrieval_settings(tree, bases), source=tuple(files),
                  bases=bases)


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


def _check_known(defaults: dict[str, Any], section: str, key: str, where: str) -> None:
    """Only keys default.yaml has are settings; anything else is a typo, named with a guess."""
    known = defaults.get(section)
    if isinstance(known, dict) and key in known:
        return
    if not isinstance(known, dict):
        guess = difflib.get_close_matches(section, list(defaults), n=1)
        hint = f" (did you mean {guess[0]}?)" if guess else ""
        raise ConfigError(f"unknown setting section {section}{hint} {where}")
    # A near key of this section first, else a key of another section (search.max_chars).
    elsewhere = {str(k): f"{s}.{k}" for s, keys in defaults.items() if isinstance(keys, dict)
                 for k in keys}
    elsewhere.update({str(k): f"{section}.{k}" for k in known})
    guess = (difflib.get_close_matches(key, [str(k) for k in known], n=1)
             or difflib.get_close_matches(key, list(elsewhere), n=1))
    hint = (f" (did you mean {elsewhere[guess[0]]}?)" if guess
            else f" ({section} has: {', '.join(map(str, known))})")
    raise ConfigError(f"unknown setting {section}.{key}{hint} {where}")


def _section_values(tree: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = tree.get(name) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"config section '{name}' must be a mapping")
    return value


class Section:
    """Typed reads from one section, with errors that name ``section.key`` and what is wanted."""

    def __init__(
        self, name: str, values: Mapping[str, Any], bases: Mapping[tuple[str, str], Path]
    ) -> None:
        self.name = name
        self.values = values
        self._bases = bases

    def get(self, key: str) -> Any:
        if key not in self.values:
            raise ConfigError(f"missing setting {self.name}.{key}")
        return self.values[key]

    def fail(self, key: str, wanted: str, value: Any) -> ConfigError:
        return ConfigError(f"setting {self.name}.{key} must be {wanted}, got {value!r}")

    def integer(self, key: str, *, low: int, high: int | None = None) -> int:
        value = self.get(key)
        if (isinstance(value, bool) or not isinstance(value, int) or value < low
                or (high is not None and value > high)):
            wanted = f"an integer from {low} to {high}" if high is not None else (
                f"an integer of at least {low}")
            raise self.fail(key, wanted, value)
        return value

    def number(self, key: str, *, low: float, high: float | None = None) -> float:
        value = self.get(key)
        if (isinstance(value, bool) or not isinstance(value, int | float)
                or not math.isfinite(value) or value < low
                or (high is not None and value > high)):
            wanted = f"a number from {low} to {high}" if high is not None else (
                f"a number of at least {low}")
            raise self.fail(key, wanted, value)
        return float(value)

    def boolean(self, key: str) -> bool:
        value = self.get(key)
        if not isinstance(value, bool):
            raise self.fail(key, "true or false", value)
        return value

    def text(self, key: str) -> str:
        value = self.get(key)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, "a non-empty string", value)
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self.fail(key, "a string or null", value)
        return value.strip()

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self.get(key)
        if not isinstance(value, str) or value.upper() not in options:
            raise self.fail(key, "one of " + ", ".join(options), value)
        return value.upper()

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.get(key)
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, "a list of strings", value)
        return tuple(value)

    def path(self, key: str) -> Path:
        return self._resolve(key, self.text(key))

    def optional_path(self, key: str) -> Path | None:
        value = self.optional_text(key)
        return self._resolve(key, value) if value else None

    def paths(self, key: str) -> tuple[Path, ...]:
        return tuple(self._resolve(key, value) for value in self.strings(key))

    def _resolve(self, key: str, value: str) -> Path:
        base = self._bases.get((self.name, key), Path.cwd())
        return (base / os.path.expanduser(value)).resolve()


def retrieval_settings(
    tree: Mapping[str, Any], bases: Mapping[tuple[str, str], Path]
) -> RetrievalSettings:
    """The retrieval sections, typed and range-checked; raises ConfigError naming the setting."""

    def read(name: str) -> Section:
        return Section(name, _section_values(tree, name), bases)

    corpus, passages, tokens = read("corpus"), read("passages"), read("tokens")
    bm25, search, cache = read("bm25"), read("search"), read("cache")
    extensions = corpus.strings("extensions")
    if not all(e.startswith(".") for e in extensions):
        raise corpus.fail("extensions", "a list of file endings starting with '.'", extensions)
    unknown = sorted({e.lower() for e in extensions} - set(READERS) - set(NOT_YET))
    if unknown:  # a typo (.tx) would otherwise read nothing and say so only as "not read"
        raise ConfigError(f"setting corpus.extensions has {', '.join(unknown)}, which no reader "
                          f"reads (readers: {', '.join(sorted(READERS))})")
    settings = RetrievalSettings(
        corpus_dirs=corpus.paths("dirs"),
        extensions=tuple(e.lower() for e in extensions),
        max_file_bytes=corpus.integer("max_file_mb", low=1, high=100_000) * 1024 * 1024,
        passage_max_chars=passages.integer("max_chars", low=10, high=100_000),
        passage_min_chars=passages.integer("min_chars", low=0, high=100_000),
        user_dict=tokens.path("user_dict"),
        stopwords=tokens.path("stopwords"),
        characters=tokens.boolean("characters"),
        k1=bm25.number("k1", low=0),
        b=bm25.number("b", low=0, high=1),
        epsilon=bm25.number("epsilon", low=0),
        top_k=search.integer("top_k", low=1, high=1000),
        quote_max_chars=search.integer("quote_max_chars", low=10, high=100_000),
        min_match=search.number("min_match", low=0),
        synonyms=search.paths("synonyms"),
        synonym_weight=search.number("synonym_weight", low=0, high=1),
        cache_dir=cache.path("dir"),
        workers=cache.integer("workers", low=0, high=1024),
    )
    if settings.passage_min_chars >= settings.passage_max_chars:
        raise ConfigError("passages.min_chars must be smaller than passages.max_chars")
    return settings
