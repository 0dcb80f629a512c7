"""The PDF reader on real PDFs drawn by reportlab: paragraphs re-joined from wrapped lines
(also across page breaks), running headers and page numbers dropped, title and pages right."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from retrieval.readers import BlockKind, Dropped, RawDocument
from retrieval.readers.errors import UnreadableFile
from retrieval.readers.pdf import read
from tests.support.make_pdf import Para, write_pdf, write_scanned_pdf

ISSUER = "XX省教育厅文件"
DOC_NUMBER = "X教发〔2024〕3号"
TITLE = "XX省教育厅关于加强新时代中小学教师队伍建设的实施意见"
ADDRESSEE = "各市、县（区）教育局，厅直属各单位："
INTRO = (
    "为深入贯彻落实全国教育大会精神，全面加强新时代中小学教师队伍建设，努力造就党和人民满意的"
    "高素质专业化创新型教师队伍，结合我省实际，提出如下意见。"
)
GUIDE = (
    "坚持以习近平新时代中国特色社会主义思想为指导，全面贯彻党的教育方针，落实立德树人根本任务，"
    "把教师队伍建设作为基础工作来抓，确保各项政策落地见效。"
)
# Exactly two full lines (26 characters after the indent, then 28): its last line reaches the
# right edge, so only the heading rule can end it before the unindented heading below.
FULL = (
    "坚持师德师风作为评价教师队伍素质的第一标准，推动师德建设常态化长效化，"
    "引导教师以德立身、以德立学、以德施教。"
)
LONG = (
    "加强师德师风建设，将师德表现作为教师资格定期注册、业绩考核、职称评审、岗位聘用、评优奖励的"
    "首要标准，实行师德失范一票否决。健全教师荣誉制度，对长期在农村和艰苦边远地区工作的教师给予"
    "倾斜，在职称评聘、评优表彰等方面优先考虑。完善中小学教师培训体系，落实五年一周期不少于三百六"
    "十学时的全员培训制度，推进信息技术与教育教学深度融合，提升教师运用现代信息技术改进教学的能力"
    "。深化中小学教师职称制度改革，畅通教师职业发展通道，合理确定各级岗位结构比例，向乡村学校和薄"
    "弱学校倾斜，切实解决教师职称评聘中的突出问题，激发广大教师干事创业的积极性和创造性。"
)
CLOSING = "各地要把教师队伍建设摆在优先发展的战略地位，加强组织领导，抓好贯彻落实。"
HEADER = "XX省教育厅"


def gongwen(path: Path, **options) -> list:
    paras = [
        Para(ISSUER, size=30, align="center", red=True, gap_after=1),
        Para(DOC_NUMBER, align="center", gap_after=1),
        Para(TITLE, size=22, align="center", gap_after=1),
        Para(ADDRESSEE, align="left"),
        Para(INTRO),
        Para("一、总体要求"),
        Para("（一）指导思想"),
        Para(GUIDE),
        Para(FULL),
        Para("（二）基本原则", align="left"),
        Para(LONG),
        Para("二、主要措施"),
        Para(CLOSING),
    ]
    return write_pdf(path, paras, **options)


BODY = [ISSUER, DOC_NUMBER, ADDRESSEE, INTRO, "一、总体要求", "（一）指导思想", GUIDE, FULL,
        "（二）基本原则", LONG, "二、主要措施", CLOSING]


def read_file(path: Path) -> RawDocument:
    return read(path, path.read_bytes())


@pytest.mark.parametrize("encoding", [None, "GBK-EUC-H"], ids=["unicode-cid", "gbk-euc-h"])
def test_gongwen_paragraphs_rejoined_with_title_pages_and_furniture_dropped(
    tmp_path: Path, encoding: str | None
) -> None:
    path = tmp_path / "notice.pdf"
    drawn = gongwen(path, header=HEADER, encoding=encoding)
    pages_of_long = {line.page for line in drawn if line.text in LONG}
    assert pages_of_long == {1, 2}, "the fixture must break LONG across the page"
    assert len([line for line in drawn if line.text in TITLE]) == 2, "a two-line title"
    assert [line.text for line in drawn if line.text in FULL] == [FULL[:26], FULL[26:]]

    document = read_file(path)

    assert document.format == "pdf"
    title = [block for block in document.blocks if block.kind is BlockKind.TITLE]
    assert [(block.text, block.page) for block in title] == [(TITLE, 1)]
    paragraphs = [block for block in document.blocks if block.kind is BlockKind.PARAGRAPH]
    assert [block.text for block in paragraphs] == BODY
    # Every character drawn in the body is in exactly one block, in reading order.
    assert "".join(block.text for block in document.blocks) == "".join(
        [ISSUER, DOC_NUMBER, TITLE, *BODY[2:]]
    )
    pages = {block.text: block.page for block in paragraphs}
    assert pages[LONG] == 1 and pages[CLOSING] == 2 and pages["（二）基本原则"] == 1
    assert document.meta == {"issuer": ISSUER}  # reportlab's info title "untitled" is no title
    total = max(line.page for line in drawn)
    assert sorted(document.dropped, key=lambda d: d.rule) == sorted(
        [Dropped(HEADER, "page-header") for _ in range(total)]
        + [Dropped(f"— {n} —", "page-number") for n in range(1, total + 1)],
        key=lambda d: d.rule,
    )


@pytest.mark.parametrize("red_head", [("XX市教育局",), ("中共XX省委教育工作委员会",),
                                      ("XX省教育厅", "XX省财政厅")],
                         ids=["bureau", "party-committee", "joint"])
def test_a_red_head_without_wenjian_is_the_issuer_not_the_title(
    tmp_path: Path, red_head: tuple[str, ...]
) -> None:
    """Letters (函) and party offices print the agency's name alone, larger than the title."""
    path = tmp_path / "letter.pdf"
    write_pdf(path, [*(Para(line, size=36, align="center", red=True) for line in red_head),
                     Para(DOC_NUMBER, align="center", gap_after=1),
                     Para(TITLE, size=22, align="center", gap_after=1),
                     Para(ADDRESSEE, align="left"), Para(INTRO)])
    document = read_file(path)
    assert [b.text for b in document.blocks if b.kind is BlockKind.TITLE] == [TITLE]
    assert document.meta["issuer"] == "".join(red_head)


