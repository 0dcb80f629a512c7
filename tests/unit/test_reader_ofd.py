"""The OFD reader on real OFD files (an official letter, ofdrw's test files): glyph positions
rebuilt into lines and paragraphs in reading order, template text reported as dropped, broken
and text-less packages refused with a code."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from retrieval.readers import BlockKind, RawDocument
from retrieval.readers.errors import UnreadableFile
from retrieval.readers.ofd import _clusters, _deltas, read

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
LETTER = REAL / "o02_bengbu_culvert_construction_letter_2023.ofd"


def _read(path: Path) -> RawDocument:
    return read(path, path.read_bytes())


def _rezip(source: Path, change: dict[str, bytes | None]) -> bytes:
    """The package with some parts replaced (bytes) or removed (None)."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                if change[info.filename] is not None:
                    dst.writestr(info.filename, change[info.filename])
            else:
                dst.writestr(info, src.read(info))
        for name, data in change.items():
            if data is not None and name not in src.namelist():
                dst.writestr(name, data)
    return out.getvalue()


def test_letter_reads_in_reading_order_as_paragraphs() -> None:
    doc = _read(LETTER)
    texts = [block.text for block in doc.blocks]
    assert doc.format == "ofd"
    assert doc.blocks[0].kind is BlockKind.TITLE
    assert texts[0] == "关于加快南货场铁路涵洞下穿建设的函"
    assert texts[1] == "蚌山区政府："
    # The body is one paragraph: six wrapped lines re-joined, a sentence across a line break
    # (…审查 / 会2023年…) intact.
    body = texts[2]
    assert body.startswith("根据我市2023年房地产用地供应计划，")
    assert "长主持召开市自然资源和规划委员会审查会2023年第7次会议要求" in body
    assert body.endswith("并加快工程施工建设。")
    assert texts[3:] == ["此函。", "2023年7月12日"]
    assert all(block.page == 1 for block in doc.blocks)


def test_letter_digits_in_separate_text_objects_are_joined() -> None:
    # 202 and 3, 7 and 月 are separate TextObjects in a different font.
    blocks = [block.text for block in _read(LETTER).blocks]
    assert any("按照7月7日张铭副市长" in text for text in blocks)
    assert "2023年7月12日" in blocks


def test_letter_has_every_reference_character_in_order() -> None:
    """The same characters as the reference extraction (pdftotext-like), in the same order."""
    reference = (
        "关于加快南货场铁路涵洞下穿建设的函蚌山区政府：根据我市2023年房地产用地供应计划，蚌山区东海"
        "大道北侧、解放路西侧居住地块计划于7月份出让，按照7月7日张铭副市长主持召开市自然资源和规划"
        "委员会审查会2023年第7次会议要求，你区需尽快落实南货场铁路涵洞下穿建设方案，建设方案与本宗地"
        "出让方案一并公告、同步建设、同期交付。为确保该宗地按计划完成供应，请你区政府尽快落实南货场铁"
        "路涵洞下穿建设方案，并加快工程施工建设。此函。2023年7月12日"
    )
    assert "".join("".join(block.text.split()) for block in _read(LETTER).blocks) == reference


def test_letter_docinfo_keeps_the_date_not_placeholders() -> None:
    meta = _read(LETTER).meta
    assert meta["date"] == "2023-07-12"  # written 2023-7-12
    assert "author" not in meta  # "dddddd"
    assert "title" not in meta  # "蚌埠市国土资源局": an agency's name, not the letter's title


def test_docinfo_title_and_author_when_meaningful() -> None:
    meta = _read(REAL / "ofdrw_z.ofd").meta
    assert meta["title"] == "11.4 字型变换"
    assert meta["author"] == "朱文荣"
    assert meta["date"] == "2012-06-05"


