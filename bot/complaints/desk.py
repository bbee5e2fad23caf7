"""What every part of the complaint service shares: campaigns, views, who may act, writes.

The service is split by who acts (filing.py, citizen.py, handling.py, centre.py,
notices.py); each part holds the one `Desk`, so the centre named after start-up
(`ComplaintService.centre = …`) is seen by all of them at once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.access.service import AccessService, Role
from bot.campaign.schema import Campaign, Complaints
from bot.complaints.deadlines import Deadline, case_class
from bot.complaints.flow import Attachment
from bot.complaints.lifecycle import RULES, Action, Actor, Refusal, Status, Transition, Why, check
from bot.complaints.lifecycle import sources as starts_from
from bot.complaints.records import ComplaintRecord
from bot.complaints.screens import Card, ComplaintView, Delivery, Result, Screen, notice
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.survey.service import SurveyService
from bot.workdays import WorkdayCalendar
from storage.complaints import ComplaintRepo
from storage.records import ConversationRecord
from storage.uow import UnitOfWork

FLOW = "complaint"
# What a refused press is told: not theirs to take …
NOT_YOURS = {
    Actor.CITIZEN: "complaint.not_yours",
    Actor.HANDLER: "complaint.not_your_unit",
    Actor.CENTRE: "complaint.centre_only",
    Actor.COHANDLER: "complaint.not_cohandler",
}
# … or not from the state the complaint is in (the handler's actions: "not with the unit").
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
Others = Callable[[ComplaintView], Awaitable[list[Delivery]]]


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


@dataclass(frozen=True)
class Refresh:
    """What a card-refreshing action says: its toast, or why it no longer applies, and
    what the complainant is told (notice keys; their values are the complaint's facts)."""

    toast: str
    refused: str
    citizen: str | None = None
    files: bool = False  # re-read the evidence (it goes to handlers with their card)


class Desk:
    """Campaigns, views, the lifecycle check, guarded writes and the audit, shared."""

    def __init__(
        self,
        registry: Registry,
        clock: Clock,
        access: AccessService,
        conversations: SurveyService,
        centre: Centre,
        calendar: WorkdayCalendar,
    ) -> None:
        """Without a configured centre, the admins from configuration triage."""
        self.registry = registry
        self.clock = clock
        self.access = access
        self.conversations = conversations
        self.calendar = calendar
        self.centre = centre if centre.recipients() else Centre(access.admin_ids)

    # -- campaigns and views ----------------------------------------------------------------

    def campaigns(self) -> list[Campaign]:
        """Campaigns taking complaints: those running today, else every one with rules."""
        taking = [c for c in self.registry.campaigns.values() if c.complaints is not None]
        running = [c for c in taking if self._running(c)]
        return sorted(running or taking, key=lambda c: c.id)

    def _running(self, campaign: Campaign) -> bool:
        """Whether today (in the campaign's time zone) is inside its phases."""
        today = local_today(self.clock, campaign.timezone)
        start = min(p.start for p in campaign.phases)
        end = max(p.end for p in campaign.phases)
        return start <= today <= end

    def rules(self, campaign_id: str) -> tuple[Campaign, Complaints] | None:
        """The campaign and its complaint rules, if it takes complaints."""
        campaign = self.registry.campaigns.get(campaign_id)
        if campaign is None or campaign.complaints is None:
            return None
        return campaign, campaign.complaints

    def unit_ids(self, campaign: Campaign) -> dict[str, int]:
        """The campaign's units: code → database id."""
        return {u.id: self.registry.unit_id(campaign, u) for u in campaign.units}

    def limit(self, record: ComplaintRecord) -> int:
        """How long a typed text on this complaint may be."""
        found = self.rules(record.campaign_id)
        return found[1].max_text_length if found else 2000

    def view(
        self, record: ComplaintRecord, attachments: tuple[Attachment, ...] = ()
    ) -> ComplaintView:
        """The complaint as handlers, the centre and the citizen may see it."""
        campaign = self.registry.campaigns[record.campaign_id]
        rules = campaign.complaints
        assert rules is not None
        found = self.registry.unit(record.unit_id) if record.unit_id is not None else None
        return ComplaintView(
            tracking=record.tracking,
            campaign=campaign,
            unit_id=record.unit_id,
            unit=found[1] if found else None,
            kind=next((k for k in rules.conduct_kinds if k.id == record.kind), None),
            text=record.text,
            contact=record.contact,
            case_class=case_class(rules, record.case_class),
            status=record.status,
            filed_at=record.filed_at,
            due_day=record.due_at.astimezone(ZoneInfo(campaign.timezone)).date(),
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

    async def view_of(
        self, uow: UnitOfWork, complaint_id: int, files: bool = False
    ) -> ComplaintView:
        """The complaint as it is now (after a change), with its evidence if `files`."""
        repo = ComplaintRepo(uow)
        record = await repo.get(complaint_id)
        assert record is not None
        return self.view(record, await repo.attachments(complaint_id) if files else ())

    # -- the person's conversation ------------------------------------------------------------

    def point(self, uow: UnitOfWork, rid: int, step: str, **data: Any) -> None:
        """Stage the person's next typed text as belonging to `step` of the complaint flow."""
        self.conversations.set_conversation(uow, ConversationRecord(rid, FLOW, step, data))

    def idle(self, uow: UnitOfWork, rid: int) -> None:
        """Stage the person's conversation as leaving the complaint flow."""
        self.conversations.set_conversation(uow, ConversationRecord(rid))

    async def abandon(self, uow: UnitOfWork, rid: int) -> Result:
        """Leave a conversation step that no longer applies, and say so."""
        self.idle(uow, rid)
        await uow.commit()
        return Result(notice("common.stale"))

    @staticmethod
    async def writes(uow: UnitOfWork) -> ComplaintRepo:
        """The repository, ready to write: what the update staged (the person's row, which
        complaint rows refer to) is committed first, since writes run on the writer."""
        if uow.pending:
            await uow.commit()
        return ComplaintRepo(uow)

    # -- who may act, and acting --------------------------------------------------------------

    async def allowed(
        self,
        uow: UnitOfWork,
        uid: int,
        chat_id: int | None,
        record: ComplaintRecord,
        action: Action,
    ) -> Transition | Refusal:
        """The lifecycle's answer for this person, acting in a role the action allows."""
        for actor in sorted(RULES[action].actors):
            if await self._holds(uow, uid, chat_id, record, actor):
                return check(action, record.status, actor)
        return check(action, record.status, None)

    async def _holds(
        self, uow: UnitOfWork, uid: int, chat_id: int | None, record: ComplaintRecord, actor: Actor
    ) -> bool:
        """Whether the person is this complaint's complainant, its unit's handler, a
        co-handling unit's handler, the centre."""
        if actor is Actor.CITIZEN:
            return record.complainant_id == uid
        if actor is Actor.COHANDLER:
            return bool(await self.cohandling_units(uow, uid, record))
        if actor is Actor.HANDLER:
            return record.unit_id is not None and await self.access.has(
                uow, uid, Role.HANDLER, record.unit_id
            )
        return self.centre.includes(uid, chat_id)

    async def cohandling_units(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord
    ) -> list[int]:
        """The complaint's co-handling units the person is a handler of."""
        units = await ComplaintRepo(uow).cohandlers(record.id)
        return [u for u in units if await self.access.has(uow, uid, Role.HANDLER, u)]

    async def change(
        self,
        uow: UnitOfWork,
        record: ComplaintRecord,
        action: Action,
        expect: dict[str, Any],
        **values: Any,
    ) -> bool:
        """Apply `values` if the complaint is still in a state `action` may start from and
        its other columns still hold `expect` (one guarded UPDATE)."""
        guard = {**expect, "status": starts_from(action)}
        repo = await self.writes(uow)
        return await repo.change(record.id, guard, self.clock.now(), **values)

    async def audit(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        after: Status,
        reason: str = "",
        **details: Any,
    ) -> None:
        """Write a handler's or the centre's action to the audit log: who, what, when.

        The subject is the tracking number; the complainant is never named.
        Citizens' own actions are not audited (that would record who complained).
        """
        if move.actor is Actor.CITIZEN:
            return
        what: dict[str, object] = {"by": move.actor.value, "from": move.source.value}
        what["to"] = after.value
        what.update({k: v for k, v in details.items() if v is not None})
        subject = f"complaint {record.tracking}"
        await self.access.audit(uow, uid, f"complaint.{move.action}", subject, reason, what)

    async def refreshed(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        done: bool,
        say: Refresh,
        others: Others | None = None,
        **details: Any,
    ) -> Result:
        """After a card's action: audit it, re-read the complaint, tell the complainant
        and `others`, and return the refreshed card with a toast (or why it did not apply).

        `details` go to the audit entry (a `reason` there is the entry's reason).
        """
        if not done:
            return Result(toast=notice(say.refused))
        view = await self.view_of(uow, record.id, files=say.files)
        await self.audit(uow, uid, record, move, view.status, **details)
        deliveries = await others(view) if others is not None else []
        if say.citizen is not None:
            deliveries.append(Delivery(record.complainant_id, notice(say.citizen, **facts(view))))
        card = Card(view, move.actor.value)
        return Result(
            card, edit=True, toast=notice(say.toast, **facts(view)), deliveries=deliveries
        )

    # -- to whom --------------------------------------------------------------------------------

    def to_centre(self, view: ComplaintView, note: Any, files: bool = False) -> list[Delivery]:
        """The centre's card of this complaint, under `note`, to each centre chat."""
        attached = view.attachments if files else ()
        return [Delivery(c, Card(view, "centre", note), attached) for c in self.centre.recipients()]

    async def to_handlers(
        self, uow: UnitOfWork, view: ComplaintView, screen: Screen, files: bool = False
    ) -> list[Delivery]:
        """To the unit's handlers, or to the centre when the complaint is with it."""
        attached = view.attachments if files else ()
        if view.status is Status.TRIAGE or view.unit_id is None:
            return [Delivery(c, screen, attached) for c in self.centre.recipients()]
        handlers = await ComplaintRepo(uow).handlers_of(view.unit_id)
        return [Delivery(h, screen, attached) for h in handlers]

    @staticmethod
    def handler_cards(view: ComplaintView, handlers: list[int], note_key: str) -> list[Delivery]:
        """The handler's card of a complaint newly with them, with its evidence."""
        note = notice(note_key)
        return [Delivery(h, Card(view, "handler", note), view.attachments) for h in handlers]


def refused(refusal: Refusal) -> str:
    """The notice key telling a person why the lifecycle refused their press."""
    if refusal.why is Why.ACTOR:
        return NOT_YOURS[min(RULES[refusal.action].actors)]
    if refusal.action is Action.ACCEPT and refusal.status is Status.ACCEPTED:
        return "complaint.already_accepted"
    return WRONG_STATE.get(refusal.action, "complaint.not_with_unit")


def deadline_values(due: Deadline, *, reset: bool = False) -> dict[str, Any]:
    """The columns a deadline sets; `reset` also clears the notices sent for the old one."""
    values: dict[str, Any] = {
        "due_at": due.due_at,
        "remind_at": due.remind_at,
        "due_estimated": due.estimated,
    }
    if reset:
        values.update(reminded_at=None, escalated_at=None, overdue=False)
    return values


def facts(view: ComplaintView) -> dict[str, Any]:
    """Values most complaint notices share (the renderer localises the date)."""
    return {
        "tracking": view.tracking,
        "unit": view.unit.name if view.unit else "",
        "due": view.due_day,
        "estimated": view.due_estimated,
    }
