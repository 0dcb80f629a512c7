"""What reading makes of real corpora: documents, passages, and where every character went.

Corpus mode, one row per directory: files, documents, passages; characters kept (in a
passage, a title or a heading its passages carry), dropped as recognised boilerplate, and
lost (in none of these: must be 0); documents with a real title (not the file name), a date,
a place, an issuer and a number (文号); documents merged as duplicates; the time to build the
index in a fresh cache.

Formats mode (--formats DIR, default ../shared/formats beside the repo): every file of
DIR/corpus read as `policybot passages` reads a corpus file (retrieval.inspect_file, with the
furniture the folder teaches), measured against its reference extraction DIR/reference/ and
DIR/SOURCES.md. The reference's characters (NFKC, letters and digits only: punctuation and
whitespace differ between extractors; page numbers, citation marks [12], antiword's [pic]
and catdoc's garbled runs left out) are shared out by an aligned diff (difflib, a chunk at
a time): kept (in blocks of 8+ characters aligned in reading order with the titles,
headings and passages; or between the same two aligned blocks, maybe reordered; or a
citation number moved by a line; or 8+ characters found elsewhere among them), meta (3+
characters only in an issuer or 文号 field), dropped (3+ characters, or a whole line, of the
lines the report drops, by rule), lost (the rest). A lost run of 3 characters or fewer
that stands in one of these with a few of its neighbours is not lost. Title and date are
checked against SOURCES.md's columns. Then a line per format and a JSON line.

    .venv/bin/python benchmarks/reading.py                  # the usual corpora and formats
    .venv/bin/python benchmarks/reading.py DIR [DIR ...]     # these corpora
    .venv/bin/python benchmarks/reading.py --formats [DIR]   # the real files of every format
    .venv/bin/python benchmarks/reading.py ... --lost        # also print every lost piece
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from difflib import SequenceMatcher
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval import Engine, inspect_file, load_config  # noqa: E402
from retrieval.boilerplate import Boilerplate, fold  # noqa: E402
from retrieval.corpus import body_key  # noqa: E402
from retrieval.documents import lines_for_learning, split_documents  # noqa: E402
from retrieval.files import UnreadableFile, find_files, read_file  # noqa: E402
from retrieval.passages import document_passages  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPORA = [SHARED / "corpora" / n for n in ("work-reports", "provincial-2026", "notices-2020")]
CORPORA.append(ROOT / "seeds")
FORMATS = SHARED / "formats"
FORMAT_ORDER = ("pdf", "ofd", "doc", "docx", "html")
# The reference extraction of a file, best first (p04's radicals mapped back, antiword's
# clean .doc text, pdftotext's layout text before its default mode).
REFERENCES = (".radicals_repaired.txt", ".antiword.txt", ".txt", ".default.txt")

NOT_TEXT = re.compile(r"[\s\W_]+")
CHUNK = re.compile(r"[^。！？!?；;，,：:、（）()《》“”\s]+")
# Page numbers: framed ones (-3-, 第3页, 第3页共18页) on any line, bare ones (3, 3/18) as a
# page's first or last line.
PAGE_FRAMED = re.compile(r"[-—–~]+\d{1,3}[-—–~]+|第\d{1,3}页(共\d{1,3}页)?")
PAGE_BARE = re.compile(r"\d{1,3}(/\d{1,3})?")
# catdoc's 8-bit misreadings of a .doc's text: a run of no CJK with a Latin-1 letter or sign
# in it (not · × ° ±, which Chinese text uses).
NOT_CJK = r"[^\u2e80-\u9fff\u3000-\u303f\uff00-\uffef\n]*"
GARBLED = re.compile(NOT_CJK + r"[\u00a0-\u00af\u00b2-\u00b6\u00b8-\u00d6\u00d8-\u036f‰„⁄]"
                     + NOT_CJK)
CITATION = re.compile(r"\[\d{1,3}(?:[-–~,，、]\d{1,3})*\]")
DATE = re.compile(r"\d{4}(-\d\d){0,2}")
SHORTEST = 3  # a piece found in a dropped line or a field counts only if this long
ALIGNED = 8  # a piece found in the kept text (in order or not) counts only if this long
NEAR = 200  # how far from its place a citation number may stand in the kept text
ALIGN_CHUNK = 3000  # reference characters aligned at a time, against 3x as much kept text


def folded(text: str) -> str:
    return NOT_TEXT.sub("", text)


def _longest_prefix(piece: str, hay: str) -> int:
    """Length of the longest prefix of piece found in hay (found prefixes shrink to found)."""
    low, high = 0, len(piece)
    while low < high:
        mid = (low + high + 1) // 2
        if piece[:mid] in hay:
            low = mid
        else:
            high = mid - 1
    return low


def _match(piece: str, hay: str, shortest: int, rest: bool) -> int:
    """How much of the piece's start the hay holds: a prefix of `shortest` characters at least,
    or the whole rest of the piece (if `rest`), or a whole line of the hay (lines are joined
    and framed by NUL)."""
    end = _longest_prefix(piece, hay)
    if end >= shortest or (rest and end == len(piece)):
        return end
    return next((k for k in range(end, 0, -1) if f"\x00{piece[:k]}\x00" in hay), 0)


def placed(piece: str, hays: dict[str, str], shortest: int = 2, rest: bool = True,
           longer: dict[str, int] | None = None) -> list[tuple[str, str]]:
    """Where each part of a piece went: the longest start found in one of the hays (the first
    at a tie, see _match; `longer` asks some hays for longer matches), then the rest the
    same way; a character found in none is lost."""
    out: list[tuple[str, str]] = []
    longer = longer or {}
    while piece:
        end, _, where = max((_match(piece, hay, longer.get(where, shortest), rest), -i, where)
                            for i, (where, hay) in enumerate(hays.items()))
        if end:
            out.append((where, piece[:end]))
        else:
            out.append(("lost", piece[0]))
            end = 1
        piece = piece[end:]
    return out


def framed(lines) -> str:
    """Lines joined for searching: NUL before, between and after them."""
    return "\x00" + "\x00".join(lines) + "\x00"


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
                  kept=0, dropped=0, lost=0, titled=0, dated=0, placed=0, issuer=0,
                  numbered=0, duplicates=0)
    bodies: set[str] = set()
    for source in sources:
        documents, dropped = split_documents(source.document, source.name, boilerplate)
        raw_text = folded("".join(b.text for b in source.document.blocks))
        hay: list[str] = []  # folded content: passages in order, titles, headings
        for document in documents:
            if document.units and body_key(document) in bodies:
                totals["duplicates"] += 1
                hay += [folded(u.text) for u in document.units]
                hay.append(folded(document.title))
                continue
            bodies.add(body_key(document))
            passages = document_passages(document, 0, settings.passage_max_chars,
                                         settings.passage_min_chars)
            if not passages:
                continue
            meta = document.meta
            totals["documents"] += 1
            totals["passages"] += len(passages)
            # A title taken from the text, not the file name (its start stands in the file).
            totals["titled"] += folded(document.title)[:8] in raw_text
            totals["dated"] += meta.date is not None
            totals["placed"] += meta.place is not None
            totals["issuer"] += meta.issuer is not None
            totals["numbered"] += meta.number is not None
            hay.append(folded("".join(p.text for p in passages)))
            hay.append(folded(document.title))
            hay += [folded(s) for p in passages for s in p.section.split(" › ")]
        hays = {"kept": framed(hay), "dropped": framed(folded(d.text) for d in dropped)}
        for block in source.document.blocks:
            line = folded(block.text)
            if not line:
                continue
            pieces = [line] if any(line in h for h in hays.values()) else [
                folded(c) for c in CHUNK.findall(block.text)]
            for piece in filter(None, pieces):
                for where, part in placed(piece, hays):
                    totals[where] += len(part)
                    if where == "lost" and show_lost:
                        print(f"  lost in {source.name}: {part}", file=sys.stderr)
        totals["dropped"] += sum(len(folded(d.text)) for d in source.document.dropped)
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        Engine.open(replace(settings, cache_dir=Path(cache)))
        totals["index_s"] = round(time.perf_counter() - started, 1)
    return totals


# ---- formats mode -------------------------------------------------------------------------

def sources_table(path: Path) -> dict[str, dict[str, str]]:
    """SOURCES.md's table: file name -> its columns by header."""
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("|") and not line.startswith("|---")]
    header = rows[0]
    return {row[0]: dict(zip(header, row, strict=False)) for row in rows[1:]}


