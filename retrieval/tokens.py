"""One tokenizer for passages and queries, so both sides of a match are cut the same way.

jieba runs in search mode: a long word comes with its dictionary sub-words (义务教育 -> 义务,
教育, 义务教育), so a question that uses part of a compound still meets the passage, while the
whole compound, rarer, weighs more. Character pairs and characters of content words are added
as weaker, fuzzier evidence (see ``_scan``); function and question words count for nothing.
Text is matched in a normal form (NFKC folds full/half-width forms, OpenCC turns traditional
characters into simplified, case is folded); quotes always keep the original characters, so
spans map back to them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Iterator
from functools import cached_property, lru_cache
from pathlib import Path

import jieba
import opencc

jieba.setLogLevel(logging.WARNING)

# Marks character-pair and character tokens, so they never collide with jieba's words.
CHARACTER_MARK = "#"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
MENTION = re.compile(r"@[A-Za-z0-9_]{3,}")
WORDLIKE = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff]")
# Where normalized text may be cut without changing its tokens (none of these is in a token).
SENTENCE_BREAK = re.compile(r"(?<=[。!?;\n])")
SENTENCE_CACHE = 20_000  # per cache (tokens; tokens with positions)
CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class Tokenizer:
    def __init__(self, user_dict: Path, stopwords: Path, characters: bool = True) -> None:
        self.user_dict = user_dict
        self.characters = characters  # add the character pairs and characters (see _scan)
        self.stopwords_file = stopwords
        self.stopwords = frozenset(
            line.strip() for line in stopwords.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#"))
        self._t2s = opencc.OpenCC("t2s")
        self._sentence_scan = lru_cache(maxsize=SENTENCE_CACHE)(self._scan_sentence)
        self._sentence_tokens = lru_cache(maxsize=SENTENCE_CACHE)(self._tokens_of_sentence)

    def same_settings(self, settings) -> bool:
        """Whether this tokenizer cuts text as `settings` (a RetrievalSettings) asks."""
        return (self.user_dict == settings.user_dict and self.stopwords_file == settings.stopwords
                and self.characters == settings.characters)

    @property
    def jieba(self) -> jieba.Tokenizer:
        """The jieba instance with the user dictionary (for part-of-speech tagging)."""
        return self._jieba

    @cached_property
    def _jieba(self) -> jieba.Tokenizer:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        tokenizer.load_userdict(str(self.user_dict))
        return tokenizer

    def fingerprint(self) -> str:
        """Changes whenever the tokens for a text could change: part of the cache key."""
        h = hashlib.sha256(f"{jieba.__version__} characters={self.characters}".encode())
        h.update(self.user_dict.read_bytes())
        h.update(self.stopwords_file.read_bytes())
        return h.hexdigest()

    def normalize(self, text: str) -> str:
        """Matching form, same length as the NFKC form: lone surrogates (from broken UTF-16
        offsets) become U+FFFD, which OpenCC can encode."""
        folded = LONE_SURROGATE.sub("\ufffd", unicodedata.normalize("NFKC", text))
        return self._t2s.convert(folded).lower()

    def tokens(self, text: str) -> list[str]:
        """The evidence tokens of a text, in order, repeats kept (BM25 counts them).

        Tokenized sentence by sentence through a cache: policy texts repeat set phrases, and the
        result is the same as for the whole text, since jieba and the character runs both
        break at sentence punctuation anyway."""
        return self.normal_tokens(self.normalize(text))

    def normal_tokens(self, normal: str) -> list[str]:
        """tokens() of a text already in matching form (normalize), for a caller that keeps
        that form too."""
        out: list[str] = []
        for sentence in SENTENCE_BREAK.split(normal):
            if sentence:
                out.extend(self._sentence_tokens(sentence))
        return out

    def label_words(self, label: str) -> list[str]:
        """The distinct words (no character tokens) of a title or heading, each once."""
        return list(dict.fromkeys(t for t in self.tokens(label) if self.is_word(t)))

    def _tokens_of_sentence(self, normal: str) -> tuple[str, ...]:
        return tuple(token for token, _, _ in self._scan(normal))

    def _scan_cached(self, normal: str) -> Iterator[tuple[str, int, int]]:
        """_scan with positions, sentence by sentence through a cache (for highlighting)."""
        offset = 0
        for sentence in SENTENCE_BREAK.split(normal):
            if sentence:
                for token, start, end in self._sentence_scan(sentence):
                    yield token, start + offset, end + offset
                offset += len(sentence)

    def _scan_sentence(self, normal: str) -> tuple[tuple[str, int, int], ...]:
        return tuple(self._scan(normal))

    def query_terms(self, query: str) -> list[str]:
        """A question's evidence tokens: @mentions dropped, repeats removed, order kept."""
        return list(dict.fromkeys(self.tokens(MENTION.sub(" ", query))))

    def spans(self, text: str, terms: set[str]) -> list[tuple[int, int]]:
        """[start, end) offsets in the original `text` of matched words, overlapping merged.

        Only whole words are marked: a jieba word of the text, or a dictionary piece of a
        compound (教育 in 义务教育法). Character pairs and characters are evidence, never marks,
        and a search-mode sub-word that straddles the compound's own pieces (部队 inside
        干部|队伍) is not one: marking it would join it with its neighbour into 干**部队伍**."""
        normal, origin = self._normalize_mapped(text)
        jieba_ = self._jieba

        def pieces(word: str) -> set[tuple[int, int]]:
            """The words a compound is made of (its best cut without itself), nested down."""
            if len(word) < 3:
                return set()
            dag = jieba_.get_DAG(word)
            dag[0] = [end for end in dag[0] if end != len(word) - 1] or [0]
            route: dict[int, tuple[float, int]] = {}
            jieba_.calc(word, dag, route)
            found: set[tuple[int, int]] = set()
            i = 0
            while i < len(word):
                j = route[i][1] + 1
                if j - i > 1:
                    found.add((i, j))
                    found |= {(i + a, i + b) for a, b in pieces(word[i:j])}
                i = j
            return found

        # jieba's words do not overlap and a compound's search-mode sub-words lie inside it:
        # in order of start (longest first), a token inside the last compound is one of its.
        words = sorted(((start, end, token) for token, start, end in self._scan_cached(normal)
                        if self.is_word(token) and end - start > 1),
                       key=lambda w: (w[0], -w[1]))
        found: list[tuple[int, int]] = []
        compound: tuple[int, int] = (0, 0)
        allowed: set[tuple[int, int]] | None = None  # the compound's pieces, once needed
        for start, end, token in words:
            if not (compound[0] <= start and end <= compound[1]):
                compound, allowed = (start, end), None
                if token in terms:
                    found.append((start, end))
            elif token in terms:
                if allowed is None:
                    base = compound[0]
                    allowed = {(base + a, base + b)
                               for a, b in pieces(normal[compound[0]:compound[1]])}
                if (start, end) in allowed:
                    found.append((start, end))
        mapped = sorted((origin[start], origin[end - 1] + 1) for start, end in found)
        merged: list[tuple[int, int]] = []
        for start, end in mapped:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def _scan(self, normal: str) -> Iterator[tuple[str, int, int]]:
        """(token, start, end) over normalized text: search-mode words, then the character
        pairs and characters of each run of adjacent content words (prefixed with #).

        The pairs and characters let a question meet a passage that jieba cut differently
        (依从|善道 still holds 从善) or that says it with other words of shared characters
        (老师 / 教师). One jieba pass serves both; the search-mode sub-words are added the way
        jieba's own cut_for_search adds them."""
        freq = self._jieba.FREQ
        run_start = run_end = 0
        for word, start, end in self._jieba.tokenize(normal, HMM=True):
            if not self._keep(word):
                yield from self._grams(normal, run_start, run_end)
                run_start = run_end = end
                continue
            for n in (2, 3):
                if len(word) > n:
                    for i in range(len(word) - n + 1):
                        gram = word[i:i + n]
                        if freq.get(gram) and self._keep(gram):
                            yield gram, start + i, start + i + n
            yield word, start, end
            if CJK_RUN.fullmatch(word):
                run_end = end
            else:
                yield from self._grams(normal, run_start, run_end)
                run_start = run_end = end
        yield from self._grams(normal, run_start, run_end)

    @staticmethod
    def is_word(token: str) -> bool:
        """A jieba word, not one of the character tokens added by _scan."""
        return not token.startswith(CHARACTER_MARK)

    def _keep(self, word: str) -> bool:
        return word not in self.stopwords and WORDLIKE.search(word) is not None


    def _normalize_mapped(self, text: str) -> tuple[str, list[int]]:
        """The normal form and, for each of its characters, the index it came from."""
        if unicodedata.is_normalized("NFKC", text):
            pieces = list(text)
        else:  # a character like … or ① becomes several: map each back to its source
            pieces = [unicodedata.normalize("NFKC", ch) for ch in text]
        folded = "".join(pieces)
        normal = self._t2s.convert(folded).lower()
        if len(normal) != len(folded):  # rare: conversion changed lengths, go char by char
            pieces = [self.normalize(ch) for ch in text]
            normal = "".join(pieces)
        return normal, [i for i, piece in enumerate(pieces) for _ in piece]

    def _grams(self, text: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
        if not self.characters:
            return
        for i in range(start, end - 1):
            yield f"{CHARACTER_MARK}{text[i:i + 2]}", i, i + 2
        for i in range(start, end):
            yield f"{CHARACTER_MARK}{text[i]}", i, i + 1
