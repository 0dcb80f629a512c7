"""What a document states about itself: its date, issuer, place and document number (文号).

Each is read where official documents state it, never guessed from a mention in the body:

- date: the closing date line (落款) at the end, the date lines of the title block, the
  adoption note of a law, the year of its 文号, a page's publishing date, a year in the title
  or in its first heading;
- issuer: the format's own statement, the red-head (`XX文件`), the name the title or the
  first sentence opens with (`XX市人民政府办公室关于…`, `XX指挥部通告`), the name above the
  closing date, the speaker line of a speech. The addressee line (主送: `各区人民政府：`)
  names who receives it and is never the issuer;
- place: the place in the issuer's name (none for a national organ: 国务院, 国家XX局, XX部),
  else the place the title opens with (`湖北省…规划`) or its meeting (`在云南省…会议上`);
- number (文号): standing alone in the title block or the head of the first paragraphs, not
  one cited in brackets in a sentence.

A 落款 is looked for at the end of the text, at the end of a notice before its attachment,
and in furniture lines dropped with a print bar on the same line. Where it names another organ
than the document's own (a forwarded notice), the forwarding 印发 date is the document's.

Pure functions over cleaned text; `document_meta` joins them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import fields
from itertools import pairwise
from pathlib import PurePosixPath
from typing import Any

from .model import DocumentMeta, Unit
from .scope import PROVINCES, places_in

CN_DIGITS = "〇一二三四五六七八九"  # index = value; 零 and the circles ○ ◯ are read as 〇
CN_ZEROS = str.maketrans("零○◯", "〇〇〇")
CN_NUMBER = re.compile(r"[〇零○◯一二三四五六七八九十廿卅]+(?=[年月日])")
CN_TENS = re.compile(
    r"^([一二三四五六七八九]?)十([一二三四五六七八九]?)$|^([廿卅])([一二三四五六七八九]?)$")
FULL_DATE = re.compile(r"((?:19|20)\d{2})\s*[年/.-]\s*(\d{1,2})\s*[月/.-]\s*(\d{1,2})")
MONTH_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月")
YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
# A closing date is written out with 年月日 (a page's "2020-02-07 10:33" is no 落款).
CLOSING_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
# What may follow a closing date: the end, a note in brackets (此件公开发布), the 版记
# (抄送, 印发), attachments, or page residue pasted after the text.
AFTER_CLOSING = re.compile(
    r"\s*(?:$|[（(【\[<]|抄送|印发|附件|扫一扫|打印|关闭|责任编辑|网络编辑|编辑|来源|信息来源|主题词"
    r"|分享|相关|联系人|联系电话|链接|下载)")
PRINTED = re.compile(r"\s*印发")
# A year range (2018－2022年, 2024-2026年) is a plan's period, not the document's year.
YEAR_RANGE = re.compile(r"(?:19|20)\d{2}\s*年?\s*[-–—－~～至到]\s*(?:19|20)\d{2}\s*年?")
LEADING_YEAR = re.compile(r"^\s*((?:19|20)\d{2})\s*年(?!代)")
# 文号: 国办发〔2021〕43号, 京政办发[2020]7号, 财政部公告2020年第6号.
DOC_NUMBER = re.compile(
    r"[\u4e00-\u9fff]{1,12}\s*[〔\[［(（【]\s*((?:19|20)\d{2})\s*[〕\]］)）】]\s*第?\s*\d{1,4}\s*号"
    r"|[\u4e00-\u9fff]{1,12}公告\s*((?:19|20)\d{2})\s*年\s*第\s*\d{1,4}\s*号")
NUMBER_WINDOW = 300  # the number stands in the head: this many characters of a paragraph ...
NUMBER_LINE_WRAP = "（）()［］[]【】 \u3000"  # what may wrap a number on its own line
NUMBER_UNITS = 3  # ... of the first paragraphs
# The last characters of an organ's name: 政府, 委员会, 办公室, 局, 厅, 部, 指挥部, 机制, 会议 …
BRACKETED_END = re.compile(r"[（(][^（()）]{1,10}[）)]$")  # 领导小组（指挥部）
ORGAN_END = re.compile(
    r"(?:[府会室厅委局部院署办处所站队司行社馆校联盟庭]|中心|小组|工作组|机制|集团|共青团|大学|会议)$")
NAME = re.compile(r"[\u4e00-\u9fff（）()·]{2,40}")
# Words of a sentence or a document's title, never of an organ's name.
NOT_NAME = re.compile(
    r"贯彻|落实|根据|按照|关于|为了|提示|通知|公告|通告|意见|办法|措施|现将|如下|印发|转发|要求|做好|"
    r"加强|证明|附件|附表|清单|名单|目录|政策|文件|指南|规定|细则|方案|规划|要点|一览表|报告|须知|"
    r"说明|公示|倡议|解读|期间")
CLOSING_PREFIX = re.compile(r"^(?:特此(?:公告|通告|通知|公示|函告|报告|批复)|此复|此函)")
# A title or first sentence opening with its issuer: "XX关于…", "XX印发…", "XX通告（第7号）".
ISSUER_BEFORE = re.compile(r"关于|印发|转发")
ISSUER_DOC_TYPE = re.compile(
    r"^(.{2,60}?)(?:通告|公告|命令|令|通知|通报|决定|紧急通知)"
    r"\s*(?:[（(]?第\s*[\d一二三四五六七八九十百]{1,5}\s*号[）)]?)?$")
RED_HEAD = re.compile(r"(?:^|\s)([\u4e00-\u9fff（）()·\s]{2,60}?)文件(?=\s|$)")
REPORT_ISSUER = re.compile(
    r"^(?:(?:19|20)\d{2}年度?)?((?:中华人民共和国)?(?:国务院|[\u4e00-\u9fff]{2,12}?政府))"
    r"(?:政府)?工作报告")
SPEAKER = re.compile(
    r"(省长|市长|县长|区长|州长|主席|总理|书记|主任|厅长|局长|部长|校长|院长|委员|代表)"
    r"[\s\u3000]*[\u4e00-\u9fff·]{2,4}$")
SPEAKER_MAX = 40
# Organs of the state, the party centre and the ministries: their documents are national.
NATIONAL = re.compile(
    r"^(?:中华人民共和国|中共中央|党中央|中央|国务院|全国|国家|最高人民|海关总署|税务总局|"
    r"中国|银保监会|证监会|新华社|第[一二三四五六七八九十]+届全国)")
MINISTRY = re.compile(r"^[^省市县区州盟旗]{1,12}部(?:办公厅|办公室)?$")
# What places_in may return that names a kind of place, not a place: 自治区 of "各省、自治区、
# 直辖市", 支持自治州 (the provinces' own names, 西藏自治区, are never cut so short).
GENERIC_PLACE = re.compile("(?:自治|直辖|省辖|地级|县级|设区|特别行政)[区州县旗市]$|^特别行政区$")
# A title's opening words before its own place name: 2020年湖北省…, 关于印发《湖北省…》.
TITLE_LEAD = re.compile(r"^(?:\s|(?:19|20)\d{2}\s*年度?|关于|印发|转发|[《“\"〈<「『])+")
MEETING_PLACE = re.compile(r"在([\u4e00-\u9fff]{2,12}?)第?[一二三四五六七八九十]+届")
OPENING_LABEL = re.compile(
    r"(?:发布|印发|成文)?(?:日期|时间)\s*[:：]\s*"
    r"((?:19|20)\d{2}\s*[年/.-]\s*\d{1,2}\s*[月/.-]\s*\d{1,2})")
LAW_NOTE = re.compile(r"^[（(].*(?:通过|修订|修正|公布|批准|发布|施行)")
LAW_BODY = re.compile(
    r"(?:日|\s)([\u4e00-\u9fff]{0,10}?)第[一二三四五六七八九十]+届(全国人民代表大会|人民代表大会)"
    r"(常务委员会)?")
ENTITY_SPACE = re.compile(r"&(?:ensp|emsp|nbsp|thinsp);|[\u2002\u2003\u00a0]")
NAMES_MAX = 200  # the names above a date are looked for in this many characters before it
CLOSING_UNITS = 3  # the 落款 is looked for in this many paragraphs at the end
SIGNED_UNITS = 8  # ... an undated one (notes may follow it) in this many
CLOSING_TAIL = 240  # ... within this many characters of a paragraph's end



def is_number_line(text: str) -> bool:
    """A line that is only a document number, maybe in brackets (苏银监办〔2005〕235号,
    （交运明电〔2020〕37号）): templates style it as a heading, yet it labels nothing."""
    return DOC_NUMBER.fullmatch(text.strip().strip(NUMBER_LINE_WRAP)) is not None

def _cn_value(word: str) -> str | None:
    """Digits for a Chinese numeral before 年/月/日, or None for no date numeral (十二三)."""
    word = word.translate(CN_ZEROS)
    if not any(c in word for c in "十廿卅"):
        return "".join(str(CN_DIGITS.index(c)) for c in word)
    m = CN_TENS.match(word)
    if not m:
        return None
    if m.group(3):
        tens = 2 if m.group(3) == "廿" else 3
        ones = m.group(4)
    else:
        tens = CN_DIGITS.index(m.group(1)) if m.group(1) else 1
        ones = m.group(2)
    return str(tens * 10 + (CN_DIGITS.index(ones) if ones else 0))


def arabic(text: str) -> str:
    """二〇二六年一月二十七日 -> 2026年1月27日: a year's digits one by one, months and days as
    numbers. A numeral that is no date numeral (十二三年, 二十〇年) stays as it is."""
    def number(m: re.Match[str]) -> str:
        value = _cn_value(m.group(0))
        return m.group(0) if value is None else value
    return CN_NUMBER.sub(number, text)


def iso_date(text: str, full_only: bool = False) -> str | None:
    """The first date of a text, ISO: 2020-03-05, or 2020-03 / 2020 unless `full_only`."""
    if CN_NUMBER.search(text):
        text = arabic(text)
    for m in FULL_DATE.finditer(text):
        year, month, day = (int(g) for g in m.groups())
        if 1 <= month <= 12 and 1 <= day <= 31:
            return f"{year:04d}-{month:02d}-{day:02d}"
    if full_only:
        return None
    if (m := MONTH_DATE.search(text)) and 1 <= int(m.group(2)) <= 12:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
    if m := YEAR.search(text):
        return m.group(1)
    return None


def organ_names(text: str, whole: bool = False) -> list[str]:
    """The organ names a text ends with ("…。 国家税务总局河南省税务局" -> one; "交通运输部
    国家发展改革委" -> two). Pieces broken over lines are joined until a name ends like an
    organ (政府, 局, 指挥部 …). With `whole`, the text must be nothing but names."""
    tail = re.split(r"[。！？；：:!?;，,]", text)[-1] if not whole else text
    if whole and re.search(r"[。！？；：:!?;，,]", text):
        return []
    pieces = [p for p in re.split(r"[\s、]+", tail) if p]
    kept: list[str] = []
    for piece in reversed(pieces):
        if not NAME.fullmatch(piece):
            if whole:
                return []
            break
        kept.insert(0, piece)
    while kept and CLOSING_PREFIX.match(kept[0]):
        kept[0] = CLOSING_PREFIX.sub("", kept[0])
        if not kept[0]:
            kept.pop(0)
    names: list[str] = []
    current = ""  # walking back: pieces without an organ's ending join the name after them
    for piece in reversed(kept):
        if ORGAN_END.search(BRACKETED_END.sub("", piece)):
            if current:
                names.insert(0, current)
            current = piece
        elif current and not NOT_NAME.search(piece) and len(piece + current) <= 40:
            current = piece + current
        elif whole or not current:
            return []  # a title or a sentence, not a name
        else:
            break
    if current:
        names.insert(0, current)
    if any(n.startswith("各") or NOT_NAME.search(n) for n in names):
        return []  # names addressees (各区人民政府), or is a sentence
    return list(dict.fromkeys(names))


def _plain(text: str) -> str:
    """Text for looking for dates: HTML space entities as spaces, Chinese numerals as digits."""
    text = ENTITY_SPACE.sub(" ", text)
    return arabic(text) if CN_NUMBER.search(text) else text


def _closing_in(text: str, tail_only: bool = True) -> list[tuple[str, bool, list[str], str]]:
    """Closing-date candidates of one paragraph: (ISO date, printed?, names above, before).

    A closing date ends its paragraph or is followed by a note, the 版记 or page residue;
    or it stands between an organ's name and more text (a 落款 before an attachment). A date
    glued to the words before it is one of a sentence (自2020年2月3日起), unless these words
    are an organ's name (办公室2020年2月15日印发)."""
    out = []
    start = max(0, len(text) - CLOSING_TAIL) if tail_only else 0
    for m in CLOSING_DATE.finditer(text, start):
        year, month, day = (int(g) for g in m.groups())
        if not (1 <= month <= 12 and 1 <= day <= 31):
            continue
        before, after = text[max(0, m.start() - NAMES_MAX):m.start()], text[m.end():]
        names = organ_names(before) if before.strip() else []
        if before and not before[-1].isspace() and not names:
            continue  # inside a sentence: 自2020年2月3日起
        if not AFTER_CLOSING.match(after) and not (names and after[:1].isspace()):
            continue
        out.append((f"{year:04d}-{month:02d}-{day:02d}", bool(PRINTED.match(after)), names,
                    before))
    return out


def _closing_at_start(text: str, previous: str) -> tuple[str, list[str]] | None:
    """A 落款 opening a paragraph, where a notice closes before its attachment:
    "吉林省人民政府办公厅 2020年2月8日 （此件公开发布） 关于…", or the date alone after a
    paragraph that ends a sentence."""
    text = _plain(text[:120])
    m = CLOSING_DATE.search(text, 0, 80)
    if not m or not (1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31):
        return None
    after = text[m.end():]
    if not (AFTER_CLOSING.match(after) or after[:1].isspace()) or PRINTED.match(after):
        return None
    before = text[:m.start()].strip()
    names = organ_names(before, whole=True) if before else []
    if before and not names:
        return None
    if not before and not re.search(r"[。！？!?]\s*$", previous):
        return None
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}", names


