"""The campaign, day by day: panels and the public rate on each survey phase's day,
complaints and inspections run alongside, and in the assessment the office imports
marks, the evaluator gives a bonus, imposes a sanction and exports the report."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import Awaitable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from bot.campaign.schema import Component, Unit
from bot.cli.demo.casework import (
    Case,
    CaseLog,
    Complainant,
    Evaluator,
    Handler,
    Inspector,
    cases,
)
from bot.cli.demo.office import grant_evaluator, import_marks, marks_csv, panel_codes
from bot.cli.demo.plans import Person, survey_days
from bot.cli.demo.respondents import Respondent
from bot.cli.demo.stage import Stage

T = TypeVar("T")
# People acting at the same moment: enough to keep the bot busy; more only wakes more
# waiting people on every message the server records (they all watch one signal).
AT_ONCE = 50
INSPECTIONS = (
    ("unannounced", "午间窗口无人值守，群众等候超过半小时。"),
    ("open", "办事指南未按规定公开收费标准。"),
    ("media", "报道反映执法检查后要求企业购买指定产品。"),
)


@dataclass
class RunLog:
    """What the rehearsal did, for the report."""

    days: list[dt.date] = field(default_factory=list)
    people: int = 0
    panel: int = 0
    ratings: int = 0
    submitted: int = 0
    suggestions: int = 0
    cases: CaseLog = field(default_factory=CaseLog)
    marks: int = 0
    bonus: str = ""  # the bot's answer to /bonus
    sanction: str = ""  # the bot's answer to /sanction
    workbook: Path | None = None


async def rehearse(stage: Stage, crowd: list[Person], out: Path, rng: random.Random) -> RunLog:
    """Run the whole campaign on `stage`; what was done."""
    log = RunLog(people=len(crowd), panel=sum(1 for p in crowd if p.category))
    log.ratings = sum(len(p.ratings) for p in crowd)
    log.suggestions = sum(1 for p in crowd for r in p.ratings if r.suggestion)
    await grant_evaluator(stage)
    codes = await panel_codes(stage, [p for p in crowd if p.category])
    respondents = {p.user_id: Respondent(stage, p) for p in crowd}
    for n, (day, components) in enumerate(survey_days(stage.campaign).items()):
        stage.move_to(day)
        log.days.append(day)
        rating = _survey_day(respondents, components, codes)
        if n == 0:  # complaints and inspections during the first survey phase
            done, _ = await asyncio.gather(rating, _casework(stage, len(crowd), log.cases, rng))
        else:
            done = await rating
        log.submitted += done
    await _assessment(stage, log, out, rng)
    return log


async def _survey_day(
    respondents: dict[int, Respondent], components: list[Component], codes: dict[int, str]
) -> int:
    """Everyone with a questionnaire open today rates; how many were submitted."""
    ids = {c.id for c in components}

    async def act(respondent: Respondent) -> int:
        ratings = [r for r in respondent.person.ratings if r.component.id in ids]
        if not ratings:
            return 0
        if respondent.thanks is None:  # first time: /start (and the code)
            await respondent.join(codes.get(respondent.id))
        return await respondent.rate(ratings)

    return sum(await _bounded([act(r) for r in respondents.values()]))


async def _bounded(jobs: list[Awaitable[T]]) -> list[T]:
    """Run `jobs` with at most AT_ONCE of them acting at the same moment."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(job: Awaitable[T]) -> T:
        async with gate:
            return await job

    return list(await asyncio.gather(*(one(j) for j in jobs)))


async def _casework(stage: Stage, people: int, log: CaseLog, rng: random.Random) -> None:
    """Complaints (one per 25 people, at least 3; none if the campaign takes none) and
    three inspections, handled."""
    taken = stage.campaign.complaints is not None
    filed = cases(stage, max(3, people // 25), rng) if taken else []
    visited = rng.sample(stage.campaign.units, len(INSPECTIONS))
    units = sorted({c.unit for c in filed} | {u.id for u in visited})
    handlers = {u: Handler(stage, n, u) for n, u in enumerate(units)}
    await asyncio.gather(*(h.register() for h in handlers.values()))
    await asyncio.gather(
        *(_complaint(stage, case, handlers[case.unit], log) for case in filed),
        _inspections(stage, visited, handlers, log),
    )


async def _complaint(stage: Stage, case: Case, handler: Handler, log: CaseLog) -> None:
    """File, handle, close, rate one complaint."""
    citizen = Complainant(stage, case)
    tracking = await citizen.file()
    log.filed += 1
    await handler.handle(tracking, case.verdict)
    log.closed += 1
    log.verdicts[case.verdict] = log.verdicts.get(case.verdict, 0) + 1
    await citizen.rate(tracking)
    log.rated += 1


async def _inspections(
    stage: Stage, visited: list[Unit], handlers: dict[str, Handler], log: CaseLog
) -> None:
    """The inspector records three findings; the evaluator confirms two and rejects one;
    the units answer the confirmed ones with what they corrected."""
    inspector, evaluator = Inspector(stage), Evaluator(stage)
    await inspector.register()
    for n, (unit, (kind, seen)) in enumerate(zip(visited, INSPECTIONS, strict=True)):
        finding = await inspector.inspect(unit.id, kind, seen)
        log.inspections += 1
        if n == len(INSPECTIONS) - 1:
            await evaluator.command(f"/reject {finding} 证据不足，无法核实")
            log.rejected += 1
            continue
        await evaluator.command(f"/confirm {finding}")
        log.confirmed += 1
        await handlers[unit.id].correct(finding)
        log.corrected += 1


async def _assessment(stage: Stage, log: RunLog, out: Path, rng: random.Random) -> None:
    """After the last survey phase: marks, a bonus, a sanction, the scores, the workbook."""
    campaign = stage.campaign
    last = max(campaign.phase(c.phase).end for c in campaign.survey_components() if c.phase)
    stage.move_to(last + dt.timedelta(days=1))
    log.days.append(last + dt.timedelta(days=1))
    log.marks = await import_marks(stage, marks_csv(stage, rng))
    evaluator = Evaluator(stage)
    kind = max({u.kind for u in campaign.units}, key=lambda k: _count(campaign.units, k))
    picked = rng.sample([u for u in campaign.units if u.kind == kind], 2)
    reason = campaign.rules.bonus_reasons[0].get("zh-Hans") if campaign.rules.bonus_reasons else ""
    log.bonus = await evaluator.command(f"/bonus {picked[0].id} 2 {reason or '成绩突出'}")
    sanction = "no-award" if campaign.rules.awards else "worst"
    log.sanction = await evaluator.command(
        f"/sanction {picked[1].id} {sanction} 查实存在吃拿卡要问题，按规定处理"
    )
    await stage.services.scoring.refresh(campaign.id, full=True)  # `pingyi score`
    log.workbook = await _export(stage, evaluator, out)


def _count(units: list[Unit], kind: object) -> int:
    return sum(1 for u in units if u.kind == kind)


async def _export(stage: Stage, evaluator: Evaluator, out: Path) -> Path:
    """/export in chat; the workbook the evaluator receives, saved under `out`."""
    await evaluator.user.send_text("/export")
    document = await evaluator.seeing(lambda m: m.kind == "document", "the workbook")
    stored = stage.api.files.get(document.file_id or "")
    assert stored is not None
    path = out / (stored.file_name or f"{stage.campaign.id}.xlsx")
    await asyncio.to_thread(_save, path, stored.data)
    return path


def _save(path: Path, data: bytes) -> None:
    """Write the workbook (its folder made if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
