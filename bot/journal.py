"""The opt-in question log and 👍/👎 feedback, in one SQLite file.

Why SQLite in WAL mode with ``synchronous=NORMAL``: every committed row survives a crash or
``kill -9`` of the bot (only a power loss may drop the last commits), readers such as
``policybot export-feedback`` never block the bot, and a commit costs no fsync. All database
work runs on one writer thread, so the event loop never waits on disk and the connection is
only ever used by the thread that opened it.

Privacy: without ``journal.store_text`` a question is kept only as a salted hash (repeats can
be counted, texts cannot be looked up against a word list without the salt) and its length;
voters are salted hashes of their user ids, enough for "one vote per user per answer".
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import math
import secrets
import sqlite3
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from pathlib import Path
from typing import TypeVar

from retrieval import Config, ConfigError

from .settings import JournalSettings, bot_settings

logger = logging.getLogger(__name__)

T = TypeVar("T")
SCHEMA_VERSION = 1
KEY_BYTES = 9  # 12 URL-safe characters in callback_data: unguessable, so votes cannot be forged

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY,
    key TEXT UNIQUE,              -- carried by the feedback buttons under the answer, or NULL
    asked_at REAL NOT NULL,       -- Unix time
    chat_type TEXT NOT NULL,      -- private, group, supergroup
    text TEXT,                    -- only with journal.store_text
    text_hash TEXT NOT NULL,      -- salted SHA-256 of the text
    text_chars INTEGER NOT NULL,
    answered INTEGER NOT NULL,    -- 0: the bot said nothing in the corpus answers it
    results INTEGER NOT NULL,     -- quotes shown
    latency_ms REAL NOT NULL      -- question received -> answer sent
);
CREATE INDEX IF NOT EXISTS questions_asked_at ON questions (asked_at);
CREATE INDEX IF NOT EXISTS questions_latency ON questions (latency_ms);
CREATE TABLE IF NOT EXISTS feedback (
    question_id INTEGER NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    voter TEXT NOT NULL,          -- salted SHA-256 of the Telegram user id
    vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
    voted_at REAL NOT NULL,
    PRIMARY KEY (question_id, voter)
) WITHOUT ROWID;
"""


class Vote(Enum):
    """What pressing a feedback button did."""

    NEW = "new"
    CHANGED = "changed"
    SAME = "same"  # the same vote again: nothing to change
    UNKNOWN = "unknown"  # no such answer in the journal (e.g. another journal file)


@dataclass(frozen=True)
class JournalSummary:
    questions: int
    unanswered: int
    p50_ms: float | None
    p95_ms: float | None
    up: int
    down: int
    since: float | None  # Unix time of the first question

    @property
    def unanswered_rate(self) -> float:
        return self.unanswered / self.questions if self.questions else 0.0


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the journal with its schema; used by the writer thread and the CLI."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10.0, isolation_level=None)  # explicit transactions
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        logger.warning("journal %s: WAL mode unavailable (%s)", path, mode)
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        conn.close()
        raise RuntimeError(f"journal {path} was written by a newer policybot (v{version})")
    with _transaction(conn):
        for statement in SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement)
        conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        conn.execute(
            "INSERT OR IGNORE INTO meta (name, value) VALUES ('salt', ?)",
            (secrets.token_hex(16),),
        )
    return conn


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error) on an autocommit connection."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        if not self.conn.in_transaction:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, *rest: object) -> None:
        if not self.conn.in_transaction:
            return
        self.conn.execute("ROLLBACK" if exc_type else "COMMIT")


def salted_hash(salt: str, value: str) -> str:
    return hashlib.sha256(f"{salt}\0{value}".encode()).hexdigest()


