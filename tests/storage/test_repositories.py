"""Repositories round-trip through the writer and back, on every backend."""

from __future__ import annotations

import datetime as dt

from storage.records import ConversationRecord, DraftRecord, RespondentRecord
from storage.repositories import (
    ConversationRepo,
    RespondentRepo,
    SurveyRepo,
    UpdateLogRepo,
    campaign_exists,
    sync_campaign,
)
from storage.uow import Database
from tests.storage.conftest import NOW

UNITS = [
    ("city", "department", "市安监局"),
    ("wujin", "department", "武进区安监局"),
    ("window", "window", "行政服务窗口"),
]
LATER = NOW + dt.timedelta(days=3, seconds=7)


def _assert_utc(value: dt.datetime | None, expected: dt.datetime) -> None:
    assert value is not None
    assert value.tzinfo is not None
    assert value.utcoffset() == dt.timedelta(0)
    assert value == expected


async def _campaign(db: Database, units: list[tuple[str, str, str]] = UNITS) -> dict[str, int]:
    async with db.unit_of_work() as uow:
        return await sync_campaign(uow, "cz2011", "常州 2011", 2011, "id: cz2011\n", units, NOW)


async def _person(db: Database, rid: int) -> None:
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_seen(RespondentRecord(rid, "zh-Hans", False, NOW, NOW))
        await uow.commit()


