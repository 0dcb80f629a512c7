"""Passages kept as flat arrays (one UTF-8 blob plus offsets) rather than a million Python
objects: loads by memory-mapping in milliseconds and builds Passage objects only for the few
passages a question needs. Like the index, a store is a list of parts, one per segment."""

from __future__ import annotations

import hashlib
import json
import mmap
import re
import unicodedata
from array import array
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from .model import DocumentInfo, Passage

ARRAYS = ("offsets", "ids", "id_order", "document", "position", "section", "page", "copy_key",
          "key_offsets", "pairs")
NO_PAGE = 0
PUNCT_OR_SPACE = re.compile(r"[\s\W_]+")
PAIR_BATCHES = 64  # chunks' character pairs held apart before they are merged


@dataclass
class StorePart:
    blob: np.ndarray  # uint8, every passage text in UTF-8, back to back
    offsets: np.ndarray  # int64, n + 1 byte offsets into blob
    ids: np.ndarray  # S16 passage ids
    id_order: np.ndarray  # argsort of ids, for lookup by binary search
    document: np.ndarray  # int32 document index (global) per passage
    position: np.ndarray  # int32 position within its document
    section: np.ndarray  # int32 index into sections
    page: np.ndarray  # int32 page where the passage starts, NO_PAGE without pages
    copy_key: np.ndarray  # uint64 hash of the passage text in comparable form (copies share it)
    # Every passage text in matching form (tokens.normalize) without whitespace, UTF-8, back to
    # back: what exact text search compares in (textsearch.py), made at indexing.
    keys: np.ndarray  # uint8
    key_offsets: np.ndarray  # int64, n + 1 byte offsets into keys
    # Every two characters that stand side by side in a passage, as typed or in matching form
    # (char_pairs): a word with a pair outside this set is in none of the part's passages, which
    # exact search then never reads.
    pairs: np.ndarray  # uint64, sorted, unique
    sections: list[str]
    documents: list[DocumentInfo]  # the documents whose passages are in this part

    def __len__(self) -> int:
        return len(self.document)

    def text(self, row: int) -> str:
        return bytes(self.blob[self.offsets[row]:self.offsets[row + 1]]).decode("utf-8")

    def searchable(self) -> bytes | mmap.mmap:
        """The blob as what it was made from (the joined bytes of a fresh build, or the
        file's memory map when loaded), whose C-speed find needs no copy."""
        return _raw(self.blob)

    def searchable_keys(self) -> bytes | mmap.mmap:
        """The matching-form blob, likewise."""
        return _raw(self.keys)

    def row_of(self, passage_id: str) -> int | None:
        key = passage_id.encode("ascii", "replace")[:16]
        i = int(np.searchsorted(self.ids, key, sorter=self.id_order))
        if i < len(self.ids) and self.ids[self.id_order[i]] == key:
            return int(self.id_order[i])
        return None

    def save(self, directory: Path) -> None:
        self.blob.tofile(directory / "texts.bin")
        self.keys.tofile(directory / "keys.bin")
        for name in ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)
        meta = {"sections": self.sections, "documents": [asdict(s) for s in self.documents]}
        (directory / "passages.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> StorePart:
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in ARRAYS}
        blob, size = _mapped(directory / "texts.bin")
        keys, keys_size = _mapped(directory / "keys.bin")
        meta = json.loads((directory / "passages.json").read_text("utf-8"))
        part = cls(blob=blob, keys=keys, sections=meta["sections"],
                   documents=[DocumentInfo(**s) for s in meta["documents"]], **arrays)
        n = len(part.document)
        if not (len(part.offsets) == n + 1 and part.offsets[-1] == size
                and len(part.key_offsets) == n + 1 and part.key_offsets[-1] == keys_size
                and all(len(a) == n for a in (part.ids, part.id_order, part.position,
                                              part.section, part.page, part.copy_key))):
            raise ValueError("passage arrays are inconsistent")
        return part


