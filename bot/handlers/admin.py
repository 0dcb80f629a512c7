"""Admin commands: /reload (rebuild the index without a restart) and /stats."""

from __future__ import annotations

import logging

from telegram import Update

from .. import texts
from ..engines import ReloadInProgress
from ..state import BotContext
from .replies import reply

logger = logging.getLogger(__name__)


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
    how = "读取缓存" if report.loaded_from_cache else "重建"
    text = (
        f"索引已更新（{how}，用时 {report.seconds:.1f} 秒）：\n"
        f"{report.files} 个文件，{report.speeches} 篇讲话，{report.passages} 段。"
    )
    if report.skipped:
        text += f"\n跳过 {len(report.skipped)} 个文件（原因见日志）。"
        for skipped in report.skipped:
            logger.warning("reload skipped %s: %s", skipped.file, skipped.reason)
    logger.info(
        "reload done passages=%d speeches=%d seconds=%.2f cached=%s",
        report.passages, report.speeches, report.seconds, report.loaded_from_cache,
    )
    await status.edit_text(text)


async def stats_command(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    state = context.state
    snap = state.stats.snapshot()
    report = state.engines.current.report

    def ms(value: float | None) -> str:
        return "—" if value is None else f"{value:.0f} ms"

    hours, rest = divmod(int(snap.uptime_s), 3600)
    text = (
        "<b>运行统计</b>（自启动以来）\n"
        f"运行时长：{hours} 小时 {rest // 60} 分\n"
        f"提问：{snap.questions} 次，其中未找到答案 {snap.unanswered} 次"
        f"（{snap.unanswered_rate:.0%}）\n"
        f"响应时间：p50 {ms(snap.p50_ms)}，p95 {ms(snap.p95_ms)}\n"
        f"索引：{report.speeches} 篇讲话，{report.passages} 段"
    )
    await reply(message, text)


async def admin_only(update: Update, context: BotContext) -> None:
    message = update.effective_message
    assert message is not None
    await reply(message, texts.ADMIN_ONLY)
