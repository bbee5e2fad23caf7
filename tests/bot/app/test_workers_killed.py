"""The core guarantee with several workers: three `pingyi run --webhook` processes on
PostgreSQL, the local Bot API server POSTing updates to them as Telegram does, 200
simulated citizens answering the questionnaire at a human pace — and one worker killed
with SIGKILL at a random moment, three times (the first time the background leader),
each time started again.

Afterwards: no answer lost or doubled, each person's updates handled in the order they
were sent, every update the server saw acknowledged was handled, and the questionnaire
reminders (a due item each, decided and sent by whichever process leads the background
jobs) went out once per person they were due to.

A citizen behaves like a person: they wait for the bot's answer, and when none comes
(the killed worker had committed an answer but not yet sent its reply: a reply is at
most once) they send /survey, which shows where they were, and carry on from there.

Every wait is bounded (`WAIT` per phase, generous: the time is spent only on a slow
machine).  PINGYI_CHAOS_CITIZENS and PINGYI_CHAOS_WAIT change the size and the bound.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import random
import re
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.admin.reminders import reminder_texts
from bot.app.runtime import open_services
from bot.campaign.loader import load_campaign
from bot.campaign.schema import Campaign, Component, Unit
from bot.core.clock import SystemClock
from bot.i18n import t
from bot.localapi import ChatMessage, LocalBotAPI, SimUser, parse_html
from bot.survey.flow import LEVELS
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit, UnitsPage
from storage.models import (
    Answer,
    BroadcastJob,
    BroadcastRecipient,
    InboxUpdate,
    Lease,
    ProcessedUpdate,
    Submission,
)
from storage.uow import Database
from tests.bot.test_cli import TOKEN
from tests.storage.conftest import POSTGRES_SKIP, POSTGRES_URL, reset_postgres

ROOT = Path(__file__).resolve().parents[3]
CAMPAIGN = ROOT / "survey_defs" / "changzhou-2011-safety.yaml"
REHEARSED = dt.date(2011, 8, 1)  # inside the questionnaire phase, no phase just opened
CITIZENS = int(os.environ.get("PINGYI_CHAOS_CITIZENS", "200"))
DAWDLERS = CITIZENS // 10  # stop half-way until reminded
WORKERS = 3
KILLS = 3
LEASE = 3  # seconds: a dead worker's updates are taken over this soon
REMINDER_AFTER = 0.004  # hours (about 14 s): reminders fall due during the run
QUIET = 30.0  # seconds without the awaited reply before a citizen sends /survey
WAIT = float(
    os.environ.get("PINGYI_CHAOS_WAIT", "240")
)  # seconds any whole phase of the test may take (busy machine)
EN = "en"

pytestmark = pytest.mark.skipif(not POSTGRES_URL, reason=POSTGRES_SKIP)


def campaign_today(folder: Path) -> Path:
    """The Changzhou campaign with every date moved so that today is 1 August 2011: the
    workers run on the real clock (leases, reminders and handling times are real)."""
    shift = dt.date.today() - REHEARSED

    def moved(match: re.Match[str]) -> str:
        return (dt.date.fromisoformat(match.group(1)) + shift).isoformat()

    text = re.sub(r"(?<![\d-])(\d{4}-\d{2}-\d{2})(?![\d-])", moved, CAMPAIGN.read_text())
    folder.mkdir()
    (folder / "campaign.yaml").write_text(text)
    return folder


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Workers:
    """The worker processes, by index; each one's output appended to a log file."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        """Nothing runs yet."""
        self.env, self.logs = env, logs
        self.procs: dict[int, asyncio.subprocess.Process] = {}

    async def start(self, index: int) -> None:
        """`pingyi run --webhook` as worker `index` (index 0 registers the webhook)."""
        env = {**self.env, "PINGYI_WORKER_INDEX": str(index)}
        with (self.logs / f"worker-{index}.log").open("ab") as out:
            self.procs[index] = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", "--webhook", cwd=str(ROOT), env=env,
                stdout=out, stderr=out,
            )  # fmt: skip

    async def ready(self, index: int) -> None:
        """Wait (bounded) until worker `index`'s latest process serves the webhook."""
        proc, log = self.procs[index], self.logs / f"worker-{index}.log"
        mark = f":{proc.pid} serves the webhook".encode()
        async with asyncio.timeout(WAIT):
            while mark not in log.read_bytes():
                assert proc.returncode is None, f"worker {index} stopped: see {log}"
                await asyncio.sleep(0.1)

    async def kill(self, index: int) -> None:
        """SIGKILL: no clean stop, leases left to expire, requests cut off."""
        proc = self.procs[index]
        proc.send_signal(signal.SIGKILL)
        await proc.wait()

    def exited(self) -> bool:
        """Whether a worker ended by itself."""
        return any(p.returncode is not None for p in self.procs.values())

    def index_of(self, pid: int) -> int | None:
        """Which worker has this process id."""
        return next((i for i, p in self.procs.items() if p.pid == pid), None)

    async def stop(self) -> None:
        """SIGTERM to every one still running, and wait (bounded)."""
        alive = [p for p in self.procs.values() if p.returncode is None]
        for proc in alive:
            proc.send_signal(signal.SIGTERM)
        for proc in alive:
            try:
                async with asyncio.timeout(60):
                    await proc.wait()
            except TimeoutError:
                proc.kill()
                await proc.wait()