def compared(text: str) -> str:
    """Text as the formats mode compares it: NFKC, letters and digits only, no citation marks
    (pdftotext puts a superscript [14] on a line of its own, lines away)."""
    return folded(CITATION.sub("", fold(text)))


def reference_text(path: Path) -> str:
    """The reference extraction in compared form, without page numbers (PAGE_FRAMED,
    PAGE_BARE), antiword's [pic] marks and, in catdoc's text of a .doc, its garbled runs."""
    text = path.read_text(encoding="utf-8").replace("[pic]", "")
    if path.name.endswith(".doc.txt"):
        text = GARBLED.sub("", text)
    kept: list[str] = []
    for page in text.split("\f"):
        lines = [line for line in map(fold, page.splitlines())
                 if line and not PAGE_FRAMED.fullmatch(line)]
        for end in (0, -1) if "\f" in text else ():
            if lines and PAGE_BARE.fullmatch(lines[end]):
                lines.pop(end)
        kept += lines
    return compared("".join(kept))


def reference_for(root: Path, name: str) -> Path | None:
    for ending in REFERENCES:
        if (path := root / "reference" / f"{name}{ending}").is_file():
            return path
    return None


def _core_title(truth: str) -> str:
    """SOURCES.md's title without its trailing note (（附件）, (to …)) or 文号."""
    truth = re.sub(r"\s*[（(][^（()）]*[)）]\s*$", "", truth)
    return re.split(r"\s+(?=\S*〔\d{4}〕)", truth)[0]


