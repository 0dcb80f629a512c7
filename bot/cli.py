"""The `policybot` command: index, ask, sources, show, passages, eval, serve; with no command,
the main job (serve if a token is configured, else ask in the terminal)."""

from __future__ import annotations

import argparse
import difflib
import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from bot import texts
from bot.render import CLOSEST_HEADING, plain_marks
from retrieval import (
    Answer,
    Config,
    ConfigError,
    DocumentInfo,
    Engine,
    Scope,
    Source,
    inspect_file,
    load_config,
)
from retrieval.evaluate import evaluate, format_report, load_questions
from retrieval.files import display_name
from retrieval.readers import ending_advice

# Typed at the prompt to leave it (as well as Ctrl-D and Ctrl-C).
EXIT_WORDS = frozenset({"exit", "quit", "q", "退出"})
# Source fields shown only when the document states them.
OPTIONAL_SOURCE_FIELDS = ("page", "date", "place")


class InputError(Exception):
    """Something the user gave (a file, a line of it) that cannot be used: one line, exit 2."""


# Exit status of a bug (sysexits EX_SOFTWARE): not the user's doing, unlike status 2.
INTERNAL_ERROR = 70


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        _unknown_arguments(getattr(args, "parser", parser), extra)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    try:
        return args.run(args, _config(args))
    except (ConfigError, InputError) as exc:
        print(f"policybot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)  # the shell prompt starts on a line of its own
        return 130
    except BrokenPipeError:  # the output was piped into a command that stopped reading (| head)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit
        return 141
    except Exception as exc:  # a bug: say so, and how to see where
        print(f"policybot: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if args.debug:
            traceback.print_exc()
        else:
            print("policybot: run again with --debug for the traceback", file=sys.stderr)
        return INTERNAL_ERROR


def _unknown_arguments(parser: argparse.ArgumentParser, extra: list[str]) -> None:
    """Exit with the command's own usage line, naming the unknown options and the likely
    meant ones (Python 3.12's suggest_on_error, for 3.11 too)."""
    known = [o for action in parser._actions for o in action.option_strings]
    said = []
    for word in extra:
        name = word.split("=", 1)[0]
        close = difflib.get_close_matches(name, known, n=1) if name.startswith("-") else []
        said.append(f"{word} (did you mean {close[0]}?)" if close else word)
    parser.error("unrecognized arguments: " + " ".join(said))


def _config(args: argparse.Namespace) -> Config:
    """--config and --corpus count wherever they stand: before the command or after it."""
    config = load_config(args.config or args.top_config)
    corpus = [*(args.top_corpus or []), *(args.corpus or [])]
    if not corpus:
        return config
    for given in corpus:
        path = Path(given)
        if path.is_file():
            raise ConfigError(f"--corpus {given} is a file; give the directory that holds it "
                              f"(to see what is read from one file: policybot passages {given})")
        if not path.is_dir():
            raise ConfigError(f"--corpus {given}: no such directory")
    return replace(config, retrieval=config.retrieval.with_corpus(corpus))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a whole number such as 5, got {text}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _year(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a year such as 2023, got {text}") from None
    if not 1900 <= value <= 2100:
        raise argparse.ArgumentTypeError(f"a year such as 2023, got {text}")
    return value


def _iso_date(text: str) -> str:
    from bot.journal import parse_since

    try:
        parse_since(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"a date such as 2025-03-01, got {text}") from None
    return text


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="policybot",
        description="Answer questions about policy documents with sourced verbatim quotes. "
                    "With no command: serve the Telegram bot if a token is configured, "
                    "else ask questions in the terminal.")
    # The same options after the command land in other names (argparse would let a
    # subcommand's default overwrite the value given before it); _config merges both.
    parser.add_argument("--corpus", dest="top_corpus", action="append", metavar="DIR",
                        help="a directory of documents (repeatable; default: corpus.dirs)")
    parser.add_argument("--config", dest="top_config", metavar="FILE",
                        help="a YAML file merged over the defaults")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an internal error")
    parser.set_defaults(run=_run_main, corpus=None, config=None, parser=parser)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--corpus", action="append", metavar="DIR", default=None,
                        help="a directory of documents (repeatable; default: corpus.dirs)")
    common.add_argument("--config", metavar="FILE", default=None,
                        help="a YAML file merged over the defaults")
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = sub.add_parser("index", parents=[common], help="build (or load) the index and report")
    p.set_defaults(run=_run_index, parser=p)

    p = sub.add_parser("ask", parents=[common], help="answer a question (no question: prompt)")
    p.add_argument("question", nargs="*",
                   help="the question (its words need no quotes); omit for a prompt")
    p.add_argument("-k", type=_positive, default=None,
                   help="number of results (default: search.top_k)")
    p.add_argument("--all", action="store_true",
                   help="with a quoted formulation (提法): every passage that holds it")
    p.add_argument("--json", action="store_true", help="print one JSON object per question")
    p.add_argument("--batch", metavar="FILE",
                   help="questions from FILE: one per line, or JSONL with a 'question' field")
    p.add_argument("--year", type=_year, metavar="Y", help="only documents of year Y")
    p.add_argument("--since", type=_year, metavar="Y", help="only documents of year Y or later")
    p.add_argument("--until", type=_year, metavar="Y", help="only documents of year Y or earlier")
    p.add_argument("--place", action="append", metavar="NAME",
                   help="only documents of this province/city/county (repeatable)")
    p.add_argument("--doc", metavar="WORDS", help="only documents whose title has these words")
    p.set_defaults(run=_run_ask, parser=p)

    p = sub.add_parser("sources", parents=[common], help="list the indexed documents")
    p.add_argument("--json", action="store_true", help="one JSON object per document")
    p.set_defaults(run=_run_sources, parser=p)

    p = sub.add_parser("show", parents=[common], help="a passage by id, with its neighbours")
    p.add_argument("id", help="a passage id (from ask --json or passages)")
    p.add_argument("--before", type=int, default=1, help="paragraphs before (default 1)")
    p.add_argument("--after", type=int, default=1, help="paragraphs after (default 1)")
    p.set_defaults(run=_run_show, parser=p)

    p = sub.add_parser("passages", parents=[common],
                       help="how one file is read: its passages and the lines dropped")
    p.add_argument("file", help="a document file (need not be in the corpus)")
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.set_defaults(run=_run_passages, parser=p)

    p = sub.add_parser("eval", parents=[common], help="retrieval metrics on an evaluation set")
    p.add_argument("file", help="JSONL evaluation set (see README)")
    p.add_argument("-k", type=_positive, default=10, help="depth of the ranking that is scored")
    p.add_argument("--json", action="store_true", help="print the metrics as one JSON object")
    p.set_defaults(run=_run_eval, parser=p)

    p = sub.add_parser("serve", parents=[common], help="run the Telegram bot")
    p.set_defaults(run=_run_serve, parser=p)

    p = sub.add_parser("export-feedback", parents=[common],
                       help="write the down-voted questions of the journal as an eval set")
    p.add_argument("file", help="JSONL file to write (gold left empty to fill in)")
    p.add_argument("--since", metavar="DATE", type=_iso_date,
                   help="only questions asked since DATE (ISO)")
    p.set_defaults(run=_run_export_feedback, parser=p)
    return parser


def _open(config: Config, warm: bool = False) -> Engine:
    """The engine for a command; `warm` (a server, and its /reload): loaded up to its first
    answer, so the first user does not wait for jieba and the kernels."""
    interactive = sys.stderr.isatty()
    if interactive:  # the first run builds the index: say so rather than sit silent
        print("正在加载索引…", file=sys.stderr, flush=True)
    engine = Engine.open(config.retrieval, progress=interactive)
    if engine.report.cache_problem:
        print(f"note: {engine.report.cache_problem}", file=sys.stderr)
    if engine.report.passages == 0:
        dirs = ", ".join(str(d) for d in config.retrieval.corpus_dirs) or "(none)"
        others = (f"; other files: {_endings(engine.report.not_read)}"
                  if engine.report.not_read else "")
        print(f"policybot: warning: nothing was indexed: no readable "
              f"{'/'.join(config.retrieval.extensions)} files in {dirs}{others}", file=sys.stderr)
    if warm:
        engine.warm()
    return engine


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def _run_main(args: argparse.Namespace, config: Config) -> int:
    from bot.app import token_configured

    if token_configured(config):
        return _run_serve(args, config)
    print("未配置 TELEGRAM_BOT_TOKEN：在终端中回答问题（输入 exit 或按 Ctrl-D 退出）。",
          file=sys.stderr)
    return _run_ask(argparse.Namespace(question=None, k=None, json=False, batch=None, year=None,
                                       since=None, until=None, place=None, doc=None, all=False),
                    config)


def _run_index(args: argparse.Namespace, config: Config) -> int:
    # The skipped files are listed below: their log warnings would say each one twice.
    logging.getLogger("retrieval").setLevel(logging.ERROR)
    engine = _open(config)
    report = engine.report
    state = "loaded from cache" if report.loaded_from_cache else "built"
    print(f"index {state} in {report.seconds:.2f}s")
    print(f"files: {report.files}  documents: {report.documents}  passages: {report.passages}")
    for info in engine.documents():
        meta = " ".join(x for x in (info.date, info.place) if x)
        print(f"  {info.file}  《{info.title}》 {meta}  {_plural(info.passages, 'passage')}")
    print(f"skipped: {len(report.skipped)}")
    for skipped in report.skipped:
        print(f"  {skipped.file}: {skipped.reason}")
    if report.not_read:
        print(f"not read (ending not in corpus.extensions): {_endings(report.not_read)}")
    return 0


def _endings(counts: dict[str, int]) -> str:
    """'.pdf 1 (readable: add it to corpus.extensions), .xls 1': each ending, its count, advice."""
    parts = []
    for ending, count in counts.items():
        advice = ending_advice(ending)
        parts.append(f"{ending or '(no ending)'} {count}" + (f" ({advice})" if advice else ""))
    return ", ".join(parts)


def _scope(args: argparse.Namespace) -> Scope | None:
    """The retrieval.Scope the filter options ask for; None when none is given."""
    since = args.year if args.year is not None else args.since
    until = args.year if args.year is not None else args.until
    places, doc = tuple(args.place or ()), args.doc
    if since is None and until is None and not places and doc is None:
        return None
    if since is not None and until is not None and since > until:
        raise ConfigError(f"--since {since} is after --until {until}")
    return Scope(since=since, until=until, places=places, doc=doc)


def _run_ask(args: argparse.Namespace, config: Config) -> int:
    scope = _scope(args)
    engine = _open(config)
    echo = True
    if args.batch:
        questions: Iterator[str] = _batch_questions(Path(args.batch))
    elif args.question:
        questions = iter([" ".join(args.question)])
    else:
        echo = not sys.stdin.isatty()  # typed at the prompt, the question is on screen already
        questions = _prompt()
    for question in questions:
        answer = engine.ask(question, k=args.k, scope=scope)
        if args.all and answer.phrase and answer.phrase.passages > len(answer.results):
            answer = engine.ask(question, k=answer.phrase.passages, scope=scope)
        if args.json:
            print(json.dumps(answer_json(answer), ensure_ascii=False), flush=True)
        else:
            print(render_terminal(answer, color=_color(), echo=echo), flush=True)
    return 0


def _run_sources(args: argparse.Namespace, config: Config) -> int:
    for info in _open(config).documents():
        if args.json:
            print(json.dumps(document_json(info), ensure_ascii=False))
            continue
        meta = "  ".join(x for x in (info.number, info.date, info.place, info.issuer) if x)
        print(f"《{info.title}》  {info.file}  {meta + '  ' if meta else ''}"
              f"{_plural(info.passages, 'passage')}")
    return 0


def document_json(info: DocumentInfo) -> dict[str, Any]:
    data = asdict(info)
    data["year"] = info.year  # a property: derived from the date, handy for filters
    return data


def _run_show(args: argparse.Namespace, config: Config) -> int:
    engine = _open(config)
    passages = engine.neighbours(args.id, max(0, args.before), max(0, args.after))
    asked = next((p for p in passages if p.id == args.id), None)
    if asked is None:
        raise ConfigError(f"no passage has the id {args.id!r} (ids are shown by "
                          "`policybot ask --json` and `policybot passages FILE --json`)")
    for passage in passages:
        mark = "▶" if passage is asked else " "
        print(f"{mark} [{passage.position}] {passage.text}")
    print(f"—— {_source_line(asked.title, asked.section, asked.position, asked.page)}"
          f"（{asked.file}）")
    return 0


def _run_passages(args: argparse.Namespace, config: Config) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise ConfigError(f"{args.file}: no such file")
    # A file of the corpus is cut with what the corpus taught (its repeated furniture), as the
    # index cuts it; any other file on its own.
    if display_name(path, config.retrieval.corpus_dirs) is not None:
        report = _open(config).inspect_file(path)
    else:
        report = inspect_file(path, config.retrieval)
    if args.json:
        print(json.dumps({
            "file": report.file,
            "skipped": report.skipped,
            "documents": [document_json(d) for d in report.documents],
            "passages": [asdict(p) for p in report.passages],
            "dropped": [asdict(d) for d in report.dropped],
        }, ensure_ascii=False))
        return 0
    if report.skipped:
        print(f"{report.file}: skipped: {report.skipped}")
        return 1
    titles = "、".join(f"《{d.title}》" for d in report.documents)
    print(f"{report.file}: {_plural(len(report.documents), 'document')} {titles}, "
          f"{_plural(len(report.passages), 'passage')}, "
          f"{len(report.dropped)} dropped {'line' if len(report.dropped) == 1 else 'lines'}")
    for passage in report.passages:
        where = " · ".join(x for x in (
            passage.section, f"第{passage.position}段",
            f"第{passage.page}页" if passage.page else "") if x)
        print(f"\n[{where}]  {passage.id}\n{passage.text}")
    if report.dropped:
        print("\ndropped:")
        for line in report.dropped:
            print(f"  [{line.rule}] {line.text}")
    return 0


def _run_eval(args: argparse.Namespace, config: Config) -> int:
    try:
        questions = load_questions(Path(args.file))
    except OSError as exc:
        raise InputError(f"{args.file}: {exc.strerror or exc}") from exc
    except ValueError as exc:  # a line that is no evaluation item: the file's fault
        raise InputError(str(exc)) from exc
    engine = _open(config)
    stored = (engine.store.text(row) for row in range(len(engine.store)))
    metrics = evaluate(questions, lambda q, k: engine.ask(q, k=k), args.k,
                       passage_texts=stored)
    if args.json:
        print(json.dumps(metrics, ensure_ascii=False))
    else:
        print(format_report(metrics))
    return 0


def _run_serve(args: argparse.Namespace, config: Config) -> int:
    from bot.app import TelegramUnreachable, run
    from bot.settings import bot_settings

    settings = bot_settings(config)  # parsed once, here, and passed down
    logging.getLogger().setLevel(logging.INFO)
    try:
        run(config, lambda: _open(config, warm=True), settings)
    except TelegramUnreachable as error:
        print(f"policybot: {error}", file=sys.stderr)
        return 1
    return 0


def _run_export_feedback(args: argparse.Namespace, config: Config) -> int:
    from bot.journal import export_feedback_cli

    return export_feedback_cli(config, Path(args.file), args.since)


def _batch_questions(path: Path) -> Iterator[str]:
    try:
        lines = path.open(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"--batch {path}: {exc.strerror or exc}") from exc
    with lines:
        for n, line in enumerate(lines, 1):
            line = line.strip()
            if not line:
                continue
            if line.startswith("{"):
                try:
                    yield str(json.loads(line)["question"])
                except (json.JSONDecodeError, KeyError) as exc:
                    raise InputError(f"{path}:{n}: expected a JSON object with 'question'") from exc
            else:
                yield line


def _prompt() -> Iterator[str]:
    """Questions typed at 问题> (with line editing and history) or piped in, one per line."""
    interactive = sys.stdin.isatty()
    if interactive:
        import readline  # noqa: F401  (imported for its effect: input() gains editing, history)
    while True:
        try:
            line = input("问题> " if interactive else "").strip()
        except EOFError:  # Ctrl-D: end on a line of its own
            if interactive:
                print(file=sys.stderr)
            return
        except KeyboardInterrupt:  # Ctrl-C at the prompt is a way out, not a failure
            print(file=sys.stderr)
            return
        if interactive and line.lower() in EXIT_WORDS:
            return
        if line:
            yield line


def _color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _source_json(source: Source) -> dict[str, Any]:
    return {k: v for k, v in asdict(source).items()
            if v is not None or k not in OPTIONAL_SOURCE_FIELDS}


def answer_json(answer: Answer) -> dict[str, Any]:
    return {
        "query": answer.query,
        "answered": answer.answered,
        "reason": answer.reason,
        "note": answer.note,
        "missing": list(answer.missing),
        "phrase": asdict(answer.phrase) if answer.phrase else None,
        "results": [{"rank": r.rank, "score": round(r.score, 6), "prior": round(r.prior, 6),
                     "id": r.id, "text": r.text,
                     "quote": r.quote, "source": _source_json(r.source),
                     "also_in": r.also_in}
                    for r in answer.results],
    }


def no_answer_text(answer: Answer) -> str:
    """Why nothing answers, in words that say what to do next (see texts.NO_ANSWER_TEXTS)."""
    return texts.no_answer_text(answer.reason, answer.note).removesuffix(
        "\n" + texts.NO_ANSWER_TIP)


def _source_line(title: str, section: str, position: int, page: int | None) -> str:
    return " · ".join(x for x in (f"《{title}》", section, f"第{position}段",
                                  f"第{page}页" if page else "") if x)


def render_terminal(answer: Answer, color: bool, echo: bool = True) -> str:
    """Quotes with the matched terms marked: bold in a terminal; in a pipe, marks the quote
    itself does not hold (render.plain_marks), so they never run into the corpus's own."""
    lines = [f"问：{answer.query}"] if echo else []
    note = answer.note
    if not answer.results:
        lines.append(no_answer_text(answer))
        if note and answer.reason != "scope-unmatched":  # else the reason is the note
            lines.append(note)
        if answer.missing:
            lines.append(_missing_line(answer.missing))
        return "\n".join(lines) + "\n"
    if note:
        lines.append(f"（{note}）")
    if answer.phrase:
        lines.append(f"（{'、'.join(answer.phrase.phrases)}：共 {answer.phrase.passages} 处，"
                     f"分布在 {answer.phrase.documents} 篇）")
        if answer.phrase.passages > len(answer.results):
            lines.append(f"（显示 {len(answer.results)} 处；查看全部：ask -k "
                         f"{answer.phrase.passages} 或 --all）")
    if answer.missing:
        lines.append(f"（{_missing_line(answer.missing)}）")
    if not answer.answered:
        lines.append(f"{CLOSEST_HEADING}：")
    for r in answer.results:
        if color:
            marked, last = [], 0
            for start, end in r.spans:
                marked += [r.quote[last:start], "\033[1;33m", r.quote[start:end], "\033[0m"]
                last = end
            marked.append(r.quote[last:])
            quote = "".join(marked)
        else:
            quote = plain_marks(r.quote, r.spans)
        source = r.source
        where = _source_line(source.title, source.section, source.position,
                             source.page)
        facts = "，".join(x for x in (source.file, source.date,
                                     f"另见于 {r.also_in} 篇" if r.also_in else "") if x)
        lines += [f"[{r.rank}] {quote}", f"    —— {where}（{facts}）  {r.id}"]
    return "\n".join(lines) + "\n"


def _missing_line(words: tuple[str, ...]) -> str:
    return "语料中没有" + "、".join(f"“{w}”" for w in words)

if __name__ == "__main__":
    sys.exit(main())
