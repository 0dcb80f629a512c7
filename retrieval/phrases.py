"""Exact phrases (提法) in a question: quoted text that a passage must hold as written.

Matching is on a normal form (the tokenizer's: NFKC, traditional -> simplified, lower case)
with all whitespace removed, so full/half width, 繁/简 and stray spaces or line breaks inside a
passage do not hide a phrase. Spans are mapped back to the original text for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

Normalize = Callable[[str], str]

# Pairs of quotes; ‘…’ needs two characters, since ’ is also an apostrophe.
QUOTED = re.compile(r"“([^“”]+)”|\"([^\"]+)\"|「([^「」]+)」|『([^『』]+)』|‘([^‘’]{2,})’")


def split_phrases(question: str) -> tuple[tuple[str, ...], str]:
    """The quoted phrases of a question, in order, and the rest of it with them removed.
    An unbalanced quote makes no phrase: its text stays in the rest."""
    phrases: list[str] = []
    for match in QUOTED.finditer(question):
        inner = next(g for g in match.groups() if g is not None).strip()
        if inner:
            phrases.append(inner)
    rest = QUOTED.sub(" ", question) if phrases else question
    return tuple(dict.fromkeys(phrases)), " ".join(rest.split())


def phrase_key(text: str, normalize: Normalize) -> str:
    """The form a phrase is matched in."""
    return "".join(normalize(text).split())


def _matching_form(text: str, normalize: Normalize) -> tuple[str, list[int]]:
    """The matching form of `text` and, for each of its characters, the index of the original
    character it comes from. NFKC may expand one character (… -> ..., ① -> 1), so it is applied
    per character; the whole is normalized at once (OpenCC converts some words as a whole) and
    per character only when that changes the length."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for out in unicodedata.normalize("NFKC", ch):
            if not out.isspace():
                chars.append(out)
                origin.append(i)
    folded = "".join(chars)
    normal = normalize(folded)
    if len(normal) == len(folded):
        return normal, origin
    pieces = [(normalize(ch), i) for ch, i in zip(chars, origin, strict=True)]
    return "".join(p for p, _ in pieces), [i for p, i in pieces for _ in p]


def find_phrase(text: str, phrase: str, normalize: Normalize) -> list[tuple[int, int]]:
    """[start, end) spans in `text` where `phrase` occurs in matching form, not overlapping;
    a span covers any whitespace inside the occurrence."""
    key = phrase_key(phrase, normalize)
    if not key:
        return []
    normal, origin = _matching_form(text, normalize)
    spans: list[tuple[int, int]] = []
    start = normal.find(key)
    while start >= 0:
        end = start + len(key)
        spans.append((origin[start], origin[end - 1] + 1))
        start = normal.find(key, end)
    return spans
