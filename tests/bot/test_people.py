"""People: registration, locale, and the id index that spares newcomers a read."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import event

from bot.app.runtime import open_services
from bot.core.clock import FixedClock


async def test_newcomers_cost_no_read_and_known_people_survive_a_restart(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/people.db"
    clock = FixedClock.on_day(dt.date(2011, 8, 1))
    async with (
        open_services(url, Path("survey_defs"), clock) as services,
        services.db.unit_of_work() as uow,
    ):
        await services.people.seen(uow, 501, "en")
        await uow.commit()
        await services.people.choose_locale(uow, 501, "zh-Hant")
    async with open_services(url, Path("survey_defs"), clock) as services:
        statements: list[str] = []
        event.listen(
            services.db.engine.sync_engine,
            "before_cursor_execute",
            lambda *args: statements.append(args[2]),
        )
        async with services.db.unit_of_work() as uow:
            newcomer = await services.people.seen(uow, 502, "en")
            assert not [s for s in statements if "respondents" in s]  # no read for a newcomer
            known = await services.people.seen(uow, 501, "en")
            assert [s for s in statements if "FROM respondents" in s]  # read from the table
        assert newcomer.locale == "en" and known.locale == "zh-Hant"  # the choice survived
