"""Repositories: reads through the unit of work's session, writes staged on it.

No repository commits: the unit of work does, once per update.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import Connection, select

from storage.models import (
    Answer,
    Conversation,
    Membership,
    ProcessedUpdate,
    Respondent,
    Submission,
    Unit,
)
from storage.models import Campaign as CampaignRow
from storage.records import ConversationRecord, DraftRecord, RespondentRecord
from storage.uow import UnitOfWork


class RespondentRepo:
    """People who talk to the bot."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def get(self, respondent_id: int) -> RespondentRecord | None:
        """The respondent with this Telegram user id, if known."""
        r = Respondent
        stmt = select(r.id, r.locale, r.locale_chosen, r.first_seen, r.last_seen, r.active).where(
            r.id == respondent_id
        )
        row = (await self.uow.session.execute(stmt)).first()
        return None if row is None else RespondentRecord(*row)

    async def all_ids(self) -> set[int]:
        """Every respondent's Telegram user id."""
        return set((await self.uow.session.execute(select(Respondent.id))).scalars())

    def stage_seen(self, record: RespondentRecord) -> None:
        """Insert the respondent, or refresh last_seen/active if they exist."""
        self.uow.stage(
            self.uow.statements.upsert_respondent,
            id=record.id,
            locale=record.locale,
            locale_chosen=record.locale_chosen,
            first_seen=record.first_seen,
            last_seen=record.last_seen,
            active=record.active,
        )

    def stage_locale(self, respondent_id: int, locale: str) -> None:
        """Remember the locale a person chose with /language."""
        self.uow.stage(self.uow.statements.set_locale, rid=respondent_id, locale=locale)

    async def category(self, respondent_id: int, campaign_id: str) -> str | None:
        """The category a person holds in a campaign (None: the public one)."""
        stmt = select(Membership.category).where(
            Membership.respondent_id == respondent_id, Membership.campaign_id == campaign_id
        )
        return (await self.uow.session.execute(stmt)).scalar_one_or_none()

    async def panel_units(self, respondent_id: int, campaign_id: str) -> list[int] | None:
        """The units whose panel a person sits on in a campaign (None: every unit)."""
        stmt = select(Membership.panel_units).where(
            Membership.respondent_id == respondent_id, Membership.campaign_id == campaign_id
        )
        return (await self.uow.session.execute(stmt)).scalar_one_or_none()

    def stage_membership(
        self, respondent_id: int, campaign_id: str, category: str, now: dt.datetime
    ) -> None:
        """Put a person in a category of a campaign."""
        self.uow.stage(
            self.uow.statements.upsert_membership,
            respondent_id=respondent_id,
            campaign_id=campaign_id,
            category=category,
            granted_at=now,
        )


class SurveyRepo:
    """Questionnaires and their answers."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def get_draft(
        self, respondent_id: int, unit_id: int, component: str
    ) -> DraftRecord | None:
        """The questionnaire of this respondent about this unit and component, with answers."""
        s, a = Submission, Answer
        # One query: the submission with its answers (outer join: maybe none yet).
        stmt = (
            select(
                s.campaign_id,
                s.category,
                s.status,
                s.position,
                s.suggestion,
                s.started_at,
                a.item,
                a.level,
            )
            .outerjoin(
                a,
                (a.respondent_id == s.respondent_id)
                & (a.unit_id == s.unit_id)
                & (a.component == s.component),
            )
            .where(s.respondent_id == respondent_id, s.unit_id == unit_id, s.component == component)
        )
        rows = (await self.uow.session.execute(stmt)).all()
        if not rows:
            return None
        first = rows[0]
        return DraftRecord(
            respondent_id=respondent_id,
            campaign_id=first.campaign_id,
            unit_id=unit_id,
            component=component,
            category=first.category,
            status=first.status,
            position=first.position,
            answers={row.item: row.level for row in rows if row.item is not None},
            suggestion=first.suggestion,
            started_at=first.started_at,
        )

    async def submitted_units(
        self, respondent_id: int, campaign_id: str, component: str
    ) -> set[int]:
        """Units this respondent already rated for a component."""
        stmt = select(Submission.unit_id).where(
            Submission.respondent_id == respondent_id,
            Submission.campaign_id == campaign_id,
            Submission.component == component,
            Submission.status == "submitted",
        )
        return set((await self.uow.session.execute(stmt)).scalars())

    def stage_create(self, draft: DraftRecord, now: dt.datetime) -> None:
        """Create the draft row (a no-op if it already exists)."""
        self.uow.stage(
            self.uow.statements.create_draft,
            respondent_id=draft.respondent_id,
            unit_id=draft.unit_id,
            component=draft.component,
            campaign_id=draft.campaign_id,
            category=draft.category,
            status="draft",
            position=draft.position,
            suggestion=None,
            started_at=now,
            updated_at=now,
            submitted_at=None,
            voided=False,
            entry=draft.entry,
        )

    def stage_answer(self, draft: DraftRecord, item: str, level: str, now: dt.datetime) -> None:
        """Store (or overwrite) the answer to one item."""
        self.uow.stage(
            self.uow.statements.upsert_answer,
            respondent_id=draft.respondent_id,
            unit_id=draft.unit_id,
            component=draft.component,
            item=item,
            level=level,
            answered_at=now,
        )

    def stage_progress(self, draft: DraftRecord, now: dt.datetime) -> None:
        """Store the draft's position and suggestion."""
        self.uow.stage(
            self.uow.statements.move_draft,
            rid=draft.respondent_id,
            uid=draft.unit_id,
            comp=draft.component,
            position=draft.position,
            suggestion=draft.suggestion,
            now=now,
        )

    def stage_submit(self, draft: DraftRecord, now: dt.datetime) -> None:
        """Mark the draft submitted."""
        self.uow.stage(
            self.uow.statements.submit_draft,
            rid=draft.respondent_id,
            uid=draft.unit_id,
            comp=draft.component,
            now=now,
        )


