"""Broadcast: N recipients through the local Bot API server, which answers 429 above a limit.

Run:  .venv/bin/python -m bench.broadcast [--recipients 100000] [--limit 1000] [--rate R]

The server (bot.localapi, in this process, over real HTTP) refuses sends beyond
`--limit` a second in any sliding second with 429 retry_after=1; the
outbox is configured at `--rate` (default: the limit) and sends through
the real aiogram client.  Three runs over the same recipients:

1. straight through: achieved rate ÷ limit (target ≥ 0.95), 429s provoked,
   recipients with no message (lost) and with more than one (duplicated);
2. killed (the outbox.s task cancelled abruptly at ~40 %) and resumed by a
   new outbox: lost and duplicated again (target 0 and 0);
3. a simulated hard crash at ~40 % (every task dropped where it stood, nothing
   drained, as a killed process): the rows caught on the wire become "unknown"
   and are not resent (at most once); lost, duplicated and in-doubt are printed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import tempfile
import time
from collections import Counter
from pathlib import Path

from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import insert

from bot.app.runtime import tune_gc
from bot.core.clock import SystemClock
from bot.localapi import LocalBotAPI
from bot.outbox.queue import Outbox
from bot.telegram.app import make_bot
from bot.telegram.sender import BotSender
from storage.admin import Audience
from storage.migrate import upgrade_to_head
from storage.models import Respondent
from storage.outbox import UNKNOWN
from storage.uow import Database

FIRST_ID = 10_000_000
TEXTS = {"zh-Hans": "<b>通知</b> 评议问卷已开放", "en": "<b>Notice</b> the survey is open"}


async def seed(db: Database, api: LocalBotAPI, n: int) -> list[int]:
    """N active respondents, each with a chat on the server."""
    ids = list(range(FIRST_ID, FIRST_ID + n))
    now = dt.datetime.now(dt.UTC)
    rows = [
        {
            "id": i,
            "locale": "en" if i % 3 == 0 else "zh-Hans",
            "locale_chosen": False,
            "first_seen": now,
            "last_seen": now,
            "active": True,
        }
        for i in ids
    ]

    def write(conn: object) -> None:
        for start in range(0, n, 5000):
            conn.execute(insert(Respondent), rows[start : start + 5000])  # type: ignore[attr-defined]

    await db.writer.run(write)
    for i in ids:
        api.user(i)
    return ids


def tally(api: LocalBotAPI, ids: list[int], before: dict[int, int]) -> tuple[int, int]:
    """(lost, duplicated) for one job: chats that got 0, or more than 1, new messages."""
    after = api.delivered_counts()
    per_chat = Counter({i: after.get(i, 0) - before.get(i, 0) for i in ids})
    lost = sum(1 for i in ids if per_chat[i] == 0)
    dup = sum(1 for i in ids if per_chat[i] > 1)
    return lost, dup


def sent_times(api: LocalBotAPI, since: int) -> list[float]:
    """Server-side times of the accepted sends after call index `since`."""
    return [c.timestamp for c in api.calls[since:] if c.method == "sendMessage" and c.status == 200]


def max_per_second(times: list[float]) -> int:
    """The most accepted sends in any sliding second."""
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= 1.0:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


async def run_job(
    db: Database,
    api: LocalBotAPI,
    ids: list[int],
    rate: float,
    kill_at: float | None,
    crash: bool,
) -> dict[str, float]:
    """One job over every recipient, optionally killed at a fraction and resumed."""
    bot = make_bot(api.token, api.base_url)
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url), limit=512)
    await bot.session.close()
    bot.session = session
    sender = BotSender(bot)
    before, calls_before, limited_before = (
        api.delivered_counts(),
        len(api.calls),
        api.faults.rate_limited,
    )
    first = Outbox(db, SystemClock(), rate=rate, drain_timeout=10)
    await first.create(Audience("everyone"), TEXTS)
    started = time.monotonic()
    task = asyncio.create_task(first.run(sender, until_idle=True))
    in_doubt = 0
    if kill_at is not None:
        target = int(len(ids) * kill_at)
        while first.sent < target and not task.done():  # noqa: ASYNC110 (polling a counter)
            await asyncio.sleep(0.01)
        if crash:
            first.crash_on_cancel = True
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        second = Outbox(db, SystemClock(), rate=rate)
        in_doubt = await second.recover()
        await second.run(sender, until_idle=True)
    else:
        await task
    elapsed = time.monotonic() - started
    times = sent_times(api, calls_before)
    lost, dup = tally(api, ids, before)
    await session.close()
    span = (times[-1] - times[0]) if len(times) > 1 else elapsed
    return {
        "sent": len(times),
        "seconds": span,
        "rate": len(times) / span if span else 0.0,
        "limited": api.faults.rate_limited - limited_before,
        "lost": lost,
        "dup": dup,
        "in_doubt": in_doubt,
        "peak": max_per_second(times),
    }


async def main(recipients: int, limit: float, rate: float) -> None:
    """Seed, then the three runs; print the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        await upgrade_to_head(url)
        db = Database(url)
        await db.start()
        try:
            async with LocalBotAPI() as api:
                ids = await seed(db, api, recipients)
                tune_gc()  # as the bot does at start-up
                api.faults.rate_limit(limit, retry_after=1)
                print(
                    f"broadcast to {recipients:,} recipients; server limit {limit:g}/s "
                    f"(429 above it, retry_after 1 s); outbox rate {rate:g}/s"
                )
                for title, kill, crash in (
                    ("straight through", None, False),
                    ("killed at 40 % and resumed", 0.4, False),
                    ("hard crash at 40 % and resumed", 0.4, True),
                ):
                    r = await run_job(db, api, ids, rate, kill, crash)
                    print(
                        f"{title}: {r['sent']:,.0f} sent in {r['seconds']:.1f} s = "
                        f"{r['rate']:.1f}/s = {r['rate'] / limit:.3f} of the limit "
                        f"(peak {r['peak']:.0f} in one second); 429s provoked {r['limited']:.0f}; "
                        f"lost {r['lost']:.0f}, duplicated {r['dup']:.0f}"
                        + (
                            f"; in doubt after the crash {r['in_doubt']:.0f} (status {UNKNOWN}, "
                            "not resent)"
                            if crash
                            else ""
                        )
                    )
                    api.calls.clear()
        finally:
            await db.close()


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--limit", type=float, default=300.0, help="server's 429 threshold /s")
    parser.add_argument("--rate", type=float, default=None, help="outbox rate (default: limit)")
    return parser.parse_args()


if __name__ == "__main__":
    args = _args()
    asyncio.run(main(args.recipients, args.limit, args.rate or args.limit))
