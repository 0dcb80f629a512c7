"""The look-up commands: sources, show ID, passages FILE, and ask with scope filters."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import SEEDS
from tests.support.cli import cli_environment, run_cli  # noqa: F401 (autouse fixture)


def test_sources_lists_one_document_per_line(capsys) -> None:
    code, out, _ = run_cli(capsys, "sources")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 9  # the nine seed documents
    assert all(line.startswith("《") and "passage" in line for line in lines)
    code, out, _ = run_cli(capsys, "sources", "--json")
    documents = [json.loads(line) for line in out.splitlines()]
    assert {"id", "title", "file", "date", "year", "place", "passages"} <= set(documents[0])
    assert sum(d["passages"] for d in documents) > 300
    assert any(d["year"] == 2024 and d["date"].startswith("2024") for d in documents)


def test_show_prints_the_passage_with_its_neighbours_and_source(capsys) -> None:
    _, out, _ = run_cli(capsys, "ask", "--json", "-k", "1", "县管校聘")
    result = json.loads(out)["results"][0]
    code, out, _ = run_cli(capsys, "show", result["id"], "--before", "1", "--after", "1")
    lines = out.splitlines()
    assert code == 0
    marked = [line for line in lines if line.startswith("▶")]
    assert len(marked) == 1 and result["text"] in marked[0]
    assert 2 <= sum(line.startswith(("▶ [", "  [")) for line in lines) <= 3
    assert lines[-1].startswith("—— 《" + result["source"]["title"])


def test_show_of_an_unknown_id_is_a_clear_error(capsys) -> None:
    code, out, err = run_cli(capsys, "show", "0123456789abcdef")
    assert code == 2 and out == "" and "no passage has the id '0123456789abcdef'" in err


def test_passages_shows_how_a_file_is_read(capsys, tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("首页 > 新闻中心 > 讲话\n在全县教育工作会议上的讲话\n同志们：\n"
                    "要抓好课后服务，办好人民满意的教育，让每个孩子都能享有公平而有质量的教育。\n"
                    "文章地址: http://example.org/a.html\n", "utf-8")
    code, out, _ = run_cli(capsys, "passages", str(page))
    assert code == 0 and "课后服务" in out and "第1段" in out
    code, out, _ = run_cli(capsys, "passages", "--json", str(page))
    report = json.loads(out)
    assert set(report) == {"file", "skipped", "documents", "passages", "dropped"}
    assert report["skipped"] is None and report["passages"]
    assert {"id", "text", "title", "section", "position", "page"} <= set(report["passages"][0])
    if report["dropped"]:  # whatever was dropped is listed with its rule
        assert all(d["rule"] for d in report["dropped"])
        _, text, _ = run_cli(capsys, "passages", str(page))
        assert "dropped:" in text and f"[{report['dropped'][0]['rule']}]" in text


def test_passages_of_a_missing_file_is_a_clear_error(capsys, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "passages", str(tmp_path / "none.txt"))
    assert code == 2 and "no such file" in err


def test_ask_scope_filters_narrow_the_documents(capsys) -> None:
    code, out, _ = run_cli(capsys, "ask", "--json", "--year", "2024", "教师队伍建设")
    answer = json.loads(out)
    assert code == 0 and {"reason", "note"} <= set(answer)
    years = {r["source"].get("date", "")[:4] for r in answer["results"]}
    assert years <= {"2024"}
    code, out, _ = run_cli(capsys, "ask", "--json", "--year", "1990", "教师队伍建设")
    nothing = json.loads(out)
    assert nothing["answered"] is False and nothing["reason"] == "scope-unmatched"
    code, out, _ = run_cli(capsys, "ask", "--year", "1990", "教师队伍建设")
    assert out.splitlines()[1] == "语料中没有1990年的文件。 可以去掉这些限定再试。"  # one sentence


def test_since_after_until_is_refused(capsys) -> None:
    code, _, err = run_cli(capsys, "ask", "--since", "2024", "--until", "2020", "教师")
    assert code == 2 and "--since 2024 is after --until 2020" in err


def test_corpus_path_of_seeds_is_the_default(capsys) -> None:
    code, out, _ = run_cli(capsys, "sources", "--corpus", str(SEEDS))
    assert code == 0 and len(out.splitlines()) == 9


def test_sources_show_the_number_date_place_and_issuer_a_document_states(
        capsys, tmp_path: Path) -> None:
    (tmp_path / "n.txt").write_text(
        "关于做好课后服务工作的通知\n川教发〔2024〕12号\n各市（州）教育局：\n"
        "各地要办好课后服务，满足学生多样化需求。\n四川省教育厅\n2024年3月5日\n", "utf-8")
    code, out, _ = run_cli(capsys, "sources", "--corpus", str(tmp_path))
    assert code == 0
    assert out.splitlines() == [
        "《关于做好课后服务工作的通知》  n.txt  川教发〔2024〕12号  2024-03-05  四川省"
        "  四川省教育厅  2 passages"]