def closing(units: Sequence[Unit],
            dropped: Sequence[str] = ()) -> tuple[str | None, str | None, list[str], list[str]]:
    """The 落款 of a document: (its date, the 版记's 印发 date, the names above the date, the
    names of the printing office).

    Looked for at the end; else where a notice closes before its attachment (a paragraph
    opening with it, or one of organ names only before one opening with the date); else in
    lines dropped as page furniture (`dropped`, where a site's print bar shares the line);
    else anywhere a date stands right after an organ's name."""
    texts = [_plain(u.text) for u in units[-CLOSING_UNITS:] if u.heading_level is None]
    printed: str | None = None
    printer: list[str] = []
    for i in range(len(texts) - 1, -1, -1):
        for date, is_printed, names, before in reversed(_closing_in(texts[i])):
            if not before.strip() and i > 0 and len(texts[i - 1]) <= 80:
                names = organ_names(texts[i - 1], whole=True)
            if is_printed:
                printed, printer = (printed, printer) if printed else (date, names)
                continue
            return date, printed, names, printer
    for i, unit in enumerate(units):
        if found := _closing_at_start(unit.text, units[i - 1].text if i else ""):
            return found[0], printed, found[1], printer
    for unit, after in pairwise(units):
        if (len(unit.text) <= 80 and (names := organ_names(_plain(unit.text), whole=True))
                and (m := CLOSING_DATE.match(_plain(after.text).lstrip()))):
            year, month, day = (int(g) for g in m.groups())
            if 1 <= month <= 12 and 1 <= day <= 31:
                return f"{year:04d}-{month:02d}-{day:02d}", printed, names, printer
    for text in reversed(dropped):
        for date, is_printed, names, _ in reversed(_closing_in(_plain(text))):
            if names and not is_printed:
                return date, printed, names, printer
    for unit in units:
        for date, is_printed, names, _ in _closing_in(_plain(unit.text), tail_only=False):
            if names and not is_printed:
                return date, printed, names, printer
    # A 落款 without its date: paragraphs of organ names only near the end (notes may follow).
    signed: list[str] = []
    for unit in reversed(units[-SIGNED_UNITS:]):
        names = organ_names(_plain(unit.text), whole=True) if len(unit.text) <= 80 else []
        if names:
            signed[:0] = names
        elif signed:
            break
    return None, printed, signed, printer


