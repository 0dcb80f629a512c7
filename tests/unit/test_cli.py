"""The policybot command as a user runs it: index, ask (text, JSON, batch, prompt), eval."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from retrieval import Engine
from tests.conftest import QA_DIR, SEEDS
from tests.support.cli import cli_environment, run_cli  # noqa: F401 (autouse fixture)


def test_index_reports_counts(capsys) -> None:
    code, out, _ = run_cli(capsys, "index", "--corpus", str(SEEDS))
    assert code == 0
    counts = re.search(r"files: (\d+)  documents: (\d+)  passages: (\d+)", out)
    assert counts is not None and counts.group(1, 2) == ("5", "9")
    assert 300 < int(counts.group(3)) < 450  # the seeds' paragraphs, cut and joined
    assert "skipped: 0" in out


def test_index_lists_skipped_files(capsys, tmp_path: Path) -> None:
    speech = "讲话\n同志们：\n要抓好课后服务，办好人民满意的教育。\n"
    (tmp_path / "ok.txt").write_text(speech, "utf-8")
    (tmp_path / "bad.md").write_bytes(b"\x00\xff\x00\xfe" * 64)
    code, out, _ = run_cli(capsys, "index", "--corpus", str(tmp_path))
    assert code == 0
    assert "skipped: 1" in out and "bad.md: binary file" in out


def test_index_reports_files_of_other_endings_with_advice(capsys, tmp_path: Path) -> None:
    """A folder of OFD files, or PDFs a narrowed corpus.extensions leaves out, is not silently
    ignored: the counts are told, with what to do."""
    (tmp_path / "ok.txt").write_text("讲话\n要抓好课后服务，办好人民满意的教育。\n", "utf-8")
    for name in ("a.ofd", "b.ofd", "c.pdf", "d.xls"):
        (tmp_path / name).write_bytes(b"x")
    config = tmp_path / "only-text.yaml"
    config.write_text("corpus: {extensions: [.txt]}\n", "utf-8")
    code, out, _ = run_cli(capsys, "index", "--config", str(config), "--corpus", str(tmp_path))
    assert code == 0
    line = next(x for x in out.splitlines() if x.startswith("not read"))
    assert ".ofd 2 (readable: add it to corpus.extensions)" in line
    assert ".pdf 1 (readable: add it to corpus.extensions)" in line and ".xls 1" in line
    (tmp_path / "ok.txt").unlink()
    code, _, err = run_cli(capsys, "index", "--config", str(config), "--corpus", str(tmp_path))
    assert "nothing was indexed" in err and "other files: .ofd 2" in err


def test_ask_json_shape(capsys) -> None:
    code, out, _ = run_cli(capsys, "ask", "--json", "-k", "4", "县管校聘")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "answered", "reason", "note", "missing", "phrase", "results"}
    assert data["reason"] is None and data["phrase"] is None
    assert data["query"] == "县管校聘" and data["answered"] is True
    assert [r["rank"] for r in data["results"]] == [1, 2, 3, 4]
    first = data["results"][0]
    assert set(first) == {"rank", "score", "prior", "id", "text", "quote", "source", "also_in"}
    assert set(first["source"]) == {"title", "file", "section", "position"}
    assert isinstance(first["score"], float) and isinstance(first["source"]["position"], int)
    assert "县管校聘" in first["text"]


def test_ask_batch_keeps_order_and_reads_jsonl(capsys, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text(
        '县管校聘\n\n{"question": "公积金贷款买房最高能贷多少？"}\n师德 负面清单\n', "utf-8")
    code, out, _ = run_cli(capsys, "ask", "--json", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [d["query"] for d in lines] == [
        "县管校聘", "公积金贷款买房最高能贷多少？", "师德 负面清单"]
    assert [d["answered"] for d in lines] == [True, False, True]


def test_ask_terminal_output_marks_terms_and_sources(capsys) -> None:
    code, out, _ = run_cli(capsys, "ask", "县管校聘")
    assert code == 0
    assert "«县管校聘»" in out and "第" in out and "段" in out and "《" in out


def test_ask_says_plainly_when_nothing_answers_and_shows_the_closest(capsys) -> None:
    _, out, _ = run_cli(capsys, "ask", "城乡居民医保今年个人缴费标准是多少？")
    lines = out.splitlines()
    assert "没有找到直接回答的段落，以下是最接近的：" in lines
    assert "（语料中没有“医保”、“缴费”）" in lines
    assert lines.index("没有找到直接回答的段落，以下是最接近的：") < lines.index(
        next(x for x in lines if x.startswith("[1] ")))


def test_ask_words_need_no_quotes(capsys) -> None:
    code, out, _ = run_cli(capsys, "ask", "县管校聘", "教师")
    assert code == 0 and out.startswith("问：县管校聘 教师\n")


def test_ask_all_shows_every_passage_holding_a_phrase(capsys) -> None:
    _, out, _ = run_cli(capsys, "ask", "-k", "2", "“立德树人”")
    total = int(out.split("共 ")[1].split(" 处")[0])
    assert total > 2 and f"（显示 2 处；查看全部：ask -k {total} 或 --all）" in out
    _, out, _ = run_cli(capsys, "ask", "--all", "“立德树人”")
    assert out.count("\n[") == total and "查看全部" not in out


def test_unknown_options_get_a_suggestion_and_the_command_usage(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["ask", "--yaer", "2020", "教师"])
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.startswith("usage: policybot ask ")
    assert "unrecognized arguments: --yaer (did you mean --year?)" in err
    with pytest.raises(SystemExit):
        main(["ask", "--year", "abc", "教师"])
    assert "argument --year: a year such as 2023, got abc" in capsys.readouterr().err


def test_an_internal_error_is_told_as_one_and_traced_with_debug(
        capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args, **_kwargs):
        raise KeyError("bug")
    monkeypatch.setattr(Engine, "ask", broken)
    code, _, err = run_cli(capsys, "ask", "教师")
    assert code == 70 and err.splitlines()[-2:] == [
        "policybot: internal error: KeyError: 'bug'",
        "policybot: run again with --debug for the traceback"]
    code, _, err = run_cli(capsys, "--debug", "ask", "教师")
    assert code == 70 and "Traceback (most recent call last)" in err


def test_prompt_reads_questions_until_eof(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("县管校聘\n\n异地高考\n"))
    code, out, _ = run_cli(capsys)
    assert code == 0
    assert out.count("问：") == 2 and "«异地高考»" in out


def test_eval_prints_metrics(capsys, tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in [
        {"id": "a", "question": "县管校聘", "gold": ["全面推行中小学教师“县管校聘”改革试点"]},
        {"id": "b", "question": "公积金贷款买房最高能贷多少？", "gold": []},
        {"id": "c", "question": "异地高考", "gold": ["不存在的句子"]},
    ]), "utf-8")
    code, out, _ = run_cli(capsys, "eval", "--json", str(qa))
    metrics = json.loads(out)
    assert code == 0
    assert metrics["hit@1"] == 0.5 and metrics["mrr@10"] == 0.5
    assert metrics["abstain_on_none"] == 1.0 and metrics["false_abstain"] == 0.0
    assert metrics["missed"] == ["c"]


@pytest.mark.skipif(not (QA_DIR / "dev.jsonl").exists(), reason="shared qa set not beside repo")
def test_eval_on_dev_set_runs(capsys) -> None:
    code, out, _ = run_cli(capsys, "eval", "--json", str(QA_DIR / "dev.jsonl"))
    metrics = json.loads(out)
    assert code == 0 and metrics["questions"] == 50
    # The seeds' figures may not regress (README, "Measured quality").
    assert metrics["hit@3"] >= 0.91 and metrics["abstain_on_none"] >= 0.8
    assert metrics["false_abstain"] <= 0.05


CORPORA = QA_DIR.parent / "corpora"


@pytest.mark.skipif(not (QA_DIR / "real_dev.jsonl").exists(),
                    reason="shared real corpora not beside repo")
def test_eval_on_the_real_corpora_keeps_its_figures(capsys, tmp_path: Path) -> None:
    code, out, _ = run_cli(capsys, "eval", "--json", str(QA_DIR / "real_dev.jsonl"),
                        "--corpus", str(CORPORA / "work-reports"),
                        "--corpus", str(CORPORA / "provincial-2026"))
    metrics = json.loads(out)
    assert code == 0 and metrics["questions"] == 60
    assert metrics["hit@3"] >= 0.75 and metrics["mrr@10"] >= 0.65
    assert metrics["by_kind"]["scoped"]["hit@3"] >= 0.85


def test_bad_config_is_a_clear_error(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("search:\n  top_k: many\n", "utf-8")
    code, _, err = run_cli(capsys, "ask", "--config", str(bad), "县管校聘")
    assert code == 2 and "setting search.top_k must be an integer" in err and "'many'" in err


def test_code_installed_without_its_checkout_says_how_to_install(
        capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`pip install .` copies the packages but not config/: the error says what to do."""
    monkeypatch.setattr("retrieval.settings.DEFAULT_CONFIG", tmp_path / "config" / "default.yaml")
    code, _, err = run_cli(capsys, "ask", "县管校聘")
    assert code == 2 and "pip install -e" in err and str(tmp_path / "config") in err
    assert "Traceback" not in err


