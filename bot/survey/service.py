"""The questionnaire service: the survey conversation, storage and phases together.

It knows nothing of Telegram: the adapter passes ids and text in and renders the
`Reply` that comes back.  Each public method works inside the caller's unit of
work and commits it before returning, so an answer is durable before the reply
that follows it is sent.

::

    /survey ─► (campaign × component?) ─► unit picker ─► questionnaire (see flow.py)
                                            ▲  typed text filters      │ submit
                                            └──── "rate another" ◄─────┘ thanks

/cancel pauses a questionnaire (typed text no longer goes to it); /survey resumes it.
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from bot.campaign.schema import Campaign, Component, Level, Questionnaire, Unit
from bot.core.clock import local_today
from bot.survey import flow
from bot.survey.screens import (
    CampaignChoice,
    Notice,
    Question,
    Reply,
    Thanks,
    UnitChoice,
    closed_notice,
)
from bot.survey.state import SurveyState
from bot.survey.units import page_of
from storage.records import ConversationRecord, DraftRecord
from storage.repositories import SurveyRepo
from storage.uow import UnitOfWork


class SurveyService(SurveyState):
    """Runs questionnaires for every respondent of every loaded campaign."""

    # -- choosing what to rate -------------------------------------------------------

    async def begin(self, uow: UnitOfWork, rid: int) -> Reply:
        """/survey: offer the questionnaires open to this respondent today."""
        options: list[tuple[Campaign, Component]] = []
        categories: dict[str, str] = {}
        for campaign in self.registry.campaigns.values():
            today = local_today(self.clock, campaign.timezone)
            category = categories[campaign.id] = await self.category(uow, rid, campaign)
            options += [
                (campaign, c)
                for c in campaign.survey_components()
                if (c.categories is None or category in c.categories)
                and closed_notice(c, campaign, today, self.phases) is None
            ]
        if not options:
            return self._nothing_open(categories)
        if len(options) == 1:
            return await self.unit_page(uow, rid, options[0][0].id, options[0][1].id, 0, edit=False)
        return Reply(CampaignChoice(options), edit=False)

    def _nothing_open(self, categories: dict[str, str]) -> Reply:
        """Say which questionnaire last closed and when the next one opens.

        Only questionnaires the person's category may answer count: a date on
        which only a panel's questionnaire opens would send them back for nothing.
        """
        upcoming: list[tuple[dt.date, Campaign]] = []
        ended: list[tuple[dt.date, Campaign]] = []
        for campaign in self.registry.campaigns.values():
            today = local_today(self.clock, campaign.timezone)
            for comp in campaign.survey_components():
                allowed = comp.categories is None or categories[campaign.id] in comp.categories
                if comp.phase is None or not allowed:
                    continue
                phase = self.effective_phase(campaign, comp.phase)
                if phase.start > today:
                    upcoming.append((phase.start, campaign))
                elif phase.end < today:
                    ended.append((phase.end, campaign))
        closed = None
        if ended:
            day, campaign = max(ended, key=lambda pair: pair[0])
            closed = Notice("survey.closed_on", {"date": day, "campaign": campaign})
        if upcoming:
            day, campaign = min(upcoming, key=lambda pair: pair[0])
            opens = Notice("survey.opens_on", {"date": day, "campaign": campaign})
            return Reply(opens, edit=False, also=closed)
        return Reply(closed or Notice("survey.none_open"), edit=False)

    async def unit_page(
        self,
        uow: UnitOfWork,
        rid: int,
        campaign_id: str,
        comp_id: str,
        page: int,
        query: str | None = None,
        *,
        edit: bool = True,
    ) -> Reply:
        """Show a page of the unit picker and remember that the person is choosing."""
        found = self.registry.component(campaign_id, comp_id)
        if found is None:
            return Reply(None, toast=Notice("common.stale"))
        campaign, component = found
        refusal = await self._refusal(uow, rid, campaign, component)
        if refusal is not None:
            return Reply(refusal, edit=False)
        units = await self.units_to_rate(uow, rid, campaign, component)
        chosen = page_of(units, page, query)
        no_match = bool(query) and not chosen.units
        if no_match:
            chosen = page_of(units, 0, None)
        rated = await self.rated(uow, rid, campaign.id, component.id)
        data = {
            "campaign": campaign.id,
            "component": component.id,
            "page": chosen.page,
            "query": None if no_match else query,
        }
        self._set_conversation(uow, ConversationRecord(rid, "survey", "choose_unit", data))
        await self._commit(uow)
        ids = {u.id: self.registry.unit_id(campaign, u) for u in units}
        screen = UnitChoice(campaign, component, chosen, ids, frozenset(rated), no_match, query)
        return Reply(screen, edit=edit)

    async def _refusal(
        self, uow: UnitOfWork, rid: int, campaign: Campaign, component: Component
    ) -> Notice | None:
        """Why this respondent may not answer this component now (None: they may)."""
        closed = closed_notice(
            component, campaign, local_today(self.clock, campaign.timezone), self.phases
        )
        if closed is not None:
            return closed
        category = await self.category(uow, rid, campaign)
        if component.categories is not None and category not in component.categories:
            return Notice("survey.panel_only", {"component": component.name})
        return None

    # -- answering ----------------------------------------------------------------------

    async def pick_unit(
        self, uow: UnitOfWork, rid: int, unit_id: int, comp_id: str, entry: str = "list"
    ) -> Reply:
        """Start (or resume) the questionnaire about a unit; `entry` says how it was opened
        (a new questionnaire keeps it: "poster" from a unit's link, "list" from the picker)."""
        found = self._locate(unit_id, comp_id)
        if found is None:
            return Reply(None, toast=Notice("common.stale"))
        campaign, unit, component = found
        refusal = await self._refusal(uow, rid, campaign, component)
        if refusal is None and unit not in await self.units_to_rate(uow, rid, campaign, component):
            refusal = Notice("survey.not_on_panel", {"unit": unit.name})
        if refusal is not None:
            return Reply(refusal, edit=False)
        draft = await self.draft(uow, rid, unit_id, comp_id)
        if draft is not None and draft.submitted:
            return Reply(None, toast=Notice("survey.already_rated", {"unit": unit.name}))
        resumed = draft is not None and bool(draft.answers)
        if draft is None:
            category = await self.category(uow, rid, campaign)
            draft = DraftRecord(rid, campaign.id, unit_id, comp_id, category, entry=entry)
            SurveyRepo(uow).stage_create(draft, self.clock.now())
            self._put_draft(uow, draft)
        self._point_conversation(uow, rid, campaign, unit_id, comp_id)
        await self._commit(uow)
        return Reply(self._question(campaign, component, unit, unit_id, draft, resumed=resumed))

    def _locate(self, unit_id: int, comp_id: str) -> tuple[Campaign, Unit, Component] | None:
        return self.registry.questionnaire(unit_id, comp_id)

    def _point_conversation(
        self, uow: UnitOfWork, rid: int, campaign: Campaign, unit_id: int, comp_id: str
    ) -> None:
        data = {"campaign": campaign.id, "component": comp_id, "unit_id": unit_id}
        self._set_conversation(uow, ConversationRecord(rid, "survey", "answering", data))

    def _question(
        self,
        campaign: Campaign,
        component: Component,
        unit: Unit,
        unit_id: int,
        draft: DraftRecord,
        *,
        resumed: bool = False,
    ) -> Question:
        screen = flow.screen_of(draft, campaign.questionnaire_for(component))
        return Question(campaign, component, unit, unit_id, draft, screen, resumed)

    async def answer(
        self,
        uow: UnitOfWork,
        rid: int,
        unit_id: int,
        comp_id: str,
        item_index: int,
        level_index: int,
    ) -> Reply:
        """A tap on one of the five levels for one item."""
        if not 0 <= level_index < len(flow.LEVELS):
            return Reply(None, toast=Notice("common.stale"))
        level = flow.LEVELS[level_index]

        def act(draft: DraftRecord, q: Questionnaire) -> flow.Step:
            editing = all(i.id in draft.answers for i in q.items)
            return flow.answer(draft, q, item_index, level, editing=editing)

        return await self._apply(uow, rid, unit_id, comp_id, act, level=level)

    async def back(self, uow: UnitOfWork, rid: int, unit_id: int, comp_id: str) -> Reply:
        """The "back" button."""
        return await self._apply(uow, rid, unit_id, comp_id, flow.back)

    async def edit(
        self, uow: UnitOfWork, rid: int, unit_id: int, comp_id: str, index: int
    ) -> Reply:
        """An "edit" button on the review screen."""
        return await self._apply(uow, rid, unit_id, comp_id, lambda d, q: flow.edit(d, q, index))

    async def skip(self, uow: UnitOfWork, rid: int, unit_id: int, comp_id: str) -> Reply:
        """Skip the suggestion."""
        return await self._apply(uow, rid, unit_id, comp_id, flow.skip_suggestion)

    async def submit(self, uow: UnitOfWork, rid: int, unit_id: int, comp_id: str) -> Reply:
        """Submit from the review screen."""
        return await self._apply(uow, rid, unit_id, comp_id, flow.submit)

    async def _apply(
        self,
        uow: UnitOfWork,
        rid: int,
        unit_id: int,
        comp_id: str,
        act: Any,
        *,
        level: Level | None = None,
    ) -> Reply:
        """Load the draft, apply one flow step, store what changed, say what happened."""
        found = self._locate(unit_id, comp_id)
        draft = await self.draft(uow, rid, unit_id, comp_id) if found else None
        if found is None or draft is None:
            return Reply(None, toast=Notice("common.stale"))
        campaign, unit, component = found
        closed = closed_notice(
            component, campaign, local_today(self.clock, campaign.timezone), self.phases
        )
        if closed is not None and not draft.submitted:
            return Reply(closed, edit=False, toast=closed)
        step: flow.Step = act(draft, campaign.questionnaire_for(component))
        self._store(uow, draft, step)
        if step.outcome is flow.Outcome.ADVANCED and step.draft.submitted:
            self._set_conversation(uow, ConversationRecord(rid))
        elif step.outcome in (flow.Outcome.ADVANCED, flow.Outcome.MOVED):
            self._point_conversation(uow, rid, campaign, unit_id, comp_id)
        await self._commit(uow)
        return self._reply_for(step, campaign, component, unit, unit_id, level)

    def _store(self, uow: UnitOfWork, before: DraftRecord, step: flow.Step) -> None:
        """Stage exactly the writes a step needs."""
        after, now, repo = step.draft, self.clock.now(), SurveyRepo(uow)
        if after is before:
            return
        if step.item is not None and after.answers.get(step.item) != before.answers.get(step.item):
            repo.stage_answer(after, step.item, after.answers[step.item], now)
        if after.submitted and not before.submitted:
            repo.stage_submit(after, now)
            key = (after.respondent_id, after.campaign_id, after.component)
            uow.after_commit(lambda: self._rated.drop(key))
            for listener in self.on_submitted:
                uow.after_commit(partial(listener, *_announced(after)))
        elif (after.position, after.suggestion) != (before.position, before.suggestion):
            repo.stage_progress(after, now)
        self._put_draft(uow, after)

    def _reply_for(
        self,
        step: flow.Step,
        campaign: Campaign,
        component: Component,
        unit: Unit,
        unit_id: int,
        level: Level | None,
    ) -> Reply:
        outcome = step.outcome
        if outcome is flow.Outcome.ADVANCED and step.draft.submitted:
            return Reply(Thanks(campaign, component, unit, unit_id))
        if outcome in (flow.Outcome.ADVANCED, flow.Outcome.MOVED):
            return Reply(self._question(campaign, component, unit, unit_id, step.draft))
        if outcome is flow.Outcome.CHANGED and step.item is not None and level is not None:
            items = campaign.questionnaire_for(component).items
            item = next(i for i in items if i.id == step.item)
            return Reply(None, toast=Notice("survey.changed", {"item": item.text, "level": level}))
        if outcome is flow.Outcome.UNCHANGED:
            return Reply(None, toast=Notice("survey.already_recorded"))
        if outcome is flow.Outcome.ALREADY_SUBMITTED:
            return Reply(None, toast=Notice("survey.already_rated", {"unit": unit.name}))
        return Reply(None, toast=Notice("common.stale"))

    # -- typed text, resuming, cancelling --------------------------------------------------

    async def text(self, uow: UnitOfWork, rid: int, text: str) -> Reply | None:
        """Typed text: filters the unit picker, is the suggestion, or gets a re-prompt.

        None when the person is not in a questionnaire (the adapter then helps).
        """
        conv = await self.conversation(uow, rid)
        if conv.flow != "survey" or conv.step == "paused":
            return None
        data = conv.data
        if conv.step == "choose_unit":
            return await self.unit_page(
                uow, rid, data["campaign"], data["component"], 0, text, edit=False
            )
        found = self._locate(int(data.get("unit_id", 0)), str(data.get("component")))
        draft = (
            await self.draft(uow, rid, int(data["unit_id"]), data["component"]) if found else None
        )
        if found is None or draft is None or draft.submitted:
            return None
        campaign, unit, component = found
        q = campaign.questionnaire_for(component)
        if flow.screen_of(draft, q) != "suggestion":
            question = self._question(campaign, component, unit, draft.unit_id, draft)
            return Reply(question, edit=False, also=Notice("survey.use_buttons"))
        step = flow.suggest(draft, q, text)
        if step.outcome in (flow.Outcome.TOO_LONG, flow.Outcome.INVISIBLE):
            limit = q.suggestion.max_length if q.suggestion else 0
            notice = Notice(f"survey.{step.outcome.value}", {"limit": limit, "length": len(text)})
            question = self._question(campaign, component, unit, draft.unit_id, draft)
            return Reply(question, edit=False, also=notice)
        self._store(uow, draft, step)
        await self._commit(uow)
        return Reply(
            self._question(campaign, component, unit, draft.unit_id, step.draft), edit=False
        )

    async def resume(self, uow: UnitOfWork, rid: int, *, unpause: bool = True) -> Reply | None:
        """The screen the person was on, if they are in the middle of a questionnaire.

        A questionnaire left with /cancel is taken up again (unless `unpause` is
        False); one whose phase has closed gets the closing notice instead, so
        nobody is invited to answer what can no longer be answered.
        """
        conv = await self.conversation(uow, rid)
        steps = ("answering", "paused") if unpause else ("answering",)
        if conv.flow != "survey" or conv.step not in steps:
            return None
        found = self._locate(int(conv.data["unit_id"]), str(conv.data["component"]))
        if found is None:
            return None
        campaign, unit, component = found
        draft = await self.draft(uow, rid, int(conv.data["unit_id"]), component.id)
        if draft is None or draft.submitted:
            return None
        closed = closed_notice(
            component, campaign, local_today(self.clock, campaign.timezone), self.phases
        )
        if closed is not None:
            self._set_conversation(uow, ConversationRecord(rid))
            await self._commit(uow)
            return Reply(closed, edit=False)
        if conv.step == "paused":
            self._point_conversation(uow, rid, campaign, draft.unit_id, component.id)
            await self._commit(uow)
        question = self._question(campaign, component, unit, draft.unit_id, draft, resumed=True)
        return Reply(question, edit=False)

    async def cancel(self, uow: UnitOfWork, rid: int) -> Reply:
        """/cancel: leave the conversation; a started questionnaire is kept for /survey.

        It is kept as "paused": typed text no longer goes to it, and /survey
        (which resumes only a questionnaire it can name) takes it up again.
        """
        conv = await self.conversation(uow, rid)
        kept = conv.flow == "survey" and conv.step in ("answering", "paused")
        paused = ConversationRecord(rid, "survey", "paused", conv.data)
        self._set_conversation(uow, paused if kept else ConversationRecord(rid))
        await self._commit(uow)
        return Reply(Notice("survey.cancelled_kept" if kept else "common.cancelled"), edit=False)


def _announced(draft: DraftRecord) -> tuple[str, int, int, str]:
    """What `on_submitted` listeners are told about a submitted questionnaire."""
    return draft.campaign_id, draft.respondent_id, draft.unit_id, draft.component
