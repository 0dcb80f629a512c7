"""The journal on real SQLite files: votes, privacy without store_text, WAL durability across
reopening, /stats numbers, and the export of down-voted questions (module and CLI)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot import cli
from bot.journal import (
    Journal,
    Vote,
    connect,
    downvoted,
    export_feedback,
    open_journal,
    parse_since,
)
from bot.settings import HealthSettings, JournalSettings, bot_settings
from retrieval import ConfigError, load_config

EXPORT_KEYS = ["id", "question", "gold", "kind", "file"]


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "journal.sqlite3"


@pytest.fixture
def journal(path: Path) -> Iterator[Journal]:
    opened = Journal(path, store_text=True)
    yield opened
    opened.close_sync()


async def asked(journal: Journal, text: str, *, latency: float = 10.0,
                answered: bool = True) -> str:
    key = journal.new_key()
    assert await journal.record_question(
        key=key, chat_type="private", text=text, answered=answered, results=3 if answered else 0,
        latency_ms=latency,
    )
    return key


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


async def test_one_vote_per_user_per_answer_and_it_can_change(journal: Journal, path: Path) -> None:
    key = await asked(journal, "双减")
    assert await journal.vote(key, 7, -1) is Vote.NEW
    assert await journal.vote(key, 7, -1) is Vote.SAME
    assert await journal.vote(key, 7, 1) is Vote.CHANGED
    assert await journal.vote(key, 8, -1) is Vote.NEW
    assert await journal.vote("no-such-key", 7, 1) is Vote.UNKNOWN
    assert sorted(v for (v,) in rows(path, "SELECT vote FROM feedback")) == [-1, 1]
    with pytest.raises(ValueError):
        await journal.vote(key, 7, 0)


async def test_without_store_text_only_a_salted_hash_and_the_length_are_kept(path: Path) -> None:
    journal = Journal(path, store_text=False)
    try:
        await asked(journal, "教师队伍建设")
        await asked(journal, "教师队伍建设")
    finally:
        journal.close_sync()
    stored = rows(path, "SELECT text, text_hash, text_chars FROM questions")
    assert [(text, chars) for text, _, chars in stored] == [(None, 6), (None, 6)]
    assert stored[0][1] == stored[1][1]  # repeats can still be counted
    assert stored[0][1] != hashlib.sha256("教师队伍建设".encode()).hexdigest()
    assert b"\xe6\x95\x99\xe5\xb8\x88" not in path.read_bytes()  # 教师 nowhere in the file


async def test_wal_mode_normal_sync_and_rows_survive_reopening(path: Path) -> None:
    journal = Journal(path, store_text=True)
    key = await asked(journal, "立德树人")
    await journal.vote(key, 1, 1)
    assert journal._call(lambda: journal.conn.execute("PRAGMA synchronous").fetchone()[0]) == 1
    # Another process reads committed rows while the bot still holds the file open.
    assert rows(path, "SELECT COUNT(*) FROM questions") == [(1,)]
    await journal.close()
    assert rows(path, "PRAGMA journal_mode") == [("wal",)]
    again = Journal(path, store_text=True)
    try:
        assert await again.vote(key, 1, -1) is Vote.CHANGED  # the old answer's key still works
        summary = await again.summary()
        assert (summary.questions, summary.up, summary.down) == (1, 0, 1)
    finally:
        again.close_sync()


async def test_summary_counts_and_nearest_rank_percentiles(journal: Journal) -> None:
    empty = await journal.summary()
    assert (empty.questions, empty.p50_ms, empty.p95_ms, empty.since) == (0, None, None, None)
    for latency in range(100, 0, -1):
        await asked(journal, f"问题{latency}", latency=float(latency), answered=latency % 4 != 0)
    summary = await journal.summary()
    assert (summary.questions, summary.unanswered) == (100, 25)
    assert summary.unanswered_rate == 0.25
    assert (summary.p50_ms, summary.p95_ms) == (50.0, 95.0)
    assert summary.since is not None and abs(summary.since - time.time()) < 60


async def test_a_write_failure_is_reported_not_raised(journal: Journal) -> None:
    key = await asked(journal, "双减")
    ok = await journal.record_question(key=key, chat_type="private", text="重复的键",
                                       answered=True, results=1, latency_ms=1.0)
    assert ok is False  # the UNIQUE key refused it; the caller's answer is unaffected


def test_a_newer_schema_is_refused(path: Path) -> None:
    connect(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version=99")
    conn.close()
    with pytest.raises(ConfigError, match="newer policybot"):
        open_journal(JournalSettings(enabled=True, path=path, store_text=False))
    assert open_journal(JournalSettings(enabled=False, path=path, store_text=False)) is None


async def test_export_has_the_evaluation_format_and_skips_the_rest(
    journal: Journal, path: Path, tmp_path: Path
) -> None:
    questions = ("双减", " 课后服务怎么收费 ", "课后服务怎么收费", "立德树人")
    liked, disliked, twice, changed = [await asked(journal, q) for q in questions]
    await journal.vote(liked, 1, 1)
    await journal.vote(disliked, 1, -1)
    await journal.vote(twice, 2, -1)
    await journal.vote(changed, 1, -1)
    await journal.vote(changed, 1, 1)  # changed its mind: no longer down-voted
    out = tmp_path / "feedback.jsonl"
    result = export_feedback(path, out)
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert items == result.items
    assert [list(item) for item in items] == [EXPORT_KEYS]
    assert items[0]["question"] == "课后服务怎么收费"
    assert items[0]["gold"] == [] and items[0]["kind"] == "feedback" and items[0]["file"] is None
    assert items[0]["id"].startswith("feedback-")
    assert export_feedback(path, out, since=time.time() + 3600).items == []


async def test_export_refuses_when_no_text_was_stored(path: Path, tmp_path: Path) -> None:
    journal = Journal(path, store_text=False)
    try:
        await journal.vote(await asked(journal, "双减"), 1, -1)
    finally:
        journal.close_sync()
    with pytest.raises(ValueError, match="store_text"):
        export_feedback(path, tmp_path / "out.jsonl")
    assert not (tmp_path / "out.jsonl").exists()
    with pytest.raises(FileNotFoundError):
        export_feedback(tmp_path / "missing.sqlite3", tmp_path / "out.jsonl")


def test_since_accepts_dates_and_times() -> None:
    assert parse_since("2025-03-01") < parse_since("2025-03-01T08:00") < parse_since("2025-03-02")
    assert parse_since("2025-03-01T00:00+00:00") == 1740787200.0
    with pytest.raises(ValueError, match="--since"):
        parse_since("last week")


async def test_cli_export_feedback(path: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "bot.yaml"
    config.write_text(f"journal: {{enabled: true, path: '{path}', store_text: true}}\n",
                      encoding="utf-8")
    journal = Journal(path, store_text=True)
    try:
        await journal.vote(await asked(journal, "校车安全"), 1, -1)
        out = tmp_path / "eval.jsonl"
        # The bot still has the journal open: the export reads alongside it.
        assert cli.main(["export-feedback", "--config", str(config), str(out)]) == 0
    finally:
        journal.close_sync()
    assert "wrote 1 down-voted question" in capsys.readouterr().err
    assert json.loads(out.read_text(encoding="utf-8"))["question"] == "校车安全"
    with pytest.raises(SystemExit) as refused:
        cli.main(["export-feedback", "--config", str(config), "--since", "soon", str(out)])
    assert refused.value.code == 2
    assert "argument --since: a date such as 2025-03-01, got soon" in capsys.readouterr().err


def test_journal_path_is_relative_to_the_yaml_that_sets_it(tmp_path: Path) -> None:
    (tmp_path / "etc").mkdir()
    config = tmp_path / "etc" / "bot.yaml"
    config.write_text("journal: {path: ../var/j.sqlite3}\n", encoding="utf-8")
    settings = bot_settings(load_config(config, env={}), env={})
    assert settings.journal.path == (tmp_path / "var" / "j.sqlite3").resolve()
    assert settings.journal.enabled is False and settings.journal.store_text is False
    default = bot_settings(load_config(env={}), env={})
    assert default.journal.path == Path("data/journal.sqlite3").resolve()


def test_health_settings(tmp_path: Path) -> None:
    assert HealthSettings("webhook", "127.0.0.1", 8081).active(webhook=True)
    assert not HealthSettings("webhook", "127.0.0.1", 8081).active(webhook=False)
    assert HealthSettings("always", "127.0.0.1", 8081).active(webhook=False)
    assert not HealthSettings("off", "127.0.0.1", 8081).active(webhook=True)
    config = tmp_path / "bot.yaml"
    config.write_text(
        "webhook: {enabled: true, url: 'https://x.example/h', port: 9000}\n"
        "health: {port: 9000}\n", encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"health\.port"):
        bot_settings(load_config(config, env={}), env={})


def test_downvoted_reads_a_plain_connection(path: Path) -> None:
    conn = connect(path)
    try:
        assert downvoted(conn).items == [] and downvoted(conn).without_text == 0
    finally:
        conn.close()
