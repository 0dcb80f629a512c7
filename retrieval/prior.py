"""What a question implies about its documents, as a ranking prior: never a filter.

A year, place, issuer or document named in a question's words is evidence of which documents
it means, not a wall: most real folders state places and dates only inside their text, so a
document whose metadata is silent must never be removed for it. Each implied facet gives a
document a boost when the document states it (metadata, title) or, more weakly, names it in
its text; a passage gets none of its own for naming it, since its BM25 already counts the
word. The final order is BM25 × (1 + prior); the BM25 score itself stays exactly rank_bm25's
and is reported apart.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .boilerplate import DOC_TYPE
from .model import DocumentInfo
from .scope import QuestionScope, canonical_place, place_forms, same_place, years_label
from .textsearch import Joined, TextSearch

STATED = 1.0  # the document's metadata or title states the facet
NAMED = 0.5  # the document names it only in its text (a place)
YEARS_IN_TEXT_MAX = 5  # a longer span of years is not looked for in passages' text
NO_YEAR = -10**7  # a document of unknown year: in no span of years
EVENT_LAG = 1  # an event's year is reported in the next year's documents too
TITLE_SHARE = 0.5  # a title holding this share of the question's words (by idf) names it
TITLE_WORDS_MIN = 2


@dataclass(frozen=True)
class Facet:
    label: str  # as said in the note: 2020年, 湖北省, 《…报告》
    documents: np.ndarray  # float per document: STATED, NAMED or 0
    passage_words: tuple[str, ...]  # strings whose presence in a passage's text names it
    # The question names its document by this (a place, a title, a year that names the
    # document): a passage answers only from a document that states it, or naming it itself.
    required: bool = False


@dataclass(frozen=True)
class Prior:
    facets: tuple[Facet, ...] = ()
    # The question's words that name its document by its title (上海保险专业中介机构合规管理
    # 暂行办法 in "…暂行办法从什么时候开始施行"): they pick the document, so they weigh less in
    # ranking its passages against each other (see TITLE_WORD_WEIGHT).
    title_words: frozenset[str] = frozenset()
    # What the question names its document by that no document states or names (a year no
    # document is of, a report no title is): nothing can answer it, though passages are close.
    absent: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.facets

    @property
    def label(self) -> str:
        return "；".join(f.label for f in self.facets)

    @cached_property
    def document_boost(self) -> np.ndarray | None:
        """Per document, the prior: the product of (1 + each facet's evidence), less one, so a
        document that states everything the question names comes before one that states part.
        Computed once: the ranking asks for it on every fetch."""
        if not self.facets:
            return None
        return np.prod([1 + f.documents for f in self.facets], axis=0) - 1

    def unmet(self, document: int, text: str) -> list[str]:
        """What the question names its document by that neither this passage's document
        states nor the passage's text names: such a passage is close, but no answer."""
        return [f.label for f in self.facets if f.required and f.documents[document] < STATED
                and not any(w in text for w in f.passage_words)]



@dataclass(frozen=True)
class Catalog:
    """What the prior reads of every document, gathered once per index instead of once per
    question: with tens of thousands of documents, a loop over them is most of an answer."""

    titles: tuple[str, ...]  # in matching form
    years: np.ndarray  # int, NO_YEAR where unknown
    issuers: tuple[str, ...]  # distinct, longest first
    joined: Joined  # the titles, line breaks inside them made spaces

    @classmethod
    def of(cls, infos: list[DocumentInfo], titles: list[str]) -> Catalog:
        return cls(titles=tuple(titles),
                   years=np.array([i.year if i.year is not None else NO_YEAR for i in infos],
                                  dtype=np.int64),
                   issuers=tuple(sorted({i.issuer for i in infos if i.issuer}, key=len,
                                        reverse=True)),
                   joined=Joined.of([" ".join(t.split()) for t in titles]))

    def holding(self, word: str) -> np.ndarray:
        """The documents whose title holds `word` (a word without whitespace), ascending."""
        return self.joined.holding(word)


def implied_prior(asked: QuestionScope, infos: list[DocumentInfo], catalog: Catalog,
                  search: TextSearch, question_words: dict[str, float] | None = None,
                  ) -> Prior:
    """The facets a question implies that some document states or names; a facet no document
    matches is left out (it can prefer nothing)."""
    facets: list[Facet] = []
    absent: list[str] = []
    scope = asked.implied
    titles = catalog.titles
    n = len(infos)
    if scope.since is not None or scope.until is not None:
        since = scope.since if scope.since is not None else -10**6
        until = scope.until if scope.until is not None else 10**6
        if not asked.document_year and scope.until is not None:
            until += EVENT_LAG
        stated = (catalog.years >= since) & (catalog.years <= until)
        if scope.since is not None and scope.until is not None and (
                scope.until - scope.since < YEARS_IN_TEXT_MAX):
            words = tuple(f"{y}年" for y in range(scope.since, scope.until + 1))
            in_title = np.array([any(w in t for w in words) for t in titles], dtype=bool)
            stated |= in_title
        else:
            words = ()
        label = years_label(scope.since, scope.until)
        if stated.any() or any(search.holds(w) for w in words):
            facets.append(Facet(label, np.where(stated, STATED, 0.0), words,
                                required=asked.document_year))
        elif asked.document_year:
            absent.append(label)
    for place in scope.places:
        forms = place_forms(place)
        short = forms[-1]
        wanted = canonical_place(place) or place
        documents = np.zeros(n)
        for i, info in enumerate(infos):
            if (same_place(info.place, wanted)
                    or (info.issuer and short in info.issuer)):
                documents[i] = STATED
        for i in search.documents(short):
            documents[i] = max(documents[i], STATED if short in titles[i] else NAMED)
        if documents.any():
            facets.append(Facet(place, documents, (short,), required=True))
        else:
            absent.append(place)
    if asked.document_words:
        before, kind = asked.document_words
        words = [before] if len(before) >= 2 else []
        stated = np.array([kind_of(t) == kind and all(w in t for w in words) for t in titles],
                          dtype=bool)
        label = f"标题含“{before}{kind}”"
        if stated.any():
            facets.append(Facet(label, np.where(stated, STATED, 0.0), (), required=True))
        else:
            absent.append(label)
    question = asked.text
    for issuer in catalog.issuers:
        if len(issuer) >= 3 and issuer in question and not any(
                issuer in f.label for f in facets):
            documents = np.array([STATED if i.issuer == issuer else 0.0 for i in infos])
            facets.append(Facet(issuer, documents, (issuer,)))
    title_words: frozenset[str] = frozenset()
    if question_words:
        named, title_words = _named_by_title(question_words, catalog)
        if named.any():
            label = (f"《{infos[int(np.flatnonzero(named)[0])].title}》" if named.sum() == 1
                     else f"标题相符的 {int(named.sum())} 篇")
            facets.append(Facet(label, np.where(named, STATED, 0.0), ()))
    return Prior(tuple(facets), absent=tuple(absent), title_words=title_words)


def _named_by_title(words: dict[str, float], catalog: Catalog,
                    ) -> tuple[np.ndarray, frozenset[str]]:
    """The documents whose title holds most of the question's words (by idf), and those words:
    a question that quotes a title asks about that document."""
    total = sum(words.values())
    named = np.zeros(len(catalog.titles), dtype=bool)
    covered: set[str] = set()
    if total <= 0 or len(words) < TITLE_WORDS_MIN:
        return named, frozenset()
    # Per title, the weights of the words it holds (added in question order, so the sums are
    # the same bits as they always were) and how many it holds.
    sums, counts = np.zeros(len(named)), np.zeros(len(named), dtype=np.int64)
    holders: list[np.ndarray] = []
    for w, weight in words.items():
        if not any(c.isspace() for c in w):  # as found in the titles joined
            docs = catalog.holding(w)
        else:
            docs = np.array([i for i, title in enumerate(catalog.titles) if w in title],
                            dtype=np.int64)
        sums[docs] += weight
        counts[docs] += 1
        holders.append(docs)
    named = (counts >= TITLE_WORDS_MIN) & (sums >= TITLE_SHARE * total)
    if named.any():
        covered = {w for w, docs in zip(words, holders, strict=True) if named[docs].any()}
    return named, frozenset(covered)


# A question that asks for a named part of a 公文 (see passages._parts_named): its number, the
# date it was signed or issued, whom it is sent to.
PARTS_ASKED: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("文号", re.compile(r"文号|发文字号")),
    ("落款", re.compile(r"落款|(?:印发|发出|发布|签发|成文|下发|发文)[^，。？?]{0,20}"
                      r"(?:日期|时间|哪天|哪一天|几号)|(?:哪天|哪一天|什么时候|何时)[^，。？?]{0,6}"
                      r"(?:印发|发出|发布|签发|成文|下发)")),
    ("主送", re.compile(r"主送|(?:发给|下发给|印发给|送给|发往)(?:哪些|哪个|谁)")),
    ("施行", re.compile(r"施行|生效|(?:哪天|哪一天|什么时候|何时)[^，。？?]{0,4}(?:开始)?实施"
                      r"|实施(?:日期|时间)")),
)


def parts_asked(question: str) -> tuple[str, ...]:
    """The named parts of a 公文 a question asks for (文号是多少 → 文号)."""
    return tuple(name for name, pattern in PARTS_ASKED if pattern.search(question))


def part_words(question: str) -> str:
    """The question's words that ask for a part (…的落款日期是哪天): they name no topic, so
    they are no evidence of which document's title the question quotes."""
    return "".join(m.group() for _, pattern in PARTS_ASKED for m in pattern.finditer(question))


def kind_of(title: str) -> str | None:
    """The kind of document a title names by its last word (报告 in 政府工作报告——…会议上)."""
    found = DOC_TYPE.search(title.split("——")[0].split("――")[0].strip())
    return found.group(1) if found else None
