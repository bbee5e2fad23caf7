"""What the 纠风办's operator does from the command line rather than in chat: grant the
evaluator role (`pingyi grant`), issue codes (`pingyi codes`), import marks
(`pingyi marks import`).  These call the same services the commands call."""

from __future__ import annotations

import csv
import io
import random
from collections import defaultdict

from bot.access.service import Role
from bot.campaign.schema import ComponentKind
from bot.cli.demo.plans import Person
from bot.cli.demo.stage import EVALUATOR_ID, Stage
from bot.scoring.records import MARKS_CSV_COLUMNS, parse_marks_csv


async def grant_evaluator(stage: Stage) -> None:
    """`pingyi grant --role evaluator --user-id …`."""
    async with stage.services.db.unit_of_work() as uow:
        await stage.services.access.grant(uow, None, EVALUATOR_ID, Role.EVALUATOR, None, "demo")


async def panel_codes(stage: Stage, members: list[Person]) -> dict[int, str]:
    """`pingyi codes --category C --campaign ID --unit U --count N` for every panel: one
    single-use code per member, bound to their unit's panel."""
    groups: dict[tuple[str, str], list[Person]] = defaultdict(list)
    for person in members:
        assert person.category is not None and person.panel_unit is not None
        groups[(person.category, person.panel_unit.id)].append(person)
    codes: dict[int, str] = {}
    async with stage.services.db.unit_of_work() as uow:
        for (category, unit), group in groups.items():
            issued = await stage.services.access.issue_codes(
                uow,
                None,
                len(group),
                campaign_id=stage.campaign.id,
                category=category,
                panel_units=[stage.unit_id(unit)],
            )
            codes.update(zip((p.user_id for p in group), issued, strict=True))
    return codes


async def role_code(stage: Stage, role: Role, unit: str | None = None) -> str:
    """`pingyi codes --role R [--unit U] --count 1`."""
    unit_id = stage.unit_id(unit) if unit is not None else None
    async with stage.services.db.unit_of_work() as uow:
        [code] = await stage.services.access.issue_codes(uow, None, 1, role=role, unit_id=unit_id)
    return code


def marks_csv(stage: Stage, rng: random.Random) -> str:
    """The CSV an office would import: two occasions' marks for every unit each manual
    component covers."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(MARKS_CSV_COLUMNS)
    campaign = stage.campaign
    for comp in campaign.components:
        if comp.kind is not ComponentKind.MANUAL:
            continue
        for unit in campaign.units:
            if comp.covers(unit):
                for label in ("第一季度", "第二季度"):
                    score = f"{rng.uniform(72, 98):.1f}"
                    writer.writerow([campaign.id, unit.id, comp.id, label, score, ""])
    return out.getvalue()


async def import_marks(stage: Stage, text: str) -> int:
    """`pingyi marks import FILE.csv`: parse, store, refresh; how many marks."""
    services = stage.services
    entries = parse_marks_csv(services.registry, text)
    if not entries:
        return 0
    async with services.db.unit_of_work() as uow:
        stored = await services.records.store_marks(uow, None, entries)
    await services.scoring.refresh(stage.campaign.id, full=True)
    return stored
