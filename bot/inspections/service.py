"""Inspectors (特邀监察员, 行风评议员, 市民巡访员, reporters; seed 000 第三阶段 1-2, seed 002
五(五)) make open and unannounced visits and record findings with evidence.

A finding names the unit, the kind of visit (open | unannounced | media), what was
seen, photos or documents, and either a proposed deduction (points, on the campaign's
deduction component) or "note" (a remark for daily assessment).  An evaluator confirms
or rejects it (audited); a confirmed deduction becomes a `findings` row the scorer
subtracts, and the finding is handed to the unit's handlers (集中交办) without the
inspector's identity; the unit answers with what it corrected.
"""

from __future__ import annotations

from decimal import Decimal

from bot.campaign.schema import Campaign
from bot.core.clock import Clock
from bot.core.text import visible_text
from bot.scoring.records import EntryError, deduction_component, hundredths
from storage.complaints import ComplaintRepo
from storage.inspections import InspectionRecord, InspectionsRepo, NewInspection
from storage.uow import UnitOfWork

KINDS = ("open", "unannounced", "media")
NOTE = "note"


class InspectionService:
    """Findings of inspectors, from recording to the unit's correction."""

    def __init__(self, clock: Clock) -> None:
        """Time entries by `clock`."""
        self.clock = clock

    async def record(
        self,
        uow: UnitOfWork,
        inspector: int,
        campaign: Campaign,
        unit_id: int,
        words: list[str],
        files: list[list[str]],
    ) -> int:
        """Record a pending finding from `KIND POINTS|note WHAT WAS SEEN`; its id."""
        if len(words) < 3 or words[0].lower() not in KINDS:
            raise EntryError("inspection_usage")
        seen = visible_text(" ".join(words[2:]))
        if seen is None:
            raise EntryError("inspection_usage")
        points = None
        if words[1].lower() != NOTE:
            component = deduction_component(campaign)
            if component is None:
                raise EntryError("no_deduction")
            weight = campaign.component(component).weight
            points = hundredths(words[1], Decimal("0.01"), weight, "points")
        new = NewInspection(campaign.id, unit_id, words[0].lower(), seen, points, files)
        return await InspectionsRepo(uow).record(new, inspector, self.clock.now())

    async def decide(
        self,
        uow: UnitOfWork,
        actor: int,
        campaign_of: dict[str, Campaign],
        inspection_id: str,
        confirmed: bool,
        reason: str,
    ) -> InspectionRecord:
        """Confirm or reject a pending finding (audited); a confirmed deduction feeds the
        campaign's deduction component."""
        found = await self._pending(uow, inspection_id)
        if not confirmed and visible_text(reason) is None:
            raise EntryError("inspection_reason")
        component = deduction_component(campaign_of[found.campaign_id])
        decided = await InspectionsRepo(uow).decide(
            found.id, confirmed, reason.strip(), component, actor, self.clock.now()
        )
        if decided is None:  # decided by someone else meanwhile
            raise EntryError("inspection_unknown", inspection=inspection_id)
        return decided

    async def _pending(self, uow: UnitOfWork, inspection_id: str) -> InspectionRecord:
        found = (
            await InspectionsRepo(uow).get(int(inspection_id)) if inspection_id.isdigit() else None
        )
        if found is None or found.status != "pending":
            raise EntryError("inspection_unknown", inspection=inspection_id)
        return found

    async def handlers(self, uow: UnitOfWork, record: InspectionRecord) -> list[int]:
        """Who the finding is handed to: the unit's handlers."""
        return await ComplaintRepo(uow).handlers_of(record.unit_id)

    async def correct(
        self, uow: UnitOfWork, handled: set[int], inspection_id: str, text: str
    ) -> InspectionRecord:
        """A handler of the finding's unit says what was corrected."""
        repo = InspectionsRepo(uow)
        found = await repo.get(int(inspection_id)) if inspection_id.isdigit() else None
        if found is None or found.unit_id not in handled or found.status != "confirmed":
            raise EntryError("inspection_unknown", inspection=inspection_id)
        answer = visible_text(text)
        if answer is None:
            raise EntryError("inspection_correction")
        await repo.correct(found.id, answer, self.clock.now())
        return found

    async def of_campaign(self, uow: UnitOfWork, campaign_id: str) -> list[InspectionRecord]:
        """Every finding of a campaign (the export's sheet), oldest first."""
        return await InspectionsRepo(uow).of_campaign(campaign_id)

    async def of_unit(
        self, uow: UnitOfWork, campaign_id: str, unit_id: int
    ) -> list[InspectionRecord]:
        """A unit's findings with their status, oldest first."""
        return await InspectionsRepo(uow).of_unit(campaign_id, unit_id)
