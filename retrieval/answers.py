"""Ranked passages -> an answer: verbatim quotes, highlighted terms, duplicates dropped, and the
decision whether the corpus answers the question at all."""

from __future__ import annotations

from collections.abc import Sequence

from .index import BM25Index
from .model import DocumentInfo, Passage, Result, Source
from .passages import SENTENCE
from .query import Query
from .store import comparable
from .tokens import Tokenizer

GAP = "……"
CUT_ENDINGS = ("，", ",", "、")  # a text ending so stops inside its sentence
COMMON_IDF = 0.05  # the idf a word counts with that (nearly) every passage holds
SCOPE_WORD_SHARE = 0.4  # what a word naming the question's place or year counts, see below


def evidence_terms(terms: Sequence[str]) -> list[str]:
    """The words of a question, without the character pairs and characters added for recall:
    shared characters help ranking but are no evidence that the corpus answers it."""
    return [t for t in terms if Tokenizer.is_word(t)]


def match_share(query: Query, index: BM25Index, row: int,
                scope_words: frozenset[str] = frozenset()) -> float:
    """How much of the question one passage matches, the measure behind abstaining.

    Each of the question's words adds its BM25 weight in the passage, or a synonym's weight
    times the synonym's query weight when that is more; the sum is divided by the score of an
    average-length passage holding each word once (the sum of their idf). Words unknown to the
    corpus count in the divisor with the highest idf, so a question about things the documents
    never mention scores low. A word nearly every passage holds (a tiny corpus, all about
    控辍保学) has an idf at or below zero: it counts with a small positive idf, held in full
    where the passage holds it, so a corpus that is all about the question still answers it.
    `scope_words` (the place and year a question is scoped by) say where, not what: they
    count SCOPE_WORD_SHARE of their weight, so a passage that matches only them does not
    answer."""
    words = evidence_terms(query.terms)
    idf = {word: index.idf_of(word) for word in words}
    share = {word: SCOPE_WORD_SHARE if word in scope_words else 1.0 for word in words}
    possible = sum(max(value, COMMON_IDF) * share[w] for w, value in idf.items())
    if possible <= 0:
        return 0.0

    held = index.row_weights(
        [*words, *(s for w in words for s in query.synonyms.get(w, ()))], row)

    def weight(word: str) -> float:
        if idf[word] > COMMON_IDF:
            return held[word]
        return COMMON_IDF if held[word] != 0 else 0.0

    matched = sum(
        share[word] * max([weight(word)] + [query.weights[s] * held[s]
                                            for s in query.synonyms.get(word, ())])
        for word in words)
    return matched / possible


def quote(text: str, terms: set[str], tokenizer: Tokenizer, max_chars: int) -> str:
    """The passage itself, or for a long one its best-matching sentences joined with ……; a
    passage cut inside a sentence (a run-on sentence split at a comma) ends with …… too."""
    if len(text) <= max_chars:
        return text + GAP if text.endswith(CUT_ENDINGS) else text
    sentences = [s for s in SENTENCE.findall(text) if s.strip()]
    if len(sentences) <= 1:
        return text
    weight = [len(terms & set(tokenizer.tokens(s))) for s in sentences]
    chosen: set[int] = set()
    length = 0
    for i in sorted(range(len(sentences)), key=lambda i: (-weight[i], i)):
        if chosen and (weight[i] == 0 or length + len(sentences[i]) > max_chars):
            continue
        chosen.add(i)
        length += len(sentences[i])
    parts: list[str] = []
    for i in range(len(sentences)):
        if i in chosen:
            parts.append(sentences[i].strip())
        elif not parts or parts[-1] != GAP:
            parts.append(GAP)
    shown = "".join(parts)
    return shown + GAP if shown.endswith(CUT_ENDINGS) else shown


def fingerprint_sentences(text: str) -> set[str]:
    """Sentences in a comparable form, to notice the same words quoted twice."""
    out = set()
    for sentence in SENTENCE.findall(text):
        key = comparable(sentence)
        if len(key) >= 6:
            out.add(key)
    return out


def is_repeat(sentences: set[str], seen: set[str]) -> bool:
    """Most of a passage's sentences (its fingerprint_sentences) were already shown (the same
    text pasted twice)."""
    return bool(sentences) and len(sentences & seen) / len(sentences) >= 0.6


def make_result(rank: int, score: float, passage: Passage, terms: set[str],
                tokenizer: Tokenizer, quote_max_chars: int, info: DocumentInfo | None = None,
                also_in: int = 0, prior: float = 0.0) -> Result:
    shown = quote(passage.text, terms, tokenizer, quote_max_chars)
    return Result(
        rank=rank, score=score, id=passage.id, text=passage.text, quote=shown,
        spans=tuple(tokenizer.spans(shown, terms)),
        source=Source(title=passage.title, file=passage.file, section=passage.section,
                      position=passage.position, page=passage.page,
                      date=info.date if info else None, place=info.place if info else None),
        also_in=also_in, prior=prior)


def merge_spans(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with overlapping or touching ones merged."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
