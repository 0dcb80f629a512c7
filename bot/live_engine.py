"""The live Engine behind the bot, swappable by /reload without dropping questions in flight.

Each question takes the current reference once and keeps it to the end, so a reload that
swaps the reference mid-question cannot mix two indexes. Engine calls are CPU-bound and run in
worker threads so a slow question never stalls the event loop (and the other chats).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from retrieval import Answer, DocumentInfo, Engine, Passage, Scope


class ReloadInProgress(RuntimeError):
    """A second /reload while the first is still building."""


class EngineHolder:
    def __init__(self, engine: Engine, factory: Callable[[], Engine]) -> None:
        self._engine = engine
        self._factory = factory
        self._reload_lock = asyncio.Lock()

    @property
    def current(self) -> Engine:
        return self._engine

    async def ask(
        self, question: str, k: int, offset: int = 0, scope: Scope | None = None
    ) -> Answer:
        """`scope`: filters on top of those typed in the question (a chat's chosen document)."""
        engine = self._engine
        return await asyncio.to_thread(engine.ask, question, k, offset, scope)

    async def neighbours(self, passage_id: str, before: int, after: int) -> list[Passage]:
        """[] when the id is not in the current index (e.g. gone after a reload)."""
        engine = self._engine
        return await asyncio.to_thread(engine.neighbours, passage_id, before, after)

    async def passage(self, passage_id: str) -> tuple[Passage, DocumentInfo | None] | None:
        """The passage and its document, from one index; None when the id is not in it."""
        engine = self._engine
        passage = await asyncio.to_thread(engine.passage, passage_id)
        if passage is None:
            return None
        documents = engine.documents()
        document = documents[passage.document] if 0 <= passage.document < len(documents) else None
        return passage, document

    def documents(self) -> list[DocumentInfo]:
        return self._engine.documents()

    def document(self, document_id: str) -> DocumentInfo | None:
        return self._engine.document(document_id)

    @property
    def reloading(self) -> bool:
        return self._reload_lock.locked()

    async def reload(self) -> Engine:
        """Build a fresh Engine in a worker thread, then swap it in (one assignment)."""
        if self._reload_lock.locked():
            raise ReloadInProgress
        async with self._reload_lock:
            engine = await asyncio.to_thread(self._factory)
            self._engine = engine
            return engine
