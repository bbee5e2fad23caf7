"""The complaint service: filing, routing, handling, callback, review, reminders.

It knows nothing of Telegram.  Each public method takes ids and text, works in
the caller's unit of work (state changes are guarded updates on the writer,
committed before returning) and returns a `Result`: what to show the person
acting, and `deliveries` for everyone else (handlers, the centre, the citizen).
Everything sent to others is built from a `ComplaintView`, which has no field
for who complained.

::

    citizen /complain ─► draft (flow.py) ─► filed ──► unit has handlers? ── yes ─► open
                                                         │ no / "not sure"            │ accept
                                                         ▼                            ▼
                       centre: route · case class ◄── triage ◄── transfer ──── accepted
                       extension: approve/refuse                         ask ⇄ answer (relayed)
                                                                                │ close + verdict
                        reopen ◄── review requested ◄── 不满意 ◄── rating ◄── closed (finding)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bot.access.service import AccessService, Role
from bot.campaign.schema import Campaign, Complaints
from bot.complaints import flow
from bot.complaints.deadlines import Deadline, case_class, deadline, extended
from bot.complaints.flow import Attachment, Draft, Outcome
from bot.complaints.lifecycle import (
    RULES,
    Action,
    Actor,
    Refusal,
    Status,
    Transition,
    Why,
    check,
    sources,
)
from bot.complaints.records import ComplaintRecord, Finding, new_tracking
from bot.complaints.screens import (
    RATINGS,
    VERDICTS,
    Card,
    Choice,
    ComplaintView,
    Delivery,
    DraftScreen,
    Filed,
    MyComplaints,
    Relay,
    Result,
    ResultScreen,
    notice,
)
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.survey.service import SurveyService
from bot.survey.units import page_of
from bot.workdays import WorkdayCalendar
from storage.complaints import ComplaintRepo
from storage.records import ConversationRecord
from storage.uow import UnitOfWork

FLOW = "complaint"
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
    "c_info": Action.INFO,
    "c_answer": Action.REPLY,
    "h_ask": Action.ASK,
    "h_extend": Action.EXTEND,
    "h_transfer": Action.TRANSFER,
    "h_close": Action.CLOSE,
}
# What a refused press is told: not theirs to take …
NOT_YOURS = {
    Actor.CITIZEN: "complaint.not_yours",
    Actor.HANDLER: "complaint.not_your_unit",
    Actor.CENTRE: "complaint.centre_only",
}
# … or not from the state the complaint is in.
WRONG_STATE = {
    Action.INFO: "complaint.already_closed",
    Action.REPLY: "complaint.already_closed",
    Action.RATE: "complaint.already_rated",
    Action.REVIEW: "complaint.review_refused",
    Action.ROUTE: "complaint.not_in_triage",
    Action.SET_CLASS: "common.stale",
    Action.APPROVE: "complaint.no_extension",
    Action.REFUSE: "complaint.no_extension",
    Action.REOPEN: "complaint.no_review",
    Action.UPHOLD: "complaint.no_review",
}
MAX_EVIDENCE = 2 * flow.MAX_ATTACHMENTS  # at filing, plus as much again added later
NOTICE_BATCH = 100


@dataclass(frozen=True)
class Centre:
    """The complaint centre (效能投诉中心): its members and/or its group chat."""

    user_ids: frozenset[int] = frozenset()
    chat_id: int | None = None

    def recipients(self) -> list[int]:
        """Chats that receive the centre's cards."""
        chats = sorted(self.user_ids)
        if self.chat_id is not None and self.chat_id not in self.user_ids:
            chats.append(self.chat_id)
        return chats

    def includes(self, user_id: int, chat_id: int | None) -> bool:
        """Whether a press by `user_id` in `chat_id` acts for the centre."""
        return user_id in self.user_ids or (self.chat_id is not None and chat_id == self.chat_id)


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
        self.registry = registry
        self.clock = clock
        self.access = access
        self.conversations = conversations
        self.calendar = calendar or WorkdayCalendar.default()
        # Without a configured centre, the admins from configuration triage.
        self.centre = centre if centre.recipients() else Centre(access.admin_ids)

    # -- campaigns, views, conversation --------------------------------------------------

    def campaigns(self) -> list[Campaign]:
        """Campaigns taking complaints: those running today, else every one with rules."""
        taking = [c for c in self.registry.campaigns.values() if c.complaints is not None]
        running = [c for c in taking if self._running(c)]
        return sorted(running or taking, key=lambda c: c.id)

    def _running(self, campaign: Campaign) -> bool:
        today = local_today(self.clock, campaign.timezone)
        start = min(p.start for p in campaign.phases)
        end = max(p.end for p in campaign.phases)
        return start <= today <= end

    def _rules(self, campaign_id: str) -> tuple[Campaign, Complaints] | None:
        campaign = self.registry.campaigns.get(campaign_id)
        if campaign is None or campaign.complaints is None:
            return None
        return campaign, campaign.complaints

    def _unit_ids(self, campaign: Campaign) -> dict[str, int]:
        return {u.id: self.registry.unit_id(campaign, u) for u in campaign.units}

    def view(
        self, record: ComplaintRecord, attachments: tuple[Attachment, ...] = ()
    ) -> ComplaintView:
        """The complaint as handlers, the centre and the citizen may see it."""
        campaign = self.registry.campaigns[record.campaign_id]
        rules = campaign.complaints
        assert rules is not None
        found = self.registry.unit(record.unit_id) if record.unit_id is not None else None
        kind = next((k for k in rules.conduct_kinds if k.id == record.kind), None)
        tz = ZoneInfo(campaign.timezone)
        return ComplaintView(
            id=record.id,
            tracking=record.tracking,
            campaign=campaign,
            unit_id=record.unit_id,
            unit=found[1] if found else None,
            kind=kind,
            text=record.text,
            contact=record.contact,
            case_class=case_class(rules, record.case_class),
            status=record.status,
            filed_at=record.filed_at,
            due_day=record.due_at.astimezone(tz).date(),
            due_estimated=record.due_estimated,
            overdue=record.overdue,
            verdict=record.verdict,
            result=record.result,
            rating=record.rating,
            review=record.review,
            extension_reason=record.extension_reason,
            transfer_reason=record.transfer_reason,
            attachments=attachments,
        )

    async def _view_of(
        self, uow: UnitOfWork, complaint_id: int, files: bool = False
    ) -> ComplaintView:
        repo = ComplaintRepo(uow)
        record = await repo.get(complaint_id)
        assert record is not None
        return self.view(record, await repo.attachments(complaint_id) if files else ())

    async def in_flow(self, uow: UnitOfWork, rid: int) -> bool:
        """Whether the person's typed text and files belong to a complaint conversation."""
        return (await self.conversations.conversation(uow, rid)).flow == FLOW

    def _point(self, uow: UnitOfWork, rid: int, step: str, **data: Any) -> None:
        self.conversations.set_conversation(uow, ConversationRecord(rid, FLOW, step, data))

    def _idle(self, uow: UnitOfWork, rid: int) -> None:
        self.conversations.set_conversation(uow, ConversationRecord(rid))

    @staticmethod
    async def _flush(uow: UnitOfWork) -> None:
        """Commit what the update staged (the person's row) before writing on the writer."""
        if uow.pending:
            await uow.commit()

    # -- filing ---------------------------------------------------------------------------

    async def begin(self, uow: UnitOfWork, rid: int) -> Result:
        """/complain: resume the draft, or start one."""
        campaigns = self.campaigns()
        if not campaigns:
            return Result(notice("complaint.none_open"))
        await self._flush(uow)
        draft = await ComplaintRepo(uow).load_draft(rid)
        resumed = draft is not None and (
            not draft.campaign_id or draft.campaign_id in self.registry.campaigns
        )
        if draft is None or not resumed:
            draft = flow.start([c.id for c in campaigns])
            await ComplaintRepo(uow).save_draft(rid, draft, self.clock.now())
        self._point(uow, rid, "draft")
        await uow.commit()
        return Result(self._draft_screen(draft, resumed=resumed))

    def _draft_screen(self, draft: Draft, *, resumed: bool = False) -> DraftScreen:
        found = self._rules(draft.campaign_id) if draft.campaign_id else None
        campaign = found[0] if found else None
        rules = found[1] if found else None
        page, no_match = None, False
        if campaign is not None and draft.step == "unit":
            page = page_of(campaign.units, draft.page, draft.query)
            if draft.query and not page.units:
                page, no_match = page_of(campaign.units, 0, None), True
        unit = None
        if campaign is not None and draft.unit_id is not None:
            located = self.registry.unit(draft.unit_id)
            unit = located[1] if located else None
        kind = next((k for k in rules.conduct_kinds if k.id == draft.kind), None) if rules else None
        return DraftScreen(
            draft=draft,
            campaigns=self.campaigns(),
            campaign=campaign,
            page=page,
            unit_ids=self._unit_ids(campaign) if campaign else {},
            unit=unit,
            kind=kind,
            limit=rules.max_text_length if rules else 0,
            resumed=resumed,
            no_match=no_match,
        )

    async def draft_action(
        self, uow: UnitOfWork, rid: int, action: str, arg: int = 0, campaign_id: str = ""
    ) -> Result:
        """A button of the draft: campaign, unit, page, kind, done, clear, anon, edit, submit …"""
        draft = await ComplaintRepo(uow).load_draft(rid)
        if draft is None:
            return Result(toast=notice("common.stale"))
        if action == "submit":
            return await self._submit(uow, rid, draft)
        if action == "discard":
            await self._flush(uow)
            await ComplaintRepo(uow).drop_draft(rid)
            self._idle(uow, rid)
            await uow.commit()
            return Result(notice("complaint.discarded"), edit=True)
        step = self._draft_step(draft, action, arg, campaign_id)
        return await self._after(uow, rid, draft, step, edit=True)

    def _draft_step(self, draft: Draft, action: str, arg: int, campaign_id: str) -> flow.Step:
        found = self._rules(draft.campaign_id) if draft.campaign_id else None
        if action == "campaign":
            return flow.choose_campaign(draft, campaign_id, [c.id for c in self.campaigns()])
        if found is None:
            return flow.Step(Outcome.STALE, draft)
        campaign, rules = found
        if action == "unit":
            ids = set(self._unit_ids(campaign).values())
            return flow.choose_unit(draft, arg or None, ids)
        if action == "page":
            return flow.turn_page(draft, arg)
        if action == "kind":
            kinds = [k.id for k in rules.conduct_kinds]
            return flow.choose_kind(draft, kinds[arg] if 0 <= arg < len(kinds) else "", kinds)
        if action == "edit" and 0 <= arg < len(flow.EDITABLE):
            return flow.edit(draft, flow.EDITABLE[arg])
        simple = {
            "done": flow.evidence_done,
            "clear": flow.clear_evidence,
            "anon": flow.stay_anonymous,
        }
        if action in simple:
            return simple[action](draft)
        return flow.Step(Outcome.STALE, draft)

    async def _after(
        self, uow: UnitOfWork, rid: int, before: Draft, step: flow.Step, *, edit: bool
    ) -> Result:
        """Store a moved draft and show its step; otherwise say what was wrong."""
        if step.outcome is Outcome.MOVED:
            if step.draft != before:
                await self._flush(uow)
                await ComplaintRepo(uow).save_draft(rid, step.draft, self.clock.now())
            self._point(uow, rid, "draft")
            await uow.commit()
            screen = self._draft_screen(step.draft)
            also = None
            if step.draft.attachments != before.attachments and step.draft.attachments:
                also = notice("complaint.attached", **step.values)
            return Result(screen, edit=edit and also is None, also=also)
        if step.outcome is Outcome.STALE:
            return (
                Result(toast=notice("common.stale"))
                if edit
                else Result(self._draft_screen(before), also=notice("complaint.use_buttons"))
            )
        problem = notice(f"complaint.bad.{step.outcome.value}", **step.values)
        return Result(self._draft_screen(before), also=problem, toast=problem if edit else None)

    async def draft_text(self, uow: UnitOfWork, rid: int, draft: Draft, text: str) -> Result:
        """Typed text on a draft: a unit filter, the description, or contact details."""
        found = self._rules(draft.campaign_id) if draft.campaign_id else None
        if draft.step == "unit":
            return await self._after(uow, rid, draft, flow.filter_units(draft, text), edit=False)
        if draft.step == "text" and found is not None:
            step = flow.describe(draft, text, found[1].max_text_length)
            return await self._after(uow, rid, draft, step, edit=False)
        if draft.step == "contact":
            return await self._after(uow, rid, draft, flow.give_contact(draft, text), edit=False)
        return await self._after(uow, rid, draft, flow.Step(Outcome.STALE, draft), edit=False)

    async def _submit(self, uow: UnitOfWork, rid: int, draft: Draft) -> Result:
        """File the draft: route it, set its deadline, tell the citizen its tracking number."""
        step = flow.submit(draft)
        found = self._rules(draft.campaign_id)
        if step.outcome is not Outcome.MOVED or found is None:
            return await self._after(uow, rid, draft, step, edit=True)
        campaign, rules = found
        if draft.unit_id is not None and draft.unit_id not in self._unit_ids(campaign).values():
            return await self._after(
                uow, rid, draft, flow.Step(Outcome.FOREIGN_UNIT, draft), edit=True
            )
        now, cls = self.clock.now(), case_class(rules, None)
        tracking = new_tracking(local_today(self.clock, campaign.timezone).year)
        due = deadline(self.calendar, now, cls.working_days, campaign.timezone, tracking)
        handlers = await ComplaintRepo(uow).handlers_of(draft.unit_id)
        move = check(Action.FILE, Status.DRAFT, Actor.CITIZEN)
        assert isinstance(move, Transition)  # a citizen may always file their own draft
        values = {
            "campaign_id": campaign.id,
            "unit_id": draft.unit_id,
            "kind": draft.kind,
            "text": draft.text,
            "contact": draft.contact,
            "case_class": cls.id,
            "status": move.to(has_handlers=bool(handlers)),
            "overdue": False,
            **_deadline_values(due),
        }
        await self._flush(uow)
        complaint_id = await ComplaintRepo(uow).file(rid, draft, values, tracking, now)
        self._idle(uow, rid)
        await uow.commit()
        view = await self._view_of(uow, complaint_id, files=True)
        if handlers:
            note = notice("complaint.note.new")
            deliveries = [
                Delivery(h, Card(view, "handler", note), view.attachments) for h in handlers
            ]
        else:
            why = "complaint.note.no_unit" if draft.unit_id is None else "complaint.note.no_handler"
            deliveries = self._to_centre(view, notice(why), files=True)
        return Result(Filed(view), edit=True, deliveries=deliveries)

    def _to_centre(self, view: ComplaintView, note: Any, files: bool = False) -> list[Delivery]:
        files_ = view.attachments if files else ()
        return [Delivery(c, Card(view, "centre", note), files_) for c in self.centre.recipients()]

    async def _to_handlers(
        self, uow: UnitOfWork, view: ComplaintView, screen: Any, files: bool = False
    ) -> list[Delivery]:
        """To the unit's handlers, or to the centre when the complaint is with it."""
        if view.status == Status.TRIAGE or view.unit_id is None:
            return [
                Delivery(c, screen, view.attachments if files else ())
                for c in self.centre.recipients()
            ]
        handlers = await ComplaintRepo(uow).handlers_of(view.unit_id)
        return [Delivery(h, screen, view.attachments if files else ()) for h in handlers]

    # -- what a person types or sends, by conversation step ------------------------------

    async def text(self, uow: UnitOfWork, rid: int, text: str) -> Result | None:
        """Typed text in a complaint conversation (None: not in one)."""
        conv = await self.conversations.conversation(uow, rid)
        if conv.flow != FLOW:
            return None
        if conv.step == "draft":
            draft = await ComplaintRepo(uow).load_draft(rid)
            if draft is None:
                return await self._abandon(uow, rid)
            return await self.draft_text(uow, rid, draft, text)
        record = await ComplaintRepo(uow).get(int(conv.data.get("id", 0)))
        if record is None:
            return await self._abandon(uow, rid)
        limit = self._limit(record)
        cleaned = text.strip()
        if not cleaned or len(cleaned) > limit:
            key = "complaint.bad.empty" if not cleaned else "complaint.bad.too_long"
            return Result(notice(key, limit=limit, length=len(cleaned)))
        typed = {
            "c_info": self._add_info,
            "c_answer": self._answer,
            "h_ask": self._ask,
            "h_extend": self._extend,
            "h_transfer": self._transfer,
            "h_close": self._close,
        }.get(conv.step)
        action = STEPS.get(conv.step)
        if typed is None or action is None:
            return await self._abandon(uow, rid)
        # Still theirs, and still in a state the step's action may start from?
        if isinstance(await self._allowed(uow, rid, rid, record, action), Refusal):
            return await self._abandon(uow, rid)
        return await typed(uow, rid, record, cleaned, conv.data)

    async def media(
        self, uow: UnitOfWork, rid: int, kind: str, file_id: str, mime: str | None, size: int | None
    ) -> Result | None:
        """A photo or document in a complaint conversation (None: not in one)."""
        conv = await self.conversations.conversation(uow, rid)
        if conv.flow != FLOW:
            return None
        if conv.step == "draft":
            draft = await ComplaintRepo(uow).load_draft(rid)
            if draft is None:
                return await self._abandon(uow, rid)
            step = flow.attach(draft, kind, file_id, mime, size)
            return await self._after(uow, rid, draft, step, edit=False)
        record = await ComplaintRepo(uow).get(int(conv.data.get("id", 0)))
        if conv.step != "c_info" or record is None or record.complainant_id != rid:
            return Result(notice("complaint.no_files_here"))
        probe = flow.attach(Draft(step="evidence"), kind, file_id, mime, size)
        if probe.outcome is not Outcome.MOVED:
            return Result(notice(f"complaint.bad.{probe.outcome.value}", **probe.values))
        if len(await ComplaintRepo(uow).attachments(record.id)) >= MAX_EVIDENCE:
            return Result(notice("complaint.bad.too_many", limit=MAX_EVIDENCE))
        now = self.clock.now()
        await self._flush(uow)
        await ComplaintRepo(uow).add_entry(record.id, "citizen", kind, now, file_id=file_id)
        view = self.view(record, (Attachment(kind, file_id),))
        relay = Relay(view, "info_file", "", "handler")
        deliveries = await self._to_handlers(uow, view, relay, files=True)
        return Result(
            notice("complaint.info_added", tracking=record.tracking), deliveries=deliveries
        )

    async def _abandon(self, uow: UnitOfWork, rid: int) -> Result:
        self._idle(uow, rid)
        await uow.commit()
        return Result(notice("common.stale"))

    def _limit(self, record: ComplaintRecord) -> int:
        found = self._rules(record.campaign_id)
        return found[1].max_text_length if found else 2000

    async def cancel(self, uow: UnitOfWork, rid: int) -> Result:
        """/cancel inside a complaint conversation: leave it; a draft is kept."""
        conv = await self.conversations.conversation(uow, rid)
        self._idle(uow, rid)
        await uow.commit()
        kept = conv.step == "draft"
        return Result(notice("complaint.cancelled_kept" if kept else "common.cancelled"))

    # -- the citizen after filing -----------------------------------------------------------

    async def mine(self, uow: UnitOfWork, rid: int) -> Result:
        """/mycomplaints: the citizen's own complaints, with status and due date."""
        records = await ComplaintRepo(uow).of_complainant(rid)
        if not records:
            return Result(notice("complaint.none_mine"))
        return Result(MyComplaints([self.view(r) for r in records]))

    async def _add_info(
        self, uow: UnitOfWork, rid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        """More information from the citizen on an open complaint, relayed to its handlers."""
        return await self._from_citizen(uow, rid, record, text, "info", "complaint.info_added")

    async def _answer(
        self, uow: UnitOfWork, rid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        """The citizen's answer to a handler's question, relayed without names."""
        return await self._from_citizen(uow, rid, record, text, "answer", "complaint.answer_sent")

    async def _from_citizen(
        self, uow: UnitOfWork, rid: int, record: ComplaintRecord, text: str, kind: str, done: str
    ) -> Result:
        """Store a citizen's entry on their open complaint and relay it to the handlers."""
        now = self.clock.now()
        await self._flush(uow)
        await ComplaintRepo(uow).add_entry(record.id, "citizen", kind, now, text)
        self._idle(uow, rid)
        await uow.commit()
        view = self.view(record)
        deliveries = await self._to_handlers(uow, view, Relay(view, kind, text, "handler"))
        return Result(notice(done, tracking=record.tracking), deliveries=deliveries)

    # -- buttons on complaints: who may press what ------------------------------------------

    async def act(
        self,
        uow: UnitOfWork,
        uid: int,
        chat_id: int | None,
        complaint_id: int,
        button: str,
        arg: int,
    ) -> Result:
        """A button on a complaint card, result or list, checked against who pressed it."""
        record = await ComplaintRepo(uow).get(complaint_id)
        action = BUTTONS.get(button)
        if record is None or action is None:
            return Result(toast=notice("common.stale"))
        move = await self._allowed(uow, uid, chat_id, record, action)
        if isinstance(move, Refusal):
            return Result(toast=notice(_refused(move)))
        if move.actor is Actor.CITIZEN:
            return await self._citizen_act(uow, uid, record, button, arg)
        if move.actor is Actor.HANDLER:
            return await self._handler_act(uow, uid, record, button, arg)
        return await self._centre_act(uow, uid, record, button, arg, move)

    async def _allowed(
        self,
        uow: UnitOfWork,
        uid: int,
        chat_id: int | None,
        record: ComplaintRecord,
        action: Action,
    ) -> Transition | Refusal:
        """The lifecycle's answer for this person: in the first role they hold that may act."""
        holds = None
        for actor in Actor:
            if actor in RULES[action].actors and await self._holds(
                uow, uid, chat_id, record, actor
            ):
                holds = actor
                break
        return check(action, record.status, holds)

    async def _holds(
        self, uow: UnitOfWork, uid: int, chat_id: int | None, record: ComplaintRecord, actor: Actor
    ) -> bool:
        """Whether the person is, for this complaint, the complainant, its unit's handler or
        the centre."""
        if actor is Actor.CITIZEN:
            return record.complainant_id == uid
        if actor is Actor.HANDLER:
            return record.unit_id is not None and await self.access.has(
                uow, uid, Role.HANDLER, record.unit_id
            )
        return self.centre.includes(uid, chat_id)

    async def _citizen_act(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, action: str, arg: int
    ) -> Result:
        if action in ("info", "reply"):
            step = "c_info" if action == "info" else "c_answer"
            self._point(uow, uid, step, id=record.id)
            await uow.commit()
            key = "complaint.prompt.info" if action == "info" else "complaint.prompt.answer"
            return Result(notice(key, tracking=record.tracking), toast=None)
        if action == "rate":
            if not 0 <= arg < len(RATINGS):
                return Result(toast=notice("common.stale"))
            changed = await self._change(
                uow, record, Action.RATE, {"rating": None}, rating=RATINGS[arg]
            )
            if not changed:
                return Result(toast=notice("complaint.already_rated"))
            view = await self._view_of(uow, record.id)
            return Result(ResultScreen(view), edit=True, toast=notice("complaint.rated"))
        # review: once, after 不满意
        expect = {"rating": "dissatisfied", "review": None}
        if not await self._change(uow, record, Action.REVIEW, expect, review="requested"):
            return Result(toast=notice("complaint.review_refused"))
        view = await self._view_of(uow, record.id, files=True)
        result = Result(ResultScreen(view), edit=True, toast=notice("complaint.review_sent"))
        result.deliveries = self._to_centre(view, notice("complaint.note.review"))
        return result

    async def _change(
        self,
        uow: UnitOfWork,
        record: ComplaintRecord,
        action: Action,
        expect: dict[str, Any],
        **values: Any,
    ) -> bool:
        """Apply `values` if the complaint is still in a state `action` may start from
        (and its other columns still hold `expect`)."""
        await self._flush(uow)
        guard = {"status": sources(action), **expect}
        return await ComplaintRepo(uow).change(record.id, guard, self.clock.now(), **values)

    # -- the unit's handler ------------------------------------------------------------------

    async def _handler_act(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, action: str, arg: int
    ) -> Result:
        if action == "accept":
            now = self.clock.now()
            if not await self._change(
                uow, record, Action.ACCEPT, {}, status=Status.ACCEPTED, accepted_at=now
            ):
                return Result(toast=notice("complaint.already_accepted"))
            view = await self._view_of(uow, record.id)
            citizen = Delivery(
                record.complainant_id, notice("complaint.citizen.accepted", **_facts(view))
            )
            return Result(
                Card(view, "handler"),
                edit=True,
                toast=notice("complaint.accepted"),
                deliveries=[citizen],
            )
        view = self.view(record)
        if action == "close":
            return Result(Choice(view, "verdicts"), edit=True)
        if action == "back":
            return Result(Card(view, "handler"), edit=True)
        if action == "verdict":
            if not 0 <= arg < len(VERDICTS):
                return Result(toast=notice("common.stale"))
            self._point(uow, uid, "h_close", id=record.id, verdict=VERDICTS[arg])
            await uow.commit()
            return Result(
                notice("complaint.prompt.close", tracking=record.tracking, verdict=VERDICTS[arg])
            )
        if action == "extend" and record.extension_reason is not None:
            return Result(toast=notice("complaint.extension_pending"))
        self._point(uow, uid, f"h_{action}", id=record.id)
        await uow.commit()
        return Result(
            notice(
                f"complaint.prompt.{action}", tracking=record.tracking, limit=self._limit(record)
            )
        )

    async def _ask(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        now = self.clock.now()
        await self._flush(uow)
        await ComplaintRepo(uow).add_entry(record.id, "handler", "question", now, text)
        self._idle(uow, uid)
        await uow.commit()
        view = self.view(record)
        relay = Relay(view, "question", text, "citizen", reply_button=True)
        return Result(
            notice("complaint.question_sent", tracking=record.tracking),
            deliveries=[Delivery(record.complainant_id, relay)],
        )

    async def _extend(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        done = await self._change(
            uow, record, Action.EXTEND, {"extension_reason": None}, extension_reason=text
        )
        self._idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.extension_pending"))
        view = await self._view_of(uow, record.id)
        return Result(
            notice("complaint.extension_sent", tracking=record.tracking),
            deliveries=self._to_centre(view, notice("complaint.note.extension")),
        )

    async def _transfer(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        done = await self._change(
            uow, record, Action.TRANSFER, {}, status=Status.TRIAGE, transfer_reason=text
        )
        self._idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.not_with_unit"))
        view = await self._view_of(uow, record.id, files=True)
        return Result(
            notice("complaint.transferred", tracking=record.tracking),
            deliveries=self._to_centre(view, notice("complaint.note.transfer"), files=True),
        )

    async def _close(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, text: str, data: dict[str, Any]
    ) -> Result:
        verdict = str(data.get("verdict"))
        if verdict not in VERDICTS:
            return await self._abandon(uow, uid)
        now = self.clock.now()
        finding = self._finding(record, verdict)

        values = {
            "status": Status.CLOSED,
            "closed_at": now,
            "verdict": verdict,
            "result": text,
            "rating": None,
            "extension_reason": None,
        }
        await self._flush(uow)
        done = await ComplaintRepo(uow).close(
            record, {"status": sources(Action.CLOSE)}, now, values, finding, uid
        )
        self._idle(uow, uid)
        await uow.commit()
        if not done:
            return Result(notice("complaint.not_with_unit"))
        view = await self._view_of(uow, record.id)
        return Result(
            notice("complaint.closed", tracking=record.tracking),
            deliveries=[Delivery(record.complainant_id, ResultScreen(view))],
        )

    def _finding(self, record: ComplaintRecord, verdict: str) -> Finding | None:
        """(deduction component, points × 100) a verdict records, if any."""
        found = self._rules(record.campaign_id)
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

    # -- the complaint centre -----------------------------------------------------------------

    async def _centre_act(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        action: str,
        arg: int,
        move: Transition,
    ) -> Result:
        view = self.view(record)
        campaign = view.campaign
        if action == "route":
            ids = self._unit_ids(campaign)
            return Result(Choice(view, "units", page_of(campaign.units, arg), ids), edit=True)
        if action == "class":
            return Result(Choice(view, "classes"), edit=True)
        if action == "cback":
            return Result(Card(view, "centre"), edit=True)
        if action == "unit":
            return await self._route(uow, record, arg, move)
        if action == "setclass":
            return await self._set_class(uow, record, arg)
        if action in ("approve", "refuse"):
            return await self._decide_extension(uow, record, action == "approve")
        return await self._decide_review(uow, record, move)

    async def _route(
        self, uow: UnitOfWork, record: ComplaintRecord, unit_id: int, move: Transition
    ) -> Result:
        campaign = self.registry.campaigns[record.campaign_id]
        if unit_id not in self._unit_ids(campaign).values():
            return Result(toast=notice("complaint.bad.foreign_unit"))
        handlers = await ComplaintRepo(uow).handlers_of(unit_id)
        status = move.to(has_handlers=bool(handlers))
        done = await self._change(uow, record, Action.ROUTE, {}, unit_id=unit_id, status=status)
        if not done:
            return Result(toast=notice("complaint.not_in_triage"))
        view = await self._view_of(uow, record.id, files=True)
        if not handlers:
            return Result(
                Card(view, "centre"), edit=True, toast=notice("complaint.note.no_handler")
            )
        note = notice("complaint.note.routed")
        deliveries = [Delivery(h, Card(view, "handler", note), view.attachments) for h in handlers]
        return Result(
            Card(view, "centre"), edit=True, toast=notice("complaint.routed"), deliveries=deliveries
        )

    async def _set_class(self, uow: UnitOfWork, record: ComplaintRecord, index: int) -> Result:
        campaign = self.registry.campaigns[record.campaign_id]
        rules = campaign.complaints
        assert rules is not None
        if not 0 <= index < len(rules.case_classes):
            return Result(toast=notice("common.stale"))
        cls = rules.case_classes[index]
        due = deadline(
            self.calendar, record.filed_at, cls.working_days, campaign.timezone, record.tracking
        )
        done = await self._change(
            uow,
            record,
            Action.SET_CLASS,
            {},
            case_class=cls.id,
            **_deadline_values(due, reset=True),
        )
        if not done:
            return Result(toast=notice("common.stale"))
        view = await self._view_of(uow, record.id)
        deliveries = []
        if view.status != Status.TRIAGE:
            deliveries = await self._to_handlers(
                uow, view, notice("complaint.new_due", **_facts(view))
            )
        return Result(
            Card(view, "centre"),
            edit=True,
            toast=notice("complaint.class_set"),
            deliveries=deliveries,
        )

    async def _decide_extension(
        self, uow: UnitOfWork, record: ComplaintRecord, approve: bool
    ) -> Result:
        if record.extension_reason is None:
            return Result(toast=notice("complaint.no_extension"))
        action = Action.APPROVE if approve else Action.REFUSE
        expect = {"extension_reason": record.extension_reason}
        values: dict[str, Any] = {"extension_reason": None}
        if approve:
            campaign = self.registry.campaigns[record.campaign_id]
            days = self.view(record).case_class.working_days
            due = extended(self.calendar, record.due_at, days, campaign.timezone, record.tracking)
            values.update(_deadline_values(due, reset=True))
        if not await self._change(uow, record, action, expect, **values):
            return Result(toast=notice("complaint.no_extension"))
        view = await self._view_of(uow, record.id)
        key = "complaint.extension_approved" if approve else "complaint.extension_refused"
        deliveries = await self._to_handlers(uow, view, notice(key, **_facts(view)))
        if approve:
            deliveries.append(
                Delivery(
                    record.complainant_id, notice("complaint.citizen.extended", **_facts(view))
                )
            )
        return Result(
            Card(view, "centre"),
            edit=True,
            toast=notice(key, **_facts(view)),
            deliveries=deliveries,
        )

    async def _decide_review(
        self, uow: UnitOfWork, record: ComplaintRecord, move: Transition
    ) -> Result:
        expect = {"review": "requested"}
        if move.action is Action.UPHOLD:
            if not await self._change(uow, record, Action.UPHOLD, expect, review="upheld"):
                return Result(toast=notice("complaint.no_review"))
            view = await self._view_of(uow, record.id)
            citizen = Delivery(
                record.complainant_id, notice("complaint.citizen.upheld", **_facts(view))
            )
            return Result(
                Card(view, "centre"),
                edit=True,
                toast=notice("complaint.upheld"),
                deliveries=[citizen],
            )
        campaign = self.registry.campaigns[record.campaign_id]
        now = self.clock.now()
        days = self.view(record).case_class.working_days
        due = deadline(self.calendar, now, days, campaign.timezone, record.tracking)
        handlers = await ComplaintRepo(uow).handlers_of(record.unit_id)
        values = {
            "review": "reopened",
            "status": move.to(has_handlers=bool(handlers)),
            "verdict": None,
            "result": None,
            "closed_at": None,
            "accepted_at": None,
            **_deadline_values(due, reset=True),
        }

        await self._flush(uow)
        guard = {"status": sources(Action.REOPEN), **expect}
        if not await ComplaintRepo(uow).reopen(record, guard, now, **values):
            return Result(toast=notice("complaint.no_review"))
        view = await self._view_of(uow, record.id, files=True)
        note = notice("complaint.note.reopened")
        deliveries = [Delivery(h, Card(view, "handler", note), view.attachments) for h in handlers]
        deliveries.append(
            Delivery(record.complainant_id, notice("complaint.citizen.reopened", **_facts(view)))
        )
        return Result(
            Card(view, "centre"),
            edit=True,
            toast=notice("complaint.reopened"),
            deliveries=deliveries,
        )

    # -- lists for handlers and the centre ---------------------------------------------------

    async def cases(self, uow: UnitOfWork, uid: int) -> list[Card]:
        """/cases: open complaints of the person's units, and those at the centre if a member."""
        cards = [
            Card(self.view(r), "handler")
            for r in await ComplaintRepo(uow).of_units(await self.access.handled_units(uow, uid))
        ]
        if self.centre.includes(uid, None):
            cards += [Card(self.view(r), "centre") for r in await ComplaintRepo(uow).in_triage()]
        return cards

    # -- reminders and escalation -------------------------------------------------------------

    async def due_notices(self, uow: UnitOfWork) -> list[Delivery]:
        """Claim the reminders and escalations due now (each once, ever) and say to whom.

        Handlers are reminded one working day before the due day; a complaint past
        its due time is marked overdue and escalated to the centre.
        """
        now = self.clock.now()
        deliveries: list[Delivery] = []
        for record in await ComplaintRepo(uow).claim_due(now, "due_at", NOTICE_BATCH):
            view = self.view(record)
            deliveries += self._to_centre(view, notice("complaint.note.overdue"))
            if record.status != Status.TRIAGE:
                deliveries += await self._to_handlers(
                    uow, view, notice("complaint.overdue", **_facts(view))
                )
        for record in await ComplaintRepo(uow).claim_due(now, "remind_at", NOTICE_BATCH):
            if record.due_at < now:
                continue  # already escalated: a "due tomorrow" would be wrong now
            view = self.view(record)
            note = notice("complaint.note.reminder")
            deliveries += await self._to_handlers(uow, view, Card(view, "handler", note))
        return deliveries


def _deadline_values(due: Deadline, *, reset: bool = False) -> dict[str, Any]:
    values: dict[str, Any] = {
        "due_at": due.due_at,
        "remind_at": due.remind_at,
        "due_estimated": due.estimated,
    }
    if reset:
        values.update(reminded_at=None, escalated_at=None, overdue=False)
    return values


def _facts(view: ComplaintView) -> dict[str, Any]:
    """Values most complaint notices share (the renderer localises the date)."""
    return {
        "tracking": view.tracking,
        "unit": view.unit.name if view.unit else "",
        "due": view.due_day,
        "estimated": view.due_estimated,
    }


def _refused(refusal: Refusal) -> str:
    """The notice key telling a person why the lifecycle refused their press."""
    if refusal.why is Why.ACTOR:
        return NOT_YOURS[next(iter(RULES[refusal.action].actors))]
    if refusal.action is Action.ACCEPT and refusal.status is Status.ACCEPTED:
        return "complaint.already_accepted"
    return WRONG_STATE.get(refusal.action, "complaint.not_with_unit")
