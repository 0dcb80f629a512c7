"""Retrieval core: document files -> clean passages -> BM25 index -> sourced, highlighted answers.

Knows nothing of Telegram. Callers use only what is exported here.
"""

from .corpus import FileReport, inspect_file
from .engine import Engine
from .model import (
    Answer,
    DocumentInfo,
    DroppedLine,
    IndexReport,
    Passage,
    PhraseCount,
    Result,
    SkippedFile,
    Source,
)
from .scope import Scope
from .settings import Config, ConfigError, RetrievalSettings, load_config

__all__ = [
    "Answer", "Config", "ConfigError", "DocumentInfo", "DroppedLine", "Engine", "FileReport",
    "IndexReport", "Passage", "PhraseCount", "Result", "RetrievalSettings", "Scope",
    "SkippedFile", "Source", "inspect_file", "load_config",
]
