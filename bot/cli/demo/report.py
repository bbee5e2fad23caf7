"""The final report a 纠风办 would file, as plain text: what the rehearsal did, then per kind
of unit the ranking — rank, composite, each component, satisfaction with its interval,
people sampled — and per unit its flags with their reasons, sanctions, award and the
main problems raised.  Every score is formatted by bot/scoring/format.py."""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass

from bot.campaign.schema import Campaign
from bot.cli.demo.casework import CaseLog
from bot.cli.demo.rehearsal import RunLog
from bot.complaints.screens import VERDICTS
from bot.i18n import Safe, format_date, t
from bot.scoring.flags import Reason, reasons, status_text
from bot.scoring.format import format_interval, format_pct, format_points
from bot.scoring.results import CampaignScores, ComponentScore, Status, UnitScore
from bot.telegram.common.render_evaluator import sanctions

LOCALE = "zh-Hans"


@dataclass(frozen=True)
class Setting:
    """How the rehearsal was run, for the report's opening lines."""

    database: str
    seconds: float
    minimum_in_file: int  # the campaign file's minimum sample (the run may override it)


def report(campaign: Campaign, scores: CampaignScores, log: RunLog, setting: Setting) -> str:
    """The whole report."""
    lines = [*_opening(campaign, log, setting), ""]
    for kind in sorted({u.kind for u in scores.units}):
        lines += [*_kind(campaign, scores, kind), ""]
    lines += _closing(campaign, log, setting)
    return "\n".join(_plain(line) for line in lines)


def _opening(campaign: Campaign, log: RunLog, setting: Setting) -> list[str]:
    """Title, who took part, the casework, marks, bonus and sanction."""
    title = t(
        LOCALE,
        "report.title",
        campaign=campaign.name.get(LOCALE),
        first=format_date(LOCALE, log.days[0]),
        last=format_date(LOCALE, log.days[-1]),
    )
    return [
        title,
        _who(log, setting),
        *_casework(log.cases),
        t(LOCALE, "report.marks", count=log.marks),
        t(LOCALE, "report.bonus", answer=log.bonus),
        t(LOCALE, "report.sanction", answer=log.sanction),
    ]


def _who(log: RunLog, setting: Setting) -> str:
    """Who took part and how many questionnaires they submitted."""
    return t(
        LOCALE,
        "report.run",
        people=log.people,
        panel=log.panel,
        public=log.people - log.panel,
        submitted=log.submitted,
        ratings=log.ratings,
        suggestions=log.suggestions,
        database=setting.database,
    )


def _casework(cases: CaseLog) -> list[str]:
    """Complaints filed and how they ended; inspections and what became of them."""
    verdicts = {v: cases.verdicts.get(v, 0) for v in VERDICTS}
    done = {"filed": cases.filed, "closed": cases.closed, "rated": cases.rated}
    complaints = t(LOCALE, "report.cases", **done, **verdicts)
    inspections = t(
        LOCALE,
        "report.inspections",
        inspections=cases.inspections,
        confirmed=cases.confirmed,
        rejected=cases.rejected,
        corrected=cases.corrected,
    )
    return [complaints, inspections]


def _kind(campaign: Campaign, scores: CampaignScores, kind: str) -> list[str]:
    """One kind's ranking table, then a paragraph per unit."""
    units = scores.ranking(kind)
    average = format_points(scores.kind_average.get(kind))
    title = t(LOCALE, "report.kind", kind=t(LOCALE, f"scoring.kind.{kind}"), average=average)
    rows = [_header(campaign), *(_row(campaign, u) for u in units)]
    notes = [line for u in units for line in _notes(campaign, scores, u)]
    return [title, *_table(rows), *notes]


def _header(campaign: Campaign) -> list[str]:
    """The table's column names: one per component."""
    return [
        t(LOCALE, "report.rank"),
        t(LOCALE, "report.unit"),
        t(LOCALE, "report.composite"),
        *(c.name.get(LOCALE) for c in campaign.components),
        t(LOCALE, "report.satisfaction"),
        t(LOCALE, "report.interval"),
        t(LOCALE, "report.people"),
    ]


