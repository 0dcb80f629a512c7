"""The bot end to end: the real Application from build_application, the real Engine on seeds/,
driven as users would through the loopback Bot API server.

One Application (and one Engine) per module; each test uses its own users and chats, since the
server forgets its state between tests but the bot (rate limits, stats) does not.
"""

from __future__ import annotations

import asyncio
import base64
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio

from benchmarks import bot_latency
from bot import texts
from retrieval import Config, Engine
from tests.support.bot_harness import REPO, SEEDS, bot_config, running_bot
from tests.support.botapi import BotApiServer

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ADMIN = 42
OUTSIDER = 666
ALLOWED = range(1000, 2000)  # the allowlist: every test user below comes from here
SOURCE_LINE = re.compile(r"^[①-⑳] .+ · 第\d+段( · .+)?$", re.MULTILINE)

SPECIAL_SPEECH = """关于校车安全管理的讲话
同志们：
一、校车安全
各校要落实“安全<第一>”原则，对校车超载率 <5% & 事故数 >0 的学校要限期整改，确保学生乘车安全。
要建立校车驾驶员台账，定期开展安全教育培训，严禁无证驾驶。
"""
RELOAD_SPEECH = """关于研学旅行基地的讲话
一、研学旅行
各地要加快建设研学旅行营地，把研学旅行纳入中小学教育教学计划，确保每名学生每学年参加研学旅行。
"""
LONG_SENTENCE = "各校要把校园足球作为学校体育工作的重点，扎实开展课余训练和校内竞赛，"
LONG_SPEECH = (
    "关于校园足球工作的讲话\n一、校园足球\n"
    "学校体育是素质教育的重要内容。\n"
    + LONG_SENTENCE * 180 + "推动校园足球普及。\n"
    "各地要配齐配强体育教师，保障场地设施。\n"
)


# --- fixtures ------------------------------------------------------------------------------

def allowlisted_config(tmp: Path, server: BotApiServer, corpus: list[Path],
                       **retrieval: Any) -> Config:
    """The repo's config with the test server, an allowlist, an admin and a strict rate limit."""
    users = ", ".join(str(u) for u in ALLOWED)
    return bot_config(
        tmp, server, cache=tmp / "cache", corpus=corpus,
        yaml=f"access: {{users: [{users}], admins: [{ADMIN}], refusal_interval: 3600}}\n"
             "rate_limit: {questions: 5, per_seconds: 60}\n",
        **retrieval)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An extra corpus directory beside seeds/: one speech full of <, & and >."""
    directory = tmp_path_factory.mktemp("corpus")
    (directory / "special.txt").write_text(SPECIAL_SPEECH, encoding="utf-8")
    return directory


@pytest.fixture(scope="module")
def config(
    tmp_path_factory: pytest.TempPathFactory, botapi_session_server: BotApiServer, corpus: Path
) -> Config:
    return allowlisted_config(tmp_path_factory.mktemp("bot"), botapi_session_server,
                              [SEEDS, corpus])


# --- helpers -------------------------------------------------------------------------------

def entity_texts(message: dict[str, Any], *kinds: str) -> list[str]:
    """Texts of the message's entities of these types (offsets are UTF-16 units)."""
    units = message["text"].encode("utf-16-le")
    return [
        units[2 * e["offset"] : 2 * (e["offset"] + e["length"])].decode("utf-16-le")
        for e in message["entities"]
        if e["type"] in kinds
    ]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def button(message: dict[str, Any], label: str) -> str:
    for candidate in buttons(message):
        if label in candidate["text"]:
            return candidate["callback_data"]
    raise AssertionError(f"no button {label!r} in {[b['text'] for b in buttons(message)]}")


async def ask(server: BotApiServer, user: int, text: str, count: int = 1) -> dict[str, Any]:
    await server.send_message(user_id=user, text=text)
    return (await server.wait_bot_messages(user, count))[-1]


async def quiet_for(
    server: BotApiServer, chat_id: int, expected: int, seconds: float = 0.5
) -> None:
    """Nothing more arrives in the chat for a while (the bot stays silent)."""
    await asyncio.sleep(seconds)
    assert len(await server.bot_messages(chat_id)) == expected


