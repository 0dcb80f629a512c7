"""Access control cannot be bypassed, and the bot token never leaks.

The allowlists must hold for every way an update can reach the bot, not only new messages:
edited messages, channel posts, messages sent via the bot, button presses with real or forged
data, and inline queries on any page. The bot polls without ``allowed_updates`` here, so edits
and channel posts do arrive (as they would if the subscription were ever widened) and the
handlers must ignore them themselves. Complements ``test_bot.py`` (refusal once in private,
silence in groups, empty inline results).

The token check runs everything at DEBUG, through faults and error paths, and searches every
log line and everything the bot sent for the token.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio

from bot import texts
from bot.state import BotApplication
from retrieval import Config, Engine
from tests.support.bot_harness import LogCapture, bot_config, running_bot, shared_cache
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

TOKEN = "97531:ACCESS-secret-Token_x9"
SECRET = TOKEN.split(":", 1)[1]
BOT = "policybot_access_bot"
ALLOWED = (4001, 4002, 4003, 4004, 4005, 4006, 4007)
OUTSIDER = 4666
ADMIN = 4042
LISTED = -4100  # access.chats: everyone there may ask
UNLISTED = -4200  # nobody but the admin may
CHANNEL = -4300
TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def server() -> AsyncIterator[BotApiServer]:
    """A server of this module's own, with a distinctive token to search for."""
    async with BotApiServer(token=TOKEN, bot_username=BOT) as srv:
        yield srv


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, server: BotApiServer) -> Config:
    users = ", ".join(map(str, ALLOWED))
    return bot_config(
        tmp_path_factory.mktemp("access"), server, cache=shared_cache(tmp_path_factory),
        yaml=(
            f"access: {{users: [{users}], chats: [{LISTED}], admins: [{ADMIN}], "
            "refusal_interval: 3600}\n"
            "rate_limit: {max_retries: 1}\n"  # failures run out of retries quickly
        ),
    )


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app(
    config: Config, server: BotApiServer
) -> AsyncIterator[BotApplication]:
    engine = await asyncio.to_thread(Engine.open, config.retrieval)
    async with running_bot(config, engine, server) as application:
        yield application


@pytest.fixture
def bot(server: BotApiServer, app: BotApplication) -> Iterator[BotApiServer]:
    """The module's server with the bot running; groups are ones the bot administers."""
    server.reset_sync()
    yield server


async def groups(server: BotApiServer) -> None:
    for chat in (LISTED, UNLISTED):  # an admin bot sees every group message
        await server.register_chat(chat_id=chat, chat_type="supergroup", bot_is_admin=True)


async def silence(server: BotApiServer, *chats: int, expected: int = 0) -> None:
    """Give the bot time to (wrongly) answer, then check it did not."""
    await asyncio.sleep(0.6)
    for chat in chats:
        messages = await server.bot_messages(chat)
        assert len(messages) == expected, (chat, [m["text"][:40] for m in messages])


