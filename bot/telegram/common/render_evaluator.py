"""Evaluators' screens as Telegram HTML: ranking, one unit's score, issues, progress, overdue."""

from __future__ import annotations

import datetime as dt

from bot.campaign.schema import Campaign, ComponentKind
from bot.core.clock import CHINA
from bot.i18n import Safe, format_date, t
from bot.scoring.flags import reasons, status_text
from bot.scoring.format import format_interval, format_pct, format_points
from bot.scoring.lookback import LookBack
from bot.scoring.progress import (
    CompositionCheck,
    OverdueComplaint,
    Progress,
    composition_checks,
)
from bot.scoring.results import CampaignScores, ComponentScore, Status, UnitScore
from bot.telegram.common.render_panels import panel_lines, unit_panels
from bot.telegram.common.render_reach import entry_lines, last_line, last_short, source_line

LIMIT = 3900  # below Telegram's 4096 characters, with room for the HTML entities


def split_message(lines: list[str]) -> list[str]:
    """Lines joined into as few messages as fit Telegram's limit (split between lines)."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = line[:LIMIT]
        if current and len(current) + 1 + len(line) > LIMIT:
            chunks.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*chunks, current] if current else chunks


def computed(scores: CampaignScores, locale: str) -> str:
    """The "computed at" line."""
    return t(locale, "scoring.computed_at", time=timestamp(scores, locale), answers=scores.answers)


def flags(campaign: Campaign, scores: CampaignScores, unit: UnitScore, locale: str) -> list[str]:
    """The flags a unit carries, in words, each with why it was raised, then its sanctions."""
    marks = [
        t(
            locale,
            "scoring.reason.flag",
            flag=t(locale, f"scoring.flag.{r.flag}"),
            why=Safe(t(locale, r.key, **r.values)),
        )
        for r in reasons(campaign, scores, unit)
    ]
    return marks + sanctions(unit, locale)


def sanctions(unit: UnitScore, locale: str) -> list[str]:
    """The sanctions in force on a unit, each with its reason."""
    return [
        t(
            locale,
            "sanction.flag",
            kind=t(locale, f"sanction.kind.{s.kind.value}"),
            reason=s.reason[:300],
        )
        for s in unit.sanctions
    ]


def ranking(
    campaign: Campaign,
    scores: CampaignScores,
    kind: str,
    locale: str,
    lookback: LookBack | None = None,
) -> list[str]:
    """The ranking of one kind of unit: the ranked in rank order, then the unranked, each
    with why it is not ranked; with last round's figures when the campaign follows one."""
    kind_name = t(locale, f"scoring.kind.{kind}")
    lines = [t(locale, "scoring.ranking.title", campaign=campaign.name.get(locale), kind=kind_name)]
    units = scores.ranking(kind)
    if not units:
        lines.append(t(locale, "scoring.ranking.empty"))
    ranked = [u for u in units if u.status is Status.RANKED]
    unranked = [u for u in units if u.status is not Status.RANKED]
    lines += [_ranked_line(campaign, scores, u, locale, lookback) for u in ranked]
    if unranked:
        lines.append(t(locale, "scoring.ranking.unranked_title"))
    for u in unranked:
        lines.append(
            t(
                locale,
                "scoring.ranking.unranked",
                unit=campaign.unit(u.code).name.get(locale),
                composite=format_points(u.composite),
                status=Safe(status_text(campaign, u, locale)),
            )
            + last_short(lookback, u, locale)
        )
    return [*lines, *source_line(lookback, locale), "", computed(scores, locale)]


def _ranked_line(
    campaign: Campaign, scores: CampaignScores, u: UnitScore, locale: str, last: LookBack | None
) -> str:
    """One ranked unit: rank, composite, satisfaction, flags with their reasons, last round."""
    marks = flags(campaign, scores, u, locale)
    return t(
        locale,
        "scoring.ranking.line",
        rank=u.rank,
        unit=campaign.unit(u.code).name.get(locale),
        composite=format_points(u.composite),
        satisfaction=format_pct(u.satisfaction.satisfaction),
        flags=Safe(f" · {'; '.join(marks)}") if marks else "",
    ) + last_short(last, u, locale)


