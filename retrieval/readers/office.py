"""Old and other office formats (.doc, .wps, .rtf) via LibreOffice, then the .docx reader.

There is no well-kept, licence-compatible pure-Python reader for .doc/.wps; LibreOffice's
converter is the reliable one, so it is an optional system dependency: without it these
files are reported with what to install, never guessed at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from . import RawDocument
from . import docx as docx_reader
from .errors import UnreadableFile

CONVERT_TIMEOUT = 120  # seconds; a big .doc converts in a few, a hung soffice is killed
FORMATS = {".doc": "doc", ".wps": "wps", ".rtf": "rtf"}


def read(path: Path, data: bytes) -> RawDocument:
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise UnreadableFile("unsupported-format", f"unsupported format: {suffix}")
    converted = convert_to_docx(data, suffix)
    document = docx_reader.read(path, converted)
    return RawDocument(blocks=document.blocks, format=FORMATS[suffix], meta=document.meta,
                       dropped=document.dropped)


def convert_to_docx(data: bytes, suffix: str) -> bytes:
    """The bytes of ``data`` (a ``suffix`` file) converted to .docx by LibreOffice."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UnreadableFile(
            "needs-libreoffice",
            f"needs LibreOffice (soffice) to read {suffix}: install it, "
            "e.g. apt-get install libreoffice-writer")
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
