"""Operations end to end: admins uploading speeches, the question journal with 👍/👎 feedback,
the journal across restarts and a kill -9, and /healthz in webhook mode.

The real Application (build_application, or run() in its own process), the real Engine, a
real SQLite file and the loopback Bot API server, which serves documents through getFile and
/file/bot<token>/<path> as Telegram does. One Application per module, users 3000-3099.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import re
import signal
import sqlite3
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from telegram import Bot, Document
from telegram.error import BadRequest

from bot import cli, texts
from bot.journal import Journal
from retrieval import Config, Engine
from tests.e2e.test_bot import (
    SEEDS,
    ask,
    assert_answer,
    button,
    buttons,
    free_port,
    quiet_for,
    start_run,
)
from tests.support.bot_harness import bot_config, running_bot, state_of
from tests.support.botapi import BotApiServer
from tests.support.make_docs import central_page, make_docx

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

ADMIN = 42
OUTSIDER = 666
USERS = range(3000, 3100)
MAX_BYTES = int(0.05 * 1024 * 1024)  # uploads.max_mb below
# Uploads in every format the corpus reads here (LibreOffice formats need soffice installed).
FORMATS = (".txt", ".md", ".docx", ".html", ".htm")


def speech(title: str, heading: str, body: str) -> str:
    return f"{title}\n同志们：\n{heading}\n{body}\n"


# --- fixtures ------------------------------------------------------------------------------

@dataclasses.dataclass
class Ops:
    tmp: Path
    corpus: Path  # the first corpus directory: uploads land here
    yaml: Path
    journal: Path
    config: Config


def ops_config(tmp: Path, server: BotApiServer, *, corpus: Path) -> Config:
    """Journal on (text kept), small uploads; the YAML is tmp/bot.yaml, for the CLI too."""
    users = ", ".join(str(u) for u in USERS)
    return bot_config(
        tmp, server, cache=tmp / "cache", corpus=[corpus, SEEDS],
        yaml=f"access: {{users: [{users}], admins: [{ADMIN}], refusal_interval: 3600}}\n"
             "rate_limit: {questions: 30, per_seconds: 60}\n"
             "journal: {enabled: true, path: journal/journal.sqlite3, store_text: true}\n"
             f"corpus: {{extensions: [{', '.join(FORMATS)}]}}\n"
             f"uploads: {{max_mb: 0.05, extensions: [{', '.join(FORMATS)}]}}\n")


@pytest.fixture(scope="module")
def ops(tmp_path_factory: pytest.TempPathFactory, botapi_session_server: BotApiServer) -> Ops:
    tmp = tmp_path_factory.mktemp("ops")
    corpus = tmp / "corpus"
    corpus.mkdir()
    config = ops_config(tmp, botapi_session_server, corpus=corpus)
    return Ops(tmp, corpus, tmp / "bot.yaml", tmp / "journal" / "journal.sqlite3", config)


@pytest.fixture(scope="module")
def config(ops: Ops) -> Config:
    return ops.config


def query(path: Path, sql: str, *args: object) -> list[tuple]:
    conn = sqlite3.connect(path, timeout=10)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def upload(
    server: BotApiServer, user: int, name: str | None, content: bytes,
    mime_type: str = "text/plain",
) -> str:
    """Send a document; the bot's final word on it (a refusal, or the edited status)."""
    before = len(await server.bot_messages(user))
    await server.send_document(user_id=user, file_name=name, content=content,
                               mime_type=mime_type)
    message = (await server.wait_bot_messages(user, before + 1, timeout=30))[-1]
    if message["text"].startswith("已收到"):
        message = await server.wait_edit(user, message["message_id"], timeout=60)
    return str(message["text"])


def corpus_names(ops: Ops) -> set[str]:
    return {p.name for p in ops.corpus.iterdir()}


# --- the loopback server's files, as PTB sees them -----------------------------------------

async def test_server_serves_documents_like_telegram(botapi_server: BotApiServer) -> None:
    sent = await botapi_server.send_document(
        user_id=3090, file_name="讲话.txt", content="讲话稿".encode(), mime_type="text/plain"
    )
    document = Document.de_json(sent["message"]["document"], None)
    big = await botapi_server.send_document(
        user_id=3090, file_name="big.txt", content=b"x", file_size=20 * 2**20 + 1
    )
    async with Bot(botapi_server.token, base_url=botapi_server.base_url,
                   base_file_url=botapi_server.base_file_url) as bot:
        file = await bot.get_file(document.file_id)
        assert file.file_size == 9
        assert file.file_path is not None and file.file_path.startswith(
            f"{botapi_server.base_file_url}{botapi_server.token}/documents/"
        )
        assert bytes(await file.download_as_bytearray()) == "讲话稿".encode()
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("no-such-file")
        with pytest.raises(BadRequest, match=r"(?i)file is too big"):
            await bot.get_file(big["message"]["document"]["file_id"])
    relative = file.file_path.rsplit("/documents/", 1)[1]
    async with httpx.AsyncClient(trust_env=False) as client:
        wrong = await client.get(f"{botapi_server.url}/file/bot1:wrong/documents/{relative}")
        unknown = await client.get(
            f"{botapi_server.base_file_url}{botapi_server.token}/documents/file_0.txt"
        )
    assert (wrong.status_code, unknown.status_code) == (401, 404)


