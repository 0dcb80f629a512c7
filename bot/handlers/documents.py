"""Files sent to the bot: admins' uploads are stored in the corpus and indexed at once.

The flow, for an admin in a private chat: check type and size (before downloading), download,
read it with the corpus readers (refusing empty, damaged or undecodable files and exact
duplicates), store the original under a safe name, then re-open the index, which appends the
new file as one more segment, and swap it in as /reload does. The admin hears what was added
(documents, titles, passages) or why not; a file the index still skips (no text after
cleaning, the same text as another file) is deleted again with the index's reason.
Other people's documents get a polite refusal in private; groups never get here.
"""

from __future__ import annotations

import asyncio
import html
import logging
import time
from pathlib import Path

from telegram import Document, Update
from telegram.error import TelegramError

from retrieval import DocumentInfo, Engine, RetrievalSettings

from .. import texts, uploads
from ..live_engine import EngineHolder, ReloadInProgress
from ..render import MESSAGE_LIMIT, SOURCE_MAX_UNITS, code, shorten, visible_units
from ..settings import UploadSettings
from ..state import BotContext
from .replies import reply

logger = logging.getLogger(__name__)

REINDEX_WAIT = 600.0  # seconds to wait for a /reload in progress before giving up
LISTED_DOCUMENTS = 30  # documents listed by name in the reply; the rest are counted


async def upload(update: Update, context: BotContext) -> None:
    """An admin's document in a private chat."""
    message = update.effective_message
    assert message is not None and message.document is not None
    settings = context.state.settings.uploads
    refusal = precheck(message.document, settings)
    if refusal:
        await reply(message, refusal)
        return
    name = uploads.safe_file_name(message.document.file_name)
    status = await reply(message, texts.UPLOAD_RECEIVED.format(name=code(name)))
    started = time.perf_counter()
    async with context.state.upload_lock:  # one at a time: names and index swaps stay simple
        try:
            text = await receive(message.document, context)
        except Exception:  # the status message must not stay at "正在保存" forever
            logger.exception("upload failed")
            text = texts.UPLOAD_FAILED
    logger.info("upload handled seconds=%.2f", time.perf_counter() - started)
    await status.edit_text(text)


async def refuse(update: Update, context: BotContext) -> None:
    """A document from someone who is not an admin (private chats only)."""
    message = update.effective_message
    assert message is not None
    await reply(message, texts.UPLOAD_ADMIN_ONLY)


def precheck(document: Document, settings: UploadSettings) -> str | None:
    """The refusal for a file that must not even be downloaded, or None."""
    if not settings.enabled:
        return texts.UPLOAD_DISABLED
    _, extension = uploads.split_name(document.file_name)
    if extension not in settings.extensions:
        return texts.UPLOAD_WRONG_TYPE.format(
            ext=html.escape(extension or "无扩展名", quote=False),
            allowed="、".join(settings.extensions),
        )
    if document.file_size is not None and document.file_size > settings.max_bytes:
        return _too_large(document.file_size, settings.max_bytes)
    return None