def buttons(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [button["callback_data"] for row in rows for button in row]


# --- edits, channel posts, messages via the bot ---------------------------------------------

async def test_edits_are_never_answered_whoever_makes_them(bot: BotApiServer) -> None:
    """Not outsiders' (no second refusal either), not in unlisted groups, not turned into
    commands or mentions after the fact."""
    await groups(bot)
    sent = await bot.send_message(user_id=OUTSIDER, text="你好")
    await bot.wait_bot_messages(OUTSIDER, 1)  # the one refusal
    await bot.edit_user_message(
        chat_id=OUTSIDER, message_id=sent["message"]["message_id"], user_id=OUTSIDER,
        text="/ask 双减",
    )
    for user, chat in ((OUTSIDER, UNLISTED), (ALLOWED[0], UNLISTED), (OUTSIDER, LISTED)):
        chatter = await bot.send_message(
            user_id=user, chat_id=chat, chat_type="supergroup", text="今天的会议改到下午"
        )
        for text in ("/ask 双减", f"@{BOT} 立德树人", "/start"):
            await bot.edit_user_message(
                chat_id=chat, message_id=chatter["message"]["message_id"], user_id=user,
                text=text,
            )
    await silence(bot, UNLISTED, LISTED)
    await silence(bot, OUTSIDER, expected=1)


async def test_channel_posts_are_ignored_whatever_they_say(
    bot: BotApiServer, app: BotApplication
) -> None:
    for text in ("/ask 双减", f"/ask@{BOT} 双减", f"@{BOT} 立德树人", "/start", "/stats", "双减"):
        await bot.channel_post(chat_id=CHANNEL, text=text)
    await silence(bot, CHANNEL)
    assert await bot.calls("sendMessage") == []


async def test_messages_via_the_bot_are_not_questions(bot: BotApiServer) -> None:
    """An inline quote an allowed user posted, or an outsider's, is never asked back."""
    await groups(bot)
    for user, chat in ((OUTSIDER, UNLISTED), (ALLOWED[1], UNLISTED), (ALLOWED[1], LISTED)):
        await bot.send_message(
            user_id=user, chat_id=chat, chat_type="supergroup", via_bot=True,
            text=f"@{BOT} 双减 课后服务",
        )
    await bot.send_message(user_id=ALLOWED[1], text="双减", via_bot=True)
    await silence(bot, UNLISTED, LISTED, ALLOWED[1])


async def test_outsiders_in_unlisted_groups_get_nothing_however_they_ask(
    bot: BotApiServer,
) -> None:
    await groups(bot)
    for user in (OUTSIDER, ALLOWED[2]):  # with chats listed, other groups admit nobody
        for text in ("/ask 双减", f"/ask@{BOT} 双减", f"@{BOT} 立德树人", "/start", "/help",
                     "/sources", "/stats", "/reload"):
            await bot.send_message(user_id=user, chat_id=UNLISTED, chat_type="supergroup",
                                   text=text)
    await silence(bot, UNLISTED)


async def test_the_admin_is_answered_in_any_group(bot: BotApiServer) -> None:
    """config/default.yaml: admins "are always allowed to ask" (also where chats are listed)."""
    await groups(bot)
    sent = await bot.send_message(
        user_id=ADMIN, chat_id=UNLISTED, chat_type="supergroup", text="/ask 立德树人"
    )
    answer = (await bot.wait_bot_messages(UNLISTED, 1))[0]
    assert answer["reply_to_message_id"] == sent["message"]["message_id"]
    assert answer["text"].startswith("🔎 立德树人")


# --- buttons and inline queries --------------------------------------------------------------

async def test_outsiders_pressing_real_or_forged_buttons_get_nothing(bot: BotApiServer) -> None:
    """Button data is client-supplied: an outsider replaying an allowed user's real buttons
    (next page, context) or forging others is acknowledged silently and nothing happens."""
    owner = ALLOWED[3]
    await bot.send_message(user_id=owner, text="教师队伍建设")
    answer = (await bot.wait_bot_messages(owner, 1))[0]
    real = buttons(answer)
    assert any(d.startswith("p:") for d in real) and any(d.startswith("x") for d in real)
    forged = ["p:AAAAAAAA:3", "x:0000000000000000", "x~AAAAAAAA", "f:k:+", "长" * 100, ""]
    for data in real + forged:
        query_id = await bot.press_button(
            user_id=OUTSIDER, chat_id=owner, message_id=answer["message_id"], data=data,
            force=True,
        )
        reply = await bot.wait_callback_answer(query_id)
        assert not reply["text"] and reply["show_alert"] is False, data
    await silence(bot, owner, expected=1)
    assert (await bot.bot_messages(owner))[0]["edit_count"] == 0
    assert await bot.calls("editMessageText") == []


async def test_inline_queries_from_outsiders_are_empty_on_every_page(bot: BotApiServer) -> None:
    for offset in ("", "10", "20", "٣", "abc"):
        query_id = await bot.inline_query(user_id=OUTSIDER, query="教师队伍建设", offset=offset)
        answer = await bot.wait_inline_answer(query_id)
        assert answer["results"] == [] and answer["is_personal"] is True
        assert not answer["next_offset"] and answer["button"] is None
    allowed = await bot.wait_inline_answer(
        await bot.inline_query(user_id=ALLOWED[4], query="教师队伍建设")
    )
    assert len(allowed["results"]) == 10 and allowed["is_personal"] is True


async def test_outsider_deep_links_and_admin_commands_get_only_the_refusal(
    bot: BotApiServer,
) -> None:
    outsider = OUTSIDER + 1  # not refused yet (the bot remembers refusals for an hour)
    for text in ("/start q_5Y-M5YeP", "/stats", "/reload", "/ask 双减", "/sources", "双减"):
        await bot.send_message(user_id=outsider, text=text)
    messages = await bot.wait_bot_messages(outsider, 1)
    await silence(bot, outsider, expected=1)
    assert messages[0]["text"] == texts.REFUSAL


# --- the gate holds when telling the outsider fails ------------------------------------------

async def test_a_refusal_that_cannot_be_delivered_does_not_open_the_gate(
    bot: BotApiServer, app: BotApplication
) -> None:
    """Telling an outsider "no" is a courtesy that may fail (Telegram down past the retries);
    the update must stop at the gate all the same, not go on to be answered."""
    outsider = OUTSIDER + 2
    retries = app.bot_data["policybot"].settings.rate_limit.max_retries
    await bot.fail_next("sendMessage", status=502, count=retries + 1)
    await bot.send_message(user_id=outsider, text="双减")
    await bot.wait_calls("sendMessage", retries + 1, timeout=30)
    await silence(bot, outsider)
    assert len(await bot.calls("sendMessage")) == retries + 1, "nothing sent after the refusal"


async def test_an_outsider_button_press_too_old_to_acknowledge_does_nothing(
    bot: BotApiServer,
) -> None:
    """Presses that wait while the bot is busy or down are too old to acknowledge when they
    are processed; the gate must still stop them (no context sent, no page turned)."""
    await groups(bot)
    owner = ALLOWED[0]
    await bot.send_message(user_id=owner, text="立德树人")
    answer = (await bot.wait_bot_messages(owner, 1))[0]
    for data in buttons(answer)[:2] + [d for d in buttons(answer) if d.startswith("p:")]:
        await bot.fail_next("answerCallbackQuery", status=400, description=TOO_OLD)
        await bot.press_button(
            user_id=OUTSIDER, chat_id=owner, message_id=answer["message_id"], data=data,
        )
    await silence(bot, owner, expected=1)
    assert (await bot.bot_messages(owner))[0]["edit_count"] == 0


async def test_an_inline_refusal_that_fails_does_not_open_the_gate(
    bot: BotApiServer, app: BotApplication
) -> None:
    retries = app.bot_data["policybot"].settings.rate_limit.max_retries
    await bot.fail_next("answerInlineQuery", status=502, count=retries + 1)
    query_id = await bot.inline_query(user_id=OUTSIDER, query="教师队伍建设")
    await bot.wait_calls("answerInlineQuery", retries + 1, timeout=30)
    await asyncio.sleep(0.6)  # time for a (wrong) answer with results
    calls = await bot.calls("answerInlineQuery")
    assert all(c["params"]["results"] == [] for c in calls), "real results for an outsider"
    assert str(calls[0]["params"]["inline_query_id"]) == query_id


# --- the token ------------------------------------------------------------------------------

@pytest.fixture
def debug_logs() -> Iterator[LogCapture]:
    """Everything at DEBUG, PTB included (whatever earlier tests configured)."""
    loggers = [logging.getLogger(name) for name in ("telegram", "bot", "retrieval")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    try:
        with LogCapture(logging.DEBUG).active() as capture:
            yield capture
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


async def test_the_token_appears_in_no_log_line_and_nothing_the_bot_sends(
    bot: BotApiServer, debug_logs: LogCapture
) -> None:
    """Normal use, refusals, forged buttons and every kind of failure (flood wait, 5xx, a
    dropped connection, 401, 400s, polling errors, retries that run out), all at DEBUG."""
    user = ALLOWED[5]
    await bot.send_message(user_id=user, text="课后服务")
    answer = (await bot.wait_bot_messages(user, 1))[0]
    await bot.send_message(user_id=OUTSIDER, text="双减")
    await bot.wait_inline_answer(await bot.inline_query(user_id=user, query="双减"))
    await bot.wait_callback_answer(await bot.press_button(
        user_id=user, chat_id=user, message_id=answer["message_id"], data="p:forged:9",
        force=True,
    ))
    faults: list[dict[str, Any]] = [
        {"status": 429, "retry_after": 1},
        {"status": 500, "count": 2},  # past the (one) retry: logged, then an apology
        {"status": 200, "drop": True},
        {"status": 401, "description": "Unauthorized"},
        {"status": 400, "description": "can't parse entities: Unsupported start tag"},
        {"status": 403, "description": "bot was blocked by the user"},
    ]
    for number, fault in enumerate(faults):  # each ends in the answer or an apology
        await bot.fail_next("sendMessage", **fault)
        await bot.send_message(user_id=ALLOWED[6], text=f"立德树人 {number}")
        await bot.wait_bot_messages(ALLOWED[6], number + 1, timeout=30)
    for fault in ({"status": 502}, {"status": 200, "drop": True}):
        await bot.fail_next("getUpdates", **fault)
    await bot.send_message(user_id=user, text="教师队伍建设")
    await bot.wait_bot_messages(user, 2, timeout=30)  # polling recovered

    assert debug_logs.at_least(logging.ERROR), "the error paths ran"
    assert any(r.name.startswith("telegram") and r.levelno == logging.DEBUG
               for r in debug_logs.records), "PTB logged at DEBUG"
    logged = debug_logs.text()
    assert TOKEN not in logged and SECRET not in logged
    for call in await bot.calls():
        if call["method"].lower() != "getupdates":
            assert SECRET not in json.dumps(call["params"], ensure_ascii=False), call["method"]
    for chat in (user, OUTSIDER, ALLOWED[6]):
        for message in await bot.bot_messages(chat, history=True):
            assert SECRET not in json.dumps(message, ensure_ascii=False)