class ConversationRepo:
    """Where each person is in a conversation."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def get(self, respondent_id: int) -> ConversationRecord | None:
        """The stored conversation position, if any."""
        c = Conversation
        stmt = select(c.flow, c.step, c.data).where(c.respondent_id == respondent_id)
        row = (await self.uow.session.execute(stmt)).first()
        if row is None:
            return None
        return ConversationRecord(respondent_id, row.flow, row.step, dict(row.data or {}))

    def stage_set(self, record: ConversationRecord, now: dt.datetime) -> None:
        """Store the conversation position."""
        self.uow.stage(
            self.uow.statements.upsert_conversation,
            respondent_id=record.respondent_id,
            flow=record.flow,
            step=record.step,
            data=record.data,
            updated_at=now,
        )


class UpdateLogRepo:
    """Telegram update ids already handled."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def recent(self, limit: int) -> list[int]:
        """The most recent handled update ids (to seed the in-memory filter)."""
        stmt = select(ProcessedUpdate.update_id).order_by(ProcessedUpdate.update_id.desc())
        return list((await self.uow.session.execute(stmt.limit(limit))).scalars())

    async def seen(self, update_id: int) -> bool:
        """True if this update was handled before."""
        return await self.uow.session.get(ProcessedUpdate, update_id) is not None

    def stage_mark(self, update_id: int, now: dt.datetime) -> None:
        """Record the update as handled, in the same transaction as its effects."""
        self.uow.stage(self.uow.statements.mark_update, update_id=update_id, processed_at=now)


async def sync_campaign(
    uow: UnitOfWork,
    campaign_id: str,
    name: str,
    year: int,
    source_text: str,
    units: list[tuple[str, str, str]],
    now: dt.datetime,
) -> dict[str, int]:
    """Upsert a campaign and its units (code, kind, name); return unit code → id."""
    digest = hashlib.sha256(source_text.encode()).hexdigest()
    statements = uow.statements

    def write(conn: Connection) -> dict[str, int]:
        conn.execute(
            statements.upsert_campaign.stmt,
            {
                "id": campaign_id,
                "name": name,
                "year": year,
                "definition_sha256": digest,
                "loaded_at": now,
            },
        )
        for code, kind, unit_name in units:
            conn.execute(
                statements.upsert_unit.stmt,
                {"campaign_id": campaign_id, "code": code, "kind": kind, "name": unit_name},
            )
        rows = conn.execute(select(Unit.code, Unit.id).where(Unit.campaign_id == campaign_id))
        return {code: ident for code, ident in rows}

    return await uow.run_exclusive(write)


async def campaign_exists(uow: UnitOfWork, campaign_id: str) -> bool:
    """True if the campaign was loaded into the database before."""
    return await uow.session.get(CampaignRow, campaign_id) is not None
