"""What /start lists as open follows the admins' phase changes, not only the file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.admin.phases import PhaseAction
from bot.app.runtime import open_services
from bot.core.clock import FixedClock

CAMPAIGN = "changzhou-2011-safety"


async def test_closing_a_phase_changes_what_is_open(tmp_path: Path) -> None:
    clock = FixedClock.on_day(dt.date(2011, 8, 1))
    url = f"sqlite+aiosqlite:///{tmp_path}/open.db"
    async with open_services(url, Path("survey_defs"), clock, admin_ids=[1]) as services:
        campaign = services.registry.campaigns[CAMPAIGN]

        def open_components() -> set[str]:
            return {c.id for camp, c, _ in services.survey.open_today() if camp.id == CAMPAIGN}

        assert open_components() == {"onsite", "questionnaire"}
        async with services.db.unit_of_work() as uow:
            await services.admin.phases.change(
                uow, 1, campaign, "questionnaire", PhaseAction.CLOSE, reason="test"
            )
        assert open_components() == {"onsite"}
        async with services.db.unit_of_work() as uow:
            reply = await services.survey.begin(uow, 99)  # a member of the public
        assert reply.screen is not None and type(reply.screen).__name__ == "Notice"