def test_unreadable_synonyms_file_is_a_clear_error(capsys, tmp_path: Path) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text("search:\n  synonyms: [missing-synonyms.txt]\n", "utf-8")
    code, _, err = run_cli(capsys, "ask", "--config", str(config), "县管校聘")
    assert code == 2 and "missing-synonyms.txt" in err


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`policybot index | head -1`: the closed pipe is no traceback."""
    env = {**os.environ, "POLICYBOT_CACHE__DIR": str(tmp_path / "cache")}
    run = subprocess.run(f"{sys.executable} -m bot.cli index --corpus {SEEDS} | head -1",
                         shell=True, capture_output=True, text=True, env=env, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.stdout.startswith("index built")
    assert "Traceback" not in run.stderr and "BrokenPipeError" not in run.stderr


REPO = Path(__file__).resolve().parents[2]
SPEECH = "讲话\n同志们：\n要抓好课后服务，办好人民满意的教育。\n"


def _cli(*argv: str, cache: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """The command in its own process, as a user runs it (its logging goes to its stderr)."""
    environment = {**os.environ, "POLICYBOT_CACHE__DIR": str(cache), **env}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    return subprocess.run([sys.executable, "-m", "bot.cli", *argv], capture_output=True,
                          text=True, env=environment, timeout=120, cwd=REPO)


@pytest.mark.parametrize("before", [True, False], ids=["before-command", "after-command"])
def test_corpus_and_config_count_before_or_after_the_command(
        capsys, tmp_path: Path, before: bool) -> None:
    (tmp_path / "two").mkdir()
    for seed in sorted(SEEDS.glob("*.txt"))[:2]:  # two of the five seed files
        (tmp_path / "two" / seed.name).write_bytes(seed.read_bytes())
    config = tmp_path / "mine.yaml"
    config.write_text("search: {top_k: 1}\n", "utf-8")
    options = ["--corpus", str(tmp_path / "two"), "--config", str(config)]
    argv = [*options, "index"] if before else ["index", *options]
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and "files: 2 " in out
    argv = ([*options, "ask", "--json", "教师队伍建设"] if before
            else ["ask", "--json", *options, "教师队伍建设"])
    code, out, _ = run_cli(capsys, *argv)
    assert code == 0 and len(json.loads(out)["results"]) == 1  # top_k: 1 from --config


@pytest.mark.parametrize(
    ("yaml_text", "env", "message"),
    [
        ("search: {topk: 5}\n", {},
         "unknown setting search.topk (did you mean search.top_k?)"),
        ("serach: {top_k: 5}\n", {}, "unknown setting section serach (did you mean search?)"),
        ("", {"POLICYBOT_SEARCH__TOPK": "5"},
         "unknown setting search.topk (did you mean search.top_k?) from POLICYBOT_SEARCH__TOPK"),
        ("search: {top_k: -2}\n", {}, "setting search.top_k must be an integer from 1"),
    ],
    ids=["key", "section", "environment", "range"],
)
def test_misspelt_or_bad_settings_stop_with_the_setting_named(
        capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        yaml_text: str, env: dict[str, str], message: str) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text(yaml_text, "utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, err = run_cli(capsys, "ask", "--config", str(config), "县管校聘")
    assert code == 2 and out == ""
    assert err.startswith(f"policybot: {message}")


@pytest.mark.parametrize("k", ["0", "-1", "two"])
def test_ask_refuses_a_result_count_below_one(capsys, k: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["ask", "-k", k, "县管校聘"])
    assert exit_.value.code == 2 and "argument -k" in capsys.readouterr().err


def test_index_says_each_skipped_file_once_and_counts_in_words(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text(SPEECH, "utf-8")
    (corpus / "bad.md").write_bytes(b"\x00\xff\x00\xfe" * 64)
    run = _cli("index", "--corpus", str(corpus), cache=tmp_path / "cache")
    assert run.returncode == 0, run.stderr
    assert (run.stdout + run.stderr).count("bad.md") == 1
    assert "  1 passage" in run.stdout and "1 passages" not in run.stdout


def test_index_of_an_empty_directory_warns_that_nothing_was_indexed(
        capsys, tmp_path: Path) -> None:
    code, out, err = run_cli(capsys, "index", "--corpus", str(tmp_path))
    assert code == 0 and "passages: 0" in out
    assert "warning: nothing was indexed" in err and str(tmp_path) in err


def test_corpus_given_a_file_says_it_is_a_file(capsys, tmp_path: Path) -> None:
    speech = tmp_path / "a.txt"
    speech.write_text(SPEECH, "utf-8")
    code, _, err = run_cli(capsys, "index", "--corpus", str(speech))
    assert code == 2 and "is a file" in err and "not found" not in err
    code, _, err = run_cli(capsys, "index", "--corpus", str(tmp_path / "missing"))
    assert code == 2 and "no such directory" in err


def test_no_answer_texts_cover_every_reason_and_show_the_note() -> None:
    from bot.cli import render_terminal
    from bot.texts import NO_ANSWER_TEXTS
    from retrieval import Answer

    reasons = {"empty", "no-terms", "not-chinese", "no-match", "phrase-absent",
               "scope-unmatched"}
    assert set(NO_ANSWER_TEXTS) == reasons
    assert len(set(NO_ANSWER_TEXTS.values())) == len(reasons)  # each says something else
    for reason in reasons:
        answer = Answer(query="？？？", answered=False, results=(), reason=reason)
        assert NO_ANSWER_TEXTS[reason] in render_terminal(answer, color=False)
    assert NO_ANSWER_TEXTS["phrase-absent"] == "这个提法在语料中没有出现。"
    unscoped = Answer(query="2030年 教师", answered=False, results=(),
                      reason="scope-unmatched", note="没有2030年的文件。")
    assert "没有2030年的文件。" in render_terminal(unscoped, color=False)
    legacy = Answer(query="x", answered=False, results=())  # no reason: the general text
    assert NO_ANSWER_TEXTS["no-match"] in render_terminal(legacy, color=False)


def _wait_until_reading(pid: int, timeout: float = 10) -> None:
    """Until the child sleeps in select/poll, waiting for the terminal.

    CPython's readline loses a SIGINT that lands after it prints the prompt but before it
    waits for input; a person never types that fast, a loaded test machine does."""
    import time

    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/wchan") as wchan:
                waiting_in = wchan.read()
        except OSError:  # no /proc (not Linux): a pause long enough on any machine
            time.sleep(1)
            return
        if "poll" in waiting_in or "select" in waiting_in:
            return
        time.sleep(0.05)


def _pty_session(keys: list[bytes], cache: Path) -> tuple[int, str]:
    """`policybot ask` at a real terminal: send each key sequence once the prompt shows."""
    import pty
    import select
    import signal
    import time

    pid, fd = pty.fork()
    if pid == 0:  # the child: the command, its stdin/stdout/stderr on the terminal
        os.chdir(REPO)
        os.environ["POLICYBOT_CACHE__DIR"] = str(cache)
        os.environ.pop("TELEGRAM_BOT_TOKEN", None)
        os.execv(sys.executable, [sys.executable, "-m", "bot.cli", "ask"])
    output = b""

    def read_until_prompt(count: int, timeout: float = 60) -> None:
        nonlocal output
        end = time.monotonic() + timeout
        while output.count("问题> ".encode()) < count and time.monotonic() < end:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    output += os.read(fd, 65536)
                except OSError:
                    return

    for n, key in enumerate(keys, 1):
        read_until_prompt(n)
        if key == b"\x03":
            _wait_until_reading(pid)
        os.write(fd, key)
    end = time.monotonic() + 30
    while time.monotonic() < end:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
    while True:  # a child that does not leave is killed, so the test fails instead of hanging
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status), output.decode("utf-8", "replace")
        if time.monotonic() > end:
            try:
                with open(f"/proc/{pid}/wchan") as wchan:
                    output += f"\n[still running, waiting in {wchan.read()}]".encode()
            except OSError:
                pass
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return -signal.SIGKILL, output.decode("utf-8", "replace")
        time.sleep(0.1)


@pytest.mark.parametrize("leave", [b"exit\r", "退出\r".encode(), b"\x04", b"\x03"],
                         ids=["exit", "退出", "ctrl-d", "ctrl-c"])
def test_prompt_edits_recalls_history_and_leaves_cleanly(tmp_path: Path, leave: bytes) -> None:
    """Up recalls the last question (readline), the typed question is not echoed back, and
    every way out ends with status 0 (so `make run` reports no error)."""
    code, out = _pty_session(["县管校聘\r".encode(), b"\x1b[A\r", leave], tmp_path / "cache")
    assert code == 0, out
    assert "^[[A" not in out
    assert out.count("[1]") == 2  # the recalled question was answered again
    assert "问：县管校聘" not in out


def test_make_run_says_what_it_does_on_the_first_run() -> None:
    plan = subprocess.run(["make", "-n", "-W", "pyproject.toml", "run"], capture_output=True,
                          text=True, cwd=REPO, timeout=30, check=True).stdout
    assert "installing dependencies" in plan and "creating the virtualenv" in plan
    assert "|| [ $? -eq 130 ]" in plan  # Ctrl-C is no make error
