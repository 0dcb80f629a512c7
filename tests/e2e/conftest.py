"""Fixtures for end-to-end tests against the loopback Telegram Bot API server.

The server is one Node process for the whole session; every test that asks for
``botapi_server`` gets it freshly reset. The fixtures are synchronous on purpose: the driver
opens a new HTTP client per call, so the server works from any test's event loop and no
async fixture has to share a loop scope with the tests.
"""

from collections.abc import Iterator

import pytest

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
