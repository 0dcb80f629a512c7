"""Running the `policybot` command in-process for the CLI tests: one cache, no token."""

from __future__ import annotations

import pytest

from bot.cli import main


@pytest.fixture(autouse=True)
def cli_environment(monkeypatch: pytest.MonkeyPatch,
                    tmp_path_factory: pytest.TempPathFactory) -> None:
    """Every CLI test shares one index cache and sees no bot token (the prompt, not serve)."""
    monkeypatch.setenv("POLICYBOT_CACHE__DIR", str(tmp_path_factory.getbasetemp() / "cli-cache"))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of `policybot ARGV`."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err
