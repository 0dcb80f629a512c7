"""The Word 97-2003 (.doc/.wps) reader on real files written by Word and by WPS: the text as
antiword reads it (and where antiword refuses WPS re-saves, still whole), field codes
reported not kept, footnotes kept, headers reported, and office.py using it without
LibreOffice. Piece-table and table-row handling are also checked on small built streams,
since none of the real files has pieces out of file order or a table."""

from __future__ import annotations

import re
import shutil
import struct
from collections import Counter
from pathlib import Path

import olefile
import pytest

from retrieval.readers import BlockKind, Dropped, office, read_document
from retrieval.readers import doc as doc_reader
from retrieval.readers.errors import UnreadableFile
from tests.support.make_docs import make_docx

REAL = Path(__file__).resolve().parents[1] / "data" / "real"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "formats"
W02 = REAL / "w02_shanghai_insurance_intermediary_compliance_measures_2021.doc"
W03 = REAL / "w03_shanghai_agri_insurance_eslip_pilot_notice_2018.doc"
W04 = REAL / "w04_jiangsu_cross_region_loan_risk_notice_2005.doc"
W05 = REAL / "w05_zhejiang_green_credit_guidance_2012.doc"
W08 = REAL / "w08_zhoushan_bank_statistics_assessment_measures.doc"
W09 = REAL / "w09_jiangsu_env_credit_green_finance_opinion_2020_92.doc"
W10 = REAL / "w10_zhejiang_individual_business_finance_notice_2021_64.doc"
MIN_FIDELITY = 0.99  # character recall and precision against antiword, whitespace removed


def _read(path: Path):
    return doc_reader.read(path, path.read_bytes())


def _text(document) -> str:
    return "\n".join(b.text for b in document.blocks)


def _squash(text: str) -> str:
    """Without whitespace and antiword's own marks ([pic], footnote numbers, separators)."""
    text = re.sub(r"\[pic\]|\[\d+\]|-{5,}", "", text)
    return re.sub(r"\s+", "", text)


def fidelity(ours: str, reference: str) -> tuple[float, float]:
    """Character recall and precision of ``ours`` against ``reference`` (as multisets)."""
    got, want = Counter(_squash(ours)), Counter(_squash(reference))
    common = sum((got & want).values())
    return common / max(sum(want.values()), 1), common / max(sum(got.values()), 1)


@pytest.mark.parametrize("path", [W02, W05, W08, W10], ids=lambda p: p.name[:3])
def test_text_matches_antiword_where_antiword_reads_the_file(path: Path) -> None:
    reference = Path(f"{path}.antiword.txt").read_text(encoding="utf-8")
    recall, precision = fidelity(_text(_read(path)), reference)
    assert recall >= MIN_FIDELITY and precision >= MIN_FIDELITY, (recall, precision)


def _shared_pairs() -> list[tuple[Path, Path]]:
    corpus = SHARED / "corpus"
    return [(doc, SHARED / "reference" / f"{doc.name}.antiword.txt")
            for doc in sorted(corpus.glob("w*.doc"))
            if (SHARED / "reference" / f"{doc.name}.antiword.txt").is_file()]


@pytest.mark.skipif(not _shared_pairs(), reason="the shared formats corpus is not here")
def test_every_shared_doc_matches_antiword() -> None:
    """All of the shared corpus (also the large w06), where it is beside the checkout."""
    pairs = _shared_pairs()
    for path, reference in pairs:
        recall, precision = fidelity(_text(_read(path)), reference.read_text(encoding="utf-8"))
        assert recall >= MIN_FIDELITY and precision >= MIN_FIDELITY, (path.name, recall)
    assert len(pairs) >= 7


@pytest.mark.parametrize(("path", "sentence"), [
    (W03, "农业保险电子保单内容和格式与纸质保单保持一致，具有同等法律效力。"),
    (W04, "今年以来，江苏省银行机构暴露了多起异地贷款（口径为跨省辖市外，下同）风险，"
          "有的形成较大损失，应引起高度重视。"),
    (W09, "为进一步加强环保信用建设，有效提升绿色金融服务质效，切实加大对绿色、低碳、"
          "循环经济的支持，服务全省生态环境高质量发展，"),
], ids=["w03", "w04", "w09"])
def test_wps_resaved_files_that_antiword_refuses_read_whole(path: Path, sentence: str) -> None:
    document = _read(path)
    assert any(sentence in b.text for b in document.blocks)
    assert "\ufffd" not in _text(document)
    assert document.format == "doc"


