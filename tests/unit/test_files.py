"""The corpus file API: which files, their names, one read per file (document and hash), and
clear coded reasons for files that fail."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from retrieval import Engine
from retrieval.files import UnreadableFile, decode, display_name, find_files, read_file
from retrieval.readers import BlockKind
from tests.support.make_docs import make_docx

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
    with pytest.raises(UnreadableFile, match=reason) as caught:
        decode(data)
    assert caught.value.code == reason


def test_find_files_by_ending_hidden_skipped_names_prefixed_when_several(tmp_path: Path) -> None:
    one, two = tmp_path / "up", tmp_path / "seeds"
    (one / "sub").mkdir(parents=True)
    two.mkdir()
    for path in (one / "a.TXT", one / "sub" / "b.docx", one / ".c.docx.tmp", one / "d.png",
                 two / "e.html"):
        path.write_bytes(b"x")
    extensions = (".txt", ".docx", ".html")
    assert [n for _, n in find_files((one,), extensions)] == ["a.TXT", "sub/b.docx"]
    both = [n for _, n in find_files((one, two), extensions)]
    assert both == ["up/a.TXT", "up/sub/b.docx", "seeds/e.html"]
    assert display_name(one / "sub" / "b.docx", (one, two)) == "up/sub/b.docx"
    assert display_name(one / "sub" / "b.docx", (one,)) == "sub/b.docx"
    assert display_name(tmp_path / "x.txt", (one, two)) is None


def test_find_files_counts_what_it_leaves_out_by_ending(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "b.OFD", "sub/c.ofd", "d.xls", "README", ".hidden.ofd"):
        (tmp_path / name).write_bytes(b"x")
    left_out: dict[str, int] = {}
    assert [n for _, n in find_files((tmp_path,), (".txt",), left_out)] == ["a.txt"]
    assert left_out == {".ofd": 2, "": 1, ".xls": 1}
    everything: dict[str, int] = {}
    list(find_files((tmp_path,), (".txt", ".ofd", ".xls", ""), everything))
    assert everything == {}


def test_read_file_gives_the_document(tmp_path: Path) -> None:
    data = make_docx([("Title", "关于劳动教育的讲话"), "各校要开齐开足劳动教育课程。"])
    path = tmp_path / "劳动.docx"
    path.write_bytes(data)
    source = read_file(path, "劳动.docx", max_bytes=len(data))
    assert source.name == "劳动.docx"
    assert [(b.kind, b.text) for b in source.document.blocks] == [
        (BlockKind.TITLE, "关于劳动教育的讲话"),
        (BlockKind.PARAGRAPH, "各校要开齐开足劳动教育课程。"),
    ]
    with pytest.raises(UnreadableFile, match="too large") as caught:
        read_file(path, "劳动.docx", max_bytes=len(data) - 1)
    assert caught.value.code == "too-large"
    with pytest.raises(UnreadableFile) as caught:
        read_file(tmp_path / "gone.txt", "gone.txt", max_bytes=100)
    assert caught.value.code == "cannot-read"


def test_engine_skips_bad_files_and_indexes_the_rest(settings_for, tmp_path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    body = "\n".join(["教师队伍建设讲话", TEXT, "要落实县管校聘改革，推动教师合理流动。",
                      "要加强校园安全，落实安保经费。", "要推进义务教育均衡发展。",
                      "要办好学前教育，扩大普惠性幼儿园。", "要提高职业教育质量。"])
    (corpus / "gbk.txt").write_bytes(body.encode("gbk"))
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "image.txt").write_bytes(b"\x00\x01\x02\xff" * 100)
    (corpus / "broken.pdf").write_bytes(b"%PDF-1.4")  # a PDF cut off after its header
    (corpus / "notes.xyz").write_bytes(b"x")  # not a corpus extension: ignored, no report
    engine = Engine.open(settings_for(corpus))
    report = engine.report
    assert report.files == 1 and report.documents == 1
    codes = {s.file: s.code for s in report.skipped}
    assert codes == {"empty.txt": "empty", "image.txt": "binary", "broken.pdf": "damaged-pdf"}
    answer = engine.ask("县管校聘")
    assert answer.answered and "县管校聘" in answer.results[0].text


def test_missing_corpus_directory_is_an_error(settings_for, tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match="corpus directory not found"):
        Engine.open(settings_for(tmp_path / "nowhere"))
