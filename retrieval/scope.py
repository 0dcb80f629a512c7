"""What a question says about which documents it means: years, places, a document.

Pure functions. Two kinds of scope come out, kept apart because they do different things:
*implied* scope is read from the question's words (2019年, 武汉, 政府工作报告) and only ranks
(a document that states it is preferred, one that does not is never removed); *explicit* scope
is typed (年:2019, 地:四川, 文:…) or given by a flag or button, and restricts. Years are read
from the text (2019年, 19年, 二〇一九年, ranges, 以来/以前); places come from a jieba.posseg-like
tagger, so a name counts only when it is a word of its own (川 alone, never inside 山川).
Relative years (今年, 去年) need a reference date and are left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

import opencc

Tagger = Callable[[str], list[tuple[str, str]]]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


@dataclass(frozen=True)
class Scope:
    """Documents a question or a filter names; empty fields mean "any"."""

    since: int | None = None  # first year, inclusive
    until: int | None = None  # last year, inclusive
    places: tuple[str, ...] = ()  # canonical place names (see canonical_place)
    doc: str | None = None  # words of a document's title
    documents: tuple[str, ...] = ()  # document ids (DocumentInfo.id): "ask within this one"

    @property
    def is_empty(self) -> bool:
        return (self.since is None and self.until is None and not self.places
                and self.doc is None and not self.documents)

    def merged(self, other: Scope) -> Scope:
        """This scope with every field that `other` sets taken from `other`: explicit filters
        (other) override what the question implies (self), field by field."""
        return Scope(
            since=other.since if other.since is not None else self.since,
            until=other.until if other.until is not None else self.until,
            places=other.places or self.places,
            doc=other.doc if other.doc is not None else self.doc,
            documents=other.documents or self.documents)


@dataclass(frozen=True)
class QuestionScope:
    implied: Scope  # read from the question's words: a preference, never a filter
    explicit: Scope  # typed in the question (年:2019, 地:四川, 文:…): restricts
    # The year names the document (2015年政府工作报告, 21年GDP预期目标), not an event whose
    # figures are usually reported in the next year's report (1979年职工的年平均工资).
    document_year: bool
    text: str  # the question without explicit filter syntax
    # Places typed as a filter (地:深圳) that no document's metadata states: the engine checks
    # the text before it says anything about them.
    unknown_places: tuple[str, ...] = ()
    # The document the question names by its kind (报告, 通知 …) and the words before it.
    document_words: tuple[str, ...] = ()

    @property
    def typed(self) -> bool:
        return not self.explicit.is_empty


# China's 34 provincial-level divisions: full name, and standard one-character short forms.
# The name without its suffix is derived (see _bare).
PROVINCES: tuple[tuple[str, str], ...] = (
    ("北京市", "京"), ("天津市", "津"), ("河北省", "冀"), ("山西省", "晋"),
    ("内蒙古自治区", "蒙"), ("辽宁省", "辽"), ("吉林省", "吉"), ("黑龙江省", "黑"),
    ("上海市", "沪"), ("江苏省", "苏"), ("浙江省", "浙"), ("安徽省", "皖"), ("福建省", "闽"),
    ("江西省", "赣"), ("山东省", "鲁"), ("河南省", "豫"), ("湖北省", "鄂"), ("湖南省", "湘"),
    ("广东省", "粤"), ("广西壮族自治区", "桂"), ("海南省", "琼"), ("重庆市", "渝"),
    ("四川省", "川蜀"), ("贵州省", "黔贵"), ("云南省", "滇云"), ("西藏自治区", "藏"),
    ("陕西省", "陕秦"), ("甘肃省", "甘陇"), ("青海省", "青"), ("宁夏回族自治区", "宁"),
    ("新疆维吾尔自治区", "新"), ("台湾省", "台"), ("香港特别行政区", "港"),
    ("澳门特别行政区", "澳"),
)
PROVINCE_SUFFIX = re.compile("(?:壮族|回族|维吾尔)?自治区$|特别行政区$|[省市]$")
CITY_SUFFIXES = "市县区州盟"
# Common words ending in a city suffix: X全市, X城区, X开发区 are not place names.
NOT_CITY_ENDINGS = _words(
    "城市 都市 全市 本市 我市 该市 各市 此市 超市 股市 楼市 车市 夜市 上市 门市 集市 菜市 "
    "全县 本县 我县 该县 各县 郡县 州县 "
    "地区 社区 园区 城区 市区 县区 郊区 景区 片区 校区 小区 山区 牧区 矿区 灾区 辖区 街区 湾区 "
    "林区 垦区 老区 特区 库区 禁区 误区 盲区 专区 战区 全区 本区 我区 该区 各区 厂区 营区 "
    "神州 九州 各州 联盟 同盟 加盟 结盟 全盟 "
    "开发区 示范区 保护区 试验区 实验区 工业区 商业区 住宅区 功能区 风景区 生活区 经济区 自贸区 "
    "高新区 保税区 先行区 集聚区 核心区 贫困区 边远区 居民区 办公区 服务区 合作区 承接区"
)
# A suffix followed by one of these is the start of another word (市场, 区域, 县域, 盟友).
NOT_CITY_NEXT = {"市": "场值面价井容民", "区": "域别分块间", "县": "域城", "州": "", "盟": "友约"}
# Words before a name in running text (关于天水市, 中共鲁山县委): never part of the name.
NAME_PREFIXES = re.compile(
    "^(?:中共|关于|对于|全|原|在|于|和|与|及|对|的|为|向|从|到|各|我|本|该)+")
CJK = "\u3400-\u9fff"
CITY_IN_TEXT = re.compile(f"([{CJK}]{{2,9}}?)([{CITY_SUFFIXES}])")
# Place-tagged words that are never a document's scope: countries, the nation, regions.
NOT_SCOPE = _words(
    "中华 华夏 世界 国际 海外 境外 国外 内地 大陆 亚洲 欧洲 非洲 美洲 亚太 东方 西方 东北 西北 "
    "西南 东南 华北 华东 华南 华中 中原 江南 江北 岭南 关中 中部 西部 东部 北方 南方 山川"
)

YEAR_SEPARATORS = "-–—~～至到"
DIGIT_YEAR = r"(?<![\d.])(?:(?P<y4>(?:19|20)\d\d)(?!\d)|(?P<y2>\d\d)(?=年))"
CHINESE_DIGITS = "〇零一二三四五六七八九"
CHINESE_YEAR = re.compile(f"[{CHINESE_DIGITS}]{{4}}(?=年)")
YEAR_RANGE = re.compile(
    rf"(?<![\d.])(?P<a>(?:19|20)?\d\d)年?\s*[{YEAR_SEPARATORS}]\s*(?P<b>(?:19|20)?\d\d)(?!\d)")
SINGLE_YEAR = re.compile(DIGIT_YEAR)
# After a bare 4-digit number these make it a quantity (2000亿元, 2000多人), not a year.
QUANTITY_NEXT = re.compile("[万亿千百十元米吨人个户套所家项件台辆斤亩名次倍多余%％.]")
# After "NN年" these make it a duration or decade (30年来, 80年代, 10年内).
DURATION_NEXT = re.compile("年(?:代|来|内|间|里|中|多|左右|以上|以内|后|前)")
DURATION_BEFORE = re.compile("(?:近|第|这|每|过去|头|前|后|多|约)$")
SINCE_NEXT = re.compile(r"年?\s*(?:以来|起|开始|至今)")
UNTIL_NEXT = re.compile(r"年?\s*(?:以前|之前)")
DEADLINE_BEFORE = re.compile("(?:到|至|截至|截止)$")
# The year names a report: 2013年报告里, 1997年的报告, 2026年国务院政府工作报告.
REPORT_AFTER = re.compile(r"年?[^，。？！,?!\s]{0,8}?报告")
# A target or plan of a year is stated in that year's own document.
TARGET_WORDS = re.compile("目标|预期|计划|安排")

FILTER = re.compile(
    r"(?<!\w)(?P<key>年|地|文|year|place|doc)\s*[:：]\s*(?P<value>[^\s]+)\s*", re.IGNORECASE)
FILTER_KEYS = {"年": "year", "地": "place", "文": "doc"}
LIST_SEPARATORS = re.compile("[,，、;；/]")
# The document a question names after its year: "2026年国务院政府工作报告" gives the words
# before the kind (国务院政府工作) and the kind (报告); "1997年的报告" the kind alone.
DOCUMENT_NAMED = re.compile(
    r"(?:(?:19|20)\d\d|\d\d)年(?:的)?([\u4e00-\u9fff]{0,10}?)(报告|讲话|通知|意见|决定|决议|"
    r"公报|白皮书|纲要|条例|规划|办法|方案)")


@lru_cache(maxsize=1)
def _t2s() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def _bare(full: str) -> str:
    return PROVINCE_SUFFIX.sub("", full)


@lru_cache(maxsize=1)
def _province_names() -> dict[str, str]:
    """Full name and name without suffix -> full name (short forms are separate: ambiguous)."""
    return {name: full for full, _ in PROVINCES for name in (full, _bare(full))}


@lru_cache(maxsize=1)
def _short_forms() -> dict[str, str]:
    return {short: full for full, shorts in PROVINCES for short in shorts}


def _simplified(name: str) -> str:
    return _t2s().convert(unicodedata.normalize("NFKC", name)).strip()


def _is_city(name: str, following: str = "") -> bool:
    """X市/X县/X区/X州/X盟 with 2-4 characters of X, and not a common word (全市, 社区)."""
    if len(name) < 3 or len(name) > 5 or name[-1] not in CITY_SUFFIXES:
        return False
    if not re.fullmatch(f"[{CJK}]+", name) or NOT_CITY_ENDINGS & {name[-2:], name[-3:]}:
        return False
    return not (following and following[0] in NOT_CITY_NEXT[name[-1]])


def canonical_place(name: str) -> str | None:
    """The full name of a provincial-level division (四川, 川, 蜀, 四川省 -> 四川省; traditional
    forms too), a city or county name as given (深圳, 深圳市), or None for no place name."""
    simple = _simplified(name)
    if simple in _province_names():
        return _province_names()[simple]
    if simple in _short_forms():
        return _short_forms()[simple]
    if _is_city(simple):
        return simple
    # A bare name (深圳) is kept as given; a word ending like a place but rejected above (全市,
    # 城市) or a country (美国) is no place.
    if (2 <= len(simple) <= 4 and re.fullmatch(f"[{CJK}]+", simple) and simple not in NOT_SCOPE
            and simple[-1] not in CITY_SUFFIXES + "国洲"):
        return simple
    return None


def _unique(names: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(names))


def places_in(text: str) -> list[str]:
    """The provincial-level, city and county names of a title or issuer, canonical, in order.

    Used for a document's place: "2026年四川省人民政府工作报告" -> ["四川省"]. Without a tagger,
    a city name is the run of characters before its suffix, cut after any function word."""
    simple = _simplified(text)
    found: list[tuple[int, str]] = []
    names = sorted(_province_names(), key=len, reverse=True)
    province = re.compile("|".join(map(re.escape, names)))
    masked = list(simple)
    for match in province.finditer(simple):
        found.append((match.start(), _province_names()[match.group()]))
        masked[match.start():match.end()] = "|" * (match.end() - match.start())
    rest = "".join(masked)
    for match in CITY_IN_TEXT.finditer(rest):
        stem = NAME_PREFIXES.sub("", match.group(1))
        stem = re.split("[年的在和与及对为是]", stem)[-1]
        name = stem + match.group(2)
        if re.search("(?:自治|直辖|省辖|地级|县级|设区)$", stem):  # 自治区 of 各省、自治区: no name
            continue
        if 2 <= len(stem) <= 4 and _is_city(name, rest[match.end():match.end() + 1]):
            found.append((match.start(1) + match.group(1).rfind(stem), name))
    return _unique(name for _, name in sorted(found))


def _place_keys(name: str) -> set[str]:
    """Forms under which a known place may be named: 四川省 -> {四川省, 四川}; 天水市 -> {天水市,
    天水}. A city's bare name only counts for its own suffix form."""
    canonical = canonical_place(name) or _simplified(name)
    keys = {canonical, _simplified(name)}
    if canonical in _province_names().values():
        keys.add(_bare(canonical))
    elif canonical[-1:] in CITY_SUFFIXES and len(canonical) >= 3:
        keys.add(canonical[:-1])
    return keys


