"""The small dataclasses passed between the retrieval steps and out to callers."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Speech:
    """One speech after reading and cleaning; a file may hold several."""

    file: str  # path relative to its corpus directory, '/'-separated
    index: int  # 0-based order of the speech within its file
    title: str
    lines: tuple[str, ...]  # cleaned body lines, original text, title excluded
    year: int | None = None
    level: str | None = None  # 县 / 区 / 市 / 省 when the title or text says so


@dataclass(frozen=True)
class Passage:
    """A paragraph, or a sentence-aligned piece of a long one: the unit ranked and quoted."""

    id: str  # stable: a hash of source file, speech title and text
    text: str  # verbatim original text
    file: str
    title: str
    section: str  # heading path, e.g. "二、2024年工作 › （一）坚持政治引领"; "" before any heading
    position: int  # 1-based paragraph position within its speech
    speech: int  # index of the speech in the corpus (order of indexing)


@dataclass(frozen=True)
class Source:
    title: str
    file: str
    section: str
    position: int


@dataclass(frozen=True)
class Result:
    """One ranked passage, ready to show."""

    rank: int  # 1-based
    score: float
    id: str
    text: str  # the whole passage
    quote: str  # the passage, or its best sentences joined with …… for a long one
    spans: tuple[tuple[int, int], ...]  # [start, end) offsets in `quote` of matched query terms
    source: Source


@dataclass(frozen=True)
class Answer:
    query: str
    answered: bool  # False: nothing in the corpus answers; `results` are best guesses only
    results: tuple[Result, ...]
    terms: tuple[str, ...] = ()  # the query's tokens that were searched for
    more: bool = False  # further results exist after these (for paging)


@dataclass(frozen=True)
class SkippedFile:
    file: str
    reason: str


@dataclass
class IndexReport:
    """What an index build or load saw, for the CLI and /sources."""

    files: int = 0
    speeches: int = 0
    passages: int = 0
    skipped: list[SkippedFile] = field(default_factory=list)
    loaded_from_cache: bool = False
    cache_problem: str | None = None  # why a cached index was unusable and rebuilt
    seconds: float = 0.0


@dataclass(frozen=True)
class SpeechInfo:
    title: str
    file: str
    passages: int
    year: int | None
    level: str | None
