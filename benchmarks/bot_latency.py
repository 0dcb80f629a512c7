"""Bot latency: from a question entering the Bot API server to the bot's answer reaching it.

Runs the real Application and Engine (on seeds/) against the loopback Bot API server and asks
50 questions, one at a time, each from its own user. Both ends are taken from the server's
call log, on its clock: the getUpdates call that handed the question to the bot (the bot's long
poll is waiting, so that is the moment the question arrives) and the sendMessage carrying the
answer. The driver stays idle while the bot works, so its own HTTP clients do not compete with
the bot for the event loop. Prints the numbers; asserts nothing.

    .venv/bin/python benchmarks/bot_latency.py [--questions 50]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.app import build_application  # noqa: E402
from retrieval import Engine, load_config  # noqa: E402
from tests.support.botapi import BotApiServer  # noqa: E402

QUESTIONS = ("课后服务怎么开展", "教师队伍建设", "双减", "立德树人", "学前教育普惠发展")
SETTLE_SECONDS = 0.15  # the driver waits this long, idle, before reading what the bot did


async def measure(server: BotApiServer, users: range, questions: tuple[str, ...] = QUESTIONS
                  ) -> list[float]:
    """Latency in ms for one question per user, asked one after the other."""
    latencies = []
    for number, user in enumerate(users):
        update = await server.send_message(user_id=user, text=questions[number % len(questions)])
        await asyncio.sleep(SETTLE_SECONDS)
        await server.wait_bot_messages(user, 1)
        latencies.append(_latency_ms(await server.calls(), update["update_id"], user))
    return latencies


def _latency_ms(calls: list[dict[str, Any]], update_id: int, chat_id: int) -> float:
    delivered = next(
        c for c in calls
        if c["method"] == "getUpdates" and c.get("ok")
        and any(u["update_id"] == update_id for u in c["result"])
    )
    answered = next(
        c for c in calls
        if c["method"] == "sendMessage" and c.get("ok") and c["params"]["chat_id"] == chat_id
    )
    return (answered["time"] - (delivered["time"] + delivered["duration"])) * 1000


def summary(latencies: list[float]) -> str:
    ordered = sorted(latencies)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    return (f"bot latency over {len(latencies)} questions: median "
            f"{statistics.median(latencies):.1f} ms, p95 {p95:.1f} ms, max {ordered[-1]:.1f} ms")


async def main(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        async with BotApiServer() as server:
            settings = Path(tmp) / "bot.yaml"
            settings.write_text(
                f"telegram: {{base_url: '{server.base_url}'}}\n"
                "rate_limit: {questions: 1000, per_seconds: 1}\n",
                encoding="utf-8",
            )
            config = load_config(settings, env={})
            retrieval = dataclasses.replace(config.retrieval, cache_dir=Path(tmp) / "cache")
            config = dataclasses.replace(config, retrieval=retrieval)
            engine = Engine.open(config.retrieval)
            app = build_application(config, engine, token=server.token)
            await app.initialize()
            await app.start()
            assert app.updater is not None
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                print(summary(await measure(server, range(5000, 5000 + count))))
            finally:
                await app.updater.stop()
                await app.stop()
                await app.shutdown()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--questions", type=int, default=50)
    asyncio.run(main(parser.parse_args().questions))