# --- uploads -------------------------------------------------------------------------------

DOCX_PARAGRAPHS = [
    "关于儿童青少年近视防控的讲话", "一、近视防控",
    "各校要保证学生每天校内外各两小时户外活动，严控电子产品使用时长，落实近视防控责任。",
]
UPLOADS = [
    pytest.param(
        "研学旅行.txt", "text/plain",
        speech("关于研学旅行基地的讲话", "一、研学旅行",
               "各地要加快建设研学旅行营地，把研学旅行纳入中小学教育教学计划。").encode(),
        "研学旅行营地", "关于研学旅行基地的讲话", {"研学旅行.txt"}, 3001, id="utf8-txt",
    ),
    pytest.param(
        "食堂管理(GBK).txt", "text/plain",
        speech("关于学校食堂管理的讲话", "一、食堂管理",
               "各校要落实校长陪餐制度，严格执行食材采购索证索票，确保师生饮食安全。")
        .encode("gbk"),
        "校长陪餐制度", "关于学校食堂管理的讲话", {"食堂管理_GBK.txt"}, 3002, id="gbk-txt",
    ),
    pytest.param(
        "劳动教育.md", "text/markdown",
        "关于劳动教育的讲话\n\n## 一、劳动教育\n\n各校要把劳动教育纳入人才培养全过程，"
        "每周安排不少于一课时的劳动教育课程。\n".encode(),
        "劳动教育课程 课时", "关于劳动教育的讲话", {"劳动教育.md"}, 3003, id="md",
    ),
    pytest.param(
        "近视防控.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        make_docx(DOCX_PARAGRAPHS), "近视防控 户外活动", "关于儿童青少年近视防控的讲话",
        {"近视防控.docx"}, 3004, id="docx",
    ),
    pytest.param(
        "教师队伍建设意见.html", "text/html", central_page().html.encode(),
        "交流轮岗教师比例", "教育部关于加强新时代中小学教师队伍建设的意见",
        {"教师队伍建设意见.html"}, 3005,
        id="html",
    ),
]


@pytest.mark.parametrize(
    ("name", "mime", "content", "question", "title", "stored", "user"), UPLOADS
)
async def test_admin_upload_is_stored_indexed_reported_and_answerable(
    server: BotApiServer, app: Any, ops: Ops, name: str, mime: str, content: bytes,
    question: str, title: str, stored: set[str], user: int,
) -> None:
    before = state_of(app).engines.current.report
    unanswered = await ask(server, user, question)
    assert title not in unanswered["text"]

    done = await upload(server, ADMIN, name, content, mime)

    assert done.startswith("✅ 已收录 corpus/"), done
    assert f"《{title}》" in done and "1 篇文档" in done
    added = [s for s in state_of(app).engines.current.documents() if s.title.endswith(title)]
    assert len(added) == 1 and f"— {added[0].passages} 段" in done
    after = state_of(app).engines.current.report
    assert after.passages == before.passages + added[0].passages
    assert stored <= corpus_names(ops)
    (main,) = stored  # the original only: no converted copy beside it
    assert (ops.corpus / main).read_bytes() == content  # stored as sent (GBK stays GBK)
    files = await server.files()
    assert [f["downloads"] for f in files] == [1]  # fetched through getFile + file URL

    answer = await ask(server, user, question, count=2)
    assert_answer(answer, max_quotes=3)
    assert title in answer["text"]


HOSTILE_NAMES = [
    ("../../etc/passwd.txt", "passwd.txt"),
    ("..\\..\\win.txt", "win.txt"),
    ("/etc/cron.d/absolute.txt", "absolute.txt"),
    ("nul\x00byte.txt", "nul_byte.txt"),
    (".bashrc.txt", "bashrc.txt"),
]


