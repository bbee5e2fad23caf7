"""Rectification (整改反馈) as the chat uses it: a unit's handlers draft, edit and submit
the plan, report measures done and answer the suggestions; evaluators approve or
return it (audited); the people concerned follow it and give their one verdict.

The rules are bot/rectification/rules.py; this module reads and writes through
storage/rectification.py and storage/followers.py and commits before it returns.
Who is told what is returned to the caller (`Told`), which hands the messages to
the outbox: the engine builds no Telegram message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from bot.campaign.schema import Campaign, Level
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry
from bot.i18n import t
from bot.rectification.convert import plan_of, rows_of
from bot.rectification.rules import (
    Plan,
    PlanStatus,
    RectifyError,
    check_editable,
    clean,
    measure_index,
    next_status,
    parse_measure,
    parse_verdict,
    submit_problems,
    with_measures,
)
from bot.scoring.counts import figure
from bot.scoring.results import Figure
from bot.scoring.service import ScoringService
from bot.workdays.calendar import WorkdayCalendar
from storage.complaints import ComplaintRepo
from storage.followers import FollowersRepo
from storage.publication import PublicationRepo
from storage.rectification import LateMeasure, MeasureRow, RectificationRepo
from storage.uow import UnitOfWork

LEVELS: tuple[Level, ...] = tuple(Level)


@dataclass(frozen=True)
class Told:
    """A plan that became public (approved) or completed, and who is to hear of it."""

    plan: Plan
    event: str  # approved | completed
    recipients: list[tuple[int, str]]  # (chat id, locale)


class RectificationService:
    """Plans from draft to completion, and the public's verdict on them."""

    def __init__(
        self,
        registry: Registry,
        clock: Clock,
        scoring: ScoringService,
        calendar: WorkdayCalendar | None = None,
    ) -> None:
        """Plans of the registry's campaigns; deadlines counted on `calendar`."""
        self.registry, self.clock, self.scoring = registry, clock, scoring
        self.calendar = calendar or WorkdayCalendar.default()

    def today(self, campaign_id: str) -> dt.date:
        """Today where the campaign runs."""
        return local_today(self.clock, self.registry.campaigns[campaign_id].timezone)

    def campaign(self, plan: Plan) -> Campaign:
        """The plan's campaign."""
        return self.registry.campaigns[plan.campaign_id]

    # -- handlers ------------------------------------------------------------------------

    def unit_of(self, handled: set[int], words: list[str]) -> tuple[int, list[str]]:
        """The handled unit a command is about — named by its code as the first word, or
        the only unit the handler handles — and the words after it."""
        if words:
            named = {
                uid
                for uid in handled
                if (found := self.registry.unit(uid)) is not None and found[1].id == words[0]
            }
            if len(named) == 1:
                return named.pop(), words[1:]
        known = {uid for uid in handled if self.registry.unit(uid) is not None}
        if len(known) == 1:
            return known.pop(), words
        raise RectifyError("which_unit" if known else "no_unit")

    async def open(self, uow: UnitOfWork, actor: int, unit_id: int, locale: str) -> Plan:
        """The unit's plan in its campaign, drafted now (problems pre-filled) if none."""
        found = self.registry.unit(unit_id)
        if found is None:
            raise RectifyError("no_unit")
        campaign = found[0]
        repo = RectificationRepo(uow)
        row = await repo.of_unit(campaign.id, unit_id)
        if row is None:
            problems, suggestions = await self._problems(uow, campaign, unit_id, locale)
            now = self.clock.now()
            await repo.create(campaign.id, unit_id, problems, suggestions, actor, now)
            await uow.commit()  # a fresh read session sees the new plan
            row = await RectificationRepo(uow).of_unit(campaign.id, unit_id)
            assert row is not None
        return plan_of(row)

    async def _problems(
        self, uow: UnitOfWork, campaign: Campaign, unit_id: int, locale: str
    ) -> tuple[list[str], int]:
        """The unit's main problems as draft lines (complaints by kind, findings, the
        suggestions' number), and how many suggestions there are."""
        scores = await self.scoring.results(uow, campaign.id)
        scored = scores.unit(unit_id) if scores is not None else None
        names = (
            {k.id: k.name for k in campaign.complaints.conduct_kinds} if campaign.complaints else {}
        )
        lines: list[str] = []
        if scored is not None:
            for kind, n in sorted(scored.issues.complaints.items(), key=lambda kv: -kv[1]):
                name = names[kind].get(locale) if kind in names else kind
                lines.append(t(locale, "rectify.prefill.complaints", kind=name, count=n))
            if scored.issues.findings:
                lines.append(t(locale, "rectify.prefill.findings", count=scored.issues.findings))
        suggestions = (await PublicationRepo(uow).suggestion_counts(campaign.id)).get(unit_id, 0)
        if suggestions:
            lines.append(t(locale, "rectify.prefill.suggestions", count=suggestions))
        for left in await self.carried_over(uow, campaign, unit_id):
            lines.append(t(locale, "rectify.prefill.carried", measure=left.measure or left.problem))
        return lines, suggestions

    async def carried_over(
        self, uow: UnitOfWork, campaign: Campaign, unit_id: int
    ) -> list[MeasureRow]:
        """回头看: the measures last round's plan promised for this unit (through the
        campaign's `follows` map) and never reported done; [] when nothing is followed."""
        last = self.last_round_unit(campaign, unit_id)
        if last is None:
            return []
        return await RectificationRepo(uow).unfinished_measures(*last)

    def last_round_unit(self, campaign: Campaign, unit_id: int) -> tuple[str, int] | None:
        """The followed campaign's id and the database id of this unit's last-round unit
        (None: the campaign follows none, the unit is new, or that campaign is not loaded)."""
        follows, found = campaign.follows, self.registry.unit(unit_id)
        if follows is None or found is None or found[1].id not in follows.units:
            return None
        old = self.registry.unit_ids.get((follows.campaign, follows.units[found[1].id]))
        return None if old is None else (follows.campaign, old)

    async def _save(self, uow: UnitOfWork, plan: Plan) -> Plan:
        """Store an edited plan (refused if it stopped being editable meanwhile)."""
        measures, verdict, reason = rows_of(plan)
        if not await RectificationRepo(uow).save_draft(plan.id, measures, verdict, reason):
            raise RectifyError("not_editable", status="?")
        return plan

    async def add_measure(self, uow: UnitOfWork, plan: Plan, text: str) -> Plan:
        """Add `PROBLEM | MEASURE | DEADLINE`."""
        check_editable(plan)
        new = parse_measure(text, self.today(plan.campaign_id), self.calendar)
        return await self._save(uow, with_measures(plan, [*plan.measures, new]))

    async def edit_measure(self, uow: UnitOfWork, plan: Plan, number: str, text: str) -> Plan:
        """Change measure `number` (blank parts stay as they were)."""
        check_editable(plan)
        index = measure_index(plan, number)
        old = plan.measures[index]
        new = parse_measure(text, self.today(plan.campaign_id), self.calendar, old)
        measures = list(plan.measures)
        measures[index] = new
        return await self._save(uow, with_measures(plan, measures))

    async def drop_measure(self, uow: UnitOfWork, plan: Plan, number: str) -> Plan:
        """Remove measure `number`."""
        check_editable(plan)
        index = measure_index(plan, number)
        measures = [m for n, m in enumerate(plan.measures) if n != index]
        return await self._save(uow, with_measures(plan, measures))

    async def answer(self, uow: UnitOfWork, plan: Plan, words: list[str]) -> Plan:
        """The collective answer to the suggestions: `adopted|partly|not REASON`."""
        check_editable(plan)
        verdict, reason = parse_verdict(words)
        return await self._save(uow, replace(plan, verdict=verdict, reason=reason))

    async def submit(self, uow: UnitOfWork, plan: Plan, actor: int) -> Plan:
        """Submit the plan for approval (every measure with a deadline, suggestions answered)."""
        status = next_status(plan.status, "submit")
        problems = submit_problems(plan)
        if problems:
            raise RectifyError(problems[0])
        await self._move(uow, plan, (plan.status,), status, actor)
        return replace(plan, status=status)

    async def report_done(
        self,
        uow: UnitOfWork,
        plan: Plan,
        number: str,
        note: str,
        evidence: tuple[str, str] | None,
        actor: int,
    ) -> tuple[Plan, Told | None]:
        """Report measure `number` of the approved plan done; the last one completes it,
        and everyone concerned is then told (and asked their verdict)."""
        if plan.status is not PlanStatus.APPROVED:
            raise RectifyError("not_approved", status=plan.status.value)
        index = measure_index(plan, number)
        text = clean(note, "note")
        today = self.today(plan.campaign_id)
        outcome = await RectificationRepo(uow).mark_done(
            plan.id, index, text, evidence, actor, today, self.clock.now()
        )
        if outcome is None:
            raise RectifyError("already_done", number=number)
        done = replace(plan.measures[index], done_on=today, note=text, evidence=evidence)
        measures = [done if n == index else m for n, m in enumerate(plan.measures)]
        plan = replace(plan, measures=tuple(measures))
        if outcome != "completed":
            return plan, None
        plan = replace(plan, status=PlanStatus.COMPLETED)
        return plan, await self._told(uow, plan, "completed")

    # -- evaluators ----------------------------------------------------------------------

    async def get(self, uow: UnitOfWork, plan_id: str | int) -> Plan:
        """A plan by its number (RectifyError("unknown_plan") if there is none)."""
        row = None
        if str(plan_id).isdigit():
            row = await RectificationRepo(uow).get(int(plan_id))
        if row is None or row.campaign_id not in self.registry.campaigns:
            raise RectifyError("unknown_plan", plan=str(plan_id)[:20])
        return plan_of(row)

    async def pending(self, uow: UnitOfWork) -> list[Plan]:
        """Submitted plans awaiting a decision, oldest first."""
        rows = await RectificationRepo(uow).with_status(["submitted"])
        return [plan_of(r) for r in rows if r.campaign_id in self.registry.campaigns]

    async def decide(
        self, uow: UnitOfWork, plan_id: str, actor: int, approve: bool, remark: str
    ) -> tuple[Plan, Told | None]:
        """Approve (the plan is published and its public told) or return it with a
        remark (required); audited either way."""
        plan = await self.get(uow, plan_id)
        status = next_status(plan.status, "approve" if approve else "return")
        note = None if approve and not remark.strip() else clean(remark, "remark")
        await self._move(uow, plan, (PlanStatus.SUBMITTED,), status, actor, note)
        plan = replace(plan, status=status, remark=note)
        return plan, (await self._told(uow, plan, "approved") if approve else None)

    async def _move(
        self,
        uow: UnitOfWork,
        plan: Plan,
        before: tuple[PlanStatus, ...],
        after: PlanStatus,
        actor: int,
        remark: str | None = None,
    ) -> None:
        """Store a move; refused when someone moved the plan meanwhile."""
        moved = await RectificationRepo(uow).move(
            plan.id, [s.value for s in before], after.value, actor, self.clock.now(), remark
        )
        if not moved:
            raise RectifyError("transition", status=plan.status.value, action=after.value)

    async def _told(self, uow: UnitOfWork, plan: Plan, event: str) -> Told:
        """Who hears that the plan was approved or completed."""
        found = await FollowersRepo(uow).audience(plan.campaign_id, plan.unit_id)
        return Told(plan, event, found)

    async def handlers(self, uow: UnitOfWork, plan: Plan) -> list[int]:
        """Who hears that the plan was returned or approved: the unit's handlers."""
        return await ComplaintRepo(uow).handlers_of(plan.unit_id)

    async def late(self, uow: UnitOfWork, campaign_id: str) -> list[LateMeasure]:
        """Measures of approved plans past their deadline (/overdue)."""
        return await RectificationRepo(uow).late_measures(campaign_id, self.today(campaign_id))

    # -- the public ----------------------------------------------------------------------

    async def follow(self, uow: UnitOfWork, person: int, unit_id: int) -> bool:
        """Follow a unit (to hear of its rectification); False if followed already."""
        if self.registry.unit(unit_id) is None:
            raise RectifyError("no_unit")
        return await FollowersRepo(uow).follow(person, unit_id, self.clock.now())

    async def rate(self, uow: UnitOfWork, person: int, plan_id: int, level: int) -> Level:
        """The person's one verdict on a completed plan (they must be concerned by it)."""
        plan = await self.get(uow, plan_id)
        if plan.status is not PlanStatus.COMPLETED or not 0 <= level < len(LEVELS):
            raise RectifyError("not_completed")
        repo = FollowersRepo(uow)
        if not await repo.concerns(plan.campaign_id, plan.unit_id, person):
            raise RectifyError("not_concerned")
        chosen = LEVELS[level]
        if not await repo.rate(
            plan.id, plan.campaign_id, plan.unit_id, person, chosen.value, self.clock.now()
        ):
            raise RectifyError("rated_before")
        self.scoring.changed(plan.campaign_id)  # a rectification component may count it
        return chosen

    async def satisfaction(self, uow: UnitOfWork, campaign_id: str) -> dict[int, Figure]:
        """Per unit id, the satisfaction with its rectification — the scorer's own figure
        (bot/scoring/counts.py: same levels, 不了解 abstains, same interval)."""
        counts = await FollowersRepo(uow).rating_counts(campaign_id)
        return {unit_id: figure(levels, None) for unit_id, levels in counts.items()}

    async def of_unit(
        self, uow: UnitOfWork, campaign_id: str, unit_id: int
    ) -> tuple[Plan | None, Figure | None]:
        """The unit's plan (any status) and the satisfaction with its rectification."""
        row = await RectificationRepo(uow).of_unit(campaign_id, unit_id)
        found = (await self.satisfaction(uow, campaign_id)).get(unit_id)
        return (None if row is None else plan_of(row)), found

    async def published(
        self, uow: UnitOfWork, campaign_id: str
    ) -> dict[int, tuple[Plan | None, Figure | None]]:
        """Per unit id, what the public sees of its rectification: its approved or
        completed plan, and the satisfaction with it (units with either)."""
        rows = await RectificationRepo(uow).with_status(["approved", "completed"], campaign_id)
        plans = {r.unit_id: plan_of(r) for r in rows}
        figures = await self.satisfaction(uow, campaign_id)
        return {uid: (plans.get(uid), figures.get(uid)) for uid in {*plans, *figures}}
