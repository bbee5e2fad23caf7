"""Survey throughput: simulated citizens through the real Dispatcher, vs a bare one;
then the same load while an evaluator asks for /chart and /export every 2 s.

Run:  .venv/bin/python -m bench.survey_throughput [--citizens 1000] [--database URL]
      .venv/bin/python -m bench.survey_throughput --framework ptb [--citizens 1000]
      .venv/bin/python -m bench.survey_throughput --flood [--citizens 200]

`--framework ptb` measures the python-telegram-bot adapter the same way against a
bare PTB Application (bench/ptb_local.py), and prints the line counts of each
adapter and of the shared part (the evaluator rounds are aiogram's only).

`--flood` measures flood control instead (see `measure_flood`): citizens at a
person's pace, under the real per-person limit, with and without one account
flooding the bot, in the same run.

Every citizen sends /survey, picks a unit, answers the five Changzhou items,
skips the suggestion and submits: 9 updates, 5 answers.  Citizens run
concurrently, each waiting for the bot's reply before its next tap, as a person
would.  The same update stream is then fed to a bare aiogram Dispatcher whose
only handler replies, measured in the same run; the ratio of the two rates is
the figure to watch (target ≥ 0.5 on SQLite).

An answer counts as durable when its unit of work has committed, which the
handler awaits before sending the reply that follows; at the end the answers
table is counted to make sure every one of them is there (the run fails if one
is missing).

Nothing heavy may run on the event loop: a chart takes a second of computation,
and drawn inside a handler it would hold up every citizen.  So pingyi's run is
made twice — quiet, then with an evaluator asking for /chart and /export every
`EVERY` seconds throughout — and the citizens' p99 update → reply of the two is
compared (target: the evaluator adds ≤ 20 ms).  Meanwhile a probe task sleeps
10 ms again and again and records how late it wakes: the event loop's lag.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import itertools
import resource
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import func, select

from bench.local_session import LocalSession, reply_times
from bot.access.service import Role
from bot.app.runtime import open_services, tune_gc
from bot.app.services import Services
from bot.core.clock import FixedClock
from bot.scoring import offload
from bot.telegram.aiogram.app import make_dispatcher
from bot.telegram.aiogram.middlewares import gate_of
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit
from bot.telegram.common.flood import unhurried
from storage.models import Answer

CAMPAIGN = "changzhou-2011-safety"
COMPONENT = "questionnaire"
DAY = dt.date(2011, 8, 1)
ITEMS = 5
EVALUATOR = 9_999  # the evaluator's user id (citizens are 10 000 and up)
EVERY = 2.0  # seconds between the evaluator's /chart + /export
PROBE = 0.010  # the lag probe's sleep
PAIRS = 3  # quiet and busy runs, alternating
ROUNDS = range(1 + 2 * PAIRS)  # one database per run
_update_ids = itertools.count(1)


def citizen_updates(user_id: int, unit_id: int) -> list[Update]:
    """The updates one citizen sends, in order."""
    user = User(id=user_id, is_bot=False, first_name=f"c{user_id}", language_code="zh-hans")
    chat = Chat(id=user_id, type="private")
    now = dt.datetime.now(dt.UTC)
    shown = Message(message_id=1, date=now, chat=chat, text="…")

    def tap(data: str) -> Update:
        query = CallbackQuery(
            id=str(next(_update_ids)), from_user=user, chat_instance="x", message=shown, data=data
        )
        return Update(update_id=next(_update_ids), callback_query=query)

    survey = Message(message_id=2, date=now, chat=chat, from_user=user, text="/survey")
    updates = [Update(update_id=next(_update_ids), message=survey)]
    updates.append(tap(PickUnit(unit=unit_id, comp=COMPONENT).pack()))
    for item in range(ITEMS):
        level = (user_id + item) % 5
        updates.append(tap(AnswerItem(unit=unit_id, comp=COMPONENT, item=item, level=level).pack()))
    updates.append(tap(Navigate(unit=unit_id, comp=COMPONENT, action="skip").pack()))
    updates.append(tap(Navigate(unit=unit_id, comp=COMPONENT, action="submit").pack()))
    return updates


def command(user_id: int, text: str) -> Update:
    """A chat message with a command from `user_id`."""
    user = User(id=user_id, is_bot=False, first_name=f"e{user_id}", language_code="zh-hans")
    chat = Chat(id=user_id, type="private")
    now = dt.datetime.now(dt.UTC)
    message = Message(message_id=3, date=now, chat=chat, from_user=user, text=text)
    return Update(update_id=next(_update_ids), message=message)


@dataclass
class Lag:
    """How late the event loop wakes a task that sleeps PROBE seconds, again and again."""

    samples: list[float] = field(default_factory=list)

    async def probe(self) -> None:
        """Sleep, measure the overshoot, repeat (until cancelled)."""
        while True:
            start = time.perf_counter()
            await asyncio.sleep(PROBE)
            self.samples.append(max(0.0, time.perf_counter() - start - PROBE))


@contextlib.asynccontextmanager
async def probing() -> AsyncIterator[Lag]:
    """Measure the loop's lag while the body runs."""
    lag = Lag()
    task = asyncio.create_task(lag.probe())
    try:
        yield lag
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def evaluator(
    dp: Dispatcher, bot: Bot, done: asyncio.Event, latencies: dict[str, list[float]]
) -> None:
    """/chart and /export every EVERY seconds (on the clock, not after the replies)
    until `done`; each reply time goes into `latencies`."""

    async def ask(text: str) -> None:
        times: list[float] = []
        reply_times.set(times)
        start = time.perf_counter()
        await dp.feed_update(bot, command(EVALUATOR, text))
        latencies.setdefault(text, []).append((times[0] if times else time.perf_counter()) - start)

    asked: list[asyncio.Task[None]] = []
    start = time.perf_counter()
    for tick in itertools.count(1):
        asked += [asyncio.create_task(ask(text)) for text in ("/chart", "/export")]
        pause = start + tick * EVERY - time.perf_counter()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), max(0.0, pause))
        if done.is_set():
            break
    await asyncio.gather(*asked)