def score(
    campaign: Campaign,
    scores: CampaignScores,
    unit: UnitScore,
    locale: str,
    lookback: LookBack | None = None,
) -> list[str]:
    """Every figure of one unit (and last round's, when the campaign follows one)."""
    lines = [
        t(
            locale,
            "scoring.score.title",
            unit=campaign.unit(unit.code).name.get(locale),
            campaign=campaign.name.get(locale),
        ),
        t(
            locale,
            "scoring.score.composite",
            composite=format_points(unit.composite),
            rank=unit.rank or "—",
            of=unit.ranked_in_kind or "—",
            status=Safe(status_text(campaign, unit, locale)),
        ),
    ]
    if unit.applicable_weight != 100:
        lines.append(t(locale, "scoring.score.rescaled", weight=unit.applicable_weight))
    for part in unit.components:
        lines += _component(campaign, part, locale)
    s = unit.satisfaction
    lines.append(
        t(
            locale,
            "scoring.score.satisfaction",
            satisfaction=format_pct(s.satisfaction),
            interval=format_interval(s.low, s.high),
        )
    )
    if campaign.rules.bonus_cap:
        lines.append(
            t(
                locale,
                "scoring.score.bonus",
                bonus=format_points(unit.bonus),
                given=format_points(unit.bonus_given),
                cap=format_points(campaign.rules.bonus_cap),
            )
        )
    lines += panel_lines(campaign, unit, locale)
    marks = flags(campaign, scores, unit, locale)
    if marks:
        lines.append(t(locale, "scoring.score.flags", flags=Safe("; ".join(marks))))
    lines += last_line(lookback, unit, locale) + source_line(lookback, locale)
    return [*lines, "", computed(scores, locale)]


def _component(campaign: Campaign, part: ComponentScore, locale: str) -> list[str]:
    """The lines of one component."""
    comp = campaign.component(part.component)
    name = comp.name.get(locale)
    if not part.applies:
        return [t(locale, "scoring.score.not_applicable", name=name)]
    lines = [
        t(
            locale,
            "scoring.score.component",
            name=name,
            weight=comp.weight,
            score=format_points(part.score),
            points=format_points(part.points),
        )
    ]
    if comp.kind in (ComponentKind.SURVEY, ComponentKind.RECTIFICATION) and part.overall:
        o = part.overall
        lines.append(
            t(
                locale,
                "scoring.score.survey",
                people=o.people,
                valid=o.valid,
                minimum=campaign.rules.minimum_sample,
                dont_know=o.dont_know,
                interval=format_interval(o.low, o.high),
            )
        )
        texts = {i.id: i.text.get(locale) for i in campaign.questionnaire_for(comp).items}
        for item, f in part.items.items():
            lines.append(
                t(
                    locale,
                    "scoring.score.item",
                    item=texts.get(item, item),
                    satisfaction=format_pct(f.satisfaction),
                    valid=f.valid,
                )
            )
        categories = {c.id: c.name.get(locale) for c in campaign.categories}
        for cat, f in part.categories.items():
            lines.append(
                t(
                    locale,
                    "scoring.score.category",
                    category=categories.get(cat, cat),
                    satisfaction=format_pct(f.satisfaction),
                    valid=f.valid,
                )
            )
    elif comp.kind is ComponentKind.MANUAL:
        lines.append(t(locale, "scoring.score.marks", marks=part.marks, count=part.marks))
    elif comp.kind is ComponentKind.DEDUCTION:
        lines.append(
            t(
                locale,
                "scoring.score.deduction",
                deducted=format_points(part.deducted),
                findings=part.findings,
                count=part.findings,
            )
        )
    return lines


def issues(campaign: Campaign, unit: UnitScore, locale: str) -> list[str]:
    """Complaint counts by kind, overdue and findings, the latest suggestions."""
    lines = [t(locale, "scoring.issues.title", unit=campaign.unit(unit.code).name.get(locale))]
    kinds = {
        k.id: k.name.get(locale)
        for k in (campaign.complaints.conduct_kinds if campaign.complaints else [])
    }
    for kind, count in unit.issues.complaints.items():
        lines.append(t(locale, "scoring.issues.kind", kind=kinds.get(kind, kind), count=count))
    if not unit.issues.complaints:
        lines.append(t(locale, "scoring.issues.no_complaints"))
    lines.append(
        t(
            locale,
            "scoring.issues.summary",
            overdue=unit.issues.overdue,
            findings=unit.issues.findings,
        )
    )
    if unit.issues.suggestions:
        lines.append(t(locale, "scoring.issues.suggestions"))
        lines += [
            t(locale, "scoring.issues.suggestion", text=s[:300]) for s in unit.issues.suggestions
        ]
    else:
        lines.append(t(locale, "scoring.issues.no_suggestions"))
    return lines


