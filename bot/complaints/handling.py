"""The unit's handler: accept, ask the citizen, tell them how the case progresses, ask for
more time, transfer back, close.

Buttons that need text (ask, extend, transfer, close after its verdict) point
the handler's conversation at a step; the typed text completes the action.
Every action is written to the audit log with the handler's id.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from bot.complaints.desk import Desk, Refresh
from bot.complaints.lifecycle import Action, Transition, sources
from bot.complaints.records import ComplaintRecord, Finding
from bot.complaints.screens import (
    VERDICTS,
    Card,
    Choice,
    Delivery,
    Relay,
    Result,
    ResultScreen,
    notice,
)
from storage.uow import UnitOfWork

CLOSE_STEP = "h_close"
ACCEPTED = Refresh("complaint.accepted", "complaint.already_accepted", "complaint.citizen.accepted")


class Handling:
    """What a handler of the complaint's unit does with it."""

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
        """A button on the handler's card (the lifecycle allowed its action)."""
        if move.action is Action.ACCEPT:
            done = await self.desk.change(
                uow, record, Action.ACCEPT, {}, status=move.to(), accepted_at=self.desk.clock.now()
            )
            return await self.desk.refreshed(uow, uid, record, move, done, ACCEPTED)
        if button == "close":
            return Result(Choice(self.desk.view(record), "verdicts"), edit=True)
        if button == "back":
            return Result(Card(self.desk.view(record), "handler"), edit=True)
        if button == "verdict":
            if not 0 <= arg < len(VERDICTS):
                return Result(toast=notice("common.stale"))
            self.desk.point(uow, uid, CLOSE_STEP, id=record.id, verdict=VERDICTS[arg])
            await uow.commit()
            verdict = VERDICTS[arg]
            return Result(
                notice("complaint.prompt.close", tracking=record.tracking, verdict=verdict)
            )
        if move.action is Action.EXTEND and record.extension_reason is not None:
            return Result(toast=notice("complaint.extension_pending"))
        self.desk.point(uow, uid, f"h_{move.action}", id=record.id)
        await uow.commit()
        limit = self.desk.limit(record)
        return Result(
            notice(f"complaint.prompt.{move.action}", tracking=record.tracking, limit=limit)
        )

    async def typed(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        text: str,
        data: dict[str, Any],
    ) -> Result:
        """The text that completes a handler's action (the lifecycle allowed it)."""
        if move.action is Action.ASK:
            return await self._ask(uow, uid, record, move, text)
        if move.action is Action.PROGRESS:
            return await self._progress(uow, uid, record, move, text)
        if move.action is Action.EXTEND:
            return await self._extend(uow, uid, record, move, text)
        if move.action is Action.TRANSFER:
            return await self._transfer(uow, uid, record, move, text)
        return await self._close(uow, uid, record, move, text, str(data.get("verdict")))

    async def _ask(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, text: str
    ) -> Result:
        """A question to the citizen, relayed without the handler's name."""
        repo = await self.desk.writes(uow)
        await repo.add_entry(record.id, "handler", "question", self.desk.clock.now(), text)
        self.desk.idle(uow, uid)
        await uow.commit()
        await self.desk.audit(uow, uid, record, move, move.to())
        view = self.desk.view(record)
        relay = Relay(view, "question", text, "citizen", reply_button=True)
        return Result(
            notice("complaint.question_sent", tracking=record.tracking),
            deliveries=[Delivery(record.complainant_id, relay)],
        )

    async def _progress(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, text: str
    ) -> Result:
        """An interim progress note to the citizen (向群众通报办理进度), relayed with the
        tracking number and without the handler's name."""
        repo = await self.desk.writes(uow)
        await repo.add_entry(record.id, "handler", "progress", self.desk.clock.now(), text)
        self.desk.idle(uow, uid)
        await uow.commit()
        await self.desk.audit(uow, uid, record, move, move.to())
        relay = Relay(self.desk.view(record), "progress", text, "citizen")
        return Result(
            notice("complaint.progress_sent", tracking=record.tracking),
            deliveries=[Delivery(record.complainant_id, relay)],
        )

    async def _extend(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, text: str
    ) -> Result:
        """Ask the centre for more time, with the reason (one request pending at a time)."""
        done = await self.desk.change(
            uow, record, Action.EXTEND, {"extension_reason": None}, extension_reason=text
        )
        self.desk.idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.extension_pending"))
        await self.desk.audit(uow, uid, record, move, move.to(), reason=text)
        view = await self.desk.view_of(uow, record.id)
        return Result(
            notice("complaint.extension_sent", tracking=record.tracking),
            deliveries=self.desk.to_centre(view, notice("complaint.note.extension")),
        )

    async def _transfer(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, text: str
    ) -> Result:
        """Send the complaint back to the centre (not this unit's), with the reason."""
        done = await self.desk.change(
            uow, record, Action.TRANSFER, {}, status=move.to(), transfer_reason=text
        )
        self.desk.idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.not_with_unit"))
        await self.desk.audit(uow, uid, record, move, move.to(), reason=text)
        view = await self.desk.view_of(uow, record.id, files=True)
        return Result(
            notice("complaint.transferred", tracking=record.tracking),
            deliveries=self.desk.to_centre(view, notice("complaint.note.transfer"), files=True),
        )

    async def _close(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        text: str,
        verdict: str,
    ) -> Result:
        """Close with the verdict and the result; a substantiated one becomes a finding."""
        if verdict not in VERDICTS:
            return await self.desk.abandon(uow, uid)
        now = self.desk.clock.now()
        values = {
            "status": move.to(),
            "closed_at": now,
            "verdict": verdict,
            "result": text,
            "rating": None,
            "extension_reason": None,
        }
        guard = {"status": sources(Action.CLOSE)}
        repo = await self.desk.writes(uow)
        done = await repo.close(record, guard, now, values, self._finding(record, verdict), uid)
        self.desk.idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.not_with_unit"))
        await self.desk.audit(uow, uid, record, move, move.to(), verdict=verdict)
        view = await self.desk.view_of(uow, record.id)
        return Result(
            notice("complaint.closed", tracking=record.tracking),
            deliveries=[Delivery(record.complainant_id, ResultScreen(view))],
        )

    def _finding(self, record: ComplaintRecord, verdict: str) -> Finding | None:
        """The deduction a verdict records against the unit, if any."""
        found = self.desk.rules(record.campaign_id)
        if found is None or verdict == "unsubstantiated" or record.unit_id is None:
            return None
        rules = found[1]
        if rules.deduction_component is None:
            return None
        points = (
            rules.finding_points.substantiated
            if verdict == "substantiated"
            else rules.finding_points.partly
        )
        return Finding(rules.deduction_component, int(points * Decimal(100)))