def test_a_speech_title_above_its_subtitle_stays_the_title(tmp_path: Path) -> None:
    path = tmp_path / "speech.pdf"
    main, subtitle = "奋力谱写教育强市建设新篇章", "——在全市教育工作会议上的讲话"
    write_pdf(path, [Para(main, size=26, align="center"),
                     Para(subtitle, size=20, align="center", gap_after=1), Para(INTRO)])
    document = read_file(path)
    assert [b.text for b in document.blocks if b.kind is BlockKind.TITLE] == [main]
    assert "issuer" not in document.meta


@pytest.mark.parametrize(
    "template", ["— {n} —", "- {n} -", "{n}", "第{n}页 共{total}页", "第 {n} 页", "{n}/{total}"]
)
def test_page_numbers_and_running_footer_dropped(tmp_path: Path, template: str) -> None:
    path = tmp_path / "numbers.pdf"
    footer = "XX省教育厅办公室 2024年3月1日印发"
    drawn = write_pdf(path, [Para(LONG), Para(GUIDE)] * 4, footer=footer, page_number=template)
    total = max(line.page for line in drawn)
    assert total >= 3

    document = read_file(path)

    labels = [template.format(n=n, total=total) for n in range(1, total + 1)]
    # Spaces between Chinese characters are layout and not kept; the rest of the text is.
    numbers = [d.text.replace(" ", "") for d in document.dropped if d.rule == "page-number"]
    assert numbers == [label.replace(" ", "") for label in labels]
    assert [d.text for d in document.dropped if d.rule == "page-footer"] == [footer] * total
    assert [block.text for block in document.blocks] == [LONG, GUIDE] * 4
    assert all(block.kind is BlockKind.PARAGRAPH for block in document.blocks)


def test_latin_words_across_lines_join_with_a_space(tmp_path: Path) -> None:
    path = tmp_path / "latin.pdf"
    english = (
        "The Ministry of Education issued the guideline on teacher development in 2024, "
        "asking every province to strengthen training, raise salaries and improve the "
        "evaluation of teachers working in rural schools and remote areas."
    )
    drawn = write_pdf(path, [Para(english), Para(INTRO)], page_number=None)
    assert len([line for line in drawn if line.text in english]) >= 3

    document = read_file(path)

    assert [block.text for block in document.blocks] == [english, INTRO]
    assert document.dropped == ()


def test_info_title_used_only_when_it_looks_real(tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    write_pdf(real, [Para(INTRO)], info_title="关于加强教师队伍建设的实施意见")
    fake = tmp_path / "fake.pdf"
    write_pdf(fake, [Para(INTRO)], info_title="Microsoft Word - 附件1.docx")

    assert read_file(real).meta == {"title": "关于加强教师队伍建设的实施意见"}
    assert read_file(fake).meta == {}


def test_scanned_pdf_has_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    write_scanned_pdf(path, pages=2)
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.code == "no-text-layer"
    assert str(caught.value) == "scanned PDF without a text layer (OCR it first)"


def test_pages_with_only_page_numbers_have_no_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "blank.pdf"
    write_pdf(path, [Para("")] * 40)  # empty body lines over two pages, numbered
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.code == "no-text-layer"


def test_encrypted_pdf(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    write_pdf(path, [Para(INTRO)], user_password="secret")
    with pytest.raises(UnreadableFile) as caught:
        read_file(path)
    assert caught.value.code == "encrypted"


def test_garbage_bytes_are_a_damaged_pdf() -> None:
    with pytest.raises(UnreadableFile) as caught:
        read(Path("x.pdf"), "这不是PDF文件".encode() * 100)
    assert caught.value.code == "damaged-pdf"
    assert "damaged" in str(caught.value)


def test_broken_files_raise_only_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "whole.pdf"
    gongwen(path, header=HEADER)
    data = path.read_bytes()
    broken = [data[:cut] for cut in range(0, len(data), len(data) // 12)]
    broken += [data[:200] + bytes(500) + data[700:], data.replace(b"stream", b"strean")]
    for sample in broken:
        try:
            document = read(path, sample)
        except UnreadableFile as exc:
            assert exc.code in {"damaged-pdf", "no-text-layer"}
        else:
            assert document.blocks


def test_fifty_pages_read_quickly(tmp_path: Path) -> None:
    path = tmp_path / "long.pdf"
    drawn = write_pdf(path, [Para(LONG), Para("一、总体要求"), Para(GUIDE)] * 84, header=HEADER)
    assert max(line.page for line in drawn) >= 50

    started = time.perf_counter()
    document = read_file(path)
    elapsed = time.perf_counter() - started

    assert [block.text for block in document.blocks] == [LONG, "一、总体要求", GUIDE] * 84
    assert elapsed < 5.0  # about 0.3 s here; generous for shared machines