def title_match(found: str, truth: str) -> str:
    """exact (the title, maybe with its 文号), contains (the title and more), part (a piece of
    the title only) or no; compared without punctuation and whitespace."""
    found = compared(found)
    wanted = {compared(truth), compared(_core_title(truth))}
    if found in wanted:
        return "exact"
    if any(w in found for w in wanted):
        return "contains"
    if len(found) >= 4 and any(found in w for w in wanted):
        return "part"
    return "no"


def date_match(found: str | None, truth: str) -> str:
    """exact, year (the same year only), wrong, or none; the truth is the column's first date."""
    wanted = m.group(0) if (m := DATE.search(truth)) else ""
    if not found:
        return "none"
    return "exact" if found == wanted else "year" if found[:4] == wanted[:4] else "wrong"


def _aligned(reference: str, kept: str) -> list[tuple[int, int, int]]:
    """Blocks of the reference aligned with the kept text in order (ALIGNED characters at
    least) as (reference start, kept start, length), a chunk of the reference at a time
    against a window of the kept text that moves on with the matches."""
    blocks: list[tuple[int, int, int]] = []
    at = 0
    for start in range(0, len(reference), ALIGN_CHUNK):
        chunk = reference[start:start + ALIGN_CHUNK]
        window = kept[at:at + 3 * ALIGN_CHUNK]
        found = [b for b in SequenceMatcher(None, chunk, window, autojunk=False)
                 .get_matching_blocks() if b.size >= ALIGNED]
        blocks += [(start + b.a, at + b.b, b.size) for b in found]
        if found:
            at += found[-1].b + found[-1].size
    return blocks


def _moved(piece: str, kept: str, start: int, end: int) -> bool:
    """A piece of the reference that the kept text holds at about the same place, kept[start:
    end] lying between the same two aligned blocks: as it is (among text the reference
    lacks, a heading repeating its paragraph's start); in another order (鉴别52 for 52鉴别),
    its characters among those there and few others; or a citation number that pdftotext put
    on another line (a superscript [14]), digits found within NEAR characters."""
    between = kept[start:end]
    return bool(piece) and (
        piece in between
        or (len(between) <= len(piece) + ALIGNED and not Counter(piece) - Counter(between))
        or (piece.isdigit() and len(piece) <= 4
            and piece in kept[max(0, start - NEAR):end + NEAR]))


