"""Filing: the citizen's draft (flow.py) from /complain to submit, then routing.

A filed complaint goes to its unit's handlers (open), or to the complaint centre
(triage) when no unit was named or the unit has no handler yet — the lifecycle's
`file` transition and its no-handler fallback.
"""

from __future__ import annotations

from typing import Any

from bot.complaints import flow
from bot.complaints.deadlines import case_class, deadline
from bot.complaints.desk import Desk, deadline_values
from bot.complaints.flow import Draft, Outcome
from bot.complaints.lifecycle import Action, Actor, Status, Transition, check
from bot.complaints.records import new_tracking
from bot.complaints.screens import DraftScreen, Filed, Result, notice
from bot.core.clock import local_today
from bot.survey.units import page_of
from storage.complaints import ComplaintRepo
from storage.uow import UnitOfWork

DRAFT_STEP = "draft"  # the conversation step while the citizen writes a draft


class Filing:
    """The citizen's draft and its filing."""

    def __init__(self, desk: Desk) -> None:
        """Work at `desk`."""
        self.desk = desk

    async def begin(self, uow: UnitOfWork, rid: int) -> Result:
        """/complain: resume the draft, or start one."""
        campaigns = self.desk.campaigns()
        if not campaigns:
            return Result(notice("complaint.none_open"))
        repo = await self.desk.writes(uow)
        draft = _draft(await repo.load_draft(rid))
        resumed = draft is not None and (
            not draft.campaign_id or draft.campaign_id in self.desk.registry.campaigns
        )
        if draft is None or not resumed:
            draft = flow.start([c.id for c in campaigns])
            await repo.save_draft(rid, draft.to_json(), self.desk.clock.now())
        self.desk.point(uow, rid, DRAFT_STEP)
        await uow.commit()
        return Result(self.screen(draft, resumed=resumed))

    async def begin_for(self, uow: UnitOfWork, rid: int, unit_id: int) -> Result:
        """A unit's complaint link: a new draft about that unit, at the kind of conduct.

        A draft already holding a description or evidence is resumed instead (the
        link never overwrites what the citizen wrote); they can change its unit there.
        """
        located = self.desk.registry.unit(unit_id)
        if located is None:
            return Result(notice("reach.start.invalid"))
        campaign, unit = located
        if campaign.id not in {c.id for c in self.desk.campaigns()}:
            return Result(notice("reach.start.no_complaints", unit=unit.name))
        repo = await self.desk.writes(uow)
        kept = _draft(await repo.load_draft(rid))
        if kept is not None and (kept.text or kept.attachments):
            return await self.begin(uow, rid)
        draft = Draft(campaign_id=campaign.id, step="kind", unit_id=unit_id, unit_chosen=True)
        await repo.save_draft(rid, draft.to_json(), self.desk.clock.now())
        self.desk.point(uow, rid, DRAFT_STEP)
        await uow.commit()
        return Result(self.screen(draft))

    def screen(self, draft: Draft, *, resumed: bool = False) -> DraftScreen:
        """The draft on its current step, with what that step shows."""
        found = self.desk.rules(draft.campaign_id) if draft.campaign_id else None
        campaign, rules = found if found else (None, None)
        page, no_match = None, False
        if campaign is not None and draft.step == "unit":
            page = page_of(campaign.units, draft.page, draft.query)
            if draft.query and not page.units:
                page, no_match = page_of(campaign.units, 0, None), True
        unit = None
        if campaign is not None and draft.unit_id is not None:
            located = self.desk.registry.unit(draft.unit_id)
            unit = located[1] if located else None
        kind = next((k for k in rules.conduct_kinds if k.id == draft.kind), None) if rules else None
        return DraftScreen(
            draft=draft,
            campaigns=self.desk.campaigns(),
            campaign=campaign,
            page=page,
            unit_ids=self.desk.unit_ids(campaign) if campaign else {},
            unit=unit,
            kind=kind,
            limit=rules.max_text_length if rules else 0,
            resumed=resumed,
            no_match=no_match,
        )

    async def press(
        self, uow: UnitOfWork, rid: int, action: str, arg: int = 0, campaign_id: str = ""
    ) -> Result:
        """A button of the draft: campaign, unit, page, kind, done, clear, anon, edit, submit …"""
        draft = _draft(await ComplaintRepo(uow).load_draft(rid))
        if draft is None:
            return Result(toast=notice("common.stale"))
        if action == "submit":
            return await self._submit(uow, rid, draft)
        if action == "discard":
            await (await self.desk.writes(uow)).drop_draft(rid)
            self.desk.idle(uow, rid)
            await uow.commit()
            return Result(notice("complaint.discarded"), edit=True)
        step = self._step(draft, action, arg, campaign_id)
        return await self._after(uow, rid, draft, step, edit=True)

    def _step(self, draft: Draft, action: str, arg: int, campaign_id: str) -> flow.Step:
        """What a draft button does to the draft (flow.py decides)."""
        found = self.desk.rules(draft.campaign_id) if draft.campaign_id else None
        if action == "campaign":
            return flow.choose_campaign(draft, campaign_id, [c.id for c in self.desk.campaigns()])
        if found is None:
            return flow.Step(Outcome.STALE, draft)
        campaign, rules = found
        if action == "unit":
            ids = set(self.desk.unit_ids(campaign).values())
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
                repo = await self.desk.writes(uow)
                await repo.save_draft(rid, step.draft.to_json(), self.desk.clock.now())
            self.desk.point(uow, rid, DRAFT_STEP)
            await uow.commit()
            also = None
            if step.draft.attachments != before.attachments and step.draft.attachments:
                also = notice("complaint.attached", **step.values)
            return Result(self.screen(step.draft), edit=edit and also is None, also=also)
        if step.outcome is Outcome.STALE:
            return (
                Result(toast=notice("common.stale"))
                if edit
                else Result(self.screen(before), also=notice("complaint.use_buttons"))
            )
        problem = notice(f"complaint.bad.{step.outcome.value}", **step.values)
        return Result(self.screen(before), also=problem, toast=problem if edit else None)

    async def text(self, uow: UnitOfWork, rid: int, text: str) -> Result:
        """Typed text on a draft: a unit filter, the description, or contact details."""
        draft = _draft(await ComplaintRepo(uow).load_draft(rid))
        if draft is None:
            return await self.desk.abandon(uow, rid)
        found = self.desk.rules(draft.campaign_id) if draft.campaign_id else None
        if draft.step == "unit":
            step = flow.filter_units(draft, text)
        elif draft.step == "text" and found is not None:
            step = flow.describe(draft, text, found[1].max_text_length)
        elif draft.step == "contact":
            step = flow.give_contact(draft, text)
        else:
            step = flow.Step(Outcome.STALE, draft)
        return await self._after(uow, rid, draft, step, edit=False)

    async def attach(
        self, uow: UnitOfWork, rid: int, kind: str, file_id: str, mime: str | None, size: int | None
    ) -> Result:
        """A photo or document sent while writing the draft."""
        draft = _draft(await ComplaintRepo(uow).load_draft(rid))
        if draft is None:
            return await self.desk.abandon(uow, rid)
        step = flow.attach(draft, kind, file_id, mime, size)
        return await self._after(uow, rid, draft, step, edit=False)

    async def _submit(self, uow: UnitOfWork, rid: int, draft: Draft) -> Result:
        """File the draft: route it, set its deadline, tell the citizen its tracking number."""
        step = flow.submit(draft)
        found = self.desk.rules(draft.campaign_id)
        if step.outcome is not Outcome.MOVED or found is None:
            return await self._after(uow, rid, draft, step, edit=True)
        campaign, rules = found
        if draft.unit_id is not None and draft.unit_id not in self.desk.unit_ids(campaign).values():
            step = flow.Step(Outcome.FOREIGN_UNIT, draft)
            return await self._after(uow, rid, draft, step, edit=True)
        move = check(Action.FILE, Status.DRAFT, Actor.CITIZEN)
        assert isinstance(move, Transition)  # a citizen may always file their own draft
        now, cls = self.desk.clock.now(), case_class(rules, None)
        tracking = new_tracking(local_today(self.desk.clock, campaign.timezone).year)
        due = deadline(self.desk.calendar, now, cls.working_days, campaign.timezone, tracking)
        handlers = await ComplaintRepo(uow).handlers_of(draft.unit_id)
        values = {
            "campaign_id": campaign.id,
            "unit_id": draft.unit_id,
            "kind": draft.kind,
            "text": draft.text,
            "contact": draft.contact,
            "case_class": cls.id,
            "status": move.to(has_handlers=bool(handlers)),
            "overdue": False,
            **deadline_values(due),
        }
        repo = await self.desk.writes(uow)
        complaint_id = await repo.file(rid, draft.attachments, values, tracking, now)
        self.desk.idle(uow, rid)
        await uow.commit()
        view = await self.desk.view_of(uow, complaint_id, files=True)
        if handlers:
            deliveries = self.desk.handler_cards(view, handlers, "complaint.note.new")
        else:
            why = "complaint.note.no_unit" if draft.unit_id is None else "complaint.note.no_handler"
            deliveries = self.desk.to_centre(view, notice(why), files=True)
        return Result(Filed(view), edit=True, deliveries=deliveries)


def _draft(stored: dict[str, Any] | None) -> Draft | None:
    """The stored draft (JSON) as the flow's record."""
    return None if stored is None else Draft.from_json(stored)
