"""The complaint centre (效能投诉中心): routing, case class, extension and review decisions.

Every decision refreshes the centre's card the same way (`Desk.refreshed`) and is
written to the audit log with the id of the member who pressed.
"""

from __future__ import annotations

from typing import Any

from bot.complaints.deadlines import deadline, extended
from bot.complaints.desk import Desk, Others, Refresh, deadline_values, facts
from bot.complaints.lifecycle import Action, Status, Transition, sources
from bot.complaints.records import ComplaintRecord
from bot.complaints.screens import Card, Choice, ComplaintView, Delivery, Result, notice
from bot.survey.units import page_of
from storage.complaints import ComplaintRepo
from storage.uow import UnitOfWork

CLASS_SET = Refresh("complaint.class_set", "common.stale")
UPHELD = Refresh("complaint.upheld", "complaint.no_review", "complaint.citizen.upheld")
REOPENED = Refresh(
    "complaint.reopened", "complaint.no_review", "complaint.citizen.reopened", files=True
)
DECIDED = {
    Action.APPROVE: Refresh(
        "complaint.extension_approved", "complaint.no_extension", "complaint.citizen.extended"
    ),
    Action.REFUSE: Refresh("complaint.extension_refused", "complaint.no_extension"),
}


class CentreDesk:
    """What the complaint centre decides."""

    def __init__(self, desk: Desk) -> None:
        """Work at `desk`."""
        self.desk = desk

    async def press(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        button: str,
        arg: int,
    ) -> Result:
        """A button on the centre's card or one of its choices (the lifecycle allowed it)."""
        view = self.desk.view(record)
        campaign = view.campaign
        if button == "route":
            ids = self.desk.unit_ids(campaign)
            return Result(Choice(view, "units", page_of(campaign.units, arg), ids), edit=True)
        if button == "class":
            return Result(Choice(view, "classes"), edit=True)
        if button == "cback":
            return Result(Card(view, "centre"), edit=True)
        if move.action is Action.ROUTE:
            return await self._route(uow, uid, record, move, arg)
        if move.action is Action.SET_CLASS:
            return await self._set_class(uow, uid, record, move, arg)
        if move.action in DECIDED:
            return await self._decide_extension(uow, uid, record, move)
        if move.action is Action.UPHOLD:
            expect = {"review": "requested"}
            done = await self.desk.change(uow, record, move.action, expect, review="upheld")
            return await self.desk.refreshed(uow, uid, record, move, done, UPHELD)
        return await self._reopen(uow, uid, record, move)

    async def _route(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, unit_id: int
    ) -> Result:
        """Send a complaint in triage to a unit (it stays here if the unit has no handler)."""
        campaign = self.desk.registry.campaigns[record.campaign_id]
        if unit_id not in self.desk.unit_ids(campaign).values():
            return Result(toast=notice("complaint.bad.foreign_unit"))
        handlers = await ComplaintRepo(uow).handlers_of(unit_id)
        status = move.to(has_handlers=bool(handlers))
        done = await self.desk.change(uow, record, move.action, {}, unit_id=unit_id, status=status)
        toast = "complaint.routed" if handlers else "complaint.note.no_handler"
        say = Refresh(toast, "complaint.not_in_triage", files=True)

        async def cards(view: ComplaintView) -> list[Delivery]:
            """The unit's handlers get the complaint's card and evidence."""
            return self.desk.handler_cards(view, handlers, "complaint.note.routed")

        return await self.desk.refreshed(uow, uid, record, move, done, say, cards, unit_id=unit_id)

    async def _set_class(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, index: int
    ) -> Result:
        """Make it another case class: its deadline is counted anew from filing."""
        campaign = self.desk.registry.campaigns[record.campaign_id]
        rules = campaign.complaints
        assert rules is not None
        if not 0 <= index < len(rules.case_classes):
            return Result(toast=notice("common.stale"))
        cls = rules.case_classes[index]
        due = deadline(
            self.desk.calendar,
            record.filed_at,
            cls.working_days,
            campaign.timezone,
            record.tracking,
        )
        values = deadline_values(due, reset=True)
        done = await self.desk.change(uow, record, move.action, {}, case_class=cls.id, **values)
        tell = self._tell_handlers(uow, "complaint.new_due")
        return await self.desk.refreshed(
            uow, uid, record, move, done, CLASS_SET, tell, case_class=cls.id
        )

    def _tell_handlers(self, uow: UnitOfWork, key: str, always: bool = False) -> Others:
        """Notice `key` to the unit's handlers; while the centre has it, to the centre only
        if `always`."""

        async def deliveries(view: ComplaintView) -> list[Delivery]:
            """The notice, with the complaint's facts as they are now."""
            if view.status is Status.TRIAGE and not always:
                return []
            return await self.desk.to_handlers(uow, view, notice(key, **facts(view)))

        return deliveries

    async def _decide_extension(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition
    ) -> Result:
        """Approve (more working days from the current due day) or refuse an extension."""
        if record.extension_reason is None:
            return Result(toast=notice("complaint.no_extension"))
        values: dict[str, Any] = {"extension_reason": None}
        if move.action is Action.APPROVE:
            campaign = self.desk.registry.campaigns[record.campaign_id]
            days = self.desk.view(record).case_class.working_days
            due = extended(
                self.desk.calendar, record.due_at, days, campaign.timezone, record.tracking
            )
            values.update(deadline_values(due, reset=True))
        expect = {"extension_reason": record.extension_reason}
        done = await self.desk.change(uow, record, move.action, expect, **values)
        say = DECIDED[move.action]
        tell = self._tell_handlers(uow, say.toast, always=True)
        return await self.desk.refreshed(
            uow, uid, record, move, done, say, tell, reason=record.extension_reason
        )

    async def _reopen(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition
    ) -> Result:
        """Grant the review: the unit handles it again, with a fresh deadline from today."""
        campaign = self.desk.registry.campaigns[record.campaign_id]
        now = self.desk.clock.now()
        days = self.desk.view(record).case_class.working_days
        due = deadline(self.desk.calendar, now, days, campaign.timezone, record.tracking)
        handlers = await ComplaintRepo(uow).handlers_of(record.unit_id)
        values = {
            "review": "reopened",
            "status": move.to(has_handlers=bool(handlers)),
            "verdict": None,
            "result": None,
            "closed_at": None,
            "accepted_at": None,
            **deadline_values(due, reset=True),
        }
        guard = {"status": sources(move.action), "review": "requested"}
        repo = await self.desk.writes(uow)
        done = await repo.reopen(record, guard, now, **values)

        async def cards(view: ComplaintView) -> list[Delivery]:
            """The unit's handlers get the reopened complaint's card and evidence."""
            return self.desk.handler_cards(view, handlers, "complaint.note.reopened")

        return await self.desk.refreshed(uow, uid, record, move, done, REOPENED, cards)