def assert_answer(message: dict[str, Any], *, max_quotes: int) -> None:
    quotes = entity_texts(message, "blockquote", "expandable_blockquote")
    assert 1 <= len(quotes) <= max_quotes
    assert entity_texts(message, "bold"), "matched terms should be bold"
    assert len(SOURCE_LINE.findall(message["text"])) == len(quotes)


# --- private chat --------------------------------------------------------------------------

async def test_private_question_is_answered_with_quotes_bold_terms_and_sources(
    server: BotApiServer,
) -> None:
    answer = await ask(server, 1001, "课后服务怎么开展")
    assert_answer(answer, max_quotes=3)
    assert len(entity_texts(answer, "blockquote", "expandable_blockquote")) == 3
    bold = entity_texts(answer, "bold")
    assert "课后服务怎么开展" in bold  # the question, in the header
    assert any(term in ("课后", "服务", "课后服务", "开展") for term in bold)
    # Every bold term inside a quote really is in that quote's text.
    labels = [b["text"] for b in buttons(answer)]
    assert labels[:3] == ["① 上下文", "② 上下文", "③ 上下文"]
    assert "下一页 ▶" in labels
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(answer))


async def test_next_page_edits_the_answer_in_place(server: BotApiServer) -> None:
    answer = await ask(server, 1002, "教师队伍建设")
    query_id = await server.press_button(
        user_id=1002, chat_id=1002, message_id=answer["message_id"], data=button(answer, "下一页")
    )
    edited = await server.wait_edit(1002, answer["message_id"])
    assert (await server.wait_callback_answer(query_id))["show_alert"] is False
    assert "以下是相关原文（第 4–6 条）" in edited["text"]
    assert_answer(edited, max_quotes=3)
    assert "④ 上下文" in [b["text"] for b in buttons(edited)]
    assert "◀ 上一页" in [b["text"] for b in buttons(edited)]
    assert len(await server.bot_messages(1002)) == 1  # edited, not sent anew


async def test_context_button_sends_the_passage_with_its_neighbours(server: BotApiServer) -> None:
    answer = await ask(server, 1003, "立德树人")
    query_id = await server.press_button(
        user_id=1003, chat_id=1003, message_id=answer["message_id"], data=button(answer, "①")
    )
    assert (await server.wait_callback_answer(query_id))["show_alert"] is False
    context = (await server.wait_bot_messages(1003, 2))[-1]
    assert context["text"].startswith("📖 上下文")
    assert "（所引段落）" in context["text"]
    assert context["reply_to_message_id"] == answer["message_id"]
    quoted = entity_texts(answer, "blockquote", "expandable_blockquote")[0]
    assert quoted.strip("…")[:20] in context["text"]


async def test_expired_or_unknown_button_gets_a_short_alert(server: BotApiServer) -> None:
    answer = await ask(server, 1004, "双减")
    for data in ("p:forgotten:3", "x:0000000000000000", "v1:legacy"):
        query_id = await server.press_button(
            user_id=1004, chat_id=1004, message_id=answer["message_id"], data=data, force=True
        )
        reply = await server.wait_callback_answer(query_id)
        assert reply["show_alert"] is True
        assert reply["text"] in (texts.BUTTON_EXPIRED, texts.PASSAGE_GONE)
    assert len(await server.bot_messages(1004)) == 1


async def test_nothing_relevant_says_so_and_shows_the_closest(server: BotApiServer) -> None:
    answer = await ask(server, 1005, "火星探测器的燃料补给")
    lines = answer["text"].splitlines()
    assert lines[0] == "🔎 火星探测器的燃料补给"
    assert "语料中没有“火星”“探测器”“燃料”“补给”" in lines
    assert any(line.startswith("没有找到直接回答的段落，以下是最接近的") for line in lines)
    assert entity_texts(answer, "blockquote", "expandable_blockquote")
    # Context buttons for the quotes, but no vote: nothing was answered to vote on.
    assert all("👍" not in b for b in buttons(answer))