async def drive(
    dp: Dispatcher, bot: Bot, streams: list[list[Update]], rate: float | None = None
) -> tuple[float, list[float]]:
    """Feed every citizen's updates (citizens concurrently: all at once, or arriving
    `rate` per second); return seconds and latencies."""
    latencies: list[float] = []
    start = time.perf_counter()

    async def citizen(n: int, updates: list[Update]) -> None:
        if rate is not None:
            await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        for update in updates:
            times: list[float] = []
            reply_times.set(times)
            sent = time.perf_counter()
            await dp.feed_update(bot, update)
            latencies.append((times[0] if times else time.perf_counter()) - sent)

    await asyncio.gather(*(citizen(n, s) for n, s in enumerate(streams)))
    return time.perf_counter() - start, latencies


def bare_dispatcher() -> Dispatcher:
    """aiogram with one router whose handlers only reply."""
    router = Router()

    @router.message()
    async def reply(message: Message) -> None:
        await message.answer("ok")

    @router.callback_query()
    async def edit(query: CallbackQuery) -> None:
        if isinstance(query.message, Message):
            await query.message.edit_text("ok")
        await query.answer()

    dp = Dispatcher()
    dp.include_router(router)
    return dp


async def measure_pingyi(
    citizens: int,
    url: str,
    *,
    rate: float | None = None,
    with_evaluator: bool = False,
    first_id: int = 10_000,
) -> dict[str, float]:
    """Run the citizens through pingyi's dispatcher (all at once, or `rate` per second;
    with the evaluator asking for a chart and the report every EVERY seconds, if asked);
    return its figures."""
    clock = FixedClock.on_day(DAY)
    asked: dict[str, list[float]] = {}
    async with open_services(url, Path("survey_defs"), clock) as services:
        dp = make_dispatcher(services)
        gate_of(dp).flood = unhurried()  # the simulated citizens tap at machine speed
        bot = Bot("42:bench", session=LocalSession())
        unit_ids = _unit_ids(services)
        streams = [
            citizen_updates(first_id + n, unit_ids[n % len(unit_ids)]) for n in range(citizens)
        ]
        before = await _count_answers(services)
        if with_evaluator:
            async with services.db.unit_of_work() as uow:
                await services.access.grant(uow, None, EVALUATOR, Role.EVALUATOR)
        done = asyncio.Event()
        async with probing() as lag:
            watcher = asyncio.create_task(
                evaluator(dp, bot, done, asked) if with_evaluator else done.wait()
            )
            seconds, latencies = await drive(dp, bot, streams, rate)
            done.set()
            await watcher
        stored = await _count_answers(services) - before
        batches, jobs = services.db.writer.batches, services.db.writer.jobs
    updates = sum(len(s) for s in streams)
    return {
        "seconds": seconds,
        "updates": updates,
        "answers": citizens * ITEMS,
        "stored": stored,
        "updates_per_s": updates / seconds,
        "answers_per_s": stored / seconds,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
        "transactions": batches,
        "units_of_work": jobs,
        "lag_p50_ms": _pct(lag.samples, 50),
        "lag_p99_ms": _pct(lag.samples, 99),
        "lag_max_ms": _pct(lag.samples, 100),
        **{f"{text[1:]}_n": len(times) for text, times in asked.items()},
        **{f"{text[1:]}_p50_ms": _pct(times, 50) for text, times in asked.items()},
        **{f"{text[1:]}_max_ms": _pct(times, 100) for text, times in asked.items()},
    }


