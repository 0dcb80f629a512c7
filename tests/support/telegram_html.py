"""An independent checker for the Telegram HTML the bot sends, for tests.

Written from the Bot API's description of its HTML style (core.telegram.org/bots/api#html-style)
and Telegram's message limits, not from ``bot/render.py``, so a renderer bug cannot hide behind
a shared mistake. Where Telegram is lenient the checker is strict on purpose: Telegram keeps a
stray ``&`` or ``>`` as text, but in the bot's output either one means something was not escaped.

``check(markup)`` returns the visible text and entities, or raises ``TelegramHtmlError`` naming
the first problem: a tag outside Telegram's subset, an attribute it does not take, bad nesting,
an unclosed tag, a malformed ``&`` entity, a stray ``<``/``>``, text that is not valid Unicode
(lone surrogates cannot be sent as UTF-8), an empty message, more than 4096 UTF-16 code units
after entity parsing, or more than 100 entities (Telegram silently drops the rest).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

MESSAGE_LIMIT = 4096  # UTF-16 code units of visible text
MAX_ENTITIES = 100

# Tag -> attributes it may carry (name -> required value pattern; None: a bare attribute).
_ATTRIBUTES: dict[str, dict[str, re.Pattern[str] | None]] = {
    "b": {}, "strong": {}, "i": {}, "em": {}, "u": {}, "ins": {}, "s": {}, "strike": {},
    "del": {}, "tg-spoiler": {}, "pre": {},
    "span": {"class": re.compile(r"tg-spoiler")},
    "a": {"href": re.compile(r"(https?://|tg://)\S+")},
    "code": {"class": re.compile(r"language-[\w+-]+")},
    "tg-emoji": {"emoji-id": re.compile(r"[1-9]\d{0,18}")},
    "blockquote": {"expandable": None},
}
_REQUIRED = {"span": "class", "a": "href", "tg-emoji": "emoji-id"}
_NO_NESTED_ENTITIES = {"code", "pre"}  # Telegram: nothing inside code or pre (but pre > code)
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_TOKEN = re.compile(
    r"<(?P<close>/?)(?P<tag>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s+[^\s<>=]+(?:=\"[^\"<>]*\")?)*)"
    r"\s*>"
    r"|&(?:(?P<named>[a-z]+)|#(?P<dec>\d{1,7})|#x(?P<hex>[0-9A-Fa-f]{1,6}));"
    r"|(?P<stray>[<>&])"
)
_ATTRIBUTE = re.compile(r"([^\s<>=]+)(?:=\"([^\"<>]*)\")?")


class TelegramHtmlError(AssertionError):
    """The markup would be rejected, mangled or cut by Telegram (or shows unescaped text)."""


@dataclass(frozen=True)
class Entity:
    type: str
    offset: int  # UTF-16 code units, as Telegram counts
    length: int


@dataclass
class Parsed:
    text: str
    entities: list[Entity] = field(default_factory=list)

    @property
    def units(self) -> int:
        return utf16_units(self.text)


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_reference(match: re.Match[str]) -> str:
    if match["named"] is not None:
        if match["named"] not in _NAMED:
            raise TelegramHtmlError(f"unknown entity &{match['named']};")
        return _NAMED[match["named"]]
    code = int(match["dec"]) if match["dec"] is not None else int(match["hex"], 16)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise TelegramHtmlError(f"character reference {match.group(0)} is not a character")
    return chr(code)


def _attributes(tag: str, raw: str) -> None:
    allowed = _ATTRIBUTES[tag]
    seen: set[str] = set()
    for name, value in _ATTRIBUTE.findall(raw):
        if name not in allowed:
            raise TelegramHtmlError(f"<{tag}> takes no attribute {name!r}")
        pattern = allowed[name]
        if pattern is None and value:
            raise TelegramHtmlError(f"<{tag} {name}> takes no value")
        if pattern is not None and not pattern.fullmatch(value):
            raise TelegramHtmlError(f"<{tag} {name}={value!r}> has a bad value")
        seen.add(name)
    if tag in _REQUIRED and _REQUIRED[tag] not in seen:
        raise TelegramHtmlError(f"<{tag}> needs {_REQUIRED[tag]}")


def check(markup: str, *, limit: int = MESSAGE_LIMIT) -> Parsed:
    """Parse ``markup`` as Telegram would and check it is valid and within limits."""
    try:
        markup.encode("utf-8")
    except UnicodeEncodeError as error:
        raise TelegramHtmlError(f"not valid Unicode (cannot be sent as UTF-8): {error}") from None
    out: list[str] = []
    units = 0
    stack: list[tuple[str, int, bool]] = []  # tag, start offset, expandable
    entities: list[Entity] = []
    cursor = 0
    for match in _TOKEN.finditer(markup):
        literal = markup[cursor : match.start()]
        out.append(literal)
        units += utf16_units(literal)
        cursor = match.end()
        if match["stray"]:
            raise TelegramHtmlError(
                f"unescaped {match['stray']!r} at {match.start()}: {markup[match.start():][:40]!r}"
            )
        if match["tag"] is None:
            char = _decode_reference(match)
            out.append(char)
            units += utf16_units(char)
            continue
        tag = match["tag"].lower()
        if tag not in _ATTRIBUTES:
            raise TelegramHtmlError(f"<{tag}> is not in Telegram's HTML subset")
        if match["close"]:
            if match["attrs"].strip():
                raise TelegramHtmlError(f"</{tag}> with attributes")
            if not stack or stack[-1][0] != tag:
                expected = f"</{stack[-1][0]}>" if stack else "no end tag"
                raise TelegramHtmlError(f"</{tag}> where {expected} was expected")
            opened, start, expandable = stack.pop()
            if units > start:
                kind = "expandable_blockquote" if expandable else opened
                entities.append(Entity(kind, start, units - start))
            continue
        _attributes(tag, match["attrs"])
        if stack and stack[-1][0] in _NO_NESTED_ENTITIES and not (
            stack[-1][0] == "pre" and tag == "code"
        ):
            raise TelegramHtmlError(f"<{tag}> inside <{stack[-1][0]}>")
        if tag == "blockquote" and any(t == "blockquote" for t, _, _ in stack):
            raise TelegramHtmlError("nested <blockquote>")
        stack.append((tag, units, "expandable" in match["attrs"]))
    tail = markup[cursor:]
    out.append(tail)
    if stack:
        raise TelegramHtmlError(f"unclosed <{stack[-1][0]}>")
    parsed = Parsed("".join(out), sorted(entities, key=lambda e: (e.offset, -e.length)))
    if not parsed.text.strip():
        raise TelegramHtmlError("message text is empty after parsing")
    if parsed.units > limit:
        raise TelegramHtmlError(f"{parsed.units} UTF-16 code units, over the limit of {limit}")
    if len(parsed.entities) > MAX_ENTITIES:
        raise TelegramHtmlError(f"{len(parsed.entities)} entities; Telegram keeps {MAX_ENTITIES}")
    return parsed


def check_plain(text: str, *, limit: int, allow_empty: bool = False) -> str:
    """Plain text fields (inline titles, alert texts): valid Unicode within ``limit`` units."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise TelegramHtmlError(f"not valid Unicode: {error}") from None
    if not allow_empty and not text.strip():
        raise TelegramHtmlError("empty text")
    if utf16_units(text) > limit:
        raise TelegramHtmlError(f"{utf16_units(text)} UTF-16 code units, over {limit}")
    return text