def _raw(blob: np.ndarray) -> bytes | mmap.mmap:
    """What a blob array views (bytes or a memory map), or a copy when it views neither."""
    base = blob.base
    if isinstance(base, bytes | mmap.mmap) and len(base) == len(blob):
        return base
    return blob.tobytes()


def release(blob: bytes | mmap.mmap) -> None:
    """Drop a memory-mapped blob's pages from this process after a scan of all of it, or reads
    all over it: they stay in the page cache (a next scan maps them back cheaply), but an
    occasional search for a word no token spells does not leave both blobs (1.1 GB at 1.6M
    passages) resident."""
    if isinstance(blob, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        blob.madvise(mmap.MADV_DONTNEED)


def _mapped(path: Path) -> tuple[np.ndarray, int]:
    size = path.stat().st_size
    return (np.memmap(path, dtype=np.uint8, mode="r") if size
            else np.zeros(0, dtype=np.uint8)), size


class StoreBuilder:
    """Collects passages one at a time, without keeping Passage objects around."""

    def __init__(self) -> None:
        self._texts: list[bytes] = []
        self._keys: list[bytes] = []
        self._pairs: list[np.ndarray] = []
        self._ids: list[bytes] = []
        self._document = array("i")
        self._position = array("i")
        self._section = array("i")
        self._page = array("i")
        self._copy_key = array("Q")
        self._sections: dict[str, int] = {}
        self.documents: list[DocumentInfo] = []

    def add(self, passage: Passage) -> None:
        self._texts.append(passage.text.encode("utf-8"))
        self._ids.append(passage.id.encode("ascii"))
        self._document.append(passage.document)
        self._position.append(passage.position)
        self._section.append(self._sections.setdefault(passage.section, len(self._sections)))
        self._page.append(passage.page or NO_PAGE)
        self._copy_key.append(copy_key(passage.text))

    def add_keys(self, keys: list[bytes], pairs: np.ndarray) -> None:
        """The matching forms of the passages added, in their order (see StorePart.keys), and
        the character pairs of those passages (see StorePart.pairs)."""
        self._keys.extend(keys)
        self._pairs.append(pairs)
        if len(self._pairs) >= PAIR_BATCHES:  # held merged: a few distinct pairs, not all chunks'
            self._pairs = [np.unique(np.concatenate(self._pairs))]

    def finish(self) -> StorePart:
        if len(self._keys) != len(self._texts):
            raise ValueError("every passage needs its matching form")
        blob, offsets = _joined(self._texts)
        keys, key_offsets = _joined(self._keys)
        ids = np.array(self._ids, dtype="S16")
        pairs = (np.unique(np.concatenate(self._pairs)) if self._pairs
                 else np.zeros(0, dtype=np.uint64))
        return StorePart(blob=blob, offsets=offsets, keys=keys, key_offsets=key_offsets,
                         pairs=pairs, ids=ids,
                         id_order=np.argsort(ids, kind="stable"),
                         document=np.frombuffer(self._document, dtype=np.int32).copy(),
                         position=np.frombuffer(self._position, dtype=np.int32).copy(),
                         section=np.frombuffer(self._section, dtype=np.int32).copy(),
                         page=np.frombuffer(self._page, dtype=np.int32).copy(),
                         copy_key=np.frombuffer(self._copy_key, dtype=np.uint64).copy(),
                         sections=list(self._sections), documents=self.documents)


def _joined(pieces: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(the pieces back to back, their n + 1 offsets); the list is emptied."""
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    np.cumsum(np.fromiter((len(t) for t in pieces), dtype=np.int64, count=len(pieces)),
              out=offsets[1:])
    blob = np.frombuffer(b"".join(pieces), dtype=np.uint8)
    pieces.clear()
    return blob, offsets


def char_pairs(strings: Sequence[str]) -> np.ndarray:
    """The distinct pairs of characters side by side within any of the strings, each as one
    number (the first's code point << 21 | the second's), sorted: no pair spans two strings."""
    codes = np.frombuffer("".join(strings).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) < 2:
        return np.zeros(0, dtype=np.uint64)
    pairs = (codes[:-1].astype(np.uint64) << np.uint64(21)) | codes[1:]
    ends = np.cumsum(np.fromiter(map(len, strings), dtype=np.int64, count=len(strings)))
    inside = np.ones(len(pairs), dtype=bool)
    inside[ends[ends <= len(pairs)] - 1] = False  # a string's last character and the next's first
    return np.unique(pairs[inside])


def comparable(text: str) -> str:
    """Text without width, spacing and punctuation differences: what makes two copies one."""
    return PUNCT_OR_SPACE.sub("", unicodedata.normalize("NFKC", text))


def copy_key(text: str) -> int:
    """The same text, up to width, spacing and punctuation, gives the same key."""
    return int.from_bytes(hashlib.blake2b(comparable(text).encode("utf-8"),
                                          digest_size=8).digest(), "little")


class PassageStore:
    """All parts as one sequence of rows, in index order."""

    def __init__(self, parts: list[StorePart]) -> None:
        self.parts = parts
        self.starts = np.cumsum([0] + [len(p) for p in parts])
        self.document_infos = [s for p in parts for s in p.documents]

    def __len__(self) -> int:
        return int(self.starts[-1])

    @cached_property
    def row_document(self) -> np.ndarray:
        """The document of every row, for filtering rows by document."""
        return (np.concatenate([p.document for p in self.parts]) if self.parts
                else np.zeros(0, dtype=np.int32))

    @cached_property
    def _copies(self) -> tuple[np.ndarray, np.ndarray]:
        """(sorted copy keys, documents holding each) over the whole store."""
        if not self.parts:
            return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
        keys = np.concatenate([p.copy_key for p in self.parts])
        pairs = np.unique(np.stack([keys, self.row_document.astype(np.uint64)]), axis=1)
        unique, counts = np.unique(pairs[0], return_counts=True)
        return unique, counts

    def documents_holding(self, row: int) -> int:
        """How many documents hold this row's text (1 when it is the only copy)."""
        part, local = self._locate(row)
        keys, counts = self._copies
        i = int(np.searchsorted(keys, part.copy_key[local]))
        return int(counts[i]) if i < len(keys) and keys[i] == part.copy_key[local] else 1

    def _locate(self, row: int) -> tuple[StorePart, int]:
        i = int(np.searchsorted(self.starts, row, side="right")) - 1
        return self.parts[i], row - int(self.starts[i])

    def text(self, row: int) -> str:
        part, local = self._locate(row)
        return part.text(local)

    def document_of(self, row: int) -> int:
        part, local = self._locate(row)
        return int(part.document[local])

    def get(self, row: int) -> Passage:
        part, local = self._locate(row)
        document = int(part.document[local])
        info = self.document_infos[document]
        page = int(part.page[local])
        return Passage(id=part.ids[local].decode("ascii"), text=part.text(local), file=info.file,
                       title=info.title, section=part.sections[int(part.section[local])],
                       position=int(part.position[local]), document=document,
                       page=page if page != NO_PAGE else None)

    def rows_in_section(self, name: str) -> np.ndarray:
        """Rows whose section path has `name` as one of its labels (文号, 落款 …)."""
        found: list[np.ndarray] = []
        for start, part in zip(self.starts, self.parts, strict=False):
            ids = [i for i, path in enumerate(part.sections) if name in path.split(" › ")]
            if ids:
                found.append(np.flatnonzero(np.isin(part.section, ids)) + int(start))
        return np.concatenate(found) if found else np.zeros(0, dtype=np.int64)

    def row_of(self, passage_id: str) -> int | None:
        for start, part in zip(self.starts, self.parts, strict=False):
            local = part.row_of(passage_id)
            if local is not None:
                return int(start) + local
        return None
