"""Start-up shared by `pingyi run` and `pingyi demo`: database, migrations, services."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.admin.service import AdminSettings
from bot.app.config import Settings
from bot.app.inbox import WorkerSettings
from bot.app.leader import Leadership, elected
from bot.app.services import Adapter, Services
from bot.bulletin.schedule import Schedule
from bot.campaign.loader import load_campaigns
from bot.complaints.service import Centre
from bot.core.clock import Clock, FixedClock, SystemClock
from storage.leases import Leases
from storage.migrate import upgrade_to_head
from storage.uow import Database


def clock_from(settings: Settings) -> Clock:
    """The real clock, or a fixed day when PINGYI_TODAY is set (rehearsals)."""
    if settings.clock_date:
        return FixedClock.on_day(dt.date.fromisoformat(settings.clock_date))
    return SystemClock()


def tune_gc() -> None:
    """Move everything alive after start-up out of the garbage collector's sight.

    Campaign definitions, aiogram's type machinery and the SQLAlchemy metadata
    live as long as the process; `gc.freeze()` stops every full collection from
    walking them again, which otherwise costs a busy bot a noticeable share of
    its time.  Young objects are collected after 50,000 allocations instead of
    700: a bot allocates thousands of short-lived objects per update (Telegram
    types, rows), and collecting that often only re-walks survivors in flight.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@asynccontextmanager
async def services_from(settings: Settings) -> AsyncIterator[Services]:
    """`open_services` configured from settings."""
    async with open_services(
        settings.database_url,
        settings.campaigns_dir,
        clock_from(settings),
        settings.default_locale,
        settings.admin_ids,
        Centre(frozenset(settings.complaint_centre_ids), settings.complaint_centre_chat_id),
    ) as services:
        services.admin.configure(admin_settings(settings))
        services.notice_every = settings.background_tick_seconds
        services.privacy.retention_days = settings.retention_days
        services.bulletins.schedule = Schedule.parse(settings.bulletin_schedule)
        yield services


@asynccontextmanager
async def background(services: Services, adapter: Adapter) -> AsyncIterator[Services]:
    """The services' background work (outbox, reminders, score refresh) for the block.

    Every entry point (`pingyi run`, the demo, benchmarks, test fixtures) runs
    the bot inside this, so nothing is left running when the block ends.
    """
    services.start(adapter)
    try:
        yield services
    finally:
        await services.stop()


def worker_settings(settings: Settings) -> WorkerSettings:
    """How inbox workers claim, from settings."""
    return WorkerSettings(
        concurrency=settings.worker_concurrency,
        lease=dt.timedelta(seconds=settings.inbox_lease_seconds),
        max_attempts=settings.inbox_max_attempts,
    )


@asynccontextmanager
async def background_once(services: Services, adapter: Adapter) -> AsyncIterator[Leadership]:
    """The background work, run by whichever process holds the background lease
    (`pingyi run`, with one or several workers: bot/app/leader.py)."""
    leases = Leases(services.db, SystemClock().now)
    leadership = Leadership(leases, lambda: services.start(adapter), services.stop)
    async with elected(leadership):
        yield leadership


def admin_settings(settings: Settings) -> AdminSettings:
    """The outbox's rate and the reminder delays, from settings."""
    return AdminSettings(
        broadcast_rate=settings.broadcast_rate,
        reminder_delay=dt.timedelta(hours=settings.reminder_delay_hours),
        reminder_before_close=dt.timedelta(hours=settings.reminder_before_close_hours),
        tick_every=settings.background_tick_seconds,
    )


@asynccontextmanager
async def open_services(
    database_url: str,
    campaigns_dir: Path,
    clock: Clock,
    default_locale: str = "zh-Hans",
    admin_ids: list[int] | tuple[int, ...] = (),
    centre: Centre | None = None,
) -> AsyncIterator[Services]:
    """Load the campaign files, migrate the database, start the writer, wire the services.

    Campaign files are checked first: a bad one stops start-up before anything is
    created or changed in the database.
    """
    campaigns = load_campaigns(campaigns_dir)
    await upgrade_to_head(database_url)
    db = Database(database_url)
    await db.start()
    try:
        services = await Services.build(db, clock, campaigns, default_locale, admin_ids, centre)
        tune_gc()
        yield services
    finally:
        await db.close()