async def receive(document: Document, context: BotContext) -> str:
    """Download, check, store and index one file; the text that tells the admin the outcome."""
    state = context.state
    settings = state.settings.uploads
    stem, extension = uploads.split_name(document.file_name)
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except TelegramError as error:
        logger.warning("upload download failed: %s", error.message)
        return texts.UPLOAD_DOWNLOAD_FAILED.format(reason=html.escape(error.message))
    if len(data) > settings.max_bytes:
        return _too_large(len(data), settings.max_bytes)
    retrieval = state.engines.current.settings
    unreadable = await asyncio.to_thread(uploads.unreadable, extension, data)
    if unreadable is not None:
        logger.info("upload refused: %s", unreadable)
        if unreadable.code == "empty":
            return texts.UPLOAD_EMPTY
        reason = uploads.reason_zh(unreadable.message, unreadable.code)
        return texts.UPLOAD_REFUSED.format(reason=html.escape(reason, quote=False))
    try:
        corpus = await asyncio.to_thread(
            uploads.corpus_files, retrieval.corpus_dirs, retrieval.extensions
        )
        duplicate = await asyncio.to_thread(uploads.find_duplicate, data, corpus)
        if duplicate is not None:
            return texts.UPLOAD_DUPLICATE.format(name=code(_shown(duplicate, retrieval)))
        stored = await asyncio.to_thread(uploads.store, settings.dir, stem, {extension: data})
    except uploads.UploadRefused as refused:
        return texts.UPLOAD_REFUSED.format(reason=html.escape(str(refused), quote=False))
    except OSError as error:  # e.g. the upload directory is read-only or the disk is full
        logger.error("upload could not be stored: %s", error)
        reason = f"无法保存文件（{error.strerror or type(error).__name__}）"
        return texts.UPLOAD_REFUSED.format(reason=html.escape(reason, quote=False))
    path = stored[extension]
    shown = _shown(path, retrieval)
    logger.info("upload stored %s (%d bytes)", shown, len(data))
    try:
        engine = await reindex(state.engines)
    except Exception:
        logger.exception("upload: indexing failed; the file stays, the old index is kept")
        return texts.UPLOAD_INDEX_FAILED.format(name=code(shown))
    skipped = uploads.skipped_entry(engine.report.skipped, shown)
    if skipped is not None:
        logger.warning("upload rejected by the index: %s: %s", shown, skipped.reason)
        path.unlink(missing_ok=True)
        try:
            await reindex(state.engines)  # the stored state without the file: a cache hit
        except Exception:
            logger.exception("upload: re-opening the index after a rejected file failed")
        reason = uploads.reason_zh(skipped.reason, skipped.code)
        return texts.UPLOAD_REJECTED.format(
            name=code(shown), reason=html.escape(reason, quote=False)
        )
    renamed = path.name != (document.file_name or "")
    note = texts.UPLOAD_RENAMED.format(name=code(path.name)) if renamed else ""
    return added_text(shown, uploads.added_documents(engine.documents(), shown), engine, note)


async def reindex(engines: EngineHolder) -> Engine:
    """Re-open the index and swap it in, waiting (bounded) for a /reload already running so
    that the new file is certainly seen by the scan."""
    deadline = time.monotonic() + REINDEX_WAIT
    while True:
        try:
            return await engines.reload()
        except ReloadInProgress:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.2)


def added_text(shown: str, documents: list[DocumentInfo], engine: Engine, note: str) -> str:
    """✅ what was added: the file, each document with its title and passages, the index size."""
    passages = sum(d.passages for d in documents)
    lines = [
        f"✅ 已收录 {code(shown)}{note}：{len(documents)} 篇文档，共 {passages} 段。"
    ]
    for number, document in enumerate(documents[:LISTED_DOCUMENTS], 1):
        title, _ = shorten(document.title or document.file, (), SOURCE_MAX_UNITS)
        lines.append(f"{number}. 《{html.escape(title, quote=False)}》— {document.passages} 段")
    if len(documents) > LISTED_DOCUMENTS:
        lines.append(f"……另有 {len(documents) - LISTED_DOCUMENTS} 篇")
    report = engine.report
    lines.append(f"索引现有 {report.documents} 篇文档，{report.passages} 段，现在就可以提问。")
    text = "\n".join(lines)
    while visible_units(text) > MESSAGE_LIMIT and len(lines) > 2:
        lines.pop(-2)
        text = "\n".join(lines)
    return text


def _shown(path: Path, retrieval: RetrievalSettings) -> str:
    return uploads.index_name(path, retrieval.corpus_dirs) or path.name


def _too_large(size: int, limit: int) -> str:
    return texts.UPLOAD_TOO_LARGE.format(size=_mb(size), limit=_mb(limit))


def _mb(size: int) -> str:
    return f"{size / 2**20:.1f} MB" if size >= 2**20 / 10 else f"{size / 1024:.0f} KB"


