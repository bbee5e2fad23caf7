"""Survey throughput: simulated citizens through the real Dispatcher, vs a bare one.

Run:  .venv/bin/python -m bench.survey_throughput [--citizens 1000] [--database URL]
      .venv/bin/python -m bench.survey_throughput --flood [--citizens 200]

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
table is counted to make sure every one of them is there.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram.types import CallbackQuery, Chat, Message, Update, User
from sqlalchemy import func, select

from bench.local_session import LocalSession, reply_times
from bot.app.runtime import open_services, tune_gc
from bot.app.services import Services
from bot.core.clock import FixedClock
from bot.telegram.app import make_dispatcher
from bot.telegram.callbacks import AnswerItem, Navigate, PickUnit
from bot.telegram.flood import unhurried
from bot.telegram.middlewares import gate_of
from storage.models import Answer

CAMPAIGN = "changzhou-2011-safety"
COMPONENT = "questionnaire"
DAY = dt.date(2011, 8, 1)
ITEMS = 5
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


async def drive(dp: Dispatcher, bot: Bot, streams: list[list[Update]]) -> tuple[float, list[float]]:
    """Feed every citizen's updates (citizens concurrently); return seconds and latencies."""
    latencies: list[float] = []

    async def citizen(updates: list[Update]) -> None:
        for update in updates:
            times: list[float] = []
            reply_times.set(times)
            start = time.perf_counter()
            await dp.feed_update(bot, update)
            latencies.append((times[0] if times else time.perf_counter()) - start)

    start = time.perf_counter()
    await asyncio.gather(*(citizen(s) for s in streams))
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


async def measure_pingyi(citizens: int, url: str) -> dict[str, float]:
    """Run the citizens through pingyi's dispatcher; return its figures."""
    clock = FixedClock.on_day(DAY)
    async with open_services(url, Path("survey_defs"), clock) as services:
        dp = make_dispatcher(services)
        gate_of(dp).flood = unhurried()  # the simulated citizens tap at machine speed
        bot = Bot("42:bench", session=LocalSession())
        unit_ids = _unit_ids(services)
        streams = [
            citizen_updates(10_000 + n, unit_ids[n % len(unit_ids)]) for n in range(citizens)
        ]
        seconds, latencies = await drive(dp, bot, streams)
        stored = await _count_answers(services)
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
    line: Callable[[str, str], str] = lambda k, v: f"  {k:<44}{v}"  # noqa: E731
    return "\n".join(
        [
            f"flood control — {citizens} citizens, one update per {PACE} s each",
            line(
                "citizens' p50 / p99, nobody flooding",
                f"{calm['p50_ms']:.1f} ms / {calm['p99_ms']:.1f} ms",
            ),
            line(
                f"citizens' p50 / p99, one account at {FLOOD_RATE:.0f}/s",
                f"{flooded['p50_ms']:.1f} ms / {flooded['p99_ms']:.1f} ms",
            ),
            line(
                "flooder's updates / dropped by the gate",
                f"{flooded['flooded']:.0f} / {flooded['dropped']:.0f}",
            ),
            line(
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


def _report(mine: dict[str, float], bare: dict[str, float], label: str) -> str:
    ratio = mine["updates_per_s"] / bare["updates_per_s"]
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    line: Callable[[str, str], str] = lambda k, v: f"  {k:<34}{v}"  # noqa: E731
    return "\n".join(
        [
            f"survey throughput — {label}",
            line("citizens × updates", f"{mine['updates'] / 9:.0f} × 9 = {mine['updates']:.0f}"),
            line("durable answers", f"{mine['stored']:.0f} of {mine['answers']:.0f}"),
            line("durable answers / s", f"{mine['answers_per_s']:.0f}"),
            line("pingyi updates / s", f"{mine['updates_per_s']:.0f}"),
            line("update → reply p50 / p99", f"{mine['p50_ms']:.1f} ms / {mine['p99_ms']:.1f} ms"),
            line(
                "transactions for units of work",
                f"{mine['transactions']:.0f} for {mine['units_of_work']:.0f}",
            ),
            line("bare aiogram updates / s", f"{bare['updates_per_s']:.0f}"),
            line("bare p50 / p99", f"{bare['p50_ms']:.1f} ms / {bare['p99_ms']:.1f} ms"),
            line("ratio pingyi / bare (target ≥ 0.5)", f"{ratio:.2f}"),
            line("peak RSS", f"{rss_mib:.0f} MiB"),
        ]
    )


async def main() -> None:
    """Parse arguments, run both measurements, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0] if __doc__ else None)
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--database", default=None, help="database URL (default: SQLite file)")
    parser.add_argument("--flood", action="store_true", help="measure flood control instead")
    args = parser.parse_args()
    if args.flood:
        await main_flood(args.citizens, args.database)
        return
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite+aiosqlite:///{tmp}/bench.db"
        bare = await measure_bare(args.citizens)
        mine = await measure_pingyi(args.citizens, url)
    label = "SQLite (WAL, file)" if url.startswith("sqlite") else url.split("://")[0]
    print(_report(mine, bare, label))
    if mine["stored"] != mine["answers"]:
        raise SystemExit("answers were lost")


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
