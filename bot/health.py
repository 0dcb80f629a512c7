"""GET /healthz: is the bot serving, and how big is its index; for monitors and Docker.

Why a small server of its own (tornado, which PTB's webhook mode already brings) rather than a
route on the webhook server: PTB builds that server inside ``Updater.start_webhook`` with no
way to add routes short of patching private modules, and the webhook port is the one exposed
to the Internet behind the TLS proxy, while health belongs on loopback. The server runs on the
bot's event loop, is started by ``post_init`` and stopped by ``post_shutdown``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any

from tornado.httpserver import HTTPServer
from tornado.web import Application, RequestHandler

from .settings import HealthSettings

logger = logging.getLogger(__name__)

Status = Callable[[], dict[str, Any]]


class _HealthHandler(RequestHandler):
    def initialize(self, status: Status) -> None:
        self.status = status

    def get(self) -> None:
        body = self.status()
        self.set_status(200 if body.get("ok") else 503)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(body))


class HealthServer:
    """``/healthz`` on ``health.listen:health.port``; every other path is 404."""

    def __init__(self, settings: HealthSettings, status: Status) -> None:
        self.settings = settings
        app = Application(
            [(r"/healthz", _HealthHandler, {"status": status})],
            log_function=lambda handler: None,  # a probe every few seconds is not news
        )
        self._server = HTTPServer(app)

    def start(self) -> None:
        """Bind and serve on the running event loop (raises OSError if the port is taken)."""
        self._server.listen(self.settings.port, address=self.settings.listen)
        logger.info("health endpoint on http://%s:%d/healthz",
                    self.settings.listen, self.settings.port)

    async def stop(self) -> None:
        self._server.stop()
        await self._server.close_all_connections()


def status_of(passages: Callable[[], int], running: Callable[[], bool],
              started: float) -> Status:
    """The /healthz body: ok while the bot takes updates, passages in the live index, uptime."""
    def status() -> dict[str, Any]:
        return {
            "ok": running(),
            "passages": passages(),
            "uptime_s": round(time.monotonic() - started, 1),
        }

    return status