async def test_passage_with_markup_characters_is_shown_verbatim(server: BotApiServer) -> None:
    answer = await ask(server, 1006, "校车超载整改")
    assert "校车超载率 <5% & 事故数 >0 的学校要限期整改" in answer["text"]
    assert "“安全<第一>”" in answer["text"]
    assert any("校车" in b or "整改" in b for b in entity_texts(answer, "bold"))
    assert "《关于校车安全管理的讲话》 · 一、校车安全 · 第1段" in answer["text"]


async def test_user_text_with_markup_characters_is_escaped(server: BotApiServer) -> None:
    answer = await ask(server, 1007, "<b>校车</b> & 安全")
    assert "<b>校车</b> & 安全" in answer["text"]  # shown literally, not as markup


async def test_edited_question_is_not_answered_twice(server: BotApiServer) -> None:
    sent = await server.send_message(user_id=1008, text="双减")
    await server.wait_bot_messages(1008, 1)
    await server.edit_user_message(
        chat_id=1008, message_id=sent["message"]["message_id"], text="课后服务", user_id=1008
    )
    await quiet_for(server, 1008, 1)


async def test_start_deep_link_asks_the_encoded_question(server: BotApiServer) -> None:
    payload = "q_" + base64.urlsafe_b64encode("立德树人".encode()).decode().rstrip("=")
    answer = await ask(server, 1009, f"/start {payload}")
    assert answer["text"].startswith("🔎 立德树人")
    assert_answer(answer, max_quotes=3)
    greeting = await ask(server, 1009, "/start", count=2)
    assert "政策文件原文查询" in greeting["text"] and "/ask" in greeting["text"]


async def test_help_sources_and_ask_command(server: BotApiServer, app: Any) -> None:
    help_text = await ask(server, 1010, "/help")
    assert "示例" in help_text["text"] and f"@{server.bot_username}" in help_text["text"]
    sources = await ask(server, 1010, "/sources", count=2)
    documents = app.bot_data["policybot"].engines.documents()
    assert f"收录的文件（{len(documents)} 篇" in sources["text"]
    assert "《关于校车安全管理的讲话》" in sources["text"]
    assert re.search(r"— \d+ 段", sources["text"])
    answer = await ask(server, 1010, "/ask 教师队伍建设", count=3)
    assert_answer(answer, max_quotes=3)
    usage = await ask(server, 1010, "/ask", count=4)
    assert usage["text"] == texts.ASK_USAGE


# --- groups --------------------------------------------------------------------------------

async def test_group_ask_with_bot_name_is_answered_briefly_as_a_reply(
    server: BotApiServer,
) -> None:
    sent = await server.send_message(
        user_id=1020, chat_id=-1020, chat_type="group",
        text=f"/ask@{server.bot_username} 教师队伍建设",
    )
    answer = (await server.wait_bot_messages(-1020, 1))[0]
    assert answer["reply_to_message_id"] == sent["message"]["message_id"]
    assert_answer(answer, max_quotes=2)
    assert len(entity_texts(answer, "blockquote", "expandable_blockquote")) == 2
    assert "更多结果 ▶" in [b["text"] for b in buttons(answer)]


async def test_group_reply_to_the_bot_is_a_question(server: BotApiServer) -> None:
    await server.send_message(user_id=1021, chat_id=-1021, chat_type="group", text="/ask 双减")
    first = (await server.wait_bot_messages(-1021, 1))[0]
    sent = await server.send_message(
        user_id=1022, chat_id=-1021, chat_type="group", text="课后服务怎么开展",
        reply_to_message_id=first["message_id"],
    )
    follow_up = (await server.wait_bot_messages(-1021, 2))[-1]
    assert follow_up["reply_to_message_id"] == sent["message"]["message_id"]
    assert follow_up["text"].startswith("🔎 课后服务怎么开展")