async def test_hostile_file_names_are_sanitised_and_nothing_is_overwritten(
    server: BotApiServer, ops: Ops
) -> None:
    outside_before = sorted(p for p in ops.tmp.parent.rglob("*") if "passwd" in p.name)
    for number, (raw, safe) in enumerate(HOSTILE_NAMES, 1):
        content = speech(f"关于安全演练第{number}号通知的讲话", "一、安全演练",
                         f"各校要在第{number}周组织应急疏散演练，确保师生掌握避险技能。").encode()
        done = await upload(server, ADMIN, raw, content)
        assert done.startswith(f"✅ 已收录 corpus/{safe}"), done
        assert texts.UPLOAD_RENAMED.format(name=f"{safe}") in done.replace("<code>", "")
        assert (ops.corpus / safe).read_bytes() == content
    assert sorted(p for p in ops.tmp.parent.rglob("*") if "passwd" in p.name) == [
        *outside_before, ops.corpus / "passwd.txt"
    ]
    assert not [n for n in corpus_names(ops) if n.startswith(".")]
    # Same name, other content: a suffix, the first file untouched. Same content: refused.
    first = (ops.corpus / "passwd.txt").read_bytes()
    other = speech("关于消防演练的讲话", "一、消防", "各校要每学期开展一次消防演练。").encode()
    done = await upload(server, ADMIN, "passwd.txt", other)
    assert done.startswith("✅ 已收录 corpus/passwd-2.txt"), done
    assert (ops.corpus / "passwd.txt").read_bytes() == first
    again = await upload(server, ADMIN, "copy.txt", other)
    assert again == texts.UPLOAD_DUPLICATE.format(name="corpus/passwd-2.txt")
    assert "copy.txt" not in corpus_names(ops)


