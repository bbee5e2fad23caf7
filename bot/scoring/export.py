"""The evaluators' report: an XLSX workbook (and the same tables as CSV files).

Sheets: ranking, per-unit detail (one row per component), per item, per
respondent category, complaints summary.  Headers are in the reader's locale;
figures are numbers rounded as published (two places for points, one for
percentages), so a cell equals the scorer's figure rounded the same way.  The
ranking sheet gives each unit's applicable weight (a composite of a unit reached by
fewer components is rescaled by the applicable weights), why an unranked unit has
no rank (k of m people, awaiting marks), and why each flag was raised.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from openpyxl import Workbook

from bot.admin.fairness import Burst
from bot.campaign.schema import Campaign
from bot.core.clock import CHINA
from bot.i18n import t
from bot.scoring.export_reach import Sheet
from bot.scoring.flags import reasons, status_text
from bot.scoring.results import CampaignScores, Figure, UnitScore
from storage.inspections import InspectionRecord

Cell = str | int | Decimal | None
Table = tuple[str, list[str], list[list[Cell]]]  # sheet name, headers, rows


def r(value: Decimal | None, places: int) -> Decimal | None:
    """A figure rounded half up as published (None stays empty)."""
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def tables(
    campaign: Campaign,
    scores: CampaignScores,
    locale: str,
    bursts: Sequence[Burst] = (),
    findings: Sequence[InspectionRecord] = (),
) -> list[Table]:
    """The report's tables, in the order of the workbook's sheets."""
    return [
        _ranking(campaign, scores, locale),
        _detail(campaign, scores, locale),
        _items(campaign, scores, locale),
        _categories(campaign, scores, locale),
        _complaints(campaign, scores, locale),
        _suspicious(campaign, scores, bursts, locale),
        _findings(campaign, scores, findings, locale),
    ]


def _suspicious(
    campaign: Campaign, scores: CampaignScores, bursts: Sequence[Burst], locale: str
) -> Table:
    """Flagged bursts (评议纪律): counts and times only — an export names nobody."""
    codes = {u.unit_id: u.code for u in scores.units}
    rows: list[list[Cell]] = [
        [
            _unit_name(campaign, codes[b.unit_id], locale)
            if b.unit_id in codes
            else str(b.unit_id),
            campaign.component(b.component).name.get(locale),
            len(b.respondent_ids),
            b.first_seen_from.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            b.first_seen_to.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
            " ".join(t(locale, f"level.{level}") for level in b.pattern),
        ]
        for b in bursts
    ]
    headers = _h(
        locale, "unit", "component", "accounts", "first_seen_from", "first_seen_to", "pattern"
    )
    return t(locale, "scoring.sheet.suspicious"), headers, rows


def _h(locale: str, *keys: str) -> list[str]:
    return [t(locale, f"scoring.col.{k}") for k in keys]


def _unit_name(campaign: Campaign, code: str, locale: str) -> str:
    return campaign.unit(code).name.get(locale)


def _ranking(campaign: Campaign, scores: CampaignScores, locale: str) -> Table:
    rows: list[list[Cell]] = []
    for kind in sorted({u.kind for u in scores.units}):
        for u in scores.ranking(kind):
            s = u.satisfaction
            why = _reasons(campaign, scores, u, locale)
            rows.append(
                [
                    t(locale, f"scoring.kind.{kind}"),
                    u.rank,
                    _unit_name(campaign, u.code, locale),
                    r(u.composite, 2),
                    r(u.bonus, 2),
                    u.applicable_weight,
                    r(s.satisfaction, 1),
                    r(s.low, 1),
                    r(s.high, 1),
                    s.people,
                    s.valid,
                    s.dont_know,
                    html.unescape(status_text(campaign, u, locale)),
                    *(why.get(flag, "") for flag in ("talk", "no_excellence", "award")),
                    _sanctions(u, locale),
                    _panels(u),
                ]
            )
    headers = _h(
        locale,
        "kind",
        "rank",
        "unit",
        "composite",
        "bonus",
        "applicable",
        "satisfaction",
        "low",
        "high",
        "people",
        "valid",
        "dont_know",
        "status",
        "talk",
        "no_excellence",
        "award",
        "sanction",
        "panel",
    )
    return t(locale, "scoring.sheet.ranking"), headers, rows


def _reasons(
    campaign: Campaign, scores: CampaignScores, unit: UnitScore, locale: str
) -> dict[str, str]:
    """Each flag of a unit → why it was raised (an empty cell: not flagged)."""
    found = reasons(campaign, scores, unit)
    return {r.flag: html.unescape(t(locale, r.key, **r.values)) for r in found}


def _panels(unit: UnitScore) -> str:
    """Each composition rule on the unit's own panel: component, members/total, met or not
    (✓ / ✗), "!" when enforced."""
    return "; ".join(
        f"{p.component} {p.members}/{p.total} {'✓' if p.met else '✗'}{'!' if p.enforced else ''}"
        for p in unit.panels
    )


def _findings(
    campaign: Campaign,
    scores: CampaignScores,
    findings: Sequence[InspectionRecord],
    locale: str,
) -> Table:
    """Inspectors' findings (明查暗访) with their status and the unit's correction; the
    inspector is not named (集中交办 hands them over without it)."""
    codes = {u.unit_id: u.code for u in scores.units}
    rows: list[list[Cell]] = [
        [
            f.id,
            _unit_name(campaign, codes[f.unit_id], locale) if f.unit_id in codes else f.unit_id,
            t(locale, f"inspection.kind.{f.kind}"),
            f.seen,
            None if f.points_x100 is None else Decimal(f.points_x100) / 100,
            t(locale, f"inspection.status.{f.status}"),
            f.decision or "",
            f.correction or "",
            len(f.files),
        ]
        for f in findings
    ]
    headers = _h(
        locale,
        "finding",
        "unit",
        "kind",
        "seen",
        "deducted",
        "status",
        "decision",
        "corrected",
        "files",
    )
    return t(locale, "scoring.sheet.findings"), headers, rows


def _sanctions(unit: UnitScore, locale: str) -> str:
    """The sanctions in force on a unit with their reasons (plain text: a cell, not HTML)."""
    return "; ".join(
        f"#{s.id} {t(locale, f'sanction.kind.{s.kind.value}')}: {s.reason}" for s in unit.sanctions
    )


def _detail(campaign: Campaign, scores: CampaignScores, locale: str) -> Table:
    rows: list[list[Cell]] = []
    for u in scores.units:
        for c in u.components:
            if not c.applies:
                continue
            overall = c.overall or Figure()
            rows.append(
                [
                    _unit_name(campaign, u.code, locale),
                    campaign.component(c.component).name.get(locale),
                    t(locale, f"scoring.ckind.{c.kind}"),
                    c.weight,
                    r(c.score, 2),
                    r(c.points, 2),
                    overall.people if c.overall else None,
                    overall.valid if c.overall else None,
                    c.marks or None,
                    r(c.deducted, 2) if c.kind == "deduction" else None,
                ]
            )
    headers = _h(
        locale,
        "unit",
        "component",
        "component_kind",
        "weight",
        "score",
        "points",
        "people",
        "valid",
        "marks",
        "deducted",
    )
    return t(locale, "scoring.sheet.detail"), headers, rows


def _items(campaign: Campaign, scores: CampaignScores, locale: str) -> Table:
    rows: list[list[Cell]] = []
    for u in scores.units:
        for c in u.components:
            component = campaign.component(c.component)
            if c.kind != "survey":
                continue
            for item in campaign.questionnaire_for(component).items:
                f = c.items.get(item.id)
                if f is None:
                    continue
                rows.append(
                    [
                        _unit_name(campaign, u.code, locale),
                        component.name.get(locale),
                        item.text.get(locale),
                        r(f.satisfaction, 1),
                        r(f.low, 1),
                        r(f.high, 1),
                        f.valid,
                        f.dont_know,
                    ]
                )
    headers = _h(
        locale, "unit", "component", "item", "satisfaction", "low", "high", "valid", "dont_know"
    )
    return t(locale, "scoring.sheet.items"), headers, rows


def _categories(campaign: Campaign, scores: CampaignScores, locale: str) -> Table:
    names = {c.id: c.name.get(locale) for c in campaign.categories}
    rows: list[list[Cell]] = []
    for u in scores.units:
        for c in u.components:
            for cat, f in c.categories.items():
                rows.append(
                    [
                        _unit_name(campaign, u.code, locale),
                        campaign.component(c.component).name.get(locale),
                        names.get(cat, cat),
                        r(f.satisfaction, 1),
                        f.people,
                        f.valid,
                        f.dont_know,
                    ]
                )
    headers = _h(
        locale,
        "unit",
        "component",
        "category",
        "satisfaction",
        "people",
        "valid",
        "dont_know",
    )
    return t(locale, "scoring.sheet.categories"), headers, rows


def _complaints(campaign: Campaign, scores: CampaignScores, locale: str) -> Table:
    kinds = campaign.complaints.conduct_kinds if campaign.complaints else []
    rows: list[list[Cell]] = []
    for u in scores.units:
        i = u.issues
        rows.append(
            [
                _unit_name(campaign, u.code, locale),
                *(i.complaints.get(k.id, 0) for k in kinds),
                sum(i.complaints.values()),
                i.overdue,
                i.findings,
                " | ".join(i.suggestions),
            ]
        )
    headers = [
        t(locale, "scoring.col.unit"),
        *(k.name.get(locale) for k in kinds),
        *_h(locale, "complaints", "overdue", "findings", "suggestions"),
    ]
    return t(locale, "scoring.sheet.complaints"), headers, rows


def workbook_bytes(
    campaign: Campaign,
    scores: CampaignScores,
    locale: str,
    bursts: Sequence[Burst] = (),
    findings: Sequence[InspectionRecord] = (),
    more: Sequence[Sheet] = (),
) -> bytes:
    """The report as an XLSX file's bytes (`more`: sheets built elsewhere, appended)."""
    book = Workbook()
    for sheet in list(book.worksheets):
        book.remove(sheet)
    extra = [(name, headers, rows) for _, name, headers, rows in more]
    for name, headers, rows in [*tables(campaign, scores, locale, bursts, findings), *extra]:
        sheet = book.create_sheet(name[:31])
        sheet.append(headers)
        for row in rows:
            sheet.append(row)
        sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def write_report(
    campaign: Campaign,
    scores: CampaignScores,
    locale: str,
    folder: Path,
    bursts: Sequence[Burst] = (),
    findings: Sequence[InspectionRecord] = (),
    more: Sequence[Sheet] = (),
) -> list[Path]:
    """The workbook plus one CSV per sheet (UTF-8 with BOM, so spreadsheet tools read Chinese)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{campaign.id}-{scores.computed_at:%Y%m%d-%H%M}"
    written = [folder / f"{stem}.xlsx"]
    written[0].write_bytes(workbook_bytes(campaign, scores, locale, bursts, findings, more))
    sheets = tables(campaign, scores, locale, bursts, findings)
    names = [*_CSV_NAMES, *(slug for slug, *_ in more)]
    for n, (_, headers, rows) in enumerate([*sheets, *[m[1:] for m in more]], start=1):
        path = folder / f"{stem}-{n}-{names[n - 1]}.csv"
        path.write_text(_csv(headers, rows), encoding="utf-8-sig")
        written.append(path)
    return written


_CSV_NAMES = ("ranking", "detail", "items", "categories", "complaints", "suspicious", "findings")


def _csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue()
