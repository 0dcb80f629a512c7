"""What a document states about itself: the numeral conversion that must never raise, the
date from the 落款 and the 文号, the issuer from the opening and the closing, the place only
from the issuer or the title's own opening, national organs placed nowhere."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retrieval.documents import split_documents
from retrieval.metadata import (
    CN_NUMBER,
    arabic,
    closing,
    doc_number,
    iso_date,
    leading_place,
    national,
    organ_names,
    place_of,
)
from retrieval.model import Unit
from retrieval.readers import RawDocument
from retrieval.readers.text import text_blocks

NUMERAL_CHARS = "〇零○◯一二三四五六七八九十廿卅年月日两"
# Characters the metadata rules look at: numerals, brackets of 文号, organ endings, spaces.
NOTICE_CHARS = (NUMERAL_CHARS + "0123456789 　\n。，：（）〔〕[]号"
                + "省市区局厅部办公室关于印发通知各文件")


def meta(text: str, file: str = "x.txt"):
    (doc,), _ = split_documents(RawDocument(blocks=text_blocks(text), format="text"), file)
    return doc.meta


def units(*texts: str) -> list[Unit]:
    return [Unit(t) for t in texts]


@given(st.text(alphabet=NUMERAL_CHARS, max_size=30))
def test_any_numeral_string_converts_without_raising(text: str) -> None:
    arabic(text)
    iso_date(text)
    iso_date(text, full_only=True)


@given(st.text(alphabet=NUMERAL_CHARS + "2019 -./号〔〕", max_size=40))
def test_any_mixed_text_converts_without_raising(text: str) -> None:
    iso_date("关于" + text)


@given(st.text(alphabet=NOTICE_CHARS, max_size=200))
def test_any_text_gets_metadata_without_raising(text: str) -> None:
    if text.strip():
        for doc in split_documents(RawDocument(blocks=text_blocks(text), format="text"),
                                   "x.txt")[0]:
            assert doc.meta.title


def test_chinese_numeral_dates_convert() -> None:
    assert iso_date("二〇二〇年三月五日") == "2020-03-05"
    assert iso_date("二零二六年一月二十七日") == "2026-01-27"
    assert iso_date("二〇一九年十二月三十一日") == "2019-12-31"
    assert iso_date("一九九八年十月廿三日") == "1998-10-23"
    assert iso_date("二○○五年十一月十一日") == "2005-11-11"  # a circle for the zero
    # No full year: a decade, "twelve or thirteen years", a two-digit year.
    for text in ["二〇年", "二〇年代", "十二三年", "二十〇年", "五十年代以来"]:
        assert iso_date(text) is None, text
    assert arabic("十二三年") == "十二三年"  # not a date numeral: left as it is
    assert CN_NUMBER.search("二〇年")


def test_closing_date_and_names_at_the_end() -> None:
    date, printed, names, _ = closing(units(
        "一、做好防控。", "在疫情期间，国家出台新规定的，按照新规定执行。",
        "国家税务总局河南省税务局 2020年2月7日"))
    assert (date, printed, names) == ("2020-02-07", None, ["国家税务总局河南省税务局"])
    date, _, names, _ = closing(units(
        "特此通告。", "广西壮族自治区新型冠状病毒感染的肺炎疫情 防控工作领导小组指挥部 "
        "2020年1月27日 扫一扫在手机打开当前页"))
    assert date == "2020-01-27"
    assert names == ["广西壮族自治区新型冠状病毒感染的肺炎疫情防控工作领导小组指挥部"]
    date, _, names, _ = closing(units("请遵照执行。", "交通运输部 国家发展改革委",
                                      "二〇二〇年二月三日"))
    assert (date, names) == ("2020-02-03", ["交通运输部", "国家发展改革委"])


def test_a_date_inside_a_sentence_is_no_closing_date() -> None:
    date, printed, _, _ = closing(units(
        "本通知自2020年3月1日起施行。", "请于2020年2月10日前报送。",
        "截至2020年2月5日 24时，全市无新增病例。"))
    assert (date, printed) == (None, None)


def test_printed_date_of_the_colophon_is_kept_apart() -> None:
    date, printed, _, printer = closing(units(
        "抄送：省委各部门。", "山东省人民政府办公厅2020年2月12日印发"))
    assert (date, printed, printer) == (None, "2020-02-12", ["山东省人民政府办公厅"])


def test_closing_before_an_attachment() -> None:
    date, _, names, _ = closing(units(
        "现将《措施》印发给你们，请认真贯彻执行。",
        "吉林省人民政府办公厅 2020年2月8日 （此件公开发布） 关于扩大蔬菜生产的措施",
        "一、支持蔬菜生产。", "二、保障市场供应。"))
    assert (date, names) == ("2020-02-08", ["吉林省人民政府办公厅"])


def test_organ_names_and_addressees() -> None:
    assert organ_names("各区人民政府，市政府各部门：") == []
    assert organ_names("各区人民政府", whole=True) == []
    assert organ_names("附件：物资证明 财政部 海关总署 税务总局") == [
        "财政部", "海关总署", "税务总局"]
    assert organ_names("第三章　毒品管制", whole=True) == []


def test_document_number_is_the_one_standing_in_the_head() -> None:
    head = ("国家卫生健康委办公厅关于加强医疗救治工作的通知 国卫办医函〔2020〕83号 各省卫生健康委："
            "根据《交通运输部关于保障通行的紧急通知》（交运明电〔2020〕37号）要求，现通知如下。")
    assert doc_number("x", (), units(head)) == "国卫办医函〔2020〕83号"
    cited = "根据《紧急通知》（交运明电〔2020〕37号）要求，现通知如下。"
    assert doc_number("x", (), units(cited)) is None
    assert doc_number("x", ("京政办发[2020]7号",), ()) == "京政办发[2020]7号"
    assert doc_number("x", (), units("财政部 税务总局公告2020年第8号 为进一步做好工作。"))


def test_national_organs_have_no_place() -> None:
    for organ in ["国务院办公厅", "国家卫生健康委办公厅", "交通运输部", "农业农村部办公厅",
                  "中共中央办公厅", "全国人民代表大会常务委员会", "国家文物局", "财政部"]:
        assert national(organ), organ
        assert place_of([organ]) == (None, True), organ
    for organ in ["市商务局", "区财政局", "市委组织部"]:
        assert not national(organ), organ
    assert place_of(["国家税务总局河南省税务局"]) == ("河南省", True)
    assert place_of(["市商务局", "天津市商务局"]) == ("天津市", True)


def test_closing_in_a_furniture_line_and_a_forwarded_closing() -> None:
    """A 落款 sharing its line with a print bar is still the 落款; the 落款 of a forwarded
    notice (another organ) yields to the 印发 date of the forwarding one."""
    date, _, names, _ = closing(units("一、做好防控。", "特此通告。"),
                                ["德阳市交通运输局 2020年2月5日 【 打印本页】 【 关闭窗口】"])
    assert (date, names) == ("2020-02-05", ["德阳市交通运输局"])
    m = meta("天津市商务局文件\n市商务局关于做好外资企业服务工作的通知\n各区商务主管部门：\n"
             "现将《商务部办公厅关于做好外资企业服务的通知》转发给你们，请认真贯彻落实。\n"
             "一、做好服务。\n商务部办公厅 2020年2月7日\n天津市商务局办公室2020年2月15日印发\n")
    assert (m.date, m.place, m.issuer) == ("2020-02-15", "天津市", "天津市商务局")


def test_state_council_notice_is_not_placed_by_its_addressees() -> None:
    """The 主送 line names 自治区: it is whom the notice goes to, not where it is of."""
    m = meta("国务院办公厅关于印发“十四五”文物保护和科技创新规划的通知\n国办发〔2021〕43号\n"
             "各省、自治区、直辖市人民政府，国务院各部委、各直属机构：\n"
             "《“十四五”文物保护和科技创新规划》已经国务院同意，现印发给你们，请认真贯彻执行。\n"
             "国务院办公厅\n2021年10月28日\n")
    assert (m.date, m.place, m.issuer) == ("2021-10-28", None, "国务院办公厅")
    assert getattr(m, "number", "国办发〔2021〕43号") == "国办发〔2021〕43号"


def test_place_is_never_taken_from_the_body() -> None:
    m = meta("关于做好春耕工作的通知\n各区人民政府：\n"
             "要学习湖北省、四川省和广西壮族自治区的经验，做好春耕备耕工作。\n")
    assert m.place is None


def test_flattened_notice_states_issuer_place_and_date_inside_its_line() -> None:
    line = ("九江市人民政府办公室关于做好疫情防控期间就业工作的通知 "
            "各县（市、区）人民政府，市政府各部门：为做好疫情防控期间就业工作，"
            + "现就有关事项通知如下，" * 30 + "请认真落实。 "
            "一、加强就业服务。" + "各地要做好服务，" * 20 + "确保落实。 "
            "九江市人民政府办公室 2020年2月10日 （此件主动公开） 扫一扫在手机打开当前页")
    m = meta(line, file="0a1b2c3d.txt")
    assert (m.date, m.place, m.issuer) == ("2020-02-10", "九江市", "九江市人民政府办公室")
    assert m.title == "九江市人民政府办公室关于做好疫情防控期间就业工作的通知"  # its opening


BODY = "为做好疫情防控工作，" + "现就有关事项通知如下，" * 30 + "请认真落实。"


def flattened(opening: str, file: str = "0a1b2c3d4e5f60718293.txt"):
    """A scraped notice whose paragraph breaks became spaces, named by a hash."""
    (doc,), dropped = split_documents(
        RawDocument(blocks=text_blocks(f"{opening} {BODY}"), format="text"), file)
    return doc, [d.text for d in dropped]


def test_flattened_opening_title_holds_issuers_set_apart_by_spaces() -> None:
    doc, _ = flattened("财政部 海关总署 税务总局关于防控疫情进口物资免税政策的公告 "
                       "财政部公告2020年第6号")
    assert doc.title == "财政部 海关总署 税务总局关于防控疫情进口物资免税政策的公告"
    assert doc.meta.number == "财政部公告2020年第6号"
    # A title set on two lines, their break turned into a space.
    doc, _ = flattened("国务院联防联控机制关于压实“菜篮子”市长负责制 做好农产品稳产保供工作的通知 "
                       "各省、自治区、直辖市：")
    assert doc.title == "国务院联防联控机制关于压实“菜篮子”市长负责制 做好农产品稳产保供工作的通知"


def test_flattened_opening_title_after_a_red_head_or_a_section_label() -> None:
    doc, dropped = flattened("甘肃省医疗保障局 甘肃省财政厅 甘肃省医疗保障局 甘肃省财政厅 "
                             "关于延长参保缴费期的通知 甘医保发〔2020〕14号 各市州医疗保障局：")
    assert doc.title == "甘肃省医疗保障局 甘肃省财政厅 关于延长参保缴费期的通知"
    assert dropped == ["甘肃省医疗保障局 甘肃省财政厅"]  # the red head, reported
    title = "山东省人民政府办公厅印发关于加快恢复农业生产的若干措施的通知"
    doc, dropped = flattened(f"山东省人民政府 政策文件 {title} 各市人民政府：")
    assert doc.title == title
    assert dropped == ["山东省人民政府 政策文件"]


def test_flattened_opening_title_of_other_kinds_numbers_and_headlines() -> None:
    doc, _ = flattened("四川省应急指挥部公告 （第6号） 根据春节后返城返岗人员逐步增多的实际情况，")
    assert doc.title == "四川省应急指挥部公告 （第6号）"
    doc, _ = flattened("江西省疫情防控应急指挥部令第13号 各市、县（区）人民政府：")
    assert doc.title == "江西省疫情防控应急指挥部令第13号"
    doc, _ = flattened("（关于进口捐赠物资办理通关手续的公告） 海关总署公告")
    assert doc.title == "关于进口捐赠物资办理通关手续的公告"
    # A 文号 glued before the title stays in the title block, where the number is read.
    doc, _ = flattened("石政发〔2020〕3号-北京市石景山区人民政府关于印发支持企业发展若干措施的通知 "
                       "各街道办事处：")
    assert doc.title == "北京市石景山区人民政府关于印发支持企业发展若干措施的通知"
    assert (doc.front, doc.meta.number) == (("石政发〔2020〕3号",), "石政发〔2020〕3号")
    # A 文号 glued after the title: the title ends before it, the number stays text.
    title = "省发展改革委印发《支持服务业市场主体若干政策措施》的通知"
    doc, _ = flattened(f"{title}（黔发改服务〔2020〕111号）各市发展改革委：")
    assert doc.title == title
    assert doc.units[0].text.startswith("（黔发改服务〔2020〕111号）")
    doc, _ = flattened("2020年2月17日零时起我市收费公路免收车辆通行费 为全力做好疫情防控工作，")
    assert doc.title == "2020年2月17日零时起我市收费公路免收车辆通行费"


def test_flattened_opening_without_a_title_keeps_its_text() -> None:
    # An organ's name above the salutation, or a text that opens with its first sentence.
    for opening in ("国家税务总局南阳市税务局 各县税务局：", "为贯彻落实党中央决策部署 各地要"):
        doc, dropped = flattened(opening)
        assert opening.split()[0] in doc.units[0].text and not dropped


def test_title_year_and_heading_year() -> None:
    assert leading_place("2020年湖北省乡村振兴工作要点") == "湖北省"
    assert leading_place("关于印发《湖北省文物事业发展规划》的通知") == "湖北省"
    assert leading_place("关于学习湖北省经验的通知") is None
    assert meta("2020年湖北省乡村振兴工作要点\n一、总体要求。\n").date == "2020"
    # A plan's period is not the document's year.
    assert meta("关于实施革命文物保护利用工程（2018－2022年）的意见\n一、总体要求。\n").date is None


def test_law_date_is_its_adoption_or_latest_revision() -> None:
    amended = meta("中华人民共和国精神卫生法\n（2012年10月26日第十一届全国人民代表大会"
                   "常务委员会第二十九次会议通过　根据2018年4月27日第十三届全国人民代表大会"
                   "常务委员会第二次会议《关于修改〈中华人民共和国国境卫生检疫法〉等六部法律的"
                   "决定》修正）\n第一条　为了发展精神卫生事业，制定本法。\n")
    assert (amended.date, amended.place) == ("2012-10-26", None)
    assert amended.issuer == "全国人民代表大会常务委员会"
    revised = meta("中华人民共和国反洗钱法\n（2006年10月31日第十届全国人民代表大会"
                   "常务委员会第二十四次会议通过　2024年11月8日第十四届全国人民代表大会"
                   "常务委员会第十二次会议修订）\n"
                   "第一条　为了预防洗钱活动，制定本法。\n")
    assert revised.date == "2024-11-08"


def test_document_number_year_dates_an_undated_notice() -> None:
    m = meta("江西省人民政府关于有效应对疫情的通知\n赣府发〔2020〕3号\n各市人民政府：\n"
             "现将有关事项通知如下，请认真贯彻执行。\n一、稳定就业。\n")
    assert (m.date, m.place, m.issuer) == ("2020", "江西省", "江西省人民政府")


def test_docx_whose_first_heading_names_the_year(tmp_path) -> None:
    from retrieval.readers import docx as docx_reader
    from tests.support.make_docs import make_docx

    data = make_docx([("Heading 1", "2020年湖北省乡村振兴工作要点"),
                      "全面推进乡村振兴，" * 8 + "加快农业农村现代化。",
                      ("Heading 2", "一、总体要求"), "坚持农业农村优先发展。" * 5])
    path = tmp_path / "plan.docx"
    path.write_bytes(data)
    (doc,), _ = split_documents(docx_reader.read(path, data), "plan.docx")
    assert doc.meta.date == "2020"
    assert doc.meta.place == "湖北省"  # the title's (heading's) own place: its opening


def test_numerals_that_crashed_an_index_do_not_stop_a_document() -> None:
    m = meta("关于回顾二〇年代的说明\n近十二三年来，二〇年代的经验值得总结，廿年以来变化很大。\n")
    assert m.date is None


def test_a_number_line_is_only_the_number_maybe_in_brackets() -> None:
    from retrieval.metadata import is_number_line
    assert is_number_line("苏银监办〔2005〕235号") and is_number_line("（交运明电〔2020〕37号）")
    assert is_number_line("财政部公告2020年第6号")
    assert not is_number_line("91.财税〔2011〕137号；")  # a list item citing another document
    assert not is_number_line("根据国办发〔2021〕43号文件精神")