async def test_group_chatter_and_other_bots_commands_are_ignored(server: BotApiServer) -> None:
    # The bot is an admin here, so it sees every message (privacy mode does not filter).
    await server.register_chat(chat_id=-1023, chat_type="supergroup", bot_is_admin=True)
    for text in ("今天的会议改到下午三点", "/ask@other_bot 双减", "双减政策怎么落实？"):
        await server.send_message(user_id=1023, chat_id=-1023, chat_type="supergroup", text=text)
    sentinel = await server.send_message(
        user_id=1023, chat_id=-1023, chat_type="supergroup", text="/ask 立德树人"
    )
    messages = await server.wait_bot_messages(-1023, 1)
    await quiet_for(server, -1023, 1)
    assert messages[0]["reply_to_message_id"] == sentinel["message"]["message_id"]


async def test_group_mention_is_answered_without_the_mention(server: BotApiServer) -> None:
    sent = await server.send_message(
        user_id=1024, chat_id=-1024, chat_type="group",
        text=f"@{server.bot_username} 立德树人",
    )
    answer = (await server.wait_bot_messages(-1024, 1))[0]
    assert answer["reply_to_message_id"] == sent["message"]["message_id"]
    assert answer["text"].startswith("🔎 立德树人\n")
    assert_answer(answer, max_quotes=2)


# --- inline mode ---------------------------------------------------------------------------

async def test_inline_query_lists_quotes_with_sources_and_pages(server: BotApiServer) -> None:
    first = await server.wait_inline_answer(
        await server.inline_query(user_id=1030, query="教师队伍建设")
    )
    results = first["results"]
    assert len(results) == 10
    assert first["next_offset"] == "10"
    for result in results:
        assert result["type"] == "article"
        assert re.search(r"第\d+段$", result["title"])
        assert result["description"]
        content = result["input_message_content"]["message_text"]
        assert content.startswith("<blockquote") and "<b>" in content
        assert content.endswith(result["title"]) or "第" in content.rsplit("\n", 1)[-1]
    # Page on until the bot says there is no further page; results never repeat.
    seen = [r["id"] for r in results]
    offset = first["next_offset"]
    for _ in range(100):
        page = await server.wait_inline_answer(
            await server.inline_query(user_id=1030, query="教师队伍建设", offset=offset)
        )
        seen += [r["id"] for r in page["results"]]
        offset = page["next_offset"]
        if not offset:
            break
    assert offset == "" and len(seen) > 10
    assert len(seen) == len(set(seen))


async def test_inline_empty_query_gets_a_hint_and_no_match_a_nothing_entry(
    server: BotApiServer,
) -> None:
    empty = await server.wait_inline_answer(await server.inline_query(user_id=1031, query=""))
    assert [r["title"] for r in empty["results"]] == [texts.INLINE_HINT_TITLE]
    assert empty["button"]["start_parameter"] == "help"
    nothing = await server.wait_inline_answer(
        await server.inline_query(user_id=1031, query="qwxz")
    )
    assert [r["title"] for r in nothing["results"]] == [texts.INLINE_NOTHING_TITLE]
    assert nothing["next_offset"] == ""  # no further page


# --- access control ------------------------------------------------------------------------

async def test_outsider_gets_one_polite_refusal_in_private(server: BotApiServer) -> None:
    refusal = await ask(server, OUTSIDER, "双减")
    assert refusal["text"] == texts.REFUSAL
    await server.send_message(user_id=OUTSIDER, text="课后服务")
    await server.send_message(user_id=OUTSIDER, text="/sources")
    await quiet_for(server, OUTSIDER, 1)


async def test_outsider_is_ignored_in_groups_and_inline(server: BotApiServer) -> None:
    await server.send_message(
        user_id=OUTSIDER, chat_id=-1040, chat_type="group", text="/ask 双减"
    )
    sentinel = await server.send_message(
        user_id=1040, chat_id=-1040, chat_type="group", text="/ask 立德树人"
    )
    messages = await server.wait_bot_messages(-1040, 1)
    await quiet_for(server, -1040, 1)
    assert messages[0]["reply_to_message_id"] == sentinel["message"]["message_id"]
    inline = await server.wait_inline_answer(
        await server.inline_query(user_id=OUTSIDER, query="双减")
    )
    assert inline["results"] == []
    assert inline["is_personal"] is True


