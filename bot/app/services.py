"""Everything a handler needs, built once at start-up and passed in by middleware.

The services also own the background work: `start(sender)` runs the outbox
(every message that is not a reply), the admin ticker (reminders, phase
notices), the complaint notice loop (reminders, escalations), the scheduled
bulletins, the retention purge of closed complaints, the purge of handled updates from
the inbox and the score refresh; `stop()` ends them all.
Entry points call the two; routers never do.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from bot.access.service import AccessService
from bot.admin.service import AdminService
from bot.app import metrics
from bot.bulletin.service import BulletinService
from bot.campaign.schema import Campaign
from bot.complaints.screens import Delivery
from bot.complaints.service import Centre, ComplaintService
from bot.core.clock import Clock, SystemClock
from bot.core.registry import Registry, load_registry
from bot.inspections.service import InspectionService
from bot.outbox.messages import Outgoing, Sender
from bot.outbox.queue import Outbox
from bot.people.service import PeopleService
from bot.privacy.service import PrivacyService
from bot.publish.service import PublicationService
from bot.rectification.service import RectificationService
from bot.scoring.records import Records
from bot.scoring.service import ScoringService
from bot.survey.service import SurveyService
from storage.inbox import Inbox
from storage.outbox import Single
from storage.privacy import is_anonymous
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

NOTICE_INTERVAL = 60.0  # seconds between looks for due complaint reminders and escalations
# Handled updates are kept this long, then deleted: they hold what people typed, and
# duplicates are caught by `processed_updates` without them.  A day covers Telegram's
# redelivery window and keeps "who handled this person last" for the caches.
INBOX_KEPT = dt.timedelta(days=1)
INBOX_PURGE_INTERVAL = 3600.0  # seconds between purges of handled updates


async def _every(seconds: float, what: str, round_: Callable[[], Awaitable[object]]) -> None:
    """Run `round_` every `seconds` until cancelled; a failed round is logged and retried
    at the next (a background job must not end on one error)."""
    while True:
        try:
            await round_()
        except Exception:
            log.exception("%s: round failed", what)
        await asyncio.sleep(seconds)


class Adapter(Sender, Protocol):
    """The Telegram adapter as the services see it: sends, and renders deliveries."""

    def render(self, item: Delivery, locale: str) -> list[Outgoing]:
        """A delivery as messages in `locale`: its screen, then each file."""
        ...


@dataclass
class Services:
    """The engine's services over one database."""

    db: Database
    clock: Clock
    registry: Registry
    people: PeopleService
    survey: SurveyService
    access: AccessService
    default_locale: str = "zh-Hans"
    notice_every: float = NOTICE_INTERVAL
    outbox: Outbox = field(init=False)  # every message that is not a reply (bot/outbox/)
    scoring: ScoringService = field(init=False)  # the scorer (bot/scoring/service.py)
    inspections: InspectionService = field(init=False)  # inspectors' findings
    records: Records = field(init=False)  # evaluators' marks, bonuses, inspection findings
    complaints: ComplaintService = field(init=False)  # bot/complaints/service.py
    admin: AdminService = field(init=False)  # phases, broadcasts, reminders (bot/admin/)
    publish: PublicationService = field(init=False)  # publication of results (bot/publish/)
    privacy: PrivacyService = field(init=False)  # /mydata, /forget, retention (bot/privacy/)
    bulletins: BulletinService = field(init=False)  # periodic bulletins (bot/bulletin/)
    rectification: RectificationService = field(init=False)  # 整改反馈 (bot/rectification/)
    # Every update, stored before it is acknowledged (storage/inbox.py); leases run on
    # the wall clock even when a rehearsal fixes the campaign's day.
    inbox: Inbox = field(init=False)
    adapter: Adapter | None = field(init=False, default=None)
    tasks: list[asyncio.Task[None]] = field(init=False, default_factory=list)

    @classmethod
    async def build(
        cls,
        db: Database,
        clock: Clock,
        campaigns: dict[str, Campaign],
        default_locale: str = "zh-Hans",
        admin_ids: list[int] | tuple[int, ...] = (),
        centre: Centre | None = None,
    ) -> Services:
        """Load the campaigns into `db` and wire the services."""
        registry = await load_registry(db, campaigns, clock.now())
        people = PeopleService(clock, default_locale)
        await people.load_ids(db)
        survey = SurveyService(registry, clock)
        people.on_new_person.append(survey.prime_new_person)
        access = AccessService(clock, admin_ids)
        services = cls(db, clock, registry, people, survey, access, default_locale)
        services.inbox = Inbox(db, SystemClock().now)
        services.outbox = Outbox(db, clock, default_locale=default_locale)
        services.outbox.on_blocked.append(people.forget)
        services.scoring = ScoringService(db, registry, clock)
        services.scoring.on_refreshed.append(metrics.observe_refresh)
        db.writer.on_batch = metrics.WRITER_BATCH.observe
        services.records = Records(registry, clock)
        services.inspections = InspectionService(clock)
        survey.on_submitted.append(services.scoring.submitted)
        services.complaints = ComplaintService(registry, clock, access, survey, centre or Centre())
        services.admin = AdminService(db, clock, registry, services.outbox)
        await services.admin.load()
        survey.phases = services.admin.phases
        services.publish = PublicationService(registry, clock, services.scoring, services.outbox)
        services.privacy = PrivacyService(db, registry, clock)
        services.rectification = RectificationService(registry, clock, services.scoring)
        services.privacy.on_forgotten += [people.forget, survey.forget_person]
        services.bulletins = BulletinService(
            db, registry, clock, services.outbox, people, services.bulletin_chats
        )
        return services

    def bulletin_chats(self) -> set[int]:
        """Who gets bulletins besides granted evaluators: configured admins, the centre."""
        return set(self.access.admin_ids) | set(self.complaints.centre.recipients())

    def now(self) -> dt.datetime:
        """The current instant."""
        return self.clock.now()

    # -- background work -----------------------------------------------------------------

    def start(self, adapter: Adapter) -> None:
        """Start the background work, sending through `adapter` (resumes interrupted jobs)."""
        if self.tasks:
            raise RuntimeError("the services are already started")
        self.adapter = adapter
        self.tasks = [
            asyncio.create_task(self.outbox.run(adapter), name="outbox"),
            asyncio.create_task(
                _every(self.notice_every, "complaint reminders", self.send_due_notices),
                name="complaint-notices",
            ),
            asyncio.create_task(
                _every(self.notice_every, "bulletins", self.bulletins.tick), name="bulletins"
            ),
            asyncio.create_task(self.privacy.run_retention(), name="retention"),
            asyncio.create_task(
                _every(INBOX_PURGE_INTERVAL, "inbox purge", self.purge_inbox), name="inbox-purge"
            ),
        ]
        self.admin.start()
        self.scoring.start()

    async def stop(self) -> None:
        """Stop it all; calls on the wire finish and are recorded first (a clean stop)."""
        await self.scoring.stop()
        await self.admin.stop()
        tasks, self.tasks = self.tasks, []
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.adapter = None

    async def purge_inbox(self) -> int:
        """Delete handled updates older than INBOX_KEPT (wall clock); how many went."""
        purged = await self.inbox.purge_done(self.inbox.now() - INBOX_KEPT)
        if purged:
            log.info("inbox: %d handled updates purged", purged)
        return purged

    # -- deliveries ----------------------------------------------------------------------

    async def deliver(self, uow: UnitOfWork, deliveries: list[Delivery]) -> list[int]:
        """Queue each delivery in its recipient's language (its screen, then its files).

        Deliveries to an anonymous id (someone who used /forget) are dropped here: no
        chat is behind it, and Telegram would only answer "chat not found".
        """
        deliveries = [item for item in deliveries if not is_anonymous(item.chat_id)]
        if not deliveries:
            return []
        if self.adapter is None:
            raise RuntimeError("deliveries need started services (start(adapter))")
        messages = []
        for item in deliveries:
            person = await self.people.get(uow, item.chat_id) if item.chat_id > 0 else None
            locale = person.locale if person is not None else self.default_locale
            for out in self.adapter.render(item, locale):
                messages.append(
                    Single(
                        item.chat_id,
                        locale,
                        out.text,
                        out.markup,
                        out.media_kind,
                        out.media_file_id,
                    )
                )
        return await self.outbox.enqueue(messages)

    async def send_due_notices(self) -> int:
        """Claim and queue the complaint reminders and escalations due now; how many."""
        async with self.db.unit_of_work() as uow:
            deliveries = await self.complaints.due_notices(uow)
            await self.deliver(uow, deliveries)
        return len(deliveries)
