"""The `policybot` command: index, ask, eval, serve; with no command, the main job."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path

from retrieval import Answer, Config, ConfigError, Engine, load_config
from retrieval.evaluate import evaluate, load_questions

NO_ANSWER = "语料中没有找到能回答这个问题的内容。可以换个说法，或用更少、更具体的关键词再试。"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        config = load_config(args.config)
        if args.corpus:
            config = Config(raw=config.raw, source=config.source,
                            retrieval=config.retrieval.with_corpus(args.corpus))
        return args.run(args, config)
    except (ConfigError, FileNotFoundError, ValueError) as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the output was piped into a command that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", action="append", metavar="DIR",
                        help="a directory of speech files (repeatable; default: corpus.dirs)")
    common.add_argument("--config", metavar="FILE", help="a YAML file merged over the defaults")
    parser = argparse.ArgumentParser(
        prog="policybot", parents=[common],
        description="Answer questions about policy speeches with sourced verbatim quotes. "
                    "With no command: serve the Telegram bot if a token is configured, "
                    "else ask questions in the terminal.")
    parser.set_defaults(run=_run_main, question=None)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="build (or load) the index and report")
    p.set_defaults(run=_run_index)

    p = sub.add_parser("ask", parents=[common], help="answer a question (no question: prompt)")
    p.add_argument("question", nargs="?", help="the question; omit for an interactive prompt")
    p.add_argument("-k", type=int, default=None, help="number of results (default: search.top_k)")
    p.add_argument("--json", action="store_true", help="print one JSON object per question")
    p.add_argument("--batch", metavar="FILE",
                   help="questions from FILE: one per line, or JSONL with a 'question' field")
    p.set_defaults(run=_run_ask)

    p = sub.add_parser("eval", parents=[common], help="retrieval metrics on an evaluation set")
    p.add_argument("file", help="JSONL evaluation set (see README)")
    p.add_argument("-k", type=int, default=10, help="depth of the ranking that is scored")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(run=_run_eval)

    p = sub.add_parser("serve", parents=[common], help="run the Telegram bot")
    p.set_defaults(run=_run_serve)

    p = sub.add_parser("export-feedback", parents=[common],
                       help="write the down-voted questions of the journal as an eval set")
    p.add_argument("file", help="JSONL file to write (gold left empty to fill in)")
    p.add_argument("--since", metavar="DATE", help="only questions asked since DATE (ISO)")
    p.set_defaults(run=_run_export_feedback)
    return parser


def _open(config: Config) -> Engine:
    engine = Engine.open(config.retrieval, progress=sys.stderr.isatty())
    if engine.report.cache_problem:
        print(f"note: {engine.report.cache_problem}", file=sys.stderr)
    return engine


def _run_main(args: argparse.Namespace, config: Config) -> int:
    from bot.app import token_configured

    if token_configured(config):
        return _run_serve(args, config)
    print("未配置 TELEGRAM_BOT_TOKEN：在终端中回答问题（Ctrl-D 退出）。", file=sys.stderr)
    return _run_ask(argparse.Namespace(question=None, k=None, json=False, batch=None), config)


def _run_index(args: argparse.Namespace, config: Config) -> int:
    engine = _open(config)
    report = engine.report
    state = "loaded from cache" if report.loaded_from_cache else "built"
    print(f"index {state} in {report.seconds:.2f}s")
    print(f"files: {report.files}  speeches: {report.speeches}  passages: {report.passages}")
    for info in engine.speeches():
        meta = " ".join(str(x) for x in (info.year, info.level) if x)
        print(f"  {info.file}  《{info.title}》 {meta}  {info.passages} passages")
    print(f"skipped: {len(report.skipped)}")
    for skipped in report.skipped:
        print(f"  {skipped.file}: {skipped.reason}")
    return 0


def _run_ask(args: argparse.Namespace, config: Config) -> int:
    engine = _open(config)
    if args.batch:
        questions: Iterator[str] = _batch_questions(Path(args.batch))
    elif args.question is not None:
        questions = iter([args.question])
    else:
        questions = _prompt()
    for question in questions:
        answer = engine.ask(question, k=args.k)
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(render_terminal(answer, color=_color()), flush=True)
    return 0


def _run_eval(args: argparse.Namespace, config: Config) -> int:
    engine = _open(config)
    metrics = evaluate(load_questions(Path(args.file)), lambda q, k: engine.ask(q, k=k), args.k)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        for name, value in metrics.items():
            print(f"{name:16} {value}")
    return 0


def _run_serve(args: argparse.Namespace, config: Config) -> int:
    from bot.app import run

    logging.getLogger().setLevel(logging.INFO)
    run(config, lambda: _open(config))
    return 0


def _run_export_feedback(args: argparse.Namespace, config: Config) -> int:
    from bot.journal import export_feedback_cli

    return export_feedback_cli(config, Path(args.file), args.since)


def _batch_questions(path: Path) -> Iterator[str]:
    with path.open(encoding="utf-8-sig") as lines:
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    yield str(json.loads(line)["question"])
                except (json.JSONDecodeError, KeyError) as exc:
                    raise ValueError(f"{path}:{n}: expected a JSON object with 'question'") from exc
            else:
                yield line


def _prompt() -> Iterator[str]:
    interactive = sys.stdin.isatty()
    while True:
        try:
            line = input("问题> " if interactive else "")
        except EOFError:
            return
        if line.strip():
            yield line.strip()


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def answer_json(answer: Answer) -> dict:
    return {
        "query": answer.query,
        "answered": answer.answered,
        "results": [{"rank": r.rank, "score": round(r.score, 6), "id": r.id, "text": r.text,
                     "quote": r.quote, "source": asdict(r.source)} for r in answer.results],
    }


def render_terminal(answer: Answer, color: bool) -> str:
    """Quotes with the matched terms marked (bold in a terminal, **term** when piped)."""
    lines = [f"问：{answer.query}"]
    if not answer.answered:
        lines.append(NO_ANSWER)
        return "\n".join(lines) + "\n"
    on, off = ("\033[1;33m", "\033[0m") if color else ("**", "**")
    for r in answer.results:
        marked, last = [], 0
        for start, end in r.spans:
            marked += [r.quote[last:start], on, r.quote[start:end], off]
            last = end
        marked.append(r.quote[last:])
        src = " · ".join(x for x in (f"《{r.source.title}》", r.source.section,
                                     f"第{r.source.position}段") if x)
        lines += [f"[{r.rank}] {''.join(marked)}", f"    —— {src}（{r.source.file}）"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
