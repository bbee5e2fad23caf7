"""Reminders to people who started a questionnaire and did not submit it.

Two per respondent and phase, each at most once, ever: one `delay` after they
started (the earliest unsubmitted draft counts), and one `before_close` the
phase's end.  Inside that last stretch only the closing one goes, so nobody gets
two reminders at once.  Deciding and queueing are one transaction: the reminder mark and
the broadcast recipient row are written together, so a restart can neither
lose a decided reminder (the outbox resumes it) nor decide it twice (the
mark's primary key).  Messages go out through the outbox.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.admin.phases import PhaseBook
from bot.campaign.schema import Campaign, Phase
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.i18n import LOCALES, format_date, t
from bot.outbox.queue import Outbox
from storage.admin import Audience, DueReminders

DELAY, CLOSING = "delay", "closing"


class Reminders:
    """Decides which reminders are due and queues them."""

    def __init__(
        self,
        registry: Registry,
        phases: PhaseBook,
        outbox: Outbox,
        clock: Clock,
        *,
        delay: dt.timedelta = dt.timedelta(hours=24),
        before_close: dt.timedelta = dt.timedelta(hours=24),
    ) -> None:
        """Remind `delay` after a start and `before_close` the end of a phase."""
        self.registry, self.phases, self.outbox, self.clock = registry, phases, outbox, clock
        self.delay, self.before_close = delay, before_close

    async def tick(self) -> int:
        """Queue every reminder due now; returns how many people were reminded."""
        queued = 0
        now = self.clock.now()
        for campaign in self.registry.campaigns.values():
            today = local_today(self.clock, campaign.timezone)
            by_phase: dict[str, list[str]] = {}
            for comp in campaign.survey_components():
                if comp.phase is not None:
                    by_phase.setdefault(comp.phase, []).append(comp.id)
            for phase_id, comps in by_phase.items():
                phase = self.phases.phase(campaign, phase_id)
                if not phase.start <= today <= phase.end:
                    continue
                # Close to the end, only the closing reminder goes (never two at once).
                if now >= closes_at(campaign, phase) - self.before_close:
                    queued += await self._queue(campaign, phase, comps, CLOSING, now)
                else:
                    queued += await self._queue(campaign, phase, comps, DELAY, now - self.delay)
        return queued

    async def _queue(
        self,
        campaign: Campaign,
        phase: Phase,
        comps: list[str],
        kind: str,
        started_before: dt.datetime,
    ) -> int:
        """One job for everyone due a `kind` reminder in this phase (marks in its transaction)."""
        selection = DueReminders(
            campaign.id, phase.id, tuple(comps), kind, started_before, self.clock.now()
        )
        progress = await self.outbox.create(
            Audience("started", campaign_id=campaign.id),
            reminder_texts(campaign, phase, kind),
            kind="reminder",
            selection=selection,
            skip_empty=True,
        )
        return progress.total if progress is not None else 0


def closes_at(campaign: Campaign, phase: Phase) -> dt.datetime:
    """The instant a phase closes: midnight after its last day, campaign time."""
    end = phase.end + dt.timedelta(days=1)
    return dt.datetime(end.year, end.month, end.day, tzinfo=ZoneInfo(campaign.timezone))


def reminder_texts(campaign: Campaign, phase: Phase, kind: str) -> dict[str, str]:
    """The reminder in every locale."""
    return {
        loc: t(
            loc,
            f"admin.reminder.{kind}",
            campaign=campaign.name.get(loc),
            phase=phase.name.get(loc),
            end=format_date(loc, phase.end),
        )
        for loc in LOCALES
    }
