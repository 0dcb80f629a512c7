"""The small dataclasses passed between the retrieval steps and out to callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: the model stays a module that imports none
    from .scope import Scope

# A passage's section path joins its headings with this separator.
SECTION_SEP = " › "


@dataclass(frozen=True)
class Unit:
    """One paragraph or heading of a document, after cleaning, before cutting into passages."""

    text: str
    heading_level: int | None = None  # set for a heading: 0 = top; None for a paragraph
    page: int | None = None


@dataclass(frozen=True)
class DocumentMeta:
    """What is known of a document beyond its text: shown with every quote, used by filters."""

    title: str
    date: str | None = None  # ISO: YYYY, YYYY-MM or YYYY-MM-DD, as far as the document states it
    place: str | None = None  # the province/city/county the document is of (from title or issuer)
    issuer: str | None = None  # the office or person that issued or delivered it, where stated
    url: str | None = None  # where the file says it was published
    number: str | None = None  # the document's own number (文号) as it stands: 国办发〔2021〕43号

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


@dataclass(frozen=True)
class Document:
    """One document after reading and cleaning; a file may hold several (compilations)."""

    file: str  # path relative to its corpus directory, '/'-separated
    index: int  # 0-based order of the document within its file
    meta: DocumentMeta
    units: tuple[Unit, ...]  # cleaned paragraphs and headings, original text, title excluded
    front: tuple[str, ...] = ()  # title-block lines that are not the title (speaker, meeting)
    front_page: int | None = None  # the page they stand on, where the format has pages

    @property
    def title(self) -> str:
        return self.meta.title


@dataclass(frozen=True)
class DroppedLine:
    """Text removed from a document as boilerplate, with the rule that removed it."""

    text: str
    rule: str


@dataclass(frozen=True)
class Passage:
    """A paragraph, or a sentence-aligned piece of a long one: the unit ranked and quoted."""

    id: str  # stable: a hash of source file, document title and text
    text: str  # verbatim original text
    file: str
    title: str
    section: str  # heading path, e.g. "二、2024年工作 › （一）坚持政治引领"; "" before any heading
    position: int  # 1-based paragraph position within its document
    document: int  # index of the document in the corpus (order of indexing)
    page: int | None = None  # 1-based page where the passage starts, for paged formats


@dataclass(frozen=True)
class Source:
    title: str
    file: str
    section: str
    position: int
    page: int | None = None
    date: str | None = None
    place: str | None = None


@dataclass(frozen=True)
class Result:
    """One ranked passage, ready to show."""

    rank: int  # 1-based
    score: float  # BM25, exactly rank_bm25's
    id: str
    text: str  # the whole passage
    quote: str  # the passage, or its best sentences joined with …… for a long one
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets in `quote` of matched query terms
    source: Source
    also_in: int = 0  # other documents that hold the same (or nearly the same) text
    # What the question implies (a year, place, document it names) added to the order:
    # results are ranked by score x (1 + prior), see retrieval/prior.py.
    prior: float = 0.0


@dataclass(frozen=True)
class PhraseCount:
    """How often a quoted formulation (提法) occurs: passages and documents holding it."""

    phrases: tuple[str, ...]
    passages: int
    documents: int


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool  # False: no passage answers directly; `results` are the closest ones
    results: tuple[Result, ...]
    terms: tuple[str, ...] = ()  # the query's tokens that were searched for
    more: bool = False  # further results exist after these (for paging)
    # Why nothing answers, when answered is False: "empty", "no-terms", "not-chinese",
    # "no-match", "phrase-absent", "scope-unmatched".
    reason: str | None = None
    note: str | None = None  # a sentence for the reader: the scope applied or not matched
    missing: tuple[str, ...] = ()  # words of the question that no document holds
    phrase: PhraseCount | None = None  # set when the question quoted a formulation
    scope: Scope | None = None  # the scope applied (named in the question or given), if any


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str
    code: str = "unreadable"  # stable reason code, for callers that translate reasons


@dataclass
class IndexReport:
    """What an index build or load saw, for the CLI and /sources."""

    files: int = 0
    documents: int = 0
    passages: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    loaded_from_cache: bool = False
    cache_problem: str | None = None  # why a cached index was unusable and rebuilt
    seconds: float = 0.0
    duplicates: int = 0  # documents not indexed because another file holds the same text
    # Files of the corpus directories with an ending corpus.extensions leaves out, by ending
    # (most first).
    not_read: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentInfo:
    """A document of the index, as listed by `sources` and /sources."""

    id: str  # short stable id (for buttons and filters)
    title: str
    file: str
    passages: int
    date: str | None = None
    place: str | None = None
    issuer: str | None = None
    url: str | None = None
    number: str | None = None  # 文号

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


