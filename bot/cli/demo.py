"""`pingyi demo`: rehearse a campaign offline, through the real bot stack.

A local Bot API server runs inside the process (real HTTP on 127.0.0.1), the
real aiogram bot polls it, and a few hundred simulated citizens — in the three
locales — find a unit (by paging or by typing part of its name), answer every
item with varied answers (some 不了解), leave a suggestion or skip it, and
submit.  Then the per-unit satisfaction per item and overall is printed, as a
campaign office would check its questionnaire before launch.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import random
import re
import shutil
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from bot.app.inbox import WorkerSettings
from bot.app.runtime import background, open_services
from bot.app.services import Services
from bot.app.webserver import BotServer, ServerSettings
from bot.campaign.loader import load_campaign
from bot.campaign.schema import Campaign, Component, Unit
from bot.core.clock import FixedClock
from bot.i18n import DEFAULT_LOCALE, format_date, normalize_locale, t
from bot.localapi import ChatMessage, LocalBotAPI, SimUser
from bot.scoring.counts import figure
from bot.scoring.format import format_pct
from bot.scoring.results import Figure
from bot.scoring.satisfaction import satisfaction_by_unit
from bot.survey.flow import LEVELS
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit, UnitsPage
from bot.telegram.common.flood import unhurried
from bot.telegram.common.frontend import Frontend
from bot.telegram.common.intake import dispatching, make_worker, polling_through_inbox
from bot.telegram.frontends import make_frontend

DEFAULT_CAMPAIGN = Path("survey_defs/changzhou-2011-safety.yaml")
WAIT = 30.0  # seconds a simulated citizen waits for a reply before giving up
LANGUAGES = (("zh-hans", 0.7), ("zh-tw", 0.1), ("zh-hk", 0.05), ("en", 0.15))
SUGGESTIONS = (
    "希望办事窗口延长午间服务时间。",
    "执法检查前能否提前告知需要准备的材料？",
    "网上公开的办事指南有些已经过时，请及时更新。",
    "工作人员态度很好，点赞！",
    "建议公开投诉处理结果 <及时反馈> & 接受监督。",  # markup-like text must arrive escaped
    "Please publish the inspection schedule online.",
)


@dataclass(frozen=True)
class Plan:
    """What one simulated citizen will do."""

    user_id: int
    language: str
    unit: Unit
    levels: list[int]  # an index into LEVELS per item
    suggestion: str | None
    search: bool  # type part of the unit's name instead of paging


async def run_demo(
    campaign_file: Path | None,
    respondents: int,
    seed: int,
    database: str | None,
    webhook_workers: int = 0,
    framework: str = "aiogram",
) -> str:
    """Run the rehearsal with the adapter `framework`; return the report to print.

    `webhook_workers` > 0: updates come by webhook (the local server POSTs them like
    Telegram) and that many inbox workers claim them concurrently; else by polling.
    """
    campaign = load_campaign(campaign_file or DEFAULT_CAMPAIGN)
    component, day = rehearsal_target(campaign)
    with tempfile.TemporaryDirectory(prefix="pingyi-demo-") as tmp:
        campaigns_dir = _campaign_folder(Path(tmp), campaign_file or DEFAULT_CAMPAIGN)
        url = database or f"sqlite+aiosqlite:///{tmp}/demo.db"
        clock = FixedClock.on_day(day)
        async with LocalBotAPI() as api, open_services(url, campaigns_dir, clock) as services:
            plans = make_plans(campaign, component, respondents, random.Random(seed))
            started = time.perf_counter()
            finished = await _run_citizens(
                api, services, campaign, component, plans, webhook_workers, framework
            )
            elapsed = time.perf_counter() - started
            return await report(services, campaign, component, day, plans, finished, elapsed, url)


def _campaign_folder(tmp: Path, campaign_file: Path) -> Path:
    """A folder holding only the rehearsed campaign, so nothing else is loaded."""
    folder = tmp / "campaigns"
    folder.mkdir()
    shutil.copy(campaign_file, folder / "campaign.yaml")
    return folder


def rehearsal_target(campaign: Campaign) -> tuple[Component, dt.date]:
    """The first survey component open to the public, and a day inside its phase."""
    public = campaign.public_category().id
    for component in campaign.survey_components():
        if component.categories is None or public in component.categories:
            assert component.phase is not None
            phase = campaign.phase(component.phase)
            return component, phase.start + (phase.end - phase.start) / 2
    raise ValueError(f"{campaign.id}: no survey component is open to the public category")


def make_plans(
    campaign: Campaign, component: Component, count: int, rng: random.Random
) -> list[Plan]:
    """Varied citizens: each unit gets its own quality, so the units come out different."""
    units = campaign.units_for(component)
    quality = {u.id: rng.uniform(0.35, 0.95) for u in units}
    plans = []
    for n in range(count):
        unit = rng.choice(units)
        language = rng.choices([code for code, _ in LANGUAGES], [w for _, w in LANGUAGES])[0]
        asked = campaign.questionnaire_for(component).items
        levels = [_level(quality[unit.id], rng) for _ in asked]
        wants = campaign.questionnaire.suggestion is not None and rng.random() < 0.3
        plans.append(
            Plan(
                900_000 + n,
                language,
                unit,
                levels,
                rng.choice(SUGGESTIONS) if wants else None,
                rng.random() < 0.5,
            )
        )
    return plans


def _level(quality: float, rng: random.Random) -> int:
    """A level index: 不了解 sometimes, otherwise better levels for better units."""
    if rng.random() < 0.08:
        return LEVELS.index(LEVELS[-1])  # 不了解
    weights = [quality**2, quality * (1 - quality) * 2, (1 - quality) * 0.8, (1 - quality) ** 2]
    return rng.choices(range(4), weights)[0]


async def _run_citizens(
    api: LocalBotAPI,
    services: Services,
    campaign: Campaign,
    component: Component,
    plans: list[Plan],
    webhook_workers: int = 0,
    framework: str = "aiogram",
) -> int:
    """Run the real bot while every citizen works through the questionnaire."""
    front = make_frontend(framework, api.token, api.base_url, services)
    front.gate.flood = unhurried()  # simulated citizens tap at machine speed
    intake = _webhook(front, services, webhook_workers) if webhook_workers else None
    async with background(services, front.sender), intake or _polling(front, services, api):
        done = await asyncio.gather(
            *(
                Citizen(
                    api.user(
                        p.user_id, first_name=f"市民{p.user_id % 1000}", language_code=p.language
                    ),
                    p,
                    services,
                    campaign,
                    component,
                ).run()
                for p in plans
            ),
            return_exceptions=True,
        )
    await front.close()
    return sum(1 for d in done if d is True)


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


class Citizen:
    """A simulated citizen who answers one questionnaire like a person would."""

    def __init__(
        self,
        user: SimUser,
        plan: Plan,
        services: Services,
        campaign: Campaign,
        component: Component,
    ) -> None:
        """Act as `user`, following `plan`."""
        self.user, self.plan, self.campaign, self.component = user, plan, campaign, component
        self.unit_id = services.registry.unit_id(campaign, plan.unit)

    async def run(self) -> bool:
        """Start, choose the unit, answer, maybe suggest, submit; True when thanked."""
        user = self.user
        await user.send_text("/start")
        await user.wait_for(timeout=WAIT)
        await user.send_text("/survey")
        picker = await user.wait_for(timeout=WAIT)
        question = await self._choose_unit(picker)
        for index, level in enumerate(self.plan.levels):
            data = AnswerItem(unit=self.unit_id, comp=self.component.id, item=index, level=level)
            await user.press(question, data.pack())
            question = await user.wait_for(timeout=WAIT)
        if self.campaign.questionnaire.suggestion is not None:
            question = await self._suggest(question)
        await user.press(question, self._nav("submit"))
        thanks = await user.wait_for(timeout=WAIT)
        return self.plan.unit.name.get(_locale(self.plan.language)) in thanks.plain_text

    async def _choose_unit(self, picker: ChatMessage) -> ChatMessage:
        wanted = PickUnit(unit=self.unit_id, comp=self.component.id).pack()
        if self.plan.search and wanted not in _data(picker):
            name = self.plan.unit.name.get(_locale(self.plan.language))
            await self.user.send_text(name[:4])
            picker = await self.user.wait_for(timeout=WAIT)
        while wanted not in _data(picker):
            nxt = [d for d in _data(picker) if d.startswith(UnitsPage.__prefix__ + ":")][-1]
            await self.user.press(picker, nxt)
            picker = await self.user.wait_for(timeout=WAIT)
        await self.user.press(picker, wanted)
        return await self.user.wait_for(timeout=WAIT)

    async def _suggest(self, prompt: ChatMessage) -> ChatMessage:
        if self.plan.suggestion is None:
            await self.user.press(prompt, self._nav("skip"))
        else:
            await self.user.send_text(self.plan.suggestion)
        return await self.user.wait_for(timeout=WAIT)

    def _nav(self, action: str) -> str:
        return Navigate(unit=self.unit_id, comp=self.component.id, action=action).pack()


def _data(message: ChatMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def _locale(language_code: str) -> str:
    return normalize_locale(language_code)


async def report(
    services: Services,
    campaign: Campaign,
    component: Component,
    day: dt.date,
    plans: list[Plan],
    finished: int,
    elapsed: float,
    url: str,
) -> str:
    """The rehearsal's figures: per unit, satisfaction per item and overall."""
    loc = DEFAULT_LOCALE
    async with services.db.unit_of_work() as uow:
        by_unit = await satisfaction_by_unit(uow, campaign.id, component.id)
    items = campaign.questionnaire_for(component).items
    header = [
        t(loc, "report.unit"),
        *(i.text.get(loc) for i in items),
        t(loc, "report.overall"),
        t(loc, "report.people"),
        t(loc, "report.valid"),
        t(loc, "report.dont_know"),
    ]
    rows = [header]
    totals: Counter[str] = Counter()
    people = 0
    for unit in campaign.units_for(component):
        stats = by_unit.get(services.registry.unit_id(campaign, unit))
        if stats is None:
            rows.append([unit.name.get(loc), *("—" for _ in items), "—", "0", "0", "0"])
            continue
        totals.update(stats.overall.counts)
        people += stats.people
        rows.append(
            [
                unit.name.get(loc),
                *(format_pct(_item(stats.items, i.id)) for i in items),
                format_pct(stats.overall.satisfaction),
                str(stats.people),
                str(stats.overall.valid),
                str(stats.overall.dont_know),
            ]
        )
    total = figure(totals, None)
    lines = [
        t(
            loc,
            "report.title",
            campaign=campaign.name.get(loc),
            component=component.name.get(loc),
            day=format_date(loc, day),
        ),
        t(
            loc,
            "report.run",
            citizens=len(plans),
            finished=finished,
            seconds=f"{elapsed:.1f}",
            suggestions=sum(1 for p in plans if p.suggestion),
            database="SQLite" if url.startswith("sqlite") else url.split(":")[0],
        ),
        "",
        *_table(rows),
        "",
        t(
            loc,
            "report.total",
            satisfaction=format_pct(total.satisfaction),
            people=people,
            valid=total.valid,
            dont_know=total.dont_know,
        ),
        t(loc, "report.sample", minimum=campaign.rules.minimum_sample),
        t(loc, "report.rescaled"),
    ]
    return "\n".join(_plain(line) for line in lines)


def _item(figures: dict[str, Figure], item: str) -> Decimal | None:
    """One item's satisfaction (None if nobody answered it)."""
    found = figures.get(item)
    return None if found is None else found.satisfaction


def _plain(text: str) -> str:
    """Translations are Telegram HTML; a terminal wants none of it."""
    return html.unescape(re.sub(r"</?[a-z]+>", "", text))


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(_width(row[c]) for row in rows) for c in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