def share_out(reference: str, kept: str, hays: dict[str, str],
              ) -> tuple[Counter, list[tuple[int, int]]]:
    """Reference characters by where they went (kept, meta, dropped:<rule>, lost), and the
    lost runs' [start, end) in the reference."""
    counts: Counter[str] = Counter()
    lost: list[tuple[int, int]] = []
    at = kept_at = 0
    for start, kept_start, size in [*_aligned(reference, kept), (len(reference), len(kept), 0)]:
        gap = reference[at:start]
        counts["kept"] += size
        if _moved(gap, kept, kept_at, kept_start):
            counts["kept"] += len(gap)
            gap = ""
        for where, part in placed(gap, hays, SHORTEST, rest=False, longer={"kept": ALIGNED}):
            counts[where] += len(part)
            if where == "lost":
                if lost and lost[-1][1] == at:
                    lost[-1] = (lost[-1][0], at + len(part))
                else:
                    lost.append((at, at + len(part)))
            at += len(part)
        at, kept_at = start + size, kept_start + size
    still: list[tuple[int, int]] = []
    for start, end in lost:
        if (where := _around(reference, start, end, hays)) is None:
            still.append((start, end))
        else:
            counts["lost"] -= end - start
            counts[where] += end - start
    return counts, still


def _around(text: str, start: int, end: int, hays: dict[str, str], reach: int = 6) -> str | None:
    """Where a short lost run went after all when, with a few characters of its neighbours,
    it stands in a hay: pieces too short to place alone (a 【 of a page title, a menu word)."""
    if end - start > SHORTEST:
        return None
    for more in range(1, 2 * reach + 1):
        for left in range(max(0, more - reach), min(more, reach) + 1):
            window = text[max(0, start - left):end + more - left]
            if len(window) >= SHORTEST:
                for where, hay in hays.items():
                    if window in hay:
                        return where
    return None


def in_context(text: str, start: int, end: int, around: int = 6, most: int = 60) -> str:
    """A lost run with a little of the text either side: …before[lost]after…"""
    lost = text[start:end] if end - start <= most else text[start:start + most] + "…"
    return f"{text[max(0, start - around):start]}[{lost}]{text[end:end + around]}"


def measure_file(path: Path, root: Path, settings, boilerplate, truth: dict[str, str]) -> dict:
    report = inspect_file(path, settings, boilerplate)
    ordered: list[str] = []  # titles, headings as they open, passages: in reading order
    for index, info in enumerate(report.documents):
        ordered.append(info.title)
        shown: list[str] = []
        for passage in (p for p in report.passages if p.document == index):
            heads = passage.section.split(" › ") if passage.section else []
            ordered += [h for i, h in enumerate(heads) if shown[:i + 1] != heads[:i + 1]]
            shown = heads
            ordered.append(passage.text)
    kept = compared("".join(ordered))
    hays = {"kept": framed(map(compared, ordered)),
            "meta": framed(compared(x) for d in report.documents for x in (d.issuer, d.number)
                           if x)}
    for rule in dict.fromkeys(line.rule for line in report.dropped):
        hays[f"dropped:{rule}"] = framed(compared(d.text) for d in report.dropped
                                         if d.rule == rule)
    ref_path = reference_for(root, path.name)
    reference = reference_text(ref_path) if ref_path else ""
    counts, lost = share_out(reference, kept, hays)
    first = report.documents[0] if report.documents else None
    return {
        "file": path.name, "format": path.suffix.lower().lstrip("."),
        "reference": ref_path.name if ref_path else None,
        "documents": len(report.documents), "passages": len(report.passages),
        "ref_chars": len(reference), "kept": counts["kept"], "meta": counts["meta"],
        "dropped": sum(v for k, v in counts.items() if k.startswith("dropped:")),
        "lost": counts["lost"],
        "dropped_by_rule": {k[8:]: v for k, v in counts.most_common() if k.startswith("dropped:")},
        "title": title_match(first.title, truth.get("document title", "")) if first else "no",
        "found_title": first.title if first else None,
        "true_title": truth.get("document title"),
        "date": date_match(first.date, truth.get("date", "")) if first else "none",
        "found_date": first.date if first else None, "true_date": truth.get("date"),
        "skipped": report.skipped,
        "lost_text": [in_context(reference, a, b) for a, b in
                      sorted(lost, key=lambda span: span[0] - span[1])],
    }


