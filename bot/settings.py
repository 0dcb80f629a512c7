"""The bot's settings, parsed once from the YAML sections it owns into one frozen dataclass.

Sections: ``telegram`` (server, polling), ``answers`` (how much to show), ``webhook``,
``access`` (allowlists, admins), ``rate_limit`` (per user and Telegram's own limits) and
``logging``. Bad values fail at start-up with a message naming the setting, not later in a
handler. Secrets (bot token, webhook secret) come from the environment or files, never YAML.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from retrieval import Config, ConfigError

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
BASE_URL_ENV = "TELEGRAM_API_BASE_URL"
WEBHOOK_SECRET_ENV = "TELEGRAM_WEBHOOK_SECRET"

# Telegram's own ceilings, so a config value can never produce a request Telegram rejects.
MAX_INLINE_RESULTS = 50
MAX_SECRET_TOKEN_CHARS = 256


@dataclass(frozen=True)
class AnswerSettings:
    private: int  # passages per private answer page
    group: int  # passages per group answer page (kept short: groups are shared)
    inline: int  # inline results per page
    context_before: int  # neighbouring paragraphs shown by the context button
    context_after: int
    expandable_over: int  # quotes longer than this (characters) fold into an expandable quote
    question_max_chars: int  # longer questions are refused with a short notice
    recent_queries: int  # how many questions the paging buttons remember


@dataclass(frozen=True)
class WebhookSettings:
    enabled: bool
    listen: str
    port: int
    url: str  # the public https URL Telegram posts updates to
    path: str  # the local URL path the webhook server answers on
    # Checked on every webhook request (X-Telegram-Bot-Api-Secret-Token); kept out of reprs.
    secret_token: str = field(repr=False)


@dataclass(frozen=True)
class AccessSettings:
    users: frozenset[int]  # empty: everyone may ask in private
    chats: frozenset[int]  # empty: every group (subject to `users`)
    admins: frozenset[int]  # may /reload and /stats; always allowed
    refusal_interval: float  # seconds between two refusals sent to the same outsider

    @property
    def restricted(self) -> bool:
        """True when answers depend on who asks (then inline results must be personal)."""
        return bool(self.users or self.chats)


@dataclass(frozen=True)
class RateLimitSettings:
    questions: int  # a user may ask this many questions ...
    per_seconds: float  # ... within this many seconds
    group_per_minute: int  # messages the bot sends to one group per minute (Telegram: 20)
    overall_per_second: int  # messages the bot sends in total per second (Telegram: 30)
    max_retries: int  # retries after Telegram's RetryAfter (flood wait) or a network error


@dataclass(frozen=True)
class BotSettings:
    base_url: str
    base_file_url: str
    token_file: Path | None
    poll_timeout: int
    drop_pending_updates: bool
    answers: AnswerSettings
    webhook: WebhookSettings
    access: AccessSettings
    rate_limit: RateLimitSettings
    log_text: bool
    log_level: str


def bot_settings(config: Config, env: Mapping[str, str] | None = None) -> BotSettings:
    """Parse and check the bot's sections; raises ConfigError naming the bad setting."""
    env = os.environ if env is None else env
    telegram = _Section(config, "telegram")
    base_url = (env.get(BASE_URL_ENV) or "").strip() or telegram.text("base_url")
    _check_url(BASE_URL_ENV + " / telegram.base_url", base_url)
    token_file = telegram.optional_text("token_file")
    answers = _Section(config, "answers")
    webhook = _Section(config, "webhook")
    access = _Section(config, "access")
    rate = _Section(config, "rate_limit")
    logging_ = _Section(config, "logging")
    return BotSettings(
        base_url=base_url,
        base_file_url=_file_url(base_url),
        token_file=Path(token_file) if token_file else None,
        poll_timeout=telegram.integer("poll_timeout", low=0, high=600),
        drop_pending_updates=telegram.boolean("drop_pending_updates"),
        answers=AnswerSettings(
            private=answers.integer("private", low=1, high=10),
            group=answers.integer("group", low=1, high=10),
            inline=answers.integer("inline", low=1, high=MAX_INLINE_RESULTS),
            context_before=answers.integer("context_before", low=0, high=10),
            context_after=answers.integer("context_after", low=0, high=10),
            expandable_over=answers.integer("expandable_over", low=0, high=4096),
            question_max_chars=answers.integer("question_max_chars", low=2, high=4096),
            recent_queries=answers.integer("recent_queries", low=1, high=1_000_000),
        ),
        webhook=_webhook(webhook, env),
        access=AccessSettings(
            users=access.ids("users"),
            chats=access.ids("chats"),
            admins=access.ids("admins"),
            refusal_interval=access.number("refusal_interval", low=0),
        ),
        rate_limit=RateLimitSettings(
            questions=rate.integer("questions", low=1, high=10_000),
            per_seconds=rate.number("per_seconds", low=0.001),
            group_per_minute=rate.integer("group_per_minute", low=1, high=20),
            overall_per_second=rate.integer("overall_per_second", low=1, high=30),
            max_retries=rate.integer("max_retries", low=0, high=10),
        ),
        log_text=logging_.boolean("log_text"),
        log_level=logging_.choice("level", ("DEBUG", "INFO", "WARNING", "ERROR")),
    )


