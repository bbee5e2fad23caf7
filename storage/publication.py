"""Publication (公示) queries: snapshots, /publish requests, who took part, the notice mark.

Snapshots are inserted and never updated: the engine (bot/publish/) only ever
adds a publication, and a correction is one more row naming the one it corrects.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, exists, func, insert, or_, select, update

from storage.admin import register_audience
from storage.models import (
    Complaint,
    Publication,
    PublicationNotice,
    PublicationRequest,
    Respondent,
    Submission,
)
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class PublicationRecord:
    """One stored publication (the snapshot in `data`, as JSON)."""

    id: int
    campaign_id: str
    number: int
    published_at: dt.datetime
    published_by: int | None
    corrects: int | None
    reason: str | None
    data: dict[str, Any]


@dataclass(frozen=True)
class RequestRecord:
    """A /publish awaiting its confirmation (or already confirmed)."""

    id: int
    campaign_id: str
    requested_by: int
    reason: str | None
    publication_id: int | None


class ReasonRequired(Exception):
    """A campaign already published: the next publication is a correction and needs a reason."""


def _record(row: Publication) -> PublicationRecord:
    """The plain record of a row."""
    return PublicationRecord(
        row.id,
        row.campaign_id,
        row.number,
        row.published_at,
        row.published_by,
        row.corrects,
        row.reason,
        dict(row.data),
    )


class PublicationRepo:
    """Reads publications through a unit of work; writes through its exclusive runner."""

    def __init__(self, uow: UnitOfWork) -> None:
        """A repository over `uow`."""
        self.uow = uow

    async def history(self, campaign_id: str) -> list[PublicationRecord]:
        """Every publication of a campaign, oldest first."""
        rows = await self.uow.session.execute(
            select(Publication)
            .where(Publication.campaign_id == campaign_id)
            .order_by(Publication.number)
        )
        return [_record(row) for row in rows.scalars()]

    async def latest(self, campaign_id: str) -> PublicationRecord | None:
        """The campaign's newest publication (None if never published)."""
        row = (
            await self.uow.session.execute(
                select(Publication)
                .where(Publication.campaign_id == campaign_id)
                .order_by(Publication.number.desc())
                .limit(1)
            )
        ).scalar_one_or_none()
        return None if row is None else _record(row)

    async def get(self, publication_id: int) -> PublicationRecord | None:
        """One publication by id."""
        row = await self.uow.session.get(Publication, publication_id)
        return None if row is None else _record(row)

    async def published_campaigns(self) -> list[str]:
        """Campaigns published at least once, the most recently published first."""
        newest = func.max(Publication.published_at)
        rows = await self.uow.session.execute(
            select(Publication.campaign_id)
            .group_by(Publication.campaign_id)
            .order_by(newest.desc(), Publication.campaign_id)
        )
        return [str(campaign_id) for campaign_id in rows.scalars()]

    async def touched_units(self, campaign_id: str, respondent_id: int) -> set[int]:
        """Units the person rated (submitted) or complained about in the campaign."""
        rated = select(Submission.unit_id).where(
            Submission.campaign_id == campaign_id,
            Submission.respondent_id == respondent_id,
            Submission.status == "submitted",
        )
        complained = select(Complaint.unit_id).where(
            Complaint.campaign_id == campaign_id,
            Complaint.complainant_id == respondent_id,
            Complaint.unit_id.is_not(None),
        )
        rows = await self.uow.session.execute(rated.union(complained))
        return {int(unit_id) for unit_id in rows.scalars()}

    async def suggestion_counts(self, campaign_id: str) -> dict[int, int]:
        """How many counted questionnaires per unit came with a suggestion (texts stay out)."""
        s = Submission
        rows = await self.uow.session.execute(
            select(s.unit_id, func.count())
            .where(
                s.campaign_id == campaign_id,
                s.status == "submitted",
                s.voided.is_(False),
                s.suggestion.is_not(None),
                s.suggestion != "",
            )
            .group_by(s.unit_id)
        )
        return {int(unit_id): int(n) for unit_id, n in rows}

    async def add_request(
        self, campaign_id: str, actor: int, reason: str | None, now: dt.datetime
    ) -> int:
        """Store a /publish awaiting confirmation; its id goes in the button."""

        def write(conn: Connection) -> int:
            return int(
                conn.execute(
                    insert(PublicationRequest)
                    .values(
                        campaign_id=campaign_id, requested_by=actor, requested_at=now, reason=reason
                    )
                    .returning(PublicationRequest.id)
                ).scalar_one()
            )

        return await self.uow.run_exclusive(write)

    async def request(self, request_id: int) -> RequestRecord | None:
        """A stored /publish request."""
        row = await self.uow.session.get(PublicationRequest, request_id)
        if row is None:
            return None
        return RequestRecord(
            row.id, row.campaign_id, row.requested_by, row.reason, row.publication_id
        )

    async def add(
        self,
        campaign_id: str,
        now: dt.datetime,
        actor: int | None,
        reason: str | None,
        data: dict[str, Any],
        request_id: int | None = None,
    ) -> tuple[int, bool]:
        """Insert the next publication of a campaign: (its id, True if new).

        Numbered and linked to the one it corrects in the same transaction, so two
        admins publishing at once get numbers 1 and 2.  A request confirmed
        before returns its publication and adds nothing.  A correction without a reason
        raises ReasonRequired (checked here too: another admin may have published first).
        """

        def write(conn: Connection) -> tuple[int, bool]:
            done = _published_for(conn, request_id)
            if done is not None:
                return done, False
            last = conn.execute(
                select(Publication.id, Publication.number)
                .where(Publication.campaign_id == campaign_id)
                .order_by(Publication.number.desc())
                .limit(1)
            ).first()
            if last is not None and not reason:
                raise ReasonRequired(campaign_id)
            values = {
                "campaign_id": campaign_id,
                "number": 1 if last is None else last.number + 1,
                "published_at": now,
                "published_by": actor,
                "corrects": None if last is None else last.id,
                "reason": reason,
                "data": data,
            }
            new_id = int(
                conn.execute(
                    insert(Publication).values(**values).returning(Publication.id)
                ).scalar_one()
            )
            if request_id is not None:
                conn.execute(
                    update(PublicationRequest)
                    .where(PublicationRequest.id == request_id)
                    .values(publication_id=new_id)
                )
            return new_id, True

        return await self.uow.run_exclusive(write)