def _year_of(digits: str, this_year: int) -> int:
    if len(digits) == 4:
        return int(digits)
    two = int(digits)
    return (1900 if two > this_year % 100 else 2000) + two


def _chinese_year(digits: str) -> int:
    return int("".join(str(max(CHINESE_DIGITS.index(c) - 1, 0)) for c in digits))


def _years(text: str, this_year: int) -> tuple[list[tuple[int | None, int | None]], bool]:
    """Year intervals named in `text`, and whether a year names its document."""
    intervals: list[tuple[int | None, int | None]] = []
    document = False
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for match in YEAR_RANGE.finditer(text):
        a, b = (_year_of(match[g], this_year) for g in ("a", "b"))
        if len(match["a"]) != len(match["b"]) and len(match["b"]) == 2:
            b = a // 100 * 100 + int(match["b"])  # 2015-19年
        if a < b:
            intervals.append((a, b))
            taken.append(match.span())
            document |= bool(REPORT_AFTER.match(text, match.end()))
    singles: list[tuple[int, int, int]] = []
    for match in SINGLE_YEAR.finditer(text):
        if not free(*match.span()):
            continue
        after, before = text[match.end():], text[:match.start()]
        if match["y4"]:
            if not after.startswith("年") and QUANTITY_NEXT.match(after):
                continue
            year = int(match["y4"])
        else:
            if DURATION_NEXT.match(after) or DURATION_BEFORE.search(before):
                continue
            year = _year_of(match["y2"], this_year)
        singles.append((match.start(), match.end(), year))
    for match in CHINESE_YEAR.finditer(text):
        if 1900 <= (year := _chinese_year(match.group())) < 2100:
            singles.append((match.start(), match.end(), year))
    for start, end, year in singles:
        if SINCE_NEXT.match(text, end):
            intervals.append((year, None))
        elif UNTIL_NEXT.match(text, end):
            intervals.append((None, year))
        else:
            intervals.append((year, year))
            deadline = DEADLINE_BEFORE.search(text[:start])
            document |= bool(REPORT_AFTER.match(text, end)) or (
                not deadline and bool(TARGET_WORDS.search(text)))
    return intervals, document


