"""The complaint service: one entry point, the work split by who acts.

It knows nothing of Telegram.  Each public method takes ids and text, works in
the caller's unit of work (state changes are guarded updates on the writer,
committed before returning) and returns a `Result`: what to show the person
acting, and `deliveries` for everyone else (handlers, the centre, the citizen).
Everything sent to others is built from a `ComplaintView`, which has no field
for who complained.

Who may do what, from which state, is the lifecycle table (lifecycle.py; its
diagram is in docs/complaints-lifecycle.md).  The parts: filing.py (the draft,
filing and routing), citizen.py, handling.py (the unit's handler), centre.py
(the complaint centre), notices.py (reminders and escalation); desk.py holds
what they share.
"""

from __future__ import annotations

from bot.access.service import AccessService
from bot.campaign.schema import Campaign
from bot.complaints.centre import CentreDesk
from bot.complaints.citizen import ANSWER_STEP, INFO_STEP, CitizenDesk
from bot.complaints.cohandling import PART_STEP, CoHandling, for_cohandlers
from bot.complaints.desk import FLOW, Centre, Desk, refused
from bot.complaints.filing import DRAFT_STEP, Filing
from bot.complaints.handling import Handling
from bot.complaints.lifecycle import Action, Actor, Refusal, Transition
from bot.complaints.notices import due_notices
from bot.complaints.records import ComplaintRecord
from bot.complaints.screens import Card, Delivery, Result, notice
from bot.core.clock import Clock
from bot.core.registry import Registry
from bot.core.text import visible_text
from bot.survey.service import SurveyService
from bot.workdays import WorkdayCalendar
from storage.complaints import ComplaintRepo
from storage.uow import UnitOfWork

__all__ = ["Centre", "ComplaintService"]

# The lifecycle action each button takes or leads to: a menu (close → verdicts, route →
# units, class → classes) and its "back" are guarded by the action they lead to.
BUTTONS: dict[str, Action] = {
    "info": Action.INFO,
    "reply": Action.REPLY,
    "rate": Action.RATE,
    "review": Action.REVIEW,
    "accept": Action.ACCEPT,
    "ask": Action.ASK,
    "extend": Action.EXTEND,
    "progress": Action.PROGRESS,
    "cohandle": Action.COHANDLE,
    "counit": Action.COHANDLE,
    "coback": Action.COHANDLE,
    "part": Action.PART,
    "transfer": Action.TRANSFER,
    "close": Action.CLOSE,
    "verdict": Action.CLOSE,
    "back": Action.CLOSE,
    "route": Action.ROUTE,
    "unit": Action.ROUTE,
    "class": Action.SET_CLASS,
    "setclass": Action.SET_CLASS,
    "cback": Action.SET_CLASS,
    "approve": Action.APPROVE,
    "refuse": Action.REFUSE,
    "reopen": Action.REOPEN,
    "uphold": Action.UPHOLD,
}
# The action a typed conversation step completes.
STEPS: dict[str, Action] = {
    INFO_STEP: Action.INFO,
    ANSWER_STEP: Action.REPLY,
    "h_ask": Action.ASK,
    "h_extend": Action.EXTEND,
    "h_progress": Action.PROGRESS,
    PART_STEP: Action.PART,
    "h_transfer": Action.TRANSFER,
    "h_close": Action.CLOSE,
}


