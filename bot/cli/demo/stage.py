"""The stage: a local Bot API server, the real bot (polling or webhook), the database and
a clock the rehearsal moves from phase to phase."""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import SecretStr

from bot.app.inbox import WorkerSettings
from bot.app.runtime import background, open_services
from bot.app.services import Services
from bot.app.webserver import BotServer, ServerSettings
from bot.campaign.schema import Campaign
from bot.core.clock import FixedClock
from bot.localapi import LocalBotAPI
from bot.telegram.common.flood import unhurried
from bot.telegram.common.frontend import Frontend
from bot.telegram.common.intake import dispatching, make_worker, polling_through_inbox
from bot.telegram.frontends import make_frontend

EVALUATOR_ID = 800_001  # the 纠风办's evaluator, also the admin (and so the complaint centre)


@dataclass
class Stage:
    """What the rehearsal acts on."""

    api: LocalBotAPI
    services: Services
    campaign: Campaign
    clock: FixedClock

    def move_to(self, day: dt.date) -> None:
        """Set the clock to 10:00 China time on `day` (the bot reads phases from it)."""
        self.clock.set(dt.datetime(day.year, day.month, day.day, 10))

    def unit_id(self, code: str) -> int:
        """The database id of one of the campaign's units."""
        return self.services.registry.unit_ids[(self.campaign.id, code)]


def campaign_folder(tmp: Path, campaign_file: Path, minimum_sample: int | None) -> Path:
    """A folder holding only the rehearsed campaign, so nothing else is loaded; with
    `minimum_sample`, the copy carries that minimum instead of the file's."""
    folder = tmp / "campaigns"
    folder.mkdir()
    target = folder / "campaign.yaml"
    if minimum_sample is None:
        shutil.copy(campaign_file, target)
        return folder
    data = yaml.safe_load(campaign_file.read_text(encoding="utf-8"))
    data["rules"]["minimum_sample"] = minimum_sample
    target.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@contextlib.asynccontextmanager
async def running_bot(
    campaigns_dir: Path, url: str, clock: FixedClock, webhook_workers: int, framework: str
) -> AsyncIterator[tuple[LocalBotAPI, Services]]:
    """The local server and the real bot on it (adapter `framework`), as `pingyi run`
    starts it."""
    async with (
        LocalBotAPI() as api,
        open_services(url, campaigns_dir, clock, admin_ids=(EVALUATOR_ID,)) as services,
    ):
        front = make_frontend(framework, api.token, api.base_url, services)
        front.gate.flood = unhurried()  # simulated people tap at machine speed
        intake = _webhook(front, services, webhook_workers) if webhook_workers else None
        try:
            async with (
                background(services, front.sender),
                intake or _polling(front, services, api),
            ):
                yield api, services
        finally:
            await front.close()


@contextlib.asynccontextmanager
async def _polling(front: Frontend, services: Services, api: LocalBotAPI) -> AsyncIterator[None]:
    """Poll through the durable inbox, as `pingyi run` does."""
    async with polling_through_inbox(front, services.inbox, timeout=5):
        await api.wait_polling(timeout=10)
        yield


@contextlib.asynccontextmanager
async def _webhook(front: Frontend, services: Services, workers: int) -> AsyncIterator[None]:
    """Serve a webhook the local server POSTs to; `workers` inbox workers claim updates."""
    async with dispatching(front, services.inbox) as first:
        extra = [make_worker(front, services.inbox, WorkerSettings()) for _ in range(workers - 1)]
        for number, worker in enumerate(extra, start=2):
            worker.name = f"{worker.name}/{number}"
            worker.start()

        def wake() -> None:
            for worker in (first, *extra):
                worker.wake()

        secret = SecretStr("demo-secret")
        server = BotServer(services.inbox, wake, ServerSettings(port=0, secret=secret))
        await server.start()
        try:
            url = f"http://127.0.0.1:{server.port}/telegram"
            await front.set_webhook(url, secret.get_secret_value(), 100)
            yield
            await front.delete_webhook()
        finally:
            await server.stop()
            for worker in extra:
                await worker.stop()