@pytest.mark.parametrize("path", [W05, W10], ids=["w05", "w10"])
def test_field_codes_are_reported_not_kept(path: Path) -> None:
    document = _read(path)
    text = _text(document)
    assert "MERGEFIELD" not in text and "PAGE" not in text
    assert Dropped("MERGEFIELD title", "field-code") in document.dropped
    assert Dropped("MERGEFIELD outgoingNo", "field-code") in document.dropped


def test_field_results_are_kept() -> None:
    blocks = [b.text for b in _read(W10).blocks if b.text]
    assert blocks[0] == ("中国银保监会浙江监管局 浙江省财政厅 浙江省地方金融监管局 "
                         "国家税务总局浙江省税务局关于进一步加强个体工商户金融服务的通知")
    assert blocks[1] == "浙银保监发〔2021〕64号"


def test_fast_saved_file_reads_in_order() -> None:
    """w10 (fast-saved): every paragraph antiword shows comes out, in antiword's order."""
    ours = [_squash(b.text) for b in _read(W10).blocks if b.text.strip()]
    reference = Path(f"{W10}.antiword.txt").read_text(encoding="utf-8")
    lines = [_squash(line) for line in reference.splitlines() if len(_squash(line)) >= 8]
    at = 0
    for line in lines:  # each found at or after where the one before it was
        at = next((i for i in range(at, len(ours)) if line in ours[i]), -1)
        assert at >= 0, line
    assert len(lines) > 30


def test_several_pieces_join_in_order() -> None:
    """w02's text lies in four pieces, one far from the others in the file."""
    _word, table, fib = _streams(W02)
    assert len(doc_reader._pieces(table, *fib.fc_lcb[doc_reader.FC_CLX])) >= 4
    text = _text(_read(W02))
    assert "第一章  总则" in text
    assert text.index("第一条（目的与依据）") < text.index("第五条（合规、合规风险定义）")


def test_footnotes_are_later_blocks_and_headers_are_reported() -> None:
    document = _read(W08)
    texts = [b.text for b in document.blocks]
    note = next(i for i, t in enumerate(texts) if t.startswith("村镇银行不考核客户风险系统"))
    assert note > next(i for i, t in enumerate(texts) if t.startswith("（二）辖内新增设立"))
    headers = [d for d in _read(W05).dropped if d.rule == "doc-header-footer"]
    assert headers and all("浙江银监局" not in d.text for d in headers)
    assert "- 8 -" not in _text(_read(W05))


W08_NOTES = ["其他统计监测分析：该项目含非系统报送的各类统计报表及临时性调研分析等。",
             "即如果同类机构总数为7家，取第1名机构。"]


def test_footnote_text_is_kept_in_blocks_none_empty() -> None:
    """w08's footnote story (CPs from ccpText on) comes out as its notes' text, after the
    body, with no empty block for the story's blank closing paragraph."""
    document = _read(W08)
    texts = [b.text for b in document.blocks]
    for sentence in W08_NOTES:
        assert sentence in texts, sentence
    body_end = next(i for i, t in enumerate(texts) if t.startswith("（二）辖内新增设立"))
    notes = texts[next(i for i, t in enumerate(texts) if t == W08_NOTES[0]):]
    assert body_end < texts.index(W08_NOTES[0])
    assert len(notes) == 5 and all(t.strip() for t in notes)
    assert not [d for d in document.dropped if "村镇银行" in d.text]


@pytest.mark.skipif(office.soffice_path() is None, reason="LibreOffice not installed")
def test_footnote_text_is_kept_through_libreoffice() -> None:
    texts = [b.text for b in read_document(W08, W08.read_bytes()).blocks]
    assert all(sentence in texts for sentence in W08_NOTES)


