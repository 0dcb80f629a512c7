"""The loopback Bot API server behaves like Telegram for a real PTB 22 bot.

A tiny echo/button/inline bot (defined here) runs as a PTB ``Application`` polling the
server; a raw ``telegram.Bot`` checks single calls and Telegram's error answers.
"""

from __future__ import annotations

import asyncio
import html
import subprocess
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.support.botapi import BotApiError, BotApiServer, UpdateNotDelivered
from tests.support.botapi.driver import HERE

pytestmark = pytest.mark.e2e

USER = 1001
GROUP = -100555
PAGE = 5


class EchoBot:
    """The bot under test: /start with a button, echo, button presses, paged inline answers."""

    def __init__(self, server: BotApiServer) -> None:
        self.updates: list[Update] = []
        self.received = asyncio.Event()
        self.app = (
            Application.builder()
            .token(server.token)
            .base_url(server.base_url)
            .base_file_url(server.base_file_url)
            .defaults(Defaults(parse_mode=ParseMode.HTML))
            .rate_limiter(AIORateLimiter())
            .build()
        )
        self.app.add_handler(CommandHandler("start", self.start))
        self.app.add_handler(CommandHandler("echo", self.echo))
        self.app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self.echo))
        self.app.add_handler(CallbackQueryHandler(self.button))
        self.app.add_handler(InlineQueryHandler(self.inline))

    def record(self, update: Update) -> None:
        self.updates.append(update)
        self.received.set()

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.record(update)
        keyboard = InlineKeyboardMarkup(
            [[InlineKeyboardButton("Press me", callback_data="press:1")]]
        )
        name = html.escape(update.effective_user.first_name)
        await update.effective_message.reply_text(f"Hello <b>{name}</b>", reply_markup=keyboard)

    async def echo(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.record(update)
        message = update.effective_message
        text = message.text.split(maxsplit=1)[-1] if message.text.startswith("/") else message.text
        await message.reply_text(f"You said: <i>{html.escape(text)}</i>", do_quote=True)

    async def button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.record(update)
        query = update.callback_query
        await query.answer(text="Pressed")
        await query.edit_message_text(f"You pressed <code>{html.escape(query.data)}</code>")

    async def inline(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.record(update)
        query = update.inline_query
        first = int(query.offset or 0)
        results = [
            InlineQueryResultArticle(
                id=f"r{n}",
                title=f"{query.query} #{n}",
                input_message_content=InputTextMessageContent(
                    f"<b>{html.escape(query.query)}</b> #{n}"
                ),
            )
            for n in range(first, first + PAGE)
        ]
        await query.answer(results, next_offset=str(first + PAGE), cache_time=0, is_personal=True)


@pytest.fixture
async def echo_bot(botapi_server: BotApiServer) -> AsyncIterator[EchoBot]:
    """The echo bot polling the server; stopped (and its offset confirmed) afterwards."""
    bot = EchoBot(botapi_server)
    async with bot.app:
        await bot.app.updater.start_polling(timeout=timedelta(seconds=5))
        await bot.app.start()
        try:
            yield bot
        finally:
            if bot.app.updater.running:
                await bot.app.updater.stop()
            await bot.app.stop()


@pytest.fixture
async def raw_bot(botapi_server: BotApiServer) -> AsyncIterator[Bot]:
    """A plain telegram.Bot on the server, HTML by default like the project's bot."""
    request = HTTPXRequest(read_timeout=5.0)
    bot = Bot(botapi_server.token, base_url=botapi_server.base_url, request=request)
    async with bot:
        yield bot


async def known_private_chat(server: BotApiServer, user_id: int = USER) -> None:
    """Telegram only lets a bot write to users who wrote first."""
    await server.send_message(user_id=user_id, text="hi", first_name="Ann")


# ------------------------------------------------------------------------ identity, delivery


async def test_get_me_describes_the_test_bot(raw_bot: Bot, botapi_server: BotApiServer) -> None:
    me = await raw_bot.get_me()
    assert me.is_bot is True
    assert me.id == botapi_server.bot_id
    assert me.username == botapi_server.bot_username == "policybot_test_bot"
    assert me.supports_inline_queries is True
    assert me.can_read_all_group_messages is False
    assert me.can_join_groups is True


async def test_private_message_is_answered_in_the_same_chat(
    echo_bot: EchoBot, botapi_server: BotApiServer
) -> None:
    update = await botapi_server.send_message(
        user_id=USER, text="tax <reform> & you", first_name="Ann", username="ann_t"
    )
    [reply] = await botapi_server.wait_bot_messages(USER, 1)

    assert reply["text"] == "You said: tax <reform> & you"
    assert reply["entities"] == [{"offset": 10, "length": 18, "type": "italic"}]
    assert reply["chat"] == {
        "id": USER,
        "type": "private",
        "first_name": "Ann",
        "username": "ann_t",
    }
    assert reply["from"]["id"] == botapi_server.bot_id
    assert reply["reply_to_message_id"] == update["message"]["message_id"]
    assert reply["message_id"] == update["message"]["message_id"] + 1  # per-chat sequence
    assert abs(reply["date"] - time.time()) < 60  # seconds, not milliseconds


async def test_group_reply_says_group_and_privacy_mode_filters_chatter(
    echo_bot: EchoBot, botapi_server: BotApiServer
) -> None:
    group = {"chat_id": GROUP, "chat_type": "group", "chat_title": "Policy readers"}
    with pytest.raises(UpdateNotDelivered, match="privacy mode"):
        await botapi_server.send_message(user_id=USER, text="just chatting", **group)
    await botapi_server.send_message(user_id=USER, text="/echo@policybot_test_bot budget", **group)

    [reply] = await botapi_server.wait_bot_messages(GROUP, 1)
    assert reply["chat"] == {"id": GROUP, "type": "group", "title": "Policy readers"}
    assert reply["text"] == "You said: budget"
    assert [u.effective_chat.type for u in echo_bot.updates] == ["group"]


async def test_offset_confirms_updates_and_long_poll_waits(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await botapi_server.send_message(user_id=USER, text="one")
    await botapi_server.send_message(user_id=USER, text="two")

    first = await raw_bot.get_updates()
    again = await raw_bot.get_updates()  # nothing confirmed yet: same updates again
    assert [u.message.text for u in first] == ["one", "two"]
    assert [u.update_id for u in again] == [u.update_id for u in first]

    offset = first[-1].update_id + 1
    assert await raw_bot.get_updates(offset=offset) == ()
    assert await raw_bot.get_updates() == ()  # confirmed updates are gone for good
    assert (await botapi_server.updates())["pending"] == []

    async def later() -> None:
        await asyncio.sleep(0.3)
        await botapi_server.send_message(user_id=USER, text="three")

    started = time.monotonic()
    _, polled = await asyncio.gather(later(), raw_bot.get_updates(offset=offset, timeout=3))
    assert [u.message.text for u in polled] == ["three"]
    assert time.monotonic() - started < 2.5  # answered on arrival, not at the timeout

    started = time.monotonic()
    assert await raw_bot.get_updates(offset=polled[-1].update_id + 1, timeout=1) == ()
    assert time.monotonic() - started >= 0.9  # held for the timeout when nothing comes


async def test_polling_bot_gets_every_update_exactly_once(
    echo_bot: EchoBot, botapi_server: BotApiServer
) -> None:
    for n in range(4):
        await botapi_server.send_message(user_id=USER, text=f"message {n}")
    replies = await botapi_server.wait_bot_messages(USER, 4)
    await echo_bot.app.updater.stop()  # PTB confirms the last offset when it stops

    assert [r["text"] for r in replies] == [f"You said: message {n}" for n in range(4)]
    assert [u.message.text for u in echo_bot.updates] == [f"message {n}" for n in range(4)]
    bookkeeping = await botapi_server.updates()
    assert [row["deliveries"] for row in bookkeeping["all"]] == [1, 1, 1, 1]
    assert bookkeeping["pending"] == []


async def test_user_side_updates_parse_as_ptb_objects(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    group = {"chat_id": GROUP, "chat_type": "supergroup", "chat_title": "Readers"}
    asked = await botapi_server.send_message(
        user_id=USER, text="😀 @policybot_test_bot what changed?", **group
    )
    answer = await raw_bot.send_message(GROUP, "Quite a lot")
    thanks = await botapi_server.send_message(
        user_id=USER, text="thanks", reply_to_message_id=answer.message_id, **group
    )
    await botapi_server.edit_user_message(
        chat_id=GROUP, message_id=asked["message"]["message_id"], text="/ask what?", user_id=USER
    )
    await botapi_server.channel_post(chat_id=-100777, text="#budget out today", title="News")
    query_id = await botapi_server.inline_query(user_id=USER, query="q", chat_type="private")
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("more", callback_data="more")]])
    result = InlineQueryResultArticle(
        "a1", "t", InputTextMessageContent("<b>hi</b>"), reply_markup=keyboard
    )
    await raw_bot.answer_inline_query(query_id, [result])
    await botapi_server.chosen_inline_result(
        user_id=USER, result_id="a1", query="q", inline_query_id=query_id
    )

    mention, reply, edit, post, inline, chosen = await raw_bot.get_updates()
    assert mention.message.entities[0].type == "mention"
    assert mention.message.entities[0].offset == 3  # the emoji is two UTF-16 code units
    assert mention.message.chat.type == "supergroup"
    assert reply.message.message_id == thanks["message"]["message_id"] == answer.message_id + 1
    assert reply.message.reply_to_message.from_user.is_bot is True
    assert edit.edited_message.text == "/ask what?"
    assert edit.edited_message.edit_date is not None
    assert post.channel_post.chat.type == "channel"
    assert post.channel_post.sender_chat.title == "News"
    assert post.channel_post.entities[0].type == "hashtag"
    assert inline.inline_query.chat_type == "private"
    assert chosen.chosen_inline_result.inline_message_id is not None

    inline_message_id = chosen.chosen_inline_result.inline_message_id
    assert await raw_bot.edit_message_text("<i>bye</i>", inline_message_id=inline_message_id)


# ------------------------------------------------------------------------ buttons, inline mode


async def test_button_press_reaches_handler_and_edit_is_visible(
    echo_bot: EchoBot, botapi_server: BotApiServer
) -> None:
    await botapi_server.send_message(user_id=USER, text="/start", first_name="Ann")
    [greeting] = await botapi_server.wait_bot_messages(USER, 1)
    assert greeting["text"] == "Hello Ann"
    assert greeting["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "press:1"

    query_id = await botapi_server.press_button(
        user_id=USER, chat_id=USER, message_id=greeting["message_id"], data="press:1"
    )
    answer = await botapi_server.wait_callback_answer(query_id)
    edited = await botapi_server.wait_edit(USER, greeting["message_id"])

    assert answer["text"] == "Pressed"
    assert answer["show_alert"] is False
    assert edited["text"] == "You pressed press:1"
    assert edited["entities"] == [{"offset": 12, "length": 7, "type": "code"}]
    assert edited["edited"] is True
    assert edited["reply_markup"] is None  # an edit without reply_markup drops the keyboard
    query = echo_bot.updates[-1].callback_query
    assert query.id == query_id
    assert query.chat_instance == (await botapi_server.chat_info(USER))["chat_instance"]
    assert query.message.message_id == greeting["message_id"]


async def test_only_existing_buttons_can_be_pressed(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await known_private_chat(botapi_server)
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="yes")]])
    sent = await raw_bot.send_message(USER, "pick", reply_markup=keyboard)
    with pytest.raises(BotApiError, match="not the bot's"):
        await botapi_server.press_button(user_id=USER, chat_id=USER, message_id=1, data="yes")
    with pytest.raises(BotApiError, match="no button with callback_data"):
        await botapi_server.press_button(
            user_id=USER, chat_id=USER, message_id=sent.message_id, data="no"
        )
    stale = await botapi_server.press_button(
        user_id=USER, chat_id=USER, message_id=sent.message_id, data="no", force=True
    )
    [update] = await raw_bot.get_updates(offset=-1)
    assert update.callback_query.id == stale
    assert update.callback_query.data == "no"


