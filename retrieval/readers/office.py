"""Old and other office formats (.doc, .wps, .rtf): LibreOffice when installed, else Python.

LibreOffice's converter (to .docx, then the .docx reader) is the high-fidelity path: it keeps
tables and styles of every kind of file. Without it, a Word 97-2003 binary (.doc, and WPS
Writer's .wps, the same OLE compound format) is read by the piece-table reader in ``doc``,
which also takes over when LibreOffice fails on a file. What the bytes are decides, not
only the name: a .docx or a web page saved under .doc goes to its own reader. .rtf still
needs LibreOffice.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from . import RawDocument
from . import doc as doc_reader
from . import docx as docx_reader
from .errors import UnreadableFile

log = logging.getLogger(__name__)

CONVERT_TIMEOUT = 120  # seconds; a big .doc converts in a few, a hung soffice is killed
FORMATS = {".doc": "doc", ".wps": "wps", ".rtf": "rtf"}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


def read(path: Path, data: bytes) -> RawDocument:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnreadableFile("unsupported-format", f"unsupported format: {suffix}")
    if data.startswith(ZIP_MAGIC):  # a .docx given an old name (web sites often do this)
        return replace(docx_reader.read(path, data), format=FORMATS[suffix])
    if suffix != ".rtf" and _looks_html(data):  # Word's "save as web page" kept as .doc
        from . import html as html_reader

        return html_reader.read(path, data)
    ole = data.startswith(OLE_MAGIC)
    rtf = suffix == ".rtf" or data.lstrip()[:5] == b"{\\rtf"
    if soffice_path() is not None:
        try:
            converted = convert_to_docx(data, suffix)
        except UnreadableFile as exc:
            if not ole:
                raise
            log.info("LibreOffice failed on %s (%s): reading it in Python", path, exc)
        else:
            document = docx_reader.read(path, converted)
            meta = dict(document.meta)
            if ole:  # the conversion's own properties are not the file's: take the original's
                meta.pop("date", None)
                meta.update(doc_reader.properties(data))
            return RawDocument(blocks=document.blocks, format=FORMATS[suffix],
                               meta=meta, dropped=document.dropped)
    if ole:
        return replace(doc_reader.read(path, data), format=FORMATS[suffix])
    if rtf:
        raise _needs_libreoffice(suffix if suffix == ".rtf" else f"{suffix} (an RTF file)")
    raise UnreadableFile(
        "cannot-read", f"not a Word 97-2003 or WPS Writer file (no OLE compound file header): "
        f"damaged, or another format named {suffix}")


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def _needs_libreoffice(suffix: str) -> UnreadableFile:
    return UnreadableFile(
        "needs-libreoffice",
        f"needs LibreOffice (soffice) to read {suffix}: install it, "
        "e.g. apt-get install libreoffice-writer")


def _looks_html(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<html", b"<!doctype html")) or (
        head.startswith(b"<") and b"<html" in head)


def convert_to_docx(data: bytes, suffix: str) -> bytes:
    """The bytes of ``data`` (a ``suffix`` file) converted to .docx by LibreOffice."""
    soffice = soffice_path()
    if soffice is None:
        raise _needs_libreoffice(suffix)
    with tempfile.TemporaryDirectory(prefix="policybot-office-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"
        source.write_bytes(data)
        out = work / "out"
        # A private profile per run: parallel conversions would otherwise fight over (and
        # lock) the user's profile, and a stale lock makes soffice exit without converting.
        profile = (work / "profile").as_uri()
        command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore",
                   "--convert-to", "docx", "--outdir", str(out), str(source)]
        try:
            result = subprocess.run(
                command, capture_output=True, timeout=CONVERT_TIMEOUT, check=False,
                env={**os.environ, "HOME": tmp}, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired as exc:
            raise UnreadableFile(
                "conversion-failed",
                f"LibreOffice did not convert the {suffix} file within {CONVERT_TIMEOUT} s"
            ) from exc
        except OSError as exc:
            raise UnreadableFile(
                "conversion-failed", f"cannot run LibreOffice: {exc.strerror or exc}") from exc
        converted = out / "input.docx"
        if not converted.is_file():
            detail = (result.stderr or result.stdout).decode("utf-8", "replace").strip()
            raise UnreadableFile(
                "conversion-failed",
                f"LibreOffice could not convert the {suffix} file"
                + (f" ({detail[:200]})" if detail else ""))
        return converted.read_bytes()