def _span(intervals: list[tuple[int | None, int | None]]) -> tuple[int | None, int | None]:
    """One interval covering all named ones; an open end stays open."""
    if not intervals:
        return None, None
    lows, highs = [lo for lo, _ in intervals], [hi for _, hi in intervals]
    since = None if None in lows else min(lo for lo in lows if lo is not None)
    until = None if None in highs else max(hi for hi in highs if hi is not None)
    return since, until


def _explicit(question: str) -> tuple[dict[str, list[str]], str]:
    """Filters typed in the question (年:2019, 地:四川, 文:政府工作报告), and the question without
    them."""
    found: dict[str, list[str]] = {"year": [], "place": [], "doc": []}
    for match in FILTER.finditer(question):
        key = match["key"].lower()
        found[FILTER_KEYS.get(key, key)].append(unicodedata.normalize("NFKC", match["value"]))
    text = " ".join(FILTER.sub(" ", question).split())
    return found, text


def _explicit_years(values: list[str]) -> list[tuple[int | None, int | None]]:
    intervals: list[tuple[int | None, int | None]] = []
    for value in values:
        bounds = re.fullmatch(rf"((?:19|20)\d\d)?年?\s*[{YEAR_SEPARATORS}]\s*((?:19|20)\d\d)?年?",
                              value)
        if bounds and (bounds[1] or bounds[2]):
            intervals.append((int(bounds[1]) if bounds[1] else None,
                              int(bounds[2]) if bounds[2] else None))
        elif single := re.fullmatch(r"((?:19|20)\d\d)年?", value):
            intervals.append((int(single[1]), int(single[1])))
    return intervals


