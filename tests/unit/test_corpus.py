"""One bad file never stops an index: a reader or a cutting rule that raises on one file skips
that file, with the reason and the traceback in the log, and every other file is indexed."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from retrieval import Engine, documents
from retrieval.readers import docx as docx_reader

GOOD = "关于做好课后服务工作的通知\n各学校要办好课后服务，满足学生多样化需求。\n"


def test_a_reader_that_raises_skips_only_its_file(settings_for, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    (corpus / "bad.docx").write_bytes(b"PK\x03\x04 whatever")

    def broken(path: Path, data: bytes):
        raise ValueError("substring not found")
    monkeypatch.setattr(docx_reader, "read", broken)
    with caplog.at_level(logging.DEBUG):
        engine = Engine.open(settings_for(corpus))
    assert [d.file for d in engine.documents()] == ["good.txt"]
    (skipped,) = engine.report.skipped
    assert skipped.file == "bad.docx" and skipped.code in {"cannot-read", "internal-error"}
    assert "ValueError" in skipped.reason
    assert engine.ask("课后服务").answered


def test_a_cutting_rule_that_raises_is_an_internal_error_of_that_file(
        settings_for, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a-good.txt").write_text(GOOD, "utf-8")
    (corpus / "b-odd.txt").write_text("二〇年代的通知\n要抓好二〇年代的工作。\n", "utf-8")
    split = documents.split_documents

    def fragile(raw, file, *args, **kwargs):
        if file == "b-odd.txt":
            raise ValueError("substring not found")
        return split(raw, file, *args, **kwargs)
    monkeypatch.setattr("retrieval.corpus.split_documents", fragile)
    with caplog.at_level(logging.ERROR, logger="retrieval.corpus"):
        engine = Engine.open(settings_for(corpus))
    assert [d.file for d in engine.documents()] == ["a-good.txt"]
    (skipped,) = engine.report.skipped
    assert (skipped.file, skipped.code, skipped.reason) == (
        "b-odd.txt", "internal-error", "internal-error: ValueError")
    logged = [r for r in caplog.records if "b-odd.txt" in r.getMessage()]
    assert logged and logged[0].exc_info is not None  # the traceback is in the log