def test_heading_from_a_built_in_heading_style() -> None:
    """w04 styles its document number "标题 3" (built-in heading 3): a level-2 heading."""
    headings = [b for b in _read(W04).blocks if b.kind is BlockKind.HEADING]
    assert [(b.text, b.level) for b in headings] == [("苏银监办〔2005〕235号", 2)]


def test_document_properties_only_when_stated() -> None:
    assert _read(W02).meta == {"author": "张则鸣", "date": "2021-02-09"}
    assert "author" not in _read(W08).meta  # "Administrator"
    assert "title" not in _read(W10).meta  # "附件000001", an OA system's serial
    assert _read(W03).meta.get("author") == "莘莘学子"  # UTF-16 property set (WPS)


def _streams(path: Path):
    with olefile.OleFileIO(str(path)) as ole:
        word = ole.openstream("WordDocument").read()
        fib = doc_reader._fib(word)
        name = "1Table" if fib.flags & doc_reader.F_WHICH_TABLE else "0Table"
        return word, ole.openstream(name).read(), fib


def test_encrypted_file_is_refused(tmp_path: Path) -> None:
    copy = tmp_path / "locked.doc"
    shutil.copy(W03, copy)
    with olefile.OleFileIO(str(copy), write_mode=True) as ole:
        word = bytearray(ole.openstream("WordDocument").read())
        struct.pack_into("<H", word, 0x0A, struct.unpack_from("<H", word, 0x0A)[0] | 0x0100)
        ole.write_stream("WordDocument", bytes(word))
    with pytest.raises(UnreadableFile) as caught:
        doc_reader.read(copy, copy.read_bytes())
    assert caught.value.code == "encrypted"


@pytest.mark.parametrize("suffix", [".doc", ".wps"])
def test_compound_file_without_word_stream_is_refused(tmp_path: Path, suffix: str) -> None:
    name = "WordDocument".encode("utf-16-le")
    data = W03.read_bytes().replace(name, "WordDocumenX".encode("utf-16-le"))
    with pytest.raises(UnreadableFile) as caught:
        read_document(tmp_path / f"sheet{suffix}", data)
    assert caught.value.code == "cannot-read"
    assert "WordDocument" in str(caught.value)