def doc_number(title: str, front: Iterable[str], units: Sequence[Unit]) -> str | None:
    """The document's own number (文号): in its title block, or at the head of the first
    paragraph standing apart (a number cited in a sentence is in brackets:
    （交运明电〔2020〕37号）)."""
    for text in [title, *front]:
        if m := DOC_NUMBER.search(text):
            return re.sub(r"\s+", "", m.group(0))
    for unit in units[:NUMBER_UNITS]:
        head = unit.text[:NUMBER_WINDOW]
        for m in DOC_NUMBER.finditer(head):
            before, after = head[:m.start()], head[m.end():]
            if (not before or before[-1].isspace()) and (not after or after[0].isspace()):
                return re.sub(r"\s+", "", m.group(0))
    return None


def _number_year(number: str | None) -> str | None:
    return (m.group(1) or m.group(2)) if number and (m := DOC_NUMBER.search(number)) else None


def _opening(title: str, units: Sequence[Unit]) -> list[str]:
    """Texts that may open with the issuer: the title, the first paragraph's head."""
    texts = [title]
    if units:
        texts.append(units[0].text[:160])
    return texts


def opening_issuer(texts: Iterable[str]) -> list[str]:
    """Names a title or first sentence opens with: "XX市人民政府办公室关于…", "XX指挥部通告"."""
    for text in texts:
        text = text.strip()
        if ((m := ISSUER_BEFORE.search(text, 0, 100)) and m.start() >= 2
                and (names := organ_names(text[:m.start()], whole=True))):
            return names
        segment = re.split(r"\s{2,}|\s(?=[^\s]{0,20}[：:])", text, maxsplit=1)[0]
        segment = re.split(r"\s", segment, maxsplit=1)[0] if len(segment) > 60 else segment
        if (m := ISSUER_DOC_TYPE.match(segment)) and (names := organ_names(m.group(1), True)):
            return names
    return []