async def test_respondent_round_trip(db: Database) -> None:
    async with db.unit_of_work() as uow:
        assert await RespondentRepo(uow).get(7) is None
        RespondentRepo(uow).stage_seen(RespondentRecord(7, "zh-Hans", False, NOW, NOW))
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await RespondentRepo(uow).get(7)
    assert got is not None
    assert (got.id, got.locale, got.locale_chosen, got.active) == (7, "zh-Hans", False, True)
    _assert_utc(got.first_seen, NOW)
    _assert_utc(got.last_seen, NOW)

    # Seen again: last_seen and active move, first_seen stays.
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_seen(
            RespondentRecord(7, "zh-Hans", False, LATER, LATER, active=False)
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await RespondentRepo(uow).get(7)
    assert got is not None
    _assert_utc(got.first_seen, NOW)
    _assert_utc(got.last_seen, LATER)
    assert got.active is False


async def test_respondent_locale(db: Database) -> None:
    await _person(db, 8)
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_locale(8, "en")
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await RespondentRepo(uow).get(8)
    assert got is not None
    assert (got.locale, got.locale_chosen) == ("en", True)


async def test_sync_campaign_is_idempotent(db: Database) -> None:
    async with db.unit_of_work() as uow:
        assert not await campaign_exists(uow, "cz2011")
    first = await _campaign(db)
    assert set(first) == {"city", "wujin", "window"}
    assert len(set(first.values())) == 3
    assert await _campaign(db) == first
    # A unit added later gets a new id; the others keep theirs.
    third = await _campaign(db, [*UNITS, ("jintan", "department", "金坛区安监局")])
    assert {code: third[code] for code in first} == first
    assert third["jintan"] not in first.values()
    async with db.unit_of_work() as uow:
        assert await campaign_exists(uow, "cz2011")


async def test_survey_round_trip(db: Database) -> None:
    units = await _campaign(db)
    await _person(db, 1)
    draft = DraftRecord(1, "cz2011", units["city"], "survey", "public")

    async with db.unit_of_work() as uow:
        repo = SurveyRepo(uow)
        assert await repo.get_draft(1, units["city"], "survey") is None
        repo.stage_create(draft, NOW)
        repo.stage_answer(draft, "lawful", "very_satisfied", NOW)
        repo.stage_answer(draft, "fair", "dont_know", NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await SurveyRepo(uow).get_draft(1, units["city"], "survey")
    assert got is not None
    assert (got.campaign_id, got.category, got.status, got.position) == (
        "cz2011",
        "public",
        "draft",
        0,
    )
    assert got.answers == {"lawful": "very_satisfied", "fair": "dont_know"}
    _assert_utc(got.started_at, NOW)

    # Re-answering overwrites; creating again is a no-op; progress is stored.
    async with db.unit_of_work() as uow:
        repo = SurveyRepo(uow)
        repo.stage_create(
            DraftRecord(1, "cz2011", units["city"], "survey", "panel", position=5), LATER
        )
        repo.stage_answer(draft, "lawful", "fairly_satisfied", LATER)
        await uow.commit()
    async with db.unit_of_work() as uow:
        SurveyRepo(uow).stage_progress(
            DraftRecord(
                1, "cz2011", units["city"], "survey", "public", position=2, suggestion="多公开"
            ),
            LATER,
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await SurveyRepo(uow).get_draft(1, units["city"], "survey")
        assert await SurveyRepo(uow).submitted_units(1, "cz2011", "survey") == set()
    assert got is not None
    assert got.answers == {"lawful": "fairly_satisfied", "fair": "dont_know"}
    assert (got.category, got.position, got.suggestion) == ("public", 2, "多公开")
    _assert_utc(got.started_at, NOW)

    async with db.unit_of_work() as uow:
        SurveyRepo(uow).stage_submit(draft, LATER)
        await uow.commit()
    # A submitted questionnaire no longer moves.
    async with db.unit_of_work() as uow:
        SurveyRepo(uow).stage_progress(
            DraftRecord(1, "cz2011", units["city"], "survey", "public", position=0), LATER
        )
        await uow.commit()
    async with db.unit_of_work() as uow:
        repo = SurveyRepo(uow)
        got = await repo.get_draft(1, units["city"], "survey")
        assert got is not None
        assert got.submitted
        assert (got.position, got.suggestion) == (2, "多公开")
        assert await repo.submitted_units(1, "cz2011", "survey") == {units["city"]}
        assert await repo.submitted_units(1, "cz2011", "onsite") == set()
        assert await repo.submitted_units(2, "cz2011", "survey") == set()


async def test_submitted_units_lists_only_submitted(db: Database) -> None:
    units = await _campaign(db)
    await _person(db, 1)
    drafts = {
        code: DraftRecord(1, "cz2011", uid, "survey", "public") for code, uid in units.items()
    }
    async with db.unit_of_work() as uow:
        repo = SurveyRepo(uow)
        for draft in drafts.values():
            repo.stage_create(draft, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        SurveyRepo(uow).stage_submit(drafts["city"], NOW)
        SurveyRepo(uow).stage_submit(drafts["window"], NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await SurveyRepo(uow).submitted_units(1, "cz2011", "survey") == {
            units["city"],
            units["window"],
        }


async def test_conversation_round_trip(db: Database) -> None:
    await _person(db, 3)
    data = {"unit": 12, "component": "survey", "trail": ["a", "b"], "note": "评议", "ok": True}
    async with db.unit_of_work() as uow:
        assert await ConversationRepo(uow).get(3) is None
        ConversationRepo(uow).stage_set(ConversationRecord(3, "survey", "item", data), NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        got = await ConversationRepo(uow).get(3)
    assert got == ConversationRecord(3, "survey", "item", data)

    async with db.unit_of_work() as uow:
        ConversationRepo(uow).stage_set(ConversationRecord(3), LATER)
        await uow.commit()
    async with db.unit_of_work() as uow:
        assert await ConversationRepo(uow).get(3) == ConversationRecord(3, "idle", "idle", {})


async def test_update_log(db: Database) -> None:
    async with db.unit_of_work() as uow:
        repo = UpdateLogRepo(uow)
        assert await repo.recent(10) == []
        for update_id in (5, 1, 9, 3):
            repo.stage_mark(update_id, NOW)
        await uow.commit()
    async with db.unit_of_work() as uow:
        UpdateLogRepo(uow).stage_mark(9, LATER)  # a redelivered update: ignored, no error
        await uow.commit()
    async with db.unit_of_work() as uow:
        repo = UpdateLogRepo(uow)
        assert await repo.seen(9)
        assert not await repo.seen(2)
        assert await repo.recent(2) == [9, 5]
        assert await repo.recent(10) == [9, 5, 3, 1]