@contextlib.asynccontextmanager
async def workers(env: dict[str, str], logs: Path) -> AsyncIterator[Workers]:
    """WORKERS processes for the block; stopped cleanly afterwards."""
    group = Workers(env, logs)
    try:
        for index in range(WORKERS):
            await group.start(index)
        yield group
    finally:
        await group.stop()


@dataclass
class Plan:
    """What one citizen will do."""

    user_id: int
    unit: Unit
    levels: list[int]
    dawdles: bool
    think: tuple[float, float] = (0.3, 0.9)


@dataclass
class Citizen:
    """A person answering the questionnaire through their chat with the bot."""

    user: SimUser
    plan: Plan
    unit_id: int
    component: Component
    reminder: str  # the reminder's text as shown
    rng: random.Random
    sent: list[int] = field(default_factory=list)  # update ids, in the order sent
    resends: int = 0
    done: bool = False

    async def run(self) -> None:
        """/start, /survey, then act on whatever screen the bot shows until thanked."""
        await self._send("/start")
        with contextlib.suppress(TimeoutError):
            await self.user.wait_for(timeout=QUIET)
        await self._send("/survey")
        dawdled = False
        while not self.done:
            try:
                screen = await self.user.wait_for(self._relevant, timeout=QUIET)
            except TimeoutError:  # the reply was lost with a killed worker, or was a toast
                if self._already_rated():
                    return
                self.resends += 1
                await self._send("/survey")  # shows where the person was
                continue
            if self._thanked(screen):
                self.done = True
                return
            if self.plan.dawdles and not dawdled and self._on_item(screen) == 3:
                dawdled = True
                with contextlib.suppress(TimeoutError):
                    await self.user.wait_for(lambda m: self.reminder in m.plain_text, WAIT / 2)
                screen = self._latest_screen() or screen
            await self._act(screen)

    async def _act(self, screen: ChatMessage) -> None:
        """Press what the plan says on this screen."""
        await asyncio.sleep(self.rng.uniform(*self.plan.think))  # a person reads, then taps
        data = _data(screen)
        comp = self.component.id
        for action in ("submit", "skip"):
            nav = Navigate(unit=self.unit_id, comp=comp, action=action).pack()
            if nav in data:
                return await self._press(screen, nav)
        item = self._on_item(screen)
        if item is not None:
            level = self.plan.levels[item]
            answer = AnswerItem(unit=self.unit_id, comp=comp, item=item, level=level).pack()
            return await self._press(screen, answer)
        pick = PickUnit(unit=self.unit_id, comp=comp).pack()
        if pick in data:
            return await self._press(screen, pick)
        pages = [d for d in data if d.startswith(UnitsPage.__prefix__ + ":")]
        await self._press(screen, pages[-1])

    def _on_item(self, screen: ChatMessage) -> int | None:
        """The item a question screen asks (None: not a question)."""
        items = {
            AnswerItem.unpack(d).item for d in _data(screen) if d.startswith(AnswerItem.__prefix__)
        }
        return min(items) if len(items) == 1 else None

    def _relevant(self, message: ChatMessage) -> bool:
        """A screen of the questionnaire, or its thanks (not a reminder, not a toast)."""
        prefixes = tuple(p.__prefix__ + ":" for p in (AnswerItem, Navigate, PickUnit, UnitsPage))
        return self._thanked(message) or any(d.startswith(prefixes) for d in _data(message))

    def _latest_screen(self) -> ChatMessage | None:
        """The newest questionnaire screen in the chat."""
        screens = [m for m in self.user.messages if self._relevant(m)]
        return max(screens, key=lambda m: m.version, default=None)

    def _thanked(self, message: ChatMessage) -> bool:
        return _plain(t(EN, "survey.thanks", unit=self.plan.unit.name.get(EN))) in (
            message.plain_text
        )

    def _already_rated(self) -> bool:
        said = _plain(t(EN, "survey.already_rated", unit=self.plan.unit.name.get(EN)))
        self.done = any(said in toast for toast in self.user.toasts)
        return self.done

    async def _send(self, text: str) -> None:
        self.sent.append(await self.user.send_text(text))

    async def _press(self, screen: ChatMessage, data: str) -> None:
        self.sent.append(await self.user.press(screen, data))