async def test_inline_query_is_answered_with_next_offset(
    echo_bot: EchoBot, botapi_server: BotApiServer
) -> None:
    first_id = await botapi_server.inline_query(user_id=USER, query="pensions")
    first = await botapi_server.wait_inline_answer(first_id)
    second_id = await botapi_server.inline_query(user_id=USER, query="pensions", offset="5")
    second = await botapi_server.wait_inline_answer(second_id)

    assert [r["id"] for r in first["results"]] == ["r0", "r1", "r2", "r3", "r4"]
    assert first["next_offset"] == "5"
    assert first["is_personal"] is True
    assert first["results"][0]["input_message_content"]["message_text"] == "<b>pensions</b> #0"
    assert second["next_offset"] == "10"
    assert echo_bot.updates[0].inline_query.chat_type == "sender"


async def test_inline_answers_are_validated(raw_bot: Bot, botapi_server: BotApiServer) -> None:
    def article(n: int) -> InlineQueryResultArticle:
        return InlineQueryResultArticle(f"a{n}", "title", InputTextMessageContent("text"))

    too_many = await botapi_server.inline_query(user_id=USER, query="q")
    with pytest.raises(BadRequest, match=r"(?i)results_too_much"):
        await raw_bot.answer_inline_query(too_many, [article(n) for n in range(51)])

    duplicate = await botapi_server.inline_query(user_id=USER, query="q")
    with pytest.raises(BadRequest, match=r"(?i)result_id_duplicate"):
        await raw_bot.answer_inline_query(duplicate, [article(1), article(1)])

    await raw_bot.answer_inline_query(duplicate, [article(n) for n in range(50)])
    with pytest.raises(BadRequest, match="Query is too old"):  # only one answer per query
        await raw_bot.answer_inline_query(duplicate, [article(1)])


