"""10,000 random updates through the real Application, against the loopback Bot API server.

A seeded RNG mixes private questions and commands (known, unknown, for this bot and others,
with random arguments), group chatter, commands, mentions and replies, forwards, messages via
the bot, edits, channel posts, button presses with forged data, inline queries with random text
and offsets, and chosen inline results; from allowed users, outsiders and the admin; in allowed
(listed) and other groups, where the bot is an admin and so sees everything. The bot polls
without ``allowed_updates``, so edits and channel posts do reach it: ignoring them is the
handlers' job here, not Telegram's.

Asserted afterwards: no error was logged (PTB hands every handler exception to the bot's error
handler, which logs it) and no HTML was refused; nothing was sent where the bot must stay
silent; every reply in a group answers a message that asked for one, and at most once; every
inline and callback query was answered exactly once, outsiders' with nothing; every message the
bot sent is valid Telegram HTML by ``tests/support/telegram_html.py`` and shows exactly what the
server's own (TDLib-derived) parser made of it; the process's memory stayed flat between 2,000
and 10,000 updates and the bounded stores stayed within their caps.
"""

from __future__ import annotations

import asyncio
import base64
import gc
import logging
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot import texts
from bot.state import BotApplication
from retrieval import Config, Engine
from tests.support.bot_harness import LogCapture, bot_config, running_bot, shared_cache, state_of
from tests.support.botapi import BotApiServer
from tests.support.telegram_html import check

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

SEED = 20_240_917
TOTAL = 10_000
BATCH = 250
SAMPLE_AT = 2_000  # first memory sample, after the caches have warmed up
MAX_GROWTH_MB = 20
RECENT = 100  # answers.recent_queries: small, so the store must evict during the run

ALLOWED = list(range(3000, 3060))
SILENT = list(range(3700, 3720))  # allowed users whose private chats only see ignorable updates
OUTSIDERS = list(range(3500, 3540))
ADMIN = 3999
LISTED = [-3000 - n for n in range(60)]  # access.chats: every member is answered
UNLISTED = [-3500 - n for n in range(15)]  # nobody but the admin is answered
CHANNELS = [-3900 - n for n in range(5)]
BOT = "policybot_test_bot"

WORDS = ["双减", "课后服务", "教师队伍建设", "立德树人", "作业负担", "教育质量", "校园安全", "家长",
         "怎么", "落实", "的", "是", "？", "，", "。", "学校", "乡村教师", "评价改革"]
ODD = ["\x00", "\x07", "\u202e", "\u200f", "\u2066", "\ufeff", "\u200b", "😀", "👨‍👩‍👧", "🇨🇳",
       "𠀀", "e\u0301", "<b>", "</blockquote>", "<a href='x'>", "&amp;", "&", "<", ">", "\ud800",
       "\udfff", "\ud83d", "\r\n", "\t", " ", "\u3000", f"@{BOT}", "@other_bot", "/ask", "q_",
       "https://t.me/x", "#话题", "$USD", "+1 555 0100", "a@b.co", "……", "\\", '"', "'"]
COMMANDS = ["start", "help", "sources", "ask", "stats", "reload", "foo", "ASK", "Help", "s"]
TARGETS = ["", "", "", f"@{BOT}", f"@{BOT.upper()}", "@other_bot"]
OFFSETS = ["", "", "10", "20", "0", "-1", "abc", "٣", "፩", "²", "9" * 60, "10 ", "1e3"]
DIGITS = re.compile(r"\d+")
MENTION = re.compile(re.escape(f"@{BOT}"), re.IGNORECASE)
JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008" \
           "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u200b"


def units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# --- random input -------------------------------------------------------------------------

