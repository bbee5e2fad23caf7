"""The complainant after filing: their list, added information, answers, rating, review.

What the citizen sends is relayed to the unit's handlers (or the centre) without
their name; none of it is written to the audit log, which would record who
complained.
"""

from __future__ import annotations

from bot.complaints import flow
from bot.complaints.desk import Desk
from bot.complaints.flow import Attachment, Draft, Outcome
from bot.complaints.lifecycle import Action, Transition
from bot.complaints.records import ComplaintRecord
from bot.complaints.screens import RATINGS, MyComplaints, Relay, Result, ResultScreen, notice
from storage.complaints import ComplaintRepo
from storage.uow import UnitOfWork

MAX_EVIDENCE = 2 * flow.MAX_ATTACHMENTS  # at filing, plus as much again added later
INFO_STEP, ANSWER_STEP = "c_info", "c_answer"
# The entry each typed step stores, and what the citizen is told once it is relayed.
TYPED = {
    INFO_STEP: ("info", "complaint.info_added"),
    ANSWER_STEP: ("answer", "complaint.answer_sent"),
}


class CitizenDesk:
    """The complainant's own actions on their complaints."""

    def __init__(self, desk: Desk) -> None:
        """Work at `desk`."""
        self.desk = desk

    async def mine(self, uow: UnitOfWork, rid: int) -> Result:
        """/mycomplaints: the citizen's own complaints, with status and due date."""
        records = await ComplaintRepo(uow).of_complainant(rid)
        if not records:
            return Result(notice("complaint.none_mine"))
        return Result(MyComplaints([self.desk.view(r) for r in records]))

    async def press(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, arg: int
    ) -> Result:
        """A button of the complainant's (the lifecycle allowed it)."""
        if move.action in (Action.INFO, Action.REPLY):
            step = INFO_STEP if move.action is Action.INFO else ANSWER_STEP
            self.desk.point(uow, uid, step, id=record.id)
            await uow.commit()
            key = "complaint.prompt.info" if step == INFO_STEP else "complaint.prompt.answer"
            return Result(notice(key, tracking=record.tracking))
        if move.action is Action.RATE:
            return await self._rate(uow, record, arg)
        return await self._ask_review(uow, record)

    async def _rate(self, uow: UnitOfWork, record: ComplaintRecord, arg: int) -> Result:
        """Rate the handling, once."""
        if not 0 <= arg < len(RATINGS):
            return Result(toast=notice("common.stale"))
        rated = await self.desk.change(
            uow, record, Action.RATE, {"rating": None}, rating=RATINGS[arg]
        )
        if not rated:
            return Result(toast=notice("complaint.already_rated"))
        view = await self.desk.view_of(uow, record.id)
        return Result(ResultScreen(view), edit=True, toast=notice("complaint.rated"))

    async def _ask_review(self, uow: UnitOfWork, record: ComplaintRecord) -> Result:
        """Ask the centre for a review: once, and only after 不满意."""
        expect = {"rating": "dissatisfied", "review": None}
        if not await self.desk.change(uow, record, Action.REVIEW, expect, review="requested"):
            return Result(toast=notice("complaint.review_refused"))
        view = await self.desk.view_of(uow, record.id, files=True)
        result = Result(ResultScreen(view), edit=True, toast=notice("complaint.review_sent"))
        result.deliveries = self.desk.to_centre(view, notice("complaint.note.review"))
        return result

    async def typed(
        self, uow: UnitOfWork, rid: int, record: ComplaintRecord, step: str, text: str
    ) -> Result:
        """More information, or an answer to a handler's question, relayed without names."""
        kind, done = TYPED[step]
        repo = await self.desk.writes(uow)
        await repo.add_entry(record.id, "citizen", kind, self.desk.clock.now(), text)
        self.desk.idle(uow, rid)
        await uow.commit()
        view = self.desk.view(record)
        deliveries = await self.desk.to_handlers(uow, view, Relay(view, kind, text, "handler"))
        return Result(notice(done, tracking=record.tracking), deliveries=deliveries)

    async def attach(
        self,
        uow: UnitOfWork,
        record: ComplaintRecord,
        kind: str,
        file_id: str,
        mime: str | None,
        size: int | None,
    ) -> Result:
        """A photo or document added to an open complaint, sent on to its handlers."""
        probe = flow.attach(Draft(step="evidence"), kind, file_id, mime, size)
        if probe.outcome is not Outcome.MOVED:
            return Result(notice(f"complaint.bad.{probe.outcome.value}", **probe.values))
        if len(await ComplaintRepo(uow).attachments(record.id)) >= MAX_EVIDENCE:
            return Result(notice("complaint.bad.too_many", limit=MAX_EVIDENCE))
        repo = await self.desk.writes(uow)
        await repo.add_entry(record.id, "citizen", kind, self.desk.clock.now(), file_id=file_id)
        view = self.desk.view(record, (Attachment(kind, file_id),))
        relay = Relay(view, "info_file", "", "handler")
        deliveries = await self.desk.to_handlers(uow, view, relay, files=True)
        return Result(
            notice("complaint.info_added", tracking=record.tracking), deliveries=deliveries
        )
