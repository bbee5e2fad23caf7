"""Periodic bulletins (定期通报, 003 三(二)(三)): to evaluators and the complaint centre.

A bulletin reports one campaign's figures (bot/bulletin/figures.py) for the period
since its previous bulletin, as a message and a PNG chart, sent through the outbox.
Scheduled bulletins (`Schedule`, the `BULLETIN_SCHEDULE` setting) are sent by the
background jobs, which run in the one process holding the background lease
(bot/app/leader.py); each slot's bulletin is recorded in the database *before* it
is sent (storage/bulletins.py: `claim`, unique per campaign and slot), so a second
leader, or a restart, never sends it again.  Like the complaint reminders, that
is at most once: a process dying between the record and the queueing loses that
one bulletin (its period is recorded with it, so the next one starts where it
ended: nothing is ever reported twice).

`/bulletin` shows an evaluator the current period so far (nothing recorded);
`/bulletin send` records and sends it to everyone now, starting a new period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from zoneinfo import ZoneInfo

from bot.bulletin.chart import bulletin_png, chart_locale
from bot.bulletin.figures import Bulletin, Period, compose
from bot.bulletin.render import chart_data, text
from bot.bulletin.schedule import Schedule, slot_key
from bot.campaign.schema import Campaign
from bot.core.clock import Clock
from bot.core.registry import Registry
from bot.i18n import t
from bot.outbox.queue import Outbox
from bot.people.service import PeopleService
from bot.scoring.offload import off_loop
from storage.bulletins import BulletinRepo
from storage.outbox import Single, Upload
from storage.privacy import is_anonymous
from storage.uow import Database, UnitOfWork

# Scheduled bulletins go on for this long after a campaign's last phase ends (the
# complaints of its last weeks are still being handled and reported).
AFTER_END = dt.timedelta(days=14)


class BulletinService:
    """Composes, records and sends bulletins; decides when scheduled ones are due."""

    def __init__(
        self,
        db: Database,
        registry: Registry,
        clock: Clock,
        outbox: Outbox,
        people: PeopleService,
        recipients: Callable[[], Iterable[int]],
    ) -> None:
        """`recipients()`: the chats besides the evaluators (admins, the complaint centre).

        No schedule until `schedule` is set (`pingyi run` sets it from BULLETIN_SCHEDULE).
        """
        self.db, self.registry, self.clock, self.outbox = db, registry, clock, outbox
        self.people, self.recipients = people, recipients
        self.schedule = Schedule(None)

    # -- periods -----------------------------------------------------------------------------

    @staticmethod
    def first_start(campaign: Campaign) -> dt.datetime:
        """Where a campaign's first bulletin period starts: its first phase's first day."""
        day = min(p.start for p in campaign.phases)
        return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(campaign.timezone))

    def in_season(self, campaign: Campaign, slot: dt.datetime) -> bool:
        """Whether a slot falls between the campaign's start and shortly after its end."""
        after = max(p.end for p in campaign.phases) + dt.timedelta(days=1)
        end = dt.datetime.combine(after, dt.time(0), tzinfo=ZoneInfo(campaign.timezone))
        return self.first_start(campaign) <= slot < end + AFTER_END

    def due_slot(self, campaign: Campaign, now: dt.datetime) -> str | None:
        """The campaign's latest passed slot, if bulletins are scheduled and it is in season."""
        slot = self.schedule.latest_slot(now, campaign.timezone)
        if slot is None or not self.in_season(campaign, slot):
            return None
        return slot_key(slot)

    # -- composing ---------------------------------------------------------------------------

    async def preview(self, uow: UnitOfWork, campaign: Campaign) -> Bulletin:
        """The current period so far (since the last bulletin): shown, not recorded."""
        start = await BulletinRepo(uow).last_end(campaign.id) or self.first_start(campaign)
        return await compose(uow, campaign, Period(start, self.clock.now()))

    async def send_now(self, campaign: Campaign, by: int | None) -> tuple[Bulletin, int]:
        """Record the bulletin of the period up to now and send it; it and its recipients."""
        sent = await self._record_and_send(campaign, None, by)
        assert sent is not None  # an unscheduled bulletin has no slot to collide on
        return sent

    async def tick(self) -> int:
        """Send every scheduled bulletin that is due and not yet recorded; how many."""
        now, sent = self.clock.now(), 0
        for campaign in sorted(self.registry.campaigns.values(), key=lambda c: c.id):
            slot = self.due_slot(campaign, now)
            if slot is None:
                continue
            async with self.db.unit_of_work() as uow:
                if await BulletinRepo(uow).has_slot(campaign.id, slot):
                    continue
            sent += await self._record_and_send(campaign, slot, None) is not None
        return sent

    async def _record_and_send(
        self, campaign: Campaign, slot: str | None, by: int | None
    ) -> tuple[Bulletin, int] | None:
        """Claim the bulletin's row (None: this slot's was claimed already), then send it."""
        async with self.db.unit_of_work() as uow:
            repo = BulletinRepo(uow)
            now = self.clock.now()
            claimed = await repo.claim(campaign.id, slot, self.first_start(campaign), now, by)
            if claimed is None:
                return None
            period = Period(claimed.start, claimed.end)
            bulletin = await compose(uow, campaign, period, claimed.id)
            return bulletin, await self._send(uow, bulletin)

    # -- sending -----------------------------------------------------------------------------

    async def audience(self, uow: UnitOfWork) -> list[int]:
        """Evaluators and admins (granted or configured) and the complaint centre's chats."""
        chats = set(await BulletinRepo(uow).evaluators()) | set(self.recipients())
        return sorted(c for c in chats if not is_anonymous(c))

    async def _send(self, uow: UnitOfWork, bulletin: Bulletin) -> int:
        """Queue the bulletin (text, then chart) to each recipient in their language."""
        by_locale: dict[str, list[int]] = {}
        for chat in await self.audience(uow):
            person = await self.people.get(uow, chat) if chat > 0 else None
            locale = person.locale if person is not None else self.people.default_locale
            by_locale.setdefault(locale, []).append(chat)
        await uow.end_reads()  # nothing more to read while the charts are drawn
        messages: list[Single] = []
        for locale, chats in sorted(by_locale.items()):
            body, png = await self.render(bulletin, locale)
            upload = Upload(f"bulletin-{bulletin.number or 0}.png", png)
            caption = t(locale, "bulletin.chart_caption", number=bulletin.number or "—")
            for chat in chats:
                messages.append(Single(chat, locale, body))
                messages.append(Single(chat, locale, caption, media_kind="photo", upload=upload))
        await self.outbox.enqueue(messages)
        return sum(len(chats) for chats in by_locale.values())

    async def render(self, bulletin: Bulletin, locale: str) -> tuple[str, bytes]:
        """The bulletin's text in `locale` and its chart (drawn in the worker process)."""
        drawn = chart_data(bulletin, self.registry, chart_locale(locale))
        return text(bulletin, self.registry, locale), await off_loop(bulletin_png, drawn)
