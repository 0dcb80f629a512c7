"""Uploads, the pure parts: untrusted file names, atomic no-overwrite storing, duplicates,
reading checks with coded reasons, and the uploads settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import uploads
from bot.settings import bot_settings
from retrieval import ConfigError, DocumentInfo, SkippedFile, load_config
from retrieval.readers import SUPPORTED_EXTENSIONS
from tests.support.make_docs import make_docx


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd.txt", ("passwd", ".txt")),
        ("..\\x.txt", ("x", ".txt")),
        ("/etc/cron.d/abs.md", ("abs", ".md")),
        ("C:\\Users\\me\\讲话稿.DOCX", ("讲话稿", ".docx")),
        (".hidden.txt", ("hidden", ".txt")),
        ("a\x00b.txt", ("a_b", ".txt")),
        ("evil.txt\x00.exe", ("evil_txt", ".exe")),  # the real ending wins: refused later
        ("....txt", ("upload", ".txt")),
        ("..", ("upload", "")),
        ("", ("upload", "")),
        (None, ("upload", "")),
        ("-rf .txt", ("rf", ".txt")),
        ("2024年 工作报告（终稿）.txt", ("2024年_工作报告_终稿", ".txt")),
        ("ＡＢＣ．ＴＸＴ", ("ABC", ".txt")),  # full-width, folded by NFKC
        ("\u202etxt.exe", ("txt", ".exe")),  # a right-to-left override is not a letter
        ("讲话.t\x01xt", ("讲话", ".txt")),
    ],
)
def test_split_name_keeps_only_a_safe_last_component(
    raw: str | None, expected: tuple[str, str]
) -> None:
    assert uploads.split_name(raw) == expected


def test_long_names_are_cut() -> None:
    stem, extension = uploads.split_name("长" * 300 + ".txt")
    assert len(stem) == uploads.MAX_STEM_CHARS and extension == ".txt"


@given(st.text(max_size=300))
def test_any_name_stays_inside_the_directory(raw: str) -> None:
    name = uploads.safe_file_name(raw)
    assert name and "/" not in name and "\\" not in name and "\x00" not in name
    assert not name.startswith((".", "-", "_"))
    assert ".." not in name
    root = Path("/srv/corpus")
    assert (root / name).resolve().parent == root
    assert all(c.isalnum() or c in "-_." for c in name)


def test_store_never_replaces_and_keeps_one_stem_for_files_stored_together(tmp_path: Path) -> None:
    (tmp_path / "speech.txt").write_bytes(b"old")
    first = uploads.store(tmp_path, "speech", {".txt": b"new"})
    assert first == {".txt": tmp_path / "speech-2.txt"}
    assert (tmp_path / "speech.txt").read_bytes() == b"old"
    assert first[".txt"].read_bytes() == b"new"
    # speech-3.docx is free but speech-3.txt is taken: both move on to speech-4.
    (tmp_path / "speech-3.txt").write_bytes(b"taken")
    (tmp_path / "speech-2.docx").write_bytes(b"taken")
    both = uploads.store(tmp_path, "speech", {".docx": b"D", ".txt": b"T"})
    assert both == {".docx": tmp_path / "speech-4.docx", ".txt": tmp_path / "speech-4.txt"}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp files left


def test_store_creates_the_directory(tmp_path: Path) -> None:
    stored = uploads.store(tmp_path / "a" / "b", "x", {".md": "正文".encode()})
    assert stored[".md"].read_text(encoding="utf-8") == "正文"


def test_find_duplicate_compares_bytes(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"same text")
    (tmp_path / "b.txt").write_bytes(b"same size")
    files = uploads.corpus_files([tmp_path], [".txt"])
    assert uploads.find_duplicate(b"same text", files) == tmp_path / "a.txt"
    assert uploads.find_duplicate(b"other", files) is None


def test_corpus_files_skips_hidden_and_other_endings(tmp_path: Path) -> None:
    for name in ("a.txt", "b.MD", ".hidden.txt", "c.docx", "d.pdf"):
        (tmp_path / name).write_bytes(b"x")
    found = uploads.corpus_files([tmp_path, tmp_path / "missing"], [".txt", ".md"])
    assert [p.name for p in found] == ["a.txt", "b.MD"]


def test_corpus_files_come_from_the_corpus_api(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    for name in ("a.docx", "sub/b.html", ".c.docx.1234.tmp"):
        (tmp_path / name).write_bytes(b"x")
    found = uploads.corpus_files([tmp_path], [".docx", ".html", ".tmp"])
    assert found == [tmp_path / "a.docx", tmp_path / "sub" / "b.html"]


def test_unreadable_uploads_are_caught_before_storing_with_a_code() -> None:
    speech = make_docx(["关于劳动教育的讲话", "各校要开齐劳动课。"])
    assert uploads.unreadable(".docx", speech) is None
    assert uploads.unreadable(".txt", "各校要开齐劳动课。".encode("gbk")) is None
    cases = {
        (".docx", b"this is not a Word file"): "damaged-docx",
        (".txt", b" \r\n\n "): "empty",
        (".txt", bytes(range(256)) * 8): "binary",
        (".md", b"\x80\x81\xfe" * 200): "undecodable",
        (".docx", make_docx(["", ""])): "empty",
    }
    for (extension, data), code in cases.items():
        error = uploads.unreadable(extension, data)
        assert error is not None and error.code == code, (extension, error)


@pytest.mark.parametrize(("code", "chinese"), [
    ("binary", "不是文本文件"),
    ("damaged-docx", "不是有效的 .docx 文件"),
    ("needs-libreoffice", "服务器未安装 LibreOffice"),
    ("no-text", "没有可收录的正文"),
])
def test_reasons_are_said_in_chinese_by_code(code: str, chinese: str) -> None:
    said = uploads.reason_zh("the English reason", code)
    assert said.startswith(chinese) and said.endswith("（the English reason）")


def test_unknown_codes_keep_the_english_reason() -> None:
    assert uploads.reason_zh("something new", "brand-new") == "something new"
    assert uploads.reason_zh("something new", None) == "something new"
    # The English text alone never chooses the wording: a code does.
    assert uploads.reason_zh("binary file (contains NUL bytes)", None) == \
        "binary file (contains NUL bytes)"


def test_index_names_and_reports(tmp_path: Path) -> None:
    one, two = tmp_path / "up", tmp_path / "seeds"
    path = one / "sub" / "x.txt"
    assert uploads.index_name(path, [one]) == "sub/x.txt"
    assert uploads.index_name(path, [one, two]) == "up/sub/x.txt"
    assert uploads.index_name(tmp_path / "elsewhere.txt", [one, two]) is None
    documents = [DocumentInfo("a1", "甲", "up/sub/x.txt", 3), DocumentInfo("b2", "乙", "y.txt", 2)]
    assert [d.title for d in uploads.added_documents(documents, "up/sub/x.txt")] == ["甲"]
    skipped = [SkippedFile("up/sub/x.txt", "no text after cleaning", "no-text")]
    entry = uploads.skipped_entry(skipped, "up/sub/x.txt")
    assert entry is not None and uploads.reason_zh(entry.reason, entry.code).startswith(
        "没有可收录的正文（no text")
    assert uploads.skipped_entry(skipped, "other.txt") is None


def settings_from(tmp_path: Path, text: str):
    (tmp_path / "corpus").mkdir(exist_ok=True)
    file = tmp_path / "bot.yaml"
    corpus = "" if "corpus:" in text else "corpus: {dirs: [corpus]}\n"
    file.write_text(corpus + text, encoding="utf-8")
    return bot_settings(load_config(file, env={}), env={})


def test_upload_dir_defaults_to_the_first_corpus_dir_and_must_stay_inside(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "")
    assert settings.uploads.dir == (tmp_path / "corpus").resolve()
    assert ".docx" in settings.uploads.extensions
    assert set(settings.uploads.extensions) <= set(SUPPORTED_EXTENSIONS)
    inside = settings_from(tmp_path, "uploads: {dir: incoming}")
    assert inside.uploads.dir == (tmp_path / "corpus" / "incoming").resolve()
    for bad in ("uploads: {dir: ../elsewhere}", "uploads: {dir: /tmp}"):
        with pytest.raises(ConfigError, match=r"uploads\.dir"):
            settings_from(tmp_path, bad)


@pytest.mark.parametrize(
    ("text", "setting"),
    [
        ("uploads: {max_mb: 25}", "uploads.max_mb"),
        ("uploads: {max_mb: 0}", "uploads.max_mb"),
        ("uploads: {extensions: [.exe]}", "uploads.extensions"),
        ("uploads: {enabled: sometimes}", "uploads.enabled"),
        ("corpus: {dirs: [corpus], extensions: [.txt]}\nuploads: {extensions: [.md]}",
         "uploads.extensions"),
    ],
)
def test_bad_upload_settings_name_the_setting(tmp_path: Path, text: str, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting.replace(".", r"\.")):
        settings_from(tmp_path, text)
