"""Screens of 回头看 (last round beside this one), entry paths, and a unit's time limits and
complaint channel, as Telegram HTML lines for the evaluators' reports and /results."""

from __future__ import annotations

import html

from bot.campaign.schema import Campaign, Unit
from bot.i18n import t
from bot.publish.snapshot import LookedBack, PublishedLast
from bot.scoring.format import format_pct, format_pct_change, format_rank_change
from bot.scoring.lookback import Change, LookBack
from bot.scoring.results import UnitScore
from storage.progress import Progress


def _rank(rank: int | None, of: int, locale: str) -> str:
    """Last round's rank in words ("第 3/8 名", "not ranked")."""
    if rank is None:
        return t(locale, "reach.last.unranked")
    return t(locale, "reach.last.rank", rank=rank, of=of)


def _change(lookback: LookBack, unit: UnitScore) -> Change | None:
    return lookback.change(unit.code, unit.rank, unit.satisfaction.satisfaction)


def last_line(lookback: LookBack | None, unit: UnitScore, locale: str) -> list[str]:
    """/score: the unit's rank and satisfaction last round and the change (none: [])."""
    if lookback is None:
        return []
    change = _change(lookback, unit)
    if change is None:
        return [t(locale, "reach.last.new", campaign=lookback.name(locale))]
    return [
        t(
            locale,
            "reach.last.line",
            campaign=lookback.name(locale),
            rank=_rank(change.last.rank, change.last.ranked_in_kind, locale),
            satisfaction=format_pct(change.last.satisfaction),
            rank_change=format_rank_change(change.rank),
            satisfaction_change=format_pct_change(change.satisfaction),
        )
    ]


def last_short(lookback: LookBack | None, unit: UnitScore, locale: str) -> str:
    """/ranking: last round's figures after a unit's line ("" if none)."""
    change = _change(lookback, unit) if lookback is not None else None
    if change is None:
        return ""
    return t(
        locale,
        "reach.last.short",
        rank=_rank(change.last.rank, change.last.ranked_in_kind, locale),
        satisfaction=format_pct(change.last.satisfaction),
        rank_change=format_rank_change(change.rank),
        satisfaction_change=format_pct_change(change.satisfaction),
    )


def source_line(lookback: LookBack | None, locale: str) -> list[str]:
    """Where last round's figures come from: a publication, or scores not published."""
    if lookback is None:
        return []
    key = f"reach.last.source.{lookback.source}"
    return [t(locale, key, campaign=lookback.name(locale), number=lookback.number or "")]


def published_last(looked: LookedBack | None, last: PublishedLast | None, locale: str) -> str:
    """/results: a published unit's last-round figures, as the publication states them."""
    if looked is None or last is None:
        return ""
    return t(
        locale,
        "reach.last.short",
        rank=_rank(last.rank, last.ranked_in_kind, locale),
        satisfaction=f"{last.satisfaction}%" if last.satisfaction else "—",
        rank_change=last.rank_change,
        satisfaction_change=last.satisfaction_change,
    )


def outreach(unit: Unit, locale: str) -> list[str]:
    """A unit's published service time limits and complaint channel (none given: [])."""
    lines: list[str] = []
    if unit.time_limits:
        lines.append(f"<b>{t(locale, 'reach.limits.title')}</b>")
        lines += [f"• {html.escape(text.get(locale))}" for text in unit.time_limits]
    channel = unit.complaint_channel
    if channel is not None:
        lines.append(f"<b>{t(locale, 'reach.channel.title')}</b>")
        if channel.phone:
            lines.append(t(locale, "reach.channel.phone", phone=channel.phone))
        if channel.address:
            lines.append(t(locale, "reach.channel.address", address=channel.address.get(locale)))
        if channel.url:
            lines.append(t(locale, "reach.channel.url", url=channel.url))
    return lines


def entry_lines(campaign: Campaign, found: Progress, ids: dict[str, int], locale: str) -> list[str]:
    """/progress: submitted questionnaires by entry path, in all and per unit with any poster."""
    total = {"poster": 0, "list": 0}
    per_unit = []
    for unit in campaign.units:
        counts = found.units[ids[unit.id]].entries if ids[unit.id] in found.units else {}
        for entry in total:
            total[entry] += counts.get(entry, 0)
        if counts.get("poster"):
            values = {e: counts.get(e, 0) for e in total}
            name = html.escape(unit.name.get(locale))
            per_unit.append(name + t(locale, "reach.progress.entries", **values))
    return [t(locale, "reach.progress.entries_total", **total), *per_unit]
