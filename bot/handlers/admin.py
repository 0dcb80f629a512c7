"""Admin commands: /reload (rebuild the index without a restart) and /stats."""

from __future__ import annotations

import logging
import sqlite3
import time

from telegram import Update

from retrieval import IndexReport

from .. import texts
from ..live_engine import ReloadInProgress
from ..render import code, escape
from ..state import BotContext
from ..uploads import reason_zh
from .replies import reply

logger = logging.getLogger(__name__)

LISTED_SKIPPED = 10  # skipped files named in the /reload reply; the log has them all


async def reload_command(update: Update, context: BotContext) -> None:
    """Build a new Engine in a worker thread; questions keep using the old one until the swap."""
    message = update.effective_message
    assert message is not None
    engines = context.state.engines
    if engines.reloading:
        await reply(message, texts.RELOAD_BUSY)
        return
    status = await reply(message, texts.RELOAD_STARTED)
    try:
        engine = await engines.reload()
    except ReloadInProgress:
        await status.edit_text(texts.RELOAD_BUSY)
        return
    except Exception:
        logger.exception("reload failed; keeping the previous index")
        await status.edit_text(texts.RELOAD_FAILED)
        return
    report = engine.report
    for skipped in report.skipped:
        logger.warning("reload skipped %s: %s", skipped.file, skipped.reason)
    logger.info(
        "reload done passages=%d documents=%d seconds=%.2f cached=%s",
        report.passages, report.documents, report.seconds, report.loaded_from_cache,
    )
    await status.edit_text(reload_text(report))


def reload_text(report: IndexReport) -> str:
    """The /reload result for the admin: the counts, each skipped file with its reason (the
    first few), and the files left out by their ending, so nothing is missing unsaid."""
    how = "读取缓存" if report.loaded_from_cache else "重建"
    lines = [f"索引已更新（{how}，用时 {report.seconds:.1f} 秒）：",
             f"{report.files} 个文件，{report.documents} 篇文档，{report.passages} 段。"]
    if report.skipped:
        lines.append(f"跳过 {len(report.skipped)} 个文件：")
        lines += [f"• {code(s.file)}：{escape(reason_zh(s.reason, s.code))}"
                  for s in report.skipped[:LISTED_SKIPPED]]
        if len(report.skipped) > LISTED_SKIPPED:
            lines.append(f"……另有 {len(report.skipped) - LISTED_SKIPPED} 个（见日志）")
    if report.not_read:
        endings = "、".join(f"{escape(e or '无扩展名')} {n} 个"
                            for e, n in report.not_read.items())
        lines.append(f"另有文件因格式不在 corpus.extensions 中而没有读取：{endings}。")
    return "\n".join(lines)


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} ms"


async def stats_command(update: Update, context: BotContext) -> None:
    """From the journal when it is enabled (all-time, with feedback), else since start-up."""
    message = update.effective_message
    assert message is not None
    state = context.state
    if state.journal is not None:
        try:
            text = await _journal_stats(context)
        except (sqlite3.Error, RuntimeError) as error:
            logger.warning("journal unreadable for /stats, using memory: %s", error)
        else:
            await reply(message, text)
            return
    snap = state.stats.snapshot()
    report = state.engines.current.report

    hours, rest = divmod(int(snap.uptime_s), 3600)
    text = (
        "<b>运行统计</b>（自启动以来）\n"
        f"运行时长：{hours} 小时 {rest // 60} 分\n"
        f"提问：{snap.questions} 次，其中未找到答案 {snap.unanswered} 次"
        f"（{snap.unanswered_rate:.0%}）\n"
        f"响应时间：p50 {_ms(snap.p50_ms)}，p95 {_ms(snap.p95_ms)}\n"
        f"索引：{report.documents} 篇文档，{report.passages} 段"
    )
    await reply(message, text)


async def _journal_stats(context: BotContext) -> str:
    state = context.state
    assert state.journal is not None
    summary = await state.journal.summary()
    report = state.engines.current.report
    since = (
        time.strftime("%Y-%m-%d", time.localtime(summary.since)) if summary.since else "现在"
    )
    return (
        f"<b>运行统计</b>（问答日志，自 {since} 以来）\n"
        f"提问：{summary.questions} 次，其中未找到答案 {summary.unanswered} 次"
        f"（{summary.unanswered_rate:.0%}）\n"
        f"响应时间：p50 {_ms(summary.p50_ms)}，p95 {_ms(summary.p95_ms)}\n"
        f"反馈：👍 {summary.up} 次，👎 {summary.down} 次\n"
        f"索引：{report.documents} 篇文档，{report.passages} 段"
    )


async def admin_only(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.ADMIN_ONLY)