class Journal:
    """The journal of one bot process; every method runs its SQL on the writer thread."""

    def __init__(self, path: Path, *, store_text: bool) -> None:
        self.path = path
        self.store_text = store_text
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="journal")
        self._conn: sqlite3.Connection | None = None
        self._salt = ""
        self._call(self._open)  # fail at start-up, not at the first question

    def _open(self) -> None:
        self._conn = connect(self.path)
        self._salt = self._conn.execute("SELECT value FROM meta WHERE name = 'salt'").fetchone()[0]

    def _call(self, work: Callable[[], T]) -> T:
        """Run ``work`` on the writer thread and wait (start-up, CLI and tests)."""
        return self._executor.submit(work).result()

    async def _run(self, work: Callable[[], T]) -> T:
        return await asyncio.wrap_future(self._executor.submit(work))

    @property
    def conn(self) -> sqlite3.Connection:
        if self._conn is None:
            raise RuntimeError("the journal is closed")
        return self._conn

    @staticmethod
    def new_key() -> str:
        """A fresh answer key for callback_data (unique in practice; the column checks)."""
        return secrets.token_urlsafe(KEY_BYTES)

    # -- writes ---------------------------------------------------------------------------

    async def record_question(
        self,
        *,
        key: str | None,
        chat_type: str,
        text: str,
        answered: bool,
        results: int,
        latency_ms: float,
    ) -> bool:
        """Log one answered question; False (and a warning) if it could not be written.

        A full disk must not turn an answer the user already has into an error message.
        """
        def work() -> None:
            with _transaction(self.conn) as conn:
                conn.execute(
                    "INSERT INTO questions (key, asked_at, chat_type, text, text_hash, "
                    "text_chars, answered, results, latency_ms) VALUES (?,?,?,?,?,?,?,?,?)",
                    (key, time.time(), chat_type, text if self.store_text else None,
                     salted_hash(self._salt, text), len(text), int(answered), results,
                     round(latency_ms, 3)),
                )

        try:
            await self._run(work)
        except (sqlite3.Error, RuntimeError) as error:
            logger.warning("journal: question not recorded: %s", error)
            return False
        return True

    async def vote(self, key: str, user_id: int, vote: int) -> Vote:
        """One vote per user per answer; pressing the other button changes it."""
        if vote not in (-1, 1):
            raise ValueError("vote must be 1 or -1")

        def work() -> Vote:
            voter = salted_hash(self._salt, f"user:{user_id}")
            with _transaction(self.conn) as conn:
                row = conn.execute("SELECT id FROM questions WHERE key = ?", (key,)).fetchone()
                if row is None:
                    return Vote.UNKNOWN
                old = conn.execute(
                    "SELECT vote FROM feedback WHERE question_id = ? AND voter = ?",
                    (row[0], voter),
                ).fetchone()
                if old is not None and old[0] == vote:
                    return Vote.SAME
                conn.execute(
                    "INSERT INTO feedback (question_id, voter, vote, voted_at) VALUES (?,?,?,?) "
                    "ON CONFLICT (question_id, voter) DO UPDATE "
                    "SET vote = excluded.vote, voted_at = excluded.voted_at",
                    (row[0], voter, vote, time.time()),
                )
                return Vote.NEW if old is None else Vote.CHANGED

        return await self._run(work)

    # -- reads ----------------------------------------------------------------------------

    async def summary(self) -> JournalSummary:
        return await self._run(lambda: summarize(self.conn))

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL) and stop the writer thread."""
        def work() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        try:
            await self._run(work)
        finally:
            self._executor.shutdown(wait=True)

    def close_sync(self) -> None:
        """``close`` for code without an event loop (the CLI, tests)."""
        if self._conn is not None:
            self._call(self._conn.close)
            self._conn = None
        self._executor.shutdown(wait=True)


def open_journal(settings: JournalSettings) -> Journal | None:
    """The journal when enabled; a ConfigError naming the path when it cannot be opened."""
    if not settings.enabled:
        return None
    try:
        return Journal(settings.path, store_text=settings.store_text)
    except (sqlite3.Error, OSError, RuntimeError) as error:
        raise ConfigError(f"cannot open journal.path {settings.path}: {error}") from None


def summarize(conn: sqlite3.Connection) -> JournalSummary:
    """Totals, unanswered count, nearest-rank latency percentiles and votes, all-time."""
    questions, unanswered, since = conn.execute(
        "SELECT COUNT(*), COALESCE(SUM(answered = 0), 0), MIN(asked_at) FROM questions"
    ).fetchone()
    up, down = conn.execute(
        "SELECT COALESCE(SUM(vote = 1), 0), COALESCE(SUM(vote = -1), 0) FROM feedback"
    ).fetchone()

    def percentile(pct: float) -> float | None:
        if not questions:
            return None
        rank = max(1, math.ceil(pct / 100 * questions))
        row = conn.execute(
            "SELECT latency_ms FROM questions ORDER BY latency_ms LIMIT 1 OFFSET ?", (rank - 1,)
        ).fetchone()
        return float(row[0])

    return JournalSummary(
        questions=questions, unanswered=unanswered, p50_ms=percentile(50),
        p95_ms=percentile(95), up=up, down=down, since=since,
    )


# -- export of down-voted questions ---------------------------------------------------------

@dataclass(frozen=True)
class Export:
    items: list[dict]  # evaluation-set items, oldest question first
    without_text: int  # down-voted questions journaled without their text


def downvoted(conn: sqlite3.Connection, since: float | None = None) -> Export:
    """Questions with at least one current 👎, as evaluation items with empty gold.

    Repeats of the same text become one item (the first time it was asked names it).
    """
    rows = conn.execute(
        "SELECT q.id, q.text FROM questions q "
        "WHERE q.asked_at >= ? AND EXISTS "
        "(SELECT 1 FROM feedback f WHERE f.question_id = q.id AND f.vote = -1) "
        "ORDER BY q.asked_at, q.id",
        (since if since is not None else float("-inf"),),
    ).fetchall()
    items: list[dict] = []
    seen: set[str] = set()
    without_text = 0
    for row_id, text in rows:
        if text is None:
            without_text += 1
            continue
        question = text.strip()
        if question in seen:
            continue
        seen.add(question)
        items.append({"id": f"feedback-{row_id}", "question": question, "gold": [],
                      "kind": "feedback", "file": None})
    return Export(items, without_text)


def parse_since(value: str) -> float:
    """``2025-03-01`` or ``2025-03-01T08:00[+08:00]``; without a zone, the server's local time."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"--since must be a date like 2025-03-01, got {value!r}") from None
    return moment.timestamp()


