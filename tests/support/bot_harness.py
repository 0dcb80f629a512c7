"""Run the real bot in-process against the loopback Bot API server, and capture its logs.

Shared by every end-to-end module. ``running_bot`` starts the Application as
``Application.run_polling`` does (polling errors go to the bot's error handler, post_shutdown runs
at the end), only with a 1-second long poll so tests are quick, and without post_init: the test
of the start-up menus calls it itself. ``LogCapture`` records every log line of the process.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.app import build_application
from bot.state import STATE_KEY, BotApplication, BotState
from retrieval import Config, load_config
from tests.support.botapi import BotApiServer

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One index cache for the whole session, so each module does not rebuild the seeds."""
    path = tmp_path_factory.getbasetemp() / "policybot-index-cache"
    path.mkdir(exist_ok=True)
    return path


def bot_config(
    tmp: Path,
    server: BotApiServer,
    *,
    cache: Path,
    yaml: str = "",
    corpus: Sequence[Path] = (SEEDS,),
    **retrieval: Any,
) -> Config:
    """The repo's config pointed at ``server``, with ``yaml`` (bot sections) merged over it as
    ``tmp/bot.yaml``; ``retrieval`` replaces fields of the RetrievalSettings."""
    user_yaml = tmp / "bot.yaml"
    user_yaml.write_text(f"telegram: {{base_url: '{server.base_url}'}}\n{yaml}", encoding="utf-8")
    config = load_config(user_yaml, env={})
    settings = dataclasses.replace(config.retrieval.with_corpus(list(corpus)), cache_dir=cache,
                                   **retrieval)
    return dataclasses.replace(config, retrieval=settings)


def state_of(application: BotApplication) -> BotState:
    state: BotState = application.bot_data[STATE_KEY]
    return state


@asynccontextmanager
async def running_bot(
    config: Config,
    engine: Any,
    server: BotApiServer,
    *,
    allowed_updates: Sequence[str] | None = None,
) -> AsyncIterator[BotApplication]:
    """The Application from ``build_application``, polling ``server`` until the block ends.

    ``allowed_updates`` None leaves Telegram's default (edits and channel posts delivered too),
    which tests the handlers' own filtering rather than the subscription.
    """
    application = build_application(config, engine, token=server.token)
    await application.initialize()
    await application.start()
    assert application.updater is not None

    def on_polling_error(error: Exception) -> None:  # as Application.run_polling does
        application.create_task(application.process_error(error=error, update=None))

    await application.updater.start_polling(
        poll_interval=0.0,
        timeout=1,
        allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
        error_callback=on_polling_error,
    )
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.shutdown()
        assert application.post_shutdown is not None  # build_application sets it
        await application.post_shutdown(application)


class LogCapture(logging.Handler):
    """Every record logged in the process while active (the root logger at ``level``)."""

    def __init__(self, level: int = logging.DEBUG) -> None:
        super().__init__(logging.DEBUG)
        self.capture_level = level
        self.records: list[logging.LogRecord] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    @contextmanager
    def active(self) -> Iterator[LogCapture]:
        root = logging.getLogger()
        previous = root.level
        root.addHandler(self)
        root.setLevel(self.capture_level)
        try:
            yield self
        finally:
            root.removeHandler(self)
            root.setLevel(previous)

    def text(self) -> str:
        """All records formatted as a log file would show them, tracebacks included."""
        return "\n".join(self.format(record) for record in self.records)

    def at_least(self, level: int) -> list[logging.LogRecord]:
        return [record for record in self.records if record.levelno >= level]

    def matching(self, needle: str, level: int = logging.DEBUG) -> list[logging.LogRecord]:
        return [r for r in self.at_least(level) if needle in r.getMessage()]

    async def awaited(self, needle: str, count: int, timeout: float = 10.0,
                      ) -> list[logging.LogRecord]:
        """The records matching `needle` once there are `count` of them (or the timeout has
        passed): the bot logs an answer after its reply is delivered, so a test sees the reply
        a moment before the record."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.matching(needle)) < count and loop.time() < deadline:
            await asyncio.sleep(0.01)
        return found