async def measure_bare(citizens: int) -> dict[str, float]:
    """The same stream shape through a bare dispatcher."""
    dp, bot = bare_dispatcher(), Bot("42:bench", session=LocalSession())
    streams = [citizen_updates(10_000 + n, 1) for n in range(citizens)]
    tune_gc()  # the same process tuning pingyi gets at start-up
    seconds, latencies = await drive(dp, bot, streams)
    updates = sum(len(s) for s in streams)
    return {
        "seconds": seconds,
        "updates_per_s": updates / seconds,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
    }


PACE = 0.6  # seconds between a paced citizen's updates: a quick person, under the limit
FLOOD_BATCH = 100  # a flooder's updates arrive as getUpdates hands them out
# Updates per second from the flooding account: far above what a person or a script in a
# Telegram client sends. Unbounded, the in-process flooder would only measure how fast
# aiogram parses updates the gate then drops (it starves the event loop).
FLOOD_RATE = 200.0


async def measure_flood(citizens: int, url: str, flooding: bool) -> dict[str, float]:
    """Citizens at a person's pace under the real flood limit; with `flooding`, one more
    account sends /help at FLOOD_RATE a second. The citizens' reply latencies."""
    async with open_services(url, Path("survey_defs"), FixedClock.on_day(DAY)) as services:
        dp, bot = make_dispatcher(services), Bot("42:bench", session=LocalSession())
        unit_ids = _unit_ids(services)
        streams = [
            citizen_updates(20_000 + n, unit_ids[n % len(unit_ids)]) for n in range(citizens)
        ]
        latencies: list[float] = []
        done = asyncio.Event()
        flood = asyncio.create_task(_flood(dp, bot, done)) if flooding else None
        await asyncio.gather(*(_paced(dp, bot, s, latencies) for s in streams))
        done.set()
        flooded = await flood if flood is not None else 0
        stored = await _count_answers(services)
        dropped = gate_of(dp).flood.dropped
    return {
        "stored": stored,
        "answers": citizens * ITEMS,
        "flooded": flooded,
        "dropped": dropped,
        "p50_ms": _pct(latencies, 50),
        "p99_ms": _pct(latencies, 99),
    }


async def _paced(dp: Dispatcher, bot: Bot, updates: list[Update], latencies: list[float]) -> None:
    """One citizen: each update once the previous was answered and PACE has passed."""
    for update in updates:
        times: list[float] = []
        reply_times.set(times)
        start = time.perf_counter()
        await dp.feed_update(bot, update)
        latencies.append((times[0] if times else time.perf_counter()) - start)
        await asyncio.sleep(PACE)