def measure_formats(root: Path) -> tuple[list[dict], dict[str, dict]]:
    truth = sources_table(root / "SOURCES.md")
    corpus = root / "corpus"
    settings = load_config().retrieval.with_corpus([corpus])
    paths = sorted(p for p in corpus.iterdir() if p.is_file())
    learned = []  # the furniture the folder teaches, as a build of it would learn it
    for path in paths:
        with contextlib.suppress(UnreadableFile):
            learned.append(lines_for_learning(read_file(path, path.name,
                                                        settings.max_file_bytes).document))
    boilerplate = Boilerplate.learn(learned)
    rows = [measure_file(p, root, settings, boilerplate, truth.get(p.name, {})) for p in paths]
    summary = {}
    for fmt in FORMAT_ORDER:
        mine = [r for r in rows if r["format"] == fmt]
        summary[fmt] = dict(
            files=len(mine), read=sum(not r["skipped"] for r in mine),
            titled=sum(r["title"] in ("exact", "contains") for r in mine),
            dated=sum(r["date"] in ("exact", "year") for r in mine),
            ref_chars=sum(r["ref_chars"] for r in mine), lost=sum(r["lost"] for r in mine))
    return rows, summary


def print_formats(rows: list[dict], summary: dict[str, dict], show_lost: bool) -> None:
    columns = ("format", "documents", "passages", "ref_chars", "kept", "meta", "dropped",
               "lost", "title", "date", "skipped")
    print("| file | " + " | ".join(columns) + " |")
    print("|" + " --- |" * (len(columns) + 1))
    for r in rows:
        print(f"| {r['file'][:40]} | " + " | ".join(str(r[c] or "") if c == "skipped"
                                                      else str(r[c]) for c in columns) + " |")
    print("\n| format | files | read | titled right | dated | ref chars | lost chars |")
    print("|" + " --- |" * 7)
    for fmt, s in summary.items():
        print(f"| {fmt} | {s['files']} | {s['read']} | {s['titled']} | {s['dated']} "
              f"| {s['ref_chars']} | {s['lost']} |")
    print("\nPer file: the reference used, what was not right, what was dropped, what was lost.")
    for r in rows:
        notes = [f"reference {r['reference']}"]
        if r["title"] not in ("exact", "contains"):
            notes.append(f"title {r['title']}: «{r['found_title']}» for «{r['true_title']}»")
        if r["date"] != "exact":
            notes.append(f"date {r['date']}: {r['found_date']} for {r['true_date']}")
        if r["dropped_by_rule"]:
            notes.append("dropped " + ", ".join(f"{k} {v}" for k, v in
                                                r["dropped_by_rule"].items()))
        print(f"- {r['file']}: " + "; ".join(notes))
        if pieces := r["lost_text"]:
            print(f"    lost {r['lost']} in {len(pieces)} pieces, longest first: "
                  + " | ".join(pieces if show_lost else pieces[:6]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path,
                        help="corpus directories, one row each (default: the usual corpora)")
    parser.add_argument("--formats", nargs="?", type=Path, const=FORMATS, metavar="DIR",
                        help=f"measure DIR/corpus against DIR/reference (default {FORMATS})")
    parser.add_argument("--lost", action="store_true", help="print every lost piece")
    args = parser.parse_args()
    dirs, formats = args.dirs, args.formats
    if not dirs and formats is None:  # no arguments: the usual corpora and the formats folder
        dirs = [d for d in CORPORA if d.is_dir()]
        formats = FORMATS if FORMATS.is_dir() else None
    out: dict[str, object] = {}
    if dirs:
        columns = ("files", "skipped", "documents", "passages", "kept", "dropped", "lost",
                   "titled", "dated", "placed", "issuer", "numbered", "duplicates", "index_s")
        print("| corpus | " + " | ".join(columns) + " |")
        print("|" + " --- |" * (len(columns) + 1))
        out["corpora"] = {}
        for directory in dirs:
            row = measure(directory, args.lost)
            out["corpora"][directory.name] = row
            print(f"| {directory.name} | " + " | ".join(str(row[c]) for c in columns) + " |",
                  flush=True)
    if formats:
        rows, summary = measure_formats(formats)
        if dirs:
            print()
        print_formats(rows, summary, args.lost)
        out["formats"] = {"files": [{**r, "lost_text": r["lost_text"][:5]} for r in rows],
                          "summary": summary}
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
