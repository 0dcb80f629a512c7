"""What kind of answer a question asks for — a phone number, a time or date, a count — and
whether a passage holds one.

"咨询热线是多少" is answered by the passage with the number, not by the one that repeats the
notice's name; lexical scores cannot tell them apart, a digit pattern can. The kind only
reorders close passages (a boost, like the prior), never filters: a passage without digits may
still be the answer.
"""

from __future__ import annotations

import re

# (kind, what a question asking for it says, what a passage holding it shows)
KINDS: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = (
    ("phone", re.compile(r"电话|热线|号码|手机|联系方式|拨打|打哪个|打什么"),
     re.compile(r"(?<![\d.])(?:\d{3,4}[-－—]\d{7,8}|1[3-9]\d{9}|\d{5,8})"
                r"(?![\d.．%％元万亿人个户家吨台件年月日号])")),
    ("time", re.compile(r"几点|什么时候|何时|哪天|哪一天|几号|多久|期限|截止|到什么时候|什么时间"),
     re.compile(r"\d{1,2}\s*[:：]\s*\d{2}|\d{1,2}\s*[时点]|\d{1,2}\s*月\s*\d{1,2}\s*日"
                r"|(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月|[上下]午|即日起|之日起|[一二三四五六七八九十]+个?月"
                r"|\d+\s*(?:个)?(?:工作日|天|日内|个月)")),
    ("count", re.compile(r"多少|(?<!哪)几[个次项条天回家所人批类种]"),  # 哪几所 asks which
     re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|个|次|项|条|天|回|家|所|人|批|类|种|元|万|亿|倍)"
                r"|[一二两三四五六七八九十百千]+[个次项条天回家所人批类种倍]")),
)
KIND_BOOST = 0.5  # a passage showing an asked kind of answer: its order x (1 + KIND_BOOST)


def kinds_asked(question: str) -> tuple[str, ...]:
    """The kinds of answer a question asks for (热线是多少 → phone, count)."""
    return tuple(kind for kind, asking, _ in KINDS if asking.search(question))


def holds_kind(text: str, kinds: tuple[str, ...]) -> bool:
    """Whether a passage's text shows an answer of one of these kinds."""
    return any(kind in kinds and shown.search(text) for kind, _, shown in KINDS)
