"""Uploads, the pure parts: untrusted file names, atomic no-overwrite storing, duplicates,
.docx text, and the uploads settings."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import uploads
from bot.settings import bot_settings
from retrieval import ConfigError, SkippedFile, SpeechInfo, load_config


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


def test_store_never_replaces_and_keeps_one_stem_for_docx_and_txt(tmp_path: Path) -> None:
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


def make_docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_text_is_its_paragraphs() -> None:
    data = make_docx(["关于劳动教育的讲话", "", "各校要开齐开足劳动教育课程。"])
    assert uploads.docx_text(data) == "关于劳动教育的讲话\n\n各校要开齐开足劳动教育课程。"


def test_docx_that_is_not_a_docx_is_refused() -> None:
    with pytest.raises(uploads.UploadRefused, match=r"不是有效的 \.docx"):
        uploads.docx_text(b"plain text, not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no Word document inside")
    with pytest.raises(uploads.UploadRefused, match="无法读取"):
        uploads.docx_text(buffer.getvalue())


def test_docx_that_inflates_too_much_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 2_000_000)
    assert len(buffer.getvalue()) < 20_000
    with pytest.raises(uploads.UploadRefused, match="解压后过大"):
        uploads.docx_text(buffer.getvalue(), max_unzipped=1_000_000)


def test_index_names_and_reports(tmp_path: Path) -> None:
    one, two = tmp_path / "up", tmp_path / "seeds"
    path = one / "sub" / "x.txt"
    assert uploads.index_name(path, [one]) == "sub/x.txt"
    assert uploads.index_name(path, [one, two]) == "up/sub/x.txt"
    assert uploads.index_name(tmp_path / "elsewhere.txt", [one, two]) is None
    names = uploads.display_names(path, [one, two])
    assert names == {"sub/x.txt", "up/sub/x.txt"}
    speeches = [SpeechInfo("甲", "up/sub/x.txt", 3, None, None), SpeechInfo("乙", "y.txt", 2,
                                                                            None, None)]
    assert [s.title for s in uploads.added_speeches(speeches, names)] == ["甲"]
    skipped = [SkippedFile("up/sub/x.txt", "binary file (contains NUL bytes)")]
    reason = uploads.skip_reason(skipped, names)
    assert reason is not None and uploads.reason_zh(reason).startswith("不是文本文件（binary")
    assert uploads.skip_reason(skipped, {"other.txt"}) is None
    assert uploads.reason_zh("something new") == "something new"


def settings_from(tmp_path: Path, text: str):
    (tmp_path / "corpus").mkdir(exist_ok=True)
    file = tmp_path / "bot.yaml"
    corpus = "" if "corpus:" in text else "corpus: {dirs: [corpus]}\n"
    file.write_text(corpus + text, encoding="utf-8")
    return bot_settings(load_config(file, env={}), env={})


def test_upload_dir_defaults_to_the_first_corpus_dir_and_must_stay_inside(tmp_path: Path) -> None:
    settings = settings_from(tmp_path, "")
    assert settings.uploads.dir == (tmp_path / "corpus").resolve()
    assert settings.uploads.extensions == (".txt", ".md", ".docx")
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
        ("uploads: {extensions: [.pdf]}", "uploads.extensions"),
        ("uploads: {enabled: sometimes}", "uploads.enabled"),
        ("corpus: {dirs: [corpus], extensions: [.txt]}\nuploads: {extensions: [.md]}",
         "uploads.extensions"),
    ],
)
def test_bad_upload_settings_name_the_setting(tmp_path: Path, text: str, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting.replace(".", r"\.")):
        settings_from(tmp_path, text)
