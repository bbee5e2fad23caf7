"""Finding the campaign and the unit an evaluator's command is about."""

from __future__ import annotations

import datetime as dt

from bot.campaign.schema import Campaign, Unit
from bot.core.clock import Clock, local_today
from bot.core.registry import Registry


def current_campaign(registry: Registry, clock: Clock) -> Campaign | None:
    """The campaign running today; else the one that started most recently; else the first."""
    campaigns = sorted(registry.campaigns.values(), key=lambda c: c.id)
    if not campaigns:
        return None

    def span(c: Campaign) -> tuple[dt.date, dt.date]:
        return min(p.start for p in c.phases), max(p.end for p in c.phases)

    running = [c for c in campaigns if span(c)[0] <= local_today(clock, c.timezone) <= span(c)[1]]
    if running:
        return running[0]
    started = [c for c in campaigns if span(c)[0] <= local_today(clock, c.timezone)]
    return max(started, key=lambda c: span(c)[0]) if started else campaigns[0]


def split_campaign(
    registry: Registry, clock: Clock, words: list[str]
) -> tuple[Campaign | None, list[str]]:
    """A campaign named among `words` (by id), else the current one; and the other words."""
    for n, word in enumerate(words):
        if word in registry.campaigns:
            return registry.campaigns[word], words[:n] + words[n + 1 :]
    return current_campaign(registry, clock), words


def resolve_units(
    registry: Registry, clock: Clock, words: list[str]
) -> tuple[list[tuple[Campaign, Unit]], str]:
    """Units matching the words (the current campaign first, then every campaign)."""
    campaign, rest = split_campaign(registry, clock, words)
    query = " ".join(rest).strip()
    if not query or campaign is None:
        return [], query
    found = registry.find_units(query, campaign.id)
    if found or any(w in registry.campaigns for w in words):
        return found, query
    return [(c, u) for c, u in registry.find_units(query) if c.id != campaign.id], query
