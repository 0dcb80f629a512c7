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


# --- reading order from positions, garbled text layers ---------------------------------------
# Drawn the way WPS writes PDFs: pieces of lines, each in a `320 Tf` font under a 0.05 text
# matrix (16 pt on the page), in whatever order the test gives. (PDFium reports nothing for
# a one-character string in a font it has no glyphs of, and takes a piece for a copy of an
# equal one nearby in that font: pieces are two characters, or whole lines.)

WPS_SIZE = 16.0


def draw_chars(path: Path, pages: list[list[tuple[str, float, float, float]]]) -> None:
    """Each page: (text, x, baseline, size) in content-stream order."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path), pagesize=A4)
    for chars in pages:
        for char, x, y, size in chars:
            text = pdf.beginText()
            text.setFont("STSong-Light", size * 20)
            text.setTextTransform(0.05, 0, 0, 0.05, x, y)
            text.textOut(char)
            pdf.drawText(text)
        pdf.showPage()
    pdf.save()


def wrap(text: str, per_line: int, indent: int = 2) -> list[str]:
    lines, rest = [text[: per_line - indent]], text[per_line - indent :]
    while rest:
        lines.append(rest[:per_line])
        rest = rest[per_line:]
    return lines


def place(lines: list[str], x: float, top: float, *, size: float = WPS_SIZE, indent: int = 2,
          pitch: float = 30.0) -> list[list[tuple[str, float, float, float]]]:
    """Each line's characters, one em apart; the first line indented."""
    return [
        [(char, x + (indent * size if n == 0 else 0) + i * size, top - n * pitch, size)
         for i, char in enumerate(line)]
        for n, line in enumerate(lines)
    ]


def pieces(line: list, n: int) -> list:
    """A line's characters in pieces of n, each drawn where its first character goes."""
    return [("".join(c for c, *_ in line[i : i + n]), *line[i][1:]) for i in range(0, len(line), n)]


def interleave(a: list, b: list) -> list:
    """Two lines' pieces alternately, as WPS writes neighbouring lines."""
    a, b = pieces(a, 2), pieces(b, 2)
    out = []
    for i in range(max(len(a), len(b))):
        out += a[i : i + 1] + b[i : i + 1]
    return out


def test_wps_interleaved_lines_and_superscripts_read_in_order(tmp_path: Path) -> None:
    path = tmp_path / "wps.pdf"
    rows = place(wrap(INTRO, 28), 79, 740) + place(wrap(GUIDE, 28), 79, 740 - 30 * 4)
    # A citation mark raised half an em after the last character of INTRO's first line.
    first = rows[0]
    end = first[-1][1] + WPS_SIZE
    mark = [("[1]", end, 740 + 8, 8.0)]
    stream: list = []
    for a, b in zip(rows[0::2], rows[1::2], strict=False):
        stream += interleave(a, b)
    if len(rows) % 2:
        stream += pieces(rows[-1], 2)
    draw_chars(path, [mark + stream])
    assert len(rows) == 6 and "".join(c for c, *_ in stream[:3]) != INTRO[:6]

    document = read_file(path)

    head = len(wrap(INTRO, 28)[0])
    assert [block.text for block in document.blocks] == [
        INTRO[:head] + "[1]" + INTRO[head:], GUIDE]


@pytest.mark.parametrize("shift,right_text", [
    (0.0, FULL + CLOSING + GUIDE),  # baselines lined up across the gutter
    (7.0, FULL + CLOSING + GUIDE),  # the right column's lines between the left one's
    (0.0, LONG),  # the right column runs longer
], ids=["aligned", "offset", "unequal"])
def test_two_columns_read_column_by_column(
    tmp_path: Path, shift: float, right_text: str
) -> None:
    path = tmp_path / "columns.pdf"
    size, per_line = 12.0, 18
    title = "教育工作简报"
    left_text = INTRO + GUIDE
    left = place(wrap(left_text, per_line), 60, 700, size=size, pitch=20)
    right = place(wrap(right_text, per_line), 60 + per_line * size + 2 * size, 700 - shift,
                  size=size, pitch=20)
    stream = [(title, 200, 760, 22.0)]
    for n in range(max(len(left), len(right))):  # row by row across both columns
        stream += pieces(left[n], 99) if n < len(left) else []
        stream += pieces(right[n], 99) if n < len(right) else []
    draw_chars(path, [stream])

    document = read_file(path)

    assert [(block.kind, block.text) for block in document.blocks] == [
        (BlockKind.TITLE, title), (BlockKind.PARAGRAPH, left_text),
        (BlockKind.PARAGRAPH, right_text)]


def test_a_table_is_read_row_by_row(tmp_path: Path) -> None:
    """Label and value cells have a gap between them on every row, but the labels end
    wherever they end: a table, not two columns of prose."""
    from retrieval.readers.pdf import _extract

    path = tmp_path / "table.pdf"
    cells = [("项目", "新建学校三所"), ("资金来源", "省级财政专项资金"),
             ("实施期限", "二〇二四年至二〇二六年"), ("责任单位", "县教育局"),
             ("牵头领导", "分管副县长"), ("考核方式", "年度考核与终期评估相结合"),
             ("经费", "一千二百万元"), ("建设内容", "教学楼、运动场及配套设施"),
             ("监督", "县审计局")]
    stream = []
    for n, (label, value) in enumerate(cells):
        y = 740 - 30 * n
        stream += [(label, 79, y, 16.0), (value, 240, y, 16.0)]
    draw_chars(path, [stream])

    pages, _ = _extract(path.read_bytes())

    assert [(line.text, line.column) for line in pages[0].lines] == [
        (f"{label} {value}", 0) for label, value in cells]


