"""Telegram failing: flood waits, 5xx, timeouts, dropped connections, 400s and SIGTERM.

The real Application polls the loopback Bot API server, which injects the faults
(``fail_next``). After each fault clears, every question must be answered exactly once (the
server's chat shows one bot message, its update log no second processing), or, once retries
run out, the failure is logged and the user told; the bot keeps running throughout.
Complements ``test_bot.py`` (one 429 and one 502/drop on sendMessage, one generic 400).
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram.error import Conflict

from bot import texts
from bot.state import BotApplication
from retrieval import Config
from tests.support.bot_harness import (
    REPO,
    LogCapture,
    bot_config,
    shared_cache,
)
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

READ_TIMEOUT = 5.0  # PTB's default for every request; a getUpdates long poll adds its timeout
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"

# Fault name -> fail_next arguments. "timeout" answers normally, but after the bot gave up.
FAULTS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "502 twice": {"status": 502, "count": 2},
    "dropped": {"status": 200, "drop": True},
}


@pytest.fixture(scope="module")
def config(
    tmp_path_factory: pytest.TempPathFactory, botapi_session_server: BotApiServer
) -> Config:
    return bot_config(
        tmp_path_factory.mktemp("faults"), botapi_session_server,
        cache=shared_cache(tmp_path_factory),
        yaml="rate_limit: {questions: 1000, per_seconds: 60}\n",
    )


@pytest.fixture
def logs() -> Iterator[LogCapture]:
    with LogCapture(logging.INFO).active() as capture:
        yield capture


# --- helpers -------------------------------------------------------------------------------

async def exactly_one(server: BotApiServer, chat_id: int, quiet: float = 0.4) -> dict[str, Any]:
    """The chat's one bot message; fails on none (lost) or more (duplicated)."""
    first = (await server.wait_bot_messages(chat_id, 1, timeout=30))[0]
    await asyncio.sleep(quiet)
    messages = await server.bot_messages(chat_id)
    assert len(messages) == 1, [m["text"][:40] for m in messages]
    return first


