"""The PDF reader on real PDFs of state organs: reading order rebuilt from positions (WPS
writes lines interleaved, in a 319 Tf font under a 0.05 text matrix), citation marks kept on
their line, Kangxi radicals read as the ideographs they stand for, a scanned page reported,
and no real text layer taken for a garbled one.

tests/data/real/p0*.pdf are page ranges of the files in shared/formats/corpus (SOURCES.md
there; public official documents, outside copyright), cut with pypdfium2's import_pages:
content streams, ToUnicode maps and widths as the issuer's software wrote them. In the p05
cut the embedded TrueType fonts were subset to the glyphs those pages draw (glyph ids kept),
in the p03 cut the page-1 scan image was replaced by a 1x1 grey image, to stay small; every
character PDFium reports (text, box, baseline, size) was checked equal to the original's.
Expected lines are pdftotext's (shared/formats/reference), whitespace removed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retrieval.readers import BlockKind, Dropped, RawDocument
from retrieval.readers.pdf import _extract, _rare_share, _word_pairs, read

REAL = Path(__file__).resolve().parent.parent / "data" / "real"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "formats"

# WPS 文字: pages 1, 2 (prose, citation marks), 73, 99 (a table), 114 (a list of names)
P05 = REAL / "p05_nhc_liver_cancer_guideline_wps_p1-2_73_99_114.pdf"
P04 = REAL / "p04_revolutionary_relics_opinion_quartz_p1.pdf"  # macOS Quartz, page 1
P03 = REAL / "p03_hubei_relics_plan_pdfium_p1-3.pdf"  # PDFium, pages 1 (scan) to 3 (TOC)
P02 = REAL / "p02_ncha_revolutionary_relics_notice_word_p1-2.pdf"  # Word 2016, pages 1-2
P06 = REAL / "p06_hainan_farm_machinery_libreoffice_p1.pdf"  # LibreOffice 7.3, page 1


def read_file(path: Path) -> RawDocument:
    return read(path, path.read_bytes())


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body(document: RawDocument) -> str:
    return flat("".join(block.text for block in document.blocks))


def test_wps_pages_come_out_in_reading_order_with_a_clean_title() -> None:
    document = read_file(P05)

    titles = [block.text for block in document.blocks if block.kind is BlockKind.TITLE]
    assert titles == ["原发性肝癌诊疗指南（2024年版）"]
    text = body(document)
    for line in [  # pdftotext lines of pages 1, 2 and 73
        "肝癌发病人数 36.77 万，位列各种癌症新发病人数第 4 位（肺、",
        "肝癌主要包括肝细胞癌（hepatocellular carcinoma, HCC）、",
        "病理学类型，三者在发病机制、生物学行为、病理组织学、",
        "预后、保障医疗质量和医疗安全以及优化医疗资源发挥了重",
        "会肿瘤学分会，联合中国抗癌协会肝癌专业委员会、中国医",
        "发性肝癌诊疗指南（2024 年版）》（以下简称指南），以更好",
        "治疗，尤其 TACE 前放疗，可显著延长患者生存时间",
        "类似，部分中央型肝癌（指紧邻肝门，距离主要的血管结构",
        "＜1cm 的肝癌，其通常位于 Couinaud I、IV、V、VIII 段，",
    ]:
        assert flat(line) in text
    # Latin words set in half-em cells a quarter-em apart keep their spaces.
    assert "hepatocellular carcinoma, HCC" in " ".join(b.text for b in document.blocks)


def test_wps_superscript_citation_marks_stay_on_their_line() -> None:
    document = read_file(P05)

    text = body(document)
    assert "死亡人数和死亡率均位列第2位（肺、肝）[1-2]。原发性" in text
    assert "或降期后转化为手术切除[295,320]（证据等级3，推荐B）" in text
    paragraphs = [block.text for block in document.blocks]
    assert not any(re.fullmatch(r"\[[\d,，\-]+\]。?", p) for p in paragraphs)
    assert [d for d in document.dropped if d.rule == "page-number"] == [
        Dropped(f"{n} / 143", "page-number") for n in (1, 2, 73, 99, 114)
    ]


def test_wps_table_rows_read_row_by_row_not_as_columns() -> None:
    document = read_file(P05)
    # Page 99 (附录 1) is a table; its cells are far apart, so a space stands between them.
    rows = [block.text for block in document.blocks if block.page == 4]
    assert any("（治疗效益） 照试验的系统综述 果的观察性研究" in row for row in rows)


def test_a_list_of_names_in_two_runs_is_not_taken_for_two_columns() -> None:
    """Page 114 lists the committee's members in pinyin order, row after row; the right half
    of the rows ends where the names end, with full-width lines above: not two columns."""
    pages, _ = _extract(P05.read_bytes())
    names = pages[4]
    assert {line.column for line in names.lines} == {0}
    rows = [flat(line.text) for line in names.lines]
    assert "白雪莉蔡定芳陈卫霞陈亚进陈拥军成文武程树群代智戴朝六高强" in rows


def test_kangxi_and_supplement_radicals_become_the_ideographs() -> None:
    document = read_file(P04)

    text = "".join(block.text for block in document.blocks)
    assert not [ch for ch in text if 0x2E80 <= ord(ch) <= 0x2FDF]
    for line in [
        "新华社北京 7 月 29 日电 近日，中共中央办公厅、国务院办公厅印发了《关于实施革命",
        "保护状况持续改善，革命文物教育功能不断强化。与此同时，新时代党和国家事业的发展，",
    ]:
        assert flat(line) in flat(text)
    assert "中华民族" in text and "意见" in text and "各部门" in text  # ⺠ ⻅ ⻔


def test_a_scanned_page_among_text_pages_is_reported() -> None:
    document = read_file(P03)

    assert document.dropped[0] == Dropped("第1页：无文字层（扫描页）", "no-text-layer")
    titles = [block.text for block in document.blocks if block.kind is BlockKind.TITLE]
    assert titles == ["湖北省文物事业发展“十四五”规划"]
    # Table of contents entries, one a block, not run together.
    texts = [block.text for block in document.blocks]
    assert "1.“十三五”全省文物事业发展取得重大成就........ 1" in texts
    assert "2.形势分析...................................... 2" in texts


@pytest.mark.parametrize("path,lines", [
    (P02, ["——坚持守正创新。树立大局意识，坚守正确导向，加强前瞻谋划、整体推进、分类施",
           "科技应用更加深入，场馆布局日臻优化，阐释展示、教育传承提质增效，服务大局、赋能发"]),
    (P06, ["业农村部办公厅 财政部办公厅关于印发<2024—2026 年农机购置与应用补贴实施意见>"]),
], ids=["word", "libreoffice"])
def test_word_and_libreoffice_pages_keep_their_lines(path: Path, lines: list[str]) -> None:
    text = body(read_file(path))
    for line in lines:
        assert flat(line) in text


@pytest.mark.parametrize("path", sorted(REAL.glob("p0*.pdf")), ids=lambda p: p.name[:3])
def test_real_text_layers_are_not_taken_for_garbled(path: Path) -> None:
    document = read_file(path)  # raises UnreadableFile("garbled-text-layer") if it were
    text = "".join(block.text for block in document.blocks)
    seen, share = _rare_share(text)
    assert seen > 150 and share < 0.03
    pairs, in_words = _word_pairs(text)
    assert pairs > 100 and in_words > 0.3
    assert not [d for d in document.dropped if d.rule == "garbled-text-layer"]


SHARED_PDFS = sorted((SHARED / "corpus").glob("p0*.pdf"))


@pytest.mark.skipif(not SHARED_PDFS, reason="shared/formats is not beside the repository")
@pytest.mark.parametrize("path", SHARED_PDFS, ids=lambda p: p.name[:3])
def test_whole_shared_pdfs_match_the_reference_line_by_line(path: Path) -> None:
    """Every pdftotext line (of 8 characters or more) is found whole in the reader's text:
    none is interleaved with its neighbour. Citation marks are removed from both sides
    (pdftotext sets them on lines of their own)."""
    document = read_file(path)
    suffix = ".radicals_repaired.txt" if path.name.startswith("p04") else ".txt"
    reference = (SHARED / "reference" / (path.name + suffix)).read_text(encoding="utf-8")

    def plain(text: str) -> str:
        return re.sub(r"\[[0-9,，\-–～]+\]", "", flat(text))

    found = plain("".join(block.text for block in document.blocks))
    found += "|" + "|".join(plain(d.text) for d in document.dropped)
    lines = [plain(line) for line in reference.splitlines() if len(plain(line)) >= 8]
    recall = sum(1 for line in lines if line in found) / len(lines)
    assert recall >= (0.9 if path.name.startswith("p02") else 0.98)
