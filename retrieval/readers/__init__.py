"""File -> text blocks: one reader per format behind one small interface.

A reader turns the bytes of one file into the blocks of text it holds, in reading order, each
with its kind (what the format itself says it is) and its page where the format has pages,
plus the metadata the file states about itself (an HTML page's <title>, a PDF's info, a
.docx's core properties). It removes only what the format marks as not content (an HTML
page's menus, a PDF's repeated page headers and page numbers) and reports each such removal,
so nothing is dropped silently. Cleaning that needs the whole corpus (boilerplate learned by
frequency) and cutting into passages happen later, the same for every format.

A new format is one module here with a `read(path, data) -> RawDocument` function, listed in
READERS.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from .errors import UnreadableFile

log = logging.getLogger(__name__)


class BlockKind(StrEnum):
    LINE = "line"            # a line of plain text, not yet classified (text files)
    TITLE = "title"          # the document's title, as the format marks it
    HEADING = "heading"      # a section heading, as the format marks it (with its level)
    PARAGRAPH = "paragraph"  # a whole paragraph (re-joined where the format broke it)


@dataclass(frozen=True)
class Block:
    text: str
    kind: BlockKind = BlockKind.LINE
    level: int | None = None  # heading level from the format, 0 = top; None when not known
    page: int | None = None  # 1-based page where the block starts (PDF); None without pages


@dataclass(frozen=True)
class Dropped:
    """Text a reader removed as not content, with the rule that removed it (for reports)."""

    text: str
    rule: str  # a short code, e.g. "page-number", "page-header", "html-nav"


@dataclass(frozen=True)
class RawDocument:
    blocks: tuple[Block, ...]
    format: str  # "text", "pdf", "docx", "html", ...
    # What the file states about itself; keys among "title", "date" (ISO: YYYY, YYYY-MM or
    # YYYY-MM-DD), "url", "issuer", "author". Only what the file holds, never a guess.
    meta: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[Dropped, ...] = ()
    encoding: str | None = None  # for text formats: the detected encoding


# Suffix -> module (in this package) whose read(path, data) reads it. Modules are imported on
# first use, so a heavy library (lxml, python-docx, PDF) costs nothing until its format is read.
READERS: Mapping[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".doc": "office",
    ".wps": "office",
    ".rtf": "office",
    ".pdf": "pdf",
    ".ofd": "ofd",  # own reader over zipfile + lxml (easyofd needs PyMuPDF, AGPL)
}
# Formats users do send but nothing here can read yet, with what to do instead.
NOT_YET: Mapping[str, str] = {}


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"{__name__}.{module}") is not None


SUPPORTED_EXTENSIONS: tuple[str, ...] = tuple(sorted(s for s in READERS if _available(READERS[s])))


def ending_advice(ending: str) -> str | None:
    """What to do about files with an ending the corpus settings leave out, when anything."""
    if ending in NOT_YET:
        return NOT_YET[ending]
    if ending in SUPPORTED_EXTENSIONS:
        return "readable: add it to corpus.extensions"
    return None


def read_document(path: Path, data: bytes) -> RawDocument:
    """The document in ``data`` (the bytes of ``path``), read by its suffix's reader.

    Whatever a reader's library raises for a bad file comes out as UnreadableFile with a code,
    so one broken file never stops indexing.
    """
    suffix = path.suffix.lower()
    if suffix in NOT_YET:
        raise UnreadableFile("unsupported-format", NOT_YET[suffix])
    module_name = READERS.get(suffix)
    if module_name is None or not _available(module_name):
        raise UnreadableFile("unsupported-format", f"unsupported format: {suffix or 'no suffix'}")
    if not data.strip():
        raise UnreadableFile("empty", "empty file")
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ImportError as exc:  # the reader's library is not installed
        raise UnreadableFile(
            "unsupported-format", f"cannot read {suffix} files here: {exc}") from exc
    try:
        return module.read(path, data)
    except UnreadableFile:
        raise
    except MemoryError as exc:
        raise UnreadableFile("too-large", "too large to read in memory") from exc
    except Exception as exc:
        # Libraries signal a malformed file with all kinds of exceptions (their own classes,
        # ValueError, KeyError, zipfile errors ...): keep the type for the log, a code for
        # the caller.
        log.debug("reader %s failed on %s", module_name, path, exc_info=True)
        raise UnreadableFile(
            "cannot-read", f"cannot read {suffix} file ({type(exc).__name__}: {exc})"[:300]
        ) from exc
