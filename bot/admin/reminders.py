"""Reminders to people who started a questionnaire and did not submit it.

Two per respondent and phase, each at most once, ever: one `delay` after they
started (the earliest unsubmitted draft counts), and one `before_close` the
phase's end.  Inside that last stretch only the closing one goes, so nobody gets
two reminders at once.  Deciding and queueing are one transaction: the reminder mark and
the broadcast recipient row are written together, so a restart can neither
lose a decided reminder (the broadcaster resumes it) nor decide it twice (the
mark's primary key).  Messages go out through the broadcaster.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Select, and_, exists, insert, select

from bot.admin.audience import Audience
from bot.admin.broadcast import Broadcaster
from bot.admin.phases import PhaseBook
from bot.campaign.schema import Campaign, Phase
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.i18n import LOCALES, format_date, t
from storage.models import ReminderMark, Respondent, Submission

DELAY, CLOSING = "delay", "closing"


class Reminders:
    """Decides which reminders are due and queues them."""

    def __init__(
        self,
        registry: Registry,
        phases: PhaseBook,
        broadcaster: Broadcaster,
        clock: Clock,
        *,
        delay: dt.timedelta = dt.timedelta(hours=24),
        before_close: dt.timedelta = dt.timedelta(hours=24),
    ) -> None:
        """Remind `delay` after a start and `before_close` the end of a phase."""
        self.registry, self.phases, self.broadcaster, self.clock = (
            registry,
            phases,
            broadcaster,
            clock,
        )
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
        now = self.clock.now()
        query = due_query(campaign.id, phase.id, comps, kind, started_before)
        chosen: list[tuple[int, str]] = []

        def choose(conn: Connection) -> list[tuple[int, str]]:
            chosen.extend((int(u), str(loc)) for u, loc in conn.execute(query))
            return chosen

        def mark(conn: Connection, job_id: int, users: list[tuple[int, str]]) -> None:
            conn.execute(
                insert(ReminderMark),
                [
                    {
                        "respondent_id": uid,
                        "campaign_id": campaign.id,
                        "phase_id": phase.id,
                        "kind": kind,
                        "job_id": job_id,
                        "at": now,
                    }
                    for uid, _ in users
                ],
            )

        texts = reminder_texts(campaign, phase, kind)
        await self.broadcaster.create(
            Audience("started", campaign_id=campaign.id),
            texts,
            kind="reminder",
            choose=choose,
            extra=mark,
            skip_empty=True,
        )
        return len(chosen)


def closes_at(campaign: Campaign, phase: Phase) -> dt.datetime:
    """The instant a phase closes: midnight after its last day, campaign time."""
    end = phase.end + dt.timedelta(days=1)
    return dt.datetime(end.year, end.month, end.day, tzinfo=ZoneInfo(campaign.timezone))


def due_query(
    campaign_id: str, phase_id: str, comps: list[str], kind: str, started_before: dt.datetime
) -> Select[int, str]:
    """Active respondents with an unsubmitted draft started before a time, not yet reminded."""
    s, m, r = Submission, ReminderMark, Respondent
    draft = select(s.respondent_id).where(
        s.respondent_id == r.id,
        s.campaign_id == campaign_id,
        s.component.in_(comps),
        s.status == "draft",
        s.voided.is_(False),
        s.started_at <= started_before,
    )
    reminded = select(m.respondent_id).where(
        and_(
            m.respondent_id == r.id,
            m.campaign_id == campaign_id,
            m.phase_id == phase_id,
            m.kind == kind,
        )
    )
    return (
        select(r.id, r.locale)
        .where(r.active.is_(True), exists(draft), ~exists(reminded))
        .order_by(r.id)
    )


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
