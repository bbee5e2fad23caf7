"""The admin engine in one place: phases, the broadcaster, reminders, fairness.

`background(sender)` is what the bot runs beside polling: the broadcaster,
and a ticker that queues reminders and phase-opening notices.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select

from bot.admin.audience import Audience, recipients
from bot.admin.broadcast import DRAFT, Broadcaster, Progress, Sender
from bot.admin.compose import Composer
from bot.admin.fairness import Fairness
from bot.admin.phases import PhaseAction, PhaseBook
from bot.admin.reminders import Reminders
from bot.campaign.schema import Campaign, Phase
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.i18n import LOCALES, format_date, t
from storage.models import BroadcastJob, PhaseNoticeMark
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

# A phase whose opening day passed while the bot was down still gets its notice
# for this many days; older openings are not announced late.
NOTICE_GRACE_DAYS = 2


@dataclass(frozen=True)
class AdminSettings:
    """Tunables (bot/app/config.py: BROADCAST_RATE, REMINDER_DELAY_HOURS, …)."""

    broadcast_rate: float = 25.0
    reminder_delay: dt.timedelta = dt.timedelta(hours=24)
    reminder_before_close: dt.timedelta = dt.timedelta(hours=24)
    tick_every: float = 60.0  # seconds between reminder / notice checks


class AdminService:
    """Phases, broadcasts, reminders and fairness over one database."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        registry: Registry,
        default_locale: str = "zh-Hans",
        settings: AdminSettings | None = None,
    ) -> None:
        """Wire the parts; call `load()` before use."""
        self.db, self.clock, self.registry = db, clock, registry
        self.default_locale = default_locale
        self.phases = PhaseBook(clock)
        self.fairness = Fairness(clock)
        self.configure(settings or AdminSettings())

    def configure(self, settings: AdminSettings) -> None:
        """Apply settings (before `background()` starts)."""
        self.settings = settings
        old = getattr(self, "broadcaster", None)
        self.broadcaster = Broadcaster(
            self.db, self.clock, rate=settings.broadcast_rate, default_locale=self.default_locale
        )
        if old is not None:  # hooks wired before configuration stay wired
            self.broadcaster.on_blocked.extend(old.on_blocked)
            self.broadcaster.on_progress.extend(old.on_progress)
        self.composer = Composer(self.db, self.clock, self.broadcaster)
        self.reminders = Reminders(
            self.registry,
            self.phases,
            self.broadcaster,
            self.clock,
            delay=settings.reminder_delay,
            before_close=settings.reminder_before_close,
        )

    async def load(self) -> None:
        """Read phase overrides (at start-up)."""
        await self.phases.load(self.db)
        await self.composer.load()

    async def count(self, audience: Audience) -> int:
        """How many people an audience reaches now (AudienceUnavailable if it cannot)."""
        async with self.db.unit_of_work() as uow:
            return await uow.session.run_sync(
                lambda session: len(recipients(session.connection(), audience))
            )

    async def start_draft(self, draft_id: int, status_chat: tuple[int, int]) -> Progress | None:
        """Send a composed draft to the audience of its preview; None if it is no draft."""
        async with self.db.unit_of_work() as uow:
            job = await uow.session.get(BroadcastJob, draft_id)
            if job is None or job.status != DRAFT or not job.audience or not job.texts:
                return None
            audience = Audience.from_json(dict(job.audience))
        return await self.broadcaster.start_draft(draft_id, audience, status_chat)

    # -- phases ----------------------------------------------------------------------------

    async def change_phase(
        self,
        uow: UnitOfWork,
        actor: int | None,
        campaign: Campaign,
        phase_id: str,
        action: PhaseAction,
        *,
        until: dt.date | None = None,
        reason: str = "",
    ) -> Phase:
        """Open/close/extend/reset a phase (audited); an opening sends the phase's notice."""
        phase = await self.phases.change(
            uow, actor, campaign, phase_id, action, until=until, reason=reason
        )
        if action is PhaseAction.OPEN:
            await self.announce(campaign, phase, actor)
        return phase

    async def announce(
        self, campaign: Campaign, phase: Phase, actor: int | None = None
    ) -> Progress | None:
        """Broadcast a phase's opening notice to everyone, once per phase ever."""
        now = self.clock.now()

        def choose(conn: Connection) -> list[tuple[int, str]]:
            done = conn.execute(
                select(PhaseNoticeMark.job_id).where(
                    PhaseNoticeMark.campaign_id == campaign.id,
                    PhaseNoticeMark.phase_id == phase.id,
                )
            ).first()
            if done is not None:
                return []
            return recipients(conn, Audience("everyone"))

        def mark(conn: Connection, job_id: int, _: list[tuple[int, str]]) -> None:
            conn.execute(
                insert(PhaseNoticeMark).values(
                    campaign_id=campaign.id, phase_id=phase.id, job_id=job_id, at=now
                )
            )

        texts = {
            loc: t(
                loc,
                "admin.phase.notice",
                campaign=campaign.name.get(loc),
                phase=phase.name.get(loc),
                start=format_date(loc, phase.start),
                end=format_date(loc, phase.end),
            )
            for loc in LOCALES
        }
        return await self.broadcaster.create(
            Audience("everyone"),
            texts,
            kind="phase_notice",
            actor=actor,
            choose=choose,
            extra=mark,
            skip_empty=True,
        )

    async def announce_openings(self) -> int:
        """Send the notice of every phase that opened (by date) in the last few days."""
        sent = 0
        for campaign in self.registry.campaigns.values():
            today = local_today(self.clock, campaign.timezone)
            for state in self.phases.states(campaign):
                phase = state.phase
                recent = today - dt.timedelta(days=NOTICE_GRACE_DAYS) <= phase.start
                if state.open_now and recent and await self.announce(campaign, phase):
                    sent += 1
        return sent

    # -- background ------------------------------------------------------------------------

    async def tick(self) -> None:
        """Queue what is due now: phase notices, then reminders."""
        await self.announce_openings()
        await self.reminders.tick()

    async def background(self, sender: Sender) -> None:
        """The broadcaster and the ticker, until cancelled (clean stop)."""
        sending = asyncio.create_task(self.broadcaster.run(sender), name="broadcaster")
        try:
            while True:
                await asyncio.sleep(self.settings.tick_every)
                try:
                    await self.tick()
                except Exception:  # a failed check is retried at the next tick
                    log.exception("admin tick failed")
                if sending.done():
                    sending.result()  # surface a crashed broadcaster
        finally:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