def _row(campaign: Campaign, unit: UnitScore) -> list[str]:
    """One unit's figures."""
    s = unit.satisfaction
    return [
        str(unit.rank) if unit.rank is not None else "—",
        campaign.unit(unit.code).name.get(LOCALE),
        format_points(unit.composite),
        *(_component(part) for part in unit.components),
        format_pct(s.satisfaction),
        format_interval(s.low, s.high),
        str(s.people),
    ]


def _component(part: ComponentScore) -> str:
    """A component's score out of 100, or that it does not cover the unit."""
    return format_points(part.score) if part.applies else t(LOCALE, "report.not_applicable")


def _notes(campaign: Campaign, scores: CampaignScores, unit: UnitScore) -> list[str]:
    """A unit's status if unranked, its flags with reasons and sanctions, its award and
    the problems raised about it; nothing when there is nothing to say."""
    said = [status_text(campaign, unit, LOCALE)] if unit.status is not Status.RANKED else []
    said += [_flag(campaign, unit, r) for r in reasons(campaign, scores, unit)]
    said += sanctions(unit, LOCALE)
    said += _problems(campaign, unit)
    if not said:
        return []
    name = campaign.unit(unit.code).name.get(LOCALE)
    return [t(LOCALE, "report.note", unit=name, notes="；".join(_plain(s) for s in said))]


def _flag(campaign: Campaign, unit: UnitScore, reason: Reason) -> str:
    """A flag with why it was raised; an award by its name."""
    why = Safe(t(LOCALE, reason.key, **reason.values))
    flag = t(LOCALE, f"scoring.flag.{reason.flag}")
    if reason.flag == "award":
        names = [a.name.get(LOCALE) for a in campaign.rules.awards if a.kind == unit.kind]
        flag = t(LOCALE, "report.award", award=names[0]) if names else flag
    return t(LOCALE, "scoring.reason.flag", flag=Safe(flag), why=why)


def _problems(campaign: Campaign, unit: UnitScore) -> list[str]:
    """Complaints per kind of conduct and substantiated findings (群众反映主要问题)."""
    conduct = campaign.complaints.conduct_kinds if campaign.complaints else []
    kinds = {k.id: k.name.get(LOCALE) for k in conduct}
    counted = sorted(unit.issues.complaints.items(), key=lambda kv: (-kv[1], kv[0]))
    said = [
        t(LOCALE, "report.complaints", kind=kinds.get(kind, kind), count=count)
        for kind, count in counted
        if count
    ]
    if unit.issues.findings:
        said.append(t(LOCALE, "report.findings", count=unit.issues.findings))
    return said


def _closing(campaign: Campaign, log: RunLog, setting: Setting) -> list[str]:
    """The sample rule, the rescaling rule, the workbook and the time taken."""
    minimum = campaign.rules.minimum_sample
    lines = [t(LOCALE, "report.sample", minimum=minimum)]
    if minimum != setting.minimum_in_file:
        file = setting.minimum_in_file
        lines.append(t(LOCALE, "report.sample_override", minimum=minimum, file=file))
    lines.append(t(LOCALE, "report.rescaled"))
    if log.workbook is not None:
        lines.append(t(LOCALE, "report.workbook", path=str(log.workbook)))
    lines.append(t(LOCALE, "report.elapsed", seconds=f"{setting.seconds:.1f}"))
    return lines


def _plain(text: str) -> str:
    """Translations are Telegram HTML; a terminal wants none of it."""
    return html.unescape(re.sub(r"</?[a-z]+>", "", text))


def _width(text: str) -> int:
    """Columns a string takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]]) -> list[str]:
    """Rows as aligned columns, a rule under the header."""
    widths = [max(_width(row[c]) for row in rows) for c in range(len(rows[0]))]
    out = []
    for n, row in enumerate(rows):
        cells = [cell + " " * (widths[c] - _width(cell)) for c, cell in enumerate(row)]
        out.append("  ".join(cells).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return out