def participants_query(campaign_id: str) -> Select[int, str]:
    """Active people who submitted a questionnaire or filed a complaint in the campaign."""
    rated = select(Submission.respondent_id).where(
        Submission.respondent_id == Respondent.id,
        Submission.campaign_id == campaign_id,
        Submission.status == "submitted",
    )
    complained = select(Complaint.complainant_id).where(
        Complaint.complainant_id == Respondent.id, Complaint.campaign_id == campaign_id
    )
    return select(Respondent.id, Respondent.locale).where(
        Respondent.active.is_(True), or_(exists(rated), exists(complained))
    )


register_audience("participants", lambda a: participants_query(a.campaign_id or ""))


@dataclass(frozen=True)
class ResultsNotice:
    """The outbox selection of the results notice: the campaign's participants, once
    per campaign (nobody if they were told before), and the mark that says so."""

    campaign_id: str
    now: dt.datetime

    def choose(self, conn: Connection) -> list[tuple[int, str]]:
        """Every participant, unless the campaign's results were announced before."""
        told = conn.execute(
            select(PublicationNotice.job_id).where(
                PublicationNotice.campaign_id == self.campaign_id
            )
        ).first()
        if told is not None:
            return []
        rows = conn.execute(participants_query(self.campaign_id).order_by(Respondent.id))
        return [(int(uid), str(locale)) for uid, locale in rows]

    def mark(self, conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
        """The campaign's participants have been told."""
        conn.execute(
            insert(PublicationNotice).values(
                campaign_id=self.campaign_id, job_id=job_id, at=self.now
            )
        )


def _published_for(conn: Connection, request_id: int | None) -> int | None:
    """The publication a confirmed request already made, if any (a repeated confirm)."""
    if request_id is None:
        return None
    done = conn.execute(
        select(PublicationRequest.publication_id).where(PublicationRequest.id == request_id)
    ).scalar_one_or_none()
    return None if done is None else int(done)
