"""Speed and memory at scale, measured against rank_bm25 in the same run.

    .venv/bin/python benchmarks/scale.py --sizes 10000 100000 1000000

For each size it generates a corpus (sentences sampled from seeds/, 3-8 per paragraph,
paragraphs grouped into titled speeches, a seeded RNG), then, each step in a fresh process:
builds it through Engine.open (the code path of `policybot index`), loads the saved index,
answers 200 questions through the whole answer path, appends one new speech, and finally fits
rank_bm25.BM25Okapi over the same tokens of the grown corpus to time get_scores + top-k and
check that the top-10 agree with the appended index for every question. Prints a table and,
last, one JSON line with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrieval import Engine, load_config  # noqa: E402
from retrieval.build import passage_label, passage_tokens  # noqa: E402
from retrieval.passages import SENTENCE  # noqa: E402

FILES_PER_DIR = 1000


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident MB; `field` RssAnon: only what no file backs (the rest are
    mapped index pages, which the page cache holds anyway and gives back under pressure)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def settings_for(corpus: Path, cache: Path):
    """Default settings (environment overrides apply, e.g. POLICYBOT_TOKENS__CHARACTERS=false)
    on the generated corpus, with the benchmark's own cache."""
    return replace(load_config().retrieval.with_corpus([corpus]), cache_dir=cache)