def _garble(text: str) -> str:
    """A fixed substitution of each character by a rare one, as a font without a correct
    Unicode map gives (犐犆犛 for ICS)."""
    from retrieval.readers.pdf import _common_chars

    common = _common_chars()
    rare = [chr(code) for code in range(0x4E00, 0x9FA6)
            if chr(code) not in common and _gbk(chr(code))]
    mapping = {ch: rare[(i * 37) % len(rare)] for i, ch in enumerate(sorted(set(text)))}
    return "".join(mapping.get(ch, ch) for ch in text)


def _gbk(char: str) -> bool:
    try:
        char.encode("gbk")
    except UnicodeEncodeError:
        return False
    return True


def test_a_garbled_text_layer_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "garbled.pdf"
    garbled = _garble(LONG)
    assert garbled != LONG and len(garbled) == len(LONG)
    write_pdf(path, [Para(_garble(INTRO)), Para(garbled), Para(_garble(GUIDE))])

    with pytest.raises(UnreadableFile) as caught:
        read_file(path)

    assert caught.value.code == "garbled-text-layer"
    assert str(caught.value) == (
        "text layer cannot be decoded (garbled): convert or OCR it first")


def test_the_same_text_ungarbled_is_read(tmp_path: Path) -> None:
    path = tmp_path / "plain.pdf"
    write_pdf(path, [Para(INTRO), Para(LONG), Para(GUIDE)])
    assert [block.text for block in read_file(path).blocks] == [INTRO, LONG, GUIDE]


def test_one_garbled_page_in_a_readable_document_is_dropped_and_reported(
    tmp_path: Path
) -> None:
    path = tmp_path / "one_bad_page.pdf"
    texts = [LONG, INTRO + GUIDE, FULL + CLOSING, GUIDE + INTRO, CLOSING + LONG]
    bad_text = _garble(LONG)
    pages = [[piece for line in place(wrap(text, 28), 79, 740) for piece in pieces(line, 99)]
             for text in [*texts[:2], bad_text, *texts[2:]]]
    draw_chars(path, pages)

    document = read_file(path)

    assert [block.text for block in document.blocks] == texts
    garbled = [d for d in document.dropped if d.rule == "garbled-text-layer"]
    assert "".join(d.text for d in garbled) == bad_text


def test_kangxi_radicals_become_ideographs(tmp_path: Path) -> None:
    path = tmp_path / "radicals.pdf"
    radicals = "关于实施⾰命⽂物保护利⽤⼯程的意⻅，中华⺠族各部⻔"
    write_pdf(path, [Para(radicals + INTRO)])
    unified = "关于实施革命文物保护利用工程的意见，中华民族各部门"
    assert read_file(path).blocks[0].text == unified + INTRO


def test_traditional_chinese_is_not_taken_for_garbled(tmp_path: Path) -> None:
    """jieba's dictionary is simplified Chinese; a Hong Kong text is readable all the same."""
    path = tmp_path / "traditional.pdf"
    text = (
        "香港自古以來就是中國的領土，一八四零年鴉片戰爭以後被英國佔領。一九八四年十二月十九日，"
        "中英兩國政府簽署了關於香港問題的聯合聲明，確認中華人民共和國政府於一九九七年七月一日"
        "恢復對香港行使主權，從而實現了長期以來中國人民收回香港的共同願望。"
    )
    write_pdf(path, [Para(text)])
    assert [block.text for block in read_file(path).blocks] == [text]


def test_a_map_garbling_into_common_characters_is_refused(tmp_path: Path) -> None:
    """Every character is a common one, but their pairs make no words."""
    from retrieval.readers.pdf import _common_chars

    common = sorted(ch for ch in _common_chars() if _gbk(ch) and "\u4e00" <= ch <= "\u9fa5")
    text = INTRO + LONG + GUIDE
    mapping = {ch: common[(i * 7919) % len(common)] for i, ch in enumerate(sorted(set(text)))}
    path = tmp_path / "shifted.pdf"
    write_pdf(path, [Para("".join(mapping.get(ch, ch) for ch in part))
                     for part in (INTRO, LONG, GUIDE)])

    with pytest.raises(UnreadableFile) as caught:
        read_file(path)

    assert caught.value.code == "garbled-text-layer"


@pytest.mark.parametrize("turn", [90, 270], ids=["up", "down"])
def test_text_turned_on_the_page_reads_along_its_lines(tmp_path: Path, turn: int) -> None:
    """A landscape page set on a portrait one (a wide table in a report): its lines run up
    or down the page and are read along themselves."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path = tmp_path / "turned.pdf"
    english = (
        "The Ministry of Education issued the guideline on teacher development in 2024, "
        "asking every province to strengthen training, raise salaries and improve the "
        "evaluation of teachers working in rural schools and remote areas. " * 2
    ).strip()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.translate(*((A4[0], 0) if turn == 90 else (0, A4[1])))
    pdf.rotate(turn)
    # (Latin text: PDFium reports no turned characters of a CJK font it has no glyphs of.)
    words, lines = english.split(), [""]
    for word in words:
        if len(lines[-1]) + len(word) > 70:
            lines.append("")
        lines[-1] = f"{lines[-1]} {word}".strip()
    pdf.setFont("Helvetica", 12)
    for n, line in enumerate(lines):
        pdf.drawString(60 + (24 if n == 0 else 0), 520 - 18 * n, line)
    pdf.showPage()
    pdf.save()
    assert len(lines) >= 4

    assert [block.text for block in read_file(path).blocks] == [english]