async def _flood(dp: Dispatcher, bot: Bot, done: asyncio.Event) -> int:
    """One account sending /help in batches at FLOOD_RATE, without waiting for replies,
    until `done`; how many it sent."""
    user = User(id=99_999, is_bot=False, first_name="flood", language_code="zh-hans")
    chat, sent = Chat(id=user.id, type="private"), 0
    while not done.is_set():
        now = dt.datetime.now(dt.UTC)
        batch = [
            Update(
                update_id=next(_update_ids),
                message=Message(
                    message_id=sent + n, date=now, chat=chat, from_user=user, text="/help"
                ),
            )
            for n in range(FLOOD_BATCH)
        ]
        await asyncio.gather(*(dp.feed_update(bot, u) for u in batch))
        sent += FLOOD_BATCH
        await asyncio.sleep(FLOOD_BATCH / FLOOD_RATE)
    return sent


def _flood_report(calm: dict[str, float], flooded: dict[str, float], citizens: int) -> str:
    return "\n".join(
        [
            f"flood control — {citizens} citizens, one update per {PACE} s each",
            _line(
                "citizens' p50 / p99, nobody flooding",
                f"{calm['p50_ms']:.1f} ms / {calm['p99_ms']:.1f} ms",
            ),
            _line(
                f"citizens' p50 / p99, one account at {FLOOD_RATE:.0f}/s",
                f"{flooded['p50_ms']:.1f} ms / {flooded['p99_ms']:.1f} ms",
            ),
            _line(
                "flooder's updates / dropped by the gate",
                f"{flooded['flooded']:.0f} / {flooded['dropped']:.0f}",
            ),
            _line(
                "citizens' durable answers (both runs)",
                f"{calm['stored']:.0f}, {flooded['stored']:.0f} of {calm['answers']:.0f}",
            ),
        ]
    )


def _unit_ids(services: Services) -> list[int]:
    campaign = services.registry.campaigns[CAMPAIGN]
    component = campaign.component(COMPONENT)
    return [services.registry.unit_id(campaign, u) for u in campaign.units_for(component)]


async def _count_answers(services: Services) -> int:
    async with services.db.unit_of_work() as uow:
        return int(
            (await uow.session.execute(select(func.count()).select_from(Answer))).scalar_one()
        )


def _pct(values: list[float], pct: int) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return 1000 * ordered[min(len(ordered) - 1, int(len(ordered) * pct / 100))]


def _report(
    mine: dict[str, float], bare: dict[str, float], label: str, bare_name: str = "aiogram"
) -> str:
    ratio = mine["updates_per_s"] / bare["updates_per_s"]
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return "\n".join(
        [
            f"survey throughput — {label}",
            _line("citizens × updates", f"{mine['updates'] / 9:.0f} × 9 = {mine['updates']:.0f}"),
            _line("durable answers", f"{mine['stored']:.0f} of {mine['answers']:.0f}"),
            _line("durable answers / s", f"{mine['answers_per_s']:.0f}"),
            _line("pingyi updates / s", f"{mine['updates_per_s']:.0f}"),
            _line("update → reply p50 / p99", f"{mine['p50_ms']:.1f} ms / {mine['p99_ms']:.1f} ms"),
            _line(
                "transactions for units of work",
                f"{mine['transactions']:.0f} for {mine['units_of_work']:.0f}",
            ),
            _line("event-loop lag p50 / p99 / max", _lag(mine)),
            _line(f"bare {bare_name} updates / s", f"{bare['updates_per_s']:.0f}"),
            _line("bare p50 / p99", f"{bare['p50_ms']:.1f} ms / {bare['p99_ms']:.1f} ms"),
            _line("ratio pingyi / bare (target ≥ 0.5)", f"{ratio:.2f}"),
            _line("peak RSS", f"{rss_mib:.0f} MiB"),
            line_counts(),
        ]
    )


