"""Decoding: every encoding users save speeches in, and clear reasons for files that fail."""

from __future__ import annotations

import codecs

import pytest

from retrieval import Engine
from retrieval.files import UnreadableFile, decode

TEXT = "同志们：今天我们召开全县教育工作会议，部署师德师风建设。"


@pytest.mark.parametrize("data, encoding", [
    (TEXT.encode("utf-8"), "utf-8"),
    (codecs.BOM_UTF8 + TEXT.encode("utf-8"), "utf-8-sig"),
    (TEXT.encode("gbk"), "gb18030"),
    (TEXT.encode("gb18030"), "gb18030"),
    (TEXT.encode("utf-16"), "utf-16"),
    (("Speech 1\n" + TEXT).encode("utf-16-le"), "utf-16-le"),
])
def test_decodes_common_encodings(data: bytes, encoding: str) -> None:
    text, found = decode(data)
    assert TEXT in text
    assert found == encoding or found.startswith("utf-16")


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"  \n\r\n\t", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    (bytes([0xFF, 0xFE, 0x00, 0xD8]) + b"\x00" * 3, "undecodable"),
    (bytes(range(1, 32)) * 50, "binary"),
])
def test_rejects_unusable_files_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(UnreadableFile, match=reason):
        decode(data)


def test_engine_skips_bad_files_and_indexes_the_rest(settings_for, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n".join(["教师队伍建设讲话", TEXT, "要落实县管校聘改革，推动教师合理流动。",
                      "要加强校园安全，落实安保经费。", "要推进义务教育均衡发展。",
                      "要办好学前教育，扩大普惠性幼儿园。", "要提高职业教育质量。"])
    (corpus / "gbk.txt").write_bytes(body.encode("gbk"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")  # not a corpus extension: ignored, no report
    engine = Engine.open(settings_for(corpus))
    report = engine.report
    assert report.files == 1 and report.speeches == 1
    reasons = {s.file: s.reason for s in report.skipped}
    assert set(reasons) == {"empty.txt", "image.txt"}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["image.txt"]
    answer = engine.ask("县管校聘")
    assert answer.answered and "县管校聘" in answer.results[0].text


def test_missing_corpus_directory_is_an_error(settings_for, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="corpus directory not found"):
        Engine.open(settings_for(tmp_path / "nowhere"))