async def fault_hit(server: BotApiServer, method: str, timeout: float = 15) -> dict[str, Any]:
    """Wait until a call of ``method`` met an injected fault (it may still be in progress)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        hits = [c for c in await server.calls(method) if c.get("fault") is not None]
        if hits:
            return hits[-1]
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no {method} call met the injected fault in {timeout}s")


def still_running(app: BotApplication) -> None:
    assert app.running and app.updater is not None and app.updater.running


def no_errors(logs: LogCapture) -> None:
    assert not logs.at_least(logging.ERROR), [r.getMessage() for r in logs.at_least(logging.ERROR)]


def update_row(rows: dict[str, list[dict[str, Any]]], update_id: int) -> dict[str, Any]:
    return next(row for row in rows["all"] if row["update_id"] == update_id)


async def first_answer(server: BotApiServer, user: int, question: str) -> dict[str, Any]:
    await server.send_message(user_id=user, text=question)
    return (await server.wait_bot_messages(user, 1, timeout=30))[0]


def button_data(message: dict[str, Any], label: str) -> str:
    for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
        for candidate in row:
            if label in candidate["text"]:
                return str(candidate["callback_data"])
    raise AssertionError(f"no button {label!r}")


# --- receiving: getUpdates ------------------------------------------------------------------

GET_UPDATES_FAULTS = {  # 500 takes the same path as 502 here
    **{name: fault for name, fault in FAULTS.items() if name != "500"},
    "timeout": {"status": 200, "delay": READ_TIMEOUT + 1 + 1.5},
}


@pytest.mark.parametrize(
    ("index", "fault"), list(enumerate(GET_UPDATES_FAULTS.values())), ids=GET_UPDATES_FAULTS.keys()
)
async def test_get_updates_faults_delay_but_never_lose_or_repeat_a_question(
    server: BotApiServer, app: BotApplication, logs: LogCapture, index: int,
    fault: dict[str, Any],
) -> None:
    """The question arrives while polling fails; it is answered once when polling recovers."""
    user = 2000 + index
    await server.fail_next("getUpdates", **fault)
    await fault_hit(server, "getUpdates")
    sent = await server.send_message(user_id=user, text="双减 作业负担")
    answer = await exactly_one(server, user)
    assert answer["text"].startswith("🔎 双减 作业负担")
    if "delay" in fault:
        # The bot gave up on the late poll and polled again, which fetched the question. The
        # late poll's answer then went into a closed connection and (as in Telegram) ended the
        # bot's newer poll with 409 Conflict, which the bot logs before polling again.
        while (await fault_hit(server, "getUpdates"))["status"] is None:
            await asyncio.sleep(0.1)
        await server.wait_calls("getUpdates", len(await server.calls("getUpdates")) + 1)
        assert update_row(await server.updates(), sent["update_id"])["deliveries"] == 1
        assert all(isinstance(r.exc_info[1], Conflict) for r in logs.at_least(logging.ERROR)
                   if r.exc_info)
        assert len(logs.at_least(logging.ERROR)) <= 1
        await exactly_one(server, user, quiet=0.1)
    else:
        no_errors(logs)
    still_running(app)


# --- sending: sendMessage, answerInlineQuery, editMessageText ----------------------------------

@pytest.mark.parametrize(("index", "fault"), list(enumerate(FAULTS.values())), ids=FAULTS.keys())
async def test_send_message_faults_are_retried_and_the_answer_sent_once(
    server: BotApiServer, app: BotApplication, logs: LogCapture, index: int,
    fault: dict[str, Any],
) -> None:
    user = 2100 + index
    await server.fail_next("sendMessage", **fault)
    await server.send_message(user_id=user, text="教师队伍建设")
    answer = await exactly_one(server, user)
    assert answer["text"].startswith("🔎 教师队伍建设")
    calls = [c for c in await server.calls("sendMessage") if c["params"]["chat_id"] == user]
    assert [c["status"] for c in calls][-1] == 200 and len(calls) == 1 + fault.get("count", 1)
    no_errors(logs)
    still_running(app)


@pytest.mark.parametrize(("index", "fault"), list(enumerate(FAULTS.values())), ids=FAULTS.keys())
async def test_inline_answer_faults_are_retried_and_the_query_answered_once(
    server: BotApiServer, app: BotApplication, logs: LogCapture, index: int,
    fault: dict[str, Any],
) -> None:
    user = 2200 + index
    await server.fail_next("answerInlineQuery", **fault)
    query_id = await server.inline_query(user_id=user, query="立德树人")
    answer = await server.wait_inline_answer(query_id, timeout=30)
    assert len(answer["results"]) == 10
    await asyncio.sleep(0.3)
    calls = [
        c for c in await server.calls("answerInlineQuery")
        if str(c["params"]["inline_query_id"]) == query_id
    ]
    assert [c["status"] for c in calls].count(200) == 1
    no_errors(logs)
    still_running(app)


@pytest.mark.parametrize(("index", "fault"), list(enumerate(FAULTS.values())), ids=FAULTS.keys())
async def test_edit_faults_are_retried_and_the_page_turned_once(
    server: BotApiServer, app: BotApplication, logs: LogCapture, index: int,
    fault: dict[str, Any],
) -> None:
    user = 2300 + index
    answer = await first_answer(server, user, "教师队伍建设")
    await server.fail_next("editMessageText", **fault)
    query_id = await server.press_button(
        user_id=user, chat_id=user, message_id=answer["message_id"],
        data=button_data(answer, "下一页"),
    )
    edited = await server.wait_edit(user, answer["message_id"], timeout=30)
    assert "（第 4–6 条）" in edited["text"]
    assert (await server.wait_callback_answer(query_id, timeout=30))["show_alert"] is False
    await asyncio.sleep(0.3)
    current = await server.bot_messages(user)
    assert len(current) == 1 and current[0]["edit_count"] == 1
    no_errors(logs)
    still_running(app)


async def test_timeouts_do_not_resend_what_telegram_already_received(
    server: BotApiServer, app: BotApplication, logs: LogCapture
) -> None:
    """Telegram answered too late (after PTB's read timeout), but did act on each request. A
    retry would send the answer twice, or answer a query twice (a 400); so none is repeated."""
    late = {"status": 200, "delay": READ_TIMEOUT + 1}
    page_user, ask_user, inline_user = 2400, 2401, 2402
    answer = await first_answer(server, page_user, "教师队伍建设")
    for method in ("sendMessage", "answerInlineQuery", "editMessageText"):
        await server.fail_next(method, **late)
    await server.press_button(
        user_id=page_user, chat_id=page_user, message_id=answer["message_id"],
        data=button_data(answer, "下一页"),
    )
    await server.send_message(user_id=ask_user, text="课后服务")
    query_id = await server.inline_query(user_id=inline_user, query="课后服务")

    assert (await exactly_one(server, ask_user, quiet=2.0))["text"].startswith("🔎 课后服务")
    assert len((await server.wait_inline_answer(query_id, timeout=30))["results"]) == 10
    edited = await server.wait_edit(page_user, answer["message_id"], timeout=30)
    assert edited["edit_count"] == 1 and "（第 4–6 条）" in edited["text"]
    for method in ("sendMessage", "answerInlineQuery", "editMessageText"):
        faulted = [c for c in await server.calls(method) if c.get("fault") is not None]
        assert len(faulted) == 1
        assert faulted[0]["status"] == 0, "the bot gave up waiting before the late answer"
    assert len(await server.calls("answerInlineQuery")) == 1
    assert len(await server.calls("editMessageText")) == 1
    assert [m["text"][:4] for m in await server.bot_messages(page_user)] == ["🔎 教师"]
    no_errors(logs)
    assert len(logs.matching("may have arrived", logging.WARNING)) >= 2
    still_running(app)


# --- retries run out ------------------------------------------------------------------------

@pytest.mark.parametrize(
    "fault", [{"status": 502}, {"status": 429, "retry_after": 1}], ids=["502", "429"]
)
async def test_past_the_retries_the_answer_is_logged_as_undelivered_and_the_user_told(
    server: BotApiServer, app: BotApplication, logs: LogCapture, fault: dict[str, Any]
) -> None:
    user = 2500 + fault["status"]
    retries = app.bot_data["policybot"].settings.rate_limit.max_retries
    await server.fail_next("sendMessage", count=retries + 1, **fault)
    sent = await server.send_message(user_id=user, text="立德树人")
    apology = await exactly_one(server, user)
    assert apology["text"] == texts.ERROR
    failed = logs.matching(f"update {sent['update_id']} failed", logging.ERROR)
    assert len(failed) == 1
    calls = [c for c in await server.calls("sendMessage") if c["params"]["chat_id"] == user]
    assert len(calls) == retries + 2  # the answer's attempts, then the apology
    again = await first_answer(server, user + 1, "立德树人")
    assert again["text"].startswith("🔎 立德树人")
    still_running(app)


# --- 400s from Telegram ---------------------------------------------------------------------

@pytest.mark.parametrize(
    "description",
    [
        "can't parse entities: Unsupported start tag \"x\" at byte offset 0",
        "message is too long",
    ],
    ids=["bad entities", "too long"],
)
async def test_refused_formatting_or_length_still_gets_the_answer_as_plain_text(
    server: BotApiServer, app: BotApplication, logs: LogCapture, description: str
) -> None:
    user = 2600 + len(description)
    await server.fail_next("sendMessage", status=400, description=description)
    await server.send_message(user_id=user, text="课后服务怎么开展")
    answer = await exactly_one(server, user)
    assert answer["text"].startswith("🔎 课后服务怎么开展\n以下是相关原文")
    assert "①" in answer["text"] and "第" in answer["text"]
    assert not any(e["type"] in ("bold", "blockquote") for e in answer.get("entities", []))
    assert answer.get("reply_markup"), "the buttons survive the fallback"
    no_errors(logs)
    assert logs.matching("plain text", logging.WARNING)


async def test_edit_not_modified_is_a_normal_page_turn(
    server: BotApiServer, app: BotApplication, logs: LogCapture
) -> None:
    user = 2700
    answer = await first_answer(server, user, "教师队伍建设")
    await server.fail_next(
        "editMessageText", status=400,
        description="message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message",
    )
    query_id = await server.press_button(
        user_id=user, chat_id=user, message_id=answer["message_id"],
        data=button_data(answer, "下一页"),
    )
    reply = await server.wait_callback_answer(query_id)
    assert reply["show_alert"] is False and not reply["text"]
    no_errors(logs)


async def test_a_query_too_old_to_answer_is_logged_briefly_and_the_rest_still_done(
    server: BotApiServer, app: BotApplication, logs: LogCapture
) -> None:
    """Inline: nothing more can be done, so a warning and no apology. Button: Telegram no
    longer takes the acknowledgement, but the context the user asked for is still sent."""
    user = 2800
    await server.fail_next("answerInlineQuery", status=400, description=TOO_OLD)
    await server.inline_query(user_id=user, query="立德树人")
    await server.wait_calls("answerInlineQuery", 1)
    answer = await first_answer(server, user, "立德树人")
    await server.fail_next("answerCallbackQuery", status=400, description=TOO_OLD)
    await server.press_button(
        user_id=user, chat_id=user, message_id=answer["message_id"],
        data=button_data(answer, "①"),
    )
    context = (await server.wait_bot_messages(user, 2))[-1]
    assert context["text"].startswith("📖 上下文")
    await asyncio.sleep(0.3)
    assert len(await server.calls("answerInlineQuery")) == 1, "no second answer to a dead query"
    assert len(await server.calls("answerCallbackQuery")) == 1
    no_errors(logs)
    assert len(logs.matching("too old", logging.WARNING)) == 2
    still_running(app)


# --- SIGTERM while answering: `policybot serve` as a real process ---------------------------

def serve(tmp: Path, server: BotApiServer) -> subprocess.Popen[str]:
    """`policybot serve` with the token and server from the environment, as deployed."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("POLICYBOT_", "TELEGRAM_"))},
        "TELEGRAM_BOT_TOKEN": server.token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        "POLICYBOT_CACHE__DIR": str(tmp / "cache"),
        "POLICYBOT_TELEGRAM__POLL_TIMEOUT": "1",
    }
    return subprocess.Popen(
        [str(Path(sys.executable).with_name("policybot")), "serve"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


async def stop(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """SIGTERM, then wait (bounded) for the exit; returns everything the process printed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    try:
        output, _ = await asyncio.to_thread(process.communicate, timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        output, _ = await asyncio.to_thread(process.communicate, timeout=10)
        raise AssertionError(f"no exit within {timeout}s of SIGTERM:\n{output}") from None
    return output


async def in_flight(server: BotApiServer, method: str, count: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if sum(c["status"] is None for c in await server.calls(method)) >= count:
            return
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{count} {method} calls were not in flight within {timeout}s")


async def test_sigterm_mid_answer_finishes_in_flight_answers_and_restarts_without_repeats(
    tmp_path: Path,
) -> None:
    users = (2900, 2901, 2902)
    async with BotApiServer(token="4242:SIGTERM-token", bot_username="policybot_term_bot") as srv:
        process = serve(tmp_path, srv)
        try:
            await srv.wait_calls("getUpdates", 1, timeout=90)  # the index is ready, polling
            await srv.fail_next("sendMessage", status=200, delay=2.0, count=len(users))
            sent = [await srv.send_message(user_id=u, text="双减 课后服务") for u in users]
            await in_flight(srv, "sendMessage", len(users), timeout=20)
            signalled = time.monotonic()
            first_run = await stop(process)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        assert process.returncode == 0, first_run
        assert time.monotonic() - signalled < 20
        # Every answer in flight was finished by the bot itself (it read Telegram's reply).
        answers = [c for c in await srv.calls("sendMessage") if c["params"]["chat_id"] in users]
        assert [c["status"] for c in answers] == [200] * len(users)
        assert sum("event=answer" in line for line in first_run.splitlines()) == len(users)
        rows = await srv.updates()
        assert not rows["pending"], "the offset past every processed update was committed"
        assert all(update_row(rows, s["update_id"])["confirmed"] for s in sent)

        # Back up: only the question that arrived while the bot was down is processed.
        late = await srv.send_message(user_id=2903, text="立德树人")
        process = serve(tmp_path, srv)
        try:
            answer = (await srv.wait_bot_messages(2903, 1, timeout=90))[0]
            await asyncio.sleep(1.0)
        finally:
            second_run = await stop(process)
        assert process.returncode == 0, second_run
        assert answer["text"].startswith("🔎 立德树人")
        for user in users:
            messages = await srv.bot_messages(user)
            assert len(messages) == 1, "processed twice"
            assert messages[0]["text"].startswith("🔎 双减 课后服务")
        rows = await srv.updates()
        assert all(update_row(rows, s["update_id"])["deliveries"] == 1 for s in sent)
        assert update_row(rows, late["update_id"])["deliveries"] == 1
        assert sum("event=answer" in line for line in second_run.splitlines()) == 1
    assert srv.token not in first_run + second_run and "SIGTERM-token" not in first_run + second_run
