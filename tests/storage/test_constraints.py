"""Rules the database itself enforces, whatever the code above it does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, StatementError

from storage.models import Submission, UTCDateTime
from storage.records import RespondentRecord
from storage.repositories import RespondentRepo, sync_campaign
from storage.uow import Database
from tests.storage.conftest import NOW


def _submission(unit_id: int, component: str, **changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "respondent_id": 1,
        "unit_id": unit_id,
        "component": component,
        "campaign_id": "cz2011",
        "category": "public",
        "status": "submitted",
        "position": 0,
        "started_at": NOW,
        "updated_at": NOW,
        "submitted_at": NOW,
        "voided": False,
    }
    return row | changes


async def test_one_questionnaire_per_respondent_unit_component(db: Database) -> None:
    async with db.unit_of_work() as uow:
        units = await sync_campaign(
            uow, "cz2011", "常州", 2011, "", [("city", "department", "市局")], NOW
        )
        RespondentRepo(uow).stage_seen(RespondentRecord(1, "zh-Hans", False, NOW, NOW))
        await uow.commit()
    city = units["city"]
    async with db.engine.begin() as conn:
        await conn.execute(insert(Submission), _submission(city, "survey"))
        # Another component of the same unit is a different questionnaire.
        await conn.execute(insert(Submission), _submission(city, "onsite"))

    # 一人一评: a second questionnaire, even a draft in another category, is refused.
    with pytest.raises(IntegrityError):
        async with db.engine.begin() as conn:
            await conn.execute(
                insert(Submission), _submission(city, "survey", status="draft", category="panel")
            )


@pytest.mark.parametrize("url", ["sqlite://", "postgresql+asyncpg://"])
def test_utc_datetime_refuses_naive_datetimes(url: str) -> None:
    dialect = make_url(url).get_dialect()()
    column = UTCDateTime()
    with pytest.raises(ValueError, match="naive"):
        column.process_bind_param(dt.datetime(2011, 7, 25, 9, 30), dialect)
    stored = column.process_bind_param(NOW, dialect)
    assert stored == dt.datetime(2011, 7, 25, 1, 30, 15, 123456)
    assert stored.tzinfo is None


async def test_a_naive_datetime_is_never_written(db: Database) -> None:
    naive = dt.datetime(2011, 7, 25, 9, 30)
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_seen(RespondentRecord(1, "zh-Hans", False, naive, naive))
        with pytest.raises(StatementError) as raised:
            await uow.commit()
    assert isinstance(raised.value.orig, ValueError)
    async with db.unit_of_work() as uow:
        assert await RespondentRepo(uow).get(1) is None