# --- rate limits, faults -------------------------------------------------------------------

async def test_flooding_user_gets_one_notice_and_others_are_still_answered(
    server: BotApiServer,
) -> None:
    for n in range(8):
        await server.send_message(user_id=1050, text=f"双减 {n}")
    messages = await server.wait_bot_messages(1050, 6)
    other = await ask(server, 1051, "立德树人")
    assert_answer(other, max_quotes=3)
    await quiet_for(server, 1050, 6)
    notices = [m for m in messages if m["text"].startswith("提问太频繁了")]
    assert len(notices) == 1
    assert sum(m["text"].startswith("🔎 双减") for m in messages) == 5


async def test_flood_wait_and_network_errors_are_retried(server: BotApiServer) -> None:
    await server.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    answer = await ask(server, 1052, "双减")
    assert time.monotonic() - started >= 1.0
    assert_answer(answer, max_quotes=3)
    await server.fail_next("sendMessage", status=502)
    await server.fail_next("sendMessage", status=200, drop=True)
    answer = await ask(server, 1053, "立德树人")
    assert_answer(answer, max_quotes=3)
    failed = [c for c in await server.calls("sendMessage") if c["status"] != 200]
    assert len(failed) >= 3


async def test_a_failing_update_is_reported_briefly_and_the_bot_keeps_going(
    server: BotApiServer,
) -> None:
    await server.fail_next("sendMessage", status=400, description="Bad Request: test fault")
    apology = await ask(server, 1054, "双减")
    assert apology["text"] == texts.ERROR
    answer = await ask(server, 1054, "立德树人", count=2)
    assert_answer(answer, max_quotes=3)


# --- admin ---------------------------------------------------------------------------------

async def test_start_up_registers_command_menus_and_descriptions(
    server: BotApiServer, app: Any
) -> None:
    await app.post_init(app)
    settings = await server.bot_settings()
    by_scope = {
        (c["scope"]["type"], c["scope"].get("chat_id")): [x["command"] for x in c["commands"]]
        for c in settings["commands"]
    }
    assert by_scope[("all_private_chats", None)] == ["ask", "sources", "help"]
    assert by_scope[("all_group_chats", None)] == ["ask", "sources", "help"]
    assert ("all_chat_administrators", None) in by_scope
    assert by_scope[("chat", ADMIN)] == ["ask", "sources", "help", "reload", "stats"]
    assert settings["texts"]["description|"] == texts.DESCRIPTION
    assert settings["texts"]["short_description|"] == texts.SHORT_DESCRIPTION


async def test_stats_for_admins_only(server: BotApiServer) -> None:
    refused = await ask(server, 1060, "/stats")
    assert refused["text"] == texts.ADMIN_ONLY
    stats = await ask(server, ADMIN, "/stats")
    assert stats["text"].startswith("运行统计")
    match = re.search(r"提问：(\d+) 次", stats["text"])
    assert match and int(match.group(1)) > 0
    assert re.search(r"p50 \d+ ms，p95 \d+ ms", stats["text"])


async def test_reload_by_admin_picks_up_new_files_says_what_it_skipped_and_is_refused_otherwise(
    server: BotApiServer, corpus: Path
) -> None:
    refused = await ask(server, 1061, "/reload")
    assert refused["text"] == texts.ADMIN_ONLY
    before = await ask(server, 1062, "研学旅行营地")
    assert "关于研学旅行基地的讲话" not in before["text"]
    (corpus / "reload.txt").write_text(RELOAD_SPEECH, encoding="utf-8")
    (corpus / "binary<1>.md").write_bytes(b"\x00\xff\x00\xfe" * 64)  # skipped, named
    (corpus / "table.xls").write_bytes(b"PK")  # not read, counted
    try:
        await server.send_message(user_id=ADMIN, text="/reload")
        # Questions during the rebuild are answered (by the old index).
        during = await ask(server, 1063, "双减")
        assert_answer(during, max_quotes=3)
        status = (await server.wait_bot_messages(ADMIN, 1))[-1]
        done = await server.wait_edit(ADMIN, status["message_id"], timeout=60)
        assert done["text"].startswith("索引已更新")
        assert f"跳过 1 个文件：\n• {corpus.name}/binary<1>.md：不是文本文件" in done["text"]
        assert "格式不在 corpus.extensions 中而没有读取：.xls 1 个" in done["text"]
        after = await ask(server, 1062, "研学旅行营地", count=2)
        assert "关于研学旅行基地的讲话" in after["text"]
    finally:
        for name in ("reload.txt", "binary<1>.md", "table.xls"):
            (corpus / name).unlink()


