"""Fixtures for end-to-end tests against the loopback Telegram Bot API server.

The server is one Node process for the whole session; every test that asks for
``botapi_server`` gets it freshly reset. The server fixtures are synchronous on purpose: the
driver opens a new HTTP client per call, so the server works from any test's event loop and no
async fixture has to share a loop scope with the tests.

A module that defines a ``config`` fixture gets, from here, its ``engine``, the bot running
on the session server for the whole module (``app``), and ``server``: the reset server with
that bot running. A module may define any of them itself instead.
"""

from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from bot.state import BotApplication
from retrieval import Config, Engine
from tests.support.bot_harness import running_bot
from tests.support.botapi import BotApiServer


@pytest.fixture(scope="session")
def botapi_session_server() -> Iterator[BotApiServer]:
    """The session's running server (not reset between tests; prefer ``botapi_server``)."""
    with BotApiServer() as server:
        yield server


@pytest.fixture
def botapi_server(botapi_session_server: BotApiServer) -> BotApiServer:
    """The running server with all state (chats, updates, calls, faults, limits) reset."""
    botapi_session_server.reset_sync()
    return botapi_session_server


@pytest.fixture(scope="module")
def engine(config: Config) -> Engine:
    return Engine.open(config.retrieval)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    config: Config, engine: Engine, botapi_session_server: BotApiServer
) -> AsyncIterator[BotApplication]:
    async with running_bot(config, engine, botapi_session_server) as application:
        yield application


@pytest.fixture
def server(botapi_server: BotApiServer, app: BotApplication) -> BotApiServer:
    """The reset server, with the module's bot running."""
    return botapi_server
