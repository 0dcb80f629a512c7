"""The policybot command as a user runs it: index, ask (text, JSON, batch, prompt), eval."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.conftest import QA_DIR, SEEDS


@pytest.fixture(autouse=True)
def _cache(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> None:
    cache = tmp_path_factory.getbasetemp() / "cli-cache"
    monkeypatch.setenv("POLICYBOT_CACHE__DIR", str(cache))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_index_reports_counts(capsys) -> None:
    code, out, _ = _run(capsys, "index", "--corpus", str(SEEDS))
    assert code == 0
    assert "files: 5  speeches: 9  passages: 358" in out
    assert "skipped: 0" in out


def test_index_lists_skipped_files(capsys, tmp_path: Path) -> None:
    speech = "讲话\n同志们：\n要抓好课后服务，办好人民满意的教育。\n"
    (tmp_path / "ok.txt").write_text(speech, "utf-8")
    (tmp_path / "bad.md").write_bytes(b"\x00\xff\x00\xfe" * 64)
    code, out, _ = _run(capsys, "index", "--corpus", str(tmp_path))
    assert code == 0
    assert "skipped: 1" in out and "bad.md: binary file" in out


def test_ask_json_shape(capsys) -> None:
    code, out, _ = _run(capsys, "ask", "--json", "-k", "4", "县管校聘")
    assert code == 0
    data = json.loads(out)
    assert set(data) == {"query", "answered", "results"}
    assert data["query"] == "县管校聘" and data["answered"] is True
    assert [r["rank"] for r in data["results"]] == [1, 2, 3, 4]
    first = data["results"][0]
    assert set(first) == {"rank", "score", "id", "text", "quote", "source"}
    assert set(first["source"]) == {"title", "file", "section", "position"}
    assert isinstance(first["score"], float) and isinstance(first["source"]["position"], int)
    assert "县管校聘" in first["text"]


def test_ask_batch_keeps_order_and_reads_jsonl(capsys, tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text(
        '县管校聘\n\n{"question": "公积金贷款买房最高能贷多少？"}\n师德 负面清单\n', "utf-8")
    code, out, _ = _run(capsys, "ask", "--json", "--batch", str(batch))
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [d["query"] for d in lines] == [
        "县管校聘", "公积金贷款买房最高能贷多少？", "师德 负面清单"]
    assert [d["answered"] for d in lines] == [True, False, True]


def test_ask_terminal_output_marks_terms_and_sources(capsys) -> None:
    code, out, _ = _run(capsys, "ask", "县管校聘")
    assert code == 0
    assert "**县管校聘**" in out and "第" in out and "段" in out and "《" in out


def test_ask_says_plainly_when_nothing_answers(capsys) -> None:
    _, out, _ = _run(capsys, "ask", "城乡居民医保今年个人缴费标准是多少？")
    assert "没有找到" in out and "[1]" not in out


def test_prompt_reads_questions_until_eof(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("县管校聘\n\n异地高考\n"))
    code, out, _ = _run(capsys)
    assert code == 0
    assert out.count("问：") == 2 and "**异地高考**" in out


def test_eval_prints_metrics(capsys, tmp_path: Path) -> None:
    qa = tmp_path / "qa.jsonl"
    qa.write_text("\n".join(json.dumps(item, ensure_ascii=False) for item in [
        {"id": "a", "question": "县管校聘", "gold": ["全面推行中小学教师“县管校聘”改革试点"]},
        {"id": "b", "question": "公积金贷款买房最高能贷多少？", "gold": []},
        {"id": "c", "question": "异地高考", "gold": ["不存在的句子"]},
    ]), "utf-8")
    code, out, _ = _run(capsys, "eval", "--json", str(qa))
    metrics = json.loads(out)
    assert code == 0
    assert metrics["hit@1"] == 0.5 and metrics["mrr@10"] == 0.5
    assert metrics["abstain_on_none"] == 1.0 and metrics["false_abstain"] == 0.0
    assert metrics["missed"] == ["c"]


@pytest.mark.skipif(not (QA_DIR / "dev.jsonl").exists(), reason="shared qa set not beside repo")
def test_eval_on_dev_set_runs(capsys) -> None:
    code, out, _ = _run(capsys, "eval", "--json", str(QA_DIR / "dev.jsonl"))
    metrics = json.loads(out)
    assert code == 0 and metrics["questions"] == 50
    assert 0.0 <= metrics["hit@3"] <= 1.0


def test_bad_config_is_a_clear_error(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("search:\n  top_k: many\n", "utf-8")
    code, _, err = _run(capsys, "ask", "--config", str(bad), "县管校聘")
    assert code == 2 and "search.top_k must be int" in err


def test_code_installed_without_its_checkout_says_how_to_install(
        capsys, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """`pip install .` copies the packages but not config/: the error says what to do."""
    monkeypatch.setattr("retrieval.settings.DEFAULT_CONFIG", tmp_path / "config" / "default.yaml")
    code, _, err = _run(capsys, "ask", "县管校聘")
    assert code == 2 and "pip install -e" in err and str(tmp_path / "config") in err
    assert "Traceback" not in err


def test_unreadable_synonyms_file_is_a_clear_error(capsys, tmp_path: Path) -> None:
    config = tmp_path / "mine.yaml"
    config.write_text("search:\n  synonyms: [missing-synonyms.txt]\n", "utf-8")
    code, _, err = _run(capsys, "ask", "--config", str(config), "县管校聘")
    assert code == 2 and "missing-synonyms.txt" in err


def test_output_piped_into_head_ends_quietly(tmp_path: Path) -> None:
    """`policybot index | head -1`: the closed pipe is no traceback."""
    env = {**os.environ, "POLICYBOT_CACHE__DIR": str(tmp_path / "cache")}
    run = subprocess.run(f"{sys.executable} -m bot.cli index --corpus {SEEDS} | head -1",
                         shell=True, capture_output=True, text=True, env=env, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert run.stdout.startswith("index built")
    assert "Traceback" not in run.stderr and "BrokenPipeError" not in run.stderr