def export_feedback(journal_path: Path, out: Path, since: float | None = None) -> Export:
    """Write the down-voted questions of the journal at ``journal_path`` to ``out`` (JSONL).

    Raises FileNotFoundError when there is no journal, and ValueError when down-voted
    questions exist but none has its text (journal.store_text was off): nothing to export.
    """
    if not journal_path.is_file():
        raise FileNotFoundError(f"no journal at {journal_path} (see journal.enabled and .path)")
    try:
        conn = sqlite3.connect(f"file:{journal_path}?mode=rw", uri=True, timeout=10.0)
        try:
            result = downvoted(conn, since)
        finally:
            conn.close()
    except sqlite3.Error as error:
        raise ValueError(f"journal {journal_path} is unreadable: {error}") from None
    if result.without_text and not result.items:
        raise ValueError(
            f"{result.without_text} down-voted question(s), but the journal holds no question "
            "texts (journal.store_text: false); nothing to export"
        )
    tmp = out.with_name(f".{out.name}.tmp")
    with tmp.open("w", encoding="utf-8") as file:
        for item in result.items:
            file.write(json.dumps(item, ensure_ascii=False) + "\n")
    tmp.replace(out)
    return result


def export_feedback_cli(config: Config, out: Path, since: str | None) -> int:
    """``policybot export-feedback``: errors go to main(), which prints them and exits 2."""
    path = bot_settings(config).journal.path
    result = export_feedback(path, out, parse_since(since) if since else None)
    note = (f" ({result.without_text} more had no stored text: journal.store_text was off)"
            if result.without_text else "")
    print(f"wrote {len(result.items)} down-voted question(s) to {out}{note}", file=sys.stderr)
    return 0
