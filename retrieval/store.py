"""Passages kept as flat arrays (one UTF-8 blob plus offsets) rather than a million Python
objects: loads by memory-mapping in milliseconds and builds Passage objects only for the few
passages a question needs."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .model import Passage, SpeechInfo

ARRAYS = ("offsets", "ids", "id_order", "speech", "position", "section")


@dataclass
class PassageStore:
    blob: np.ndarray  # uint8, every passage text in UTF-8, back to back
    offsets: np.ndarray  # int64, n + 1 byte offsets into blob
    ids: np.ndarray  # S16 passage ids
    id_order: np.ndarray  # argsort of ids, for lookup by binary search
    speech: np.ndarray  # int32 speech index per passage
    position: np.ndarray  # int32 position within its speech
    section: np.ndarray  # int32 index into sections
    sections: list[str]
    speech_infos: list[SpeechInfo]

    @classmethod
    def build(cls, passages: Sequence[Passage], speeches: list[SpeechInfo]) -> PassageStore:
        encoded = [p.text.encode("utf-8") for p in passages]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        section_ids: dict[str, int] = {}
        section = np.array([section_ids.setdefault(p.section, len(section_ids)) for p in passages],
                           dtype=np.int32)
        ids = np.array([p.id.encode("ascii") for p in passages], dtype="S16")
        return cls(
            blob=np.frombuffer(b"".join(encoded), dtype=np.uint8), offsets=offsets, ids=ids,
            id_order=np.argsort(ids, kind="stable"),
            speech=np.array([p.speech for p in passages], dtype=np.int32),
            position=np.array([p.position for p in passages], dtype=np.int32),
            section=section, sections=list(section_ids), speech_infos=speeches)

    def __len__(self) -> int:
        return len(self.speech)

    def text(self, row: int) -> str:
        return bytes(self.blob[self.offsets[row]:self.offsets[row + 1]]).decode("utf-8")

    def get(self, row: int) -> Passage:
        info = self.speech_infos[int(self.speech[row])]
        return Passage(id=self.ids[row].decode("ascii"), text=self.text(row), file=info.file,
                       title=info.title, section=self.sections[int(self.section[row])],
                       position=int(self.position[row]), speech=int(self.speech[row]))

    def row_of(self, passage_id: str) -> int | None:
        key = passage_id.encode("ascii", "replace")
        i = int(np.searchsorted(self.ids, key, sorter=self.id_order))
        if i < len(self.ids) and self.ids[self.id_order[i]] == key:
            return int(self.id_order[i])
        return None

    def save(self, directory: Path) -> None:
        self.blob.tofile(directory / "texts.bin")
        for name in ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, name), allow_pickle=False)
        meta = {"sections": self.sections,
                "speeches": [info.__dict__ for info in self.speech_infos]}
        (directory / "passages.json").write_text(json.dumps(meta, ensure_ascii=False), "utf-8")

    @classmethod
    def load(cls, directory: Path) -> PassageStore:
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in ARRAYS}
        size = (directory / "texts.bin").stat().st_size
        blob = (np.memmap(directory / "texts.bin", dtype=np.uint8, mode="r") if size
                else np.zeros(0, dtype=np.uint8))
        meta = json.loads((directory / "passages.json").read_text("utf-8"))
        store = cls(blob=blob, sections=meta["sections"],
                    speech_infos=[SpeechInfo(**s) for s in meta["speeches"]], **arrays)
        n = len(store.speech)
        if not (len(store.offsets) == n + 1 and store.offsets[-1] == size
                and all(len(a) == n for a in (store.ids, store.id_order, store.position,
                                              store.section))):
            raise ValueError("passage arrays are inconsistent")
        return store