def progress(
    campaign: Campaign,
    scores: CampaignScores | None,
    found: Progress,
    registry_ids: dict[str, int],
    locale: str,
) -> list[str]:
    """Per survey component and unit: people vs minimum, valid answers, submitted vs started;
    respondents per category vs quota, answers per day, questionnaires per entry path."""
    minimum = campaign.rules.minimum_sample
    lines = [t(locale, "scoring.progress.title", campaign=campaign.name.get(locale))]
    for comp in campaign.survey_components():
        lines.append(
            t(
                locale,
                "scoring.progress.component",
                component=comp.name.get(locale),
                minimum=minimum,
            )
        )
        for unit in campaign.units_for(comp):
            uid = registry_ids[unit.id]
            scored = scores.unit(uid) if scores else None
            overall = scored.component(comp.id).overall if scored else None
            people = overall.people if overall else 0
            p = found.units.get(uid)
            lines.append(
                t(
                    locale,
                    "scoring.progress.unit",
                    mark="✅" if people >= minimum else "⏳",
                    unit=unit.name.get(locale),
                    people=people,
                    valid=overall.valid if overall else 0,
                    minimum=minimum,
                    submitted=p.submitted.get(comp.id, 0) if p else 0,
                    started=p.started.get(comp.id, 0) if p else 0,
                )
            )
    lines.append(t(locale, "scoring.progress.categories"))
    for cat in campaign.categories:
        count = found.respondents.get(cat.id, 0)
        if cat.quota is not None:
            lines.append(
                t(
                    locale,
                    "scoring.progress.category",
                    category=cat.name.get(locale),
                    count=count,
                    quota=cat.quota,
                )
            )
        else:
            lines.append(
                t(
                    locale,
                    "scoring.progress.category_open",
                    category=cat.name.get(locale),
                    count=count,
                )
            )
    for check in composition_checks(campaign, found):
        lines.append(_composition(campaign, check, locale))
        lines += unit_panels(campaign, scores, check.rule.component, locale)
    lines.append(t(locale, "scoring.progress.days"))
    lines += [
        t(locale, "scoring.progress.day", date=format_date(locale, day), count=n)
        for day, n in found.per_day[-14:]
    ]
    if not found.per_day:
        lines.append(t(locale, "scoring.progress.no_days"))
    lines += entry_lines(campaign, found, registry_ids, locale)
    if scores is not None:
        lines += ["", computed(scores, locale)]
    return lines


def _composition(campaign: Campaign, check: CompositionCheck, locale: str) -> str:
    """One composition rule, met or not, with the share so far."""
    joiner = ", " if locale == "en" else "、"
    names = joiner.join(
        c.name.get(locale) for c in campaign.categories if c.id in check.rule.categories
    )
    return t(
        locale,
        "scoring.progress.composition",
        mark="✅" if check.met else "⚠️",
        categories=names,
        component=campaign.component(check.rule.component).name.get(locale),
        share=format_pct(check.share_pct),
        minimum=format_pct(check.rule.min_share * 100, places=0),
        members=check.members,
        total=check.total,
    )


def overdue(
    campaign: Campaign, items: list[OverdueComplaint], names: dict[int, str], locale: str
) -> list[str]:
    """Overdue complaints: tracking number, unit, kind, due date (never the complainant)."""
    lines = [
        t(locale, "scoring.overdue.title", campaign=campaign.name.get(locale), count=len(items))
    ]
    kinds = {
        k.id: k.name.get(locale)
        for k in (campaign.complaints.conduct_kinds if campaign.complaints else [])
    }
    for c in items:
        unit = names.get(c.unit_id, "") if c.unit_id else t(locale, "scoring.overdue.no_unit")
        due = c.due_at.astimezone(CHINA).date() if c.due_at.tzinfo else c.due_at.date()
        lines.append(
            t(
                locale,
                "scoring.overdue.line",
                tracking=c.tracking,
                unit=unit,
                kind=kinds.get(c.kind, c.kind),
                due=format_date(locale, due),
            )
        )
    if not items:
        lines.append(t(locale, "scoring.overdue.none"))
    return lines


def timestamp(scores: CampaignScores, locale: str) -> str:
    """When the figures were computed, for captions."""
    when: dt.datetime = scores.computed_at.astimezone(CHINA)
    return f"{format_date(locale, when.date())} {when:%H:%M}"