# --- latency -------------------------------------------------------------------------------

async def test_latency_median_over_50_questions(
    server: BotApiServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """From a question entering the server to the answer leaving the bot (server clock, see
    benchmarks/bot_latency.py); prints the median, asserts only that all 50 were measured."""
    latencies = await bot_latency.measure(server, range(1100, 1150))
    with capsys.disabled():
        print("\n" + bot_latency.summary(latencies))
    assert len(latencies) == 50 and all(latency > 0 for latency in latencies)


# --- a passage too long for one message (its own server, bot and index) --------------------

@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def long_bot(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[BotApiServer]:
    """Long paragraphs kept whole: one passage is longer than a Telegram message."""
    tmp = tmp_path_factory.mktemp("long")
    corpus = tmp / "corpus"
    corpus.mkdir()
    (corpus / "football.txt").write_text(LONG_SPEECH, encoding="utf-8")
    async with BotApiServer(token="654321:LONG-token", bot_username="policybot_long_bot") as srv:
        config = allowlisted_config(tmp, srv, [corpus], passage_max_chars=20000,
                                    quote_max_chars=20000)
        engine = await asyncio.to_thread(Engine.open, config.retrieval)
        assert max(len(p.text) for p in _all_passages(engine)) > 4096
        async with running_bot(config, engine, srv):
            yield srv


def _all_passages(engine: Engine) -> list[Any]:
    answer = engine.ask("校园足球", k=10)
    return [engine.passage(r.id) for r in answer.results]


async def test_passage_too_long_for_one_message_is_shortened_and_its_context_split(
    long_bot: BotApiServer,
) -> None:
    answer = await ask(long_bot, 1070, "校园足球")
    quotes = entity_texts(answer, "blockquote", "expandable_blockquote")
    assert len(answer["text"].encode("utf-16-le")) // 2 <= 4096
    assert any(q.endswith("……") and len(q) > 1000 for q in quotes)
    assert "expandable_blockquote" in {e["type"] for e in answer["entities"]}
    query_id = await long_bot.press_button(
        user_id=1070, chat_id=1070, message_id=answer["message_id"],
        data=button(answer, "①"),
    )
    await long_bot.wait_callback_answer(query_id)
    messages = await long_bot.wait_bot_messages(1070, 3)
    await asyncio.sleep(0.3)  # all parts of the context have arrived
    messages = await long_bot.bot_messages(1070)
    assert all(len(m["text"].encode("utf-16-le")) // 2 <= 4096 for m in messages)
    # The context is complete: the long passage continues over messages, nothing cut.
    quoted = "".join(
        "".join(entity_texts(m, "blockquote", "expandable_blockquote")) for m in messages[1:]
    )
    assert quoted.count(LONG_SENTENCE) == 180
    assert "（续）" in "".join(m["text"] for m in messages[1:])


# --- the `serve` entry point: run() in its own process --------------------------------------

RUN_SCRIPT = """
import logging, sys
logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
from retrieval import Engine, load_config
from bot.app import run
config = load_config(sys.argv[1])
run(config, lambda: Engine.open(config.retrieval))
"""


def start_run(
    tmp: Path,
    server: BotApiServer,
    token: str,
    *,
    extra_yaml: Path | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.Popen[str]:
    """`run()` as `policybot serve` calls it, in its own process (root logging at DEBUG)."""
    config = tmp / "run.yaml"
    config.write_text(
        f"corpus: {{dirs: ['{SEEDS}']}}\ncache: {{dir: '{tmp / 'cache'}'}}\n"
        f"access: {{admins: [{ADMIN}]}}\nlogging: {{level: DEBUG, log_text: false}}\n"
        + (extra_yaml.read_text(encoding="utf-8") if extra_yaml else ""),
        encoding="utf-8",
    )
    environment = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_API_BASE_URL": server.base_url,
        **(env or {}),
    }
    environment.pop("POLICYBOT_CONFIG", None)
    return subprocess.Popen(
        [sys.executable, "-c", RUN_SCRIPT, str(config)],
        cwd=REPO, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


async def test_run_polls_registers_menus_and_never_logs_the_token_or_text(
    tmp_path: Path,
) -> None:
    token = "777:RUN-secret-token"
    async with BotApiServer(token=token, bot_username="policybot_run_bot") as srv:
        process = start_run(tmp_path, srv, token)
        try:
            await srv.send_message(user_id=1080, text="课后服务怎么开展")
            answer = (await srv.wait_bot_messages(1080, 1, timeout=60))[0]
            assert_answer(answer, max_quotes=3)
            commands = (await srv.bot_settings())["commands"]
            assert {c["scope"]["type"] for c in commands} >= {
                "all_private_chats", "all_group_chats", "all_chat_administrators", "chat"
            }
        finally:
            process.terminate()
            output, _ = await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode is not None
    assert token not in output and "RUN-secret" not in output
    answer_lines = [line for line in output.splitlines() if "event=answer" in line]
    assert len(answer_lines) == 1
    assert "chat=private" in answer_lines[0] and "answered=true" in answer_lines[0]
    assert re.search(r"latency_ms=\d+\.\d", answer_lines[0])
    assert "课后服务" not in output  # no message text unless logging.log_text


async def test_run_with_a_rejected_token_fails_without_echoing_it(tmp_path: Path) -> None:
    async with BotApiServer() as srv:
        process = start_run(tmp_path, srv, "999:WRONG-secret")
        output, _ = await asyncio.to_thread(process.communicate, timeout=60)
    assert process.returncode != 0
    assert "rejected the bot token" in output
    assert "WRONG-secret" not in output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_run_by_webhook_sets_it_and_accepts_only_updates_with_the_secret(
    tmp_path: Path,
) -> None:
    token, secret, port = "778:HOOK-token", "hook_secret-123", free_port()
    async with BotApiServer(token=token, bot_username="policybot_hook_bot") as srv:
        (tmp_path / "hook.yaml").write_text(
            "webhook: {enabled: true, listen: 127.0.0.1, "
            f"port: {port}, url: 'https://bot.example.org/hook', path: hook}}\n",
            encoding="utf-8",
        )
        process = start_run(tmp_path, srv, token, extra_yaml=tmp_path / "hook.yaml",
                            env={"TELEGRAM_WEBHOOK_SECRET": secret})
        try:
            hooks = await srv.wait_calls("setWebhook", 1, timeout=60)
            assert hooks[0]["params"]["url"] == "https://bot.example.org/hook"
            assert hooks[0]["params"]["secret_token"] == secret
            await srv.register_chat(chat_id=1090, chat_type="private")
            update = {
                "update_id": 1, "message": {
                    "message_id": 1, "date": int(time.time()), "text": "立德树人",
                    "chat": {"id": 1090, "type": "private", "first_name": "U"},
                    "from": {"id": 1090, "is_bot": False, "first_name": "U"},
                },
            }
            url = f"http://127.0.0.1:{port}/hook"
            async with httpx.AsyncClient(trust_env=False) as client:
                forged = await client.post(url, json={**update, "update_id": 2})
                assert forged.status_code == 403
                headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
                accepted = await client.post(url, json=update, headers=headers)
                assert accepted.status_code == 200
            answer = (await srv.wait_bot_messages(1090, 1, timeout=30))[0]
            assert answer["text"].startswith("🔎 立德树人")
            await asyncio.sleep(0.3)
            assert len(await srv.bot_messages(1090)) == 1  # the forged update was dropped
        finally:
            process.terminate()
            output, _ = await asyncio.to_thread(process.communicate, timeout=30)
    assert secret not in output and token not in output