class Words:
    """Random text from corpus words, odd characters and random code points (seeded)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def piece(self) -> str:
        roll = self.rng.random()
        if roll < 0.5:
            return self.rng.choice(WORDS)
        if roll < 0.85:
            return self.rng.choice(ODD)
        return chr(self.rng.randrange(0x110000))

    def text(self, max_units: int = 4096) -> str:
        """Non-empty, within ``max_units`` UTF-16 units; now and then as long as allowed."""
        if self.rng.random() < 0.03:
            piece = self.piece() + self.rng.choice(WORDS)
            out = piece * (max_units // max(1, units(piece)))
        else:
            out = "".join(self.piece() for _ in range(self.rng.randint(1, 14)))
        while units(out) > max_units:
            out = out[:-1]
        return out or "双减"

    def command(self) -> tuple[str, str]:
        """("/name@target args", name@target) with random arguments or a deep link."""
        name = self.rng.choice(COMMANDS) + self.rng.choice(TARGETS)
        roll = self.rng.random()
        if roll < 0.3:
            args = ""
        elif roll < 0.45:
            question = self.text(30).encode("utf-8", "surrogatepass")
            args = "q_" + base64.urlsafe_b64encode(question).decode().rstrip("=")
        else:
            args = self.text(300)
        return (f"/{name} {args}" if args else f"/{name}"), name

    def callback_data(self, harvested: list[str]) -> str:
        roll = self.rng.random()
        if roll < 0.12 and harvested:
            return self.rng.choice(harvested)  # real buttons, pressed again (and again)
        if roll < 0.35:
            return self.text(20)
        if roll < 0.55:
            key = self.rng.choice(["", "k", self.text(8), "AAAAAAAA", "-_-_-_-_"])
            return f"p:{key}:{self.rng.choice(OFFSETS)}"
        if roll < 0.7:
            return "x:" + self.rng.choice(["", self.text(10), "0" * 16, "../../etc"])
        if roll < 0.9:
            return "f:" + self.text(8) + self.rng.choice([":+", ":-", ":", ""])
        return self.text(64) + "长" * self.rng.randint(20, 120)  # overlong


@dataclass
class Sent:
    """What the fuzz injected, for the checks afterwards."""

    actions: Counter[str] = field(default_factory=Counter)
    # (chat, message_id) of user messages that ask the bot for a reply.
    warranted: set[tuple[int, int]] = field(default_factory=set)
    messages: list[tuple[int, int, int]] = field(default_factory=list)  # chat, id, author
    inline: dict[str, int] = field(default_factory=dict)  # query id -> user
    callbacks: dict[str, int] = field(default_factory=dict)  # query id -> user
    delivered: int = 0


@dataclass
class World:
    """Chats with bot messages to press buttons on, and real button data to replay."""

    anchors: dict[int, list[int]]  # chat -> bot message ids
    harvested: list[str]


def allowed_in(user: int, chat: int) -> bool:
    return chat in LISTED or user == ADMIN


class Fuzzer:
    def __init__(self, rng: random.Random, world: World, sent: Sent) -> None:
        self.rng = rng
        self.words = Words(rng)
        self.world = world
        self.sent = sent
        self.kinds: list[tuple[float, Callable[[], dict[str, Any]]]] = [
            (5, self.private_text), (3, self.private_command), (2, self.private_forward),
            (2, self.silent_via_bot), (7, self.group_chatter), (5, self.group_command),
            (2, self.group_mention), (2, self.group_reply), (1, self.group_forward_or_via),
            (12, self.edit), (8, self.channel_post), (18, self.callback), (16, self.inline),
            (2, self.chosen),
        ]
        self.weights = [weight for weight, _ in self.kinds]

    def next(self) -> dict[str, Any]:
        make = self.rng.choices([kind for _, kind in self.kinds], self.weights)[0]
        action = make()
        self.sent.actions[make.__name__] += 1
        return action

    # Messages. `meta` (dropped before sending) says whether the bot owes a reply.

    def _message(self, user: int, chat: int, kind: str, text: str, **extra: Any) -> dict[str, Any]:
        chat_type = "private" if chat > 0 else "supergroup"
        return {"type": "message", "user": {"id": user, "first_name": self.words.text(20)},
                "chat": {"id": chat, "type": chat_type}, "text": text, "meta": kind, **extra}

    def private_user(self) -> int:
        return self.rng.choice(ALLOWED * 2 + OUTSIDERS + [ADMIN])

    def private_text(self) -> dict[str, Any]:
        user = self.private_user()
        return self._message(user, user, "question", self.words.text())

    def private_command(self) -> dict[str, Any]:
        user = self.private_user()
        text, name = self.words.command()
        if user == ADMIN and name.lower().startswith("reload"):
            text = "/stats"  # a real rebuild of the index is out of scope here
        return self._message(user, user, "command", text)

    def private_forward(self) -> dict[str, Any]:
        user = self.private_user()
        return self._message(user, user, "question", self.words.text(), forward=True)

    def silent_via_bot(self) -> dict[str, Any]:
        user = self.rng.choice(SILENT)
        return self._message(user, user, "silent", self.words.text(), via_bot=True)

    def group_user(self, chat: int) -> int:
        """Anyone; the admin only in listed groups (test_access covers the admin elsewhere)."""
        return self.rng.choice(ALLOWED + OUTSIDERS + ([ADMIN] if chat in LISTED else []))

    def group_and_user(self) -> tuple[int, int]:
        chat = self.rng.choice(LISTED * 2 + UNLISTED)
        return chat, self.group_user(chat)

    def group_chatter(self) -> dict[str, Any]:
        chat, user = self.group_and_user()
        text = MENTION.sub("", self.words.text()).lstrip("/") or "今天开会"
        return self._message(user, chat, "silent", text)

    def group_command(self) -> dict[str, Any]:
        chat, user = self.group_and_user()
        text, name = self.words.command()
        if user == ADMIN and name.lower().startswith("reload"):
            text, name = "/stats", "stats"
        base, _, target = name.partition("@")
        known = base.lower() in ("start", "help", "sources", "ask", "stats", "reload")
        for_us = target.lower() in ("", BOT.lower())
        kind = "question" if known and for_us and allowed_in(user, chat) else "silent"
        return self._message(user, chat, kind, text)

    def group_mention(self) -> dict[str, Any]:
        chat, user = self.group_and_user()
        text = f"@{BOT} {self.words.text(200)}"
        return self._message(user, chat, "question" if allowed_in(user, chat) else "silent", text)

    def group_reply(self) -> dict[str, Any]:
        chat = self.rng.choice([c for c in self.world.anchors if c < 0])
        user = self.group_user(chat)
        text = self.words.text()
        while text.startswith("/"):
            text = text[1:] or "追问"
        kind = "question" if allowed_in(user, chat) else "silent"
        return self._message(user, chat, kind, text,
                             reply_to_message_id=self.rng.choice(self.world.anchors[chat]))

    def group_forward_or_via(self) -> dict[str, Any]:
        flag = self.rng.choice(["forward", "via_bot"])
        text = f"@{BOT} {self.words.text(100)}"
        chat, user = self.group_and_user()
        return self._message(user, chat, "silent", text, **{flag: True})

    # Everything else.

    def edit(self) -> dict[str, Any]:
        if not self.sent.messages:
            return self.channel_post()
        chat, message_id, author = self.rng.choice(self.sent.messages)
        return {"type": "edited_message", "chat_id": chat, "message_id": message_id,
                "user_id": author, "text": self.words.text()}

    def channel_post(self) -> dict[str, Any]:
        return {"type": "channel_post", "chat_id": self.rng.choice(CHANNELS),
                "text": self.words.text(), "title": "频道"}

    def callback(self) -> dict[str, Any]:
        chat = self.rng.choice(list(self.world.anchors))
        user = chat if chat > 0 else self.group_user(chat)
        return {"type": "callback_query", "user_id": user, "chat_id": chat,
                "message_id": self.rng.choice(self.world.anchors[chat]),
                "data": self.words.callback_data(self.world.harvested), "force": True}

    def inline(self) -> dict[str, Any]:
        user = self.rng.choice(ALLOWED + OUTSIDERS + [ADMIN])
        query = self.words.text(256) if self.rng.random() < 0.9 else ""
        return {"type": "inline_query", "user_id": user, "query": query,
                "offset": self.rng.choice(OFFSETS),
                "chat_type": self.rng.choice(["sender", "private", "group", "supergroup",
                                              "channel"])}

    def chosen(self) -> dict[str, Any]:
        return {"type": "chosen_inline_result", "user_id": self.private_user(),
                "result_id": self.words.text(10), "query": self.words.text(20)}


# --- the bot under fuzz ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory, botapi_session_server: BotApiServer) -> Config:
    users = ", ".join(map(str, ALLOWED + SILENT))
    chats = ", ".join(map(str, LISTED))
    return bot_config(
        tmp_path_factory.mktemp("fuzz"), botapi_session_server,
        cache=shared_cache(tmp_path_factory),
        yaml=(
            f"access: {{users: [{users}], chats: [{chats}], admins: [{ADMIN}], "
            "refusal_interval: 3600}\n"
            "rate_limit: {questions: 10, per_seconds: 60}\n"
            f"answers: {{recent_queries: {RECENT}}}\n"
        ),
    )


@pytest_asyncio.fixture(loop_scope="module")
async def fuzz_bot(
    config: Config, engine: Engine, botapi_server: BotApiServer
) -> AsyncIterator[BotApplication]:
    for chat in LISTED + UNLISTED:  # an admin bot: privacy mode withholds nothing
        await botapi_server.register_chat(chat_id=chat, chat_type="supergroup", bot_is_admin=True)
    # The bot keeps to Telegram's flood limits itself (AIORateLimiter); the server's own,
    # stricter sliding windows would only add 429 pauses here (they are tested elsewhere).
    await botapi_server.set_limits(enabled=False)
    async with running_bot(config, engine, botapi_server) as application:
        yield application


def rss_mb() -> float:
    """Resident memory of this process (bot and test), from /proc."""
    gc.collect()
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


async def drained(app: BotApplication, timeout: float = 90) -> None:
    """Every fetched update has been processed (several quiet looks in a row)."""
    deadline = time.monotonic() + timeout
    quiet = 0
    while quiet < 3:
        if time.monotonic() > deadline:
            raise TimeoutError("the bot did not finish its updates in time")
        busy = app.update_queue.qsize() or app.update_processor.current_concurrent_updates
        quiet = 0 if busy else quiet + 1
        await asyncio.sleep(0.02)


async def warm_up(server: BotApiServer, sent: Sent) -> World:
    """Bot messages to press buttons on and reply to: answers in private chats and groups, and
    outsiders' refusals; and the real callback_data of those answers."""
    anchors: dict[int, list[int]] = defaultdict(list)
    harvested: list[str] = []
    for chat, user in [*((u, u) for u in ALLOWED[:8]), *((u, u) for u in OUTSIDERS[:4]),
                       *((g, ALLOWED[0]) for g in LISTED[:10])]:
        chat_type = "private" if chat > 0 else "supergroup"
        text = "教师队伍建设" if chat > 0 else "/ask 课后服务"
        update = await server.send_message(
            user_id=user, chat_id=chat, chat_type=chat_type, text=text
        )
        sent.warranted.add((chat, update["message"]["message_id"]))
        message = (await server.wait_bot_messages(chat, 1, timeout=30))[0]
        anchors[chat].append(message["message_id"])
        for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
            harvested += [button["callback_data"] for button in row]
    assert len(harvested) > 20
    return World(dict(anchors), harvested)


