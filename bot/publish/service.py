"""Publishing a campaign's results, and reading what was published.

- `request` / `confirm`: an admin's /publish, confirmed with a button (the
  reason stays in the database, not in the button data);
- `publish`: the command line's `pingyi publish`, and what `confirm` does: a full
  refresh of the scores (so voids and findings are folded in), a snapshot of
  them, stored as a new publication.  The first publication of a campaign needs
  no reason; any later one corrects the latest and must say why.  Both stay.
- the first publication of a campaign tells everyone who took part (rated or
  complained) that results are out — once, through the outbox.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.core.clock import Clock
from bot.core.registry import Registry
from bot.i18n import LOCALES, t
from bot.outbox.queue import Outbox
from bot.publish.snapshot import Snapshot, build_snapshot
from bot.scoring.results import CampaignScores
from bot.scoring.service import ScoringService
from storage.admin import Audience
from storage.publication import (
    PublicationRecord,
    PublicationRepo,
    ReasonRequired,
    ResultsNotice,
)
from storage.uow import UnitOfWork

MAX_REASON = 500  # characters of a correction's reason


class PublishError(Exception):
    """A publication refused; `key` and `values` are the translation of why."""

    def __init__(self, key: str, **values: object) -> None:
        """Refused for the reason `key` (an i18n key)."""
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Published:
    """A stored publication with its snapshot."""

    id: int
    number: int
    published_at: dt.datetime
    published_by: int | None
    corrects: int | None
    reason: str | None
    snapshot: Snapshot

    @classmethod
    def of(cls, record: PublicationRecord) -> Published:
        """The engine's view of a stored publication."""
        return cls(
            record.id,
            record.number,
            record.published_at,
            record.published_by,
            record.corrects,
            record.reason,
            Snapshot.model_validate(record.data),
        )


@dataclass(frozen=True)
class Preview:
    """What a /publish would do, shown before the admin confirms."""

    request_id: int
    campaign_id: str
    number: int  # the number the new publication will get
    ranked: int
    units: int
    reason: str | None


class PublicationService:
    """Publishes snapshots and reads them back."""

    def __init__(
        self,
        registry: Registry,
        clock: Clock,
        scoring: ScoringService,
        outbox: Outbox,
    ) -> None:
        """Publications of the registry's campaigns; notices go through the outbox."""
        self.registry, self.clock = registry, clock
        self.scoring, self.outbox = scoring, outbox

    def _check(self, campaign_id: str, reason: str | None, latest: object) -> str | None:
        """The cleaned reason, or PublishError if the campaign or reason is wrong."""
        if campaign_id not in self.registry.campaigns:
            raise PublishError("publish.error.campaign", campaign=campaign_id)
        reason = (reason or "").strip()[:MAX_REASON] or None
        if latest is not None and reason is None:
            raise PublishError("publish.error.reason", campaign=campaign_id)
        return reason

    async def request(
        self, uow: UnitOfWork, campaign_id: str, actor: int, reason: str | None
    ) -> Preview:
        """Store a /publish to be confirmed, and say what it would publish."""
        repo = PublicationRepo(uow)
        latest = await repo.latest(campaign_id) if campaign_id in self.registry.campaigns else None
        reason = self._check(campaign_id, reason, latest)
        scores = await self.scoring.results(uow, campaign_id)
        if scores is None:
            scores = await self._refreshed(uow, campaign_id)
        request_id = await repo.add_request(campaign_id, actor, reason, self.clock.now())
        number = 1 if latest is None else latest.number + 1
        ranked = sum(1 for u in scores.units if u.rank is not None)
        return Preview(request_id, campaign_id, number, ranked, len(scores.units), reason)

    async def _refreshed(self, uow: UnitOfWork, campaign_id: str) -> CampaignScores:
        """The campaign's scores after a full refresh (voids and findings folded in)."""
        await uow.commit()  # a fresh read session sees what the refresh stores
        await self.scoring.refresh(campaign_id, full=True)
        scores = await self.scoring.results(uow, campaign_id)
        assert scores is not None  # a refresh stores results
        return scores

    async def confirm(self, uow: UnitOfWork, request_id: int, actor: int) -> Published:
        """Publish what request `request_id` asked (only its author may); twice is once."""
        request = await PublicationRepo(uow).request(request_id)
        if request is None or request.requested_by != actor:
            raise PublishError("publish.error.request")
        if request.publication_id is not None:
            return await self._get(uow, request.publication_id)
        return await self.publish(
            uow, request.campaign_id, actor, request.reason, request_id=request_id
        )

    async def publish(
        self,
        uow: UnitOfWork,
        campaign_id: str,
        actor: int | None,
        reason: str | None = None,
        *,
        request_id: int | None = None,
    ) -> Published:
        """Snapshot the campaign's freshly refreshed figures as a new publication."""
        repo = PublicationRepo(uow)
        latest = await repo.latest(campaign_id) if campaign_id in self.registry.campaigns else None
        reason = self._check(campaign_id, reason, latest)
        scores = await self._refreshed(uow, campaign_id)
        campaign = self.registry.campaigns[campaign_id]
        suggestions = await repo.suggestion_counts(campaign_id)
        snapshot = build_snapshot(campaign, self.registry, scores, suggestions)
        now = self.clock.now()
        data = snapshot.model_dump(mode="json")
        try:
            new_id, _ = await repo.add(campaign_id, now, actor, reason, data, request_id)
        except ReasonRequired:  # another admin published since we looked
            raise PublishError("publish.error.reason", campaign=campaign_id) from None
        await uow.commit()  # the new row is read through a fresh session
        published = await self._get(uow, new_id)
        await self._announce(snapshot, actor, now)
        return published

    async def _announce(self, snapshot: Snapshot, actor: int | None, now: dt.datetime) -> None:
        """Tell the campaign's participants that results are out (once per campaign)."""
        texts = {
            locale: t(locale, "publish.notice", campaign=snapshot.title(locale))
            for locale in LOCALES
        }
        await self.outbox.create(
            Audience("participants", campaign_id=snapshot.campaign_id),
            texts,
            kind="results",
            actor=actor,
            selection=ResultsNotice(snapshot.campaign_id, now),
            skip_empty=True,
        )

    async def _get(self, uow: UnitOfWork, publication_id: int) -> Published:
        """A publication known to exist."""
        record = await PublicationRepo(uow).get(publication_id)
        assert record is not None, publication_id
        return Published.of(record)

    async def get(self, uow: UnitOfWork, publication_id: int) -> Published | None:
        """One publication by id (None if there is none)."""
        record = await PublicationRepo(uow).get(publication_id)
        return None if record is None else Published.of(record)

    async def latest(self, uow: UnitOfWork, campaign_id: str) -> Published | None:
        """The campaign's newest publication."""
        record = await PublicationRepo(uow).latest(campaign_id)
        return None if record is None else Published.of(record)

    async def history(self, uow: UnitOfWork, campaign_id: str) -> list[Published]:
        """Every publication of the campaign, oldest first (corrections included)."""
        return [Published.of(r) for r in await PublicationRepo(uow).history(campaign_id)]

    async def published_campaigns(self, uow: UnitOfWork) -> list[str]:
        """Loaded campaigns with a publication, most recently published first."""
        found = await PublicationRepo(uow).published_campaigns()
        return [c for c in found if c in self.registry.campaigns]

    async def touched_units(self, uow: UnitOfWork, campaign_id: str, person: int) -> set[int]:
        """Units the person rated or complained about in the campaign (listed first)."""
        return await PublicationRepo(uow).touched_units(campaign_id, person)