# ------------------------------------------------------------------------ Telegram's 400s


async def test_length_limit_counts_text_after_entity_parsing(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await known_private_chat(botapi_server)
    tagged = "<b>ab</b>" * 2000  # 18000 characters of HTML, 4000 visible
    sent = await raw_bot.send_message(USER, tagged, parse_mode=ParseMode.HTML)
    assert len(sent.text) == 4000
    assert len(sent.entities) == 2000

    await raw_bot.send_message(USER, "x" * 4096)
    with pytest.raises(BadRequest, match=r"^Message is too long$"):
        await raw_bot.send_message(USER, "<i>" + "x" * 4097 + "</i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"^Message text is empty$"):
        await raw_bot.send_message(USER, "<b> </b>", parse_mode=ParseMode.HTML)


@pytest.mark.parametrize(
    ("markup", "error"),
    [
        ("<foo>bar</foo>", 'unsupported start tag "foo" at byte offset 0'),
        ("<b>bold", 'can\'t find end tag corresponding to start tag "b"'),
        ("<b>bold</i>", 'unmatched end tag at byte offset 7, expected "</b>", found "</i>"'),
        ("plain</b>", "unexpected end tag at byte offset 5"),
        ('<a href="https://x.org">link', 'can\'t find end tag corresponding to start tag "a"'),
        ("<span>x</span>", 'tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
async def test_bad_html_is_rejected_like_telegram(
    raw_bot: Bot, botapi_server: BotApiServer, markup: str, error: str
) -> None:
    await known_private_chat(botapi_server)
    with pytest.raises(BadRequest) as caught:
        await raw_bot.send_message(USER, markup, parse_mode=ParseMode.HTML)
    # PTB strips "Bad Request: " and capitalizes the rest of Telegram's description.
    assert caught.value.message == f"Can't parse entities: {error}".capitalize()


async def test_telegram_html_subset_becomes_entities(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await known_private_chat(botapi_server)
    sent = await raw_bot.send_message(
        USER,
        '<b>b</b><i>i</i><u>u</u><s>s</s><tg-spoiler>p</tg-spoiler><a href="example.org">a</a>'
        '<code>c</code><pre><code class="language-python">x=1</code></pre>'
        "<blockquote expandable>q</blockquote> &lt;&amp;&#33;&quot; 😀 /help",
        parse_mode=ParseMode.HTML,
    )
    assert sent.text == 'biuspacx=1q <&!" 😀 /help'
    assert [(e.type, e.offset, e.length) for e in sent.entities] == [
        ("bold", 0, 1),
        ("italic", 1, 1),
        ("underline", 2, 1),
        ("strikethrough", 3, 1),
        ("spoiler", 4, 1),
        ("text_link", 5, 1),
        ("code", 6, 1),
        ("pre", 7, 3),
        ("expandable_blockquote", 10, 1),
        ("bot_command", 20, 5),  # after an emoji: two UTF-16 code units
    ]
    assert sent.entities[5].url == "http://example.org/"
    assert sent.entities[7].language == "python"


async def test_callback_data_over_64_bytes_is_rejected(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await known_private_chat(botapi_server)

    def keyboard(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data=data)]])

    await raw_bot.send_message(USER, "ok", reply_markup=keyboard("é" * 32))  # 64 bytes
    with pytest.raises(BadRequest, match=r"(?i)^button_data_invalid$"):
        await raw_bot.send_message(USER, "too long", reply_markup=keyboard("a" * 65))


async def test_edit_errors(raw_bot: Bot, botapi_server: BotApiServer) -> None:
    await known_private_chat(botapi_server)
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("b", callback_data="d")]])
    sent = await raw_bot.send_message(USER, "<b>same</b>", reply_markup=markup)

    with pytest.raises(BadRequest, match=r"^Message is not modified: specified new message"):
        await raw_bot.edit_message_text("<b>same</b>", USER, sent.message_id, reply_markup=markup)
    edited = await raw_bot.edit_message_text("<b>same</b>", USER, sent.message_id)
    assert edited.reply_markup is None  # markup changed, so this edit is real
    assert edited.edit_date is not None

    with pytest.raises(BadRequest, match=r"^Message to edit not found$"):
        await raw_bot.edit_message_text("x", USER, 999)
    with pytest.raises(BadRequest, match=r"^Chat not found$"):
        await raw_bot.send_message(424242, "x")
    with pytest.raises(BadRequest, match=r"^Query is too old and response timeout expired"):
        await raw_bot.answer_callback_query("12345")


# ------------------------------------------------------------------------ faults and limits


async def test_injected_429_reaches_ptb_as_retry_after(
    raw_bot: Bot, botapi_server: BotApiServer
) -> None:
    await known_private_chat(botapi_server)
    await botapi_server.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await raw_bot.send_message(USER, "first")
    assert caught.value.message == "Flood control exceeded. Retry in 0:00:07"
    await raw_bot.send_message(USER, "second")

    calls = await botapi_server.calls("sendMessage")
    assert [(c["status"], c["params"]["text"]) for c in calls] == [(429, "first"), (200, "second")]
    assert [m["text"] for m in await botapi_server.bot_messages(USER)] == ["second"]


async def test_other_faults_reach_ptb(raw_bot: Bot, botapi_server: BotApiServer) -> None:
    await known_private_chat(botapi_server)
    await botapi_server.fail_next("sendMessage", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await raw_bot.send_message(USER, "a")

    await botapi_server.fail_next("sendMessage", status=400, description="chat write forbidden")
    with pytest.raises(BadRequest, match=r"^Chat write forbidden$"):
        await raw_bot.send_message(USER, "b")

    await botapi_server.fail_next("sendMessage", status=200, drop=True)
    with pytest.raises(NetworkError):
        await raw_bot.send_message(USER, "c")

    await botapi_server.fail_next("sendMessage", status=200, delay=0.5)
    started = time.monotonic()
    await raw_bot.send_message(USER, "d")
    assert time.monotonic() - started >= 0.5

    await botapi_server.fail_next("getMe", status=200, delay=2)
    with pytest.raises(TimedOut):
        await raw_bot.get_me(read_timeout=0.5)

    statuses = [c["status"] for c in await botapi_server.calls("sendMessage")]
    assert statuses == [502, 400, 0, 200]  # 0: connection dropped
    assert [m["text"] for m in await botapi_server.bot_messages(USER)] == ["d"]


async def test_group_flood_limit_answers_429() -> None:
    async with BotApiServer(limits={"group_per_minute": 3}) as server:
        await server.send_message(
            user_id=USER, chat_id=GROUP, chat_type="supergroup", text="/echo@policybot_test_bot x"
        )
        await known_private_chat(server)
        async with Bot(server.token, base_url=server.base_url) as bot:
            for n in range(3):
                await bot.send_message(GROUP, f"news {n}")
            with pytest.raises(RetryAfter) as caught:
                await bot.send_message(GROUP, "one too many")
            await bot.send_message(USER, "private chats are not limited by the group limit")

        assert 1 <= caught.value.retry_after.total_seconds() <= 60  # a timedelta (PTB_TIMEDELTA)
        assert len(await server.bot_messages(GROUP)) == 3
        [refused] = [c for c in await server.calls("sendMessage") if c["status"] == 429]
        assert refused["description"].startswith("Too Many Requests: retry after ")


async def test_bot_housekeeping_methods(raw_bot: Bot, botapi_server: BotApiServer) -> None:
    await known_private_chat(botapi_server)
    await raw_bot.set_my_commands([("start", "Start"), ("ask", "Ask a question")])
    await raw_bot.set_my_commands([("start", "Начать")], language_code="ru")
    await raw_bot.set_my_description("Answers with quotes")
    await raw_bot.send_chat_action(USER, "typing")
    chat = await raw_bot.get_chat(USER)
    sent = await raw_bot.send_message(USER, "bye")
    assert await raw_bot.delete_message(USER, sent.message_id) is True

    assert [c.command for c in await raw_bot.get_my_commands()] == ["start", "ask"]
    assert [c.description for c in await raw_bot.get_my_commands(language_code="ru")] == ["Начать"]
    assert (await raw_bot.get_my_description()).description == "Answers with quotes"
    assert chat.type == "private"
    assert chat.first_name == "Ann"
    assert [a["action"] for a in (await botapi_server.chat_info(USER))["actions"]] == ["typing"]
    assert await botapi_server.bot_messages(USER) == []
    with pytest.raises(BadRequest, match=r"^Message to delete not found$"):
        await raw_bot.delete_message(USER, sent.message_id)

    await botapi_server.register_chat(chat_id=GROUP, chat_type="group", title="Old group")
    assert await raw_bot.leave_chat(GROUP) is True
    with pytest.raises(Forbidden, match=r"^Forbidden: bot is not a member of the group chat$"):
        await raw_bot.send_message(GROUP, "still there?")


def test_node_unit_tests_pass() -> None:
    """The HTML parser's own tests (TDLib's cases), run by Node's test runner."""
    result = subprocess.run(
        ["node", "--test", str(HERE / "test")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
