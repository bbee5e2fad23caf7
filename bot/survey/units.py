"""Choosing a unit: filtering by typed text and paging the list."""

from __future__ import annotations

from dataclasses import dataclass

from bot.campaign.schema import Unit

PAGE_SIZE = 8


@dataclass(frozen=True)
class UnitPage:
    """One page of the unit picker."""

    units: list[Unit]
    page: int
    pages: int
    query: str | None


def matching(units: list[Unit], query: str | None) -> list[Unit]:
    """Units whose name (in any locale) or id contains `query`, ignoring case."""
    if not query:
        return list(units)
    needle = query.strip().casefold()
    return [u for u in units if needle in u.id or any(needle in n.casefold() for n in u.name.all())]


def page_of(units: list[Unit], page: int, query: str | None = None) -> UnitPage:
    """The `page`-th page (clamped) of the units matching `query`."""
    found = matching(units, query)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    return UnitPage(found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE], page, pages, query)
