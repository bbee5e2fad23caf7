"""Rectification through the engine and storage (SQLite and PostgreSQL): a plan from
its pre-filled draft to completion, the audit of decisions, who is told, the one
verdict, and the reads a bulletin and 回头看 use."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Connection, insert

from bot.campaign.schema import Level
from bot.rectification.rules import PlanStatus, RectifyError, Verdict
from bot.rectification.service import LEVELS
from bot.scoring.counts import figure
from storage.followers import FollowersRepo
from storage.models import AuditEntry, RectificationRating, Respondent, UnitFollower
from storage.privacy import forget, new_anonymous_id, personal_data
from storage.rectification import DueAndLate, RectificationRepo
from tests.bot.publish.test_engine import add_complaint
from tests.bot.scoring.helpers import F, V, add_questionnaires, scoring_services, unit_id
from tests.bot.telegram.helpers import count_rows

CZ = "changzhou-2011-safety"
DAY = dt.date(2011, 8, 22)  # a Monday
HANDLER, EVALUATOR = 7001, 7002


async def _person(services, person: int, active: bool = True) -> None:
    now = services.clock.now()

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Respondent).values(
                id=person,
                locale="en",
                locale_chosen=True,
                first_seen=now,
                last_seen=now,
                active=active,
            )
        )

    await services.db.writer.run(write)


async def _approved(services, wujin: int, *measures: str):
    """A plan of wujin with `measures`, submitted and approved."""
    engine = services.rectification
    async with services.db.unit_of_work() as uow:
        plan = await engine.open(uow, HANDLER, wujin, "en")
        for line in measures:
            plan = await engine.add_measure(uow, plan, line)
        plan = await engine.submit(uow, plan, HANDLER)
        plan, told = await engine.decide(uow, str(plan.id), EVALUATOR, True, "")
    return plan, told


async def test_a_plan_from_draft_to_completion(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        engine = services.rectification
        wujin = unit_id(services, CZ, "wujin")
        raters = await add_questionnaires(
            services, CZ, "wujin", "questionnaire", [V] * 5, 3, suggestion="more staff"
        )
        await add_complaint(services, 501, "wujin", "buck-passing", "sent away twice")
        await _person(services, 502)  # will follow
        await _person(services, 503)  # concerned by nothing
        await _person(services, 504, active=False)  # blocked the bot
        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            assert await engine.follow(uow, 502, wujin)
            assert not await engine.follow(uow, 502, wujin)
            assert await engine.follow(uow, 504, wujin)

        # The draft: the main problems, pre-filled in the handler's language.
        async with services.db.unit_of_work() as uow:
            plan = await engine.open(uow, HANDLER, wujin, "en")
        assert plan.status is PlanStatus.DRAFT and plan.suggestions == 3
        assert [m.problem for m in plan.measures] == [
            "Complaints: Buck-passing (1)",
            "Suggestions from the public: 3",
        ]
        async with services.db.unit_of_work() as uow:
            again = await engine.open(uow, HANDLER, wujin, "zh-Hans")
        assert again == plan  # opened twice: one plan

        async with services.db.unit_of_work() as uow:
            plan = await engine.edit_measure(uow, plan, "1", " | answer at the first window | 10")
            with pytest.raises(RectifyError, match="incomplete"):
                await engine.submit(uow, plan, HANDLER)
            plan = await engine.drop_measure(uow, plan, "2")
            with pytest.raises(RectifyError, match="unanswered"):
                await engine.submit(uow, plan, HANDLER)
            plan = await engine.answer(uow, plan, ["partly", "two", "more", "staff", "in", "2012"])
            plan = await engine.add_measure(uow, plan, "queues | second window | 2011-09-30")
            plan = await engine.submit(uow, plan, HANDLER)
            with pytest.raises(RectifyError, match="not_editable"):
                await engine.add_measure(uow, plan, "x | y | 5")
        async with services.db.unit_of_work() as uow:
            stored = await engine.get(uow, plan.id)
        assert stored == plan
        assert (stored.verdict, stored.reason) == (Verdict.PARTLY, "two more staff in 2012")
        assert stored.measures[0].deadline is not None
        assert stored.measures[0].deadline.working_days == 10
        assert stored.measures[0].deadline.day == dt.date(2011, 9, 5)

        # Returned with a remark (audited), changed, submitted again, approved (audited).
        async with services.db.unit_of_work() as uow:
            with pytest.raises(RectifyError, match="remark"):
                await engine.decide(uow, str(plan.id), EVALUATOR, False, "  ")
            plan, told = await engine.decide(uow, str(plan.id), EVALUATOR, False, "too vague")
        assert told is None and plan.status is PlanStatus.RETURNED and plan.remark == "too vague"
        async with services.db.unit_of_work() as uow:
            assert [p.id for p in await engine.pending(uow)] == []
            plan = await engine.edit_measure(
                uow, await engine.get(uow, plan.id), "2", " | open a second window on Mondays | "
            )
            plan = await engine.submit(uow, plan, HANDLER)
            assert [p.id for p in await engine.pending(uow)] == [plan.id]
            plan, told = await engine.decide(uow, str(plan.id), EVALUATOR, True, "")
            with pytest.raises(RectifyError, match="transition"):
                await engine.decide(uow, str(plan.id), EVALUATOR, True, "")
        assert plan.status is PlanStatus.APPROVED
        assert (
            await count_rows(
                services, AuditEntry, action="rectification_returned", reason="too vague"
            )
            == 1
        )
        assert await count_rows(services, AuditEntry, action="rectification_approved") == 1
        # Told: the raters, the complainant and the active follower; nobody else.
        assert told is not None and told.event == "approved"
        assert sorted(chat for chat, _ in told.recipients) == sorted(
            [*(r for r, _, _ in raters), 501, 502]
        )

        # Measures done; the last completes the plan, once.
        async with services.db.unit_of_work() as uow:
            with pytest.raises(RectifyError, match="note"):
                await engine.report_done(uow, plan, "1", " ", None, HANDLER)
            plan, told = await engine.report_done(
                uow, plan, "1", "done at window 1", ("photo", "AgAD"), HANDLER
            )
            assert told is None and plan.status is PlanStatus.APPROVED
            with pytest.raises(RectifyError, match="already_done"):
                await engine.report_done(uow, plan, "1", "again", None, HANDLER)
            plan, told = await engine.report_done(
                uow, plan, "2", "second window open", None, HANDLER
            )
        assert (
            plan.status is PlanStatus.COMPLETED and told is not None and told.event == "completed"
        )
        async with services.db.unit_of_work() as uow:
            stored = await engine.get(uow, plan.id)
        assert stored.status is PlanStatus.COMPLETED
        assert (
            stored.measures[0].evidence == ("photo", "AgAD") and stored.measures[0].done_on == DAY
        )

        # The one verdict, by the people concerned only; scored by the scorer's rules.
        async with services.db.unit_of_work() as uow:
            very = LEVELS.index(Level.VERY_SATISFIED)
            assert await engine.rate(uow, 501, plan.id, very) is Level.VERY_SATISFIED
            with pytest.raises(RectifyError, match="rated_before"):
                await engine.rate(uow, 501, plan.id, 0)
            with pytest.raises(RectifyError, match="not_concerned"):
                await engine.rate(uow, 503, plan.id, 0)
            await engine.rate(uow, 502, plan.id, LEVELS.index(Level.BASICALLY_SATISFIED))
            await engine.rate(uow, raters[0][0], plan.id, LEVELS.index(Level.DONT_KNOW))
            found = await engine.satisfaction(uow, CZ)
        expected = figure({V: 1, "basically_satisfied": 1, "dont_know": 1}, None)
        assert found == {wujin: expected}
        assert str(expected.satisfaction) == "80.0000" and expected.people == 2


async def test_rules_enforced_by_storage(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        engine = services.rectification
        wujin = unit_id(services, CZ, "wujin")
        async with services.db.unit_of_work() as uow:
            plan = await engine.open(uow, HANDLER, wujin, "en")
            with pytest.raises(RectifyError, match="no_measures"):
                await engine.submit(uow, plan, HANDLER)
            with pytest.raises(RectifyError, match="not_approved"):
                await engine.report_done(uow, plan, "1", "x", None, HANDLER)
            with pytest.raises(RectifyError, match="unknown_plan"):
                await engine.get(uow, "99999")
            with pytest.raises(RectifyError, match="unknown_plan"):
                await engine.get(uow, "1; drop table")
            # A stale copy of a plan that moved on cannot be saved over it.
            plan = await engine.add_measure(uow, plan, "p | m | 5")
            await engine.submit(uow, plan, HANDLER)
            with pytest.raises(RectifyError, match="not_editable"):
                await engine.add_measure(uow, plan, "p2 | m2 | 5")
            with pytest.raises(RectifyError, match="transition"):
                await engine.submit(uow, plan, HANDLER)
        assert engine.unit_of({wujin}, ["wujin", "x"]) == (wujin, ["x"])
        assert engine.unit_of({wujin}, ["x"]) == (wujin, ["x"])
        liyang = unit_id(services, CZ, "liyang")
        assert engine.unit_of({wujin, liyang}, ["liyang"]) == (liyang, [])
        with pytest.raises(RectifyError, match="which_unit"):
            engine.unit_of({wujin, liyang}, ["x"])
        with pytest.raises(RectifyError, match="no_unit"):
            engine.unit_of(set(), [])


async def test_due_late_and_unfinished_measures(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        wujin, liyang = unit_id(services, CZ, "wujin"), unit_id(services, CZ, "liyang")
        plan, _ = await _approved(
            services, wujin, "a | m | 2011-08-23", "b | m | 2011-08-26", "c | m | 2011-12-01"
        )
        async with services.db.unit_of_work() as uow:
            draft = await services.rectification.open(uow, HANDLER, liyang, "en")
            await services.rectification.add_measure(uow, draft, "d | m | 2011-08-23")
            await services.rectification.report_done(uow, plan, "3", "early", None, HANDLER)
        services.clock.advance(dt.timedelta(days=3))  # 2011-08-25
        async with services.db.unit_of_work() as uow:
            repo = RectificationRepo(uow)
            found = await repo.measures_due_and_late_per_unit(CZ, dt.date(2011, 8, 25))
            late = await services.rectification.late(uow, CZ)
            unfinished = await repo.unfinished_measures(CZ, wujin)
            in_draft = await repo.unfinished_measures(CZ, liyang)
        # a: late; b: due within 7 days; c: done.  liyang's draft promised nothing.
        assert found == {wujin: DueAndLate(total=3, done=1, late=1, due=1)}
        assert [(m.unit_id, m.number, m.deadline) for m in late] == [
            (wujin, 1, dt.date(2011, 8, 23))
        ]
        assert [m.problem for m in unfinished] == ["a", "b"]
        assert in_draft == []


async def test_forget_keeps_the_verdict_anonymously_and_drops_the_follow(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        wujin = unit_id(services, CZ, "wujin")
        await _person(services, 502)
        async with services.db.unit_of_work() as uow:
            await services.rectification.follow(uow, 502, wujin)
        plan, _ = await _approved(services, wujin, "a | m | 5")
        async with services.db.unit_of_work() as uow:
            await services.rectification.report_done(uow, plan, "1", "ok", None, HANDLER)
            await services.rectification.rate(uow, 502, plan.id, 1)
        async with services.db.unit_of_work() as uow:
            held = await personal_data(uow, 502)  # /mydata shows both
        assert [row["unit_id"] for row in held["units_followed"]] == [wujin]
        assert [row["level"] for row in held["rectification_verdicts"]] == [F]
        anon = new_anonymous_id()
        await services.db.writer.run(
            lambda conn: forget(conn, 502, anon, services.clock.now(), frozenset())
        )
        assert await count_rows(services, UnitFollower) == 0
        assert await count_rows(services, RectificationRating, respondent_id=anon) == 1
        async with services.db.unit_of_work() as uow:
            assert await FollowersRepo(uow).rating_counts(CZ) == {wujin: {F: 1}}