async def test_refusals_say_why(server: BotApiServer, app: Any, ops: Ops) -> None:
    names_before = corpus_names(ops)
    passages_before = state_of(app).engines.current.report.passages

    too_large = await upload(server, ADMIN, "big.txt", "教育".encode() * (MAX_BYTES // 6 + 100))
    assert too_large.startswith("文件太大（") and "上限是 51 KB" in too_large
    assert [f["downloads"] for f in await server.files()] == [0]  # refused before downloading

    assert await upload(server, ADMIN, "speech.exe", b"MZ\x90\x00") == \
        texts.UPLOAD_WRONG_TYPE.format(ext=".exe", allowed="、".join(FORMATS))
    assert "（无扩展名）" in await upload(server, ADMIN, "README", b"text")
    assert await upload(server, ADMIN, "blank.txt", b" \r\n\n ") == texts.UPLOAD_EMPTY
    # Read before storing, by the readers the index uses: refused with the reason by its code.
    fake = await upload(server, ADMIN, "fake.docx", b"this is not a Word file")
    assert fake.startswith("没有收录：不是有效的 .docx 文件"), fake
    assert await upload(server, ADMIN, "empty.docx", make_docx(["", " "])) == texts.UPLOAD_EMPTY
    binary = await upload(server, ADMIN, "binary.txt", bytes(range(256)) * 8)
    assert binary.startswith("没有收录：不是文本文件（binary file"), binary
    undecodable = await upload(server, ADMIN, "undecodable.md", b"\x80\x81\xfe" * 200)
    assert "无法识别文字编码" in undecodable and "(undecodable" not in undecodable
    assert "undecodable: not UTF-8, GB18030/GBK, Big5 or UTF-16 text" in undecodable
    scripts = await upload(server, ADMIN, "menu.html",
                           b"<html><body><script>var a = 1;</script></body></html>")
    assert scripts.startswith("没有收录：没有可收录的正文"), scripts

    assert corpus_names(ops) == names_before
    report = state_of(app).engines.current.report
    assert report.passages == passages_before
    assert not [s for s in report.skipped if "binary" in s.file or "undecodable" in s.file]


async def test_documents_from_others_are_refused_in_private_and_ignored_in_groups(
    server: BotApiServer, ops: Ops
) -> None:
    names_before = corpus_names(ops)
    content = speech("关于校园欺凌的讲话", "一、防治欺凌", "各校要建立欺凌防治工作机制。").encode()
    assert await upload(server, 3010, "bully.txt", content) == texts.UPLOAD_ADMIN_ONLY
    assert await upload(server, OUTSIDER, "bully.txt", content) == texts.REFUSAL
    await server.register_chat(chat_id=-3010, chat_type="group", bot_is_admin=True)
    await server.send_document(user_id=ADMIN, chat_id=-3010, chat_type="group",
                               file_name="bully.txt", content=content)
    await quiet_for(server, -3010, 0)
    assert corpus_names(ops) == names_before


# --- feedback and the journal --------------------------------------------------------------

def votes(ops: Ops, data: str) -> list[int]:
    key = data.split(":")[1]
    return [v for (v,) in query(
        ops.journal,
        "SELECT vote FROM feedback JOIN questions ON questions.id = question_id WHERE key = ?",
        key,
    )]


async def press(server: BotApiServer, user: int, chat: int, message: dict, data: str) -> dict:
    query_id = await server.press_button(
        user_id=user, chat_id=chat, message_id=message["message_id"], data=data
    )
    return await server.wait_callback_answer(query_id)


async def test_feedback_buttons_record_one_changeable_vote_per_user(
    server: BotApiServer, ops: Ops
) -> None:
    answer = await ask(server, 3020, "课后服务怎么开展")
    labels = [b["text"] for b in buttons(answer)]
    assert labels[-2:] == [texts.FEEDBACK_UP, texts.FEEDBACK_DOWN]
    assert all(len(b["callback_data"].encode()) <= 64 for b in buttons(answer))
    up, down = button(answer, "👍"), button(answer, "👎")

    toast = await press(server, 3020, 3020, answer, down)
    assert (toast["text"], toast["show_alert"]) == (texts.FEEDBACK_THANKS[-1], False)
    assert votes(ops, down) == [-1]
    toast = await press(server, 3020, 3020, answer, up)
    assert toast["text"] == texts.FEEDBACK_CHANGED[1] and votes(ops, up) == [1]
    assert (await press(server, 3020, 3020, answer, up))["text"] == texts.FEEDBACK_SAME
    assert votes(ops, up) == [1]

    row = query(ops.journal, "SELECT chat_type, text, answered, results, latency_ms "
                "FROM questions WHERE key = ?", up.split(":")[1])
    assert row[0][:4] == ("private", "课后服务怎么开展", 1, 3) and row[0][4] > 0

    # The next page keeps the vote buttons of the same answer.
    await press(server, 3020, 3020, answer, button(answer, "下一页"))
    page = await server.wait_edit(3020, answer["message_id"])
    assert button(page, "👍") == up

    # In a group, each member votes once.
    await server.send_message(user_id=3021, chat_id=-3021, chat_type="group", text="/ask 双减")
    group_answer = (await server.wait_bot_messages(-3021, 1))[0]
    group_down = button(group_answer, "👎")
    for voter in (3021, 3022, 3022):
        await press(server, voter, -3021, group_answer, group_down)
    assert votes(ops, group_down) == [-1, -1]

    nothing = await ask(server, 3023, "qwxz")
    assert not buttons(nothing)


async def test_stats_reads_the_journal(server: BotApiServer, ops: Ops) -> None:
    await ask(server, 3030, "立德树人")
    stats = (await ask(server, ADMIN, "/stats"))["text"]
    assert stats.startswith("运行统计（问答日志，自 ")
    (questions, unanswered), = query(
        ops.journal, "SELECT COUNT(*), SUM(answered = 0) FROM questions")
    (up, down), = query(
        ops.journal, "SELECT SUM(vote = 1), SUM(vote = -1) FROM feedback")
    assert f"提问：{questions} 次，其中未找到答案 {unanswered} 次" in stats
    assert f"反馈：👍 {up or 0} 次，👎 {down or 0} 次" in stats
    assert re.search(r"p50 \d+ ms，p95 \d+ ms", stats)


async def test_export_feedback_reads_the_live_journal(
    server: BotApiServer, ops: Ops, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = await ask(server, 3040, "校车驾驶员台账")
    await press(server, 3040, 3040, answer, button(answer, "👎"))
    out = ops.tmp / "feedback.jsonl"
    code = cli.main(["export-feedback", "--config", str(ops.yaml), "--since", "2020-01-01",
                     str(out)])
    assert code == 0, capsys.readouterr().err
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    mine = [item for item in items if item["question"] == "校车驾驶员台账"]
    assert mine == [{"id": mine[0]["id"], "question": "校车驾驶员台账", "gold": [],
                     "kind": "feedback", "file": None}]


async def test_journal_and_old_buttons_survive_a_restart(ops: Ops, engine: Engine) -> None:
    async with BotApiServer(token="3131:RESTART-token",
                            bot_username="policybot_restart_bot") as srv:
        tmp = ops.tmp / "restart"
        tmp.mkdir()
        config = ops_config(tmp, srv, corpus=ops.corpus)
        journal = tmp / "journal" / "journal.sqlite3"
        async with running_bot(config, engine, srv):
            answer = await ask(srv, 3050, "教师队伍建设")
            await press(srv, 3050, 3050, answer, button(answer, "👎"))
        assert query(journal, "SELECT COUNT(*) FROM questions") == [(1,)]
        async with running_bot(config, engine, srv) as second:
            stats = (await ask(srv, ADMIN, "/stats"))["text"]
            assert "提问：1 次" in stats and "👎 1 次" in stats
            # The first run's button still works: its key lives in the journal, not memory.
            toast = await press(srv, 3050, 3050, answer, button(answer, "👍"))
            assert toast["text"] == texts.FEEDBACK_CHANGED[1]
            assert state_of(second).journal is not None
        assert query(journal, "SELECT vote FROM feedback") == [(1,)]


# --- a separate process: webhook mode, /healthz, and kill -9 mid-write ---------------------

async def test_health_endpoint_and_journal_survive_kill_9_in_webhook_mode(
    tmp_path: Path,
) -> None:
    token, secret = "779:OPS-token", "ops_secret-1"
    port, health_port = free_port(), free_port()
    journal = tmp_path / "journal.sqlite3"
    extra = tmp_path / "ops.yaml"
    extra.write_text(
        f"webhook: {{enabled: true, listen: 127.0.0.1, port: {port}, "
        "url: 'https://bot.example.org/hook', path: hook}\n"
        f"health: {{serve: webhook, listen: 127.0.0.1, port: {health_port}}}\n"
        f"journal: {{enabled: true, path: '{journal}', store_text: false}}\n",
        encoding="utf-8",
    )
    async with BotApiServer(token=token, bot_username="policybot_ops_bot") as srv:
        process = start_run(tmp_path, srv, token, extra_yaml=extra,
                            env={"TELEGRAM_WEBHOOK_SECRET": secret})
        try:
            await srv.wait_calls("setWebhook", 1, timeout=60)
            async with httpx.AsyncClient(trust_env=False, timeout=5) as client:
                health = await healthy(client, f"http://127.0.0.1:{health_port}/healthz")
                assert health["passages"] > 300 and health["uptime_s"] >= 0
                missing = await client.get(f"http://127.0.0.1:{health_port}/hook")
                assert missing.status_code == 404
                # The webhook itself is unchanged: forged updates 403, real ones answered.
                url = f"http://127.0.0.1:{port}/hook"
                assert (await client.post(url, json=update(1, 5000))).status_code == 403
                users = range(5000, 5040)
                for user in users:
                    await srv.register_chat(chat_id=user, chat_type="private")
                posts = [client.post(url, json=update(user - 4999, user),
                                     headers={"X-Telegram-Bot-Api-Secret-Token": secret})
                         for user in users]
                assert {r.status_code for r in await asyncio.gather(*posts)} == {200}
            committed = await rows_appear(journal, 10, timeout=30)
            os.kill(process.pid, signal.SIGKILL)  # while the other answers are being written
            await asyncio.to_thread(process.wait, 30)
        finally:
            if process.poll() is None:
                process.kill()
            await asyncio.to_thread(process.communicate, timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert query(journal, "PRAGMA integrity_check") == [("ok",)]
    after = query(journal, "SELECT id, chat_type, text, text_chars, answered, latency_ms "
                  "FROM questions")
    assert {row[0] for row in committed} <= {row[0] for row in after}
    assert len(after) <= 40
    assert all(r[1] == "private" and r[2] is None and r[3] == 4 and r[5] > 0 for r in after)
    reopened = Journal(journal, store_text=False)  # the bot's own code opens it again
    try:
        assert (await reopened.summary()).questions == len(after)
    finally:
        await reopened.close()


def update(update_id: int, user: int) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1, "date": int(time.time()), "text": "立德树人",
            "chat": {"id": user, "type": "private", "first_name": "U"},
            "from": {"id": user, "is_bot": False, "first_name": "U"},
        },
    }


async def healthy(client: httpx.AsyncClient, url: str, timeout: float = 20) -> dict[str, Any]:
    """GET /healthz until it answers ok (the bot may still be starting), bounded."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            response = await client.get(url)
            body = response.json()
            if response.status_code == 200 and body["ok"] is True:
                assert response.headers["content-type"].startswith("application/json")
                return dict(body)
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} never answered 200 ok")
        await asyncio.sleep(0.1)


async def rows_appear(path: Path, count: int, timeout: float) -> list[tuple]:
    """Poll the journal, as another process would, until it holds ``count`` committed rows."""
    deadline = time.monotonic() + timeout
    while True:
        if path.exists():
            rows = query(path, "SELECT id FROM questions")
            if len(rows) >= count:
                return rows
        if time.monotonic() > deadline:
            raise TimeoutError(f"fewer than {count} journal rows after {timeout}s")
        await asyncio.sleep(0.01)