def _report_evaluator(
    quiet: list[dict[str, float]], busy: list[dict[str, float]], rate: float
) -> str:
    """The paced runs: each round's figures, then the medians' difference."""
    without = statistics.median(run["p99_ms"] for run in quiet)
    with_ = statistics.median(run["p99_ms"] for run in busy)
    rounds = [
        _line(
            f"round {n}: p50 / p99, loop lag p99",
            f"{q['p50_ms']:.1f} / {q['p99_ms']:.1f}, {q['lag_p99_ms']:.1f} ms  |  "
            f"{b['p50_ms']:.1f} / {b['p99_ms']:.1f}, {b['lag_p99_ms']:.1f} ms",
        )
        for n, (q, b) in enumerate(zip(quiet, busy, strict=True), start=1)
    ]
    asked = [
        _line(
            f"/{what}: replies, p50 / max",
            f"{sum(b[f'{what}_n'] for b in busy):.0f}, "
            f"{statistics.median(b[f'{what}_p50_ms'] for b in busy):.0f} ms / "
            f"{max(b[f'{what}_max_ms'] for b in busy):.0f} ms",
        )
        for what in ("chart", "export")
    ]
    return "\n".join(
        [
            f"citizens arriving {rate:.0f} / s (half the rate above): quiet  |  with an "
            f"evaluator asking /chart and /export every {EVERY:g} s; {len(quiet)} rounds",
            *rounds,
            _line("event-loop lag p50 / p99 / max", f"{_lag(quiet[-1])}  |  {_lag(busy[-1])}"),
            *asked,
            _line("citizens' p99 without / with (median)", f"{without:.1f} ms / {with_:.1f} ms"),
            _line("evaluator adds to p99 (target ≤ 20)", f"{with_ - without:+.1f} ms"),
        ]
    )


def _line(key: str, value: str) -> str:
    """One figure of a report, its label padded."""
    return f"  {key:<44}{value}"


def _lag(figures: dict[str, float]) -> str:
    return (
        f"{figures['lag_p50_ms']:.1f} ms / {figures['lag_p99_ms']:.1f} ms / "
        f"{figures['lag_max_ms']:.1f} ms"
    )


async def main() -> None:
    """Parse arguments, run the measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--database", default=None, help="database URL (default: SQLite files)")
    parser.add_argument("--flood", action="store_true", help="measure flood control instead")
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram")
    args = parser.parse_args()
    if args.framework == "ptb":
        await main_ptb(args.citizens, args.database)
        return
    if args.flood:
        await main_flood(args.citizens, args.database)
        return
    with tempfile.TemporaryDirectory() as tmp:
        # A fresh SQLite file per run; on a given database, new citizens for each run.
        urls = iter(args.database or f"sqlite+aiosqlite:///{tmp}/bench-{n}.db" for n in ROUNDS)
        bare = await measure_bare(args.citizens)
        first = next(urls)
        mine = await measure_pingyi(args.citizens, first)
        # The evaluator's effect is measured below capacity: a saturated loop queues
        # every update behind hundreds of others, and its p99 is that queue.
        rate = mine["updates_per_s"] / 9 / 2
        # The report worker starts with the bot (ScoringService.start), before anyone asks.
        offload.start()
        await offload.off_loop(bool)  # returns once the worker is up
        quiet: list[dict[str, float]] = []
        busy: list[dict[str, float]] = []
        # Quiet and busy runs alternate, and medians are compared: one p99 on a shared
        # machine moves by more than the effect measured.
        for n in range(PAIRS):
            for runs, with_evaluator in ((quiet, False), (busy, True)):
                first_id = 10_000 + (1 + 2 * n + with_evaluator) * 1_000_000
                runs.append(
                    await measure_pingyi(
                        args.citizens,
                        next(urls),
                        rate=rate,
                        with_evaluator=with_evaluator,
                        first_id=first_id,
                    )
                )
    label = "SQLite (WAL, file)" if first.startswith("sqlite") else first.split("://")[0]
    print(_report(mine, bare, label))
    print(_report_evaluator(quiet, busy, rate))
    if any(run["stored"] != run["answers"] for run in (mine, *quiet, *busy)):
        raise SystemExit("answers were lost")


def _raw(update: Update) -> dict[str, Any]:
    """An update as the Bot API's JSON (what the inbox stores and the adapters are fed)."""
    return update.model_dump(mode="json", exclude_none=True, by_alias=True)