def red_head(texts: Iterable[str]) -> list[str]:
    """The red-head line's organs: "天津市商务局文件" -> 天津市商务局."""
    for text in texts:
        for m in RED_HEAD.finditer(text[:400]):
            if names := organ_names(m.group(1).strip(), whole=True):
                return names
    return []


def national(name: str) -> bool:
    """An organ of the state, the party centre or a ministry (国务院办公厅, 国家卫生健康委,
    交通运输部): what it issues is of the whole country."""
    return bool(NATIONAL.match(name) or MINISTRY.match(name))


def _places(text: str) -> list[str]:
    provinces = {full for full, _ in PROVINCES}
    return [p for p in places_in(text) if p in provinces or not GENERIC_PLACE.search(p)]


def _bare(place: str) -> str:
    return re.sub("(?:壮族|回族|维吾尔)?自治区$|特别行政区$|[省市]$", "", place)


def leading_place(text: str) -> str | None:
    """The place a title opens with (after a year, 关于, 印发《): "2020年湖北省…" -> 湖北省."""
    rest = TITLE_LEAD.sub("", text)
    if national(rest):
        return None
    places = _places(rest[:20])
    if places and any(rest.startswith(k) for k in (places[0], _bare(places[0])) if k):
        return places[0]
    return None


def place_of(issuers: Iterable[str | None]) -> tuple[str | None, bool]:
    """(place, decided): the place in the first issuer name that has one; a national first
    issuer decides "none"; names with neither (市商务局) leave it open."""
    for issuer in issuers:
        if not issuer:
            continue
        first = re.split(r"[\s、，,]+", issuer.strip())[0]
        if places := _places(issuer):
            return places[0], True
        if national(first):
            return None, True
    return None, False


