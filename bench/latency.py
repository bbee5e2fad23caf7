"""Open-loop latency and end-to-end throughput through the whole stack.

Run:  .venv/bin/python -m bench.latency [--rates 25,50,100,200] [--seconds 20]
      [--postgres URL]   (default: $PINGYI_TEST_POSTGRES_URL; else SQLite)
      .venv/bin/python -m bench.latency --throughput [--citizens 300]

Latency (the default): citizens *arrive* at a set rate (a Poisson process), each
answering the Changzhou questionnaire (/start, /survey, the unit, five items, the
suggestion, submit: about a dozen updates) with a human think time between taps
(exponential, mean `THINK` s).  Arrivals are chosen so that the updates offered
average the given rate; nobody waits for the bot to keep up (open loop), so a bot
that falls behind shows it in its latency.  Measured per update: from the moment
the local Bot API server has it to the moment the bot's reply (message or edit) is
in the chat — p50 and p99, for long polling and for the webhook, each through the
durable inbox as `pingyi run` does.  Target: p99 ≤ 100 ms at 100 updates/s.

Throughput (`--throughput`): the same citizens, all at once and tapping at machine
speed (closed loop), by webhook with 1 and then 2 inbox workers (in one process:
the in-process server cannot be shared by several), answers/s stored; beside it in
the same run, the bare aiogram dispatcher of bench.survey_throughput (one handler
that replies, no database) for the same updates.

Flood control is off for the simulated citizens (a machine taps too regularly).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from bench.citizens import DEFAULT_CAMPAIGN, Citizen, make_plans, rehearsal_target
from bench.survey_throughput import measure_bare
from bench.webhook_ingest import loadavg
from bot.app.runtime import background, open_services
from bot.campaign.loader import load_campaign
from bot.cli.demo.stage import _polling, _webhook
from bot.core.clock import FixedClock
from bot.localapi import ChatMessage, LocalBotAPI, SimUser
from bot.telegram.common.flood import unhurried
from bot.telegram.frontends import make_frontend
from tests.storage.conftest import reset_postgres

THINK = 1.0  # seconds, mean time a person reads before the next tap
UPDATES_PER_CITIZEN = 12  # about: /start, /survey, unit, five items, suggestion, submit
TARGET_P99 = 0.100


@dataclass
class Timed:
    """A simulated user whose every action is timed to the reply it gets."""

    user: SimUser
    rng: random.Random
    think: float
    latencies: list[float] = field(default_factory=list)
    _sent: float = 0.0

    async def send_text(self, text: str) -> int:
        """Think, then type."""
        await self._pause()
        self._sent = time.perf_counter()
        return await self.user.send_text(text)

    async def press(self, message: ChatMessage, data: str) -> int:
        """Think, then tap."""
        await self._pause()
        self._sent = time.perf_counter()
        return await self.user.press(message, data)

    async def wait_for(self, timeout: float = 30.0) -> ChatMessage:
        """The reply; its latency is recorded."""
        reply = await self.user.wait_for(timeout=timeout)
        self.latencies.append(time.perf_counter() - self._sent)
        return reply

    async def _pause(self) -> None:
        if self.think:
            await asyncio.sleep(self.rng.expovariate(1 / self.think))


@asynccontextmanager
async def bot_running(
    api: LocalBotAPI, url: str, webhook: int
) -> AsyncIterator[tuple[object, object]]:
    """The bot on `url` (polling, or a webhook with `webhook` workers) for the block."""
    campaign = load_campaign(DEFAULT_CAMPAIGN)
    component, day = rehearsal_target(campaign)
    with tempfile.TemporaryDirectory(prefix="pingyi-bench-") as tmp:
        folder = Path(tmp) / "campaigns"
        folder.mkdir()
        (folder / "c.yaml").write_text(DEFAULT_CAMPAIGN.read_text())
        async with open_services(url, folder, FixedClock.on_day(day)) as services:
            front = make_frontend("aiogram", api.token, api.base_url, services)
            front.gate.flood = unhurried()
            intake = (
                _webhook(front, services, webhook) if webhook else _polling(front, services, api)
            )
            try:
                async with background(services, front.sender), intake:
                    yield services, (campaign, component)
            finally:
                await front.close()


async def fresh(url: str | None, tmp: Path, name: str) -> str:
    """An empty database: PostgreSQL emptied, or a new SQLite file."""
    if url:
        await reset_postgres(url)
        return url
    return f"sqlite+aiosqlite:///{tmp / name}.db"


async def open_loop(url: str, rate: float, seconds: float, webhook: bool) -> list[float]:
    """Citizens arriving for `seconds` so that `rate` updates/s are offered; latencies."""
    rng = random.Random(int(rate))
    async with LocalBotAPI() as api, bot_running(api, url, 1 if webhook else 0) as (s, target):
        services, (campaign, component) = s, target
        arrivals = rate / UPDATES_PER_CITIZEN  # citizens a second
        count = max(1, int(arrivals * seconds))
        plans = make_plans(campaign, component, count, rng)  # type: ignore[arg-type]
        timed: list[Timed] = []
        runs = []
        at = 0.0
        for plan in plans:
            at += rng.expovariate(arrivals)
            user = api.user(plan.user_id, first_name="市民", language_code=plan.language)
            clock = Timed(user, random.Random(plan.user_id), THINK)
            timed.append(clock)
            citizen = Citizen(clock, plan, services, campaign, component)  # type: ignore[arg-type]
            runs.append(_later(at, citizen.run()))
        await asyncio.gather(*runs)
    return [x for t in timed for x in t.latencies]


async def _later(delay: float, work: object) -> None:
    await asyncio.sleep(delay)
    await work  # type: ignore[misc]


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


async def latency_main(rates: list[float], seconds: float, url: str | None) -> bool:
    """Print p50/p99 per rate and intake; True if the target holds at 100/s on webhook."""
    met = True
    print(f"open-loop latency, update → reply; load average {loadavg()}")
    print(f"{'intake':8} {'offered/s':>9} {'updates':>8} {'p50 ms':>8} {'p99 ms':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        for webhook in (False, True):
            for rate in rates:
                db = await fresh(url, Path(tmp), f"l{rate}{webhook}")
                lat = await open_loop(db, rate, seconds, webhook)
                p50, p99 = _pct(lat, 50), _pct(lat, 99)
                name = "webhook" if webhook else "polling"
                print(f"{name:8} {rate:9.0f} {len(lat):8d} {p50 * 1000:8.1f} {p99 * 1000:8.1f}")
                if rate == 100 and p99 > TARGET_P99:
                    met = False
    verdict = ("met" if met else "MISSED") if 100 in rates else "not measured (no 100/s run)"
    print(f"target p99 ≤ {TARGET_P99 * 1000:.0f} ms at 100/s: {verdict}")
    print(f"database: {'PostgreSQL' if url else 'SQLite'}; load average {loadavg()}")
    return met


async def closed_loop(url: str, citizens: int, workers: int) -> tuple[float, int]:
    """Everyone at once, machine speed, webhook with `workers`; (answers/s, answers)."""
    async with LocalBotAPI() as api, bot_running(api, url, workers) as (s, target):
        services, (campaign, component) = s, target
        plans = make_plans(campaign, component, citizens, random.Random(7))  # type: ignore[arg-type]
        started = time.perf_counter()
        done = await asyncio.gather(
            *(
                Citizen(
                    api.user(p.user_id, first_name="市民", language_code=p.language),
                    p,
                    services,  # type: ignore[arg-type]
                    campaign,  # type: ignore[arg-type]
                    component,  # type: ignore[arg-type]
                ).run()
                for p in plans
            )
        )
        elapsed = time.perf_counter() - started
    answers = sum(len(p.levels) for p, ok in zip(plans, done, strict=True) if ok)
    return answers / elapsed, answers


async def throughput_main(citizens: int, url: str | None) -> None:
    """answers/s with 1 and 2 workers, and the bare dispatcher's, in one run."""
    print(f"end-to-end throughput, {citizens} citizens; load average {loadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            db = await fresh(url, Path(tmp), f"t{workers}")
            rate, answers = await closed_loop(db, citizens, workers)
            print(f"pingyi, webhook, {workers} worker(s): {rate:8.0f} answers/s ({answers})")
    bare = await measure_bare(citizens)
    # Its citizens send 9 updates for 5 answers (bench/survey_throughput.py).
    rate = bare["updates_per_s"] * 5 / 9
    print(f"bare aiogram dispatcher (fed directly, no database): {rate:8.0f} answers/s")
    print(f"database: {'PostgreSQL' if url else 'SQLite'}; load average {loadavg()}")


async def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="25,50,100,200")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--throughput", action="store_true")
    parser.add_argument("--citizens", type=int, default=300)
    parser.add_argument("--postgres", default=os.environ.get("PINGYI_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    if args.throughput:
        await throughput_main(args.citizens, args.postgres)
        return
    rates = [float(r) for r in args.rates.split(",")]
    await latency_main(rates, args.seconds, args.postgres)


if __name__ == "__main__":
    asyncio.run(main())