def _tagged_places(tagged: list[tuple[str, str]],
                   settlement: Callable[[str], bool] | None = None) -> list[str]:
    """Place words of a tagged question: every name in the province table, place-tagged (ns)
    X市/X县 words, and a bare ns word (深圳) before a time word or that `settlement` takes for a
    city or county's name. jieba tags rivers, regions and even verbs ns (长江, 东北, 惠及), so
    a bare ns word alone is not taken."""
    words: list[str] = []
    for i, (word, flag) in enumerate(tagged):
        word = _simplified(word)
        nxt = _simplified(tagged[i + 1][0]) if i + 1 < len(tagged) else ""
        after = tagged[i + 2][0] if i + 2 < len(tagged) else ""
        province = word in _province_names()
        short = len(word) == 1 and word in _short_forms() and flag in ("j", "ns")
        # A city word must be tagged a place: 住宅区 and 工业区 are nouns (n), 鲁山县 is ns.
        if province or short or (flag == "ns" and _is_city(word, nxt)):
            words.append(word)
        elif flag == "ns" and nxt in tuple(CITY_SUFFIXES) and _is_city(word + nxt, after):
            words.append(word + nxt)
        elif (flag == "ns" and word not in NOT_SCOPE and not word.endswith(("国", "洲"))
              and 2 <= len(word) <= 4
              and (_before_time(tagged[i + 1:])
                   or (settlement is not None and settlement(word)))):
            words.append(word)
    return words


def _before_time(rest: list[tuple[str, str]]) -> bool:
    """The next word is a time word or a year (深圳今年, 深圳2026年), maybe after 的."""
    if rest and rest[0][0] == "的":
        rest = rest[1:]
    if not rest:
        return False
    word, flag = rest[0]
    return flag == "t" or bool(re.fullmatch(r"(?:19|20)\d\d年?|\d\d年", word))


