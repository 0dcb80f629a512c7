"""Logs: secrets redacted (message, args, traceback), one key=value line per answer."""

from __future__ import annotations

import logging

import pytest

from bot.logs import RedactSecrets, configure_logging, log_answer

TOKEN = "123456:AAE-secret-token"


def formatted(record: logging.LogRecord) -> str:
    return logging.Formatter("%(message)s").format(record)


def test_token_is_redacted_from_message_args_and_traceback() -> None:
    redactor = RedactSecrets([TOKEN, ""])
    try:
        raise RuntimeError(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    except RuntimeError as error:
        record = logging.LogRecord(
            "httpx", logging.ERROR, __file__, 1, "request to %s", (f"/bot{TOKEN}/x",),
            (type(error), error, error.__traceback__),
        )
    assert redactor.filter(record) is True
    text = formatted(record)
    assert TOKEN not in text
    assert "request to /bot[redacted]/x" in text
    assert "bot[redacted]/getMe failed" in text


def test_answer_line_is_key_value_without_text_unless_asked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.answers")
    log_answer(kind="question", chat="private", latency_ms=12.345, results=3, answered=True,
               more=False)
    log_answer(kind="inline", chat="sender", latency_ms=1, results=0, answered=False,
               more=False, text="双减 \"作业\"")
    first, second = (r.getMessage() for r in caplog.records)
    assert first == ("event=answer kind=question chat=private latency_ms=12.3 results=3 "
                     "more=false answered=true")
    assert "text=" not in first
    assert second.endswith('text="双减 \\"作业\\""')


def test_configure_logging_silences_http_request_logs() -> None:
    configure_logging("INFO")
    assert logging.getLogger("httpx").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("httpcore").getEffectiveLevel() >= logging.WARNING
    assert logging.getLogger("telegram").getEffectiveLevel() >= logging.INFO
    assert logging.getLogger("bot").level == logging.INFO