def test_ligature_by_cgtransform_keeps_the_positions_after_it() -> None:
    """z.ofd draws the same sentence twice, the second time with fi as one glyph: DeltaX counts
    glyphs, so both must come out the same."""
    texts = [block.text for block in _read(REAL / "ofdrw_z.ofd").blocks]
    sentences = [text for text in texts if "affixed" in text]
    assert len(sentences) == 2
    assert sentences[0] == sentences[1]
    assert "CodePosition xs:int TextCode中字符编码的起始位置" in texts[1]


def test_glyph_steps_count_glyphs_not_characters() -> None:
    """The two sentences' glyphs: the XML's line break before the text takes no step, and
    after the fi ligature (two characters, one glyph, one DeltaX) both end at the same x."""
    with zipfile.ZipFile(REAL / "ofdrw_z.ofd") as package:
        page = etree.fromstring(package.read("Doc_0/Pages/Page_1/Content.xml"))
    plain, ligatures = (page.find(f".//{{*}}TextObject[@ID='{id_}']") for id_ in ("11056", "11077"))
    first, second = _clusters(plain, 14.82), _clusters(ligatures, 14.82)
    assert "".join(c.text for c in first) == "".join(c.text for c in second) == (
        "Heaffixedhisfinesign.")
    assert (first[0].text, first[0].x, first[0].advance) == ("H", 0.0, 10.75)
    assert [c.text for c in second][4] == "fi"
    assert second[-1].x == pytest.approx(first[-1].x)
    assert second[-1].x == pytest.approx(sum(_deltas(plain[-1].get("DeltaX"))))


def test_text_objects_in_any_order_read_the_same() -> None:
    """Producers write a page's text objects in any order: reading order is from positions."""
    name = "Doc_0/Pages/Page_0/Content.xml"
    with zipfile.ZipFile(LETTER) as package:
        page = etree.fromstring(package.read(name))
    layer = page.find(".//{*}Layer")
    objects = layer.findall("{*}TextObject")
    for item in objects:
        layer.remove(item)
    layer.extend(reversed(objects))
    shuffled = read(LETTER, _rezip(LETTER, {name: etree.tostring(page)}))
    assert [b.text for b in shuffled.blocks] == [b.text for b in _read(LETTER).blocks]


def test_template_text_is_reported_dropped_not_in_the_body() -> None:
    doc = _read(REAL / "ofdrw_testPathClip.ofd")
    body = "\n".join(block.text for block in doc.blocks)
    template = [item.text for item in doc.dropped if item.rule == "ofd-template"]
    assert "采矿许可证" in template  # the licence form's printed heading
    assert "采矿许可证" not in body
    assert not any("采矿权人" in text for text in body.splitlines())
    # What was filled in on the page itself is the content.
    assert "云南省昆明市南亚第壹城星河苑5幢2单元2802室" in body


def test_text_only_in_a_template_is_the_body() -> None:
    """A producer that draws the whole page as a template page: its text is the document."""
    with zipfile.ZipFile(LETTER) as package:
        document = package.read("Doc_0/Document.xml").decode()
        content = package.read("Doc_0/Pages/Page_0/Content.xml").decode()
    document = document.replace(
        "<ofd:CommonData>",
        '<ofd:CommonData><ofd:TemplatePage ID="900" BaseLoc="Tpls/Tpl_0/Content.xml"/>')
    empty = content[: content.index("<ofd:Content>")] + (
        '<ofd:Template TemplateID="900"/><ofd:Content/></ofd:Page>')
    data = _rezip(LETTER, {"Doc_0/Document.xml": document.encode(),
                           "Doc_0/Pages/Page_0/Content.xml": empty.encode(),
                           "Doc_0/Tpls/Tpl_0/Content.xml": content.encode()})
    doc = read(LETTER, data)
    assert [b.text for b in doc.blocks] == [b.text for b in _read(LETTER).blocks]
    assert doc.dropped == ()


