"""Logging: quiet HTTP client logs, secrets redacted, one key=value line per answered update."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable

ANSWER_LOGGER = logging.getLogger("bot.answers")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def quiet_http_logs() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token."""
    for name in ("httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str, *, log_text: bool = False) -> None:
    """Root handler if the caller has none yet, the bot's level, and quiet HTTP logs.

    PTB's DEBUG lines dump whole updates and requests (message text included), so unless
    logging.log_text allows text in the logs, PTB logs at INFO at most whatever root says.
    """
    if not logging.getLogger().handlers:
        logging.basicConfig(format=LOG_FORMAT)  # the root level stays the caller's choice
    for name in ("bot", "retrieval"):
        logging.getLogger(name).setLevel(level)
    if not log_text:
        logging.getLogger("telegram").setLevel(logging.INFO)
    quiet_http_logs()


class StartupFailureToDebug(logging.Filter):
    """For the ``telegram.ext`` logger: PTB logs a failed start-up (Bot API unreachable, token
    rejected) at ERROR with three chained tracebacks, then raises the error, which the caller
    reports in one line. The traceback is kept, at debug level, for whoever needs it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.ERROR or not record.exc_info:
            return True
        message = record.getMessage()
        if "Network Retry Loop" not in message or "Abort" not in message:
            return True
        logging.getLogger("bot.app").debug("start-up failed: %s", message,
                                           exc_info=record.exc_info)
        return False


class RedactSecrets(logging.Filter):
    """Replaces secrets in a record's message and traceback before any handler formats it."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_in_logs(*secrets: str) -> RedactSecrets:
    """Attach a redacting filter to every handler of the root logger; returns it for removal."""
    redactor = RedactSecrets(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    return redactor


def log_answer(
    *,
    kind: str,
    chat: str,
    latency_ms: float,
    results: int,
    answered: bool,
    more: bool,
    text: str | None = None,
) -> None:
    """One structured line per answered update; `text` only when logging.log_text is on."""
    fields: dict[str, object] = {
        "event": "answer",
        "kind": kind,
        "chat": chat,
        "latency_ms": f"{latency_ms:.1f}",
        "results": results,
        "more": "true" if more else "false",
        "answered": "true" if answered else "false",
    }
    if text is not None:
        fields["text"] = json.dumps(text, ensure_ascii=False)
    ANSWER_LOGGER.info(" ".join(f"{key}={value}" for key, value in fields.items()))
