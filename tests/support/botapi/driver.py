"""Start, drive and stop the loopback Telegram Bot API server (``server.js`` beside this file).

The server speaks the Bot API on ``/bot<token>/<method>`` and a control API on ``/_control``
that lets a test act as Telegram users and read what the bot did. This module wraps both for
pytest: ``BotApiServer`` runs the Node process on a free port of 127.0.0.1 and offers async
helpers; only loopback addresses are ever contacted.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import os
import selectors
import shutil
import subprocess
import tempfile
import time
import weakref
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import httpx

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parents[2]
SERVER_JS = HERE / "server.js"
DEFAULT_TOKEN = "123456:TEST-token"
DEFAULT_BOT_USERNAME = "policybot_test_bot"
HOST = "127.0.0.1"
MAX_SERVER_WAIT = 60.0  # the server holds a control request at most this long

# BotApiServer(limits={...}) keys -> server flags.
LIMIT_FLAGS = {
    "enabled": "--limits",
    "chat_burst": "--chat-burst",
    "chat_per_second": "--chat-per-second",
    "group_per_minute": "--group-per-minute",
    "global_per_second": "--global-per-second",
}
# Control API takes the same limits in the server's own camelCase.
LIMIT_KEYS = {
    "enabled": "enabled",
    "chat_burst": "chatBurst",
    "chat_per_second": "chatPerSecond",
    "group_per_minute": "groupPerMinute",
    "global_per_second": "globalPerSecond",
}


class BotApiError(RuntimeError):
    """The control API refused a request (a mistake in the test, not a Bot API error)."""


class UpdateNotDelivered(AssertionError):
    """Telegram would not hand this update to the bot (privacy mode, allowed_updates)."""


def _flag_value(value: float | bool) -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    """Stop the server process: SIGTERM, then SIGKILL if it does not exit in time."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
    for stream in (proc.stdin, proc.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()


class BotApiServer:
    """A running fake Telegram Bot API server, for PTB's ``base_url``.

    Use as ``with``/``async with`` context manager or call ``start()``/``stop()``. ``limits``
    overrides the flood limits at start (keys: enabled, chat_burst, chat_per_second,
    group_per_minute, global_per_second).
    """

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = DEFAULT_BOT_USERNAME,
        bot_name: str = "PolicyBot",
        limits: Mapping[str, float | bool] | None = None,
        privacy_mode: bool = True,
        query_ttl: float | None = None,
        node: str = "node",
        startup_timeout: float = 15.0,
    ) -> None:
        unknown = set(limits or {}) - set(LIMIT_FLAGS)
        if unknown:
            raise ValueError(f"unknown limits {sorted(unknown)}; use {sorted(LIMIT_FLAGS)}")
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self._args = ["--token", token, "--bot-username", bot_username, "--bot-name", bot_name]
        self._args += ["--privacy-mode", _flag_value(privacy_mode)]
        if query_ttl is not None:
            self._args += ["--query-ttl", str(query_ttl)]
        for key, value in (limits or {}).items():
            self._args += [LIMIT_FLAGS[key], _flag_value(value)]
        self._node = node
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self._finalizer: weakref.finalize | None = None
        self._log_path: Path | None = None
        self._final_log = ""
        self._port: int | None = None

    # ----------------------------------------------------------------- addresses

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the Bot API server is not running; call start() first")
        return self._port

    @property
    def url(self) -> str:
        """Root URL of the server, e.g. http://127.0.0.1:PORT."""
        return f"http://{HOST}:{self.port}"

    @property
    def base_url(self) -> str:
        """For ``Application.builder().base_url(...)``: PTB appends the token."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> Self:
        """Start the server and wait until it answers; raises with its log if it cannot."""
        if self._proc is not None:
            raise RuntimeError("the Bot API server is already running")
        self._check_install()
        fd, log_name = tempfile.mkstemp(prefix="botapi-", suffix=".log")
        self._log_path = Path(log_name)
        cmd = [self._node, str(SERVER_JS), "--port", "0", "--exit-with-stdin", "on", *self._args]
        try:
            self._proc = subprocess.Popen(
                cmd,
                cwd=REPO_ROOT,
                stdin=subprocess.PIPE,  # the server exits when this pipe closes
                stdout=subprocess.PIPE,
                stderr=fd,
                start_new_session=True,  # Ctrl-C reaches pytest, which then stops us cleanly
            )
        finally:
            os.close(fd)
        self._finalizer = weakref.finalize(self, _terminate, self._proc)
        try:
            deadline = time.monotonic() + self._startup_timeout
            self._port = self._read_port(deadline)
            self._wait_ready(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop the server (idempotent); its log stays readable through ``server_log()``."""
        proc, self._proc = self._proc, None
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if proc is not None:
            _terminate(proc)
        self._port = None
        if self._log_path is not None:
            self._final_log = self.server_log()
            self._log_path.unlink(missing_ok=True)
            self._log_path = None

    def server_log(self) -> str:
        """What the server wrote to stderr (kept after stop, for debugging failed tests)."""
        if self._log_path is None:
            return self._final_log
        return self._log_path.read_text(errors="replace")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        return await asyncio.to_thread(self.start)

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await asyncio.to_thread(self.stop)

    def _check_install(self) -> None:
        if not (REPO_ROOT / "node_modules" / "telegram-test-api" / "package.json").exists():
            raise RuntimeError(
                f"telegram-test-api is not installed: run `npm ci` in {REPO_ROOT} "
                "(Node 20+; package.json pins telegram-test-api 4.2.1)"
            )
        if shutil.which(self._node) is None:
            raise RuntimeError(f"`{self._node}` is not on PATH; the Bot API server needs Node 20+")

    def _read_port(self, deadline: float) -> int:
        """Read the server's one stdout line, {"event": "listening", "port": N}."""
        assert self._proc is not None and self._proc.stdout is not None
        stdout = self._proc.stdout
        buffer = b""
        with selectors.DefaultSelector() as selector:
            selector.register(stdout, selectors.EVENT_READ)
            while b"\n" not in buffer:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"Bot API server did not start:\n{self.server_log()}")
                if not selector.select(remaining):
                    continue
                chunk = os.read(stdout.fileno(), 4096)
                if not chunk:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        self._proc.wait(timeout=2)
                    raise RuntimeError(
                        f"Bot API server exited with {self._proc.returncode}:\n{self.server_log()}"
                    )
                buffer += chunk
        event = json.loads(buffer.split(b"\n", 1)[0])
        return int(event["port"])

    def _wait_ready(self, deadline: float) -> None:
        with httpx.Client(trust_env=False, timeout=2.0) as client:
            while True:
                try:
                    client.get(f"{self.url}/_control/health").raise_for_status()
                    return
                except httpx.HTTPError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)

    # ----------------------------------------------------------------- control API plumbing

    async def _control(
        self,
        verb: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        query: Mapping[str, Any] | None = None,
        wait: float = 0.0,
    ) -> dict[str, Any]:
        # A client per call: tests run on different event loops, a shared pool would not.
        async with httpx.AsyncClient(trust_env=False, timeout=wait + 10.0) as client:
            response = await client.request(
                verb, f"{self.url}/_control{path}", json=body, params=query
            )
        return self._decode(response)

    def _control_sync(self, verb: str, path: str, body: Mapping[str, Any] | None = None) -> dict:
        with httpx.Client(trust_env=False, timeout=10.0) as client:
            return self._decode(client.request(verb, f"{self.url}/_control{path}", json=body))

    @staticmethod
    def _decode(response: httpx.Response) -> dict[str, Any]:
        data = response.json()
        if response.status_code != 200 or not data.get("ok"):
            raise BotApiError(f"control API {response.status_code}: {data.get('error', data)}")
        return data

    async def _await(
        self, path: str, query: Mapping[str, Any], timeout: float, done: str = "complete"
    ) -> dict[str, Any]:
        """Repeat a server-side wait (each at most 60 s) until done or the deadline passes."""
        deadline = time.monotonic() + timeout
        while True:
            wait = max(0.0, min(deadline - time.monotonic(), MAX_SERVER_WAIT))
            data = await self._control("GET", path, query={**query, "wait": wait}, wait=wait)
            if data.get(done) or time.monotonic() >= deadline:
                return data

    @staticmethod
    def _delivered(result: dict[str, Any], expect_delivery: bool) -> dict[str, Any]:
        if expect_delivery and not result["queued"]:
            raise UpdateNotDelivered(f"the bot would not receive this update: {result['reason']}")
        return result["update"]

    # ----------------------------------------------------------------- acting as users

    async def send_message(
        self,
        *,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        chat_type: str = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
        first_name: str = "User",
        username: str | None = None,
        via_bot: bool = False,
        forward: bool = False,
        expect_delivery: bool = True,
    ) -> dict[str, Any]:
        """A user writes ``text``; returns the Update queued for the bot.

        ``chat_id`` defaults to ``user_id`` (the private chat). In groups the bot's privacy
        mode may withhold the update, as Telegram does: then UpdateNotDelivered is raised
        unless ``expect_delivery=False`` (the returned Update is then never delivered).
        """
        chat = {"id": user_id if chat_id is None else chat_id, "type": chat_type}
        if chat_title is not None:
            chat["title"] = chat_title
        user = {"id": user_id, "first_name": first_name, "username": username}
        body = {
            "user": user,
            "chat": chat,
            "text": text,
            "reply_to_message_id": reply_to_message_id,
            "via_bot": via_bot,
            "forward": forward,
        }
        result = await self._control("POST", "/updates/message", body=body)
        return self._delivered(result, expect_delivery)

    async def send_document(
        self,
        *,
        user_id: int,
        file_name: str | None,
        content: bytes,
        mime_type: str | None = "text/plain",
        chat_id: int | None = None,
        chat_type: str = "private",
        caption: str | None = None,
        file_size: int | None = None,
        expect_delivery: bool = True,
    ) -> dict[str, Any]:
        """A user sends a file; returns the Update (its message carries ``document``).

        The bytes stay on the server: the bot gets them with getFile and a download from
        ``base_file_url``, as from Telegram. ``file_size`` overrides the size Telegram reports
        (default: ``len(content)``); files over 20 MB cannot be downloaded by bots.
        """
        chat = {"id": user_id if chat_id is None else chat_id, "type": chat_type}
        document: dict[str, Any] = {
            "file_name": file_name,
            "mime_type": mime_type,
            "content_base64": base64.b64encode(content).decode("ascii"),
        }
        if file_size is not None:
            document["file_size"] = file_size
        body: dict[str, Any] = {
            "user": {"id": user_id, "first_name": "User"},
            "chat": chat,
            "document": document,
        }
        if caption is not None:
            body["caption"] = caption
        result = await self._control("POST", "/updates/document", body=body)
        return self._delivered(result, expect_delivery)

    async def files(self) -> list[dict[str, Any]]:
        """Files users sent: file_id, file_path, file_size, described (getFile), downloads."""
        return (await self._control("GET", "/files"))["files"]

    async def edit_user_message(
        self,
        *,
        chat_id: int,
        message_id: int,
        text: str,
        user_id: int,
        expect_delivery: bool = True,
    ) -> dict[str, Any]:
        """The user edits their message; returns the ``edited_message`` Update."""
        body = {"chat_id": chat_id, "message_id": message_id, "text": text, "user_id": user_id}
        result = await self._control("POST", "/updates/edited_message", body=body)
        return self._delivered(result, expect_delivery)

    async def channel_post(
        self, *, chat_id: int, text: str, title: str | None = None
    ) -> dict[str, Any]:
        """A post appears in a channel the bot administers; returns the Update."""
        body = {"chat_id": chat_id, "text": text, "title": title}
        result = await self._control("POST", "/updates/channel_post", body=body)
        return self._delivered(result, True)

    async def press_button(
        self,
        *,
        user_id: int,
        chat_id: int,
        message_id: int,
        data: str,
        force: bool = False,
    ) -> str:
        """Press the inline button with ``data`` on a bot message; returns the query id.

        Fails if the message has no such button, unless ``force`` (a stale client).
        """
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "data": data,
            "force": force,
        }
        result = await self._control("POST", "/updates/callback_query", body=body)
        self._delivered(result, True)
        return str(result["id"])

    async def inline_query(
        self, *, user_id: int, query: str, offset: str = "", chat_type: str = "sender"
    ) -> str:
        """A user types ``@bot query``; returns the inline query id."""
        body = {"user_id": user_id, "query": query, "offset": offset, "chat_type": chat_type}
        result = await self._control("POST", "/updates/inline_query", body=body)
        self._delivered(result, True)
        return str(result["id"])

    async def chosen_inline_result(
        self,
        *,
        user_id: int,
        result_id: str,
        query: str = "",
        inline_query_id: str | None = None,
    ) -> dict[str, Any]:
        """The user picks an inline result; returns the ``chosen_inline_result`` Update."""
        body = {
            "user_id": user_id,
            "result_id": result_id,
            "query": query,
            "inline_query_id": inline_query_id,
        }
        result = await self._control("POST", "/updates/chosen_inline_result", body=body)
        return self._delivered(result, True)

    async def inject(self, actions: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Many user actions in one request, in order (thousands per second, for fuzzing).

        Each action is ``{"type": ..., **body}``: type ``message``, ``edited_message``,
        ``channel_post``, ``callback_query``, ``inline_query`` or ``chosen_inline_result``, and
        the body of that action's control endpoint (see README). Returns one result per action:
        that endpoint's answer (``update``, ``queued``, ``reason``, and ``id`` for queries), or
        ``{"error": ...}`` for an action the control API refused. Texts may hold any Python
        string, lone surrogates included (sent as JSON escapes, as a client bug would).
        """
        payload = json.dumps({"actions": list(actions)})  # ASCII: "\\ud800" survives
        async with httpx.AsyncClient(trust_env=False, timeout=60.0) as client:
            response = await client.post(
                f"{self.url}/_control/updates/batch",
                content=payload,
                headers={"content-type": "application/json"},
            )
        return self._decode(response)["results"]

    async def register_chat(
        self,
        *,
        chat_id: int,
        chat_type: str,
        title: str | None = None,
        username: str | None = None,
        member: bool | None = None,
        blocked: bool | None = None,
        bot_is_admin: bool | None = None,
    ) -> dict[str, Any]:
        """Create or change a chat without a message (e.g. the bot was removed or blocked)."""
        body = {
            "id": chat_id,
            "type": chat_type,
            "title": title,
            "username": username,
            "member": member,
            "blocked": blocked,
            "bot_is_admin": bot_is_admin,
        }
        data = await self._control(
            "POST", "/chats", body={k: v for k, v in body.items() if v is not None}
        )
        return data["chat"]

    # ----------------------------------------------------------------- reading what the bot did

    async def bot_messages(self, chat_id: int, *, history: bool = False) -> list[dict[str, Any]]:
        """The bot's messages in a chat, oldest first, as they are now (after edits)."""
        query = {"history": "1" if history else "0"}
        data = await self._control("GET", f"/chats/{chat_id}/messages", query=query)
        return data["messages"]

    async def wait_bot_messages(
        self, chat_id: int, count: int, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has at least ``count`` messages in the chat; TimeoutError if not."""
        data = await self._await(f"/chats/{chat_id}/messages", {"min_count": count}, timeout)
        if not data["complete"]:
            raise TimeoutError(
                f"expected {count} bot message(s) in chat {chat_id} within {timeout}s, got "
                f"{len(data['messages'])}: {[m['text'] for m in data['messages']]}"
            )
        return data["messages"]

    async def wait_edit(
        self, chat_id: int, message_id: int, timeout: float = 10.0, *, min_edits: int = 1
    ) -> dict[str, Any]:
        """Wait until the message has been edited ``min_edits`` times; returns it (with history)."""
        query = {"min_edits": min_edits}
        data = await self._await(f"/chats/{chat_id}/messages/{message_id}", query, timeout)
        if not data["complete"]:
            raise TimeoutError(
                f"message {message_id} in chat {chat_id} was edited "
                f"{data['message']['edit_count']} time(s) in {timeout}s, expected {min_edits}"
            )
        return data["message"]

    async def wait_inline_answer(
        self, inline_query_id: str, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The bot's answer to an inline query: {results, next_offset, cache_time, ...}."""
        return await self._wait_answer("inline", inline_query_id, timeout)

    async def wait_callback_answer(
        self, callback_query_id: str, timeout: float = 10.0
    ) -> dict[str, Any]:
        """The bot's answer to a button press: {text, show_alert, url, cache_time}."""
        return await self._wait_answer("callback", callback_query_id, timeout)

    async def _wait_answer(self, kind: str, query_id: str, timeout: float) -> dict[str, Any]:
        data = await self._await(f"/{kind}_queries/{query_id}", {}, timeout, done="answered")
        if not data["answered"]:
            raise TimeoutError(f"{kind} query {query_id} was not answered within {timeout}s")
        return data["query"]["answer"]

    async def calls(self, method: str | None = None) -> list[dict[str, Any]]:
        """Bot API calls so far (optionally of one method, case-insensitive), in arrival order.

        Each: method, params (decoded), status (HTTP; 0 if the connection was dropped by a
        fault or closed by the client first, e.g. a cancelled long poll; None while in flight),
        ok, result or description, time (epoch s), duration (s), fault (if one was injected).
        """
        query = {"method": method} if method else {}
        return (await self._control("GET", "/calls", query=query))["calls"]

    async def wait_calls(self, method: str, count: int, timeout: float = 10.0) -> list[dict]:
        """Wait until ``count`` completed calls of ``method`` were made; returns all of them."""
        data = await self._await("/calls", {"method": method, "min_count": count}, timeout)
        if not data["complete"]:
            done = [c for c in data["calls"] if c["status"] is not None]
            raise TimeoutError(f"expected {count} {method} call(s) in {timeout}s, got {len(done)}")
        return data["calls"]

    async def updates(self) -> dict[str, list[dict[str, Any]]]:
        """Update bookkeeping: ``pending`` (unconfirmed) and ``all``, each row with
        update_id, type, queued, reason, deliveries (times getUpdates returned it), confirmed."""
        data = await self._control("GET", "/updates")
        return {"pending": data["pending"], "all": data["all"]}

    async def chat_info(self, chat_id: int) -> dict[str, Any]:
        """Chat, membership flags, chat_instance and the chat actions the bot sent."""
        return await self._control("GET", f"/chats/{chat_id}")

    async def bot_settings(self) -> dict[str, Any]:
        """What the bot set about itself: commands, descriptions, webhook, allowed_updates."""
        return await self._control("GET", "/bot")

    # ----------------------------------------------------------------- faults, limits, reset

    async def fail_next(
        self,
        method: str,
        *,
        status: int,
        count: int = 1,
        retry_after: int | None = None,
        description: str | None = None,
        delay: float | None = None,
        drop: bool = False,
    ) -> None:
        """Make the next ``count`` calls of ``method`` ("*" for any) fail.

        ``status`` 429 answers "Too Many Requests: retry after N"; 4xx/5xx answer
        Telegram-shaped errors (``description`` overrides the text); status 200 with ``delay``
        answers normally but late; ``drop`` closes the connection without an answer.
        """
        body = {
            "method": method,
            "status": status,
            "count": count,
            "retry_after": retry_after,
            "description": description,
            "delay": delay,
            "drop": drop,
        }
        await self._control(
            "POST", "/faults", body={k: v for k, v in body.items() if v is not None}
        )

    async def set_limits(self, **limits: float | bool) -> dict[str, Any]:
        """Change flood limits until the next reset (same keys as the constructor)."""
        unknown = set(limits) - set(LIMIT_KEYS)
        if unknown:
            raise ValueError(f"unknown limits {sorted(unknown)}")
        body = {LIMIT_KEYS[key]: value for key, value in limits.items()}
        return (await self._control("POST", "/limits", body=body))["limits"]

    async def reset(self) -> None:
        """Forget all chats, messages, updates, calls, faults and limit changes."""
        await self._control("POST", "/reset")

    def reset_sync(self) -> None:
        """``reset()`` for synchronous fixtures."""
        self._control_sync("POST", "/reset")