class ComplaintService:
    """Complaints of every loaded campaign that has a `complaints` section."""

    def __init__(
        self,
        registry: Registry,
        clock: Clock,
        access: AccessService,
        conversations: SurveyService,
        centre: Centre,
        calendar: WorkdayCalendar | None = None,
    ) -> None:
        """Route to `centre` when no handler is known; conversations are kept by the survey."""
        calendar = calendar or WorkdayCalendar.default()
        self.desk = Desk(registry, clock, access, conversations, centre, calendar)
        self.filing = Filing(self.desk)
        self.citizen = CitizenDesk(self.desk)
        self.handling = Handling(self.desk)
        self.centre_desk = CentreDesk(self.desk)
        self.cohandling = CoHandling(self.desk)

    @property
    def centre(self) -> Centre:
        """The complaint centre (shared by every part)."""
        return self.desk.centre

    @centre.setter
    def centre(self, centre: Centre) -> None:
        """Name the centre after start-up (every part sees it at once)."""
        self.desk.centre = centre

    def campaigns(self) -> list[Campaign]:
        """Campaigns taking complaints: those running today, else every one with rules."""
        return self.desk.campaigns()

    async def in_flow(self, uow: UnitOfWork, rid: int) -> bool:
        """Whether the person's typed text and files belong to a complaint conversation."""
        return (await self.desk.conversations.conversation(uow, rid)).flow == FLOW

    # -- the citizen's draft ---------------------------------------------------------------

    async def begin(self, uow: UnitOfWork, rid: int) -> Result:
        """/complain: resume the draft, or start one."""
        return await self.filing.begin(uow, rid)

    async def begin_for(self, uow: UnitOfWork, rid: int, unit_id: int) -> Result:
        """A unit's complaint link: a draft about that unit (a written draft is resumed)."""
        return await self.filing.begin_for(uow, rid, unit_id)

    async def draft_action(
        self, uow: UnitOfWork, rid: int, action: str, arg: int = 0, campaign_id: str = ""
    ) -> Result:
        """A button of the draft: campaign, unit, page, kind, done, clear, anon, edit, submit …"""
        return await self.filing.press(uow, rid, action, arg, campaign_id)

    async def mine(self, uow: UnitOfWork, rid: int) -> Result:
        """/mycomplaints: the citizen's own complaints, with status and due date."""
        return await self.citizen.mine(uow, rid)

    async def cancel(self, uow: UnitOfWork, rid: int) -> Result:
        """/cancel inside a complaint conversation: leave it; a draft is kept."""
        conv = await self.desk.conversations.conversation(uow, rid)
        self.desk.idle(uow, rid)
        await uow.commit()
        kept = conv.step == DRAFT_STEP
        return Result(notice("complaint.cancelled_kept" if kept else "common.cancelled"))

    # -- what a person types or sends, by conversation step ----------------------------------

    async def _step(
        self, uow: UnitOfWork, rid: int
    ) -> tuple[str, ComplaintRecord | None, dict[str, object]] | None:
        """The person's complaint conversation: its step, the complaint it is about, its data."""
        conv = await self.desk.conversations.conversation(uow, rid)
        if conv.flow != FLOW:
            return None
        if conv.step == DRAFT_STEP:
            return conv.step, None, conv.data
        record = await ComplaintRepo(uow).get(int(conv.data.get("id", 0)))
        return conv.step, record, conv.data

    async def text(self, uow: UnitOfWork, rid: int, text: str) -> Result | None:
        """Typed text in a complaint conversation (None: not in one)."""
        found = await self._step(uow, rid)
        if found is None:
            return None
        step, record, data = found
        if step == DRAFT_STEP:
            return await self.filing.text(uow, rid, text)
        action = STEPS.get(step)
        if record is None or action is None:
            return await self.desk.abandon(uow, rid)
        limit, cleaned = self.desk.limit(record), visible_text(text)
        if cleaned is None:
            return Result(notice("complaint.bad.invisible"))
        if len(cleaned) > limit:
            return Result(notice("complaint.bad.too_long", limit=limit, length=len(cleaned)))
        # Still theirs, and still in a state the step's action may start from?
        move = await self.desk.allowed(uow, rid, rid, record, action)
        if isinstance(move, Refusal):
            return await self.desk.abandon(uow, rid)
        if move.actor is Actor.CITIZEN:
            return await self.citizen.typed(uow, rid, record, step, cleaned)
        if move.actor is Actor.COHANDLER:
            return await self.cohandling.typed(uow, rid, record, move, cleaned, dict(data))
        return await self.handling.typed(uow, rid, record, move, cleaned, dict(data))

    async def media(
        self, uow: UnitOfWork, rid: int, kind: str, file_id: str, mime: str | None, size: int | None
    ) -> Result | None:
        """A photo or document in a complaint conversation (None: not in one)."""
        found = await self._step(uow, rid)
        if found is None:
            return None
        step, record, data = found
        if step == DRAFT_STEP:
            return await self.filing.attach(uow, rid, kind, file_id, mime, size)
        if step == PART_STEP and record is not None:
            move = await self.desk.allowed(uow, rid, rid, record, Action.PART)
            if isinstance(move, Refusal):
                return await self.desk.abandon(uow, rid)
            return await self.cohandling.attach(uow, rid, record, dict(data), kind, file_id)
        if step != INFO_STEP or record is None:
            return Result(notice("complaint.no_files_here"))
        move = await self.desk.allowed(uow, rid, rid, record, Action.INFO)
        if isinstance(move, Refusal):
            return Result(notice("complaint.no_files_here"))
        return await self.citizen.attach(uow, record, kind, file_id, mime, size)

    # -- buttons on complaints: who may press what --------------------------------------------

    async def act(
        self,
        uow: UnitOfWork,
        uid: int,
        chat_id: int | None,
        tracking: str,
        button: str,
        arg: int,
    ) -> Result:
        """A button on a complaint card, result or list, checked against who pressed it.

        Buttons name the complaint by its tracking number; an unknown (or forged) one is stale.
        """
        record = await ComplaintRepo(uow).by_tracking(tracking)
        action = BUTTONS.get(button)
        if record is None or action is None:
            return Result(toast=notice("common.stale"))
        move = await self.desk.allowed(uow, uid, chat_id, record, action)
        if isinstance(move, Refusal):
            return Result(toast=notice(refused(move)))
        return await self._press(uow, uid, record, move, button, arg)

    async def _press(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        button: str,
        arg: int,
    ) -> Result:
        """Hand an allowed press to the part of the person acting."""
        if move.action in (Action.COHANDLE, Action.PART):
            return await self.cohandling.press(uow, uid, record, move, button, arg)
        if move.actor is Actor.CITIZEN:
            return await self.citizen.press(uow, uid, record, move, arg)
        if move.actor is Actor.HANDLER:
            return await self.handling.press(uow, uid, record, move, button, arg)
        return await self.centre_desk.press(uow, uid, record, move, button, arg)

    # -- lists for handlers and the centre; reminders -----------------------------------------

    async def cases(self, uow: UnitOfWork, uid: int) -> list[Card]:
        """/cases: open complaints of the person's units, those they co-handle, and those
        at the centre if a member."""
        repo, units = ComplaintRepo(uow), await self.desk.access.handled_units(uow, uid)
        cards = [Card(self.desk.view(r), "handler") for r in await repo.of_units(units)]
        cards += [
            Card(for_cohandlers(self.desk.view(r)), "cohandler")
            for r in await repo.cohandled(units)
        ]
        if self.centre.includes(uid, None):
            cards += [Card(self.desk.view(r), "centre") for r in await repo.in_triage()]
        return cards

    async def due_notices(self, uow: UnitOfWork) -> list[Delivery]:
        """Claim the reminders and escalations due now (each once, ever) and say to whom."""
        return await due_notices(self.desk, uow)