def _speaker(front: Iterable[str]) -> str | None:
    return next((f for f in front if len(f) <= SPEAKER_MAX and not re.search("[，,。]", f)
                 and SPEAKER.search(f)), None)


def _year_in_title(title: str) -> str | None:
    text = YEAR_RANGE.sub(" ", arabic(title) if CN_NUMBER.search(title) else title)
    m = re.search(r"(?<!\d)((?:19|20)\d{2})\s*年(?!代)", text)
    return m.group(1) if m else None


def _heading_year(units: Sequence[Unit]) -> str | None:
    for unit in units[:3]:
        if unit.heading_level is not None:
            text = arabic(unit.text) if CN_NUMBER.search(unit.text) else unit.text
            if not YEAR_RANGE.match(text.strip()) and (m := LEADING_YEAR.match(text)):
                return m.group(1)
    return None


def _law_note(units: Sequence[Unit], front: Sequence[str]) -> str | None:
    """"（2006年10月31日…通过 2024年11月8日…修订）": the note under a law's title."""
    for text in [*front[:2], *(u.text for u in units[:3])]:
        if len(text) <= 300 and LAW_NOTE.match(text):
            return arabic(text) if CN_NUMBER.search(text) else text
    return None


def _law_date(note: str | None) -> str | None:
    """A law's date: of its latest full revision (修订), else of its adoption (通过); an
    amendment (修正) by a later decision leaves the law the one adopted."""
    if not note:
        return None
    dated = [(m.end(), d) for m in FULL_DATE.finditer(note) if (d := iso_date(m.group(0), True))]
    revised = [d for end, d in dated if "修订" in note[end:end + 60].split("）")[0]
               and not FULL_DATE.search(note[end:end + 60].split("修订")[0])]
    return max(revised) if revised else (dated[0][1] if dated else None)