def _webhook(section: _Section, env: Mapping[str, str]) -> WebhookSettings:
    enabled = section.boolean("enabled")
    url = section.optional_text("url") or ""
    if enabled:
        _check_url("webhook.url", url, https=True)
    secret = (env.get(WEBHOOK_SECRET_ENV) or "").strip()
    secret_file = section.optional_text("secret_token_file")
    if not secret and secret_file:
        secret = _read_secret(Path(secret_file), "webhook.secret_token_file")
    if not secret:
        # Telegram echoes the secret the bot itself registers, so a fresh one per run is enough.
        secret = secrets.token_urlsafe(32)
    if len(secret) > MAX_SECRET_TOKEN_CHARS or not all(
        c.isascii() and (c.isalnum() or c in "_-") for c in secret
    ):
        raise ConfigError(
            f"the webhook secret ({WEBHOOK_SECRET_ENV} or webhook.secret_token_file) must be "
            f"1-{MAX_SECRET_TOKEN_CHARS} characters of A-Z, a-z, 0-9, _ and -"
        )
    return WebhookSettings(
        enabled=enabled,
        listen=section.text("listen"),
        port=section.integer("port", low=1, high=65535),
        url=url,
        path=section.text("path").strip("/"),
        secret_token=secret,
    )


def _read_secret(path: Path, setting: str) -> str:
    try:
        return path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"cannot read {setting} {path}: {exc.strerror or exc}") from None


def _check_url(setting: str, url: str, *, https: bool = False) -> None:
    parsed = urlparse(url)
    schemes = ("https",) if https else ("http", "https")
    if parsed.scheme not in schemes or not parsed.netloc:
        wanted = "an https:// URL" if https else "an http(s):// URL"
        raise ConfigError(f"{setting} must be {wanted}, got {url!r}")


def _file_url(base_url: str) -> str:
    """Telegram serves files under /file/bot<token>; mirror that for a custom server."""
    if base_url.endswith("/bot"):
        return base_url[: -len("bot")] + "file/bot"
    return base_url.rstrip("/") + "/file/bot"


class _Section:
    """Typed reads from one YAML section, with errors that name ``section.key``."""

    def __init__(self, config: Config, name: str) -> None:
        self.name = name
        self.values: dict[str, Any] = config.section(name)

    def _get(self, key: str) -> Any:
        if key not in self.values:
            raise ConfigError(f"missing setting {self.name}.{key}")
        return self.values[key]

    def _fail(self, key: str, wanted: str, value: Any) -> ConfigError:
        return ConfigError(f"setting {self.name}.{key} must be {wanted}, got {value!r}")

    def integer(self, key: str, *, low: int, high: int) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self._fail(key, f"an integer from {low} to {high}", value)
        return value

    def number(self, key: str, *, low: float) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float) or value < low:
            raise self._fail(key, f"a number of at least {low}", value)
        return float(value)

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string", value)
        return value.strip()

    def optional_text(self, key: str) -> str | None:
        value = self.values.get(key)
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise self._fail(key, "a string or null", value)
        return value.strip()

    def choice(self, key: str, options: tuple[str, ...]) -> str:
        value = self._get(key)
        if not isinstance(value, str) or value.upper() not in options:
            raise self._fail(key, "one of " + ", ".join(options), value)
        return value.upper()

    def ids(self, key: str) -> frozenset[int]:
        value = self.values.get(key)
        if value is None:
            return frozenset()
        if not isinstance(value, list) or not all(
            isinstance(v, int) and not isinstance(v, bool) for v in value
        ):
            raise self._fail(key, "a list of numeric Telegram ids", value)
        return frozenset(value)


def read_token(settings: BotSettings, env: Mapping[str, str] | None = None) -> str | None:
    """The bot token from TELEGRAM_BOT_TOKEN or telegram.token_file; None when neither is set.

    Errors name where the token was looked for, never the token itself.
    """
    env = os.environ if env is None else env
    token = (env.get(TOKEN_ENV) or "").strip()
    if not token and settings.token_file is not None:
        token = _read_secret(settings.token_file, "telegram.token_file")
        if not token:
            raise ConfigError(f"telegram.token_file {settings.token_file} is empty")
    if not token:
        return None
    if any(c.isspace() for c in token):
        source = TOKEN_ENV if env.get(TOKEN_ENV) else "telegram.token_file"
        raise ConfigError(f"the bot token in {source} contains whitespace")
    return token
