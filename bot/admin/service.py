"""The admin engine in one place: phases, broadcasts, reminders, fairness.

Its background work is a ticker that queues reminders and phase-opening
notices into the outbox (started and stopped by the runtime: bot/app/services.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass

from bot.admin.compose import Composer
from bot.admin.fairness import Fairness
from bot.admin.phases import PhaseAction, PhaseBook
from bot.admin.reminders import Reminders
from bot.campaign.schema import Campaign, Phase
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.i18n import LOCALES, format_date, t
from bot.outbox.pacing import TokenBucket
from bot.outbox.queue import Outbox
from storage.admin import Audience, PhaseNotice, audience_size
from storage.outbox import Progress
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
        outbox: Outbox,
        settings: AdminSettings | None = None,
    ) -> None:
        """Wire the parts; call `load()` before use."""
        self.db, self.clock, self.registry, self.outbox = db, clock, registry, outbox
        self.phases = PhaseBook(clock)
        self.fairness = Fairness(clock)
        self.composer = Composer(db, clock, outbox)
        self._task: asyncio.Task[None] | None = None
        self.configure(settings or AdminSettings())

    def configure(self, settings: AdminSettings) -> None:
        """Apply settings (before `start()`): the outbox's rate, the reminder delays."""
        self.settings = settings
        if settings.broadcast_rate != self.outbox.bucket.rate:
            self.outbox.bucket = TokenBucket(settings.broadcast_rate)
        self.reminders = Reminders(
            self.registry,
            self.phases,
            self.outbox,
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
        return await audience_size(self.db, audience)

    async def start_draft(self, draft_id: int, status_chat: tuple[int, int]) -> Progress | None:
        """Send a composed draft to the audience of its preview; None if it is no draft."""
        draft = await self.composer.store.get(draft_id)
        if draft is None or not draft.audience or not draft.texts:
            return None
        audience = Audience.from_json(draft.audience)
        return await self.outbox.start_draft(draft_id, audience, status_chat)

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
        return await self.outbox.create(
            Audience("everyone"),
            texts,
            kind="phase_notice",
            actor=actor,
            selection=PhaseNotice(campaign.id, phase.id, self.clock.now()),
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

    def start(self) -> None:
        """Start the ticker (idempotent); the runtime runs the outbox itself."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._tick_loop(), name="admin-ticker")

    async def stop(self) -> None:
        """Stop the ticker."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _tick_loop(self) -> None:
        """Every `tick_every` seconds, queue what is due; a failed tick is retried at the next."""
        while True:
            await asyncio.sleep(self.settings.tick_every)
            try:
                await self.tick()
            except Exception:
                log.exception("admin tick failed")