def seed_material() -> tuple[list[str], list[str]]:
    """Sentences and topic phrases from the seeds, via the project's own cleaning."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = Engine.open(settings_for(ROOT / "seeds", Path(tmp)))
        sentences, topics = [], set()
        for row in range(len(engine.store)):
            passage = engine.store.get(row)
            sentences += [s for s in SENTENCE.findall(passage.text) if 8 <= len(s) <= 120]
            topics.update(part.split("、")[-1][:16] for part in passage.section.split(" › ")
                          if part)
    return sentences, sorted(t for t in topics if len(t) >= 4)


def generate(n: int, out: Path, seed: int, max_chars: int) -> int:
    """Write speech files holding about n passages; returns the paragraphs written."""
    rng = random.Random(seed)
    sentences, topics = seed_material()
    written = speech = 0
    while written < n:
        paragraphs = min(rng.randint(30, 80), n - written)
        lines = [f"关于{rng.choice(topics)}的讲话（第{speech + 1}号）", "同志们："]
        for _ in range(paragraphs):
            text = ""
            for sentence in rng.sample(sentences, rng.randint(3, 8)):
                if text and len(text) + len(sentence) > max_chars:
                    break
                text += sentence
            lines.append(text)
        directory = out / f"d{speech // FILES_PER_DIR:04d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / f"speech{speech:07d}.txt").write_text("\n".join(lines) + "\n", "utf-8")
        written += paragraphs
        speech += 1
    return written


def questions() -> list[str]:
    """200 questions on the seeds' topics: the dev questions' style, and the speeches'
    own section themes asked as a user would."""
    base = [
        "教师队伍建设有哪些要求？", "县管校聘改革怎么推进？", "师德师风建设", "双减 作业设计",
        "学校安保经费由谁承担？", "义务教育均衡发展", "控辍保学", "学前教育 普惠性幼儿园",
        "职业教育 产教融合", "校园安全 应急疏散演练", "集团化办学 教师交流比例", "课后服务",
        "教育扶贫资金怎么发放？", "特岗教师招聘", "异地高考", "全员导师制", "家校共育",
        "名师工作室", "教育信息化", "思政课建设", "学生资助", "教育督导", "综合素质评价",
        "校长任期", "教师职称评聘", "乡村教师待遇", "留守儿童关爱", "食品安全", "防溺水",
        "教育现代化", "立德树人根本任务", "高考成绩", "中考招生", "民办教育", "特殊教育",
        "教育投入", "校舍建设", "营养改善计划", "教师培训", "课堂教学改革", "作风建设",
        "意识形态工作", "全面从严治党", "依法治教", "教育评价改革", "劳动教育", "体育美育",
        "心理健康教育", "人工智能教育", "数字化转型",
    ]
    sentences, topics = seed_material()
    rng = random.Random(1)
    asked = [f"{t}有哪些要求？" for t in rng.sample(topics, min(100, len(topics)))]
    asked += [s[:14] for s in rng.sample(sentences, 200 - len(base) - len(asked))]
    return (base + asked)[:200]


def step_build(corpus: Path, cache: Path) -> dict:
    started = time.perf_counter()
    engine = Engine.open(settings_for(corpus, cache))
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in cache.rglob("*") if p.is_file())
    return {"build_s": seconds, "passages": engine.report.passages,
            "files": engine.report.files, "build_peak_rss_mb": peak_mb(),
            "build_workers_peak_rss_mb": peak_mb(resource.RUSAGE_CHILDREN),
            "index_mb": size / 2**20}


def step_serve(corpus: Path, cache: Path) -> dict:
    started = time.perf_counter()
    engine = Engine.open(settings_for(corpus, cache))
    load = time.perf_counter() - started
    assert engine.report.loaded_from_cache
    asked = questions()
    for q in asked[:5]:  # first-touch of the dictionary and caches
        engine.ask(q)
    latencies = []
    for q in asked:
        t = time.perf_counter()
        engine.ask(q)
        latencies.append((time.perf_counter() - t) * 1000)
    return {"load_s": load, "query_p50_ms": float(np.percentile(latencies, 50)),
            "query_p99_ms": float(np.percentile(latencies, 99)),
            "query_max_ms": max(latencies), "serving_rss_mb": rss_mb()}


def step_add(corpus: Path, cache: Path) -> dict:
    sentences, _ = seed_material()
    rng = random.Random(99)
    lines = ["关于新增工作的讲话", "同志们："] + [
        "".join(rng.sample(sentences, 3)) for _ in range(50)]
    (corpus / "added").mkdir(exist_ok=True)
    (corpus / "added" / "new_speech.txt").write_text("\n".join(lines) + "\n", "utf-8")
    started = time.perf_counter()
    engine = Engine.open(settings_for(corpus, cache))
    seconds = time.perf_counter() - started
    return {"add_s": seconds, "add_segments": len(engine.index.segments),
            "passages_after_add": engine.report.passages}


def step_reference(corpus: Path, cache: Path, limit: int) -> dict:
    """rank_bm25 over the same tokens, against the (appended) saved index."""
    from rank_bm25 import BM25Okapi

    engine = Engine.open(settings_for(corpus, cache))
    store, tokenizer, index = engine.store, engine.tokenizer, engine.index
    started = time.perf_counter()
    docs = [passage_tokens(tokenizer, p.text, passage_label(p))
            for p in map(store.get, range(len(store)))]
    reference = BM25Okapi(docs, k1=index.k1, b=index.b, epsilon=index.epsilon)
    del docs
    fit = time.perf_counter() - started
    ours_ms, ref_ms, agree, checked = [], [], 0, 0
    for question in questions()[:limit]:
        terms = tokenizer.query_terms(question)
        t = time.perf_counter()
        ours = index.top(terms, 10)
        ours_ms.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        scores = reference.get_scores(terms)
        top = np.argpartition(-scores, 10)[:10]
        top = top[np.argsort(-scores[top], kind="stable")]
        ref_ms.append((time.perf_counter() - t) * 1000)
        checked += 1
        agree += _agree(ours, scores, top)
    return {"reference_fit_s": fit, "reference_ms_p50": float(np.median(ref_ms)),
            "scorer_ms_p50": float(np.median(ours_ms)),
            "speedup_p50": float(np.median(ref_ms) / np.median(ours_ms)),
            "top10_agree": agree, "top10_checked": checked,
            "reference_peak_rss_mb": peak_mb()}


def _agree(ours: list[tuple[int, float]], scores: np.ndarray, top: np.ndarray) -> bool:
    """Same top-10 scores, and the same ids wherever the score is not tied with another.
    Passages scoring 0 hold no query term; rank_bm25 lists them, the index does not."""
    top = top[scores[top] != 0]
    ours = [(row, score) for row, score in ours if score != 0]
    if len(ours) != len(top):
        return False
    if not np.allclose([s for _, s in ours], scores[top], rtol=1e-9, atol=1e-12):
        return False
    for (row, score), ref_row in zip(ours, top, strict=True):
        tied = np.isclose(scores, score, rtol=1e-9, atol=1e-12).sum() > 1
        if not tied and row != ref_row:
            return False
    return True


STEPS = {"build": step_build, "serve": step_serve, "add": step_add}


def run_step(step: str, corpus: Path, cache: Path, *extra: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--step", step, str(corpus), str(cache),
                          *extra], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"step {step} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--reference-questions", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.step:
        step, corpus, cache, *rest = args.step
        if step == "reference":
            result = step_reference(Path(corpus), Path(cache), int(rest[0]))
        else:
            result = STEPS[step](Path(corpus), Path(cache))
        print(json.dumps(result))
        return
    work = args.workdir or Path(tempfile.mkdtemp(prefix="policybot-bench-"))
    rows = []
    try:
        for n in args.sizes:
            corpus, cache = work / f"corpus-{n}", work / f"cache-{n}"
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
            started = time.perf_counter()
            generate(n, corpus, seed=n, max_chars=load_config(env={}).retrieval.passage_max_chars)
            row = {"size": n, "generate_s": time.perf_counter() - started}
            for step in ("build", "serve", "add"):
                row.update(run_step(step, corpus, cache))
                print(f"  {n}: {step} done", file=sys.stderr, flush=True)
            row.update(run_step("reference", corpus, cache, str(args.reference_questions)))
            row["speedup_whole_answer_p50"] = row["reference_ms_p50"] / row["query_p50_ms"]
            rows.append(row)
            print(f"  {n}: reference done", file=sys.stderr, flush=True)
            shutil.rmtree(corpus, ignore_errors=True)
            shutil.rmtree(cache, ignore_errors=True)
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    columns = [("size", "{:>9}"), ("passages", "{:>9}"), ("build_s", "{:>8.1f}"),
               ("build_peak_rss_mb", "{:>9.0f}"), ("index_mb", "{:>8.0f}"),
               ("load_s", "{:>7.2f}"), ("query_p50_ms", "{:>7.2f}"),
               ("query_p99_ms", "{:>7.2f}"), ("serving_rss_mb", "{:>8.0f}"),
               ("add_s", "{:>6.2f}"), ("reference_ms_p50", "{:>9.1f}"),
               ("scorer_ms_p50", "{:>8.2f}"), ("speedup_p50", "{:>8.0f}"),
               ("top10_agree", "{:>6}")]
    print(" ".join(f"{name[:9]:>9}" for name, _ in columns))
    for row in rows:
        print(" ".join(fmt.format(row[name]).rjust(9) for name, fmt in columns))
    print(json.dumps({"cpus": os.cpu_count(), "results": rows}))


if __name__ == "__main__":
    main()
