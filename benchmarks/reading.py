"""What reading makes of real corpora: documents, passages, and where every character went.

For each corpus directory given: files, documents, passages; characters kept (in a passage,
a title or a heading its passages carry), dropped as recognised boilerplate, and lost (in
none of these: must be 0); documents with a real title (not the file name) and with a date;
documents merged as duplicates; and the time to build the index in a fresh cache.

    .venv/bin/python benchmarks/reading.py DIR [DIR ...]
    .venv/bin/python benchmarks/reading.py DIR --lost    # also print every lost piece
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from retrieval import Engine, load_config
from retrieval.boilerplate import Boilerplate
from retrieval.corpus import body_key
from retrieval.documents import lines_for_learning, split_documents
from retrieval.files import UnreadableFile, find_files, read_file
from retrieval.passages import document_passages

NOT_TEXT = re.compile(r"[\s\W_]+")
CHUNK = re.compile(r"[^。！？!?；;，,：:、（）()《》“”\s]+")


def folded(text: str) -> str:
    return NOT_TEXT.sub("", text)


def _placed(piece: str, content: str, removed: str) -> list[tuple[str, str]]:
    """Where each part of a piece went: the longest prefix found in the content or in what
    was removed, then the rest the same way; a character found in neither is lost."""
    out: list[tuple[str, str]] = []
    while piece:
        for end in range(len(piece), 0, -1):
            part = piece[:end]
            where = "kept" if part in content else "dropped" if part in removed else None
            if where and (end > 1 or len(piece) == 1):
                out.append((where, part))
                break
        else:
            out.append(("lost", piece[0]))
            end = 1
        piece = piece[end:]
    return out


def measure(directory: Path, show_lost: bool) -> dict[str, object]:
    config = load_config()
    settings = config.retrieval.with_corpus([directory])
    sources, skipped = [], 0
    for path, name in find_files(settings.corpus_dirs, settings.extensions):
        try:
            sources.append(read_file(path, name, settings.max_file_bytes))
        except UnreadableFile as exc:
            skipped += 1
            print(f"  skipped {name}: {exc}", file=sys.stderr)
    boilerplate = Boilerplate.learn(lines_for_learning(s.document) for s in sources)
    totals = dict(files=len(sources) + skipped, skipped=skipped, documents=0, passages=0,
                  kept=0, dropped=0, lost=0, titled=0, dated=0, placed=0, duplicates=0)
    bodies: set[str] = set()
    for source in sources:
        documents, dropped = split_documents(source.document, source.name, boilerplate)
        raw_text = folded("".join(b.text for b in source.document.blocks))
        hay: list[str] = []  # folded content: passages in order, titles, headings
        for document in documents:
            if document.units and body_key(document) in bodies:
                totals["duplicates"] += 1
                hay += [folded(u.text) for u in document.units]
                continue
            bodies.add(body_key(document))
            passages = document_passages(document, 0, settings.passage_max_chars,
                                         settings.passage_min_chars)
            if not passages:
                continue
            totals["documents"] += 1
            totals["passages"] += len(passages)
            # A title taken from the text, not the file name (its start stands in the file).
            totals["titled"] += folded(document.title)[:8] in raw_text
            totals["dated"] += document.meta.date is not None
            totals["placed"] += document.meta.place is not None
            hay.append(folded("".join(p.text for p in passages)))
            hay.append(folded(document.title))
            hay += [folded(s) for p in passages for s in p.section.split(" › ")]
        content = "\x00".join(hay)
        removed = "\x00".join(folded(d.text) for d in dropped)
        for block in source.document.blocks:
            line = folded(block.text)
            if not line:
                continue
            pieces = [line] if line in content or line in removed else [
                folded(c) for c in CHUNK.findall(block.text)]
            for piece in filter(None, pieces):
                for where, part in _placed(piece, content, removed):
                    totals[where] += len(part)
                    if where == "lost" and show_lost:
                        print(f"  lost in {source.name}: {part}", file=sys.stderr)
        totals["dropped"] += sum(len(folded(d.text)) for d in source.document.dropped)
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        Engine.open(replace(settings, cache_dir=Path(cache)))
        totals["index_s"] = round(time.perf_counter() - started, 1)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="+", type=Path, help="corpus directories, one row each")
    parser.add_argument("--lost", action="store_true", help="print every lost piece")
    args = parser.parse_args()
    columns = ("files", "skipped", "documents", "passages", "kept", "dropped", "lost",
               "titled", "dated", "placed", "duplicates", "index_s")
    print("| corpus | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for directory in args.dirs:
        row = measure(directory, args.lost)
        print(f"| {directory.name} | " + " | ".join(str(row[c]) for c in columns) + " |",
              flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
