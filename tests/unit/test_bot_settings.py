"""The bot's config sections: defaults parse, bad values fail naming the setting, secrets."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.app import build_application, token_configured
from bot.settings import bot_settings, read_token
from retrieval import ConfigError, Engine, load_config
from tests.support.bot_harness import REPO, state_of


def config_with(tmp_path: Path, yaml_text: str):
    file = tmp_path / "user.yaml"
    file.write_text(yaml_text, encoding="utf-8")
    return load_config(file, env={})


def test_defaults_parse() -> None:
    settings = bot_settings(load_config(env={}), env={})
    assert settings.base_url == "https://api.telegram.org/bot"
    assert settings.base_file_url == "https://api.telegram.org/file/bot"
    assert (settings.answers.private, settings.answers.group, settings.answers.inline) == (3, 2, 10)
    assert not settings.webhook.enabled and not settings.access.restricted
    assert settings.rate_limit.group_per_minute <= 20
    assert settings.log_text is False


def test_default_yaml_holds_no_token() -> None:
    text = Path("config/default.yaml").read_text(encoding="utf-8")
    assert "token_file: null" in text
    assert "TELEGRAM_BOT_TOKEN" in text  # documented, not set


@pytest.mark.parametrize(
    ("yaml_text", "setting"),
    [
        ("answers: {private: 0}", "answers.private"),
        ("answers: {inline: 51}", "answers.inline"),
        ("answers: {group: two}", "answers.group"),
        ("rate_limit: {group_per_minute: 25}", "rate_limit.group_per_minute"),
        ("rate_limit: {per_seconds: -1}", "rate_limit.per_seconds"),
        ("access: {users: [alice]}", "access.users"),
        ("access: {admins: 5}", "access.admins"),
        ("logging: {log_text: 'yes'}", "logging.log_text"),
        ("logging: {level: LOUD}", "logging.level"),
        ("webhook: {enabled: true, url: 'http://insecure.example'}", "webhook.url"),
        ("webhook: {port: 70000}", "webhook.port"),
        ("telegram: {base_url: 'ftp://x'}", "telegram.base_url"),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, yaml_text: str, setting: str) -> None:
    with pytest.raises(ConfigError, match=setting.replace(".", r"\.")):
        bot_settings(config_with(tmp_path, yaml_text), env={})


def test_allowlists_and_base_url_from_environment(tmp_path: Path) -> None:
    config = config_with(tmp_path, "access: {users: [1, 2], chats: [-100], admins: [9]}")
    settings = bot_settings(config, env={"TELEGRAM_API_BASE_URL": "http://127.0.0.1:9/bot"})
    assert settings.access.users == {1, 2} and settings.access.admins == {9}
    assert settings.access.restricted
    assert settings.base_url == "http://127.0.0.1:9/bot"
    assert settings.base_file_url == "http://127.0.0.1:9/file/bot"


def test_token_from_env_or_file_never_in_errors(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("123:secret-from-file\n", encoding="utf-8")
    config = config_with(tmp_path, f"telegram: {{token_file: {token_file}}}")
    settings = bot_settings(config, env={})
    assert read_token(settings, env={}) == "123:secret-from-file"
    assert read_token(settings, env={"TELEGRAM_BOT_TOKEN": "9:env"}) == "9:env"
    with pytest.raises(ConfigError) as error:
        read_token(settings, env={"TELEGRAM_BOT_TOKEN": "9:has space"})
    assert "has space" not in str(error.value)
    assert read_token(bot_settings(load_config(env={}), env={}), env={}) is None


def test_token_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    assert not token_configured(load_config(env={}))
    assert token_configured(config_with(tmp_path, "telegram: {token_file: t.txt}"))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    assert token_configured(load_config(env={}))


def test_webhook_secret_is_drawn_once_per_run_and_kept_out_of_repr() -> None:
    """Unset, the secret is random per process but the same on every parse: the secret in the
    application's state is the one registered with Telegram and redacted from logs."""
    first = bot_settings(load_config(env={}), env={})
    second = bot_settings(load_config(env={}), env={})
    assert first.webhook.secret_token == second.webhook.secret_token
    assert len(first.webhook.secret_token) >= 32
    assert first.webhook.secret_token not in repr(first)
    other_run = subprocess.run(
        [sys.executable, "-c", "from bot.settings import bot_settings; from retrieval import "
         "load_config; print(bot_settings(load_config(env={}), env={}).webhook.secret_token)"],
        capture_output=True, text=True, check=True, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert other_run.stdout.strip() not in ("", first.webhook.secret_token)
    pinned = bot_settings(load_config(env={}), env={"TELEGRAM_WEBHOOK_SECRET": "abc_DEF-1"})
    assert pinned.webhook.secret_token == "abc_DEF-1"
    with pytest.raises(ConfigError, match="webhook secret"):
        bot_settings(load_config(env={}), env={"TELEGRAM_WEBHOOK_SECRET": "bad secret!"})


def test_build_application_keeps_the_settings_it_is_given(tmp_path: Path) -> None:
    """run() parses once and passes its settings down; the application must not parse again."""
    config = load_config(env={})
    settings = dataclasses.replace(bot_settings(config, env={}), poll_timeout=7)
    application = build_application(config, Engine.open(config.retrieval), settings=settings,
                                     token="123:abc")
    assert state_of(application).settings is settings


def test_bot_paths_resolve_against_the_file_that_set_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "conf").mkdir()
    config = config_with(tmp_path / "conf", "journal: {path: j/q.sqlite3}\n"
                         "telegram: {token_file: token.txt}\n")
    settings = bot_settings(config, env={})
    assert settings.journal.path == tmp_path / "conf" / "j" / "q.sqlite3"
    assert settings.token_file == tmp_path / "conf" / "token.txt"
    monkeypatch.chdir(tmp_path)
    from_env = bot_settings(load_config(env={"POLICYBOT_JOURNAL__PATH": "e.sqlite3"}), env={})
    assert from_env.journal.path == tmp_path / "e.sqlite3"