def _law_body(note: str | None) -> str | None:
    """The body that adopted a law: 全国人民代表大会常务委员会, XX省人民代表大会常务委员会."""
    if note and (m := LAW_BODY.search(note)):
        return f"{m.group(1) or ''}{m.group(2)}{m.group(3) or ''}"
    return None


def _label_date(units: Sequence[Unit]) -> str | None:
    """"发布日期：2020-02-10" inside the head of a flattened first paragraph."""
    if units and (m := OPENING_LABEL.search(units[0].text[:NUMBER_WINDOW])):
        return iso_date(m.group(1), full_only=True)
    return None


def _same_organ(names: Iterable[str], others: Iterable[str]) -> bool:
    """Whether two lists of names share an organ (天津市商务局 / 天津市商务局办公室)."""
    others = list(others)
    return any(a in b or b in a for a in names for b in others)


def document_meta(title: str, front: Sequence[str], units: Sequence[Unit],
                  stated: Any, found_date: str | None, found_issuer: str | None,
                  file: str, url: str | None = None,
                  dropped: Sequence[str] = (), file_format: str | None = None) -> DocumentMeta:
    """Everything a document states about itself, from where it states it.

    `stated`: the reader's meta; `found_date`/`found_issuer`: what dropped furniture lines
    said (发布日期, 来源); `dropped`: the document's furniture lines, where a 落款 may share a
    line with a print bar; `file_format`: the reader's. A web page's stated date is its
    publishing date; other formats' property dates are the file's (made, saved, converted):
    the last resort."""
    stated_get = getattr(stated, "get", lambda _k: None)
    stated_issuer = stated_get("issuer")
    head = " ".join([title, *front])
    closing_date, printed_date, closing_names, printer = closing(units, dropped)
    number = doc_number(title, front, units)
    number_year = _number_year(number)
    page_date = stated_get("date") if file_format == "html" else None
    file_date = stated_get("date") if file_format != "html" else None
    published = page_date or found_date or _label_date(units)
    if number_year:
        numbered = published if published and published[:4] == number_year else number_year
    else:
        numbered = None
    note = _law_note(units, front)

    front_texts = list(front)
    heads = [*front_texts, units[0].text if units else ""]
    red = red_head(heads) or red_head(dropped)  # above the title, dropped with the menus
    opened = opening_issuer(_opening(title, units))
    speaker = _speaker(front_texts)
    report = (m.group(1) if (m := REPORT_ISSUER.match(title)) else None)
    listed = next((names for f in front_texts[:4] if (names := organ_names(f, whole=True))), [])
    # A format's red-head is the issuer as it stands; a web page's source label (来源：价格司)
    # names who posted it, after what the text says.
    page_issuer = stated_issuer if file_format == "html" else None
    stated_issuer = None if file_format == "html" else stated_issuer
    candidates = [stated_issuer and re.sub(r"文件$", "", stated_issuer.strip()),
                  "、".join(red), "、".join(opened), "、".join(listed), _law_body(note),
                  "、".join(closing_names), speaker, report, page_issuer, "、".join(printer),
                  found_issuer]
    issuer = stated_issuer or next((c for c in candidates[1:] if c), None)
    if issuer and not stated_issuer:  # 市商务局 named in full elsewhere: 天津市商务局
        issuer = next((c for c in candidates[1:] if c and c != issuer and c.endswith(issuer)
                       and len(c) - len(issuer) <= 8), issuer)
    own = [*red, *opened, *listed]
    if (closing_names and printed_date and own and not _same_organ(own, closing_names)
            and _same_organ(own, printer)):
        closing_date = None  # the 落款 of a document it forwards; its own is the 印发 date
    date = (iso_date(title, full_only=True) or closing_date or iso_date(head, full_only=True)
            or _law_date(note) or printed_date
            or numbered or published or _year_in_title(title) or _heading_year(units)
            or file_date)

    place, decided = place_of(candidates)
    if not decided:
        stem = PurePosixPath(file).stem.replace("_", " ")
        meeting = next((m.group(1) for m in MEETING_PLACE.finditer(head)), None)
        heading = units[0].text if units and units[0].heading_level is not None else ""
        place = (leading_place(title) or leading_place(heading)
                 or (meeting and leading_place(meeting)) or leading_place(stem))
    values: dict[str, Any] = dict(title=title, date=date, place=place, issuer=issuer, url=url)
    if "number" in _META_FIELDS:
        values["number"] = number
    return DocumentMeta(**values)


_META_FIELDS = frozenset(f.name for f in fields(DocumentMeta))
