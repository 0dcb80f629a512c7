"""Retrieval core: speech files -> clean passages -> BM25 index -> sourced, highlighted answers.

Knows nothing of Telegram. Callers use only what is exported here.
"""

from .engine import Engine
from .model import Answer, IndexReport, Passage, Result, SkippedFile, Source, SpeechInfo
from .settings import Config, ConfigError, RetrievalSettings, load_config

__all__ = [
    "Answer", "Config", "ConfigError", "Engine", "IndexReport", "Passage", "Result",
    "RetrievalSettings", "SkippedFile", "Source", "SpeechInfo", "load_config",
]
