"""The one unit lookup (Registry.find_units), and the commands that name a unit with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.app.config import ConfigError
from bot.campaign.loader import load_campaigns
from bot.cli.admin import _unit_id as cli_unit_id
from bot.core.clock import FixedClock
from bot.core.registry import Registry
from bot.scoring.lookup import resolve_units
from bot.telegram.common.handlers.admin_roles import _unit_id as chat_unit_id

from .helpers import CAMPAIGNS

CZ, NT = "changzhou-2011-safety", "nantong-2012-efficiency"


@pytest.fixture(scope="module")
def registry() -> Registry:
    """Both shipped campaigns, their units numbered 1, 2, … (no database needed)."""
    found = Registry()
    number = 0
    for campaign in load_campaigns(Path(CAMPAIGNS)).values():
        ids = {}
        for unit in campaign.units:
            number += 1
            ids[unit.id] = number
        found.add(campaign, ids)
    return found


def codes(found: list[tuple[Any, Any]]) -> list[str]:
    """`campaign/unit` of each match."""
    return [f"{c.id}/{u.id}" for c, u in found]


def test_by_id_then_by_name_in_any_locale(registry: Registry) -> None:
    assert codes(registry.find_units("wujin")) == [f"{CZ}/wujin"]
    assert codes(registry.find_units("  WUJIN ")) == [f"{CZ}/wujin"]  # ids ignore case
    # Not an id: every unit whose name contains the text (zh-Hans, en …), ignoring case.
    assert codes(registry.find_units("武进区")) == [f"{CZ}/wujin", f"{CZ}/wujin-window"]
    assert codes(registry.find_units("wujin district administration")) == [f"{CZ}/wujin"]
    assert registry.find_units("") == [] and registry.find_units("no such unit") == []


def test_a_campaign_narrows_the_search(registry: Registry) -> None:
    assert codes(registry.find_units(f"{CZ}/wujin")) == [f"{CZ}/wujin"]
    assert codes(registry.find_units("wujin", CZ)) == [f"{CZ}/wujin"]
    assert registry.find_units("wujin", NT) == []
    assert registry.find_units(f"{NT}/wujin") == []


def test_evaluator_commands_prefer_the_running_campaign(registry: Registry) -> None:
    clock = FixedClock.on_day(dt.date(2011, 8, 1))  # Changzhou is running
    found, query = resolve_units(registry, clock, ["武进区安全生产监督管理局"])
    assert query == "武进区安全生产监督管理局" and codes(found) == [f"{CZ}/wujin"]
    # Nothing in the running campaign: every other campaign is searched.
    (found_nt, _) = resolve_units(registry, clock, ["land-use"])
    assert codes(found_nt) == [f"{NT}/land-use"]


def test_admin_chat_and_command_line_name_units_the_same_way(registry: Registry) -> None:
    services: Any = SimpleNamespace(registry=registry)
    wujin = registry.unit_ids[(CZ, "wujin")]
    for text in ("wujin", f"{CZ}/wujin", "Wujin District Administration", "武进区安全生产"):
        assert chat_unit_id(services, text) == wujin, text
        assert cli_unit_id(services, text, None) == wujin, text
    assert cli_unit_id(services, "wujin", CZ) == wujin
    assert chat_unit_id(services, "武进区") is None  # two units: ambiguous
    with pytest.raises(ConfigError, match="several units match"):
        cli_unit_id(services, "武进区", None)
    with pytest.raises(ConfigError, match="no campaign has a unit"):
        cli_unit_id(services, "wujin", NT)
