"""A question -> the weighted terms searched for: its own tokens, and synonyms of its words.

The question's own tokens count fully. Synonyms of its words (a thesaurus: Cilin's synonym
groups by default) are added at `synonym_weight`, only those the corpus holds, so a question
in everyday words (小贩, 老师) meets a document in official ones (摊贩, 教师). A matched synonym
also counts, at its weight, as evidence that the corpus answers (answers.match_share).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .settings import ConfigError
from .tokens import Tokenizer

# A Cilin category code such as "Aa01A03=": "=" synonyms, "#" related words, "@" a lone word.
CILIN_CODE = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z]\d{2}([=#@])$")
MIN_WORD = 2  # single characters are too ambiguous to expand (管, 用, 好 ...)


@dataclass(frozen=True)
class Query:
    terms: tuple[str, ...]  # the question's own tokens, in order
    weights: dict[str, float]  # every term searched for and its weight, synonyms included
    synonyms: dict[str, tuple[str, ...]]  # word of the question -> its synonyms searched for


class Thesaurus:
    """Groups of interchangeable words; a word's synonyms are the others of its groups."""

    def __init__(self, groups: Iterable[Sequence[str]]) -> None:
        self._groups: list[tuple[str, ...]] = []
        self._groups_of: dict[str, list[int]] = {}  # word -> the groups it is in
        for group in groups:
            words = tuple(dict.fromkeys(w for w in group if len(w) >= MIN_WORD))
            if len(words) < 2:
                continue
            for word in words:
                self._groups_of.setdefault(word, []).append(len(self._groups))
            self._groups.append(words)

    @classmethod
    def load(cls, paths: Sequence[Path], normalize: Callable[[str], str] = str) -> Thesaurus:
        """Read thesaurus files: one group per line, words separated by spaces, optionally
        after a Cilin code (only "=" groups are synonyms); lines starting with # are comments."""
        groups: list[list[str]] = []
        for path in paths:
            try:
                text = normalize(path.read_text(encoding="utf-8-sig"))  # one pass, not per word
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"synonyms file {path}: cannot read it ({exc})") from None
            for line in text.splitlines():
                fields = line.split()
                if not fields or fields[0].startswith("#"):
                    continue
                code = CILIN_CODE.match(fields[0])
                if code:
                    if code.group(1) != "=":
                        continue
                    fields = fields[1:]
                groups.append(fields)
        return cls(groups)

    def synonyms(self, word: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys(other for g in self._groups_of.get(word, ())
                                   for other in self._groups[g] if other != word))

    def __len__(self) -> int:
        """Words that have synonyms."""
        return len(self._groups_of)


class QueryBuilder:
    def __init__(self, tokenizer: Tokenizer, thesaurus: Thesaurus, synonym_weight: float) -> None:
        self.tokenizer = tokenizer
        self.thesaurus = thesaurus
        self.synonym_weight = synonym_weight

    def build(self, question: str, vocabulary: Container[str]) -> Query:
        """The question's terms with their weights, and synonyms found in `vocabulary`."""
        terms = tuple(self.tokenizer.query_terms(question))
        weights = dict.fromkeys(terms, 1.0)
        synonyms: dict[str, tuple[str, ...]] = {}
        if self.synonym_weight > 0:
            for word in filter(Tokenizer.is_word, terms):
                found = tuple(s for s in self.thesaurus.synonyms(word)
                              if s in vocabulary and weights.get(s, 0) < 1)
                if found:
                    synonyms[word] = found
                    weights.update(dict.fromkeys(found, self.synonym_weight))
        return Query(terms=terms, weights=weights, synonyms=synonyms)
