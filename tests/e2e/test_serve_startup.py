"""`policybot serve` when Telegram cannot be reached or refuses the token: one line, no traceback.

Each case runs the real command in its own process, after the configured network retries.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.bot_harness import REPO, SEEDS, shared_cache
from tests.support.botapi import BotApiServer

# A name lookup that fails the way a missing DNS name does, without asking a name server:
# tests send no traffic beyond this machine, and the failure is what is under test.
NO_DNS = """
import socket

_getaddrinfo = socket.getaddrinfo


def _no_such_name(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".invalid"):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return _getaddrinfo(host, *args, **kwargs)


socket.getaddrinfo = _no_such_name
"""


def _serve(base_url: str, token: str, cache: Path) -> subprocess.CompletedProcess[str]:
    hooks = cache.parent / "no-dns"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(NO_DNS, "utf-8")
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": token, "TELEGRAM_API_BASE_URL": base_url,
           "POLICYBOT_CACHE__DIR": str(cache), "POLICYBOT_RATE_LIMIT__MAX_RETRIES": "1",
           "PYTHONPATH": os.pathsep.join([str(hooks), os.environ.get("PYTHONPATH", "")])}
    env.pop("POLICYBOT_CONFIG", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--corpus", str(SEEDS)],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=120)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize(
    ("host", "why"),
    [("nonexistent.invalid", "name not resolved"), (None, "connection refused")],
    ids=["dns", "refused"],
)
def test_unreachable_telegram_ends_in_one_line(
        tmp_path_factory: pytest.TempPathFactory, host: str | None, why: str) -> None:
    host = host or f"127.0.0.1:{_closed_port()}"
    run = _serve(f"http://{host}/bot", "123:abc", shared_cache(tmp_path_factory))
    lines = run.stderr.strip().splitlines()
    assert run.returncode == 1
    assert lines[-1] == f"policybot: cannot reach the Telegram Bot API at {host}: {why}"
    assert "Traceback" not in run.stderr
    assert sum("retry" in line for line in lines) == 1  # after the configured retries (1)


def test_rejected_token_is_one_clear_line(
        tmp_path_factory: pytest.TempPathFactory, botapi_server: BotApiServer) -> None:
    run = _serve(botapi_server.base_url, "999:not-the-token", shared_cache(tmp_path_factory))
    assert run.returncode == 2
    assert run.stderr.strip().splitlines()[-1].startswith(
        "policybot: Telegram rejected the bot token")
    assert "Traceback" not in run.stderr and "not-the-token" not in run.stderr