async def run_fuzz(
    server: BotApiServer, app: BotApplication, world: World, sent: Sent
) -> dict[str, float]:
    rng = random.Random(SEED)
    fuzzer = Fuzzer(rng, world, sent)
    memory: dict[str, float] = {}
    done = 0
    while done < TOTAL:
        actions = [fuzzer.next() for _ in range(BATCH - 1)]
        # Last of each batch: an allowed user's inline query. Its answer means the bot has
        # fetched the whole batch; then wait until everything fetched is processed.
        actions.append({"type": "inline_query", "user_id": ALLOWED[0], "query": "双减"})
        metas = [action.pop("meta", None) for action in actions]
        results = await server.inject(actions)
        for action, meta, result in zip(actions, metas, results, strict=True):
            assert "error" not in result, (action, result)
            sent.delivered += bool(result["queued"])
            if action["type"] == "message" and result["queued"]:
                message = result["update"]["message"]
                key = (message["chat"]["id"], message["message_id"])
                sent.messages.append((*key, message["from"]["id"]))
                if meta == "question":
                    sent.warranted.add(key)
            elif action["type"] == "inline_query":
                sent.inline[str(result["id"])] = action["user_id"]
            elif action["type"] == "callback_query":
                sent.callbacks[str(result["id"])] = action["user_id"]
        await server.wait_inline_answer(str(results[-1]["id"]), timeout=90)
        await drained(app)
        done += len(actions)
        if done >= SAMPLE_AT and "sample" not in memory:
            memory["sample"] = rss_mb()
    memory["end"] = rss_mb()
    return memory


