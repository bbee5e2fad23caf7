"""Sanctions worked by hand (seed 002 六(三), seed 000 四(四)): a unit sanctioned "worst"
is last in its kind whatever its score and gets no award; "no-award" only takes the
award away; an admin's revocation restores the ranking; every change is audited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from bot.app.services import Services
from bot.scoring.records import EntryError, parse_marks_csv
from bot.scoring.results import CampaignScores, SanctionKind, UnitScore
from storage.models import AuditEntry

from .helpers import B, F, V, add_questionnaires, scoring_services, unit_id

NT = "nantong-2012-efficiency"
LEVELS = {"V": V, "F": F, "B": B}
# Nantong divisions (award: the best 6): daily mark, midyear, interpellation, social.
DIVISIONS = {
    "ndrc-key-projects": ("95", "V", "V", "F"),  # 28.5 + 20 + 25 + 20 = 93.5
    "land-use": ("90", "F", "V", "V"),  # 27 + 16 + 25 + 25 = 93
    "planning-approval": ("80", "V", "F", "F"),  # 24 + 20 + 20 + 20 = 84
    "construction-admin": ("100", "B", "F", "F"),  # 30 + 12 + 20 + 20 = 82
    "eia": ("80", "F", "F", "F"),  # 80
    "transport-construction": ("80", "F", "F", "F"),  # 80 (ties eia)
    "foreign-investment": ("60", "B", "B", "B"),  # 18 + 12 + 15 + 15 = 60
}


async def _divisions(services: Services) -> None:
    rows = []
    for code, (mark, mid, inter, soc) in DIVISIONS.items():
        await add_questionnaires(services, NT, code, "midyear", [LEVELS[mid]] * 6, 5)
        await add_questionnaires(services, NT, code, "interpellation", [LEVELS[inter]] * 6, 5)
        await add_questionnaires(services, NT, code, "social", [LEVELS[soc]] * 6, 5)
        rows.append(f"{NT},{code},daily,2012-h1,{mark},\n")
    text = "campaign,unit,component,label,score,note\n" + "".join(rows)
    async with services.db.unit_of_work() as uow:
        await services.records.store_marks(uow, None, parse_marks_csv(services.registry, text))


async def _placing(services: Services) -> dict[str, UnitScore]:
    await services.scoring.refresh(NT, full=True)
    async with services.db.unit_of_work() as uow:
        scores: CampaignScores | None = await services.scoring.results(uow, NT)
    assert scores is not None
    return {u.code: u for u in scores.units if u.code in DIVISIONS}


async def test_worst_sanction_puts_the_best_unit_last_without_award(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2012, 11, 5)) as services:
        await _divisions(services)
        before = await _placing(services)
        assert (before["ndrc-key-projects"].rank, before["ndrc-key-projects"].award) == (1, True)
        records = services.records
        async with services.db.unit_of_work() as uow:
            worst = await records.impose_sanction(
                uow, 7, NT, unit_id(services, NT, "ndrc-key-projects"), "worst", "组织拉票"
            )
            await records.impose_sanction(
                uow, 7, NT, unit_id(services, NT, "eia"), "NO-AWARD", "打击报复投诉人"
            )
        u = await _placing(services)
        # By score: land 93 → 1, planning 84 → 2, construction 82 → 3, eia and transport
        # 80 → 4 (shared), foreign 60 → 6; the sanctioned best unit (93.5) comes 7th of 7.
        ranks = {code: s.rank for code, s in u.items()}
        assert ranks == {
            "land-use": 1,
            "planning-approval": 2,
            "construction-admin": 3,
            "eia": 4,
            "transport-construction": 4,
            "foreign-investment": 6,
            "ndrc-key-projects": 7,
        }
        assert str(u["ndrc-key-projects"].composite) == "93.5000"  # its score is unchanged
        awarded = {code for code, s in u.items() if s.award}
        # the best 6 but the last (sanctioned worst) and eia (no award): 5 awards.
        assert awarded == {
            "land-use",
            "planning-approval",
            "construction-admin",
            "transport-construction",
            "foreign-investment",
        }
        assert [(s.kind, s.reason) for s in u["ndrc-key-projects"].sanctions] == [
            (SanctionKind.WORST, "组织拉票")
        ]
        assert [s.kind for s in u["eia"].sanctions] == [SanctionKind.NO_AWARD]
        async with services.db.unit_of_work() as uow:
            await records.revoke_sanction(uow, 1, str(worst), "经复核不属实")
            with pytest.raises(EntryError):  # revoked already: nothing in force under that id
                await records.revoke_sanction(uow, 1, str(worst), "again")
        u = await _placing(services)
        assert (u["ndrc-key-projects"].rank, u["ndrc-key-projects"].award) == (1, True)
        assert u["ndrc-key-projects"].sanctions == ()
        async with services.db.unit_of_work() as uow:
            audit = (
                await uow.session.execute(
                    select(AuditEntry.action, AuditEntry.actor, AuditEntry.reason).where(
                        AuditEntry.action.like("sanction%")
                    )
                )
            ).all()
        assert sorted(audit) == [
            ("sanction", 7, "打击报复投诉人"),
            ("sanction", 7, "组织拉票"),
            ("sanction_revoke", 1, "经复核不属实"),
        ]


async def test_sanction_needs_a_kind_and_a_reason(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2012, 11, 5)) as services:
        uid = unit_id(services, NT, "eia")
        async with services.db.unit_of_work() as uow:
            with pytest.raises(EntryError) as kind:
                await services.records.impose_sanction(uow, 7, NT, uid, "fine", "x")
            with pytest.raises(EntryError) as reason:
                await services.records.impose_sanction(uow, 7, NT, uid, "worst", " \u200b ")
        assert (kind.value.key, reason.value.key) == ("sanction_kind", "sanction_reason")