@pytest.mark.parametrize("data", [b"not a word file " * 200, b""], ids=["junk", "empty"])
def test_not_a_compound_file_is_refused(data: bytes, monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(UnreadableFile):
        read_document(Path("x.doc"), data)


def test_truncated_file_is_refused() -> None:
    data = W03.read_bytes()
    for cut in (len(data) // 2, 3000):
        with pytest.raises(UnreadableFile) as caught:
            read_document(W03, data[:cut])
        assert caught.value.code == "cannot-read"


def test_office_reads_doc_and_wps_without_libreoffice(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    data = W03.read_bytes()
    as_doc = read_document(Path("notice.doc"), data)
    as_wps = read_document(Path("notice.wps"), data)
    assert as_doc.format == "doc" and as_wps.format == "wps"
    assert as_doc.blocks == as_wps.blocks == _read(W03).blocks


def test_office_falls_back_when_libreoffice_fails(monkeypatch, tmp_path: Path) -> None:
    """A soffice on PATH that cannot run: the Python reader still reads the file."""
    monkeypatch.setattr(shutil, "which", lambda _name: str(tmp_path / "missing" / "soffice"))
    document = office.read(W10, W10.read_bytes())
    assert document.format == "doc"
    assert document.blocks == _read(W10).blocks


def test_rtf_still_needs_libreoffice(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("x.rtf"), b"{\\rtf1\\ansi hello}")
    assert caught.value.code == "needs-libreoffice"


def test_web_page_and_rtf_named_doc_are_told_by_their_bytes(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    page = ("<html><head><title>关于开展安全检查的通知</title></head><body><div><p>"
            "各单位要认真开展安全生产大检查，全面排查各类隐患，确保人民群众生命财产安全。"
            "</p></div></body></html>").encode()
    document = read_document(Path("notice.doc"), page)
    assert document.format == "html" and document.meta["title"] == "关于开展安全检查的通知"
    with pytest.raises(UnreadableFile) as caught:
        read_document(Path("notice.doc"), b"{\\rtf1\\ansi hello}")
    assert caught.value.code == "needs-libreoffice" and "RTF" in str(caught.value)


def test_docx_named_doc_goes_to_the_docx_reader(monkeypatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    data = make_docx([("Title", "关于开展安全检查的通知"), "各单位要认真开展安全检查。"])
    document = read_document(Path("notice.doc"), data)
    assert document.format == "doc"
    assert document.blocks[0].kind is BlockKind.TITLE


# Built streams: a piece table whose pieces lie out of file order, 8-bit and UTF-16 pieces,
# nested fields, and table rows told by PAPX (row-end marks) or, without PAPX, by "\x07\x07".

def _built(pieces: list[tuple[str, bool, int]], *, papx: bytes = b"", chpx: bytes = b"",
           pages: dict[int, bytes] | None = None) -> doc_reader._Reader:
    """A reader over ``pieces`` (text, 8-bit?, offset in the WordDocument stream) in CP order,
    with PlcBtePapx/PlcBteChpx ``papx``/``chpx`` and FKP ``pages`` by page number."""
    word = bytearray(8192)
    cps, pcds = [0], b""
    for text, compressed, offset in pieces:
        raw = text.encode("latin-1") if compressed else text.encode("utf-16-le")
        word[offset:offset + len(raw)] = raw
        cps.append(cps[-1] + len(text))
        fc = (offset * 2) | 0x40000000 if compressed else offset
        pcds += struct.pack("<HIH", 0, fc, 0)
    plc = struct.pack(f"<{len(cps)}I", *cps) + pcds
    clx = b"\x02" + struct.pack("<I", len(plc)) + plc
    for number, page in (pages or {}).items():
        word[number * 512:number * 512 + 512] = page
    fc_lcb = [(0, 0)] * 40
    fc_lcb[doc_reader.FC_CLX] = (0, len(clx))
    fc_lcb[doc_reader.FC_PLCF_BTE_PAPX] = (len(clx), len(papx))
    fc_lcb[doc_reader.FC_PLCF_BTE_CHPX] = (len(clx) + len(papx), len(chpx))
    return doc_reader._Reader(bytes(word), clx + papx + chpx, fc_lcb)


def _blocks(reader: doc_reader._Reader, end: int) -> tuple[list[str], list[Dropped]]:
    dropped: list[Dropped] = []
    blocks = list(doc_reader._blocks(reader, 0, end, dropped, main=True))
    return [b.text for b in blocks if b.text], dropped


def test_pieces_are_read_in_cp_order_not_file_order() -> None:
    first = "第一段正文，"
    second = "quoted \x93A&B\x94 text\r"  # 8-bit piece: cp1252 quotes
    third = "第二段\x13 HYPERLINK \"http://x\" \x14链接\x15结束。\r"
    reader = _built([(first, False, 3000), (second, True, 1024), (third, False, 2048)])
    texts, dropped = _blocks(reader, len(first + second + third))
    assert texts == ["第一段正文，quoted “A&B” text", "第二段链接结束。"]
    assert dropped == [Dropped('HYPERLINK "http://x"', "field-code")]


def test_nested_fields_keep_only_the_outer_result() -> None:
    text = "前\x13 IF \x13 PAGE \x14 3\x15 > 1 \x14结果\x15后\x13 XE \"索引\" \x15。\r"
    texts, dropped = _blocks(_built([(text, False, 2048)]), len(text))
    assert texts == ["前结果后。"]
    assert [d.text for d in dropped] == ["PAGE", "IF 3 > 1", 'XE "索引"']


def test_table_rows_without_papx_split_at_double_cell_marks() -> None:
    text = "表前\r甲\x07乙\x07\x07丙\x07丁\x07\x07表后\r"
    texts, _ = _blocks(_built([(text, False, 2048)]), len(text))
    assert texts == ["表前", "甲　乙", "丙　丁", "表后"]


def _fkp(runs: list[tuple[int, bytes]], end: int) -> bytes:
    """A PAPX FKP page: ``runs`` of (first fc, grpprl after the istd)."""
    page = bytearray(512)
    count = len(runs)
    struct.pack_into(f"<{count + 1}I", page, 0, *[fc for fc, _ in runs], end)
    offset = 300
    for k, (_fc, grpprl) in enumerate(runs):
        body = b"\x00\x00" + grpprl
        if len(body) % 2:
            page[offset] = (len(body) + 1) // 2
            page[offset + 1:offset + 1 + len(body)] = body
        else:
            page[offset], page[offset + 1] = 0, len(body) // 2
            page[offset + 2:offset + 2 + len(body)] = body
        page[4 * (count + 1) + 13 * k] = offset // 2
        offset += 20
    page[511] = count
    return bytes(page)


def test_table_rows_from_papx_keep_empty_cells_inside_the_row() -> None:
    """甲 | (empty) | 乙, then the row mark: one row, not split at the empty cell."""
    text = "甲\x07\x07乙\x07\x07后\r"
    base = 2048
    in_table = b"\x16\x24\x01"
    row_end = in_table + b"\x17\x24\x01"
    runs = [(base, in_table), (base + 4, in_table), (base + 6, in_table),
            (base + 10, row_end), (base + 12, b"")]
    fkp = _fkp(runs, base + 2 * len(text))
    papx = struct.pack("<III", base, base + 2 * len(text), 8)
    texts, _ = _blocks(_built([(text, False, base)], papx=papx, pages={8: fkp}), len(text))
    assert texts == ["甲　乙", "后"]


def test_deleted_and_hidden_text_is_reported_not_kept() -> None:
    """Tracked deletions (also of a paragraph mark: the paragraphs join) and hidden text."""
    text = "保留这句。删去这句。\r接着写。隐藏备注后文\r"
    base = 2048
    kept, deleted, hidden = b"", b"\x00\x08\x01", b"\x3c\x08\x01"
    bounds = [0, 5, 11, 15, 19, len(text)]  # CPs of the runs: kept, deleted (with the \r) ...
    grpprls = [kept, deleted, kept, hidden, kept]
    page = bytearray(512)
    count = len(grpprls)
    struct.pack_into(f"<{count + 1}I", page, 0, *[base + 2 * cp for cp in bounds])
    for k, grpprl in enumerate(grpprls):
        offset = 400 + 16 * k
        page[4 * (count + 1) + k] = offset // 2
        page[offset] = len(grpprl)
        page[offset + 1:offset + 1 + len(grpprl)] = grpprl
    page[511] = count
    chpx = struct.pack("<III", base, base + 2 * len(text), 9)
    reader = _built([(text, False, base)], chpx=chpx, pages={9: bytes(page)})
    texts, dropped = _blocks(reader, len(text))
    assert texts == ["保留这句。接着写。后文"]
    assert dropped == [Dropped("删去这句。", "doc-deleted-revision"),
                       Dropped("隐藏备注", "doc-hidden-text")]


def test_word_95_and_foreign_streams_are_refused() -> None:
    word95 = bytearray(512)
    struct.pack_into("<HH", word95, 0, doc_reader.FIB_IDENT, 0x65 - 1)
    with pytest.raises(UnreadableFile, match="Word 6/95"):
        doc_reader._fib(bytes(word95))
    with pytest.raises(UnreadableFile, match="not a Word 97-2003"):
        doc_reader._fib(b"\x00" * 512)


@pytest.mark.skipif(office.soffice_path() is None, reason="LibreOffice not installed")
def test_the_libreoffice_path_keeps_the_files_own_properties() -> None:
    """The conversion loses the SummaryInformation: its date and author come from the file."""
    document = read_document(W02, W02.read_bytes())
    assert document.meta.get("date") == "2021-02-09"
    assert doc_reader.properties(W02.read_bytes())["date"] == "2021-02-09"
    assert doc_reader.properties(b"not an OLE file") == {}


def test_a_docx_creation_date_is_read_when_plausible(tmp_path: Path) -> None:
    import datetime

    import docx

    path = tmp_path / "a.docx"
    document = docx.Document()
    document.add_paragraph("各学校要做好课后服务工作。")
    document.core_properties.created = datetime.datetime(2018, 9, 7, 10, 0)
    document.save(path)
    assert read_document(path, path.read_bytes()).meta["date"] == "2018-09-07"
    document.core_properties.created = datetime.datetime(1980, 1, 1)  # no Word file is so old
    document.save(path)
    assert "date" not in read_document(path, path.read_bytes()).meta