async def measure_pingyi_ptb(citizens: int, url: str) -> dict[str, float]:
    """The citizens through pingyi on python-telegram-bot, all at once."""
    from bench.ptb_local import LocalRequest, drive
    from bot.telegram.ptb.frontend import PtbFrontend

    async with open_services(url, Path("survey_defs"), FixedClock.on_day(DAY)) as services:
        front = PtbFrontend("42:bench", "http://local", services, LocalRequest())
        front.gate.flood = unhurried()  # the simulated citizens tap at machine speed
        unit_ids = _unit_ids(services)
        streams = [
            [_raw(u) for u in citizen_updates(10_000 + n, unit_ids[n % len(unit_ids)])]
            for n in range(citizens)
        ]
        await front.application.initialize()
        try:
            async with probing() as lag:
                seconds, latencies = await drive(front.feed, streams)
        finally:
            await front.application.shutdown()
        stored = await _count_answers(services)
        batches, jobs = services.db.writer.batches, services.db.writer.jobs
    updates = sum(len(s) for s in streams)
    return {
        "seconds": seconds, "updates": updates, "answers": citizens * ITEMS, "stored": stored,
        "updates_per_s": updates / seconds, "answers_per_s": stored / seconds,
        "p50_ms": _pct(latencies, 50), "p99_ms": _pct(latencies, 99),
        "transactions": batches, "units_of_work": jobs,
        "lag_p50_ms": _pct(lag.samples, 50), "lag_p99_ms": _pct(lag.samples, 99),
        "lag_max_ms": _pct(lag.samples, 100),
    }  # fmt: skip


async def main_ptb(citizens: int, database: str | None) -> None:
    """pingyi on python-telegram-bot and a bare PTB Application, in the same run."""
    from bench.ptb_local import measure_bare as measure_bare_ptb

    with tempfile.TemporaryDirectory() as tmp:
        url = database or f"sqlite+aiosqlite:///{tmp}/bench-ptb.db"
        streams = [[_raw(u) for u in citizen_updates(10_000 + n, 1)] for n in range(citizens)]
        seconds, latencies = await measure_bare_ptb(streams)
        bare = {
            "updates_per_s": sum(len(s) for s in streams) / seconds,
            "p50_ms": _pct(latencies, 50),
            "p99_ms": _pct(latencies, 99),
        }
        mine = await measure_pingyi_ptb(citizens, url)
    label = "SQLite (WAL, file)" if url.startswith("sqlite") else url.split("://")[0]
    print(_report(mine, bare, label + ", python-telegram-bot", bare_name="ptb"))
    if mine["stored"] != mine["answers"]:
        raise SystemExit("answers were lost")


def line_counts() -> str:
    """Lines of the shared part and of each adapter (bot/telegram/*/)."""
    root = Path(__file__).resolve().parents[1] / "bot" / "telegram"
    parts = {
        name: sum(len(f.read_text().splitlines()) for f in (root / name).rglob("*.py"))
        for name in ("common", "aiogram", "ptb")
    }
    return "\n".join(_line(f"lines in bot/telegram/{name}/", str(n)) for name, n in parts.items())


async def main_flood(citizens: int, database: str | None) -> None:
    """Both flood runs (each on a fresh SQLite file unless a database is given)."""
    with tempfile.TemporaryDirectory() as tmp:
        calm = await measure_flood(citizens, database or f"sqlite+aiosqlite:///{tmp}/a.db", False)
        flooded = await measure_flood(citizens, database or f"sqlite+aiosqlite:///{tmp}/b.db", True)
    print(_flood_report(calm, flooded, citizens))
    if calm["stored"] != calm["answers"] or flooded["stored"] != flooded["answers"]:
        raise SystemExit("answers were lost")


if __name__ == "__main__":
    asyncio.run(main())