def _known(word: str, flag: str, keys: dict[str, str]) -> str | None:
    """The known place a tagged word names; a one-character short form only as a name (j/ns)."""
    simple = _simplified(word)
    if len(simple) == 1 and flag not in ("j", "ns"):
        return None
    return keys.get(canonical_place(simple) or simple) or keys.get(simple)


def place_gazetteer(tags: Mapping[str, str], known_places: Collection[str]) -> frozenset[str]:
    """Every string the rules above can take a place from: the dictionary's words tagged ns
    or j (of one character, only a province's short form), the provinces' names and the
    forms of the corpus's known places. A question holding none of them names no place and
    need not be tagged: part-of-speech tagging is most of the time of reading a question."""
    words = {w for w, flag in tags.items() if flag in ("ns", "j") and len(w) > 1}
    words |= set(_short_forms()) | set(_province_names())
    words |= {key for known in known_places for key in _place_keys(known)}
    return frozenset(_simplified(w) for w in words if w)


def may_name_place(text: str, gazetteer: frozenset[str], longest: int) -> bool:
    """Whether `text` (in simplified form) holds a word of the gazetteer (see place_gazetteer),
    `longest` the length of its longest word."""
    simple = _simplified(text)
    return any(simple[i:i + n] in gazetteer for n in range(1, longest + 1)
               for i in range(len(simple) - n + 1))


def question_scope(question: str, known_places: Collection[str], tag: Tagger,
                   this_year: int | None = None,
                   settlement: Callable[[str], bool] | None = None) -> QuestionScope:
    """The scope a question names, implied by its words and typed as filters.

    Implied places are every place the question names, known to the corpus's metadata or not
    (the documents may state them only in their text); typed places are matched against the
    known ones, and those no document's metadata states are returned as unknown. One-character
    short forms only ever match known places, since 新, 青, 宁 are also ordinary words.
    `settlement` tells whether a bare word names a city or county (深圳 for 深圳市)."""
    this_year = this_year or date.today().year
    explicit, text = _explicit(question)
    keys = {key: known for known in known_places for key in _place_keys(known)}
    plain = unicodedata.normalize("NFKC", text)
    intervals, document = _years(plain, this_year)
    since, until = _span(intervals)
    stated_since, stated_until = _span(_explicit_years(explicit["year"]))

    places: list[str] = []
    typed: list[str] = []
    unknown: list[str] = []
    for name in (n for v in explicit["place"] for n in LIST_SEPARATORS.split(v) if n):
        canonical = canonical_place(name) or _simplified(name)
        found = keys.get(canonical) or keys.get(_simplified(name))
        (typed if found else unknown).append(found or canonical)
    tagged = tag(text)
    # Any word naming a known place counts (天水 is tagged n, yet names 天水市's report); other
    # place-like words count as the place they name.
    places.extend(found for word, flag in tagged if (found := _known(word, flag, keys)))
    for word in _tagged_places(tagged, settlement):
        if found := _known(word, "ns", keys):
            places.append(found)
        elif len(word) > 1:
            places.append(canonical_place(word) or word)
    doc = " ".join(explicit["doc"]) or None
    implied = Scope(since=since, until=until, places=tuple(_unique(places)))
    stated = Scope(since=stated_since, until=stated_until,
                   places=tuple(_unique(typed + unknown)), doc=doc)
    named = DOCUMENT_NAMED.search(plain)
    return QuestionScope(implied=implied, explicit=stated,
                         document_year=document and since is not None, text=text,
                         unknown_places=tuple(_unique(unknown)),
                         document_words=(named.group(1), named.group(2)) if named else ())


def same_place(place: str | None, wanted: str) -> bool:
    """Whether a document's place is the place wanted, or within or around it (四川省 and
    四川省成都市 are the same place for a scope of 四川省)."""
    return bool(place) and (place == wanted or place.startswith(wanted)
                            or wanted.startswith(place))


def years_label(since: int | None, until: int | None) -> str:
    """A span of years as the notes say it: 2019年, 2015年以来, 2019年以前, 2015—2019年."""
    if since == until:
        return f"{since}年"
    if until is None:
        return f"{since}年以来"
    if since is None:
        return f"{until}年以前"
    return f"{since}—{until}年"


def place_forms(name: str) -> tuple[str, ...]:
    """The forms a place is written in inside a text, longest first: 湖北省 -> (湖北省, 湖北);
    武汉市 -> (武汉市, 武汉). The shortest form is the one to look for in a text."""
    return tuple(sorted(_place_keys(name), key=len, reverse=True))
