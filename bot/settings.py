"""The bot's settings, parsed once from the YAML sections it owns into one frozen dataclass.

Sections: ``telegram`` (server, polling), ``answers`` (how much to show), ``webhook``,
``access`` (allowlists, admins), ``rate_limit`` (per user and Telegram's own limits),
``logging``, and for operations ``uploads`` (corpus files sent by admins), ``journal`` (the
opt-in question log and feedback) and ``health`` (the /healthz endpoint). Bad values fail
at start-up with a message naming the setting, not later in a handler. Secrets (bot token,
webhook secret) come from the environment or files, never YAML. The loader and the typed
reader are retrieval's (retrieval/settings.py): one way to read every section.
"""

from __future__ import annotations

import functools
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from retrieval import Config, ConfigError
from retrieval.settings import Section

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
class UploadSettings:
    enabled: bool
    dir: Path  # where uploaded files are stored; always inside a corpus directory
    max_bytes: int  # larger files are refused before downloading
    extensions: tuple[str, ...]  # lower case, with the dot; each one a corpus.extensions entry


@dataclass(frozen=True)
class JournalSettings:
    enabled: bool
    path: Path  # the SQLite file
    store_text: bool  # keep question texts (else only a salted hash and the length)


@dataclass(frozen=True)
class HealthSettings:
    serve: str  # "webhook" (only in webhook mode), "always" or "off"
    listen: str
    port: int

    def active(self, webhook: bool) -> bool:
        return self.serve == "always" or (self.serve == "webhook" and webhook)


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
    uploads: UploadSettings
    journal: JournalSettings
    health: HealthSettings


def bot_settings(config: Config, env: Mapping[str, str] | None = None) -> BotSettings:
    """Parse and check the bot's sections; raises ConfigError naming the bad setting."""
    env = os.environ if env is None else env
    telegram = config.read("telegram")
    base_url = (env.get(BASE_URL_ENV) or "").strip() or telegram.text("base_url")
    _check_url(BASE_URL_ENV + " / telegram.base_url", base_url)
    answers = config.read("answers")
    access = config.read("access")
    rate = config.read("rate_limit")
    logging_ = config.read("logging")
    webhook_settings = _webhook(config.read("webhook"), env)
    return BotSettings(
        base_url=base_url,
        base_file_url=_file_url(base_url),
        token_file=telegram.optional_path("token_file"),
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
        webhook=webhook_settings,
        access=AccessSettings(
            users=_ids(access, "users"),
            chats=_ids(access, "chats"),
            admins=_ids(access, "admins"),
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
        uploads=_uploads(config),
        journal=_journal(config.read("journal")),
        health=_health(config.read("health"), webhook_settings),
    )


# Telegram lets bots download files of at most 20 MB.
MAX_UPLOAD_MB = 20


def _uploads(config: Config) -> UploadSettings:
    section = config.read("uploads")
    corpus = [Path(d).resolve() for d in config.retrieval.corpus_dirs]
    if not corpus:
        raise ConfigError("uploads need a corpus directory (corpus.dirs is empty)")
    given = section.optional_text("dir")
    # Relative to the first corpus directory: the loader resolves only its own path settings.
    directory = (corpus[0] / os.path.expanduser(given)).resolve() if given else corpus[0]
    if not any(directory.is_relative_to(root) for root in corpus):
        raise ConfigError(f"setting uploads.dir must be inside a corpus directory, got {given!r}")
    extensions = section.strings("extensions")
    if not extensions or not all(e.startswith(".") for e in extensions):
        raise section.fail("extensions", "a list of file endings starting with '.'", extensions)
    # An upload is stored as sent and read like any corpus file: the corpus must read it.
    indexed = {e.lower() for e in config.retrieval.extensions}
    unread = sorted({e.lower() for e in extensions} - indexed)
    if unread:
        raise ConfigError(
            f"uploads.extensions has {', '.join(unread)}, but corpus.extensions does not "
            "read them (uploads are indexed as corpus files)"
        )
    max_mb = section.number("max_mb", low=0.001)
    if max_mb > MAX_UPLOAD_MB:
        raise section.fail("max_mb", f"at most {MAX_UPLOAD_MB} (Telegram's limit)", max_mb)
    return UploadSettings(
        enabled=section.boolean("enabled"),
        dir=directory,
        max_bytes=int(max_mb * 1024 * 1024),
        extensions=tuple(dict.fromkeys(e.lower() for e in extensions)),
    )


def _journal(section: Section) -> JournalSettings:
    return JournalSettings(
        enabled=section.boolean("enabled"),
        path=section.path("path"),
        store_text=section.boolean("store_text"),
    )


def _health(section: Section, webhook: WebhookSettings) -> HealthSettings:
    health = HealthSettings(
        serve=section.choice("serve", ("WEBHOOK", "ALWAYS", "OFF")).lower(),
        listen=section.text("listen"),
        port=section.integer("port", low=1, high=65535),
    )
    if health.active(webhook.enabled) and webhook.enabled and health.port == webhook.port:
        raise ConfigError("health.port must differ from webhook.port (a separate server)")
    return health


def _webhook(section: Section, env: Mapping[str, str]) -> WebhookSettings:
    enabled = section.boolean("enabled")
    url = section.optional_text("url") or ""
    if enabled:
        _check_url("webhook.url", url, https=True)
    secret = (env.get(WEBHOOK_SECRET_ENV) or "").strip()
    secret_file = section.optional_path("secret_token_file")
    if not secret and secret_file:
        secret = _read_secret(secret_file, "webhook.secret_token_file")
    if not secret:
        secret = _run_secret()
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


@functools.cache
def _run_secret() -> str:
    """One random secret per process: Telegram echoes the secret the bot itself registers, so a
    fresh one per run is enough, and every parse of the settings must agree on it (the secret
    registered, checked and redacted from logs is one)."""
    return secrets.token_urlsafe(32)


def _ids(section: Section, key: str) -> frozenset[int]:
    """Telegram user or chat ids; null is an empty list."""
    value = section.values.get(key)
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise section.fail(key, "a list of numeric Telegram ids", value)
    return frozenset(value)


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
