"""Readers: text in every encoding users save, Word styles and tables, real-shaped government
pages, office formats through LibreOffice, and a coded reason for every unreadable file."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from retrieval.readers import (
    READERS,
    SUPPORTED_EXTENSIONS,
    BlockKind,
    RawDocument,
    UnreadableFile,
    read_document,
)
from retrieval.readers import docx as docx_reader
from retrieval.readers.html import clean_title
from retrieval.readers.text import decode
from tests.support.make_docs import (
    PROVINCE_TABLE,
    central_page,
    county_page,
    make_docx,
    province_page,
)

SPEECH = "同志们：今天我们召开全县教育工作会议，部署师德师风建设。\n\n要落实县管校聘改革。\n"
TRADITIONAL = "同志們：今天我們召開全縣教育工作會議，部署師德師風建設。要落實縣管校聘改革。"


def texts(document: RawDocument, kind: BlockKind | None = None) -> list[str]:
    return [b.text for b in document.blocks if kind is None or b.kind == kind]


# --- text ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "encoding"), [
    (SPEECH.encode("utf-8"), "utf-8"),
    (b"\xef\xbb\xbf" + SPEECH.encode("utf-8"), "utf-8-sig"),
    (SPEECH.encode("gbk"), "gb18030"),
    (SPEECH.encode("utf-16"), "utf-16"),
    (("Speech\n" + SPEECH).encode("utf-16-le"), "utf-16-le"),
])
def test_text_lines_in_common_encodings(data: bytes, encoding: str) -> None:
    document = read_document(Path("讲话.txt"), data)
    assert document.format == "text" and document.encoding == encoding
    lines = texts(document)
    assert lines[-3:] == ["同志们：今天我们召开全县教育工作会议，部署师德师风建设。", "",
                          "要落实县管校聘改革。"]
    assert {b.kind for b in document.blocks} == {BlockKind.LINE}


def test_big5_is_read_not_called_binary() -> None:
    data = TRADITIONAL.encode("big5")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    text, encoding = decode(data)
    assert text == TRADITIONAL and encoding in ("big5", "cp950")
    document = read_document(Path("繁體.md"), data)
    assert texts(document) == [TRADITIONAL]


def test_gbk_stays_gbk_when_big5_is_also_valid() -> None:
    # Bytes valid in both GB18030 and Big5: the tie-break must pick the readable one.
    simplified = "学习贯彻会议精神，扎实推进教育改革发展。"
    data = simplified.encode("gbk")
    data.decode("cp950")  # both decodings succeed
    assert decode(data) == (simplified, "gb18030")


@pytest.mark.parametrize(("data", "code"), [
    (b"", "empty"),
    (b"  \n\r\n\t", "empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4, "binary"),
    (bytes([0xFF, 0xFE, 0x00, 0xD8]) + b"\x00" * 3, "undecodable"),
    (bytes(range(1, 32)) * 50, "binary"),
    (b"\x80\x81\xfe" * 200, "undecodable"),
])
def test_unusable_text_has_a_code(data: bytes, code: str) -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("x.txt"), data)
    assert caught.value.code == code
    assert str(caught.value) == caught.value.message and code.split("-")[0] in str(caught.value)


# --- docx ----------------------------------------------------------------------------------

def test_docx_styles_tables_in_body_order_and_core_properties() -> None:
    data = make_docx(
        [("Title", "关于学校安全工作的讲话"), "同志们：", ("Heading 1", "一、校园安全"),
         "各校要落实安保经费。", ("Heading 2", "（一）食堂管理"), "要落实校长陪餐制度。"],
        table=[["学校", "保安", ""], ["一中", "4人", "配齐"]], table_after=3,
        title="关于学校安全工作的讲话", author="县教育局",
    )
    document = read_document(Path("安全.DOCX"), data)
    assert document.format == "docx"
    assert [(b.kind, b.level, b.text) for b in document.blocks] == [
        (BlockKind.TITLE, None, "关于学校安全工作的讲话"),
        (BlockKind.PARAGRAPH, None, "同志们："),
        (BlockKind.HEADING, 0, "一、校园安全"),
        (BlockKind.PARAGRAPH, None, "各校要落实安保经费。"),
        (BlockKind.PARAGRAPH, None, "学校　保安"),  # the empty cell is skipped
        (BlockKind.PARAGRAPH, None, "一中　4人　配齐"),
        (BlockKind.HEADING, 1, "（一）食堂管理"),
        (BlockKind.PARAGRAPH, None, "要落实校长陪餐制度。"),
    ]
    assert document.meta == {"title": "关于学校安全工作的讲话", "author": "县教育局"}


def test_docx_merged_cells_once_and_placeholder_properties_ignored() -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(0, 2)).text = "全县学校基本情况"
    table.cell(1, 0).text, table.cell(1, 1).text, table.cell(1, 2).text = "小学", "12所", "在校生"
    document.core_properties.title = "Document"
    document.core_properties.author = "python-docx"
    buffer = io.BytesIO()
    document.save(buffer)
    read = read_document(Path("表.docx"), buffer.getvalue())
    assert texts(read) == ["全县学校基本情况", "小学　12所　在校生"]
    assert read.meta == {}
    for title in ("讲话稿.docx", "文档1", "Microsoft Word"):
        assert not docx_reader._looks_stated(title)


def test_broken_docx_and_zip_bomb_have_codes() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("a.docx"), b"plain text, not a zip")
    assert caught.value.code == "damaged-docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "a zip, but no Word document inside")
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("b.docx"), buffer.getvalue())
    assert caught.value.code == "damaged-docx"
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"\0" * 2_000_000)
    assert len(bomb.getvalue()) < 20_000
    with pytest.raises(UnreadableFile) as caught:
        docx_reader.read(Path("c.docx"), bomb.getvalue(), max_unzipped=1_000_000)
    assert caught.value.code == "too-large" and "zip bomb" in str(caught.value)


# --- html ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("page", "encoding", "meta"), [
    (central_page(), "utf-8",
     {"title": "教育部关于加强新时代中小学教师队伍建设的意见", "date": "2018-01-31",
      "url": "https://www.gov.cn/xinwen/2018-01/31/content_5262659.htm", "issuer": "教育部网站"}),
    (province_page(), "gbk",
     {"title": "在全省教育工作会议上的讲话", "date": "2023-03-02",
      "url": "http://www.example.gov.cn/art/2023/3/2/art_1_100.html", "issuer": "省教育厅"}),
    (county_page(), "utf-8",
     {"title": "县长在全县校园安全工作会议上的讲话", "date": "2016-09-05", "issuer": "县教育局"}),
], ids=["gov.cn", "province-gb2312", "county-br-lines"])
def test_government_page_keeps_the_article_only(page, encoding: str, meta: dict) -> None:
    document = read_document(Path("page.html"), page.html.encode(encoding))
    assert document.format == "html" and dict(document.meta) == meta
    kept = texts(document)
    assert texts(document, BlockKind.TITLE) == [page.title] and kept[0] == page.title
    # Every character of the body lands in a block, in order; nothing else does.
    rows = {"　".join(r) for r in PROVINCE_TABLE}
    extra = set(page.headings) - set(page.body)
    assert [t for t in kept[1:] if t not in rows and t not in extra] == list(page.body)
    headings = texts(document, BlockKind.HEADING)
    assert headings == list(page.headings)
    for noise in page.boilerplate:
        assert not any(noise in t for t in kept), noise
    dropped = " ".join(d.text for d in document.dropped)
    for noise in page.boilerplate:
        assert noise in dropped, noise
    rules = {d.rule for d in document.dropped}
    assert {"html-nav", "html-breadcrumb", "html-share", "html-footer"} <= rules


def test_html_table_rows_and_heading_levels() -> None:
    page = province_page()
    document = read_document(Path("p.htm"), page.html.encode("gbk"))
    rows = ["　".join(r) for r in PROVINCE_TABLE]
    kept = texts(document)
    at = kept.index(rows[0])
    assert kept[at:at + 3] == rows and kept[at - 1] == page.body[3]
    heading = next(b for b in document.blocks if b.kind == BlockKind.HEADING)
    assert heading.level == 1  # an h3: one below the h2 level


@pytest.mark.parametrize(("raw", "clean"), [
    ("关于做好2024年教育工作的通知_滚动新闻_中国政府网", "关于做好2024年教育工作的通知"),
    ("在全省教育工作会议上的讲话 - 某某省人民政府", "在全省教育工作会议上的讲话"),
    ("县长讲话|某某县教育网", "县长讲话"),
    ("坚持教育优先发展——在全国教育大会上的讲话", "坚持教育优先发展——在全国教育大会上的讲话"),
    ("办好人民满意的教育", "办好人民满意的教育"),
])
def test_page_titles_lose_their_site_suffix(raw: str, clean: str) -> None:
    assert clean_title(raw) == clean


def test_html_site_name_h1_is_no_title_the_cleaned_page_title_is() -> None:
    html = """<html><head><meta charset="utf-8"><title>关于加强劳动教育的讲话_某某市教育局</title>
    <meta name="DC.Date" content="2021/9/1"></head><body>
    <div class="header"><h1>某某市教育局</h1></div>
    <div class="nav"><a href="/">首页</a><a href="/x">通知公告</a><a href="/y">政策文件</a></div>
    <div class="text"><p>各校要把劳动教育纳入人才培养全过程，每周安排不少于一课时的劳动教育课程，
    组织学生参加家务劳动、校园劳动和社会实践，让学生出力流汗，接受锻炼、磨炼意志。</p>
    <p>要建立劳动教育评价制度，把劳动素养纳入学生综合素质评价，作为评优评先的重要参考。</p></div>
    </body></html>"""
    document = read_document(Path("x.html"), html.encode("utf-8"))
    assert document.meta == {"title": "关于加强劳动教育的讲话", "date": "2021-09-01"}
    assert not texts(document, BlockKind.TITLE)
    # A line break between two Chinese characters is not a space.
    assert "每周安排不少于一课时的劳动教育课程，组织学生" in texts(document)[0]
    assert [(d.rule, d.text) for d in document.dropped] == [
        ("html-outside", "某某市教育局"), ("html-nav", "首页通知公告政策文件")]


def test_html_without_text_has_a_code() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("x.html"), b"<html><body><script>var a = 1;</script></body></html>")
    assert caught.value.code == "no-text"


# --- office formats ------------------------------------------------------------------------

RTF = (r"{\rtf1\ansi\ansicpg936\deff0{\fonttbl{\f0\fnil\fcharset134 SimSun;}}"
       "\n" r"{\pard \u20851?\u20110?\u25945?\u24072?\u30340?\u35762?\u35805?\par}"
       "\n" r"{\pard Teachers first. \u21508?\u26657?\u35201?\u33853?\u23454?\u12290?\par}"
       "\n}\n")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_rtf_is_read_through_libreoffice() -> None:
    document = read_document(Path("讲话.rtf"), RTF.encode("ascii"))
    assert document.format == "rtf"
    assert texts(document) == ["关于教师的讲话", "Teachers first. 各校要落实。"]


def test_without_libreoffice_the_reason_says_what_to_install(tmp_path: Path) -> None:
    # A child process with a PATH lacking soffice: the real lookup, not a patched one.
    script = ("from pathlib import Path\n"
              "from retrieval.readers import read_document, UnreadableFile\n"
              "try:\n    read_document(Path('a.rtf'), b'{\\\\rtf1 doc}')\n"
              "except UnreadableFile as e:\n    print(e.code, '|', e)\n")
    env = {**os.environ, "PATH": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         env=env, cwd=Path(__file__).parents[2], check=True).stdout
    assert out.startswith("needs-libreoffice | needs LibreOffice (soffice) to read .rtf")
    assert "apt-get install libreoffice-writer" in out


def test_broken_ofd_and_unknown_formats() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("公文.ofd"), b"PK\x03\x04 not really")
    assert caught.value.code == "cannot-read" and "not an OFD package" in str(caught.value)
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("image.png"), b"\x89PNG")
    assert caught.value.code == "unsupported-format"


# --- dispatch ------------------------------------------------------------------------------

def test_supported_extensions_are_the_readable_suffixes() -> None:
    assert tuple(sorted(SUPPORTED_EXTENSIONS)) == SUPPORTED_EXTENSIONS
    assert {".txt", ".md", ".docx", ".html", ".htm", ".doc", ".wps", ".rtf"} <= set(
        SUPPORTED_EXTENSIONS)
    assert ".ofd" in SUPPORTED_EXTENSIONS
    assert set(SUPPORTED_EXTENSIONS) <= set(READERS)


def test_a_library_error_becomes_a_coded_reason() -> None:
    # A .docx whose document part is not XML: python-docx raises lxml's error, never escapes.
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(make_docx(["正文"])))
    with zipfile.ZipFile(buffer, "w") as archive:
        for info in source.infolist():
            data = source.read(info.filename)
            archive.writestr(info, b"<w:document" if info.filename == "word/document.xml"
                             else data)
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("broken.docx"), buffer.getvalue())
    assert caught.value.code == "damaged-docx"
