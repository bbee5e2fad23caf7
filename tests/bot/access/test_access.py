"""Roles, single-use codes and the audit log, on a real SQLite file."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.access.service import CODE_ALPHABET, Role, normalize_code
from bot.app.runtime import open_services
from bot.app.services import Services
from bot.core.clock import FixedClock

CAMPAIGN = "changzhou-2011-safety"


@pytest.fixture
async def services(tmp_path: Path) -> AsyncIterator[Services]:
    clock = FixedClock.on_day(dt.date(2011, 8, 1))
    url = f"sqlite+aiosqlite:///{tmp_path}/access.db"
    async with open_services(url, Path("survey_defs"), clock, admin_ids=[7]) as built:
        yield built


async def _person(services: Services, user_id: int) -> None:
    async with services.db.unit_of_work() as uow:
        await services.people.seen(uow, user_id, "zh-hans")
        await uow.commit()


def _unit(services: Services, code: str) -> int:
    return services.registry.unit_ids[(CAMPAIGN, code)]


async def test_configured_admins_are_admins_and_grants_are_audited(services: Services) -> None:
    wujin = _unit(services, "wujin")
    async with services.db.unit_of_work() as uow:
        access = services.access
        assert await access.has(uow, 7, Role.ADMIN)
        assert not await access.has(uow, 8, Role.EVALUATOR)
        assert await access.grant(uow, 7, 8, Role.EVALUATOR, reason="评议办 staff")
        assert not await access.grant(uow, 7, 8, Role.EVALUATOR)  # held already
        assert await access.grant(uow, 7, 9, Role.HANDLER, wujin)
    async with services.db.unit_of_work() as uow:
        assert await access.has(uow, 8, Role.EVALUATOR)
        assert await access.has(uow, 9, Role.HANDLER, wujin)
        assert not await access.has(uow, 9, Role.HANDLER, _unit(services, "xinbei"))
        assert await access.handled_units(uow, 9) == {wujin}
        assert await access.revoke(uow, 7, 8, Role.EVALUATOR, reason="left the office")
        assert not await access.revoke(uow, 7, 8, Role.EVALUATOR)
    async with services.db.unit_of_work() as uow:
        assert not await access.has(uow, 8, Role.EVALUATOR)
        log = await access.audit_log(uow)
    assert [(e.action, e.actor) for e in log] == [("revoke", 7), ("grant", 7), ("grant", 7)]
    assert log[0].reason == "left the office" and log[2].reason == "评议办 staff"


async def test_a_code_works_once_and_is_bound_to_its_account(services: Services) -> None:
    wujin = _unit(services, "wujin")
    for user in (20, 21):
        await _person(services, user)
    async with services.db.unit_of_work() as uow:
        (code,) = await services.access.issue_codes(uow, 7, 1, role=Role.HANDLER, unit_id=wujin)
    assert len(code) == 8 and set(code) <= set(CODE_ALPHABET)
    async with services.db.unit_of_work() as uow:
        spaced = f" {code[:4].lower()}-{code[4:]} "
        first = await services.access.redeem(uow, 20, spaced)
        again = await services.access.redeem(uow, 20, code)
        other = await services.access.redeem(uow, 21, code)
        unknown = await services.access.redeem(uow, 21, "ZZZZZZZZ")
    assert (first.refusal, first.role, first.unit_id) == (None, Role.HANDLER, wujin)
    assert again.refusal == "used_by_you"
    assert other.refusal == "used" and unknown.refusal == "unknown"
    async with services.db.unit_of_work() as uow:
        assert await services.access.has(uow, 20, Role.HANDLER, wujin)
        assert not await services.access.has(uow, 21, Role.HANDLER)


async def test_expired_codes_are_refused(services: Services) -> None:
    await _person(services, 30)
    ends = services.clock.now() - dt.timedelta(seconds=1)
    async with services.db.unit_of_work() as uow:
        (code,) = await services.access.issue_codes(
            uow, 7, 1, category="npc-deputy", campaign_id=CAMPAIGN, expires_at=ends
        )
        assert (await services.access.redeem(uow, 30, code)).refusal == "expired"


async def test_a_category_code_opens_the_panel_only_component(services: Services) -> None:
    await _person(services, 40)
    async with services.db.unit_of_work() as uow:
        reply = await services.survey.begin(uow, 40)
    # The public sees only the questionnaire component.
    assert type(reply.screen).__name__ == "UnitChoice"
    async with services.db.unit_of_work() as uow:
        (code,) = await services.access.issue_codes(
            uow, 7, 1, category="mass-rep", campaign_id=CAMPAIGN
        )
        result = await services.access.redeem(uow, 40, code)
    assert (result.campaign_id, result.category) == (CAMPAIGN, "mass-rep")
    services.survey.forget_category(40, CAMPAIGN)
    async with services.db.unit_of_work() as uow:
        reply = await services.survey.begin(uow, 40)
    options = [(c.id, comp.id) for c, comp in reply.screen.options]  # type: ignore[union-attr]
    assert (CAMPAIGN, "onsite") in options and (CAMPAIGN, "questionnaire") in options


def test_issue_rules() -> None:
    assert normalize_code(" ab-cd 12 ") == "ABCD12"


async def test_codes_carry_a_role_or_a_category(services: Services) -> None:
    async with services.db.unit_of_work() as uow:
        with pytest.raises(ValueError, match="either a role or"):
            await services.access.issue_codes(uow, 7, 1)
        with pytest.raises(ValueError, match="needs its unit"):
            await services.access.issue_codes(uow, 7, 1, role=Role.HANDLER)
        with pytest.raises(ValueError, match="needs its campaign"):
            await services.access.issue_codes(uow, 7, 1, category="npc-deputy")
