"""Webhook ingest: updates/s stored in the inbox and answered 200, 100 connections.

Run:  .venv/bin/python -m bench.webhook_ingest [--updates 20000] [--connections 100]
      [--postgres URL]   (default: $PINGYI_TEST_POSTGRES_URL if set)

Telegram keeps at most 100 webhook requests in flight (max_connections).  The
client here does the same over real HTTP to the bot's aiohttp server
(bot/app/webserver.py).  Printed per database, beside a same-run baseline: the
same server answering 200 without storing anything (what HTTP and JSON cost).
No worker runs: this is ingest only.  An update is acknowledged only once its
group-committed write is durable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path

import aiohttp
from pydantic import SecretStr

from bot.app.webserver import SECRET_HEADER, BotServer, ServerSettings
from bot.core.clock import SystemClock
from storage.inbox import Inbox, Incoming
from storage.migrate import upgrade_to_head
from storage.uow import Database
from tests.storage.conftest import reset_postgres

SECRET = "bench-secret"


def loadavg() -> str:
    """The machine's load (1, 5, 15 min), printed beside the figures."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


class Discard(Inbox):
    """An inbox that stores nothing (the baseline)."""

    async def store(self, updates: list[Incoming]) -> None:  # type: ignore[override]
        """Nothing."""


def body(update_id: int) -> bytes:
    """A typical text message update."""
    user = 10_000 + update_id % 5000
    return json.dumps({
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 1700000000, "text": "3",
                    "chat": {"id": user, "type": "private"},
                    "from": {"id": user, "is_bot": False, "first_name": "市民"}},
    }).encode()  # fmt: skip


async def blast(url: str, total: int, connections: int) -> float:
    """POST `total` updates with `connections` in flight; updates/s."""
    queue = iter(range(1, total + 1))
    headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
    connector = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=connector, headers=headers) as http:

        async def client() -> None:
            for update_id in queue:
                async with http.post(url, data=body(update_id)) as response:
                    assert response.status == 200, response.status

        start = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(connections)))
        return total / (time.perf_counter() - start)


async def measure(url: str, total: int, connections: int, baseline: bool) -> float:
    """Serve the webhook on `url`'s database and blast it."""
    await upgrade_to_head(url)
    async with Database(url) as db:
        inbox = (Discard if baseline else Inbox)(db, SystemClock().now)
        server = BotServer(inbox, lambda: None, ServerSettings(port=0, secret=SecretStr(SECRET)))
        await server.start()
        try:
            rate = await blast(f"http://127.0.0.1:{server.port}/telegram", total, connections)
            if not baseline:
                assert (await inbox.depth()).pending == total, "not every update stored"
            return rate
        finally:
            await server.stop()


async def main() -> None:
    """Both databases, each beside the baseline."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("PINGYI_TEST_POSTGRES_URL", ""))
    args = parser.parse_args()
    n, c = args.updates, args.connections
    print(f"webhook ingest: {n} updates, {c} connections; loadavg {loadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        urls = {"sqlite": f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"}
        if args.postgres:
            urls["postgresql"] = args.postgres
        for name, url in urls.items():
            if name == "postgresql":
                await reset_postgres(url)
            base = await measure(url, n, c, baseline=True)
            if name == "postgresql":
                await reset_postgres(url)
            stored = await measure(url, n, c, baseline=False)
            print(
                f"  {name:10s} stored+acked {stored:8.0f} updates/s   "
                f"baseline (no store) {base:8.0f} updates/s   ratio {stored / base:.2f}"
            )


if __name__ == "__main__":
    asyncio.run(main())