def test_docinfo_software_and_default_accounts_are_not_authors() -> None:
    with zipfile.ZipFile(LETTER) as package:
        ofd_xml = package.read("OFD.xml").decode()
    for author in ("Administrator", "WPS Office", "Suwell OFD convertor", "user01"):
        changed = ofd_xml.replace("<ofd:Author>dddddd</ofd:Author>",
                                  f"<ofd:Author>{author}</ofd:Author>")
        assert "author" not in read(LETTER, _rezip(LETTER, {"OFD.xml": changed.encode()})).meta
    changed = ofd_xml.replace("<ofd:Author>dddddd</ofd:Author>", "<ofd:Author>张铭</ofd:Author>")
    assert read(LETTER, _rezip(LETTER, {"OFD.xml": changed.encode()})).meta["author"] == "张铭"


def test_signed_document_reads_only_its_content() -> None:
    doc = _read(REAL / "ofdrw_SESV4SignDoc.ofd")
    assert [block.text for block in doc.blocks] == ["你好呀，OFD Reader&Writer！"]
    assert doc.dropped == ()


def test_document_without_text_is_refused_as_a_scan() -> None:
    with pytest.raises(UnreadableFile) as caught:
        _read(REAL / "ofdrw_V4RideRight.ofd")
    assert caught.value.code == "no-text-layer"


def test_text_in_a_fonts_private_codes_is_refused_as_garbled() -> None:
    """Some producers write glyph codes as private-use characters (ofdrw's ano.ofd): the
    letter with its ideographs moved into the private-use area is no text to search."""
    name = "Doc_0/Pages/Page_0/Content.xml"
    with zipfile.ZipFile(LETTER) as package:
        content = package.read(name).decode()
    coded = "".join(chr(0xE000 + ord(c) % 0x1000) if "\u4e00" <= c <= "\u9fff" else c
                    for c in content)
    with pytest.raises(UnreadableFile) as caught:
        read(LETTER, _rezip(LETTER, {name: coded.encode()}))
    assert caught.value.code == "garbled-text-layer"


def test_broken_zip_is_unreadable() -> None:
    data = LETTER.read_bytes()
    with pytest.raises(UnreadableFile) as caught:
        read(LETTER, data[: len(data) // 2])
    assert caught.value.code == "cannot-read"
    with pytest.raises(UnreadableFile) as caught:
        read(LETTER, b"<ofd:OFD>not a zip</ofd:OFD>")
    assert caught.value.code == "cannot-read"


def test_missing_page_names_what_is_missing() -> None:
    data = _rezip(LETTER, {"Doc_0/Pages/Page_0/Content.xml": None})
    with pytest.raises(UnreadableFile) as caught:
        read(LETTER, data)
    assert caught.value.code == "cannot-read"
    assert "Doc_0/Pages/Page_0/Content.xml" in caught.value.message


def test_two_documents_and_an_absolute_docroot() -> None:
    """DocBody is a list; the second here names its DocRoot from the package root."""
    with zipfile.ZipFile(LETTER) as package:
        ofd_xml = package.read("OFD.xml").decode()
    start = ofd_xml.index("<ofd:DocBody>")
    end = ofd_xml.index("</ofd:DocBody>") + len("</ofd:DocBody>")
    second = ofd_xml[start:end].replace("<ofd:DocRoot>Doc_0/", "<ofd:DocRoot>/Doc_0/")
    doubled = ofd_xml[:end] + second + ofd_xml[end:]
    doc = read(LETTER, _rezip(LETTER, {"OFD.xml": doubled.encode()}))
    closings = [block for block in doc.blocks if block.text == "此函。"]
    assert [block.page for block in closings] == [1, 2]


def test_encrypted_package_is_refused() -> None:
    data = _rezip(LETTER, {"Encryptions.xml": b"<Encryptions/>"})
    with pytest.raises(UnreadableFile) as caught:
        read(LETTER, data)
    assert caught.value.code == "encrypted"


def test_delta_repetition_syntax() -> None:
    assert _deltas("g 3 2.5 1") == [2.5, 2.5, 2.5, 1.0]
    assert _deltas("5.6301 5.6726 g 2 5.6301") == [5.6301, 5.6726, 5.6301, 5.6301]
    assert _deltas("") == []