def describe(record: logging.LogRecord) -> str:
    """A log record by its logger, message pattern and, for exceptions, where they came from."""
    where = ""
    if record.exc_info and record.exc_info[1] is not None:
        error, frame = record.exc_info[1], record.exc_info[2]
        while frame is not None and frame.tb_next is not None:
            frame = frame.tb_next
        if frame is not None:
            place = f"{frame.tb_frame.f_code.co_filename}:{frame.tb_lineno}"
            where = f" {type(error).__name__}: {str(error)[:80]} at {place}"
    pattern = DIGITS.sub("N", str(record.msg))[:80]
    return f"{record.name}: {pattern}{where}"


def server_trim(text: str) -> str:
    """Telegram (and the server) strip leading and trailing whitespace after parsing."""
    return text.strip(JS_SPACE)


async def test_ten_thousand_random_updates(
    botapi_server: BotApiServer, fuzz_bot: BotApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    server, app = botapi_server, fuzz_bot
    state = state_of(app)
    sent = Sent()
    world = await warm_up(server, sent)
    started = time.monotonic()
    with LogCapture(logging.WARNING).active() as logs:
        memory = await run_fuzz(server, app, world, sent)
        await asyncio.sleep(0.5)
        await drained(app)
    seconds = time.monotonic() - started

    # Nothing failed, nothing needed a fallback.
    problems = Counter(describe(r) for r in logs.at_least(logging.WARNING))
    assert not problems, problems.most_common(10)
    assert app.running and app.updater is not None and app.updater.running
    assert sent.delivered >= TOTAL, "every injected update reached the bot"

    # Memory flat, bounded stores within their caps.
    growth = memory["end"] - memory["sample"]
    assert growth < MAX_GROWTH_MB, memory
    assert len(state.questions) <= RECENT and len(state.chat_scopes) <= RECENT
    assert len(state.questions) == RECENT, "enough answers to fill the store: the cap was tested"

    # Silence where nothing may be said.
    for chat in CHANNELS + UNLISTED + SILENT:
        assert await server.bot_messages(chat) == [], chat
    for user in OUTSIDERS:
        assert [m["text"] for m in await server.bot_messages(user)] in ([], [texts.REFUSAL])
    # In groups, every bot message answers a message that asked (or is a passage's context
    # under the bot's own answer), and nothing is answered twice (edits included).
    replies: Counter[tuple[int, int]] = Counter()
    for chat in LISTED:
        own = {m["message_id"] for m in await server.bot_messages(chat)}
        for message in await server.bot_messages(chat):
            target = (chat, message["reply_to_message_id"])
            assert message["reply_to_message_id"] is not None, message["text"][:60]
            assert target in sent.warranted or target[1] in own, message["text"][:60]
            if target[1] not in own:
                replies[target] += 1
    assert replies and max(replies.values()) == 1

    # Every query answered exactly once; outsiders get nothing.
    inline_calls = [c for c in await server.calls("answerInlineQuery") if c["status"] == 200]
    per_query = Counter(str(c["params"]["inline_query_id"]) for c in inline_calls)
    assert set(per_query) == set(sent.inline) and set(per_query.values()) == {1}
    for call in inline_calls:
        if sent.inline[str(call["params"]["inline_query_id"])] in OUTSIDERS:
            assert call["params"]["results"] == []
    callback_calls = [c for c in await server.calls("answerCallbackQuery") if c["status"] == 200]
    per_press = Counter(str(c["params"]["callback_query_id"]) for c in callback_calls)
    assert set(per_press) == set(sent.callbacks) and set(per_press.values()) == {1}

    # Every HTML message is valid by the independent checker and shows what the server parsed.
    checked, flood_waits = 0, 0
    for method in ("sendMessage", "editMessageText"):
        for call in await server.calls(method):
            assert call["status"] in (200, 429), (method, call.get("description"))
            flood_waits += call["status"] == 429
            if call["status"] == 200 and call["params"].get("parse_mode") == "HTML":
                shown = check(call["params"]["text"]).text
                assert server_trim(shown) == call["result"]["text"]
                checked += 1
    for call in inline_calls:
        for result in call["params"]["results"]:
            content = result["input_message_content"]
            check(content["message_text"])
            checked += 1
    assert checked > 1000

    with capsys.disabled():
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(sent.actions.items()))
        print(
            f"\nfuzz: {sent.delivered} updates in {seconds:.0f}s ({kinds}); "
            f"{len(sent.inline)} inline and {len(sent.callbacks)} callback queries answered "
            f"once each; {checked} HTML texts checked; RSS {memory['sample']:.0f} MB at "
            f"{SAMPLE_AT} -> {memory['end']:.0f} MB at {TOTAL} ({growth:+.1f} MB); "
            f"recent queries {len(state.questions)}/{RECENT}; {flood_waits} flood waits"
        )