def _data(message: ChatMessage) -> list[str]:
    return [data for row in message.buttons for _, data in row if data]


def _plain(html: str) -> str:
    """Telegram HTML as the reader sees it."""
    return parse_html(html).text


def plans(campaign: Campaign, component: Component, rng: random.Random) -> list[Plan]:
    """CITIZENS people, each a unit and an answer per item; the first DAWDLERS pause."""
    units = campaign.units_for(component)
    items = campaign.questionnaire_for(component).items
    return [
        Plan(
            800_000 + n,
            rng.choice(units),
            [rng.randrange(len(LEVELS)) for _ in items],
            n < DAWDLERS,
        )
        for n in range(CITIZENS)
    ]


async def until(check: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    """Wait (bounded) until `check()` holds."""
    try:
        async with asyncio.timeout(timeout):
            while not check():  # noqa: ASYNC110 (polling the test's own state)
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise TimeoutError(what) from None


async def leader_pid(db: Database) -> int | None:
    """The process id holding the background lease ("host:pid"), if any holds it."""
    async with db.sessions() as session:
        lease = await session.get(Lease, "background")
    if lease is None or lease.until < SystemClock().now():
        return None
    pid = lease.holder.rpartition(":")[2]
    return int(pid) if pid.isdigit() else None


async def chaos(
    group: Workers, db: Database, citizens: list[Citizen], rng: random.Random, kills: list[int]
) -> None:
    """Kill a worker KILLS times as the run progresses — the leader first — and restart it."""
    expected = CITIZENS * 12  # about a dozen updates a citizen
    for n, share in enumerate((0.1, 0.3, 0.5)):
        await until(lambda s=share: sum(len(c.sent) for c in citizens) >= expected * s, "progress")
        await asyncio.sleep(rng.uniform(0, 1.0))  # a random moment, not a round number
        victim = None
        if n == 0:  # the background leader: its jobs must move to another process
            pid = await leader_pid(db)
            victim = group.index_of(pid) if pid is not None else None
        if victim is None:
            victim = rng.randrange(WORKERS)
        await group.kill(victim)
        kills.append(victim)
        await group.start(victim)
        await group.ready(victim)  # back before the next kill: never all of them down


@pytest.mark.timeout(1800)
async def test_three_workers_one_killed_three_times_lose_and_repeat_nothing(
    tmp_path: Path,
) -> None:
    await reset_postgres(POSTGRES_URL)
    folder = campaign_today(tmp_path / "campaigns")
    campaign = load_campaign(folder / "campaign.yaml")
    component = campaign.component("questionnaire")
    phase = campaign.phase("questionnaire")
    reminder = _plain(reminder_texts(campaign, phase, "delay")[EN])
    rng = random.Random(20111)
    # Migrate and register the campaign once, before three processes start at once.
    async with open_services(POSTGRES_URL, folder, SystemClock()) as services:
        unit_ids = {u.id: services.registry.unit_id(campaign, u) for u in campaign.units}
    port = free_port()
    async with LocalBotAPI(TOKEN) as api:
        env = {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "CAMPAIGNS_DIR": str(folder),
            "DATABASE_URL": POSTGRES_URL,
            "BOT_TOKEN": api.token,
            "TELEGRAM_API_BASE": api.base_url,
            "WEBHOOK_URL": f"http://127.0.0.1:{port}",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_SECRET": "chaos-secret",
            "WEBHOOK_MAX_CONNECTIONS": "100",
            "INBOX_LEASE_SECONDS": str(LEASE),
            "REMINDER_DELAY_HOURS": str(REMINDER_AFTER),
            "BACKGROUND_TICK_SECONDS": "1",
        }
        db = Database(POSTGRES_URL)
        await db.start()
        kills: list[int] = []
        try:
            async with workers(env, tmp_path) as group:
                for index in range(WORKERS):
                    await group.ready(index)
                await until(lambda: api.webhook is not None, "the webhook registered")
                citizens = [
                    Citizen(
                        api.user(p.user_id, first_name=f"市民{p.user_id % 1000}", language_code=EN),
                        p,
                        unit_ids[p.unit.id],
                        component,
                        reminder,
                        random.Random(p.user_id),
                    )
                    for p in plans(campaign, component, rng)
                ]
                killer = asyncio.create_task(chaos(group, db, citizens, rng, kills))
                try:
                    async with asyncio.timeout(WAIT):
                        await asyncio.gather(*(_arrive(c, rng.uniform(0, 8)) for c in citizens))
                except TimeoutError:
                    finished = sum(c.done for c in citizens)
                    sent = sum(len(c.sent) for c in citizens)
                    stuck = next(c for c in citizens if not c.done)
                    raise AssertionError(
                        f"after {WAIT:.0f} s, {finished} of {CITIZENS} citizens done, "
                        f"{sent} updates sent, kills {kills}; one still at it:\n"
                        + stuck.user.transcript()
                    ) from None
                await killer
                await until(lambda: api.updates.pending == 0, "every update acknowledged")
                await settled(db)
            await check(db, citizens, campaign, component, reminder, kills)
        finally:
            await db.close()


async def _arrive(citizen: Citizen, after: float) -> None:
    """Citizens come over a few seconds, not all at once."""
    await asyncio.sleep(after)
    await citizen.run()


async def settled(db: Database) -> None:
    """Wait (bounded) until the inbox is worked off and the outbox has nothing left."""
    inbox = select(InboxUpdate.update_id).where(InboxUpdate.state == "pending").limit(1)
    outbox = select(BroadcastRecipient.user_id).where(
        BroadcastRecipient.state.in_(("pending", "sending"))
    )
    async with asyncio.timeout(WAIT):
        while True:
            async with db.sessions() as session:
                waiting = (await session.execute(inbox)).first() or (
                    await session.execute(outbox.limit(1))
                ).first()
            if waiting is None:
                return
            await asyncio.sleep(0.2)


async def check(
    db: Database,
    citizens: list[Citizen],
    campaign: Campaign,
    component: Component,
    reminder: str,
    kills: list[int],
) -> None:
    """Nothing lost, nothing doubled, in order, reminders once."""
    assert len(kills) == KILLS
    assert all(c.done for c in citizens)
    items = [i.id for i in campaign.questionnaire_for(component).items]
    ids = [u for c in citizens for u in c.sent]
    async with db.sessions() as session:
        answers = (await session.execute(select(Answer))).scalars().all()
        submitted = (await session.execute(select(Submission))).scalars().all()
        handled = dict(
            (
                await session.execute(
                    select(ProcessedUpdate.update_id, ProcessedUpdate.processed_at)
                )
            ).all()
        )
        inbox = dict(
            (await session.execute(select(InboxUpdate.update_id, InboxUpdate.state))).tuples().all()
        )
        reminded = (
            await session.execute(
                select(BroadcastRecipient.user_id, BroadcastRecipient.state)
                .join(BroadcastJob, BroadcastJob.id == BroadcastRecipient.job_id)
                .where(BroadcastJob.kind == "reminder")
            )
        ).all()
    # Every answer, once, as the person gave it; every questionnaire submitted, once.
    given = {
        (c.plan.user_id, c.unit_id, items[i]): LEVELS[level].value
        for c in citizens
        for i, level in enumerate(c.plan.levels)
    }
    stored = {(a.respondent_id, a.unit_id, a.item): a.level for a in answers}
    assert len(answers) == len(stored) == len(given)
    assert stored == given
    assert sorted((s.respondent_id, s.status) for s in submitted) == sorted(
        (c.plan.user_id, "submitted") for c in citizens
    )
    # Every update the server saw acknowledged was handled (none parked, none waiting).
    assert all(inbox.get(u) == "done" for u in ids)
    assert all(u in handled for u in ids)
    # Each person's updates were handled in the order they were sent.
    for c in citizens:
        times = [handled[u] for u in c.sent]
        assert times == sorted(times), f"{c.plan.user_id}: handled out of order"
    # Each reminder due went out once: one decision per person, one message per decision
    # (a row "unknown" was on the wire when its sender was killed: at most once).
    per_person = [user for user, _ in reminded]
    assert len(per_person) == len(set(per_person))
    dawdlers = {c.plan.user_id for c in citizens if c.plan.dawdles}
    assert dawdlers <= set(per_person)
    states = dict(reminded)
    for c in citizens:
        got = sum(reminder in m.plain_text for m in c.user.messages)
        state = states.get(c.plan.user_id)
        assert got == (1 if state == "sent" else 0) or (state == "unknown" and got <= 1), (
            f"{c.plan.user_id}: {got} reminder(s), row {state}"
        )
