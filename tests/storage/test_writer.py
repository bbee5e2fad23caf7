"""The group-commit writer: batching, durability, failure isolation, stopping."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TypeVar

import pytest
from sqlalchemy import Connection, func, insert, select
from sqlalchemy.exc import IntegrityError

from storage.db import make_engine
from storage.models import Answer, Campaign, ProcessedUpdate, Respondent
from storage.records import DraftRecord, RespondentRecord
from storage.repositories import RespondentRepo, SurveyRepo, UpdateLogRepo
from storage.uow import Database
from storage.writer import WriterStopped
from tests.storage.conftest import NOW

T = TypeVar("T")
WAIT = 120  # seconds: generous for 2,000 commits on a slow CI machine, but bounded


def _person(rid: int) -> RespondentRecord:
    return RespondentRecord(rid, "zh-Hans", False, NOW, NOW)


async def _handle_update(db: Database, rid: int) -> None:
    """What one Telegram update writes: the person and the update id, committed together."""
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_seen(_person(rid))
        UpdateLogRepo(uow).stage_mark(rid, NOW)
        await uow.commit()


async def _bounded(*aws: Awaitable[T]) -> list[T | BaseException]:
    """Gather, keeping exceptions; a commit that never returns fails instead of hanging."""
    async with asyncio.timeout(WAIT):
        return await asyncio.gather(*aws, return_exceptions=True)


async def _count(url: str, model: type[Respondent] | type[ProcessedUpdate] | type[Answer]) -> int:
    """Count rows through a fresh engine: what is committed, not what a session caches."""
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(model))).scalar_one())
    finally:
        await engine.dispose()


async def test_concurrent_units_of_work_are_durable_and_batched(db: Database) -> None:
    n = 2000
    results = await _bounded(*(_handle_update(db, rid) for rid in range(1, n + 1)))
    assert [r for r in results if r is not None] == []
    assert await _count(db.url, Respondent) == n
    assert await _count(db.url, ProcessedUpdate) == n
    assert db.writer.jobs == n
    assert 0 < db.writer.batches < db.writer.jobs


async def test_commit_returns_only_once_durable(db: Database) -> None:
    async def update_then_check(rid: int) -> bool:
        await _handle_update(db, rid)
        async with db.unit_of_work() as uow:
            return await RespondentRepo(uow).get(rid) is not None

    assert await _bounded(*(update_then_check(rid) for rid in range(1, 51))) == [True] * 50


async def test_a_failing_unit_of_work_fails_alone(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    # An answer whose submission does not exist breaks the foreign key.
    orphan = DraftRecord(999, "nowhere", 12345, "survey", "public")

    async def bad() -> None:
        async with db.unit_of_work() as uow:
            RespondentRepo(uow).stage_seen(_person(999))
            SurveyRepo(uow).stage_answer(orphan, "q1", "very_satisfied", NOW)
            await uow.commit()

    caplog.set_level(logging.WARNING, logger="storage.writer")
    good = [_handle_update(db, rid) for rid in range(1, 101)]
    results = await _bounded(*good[:50], bad(), *good[50:])

    # They were queued together, so the batch failed and each was retried alone.
    assert any("retrying each alone" in r.getMessage() for r in caplog.records)
    failures = [r for r in results if isinstance(r, BaseException)]
    assert len(failures) == 1
    assert isinstance(failures[0], IntegrityError)
    assert isinstance(results[50], IntegrityError)
    assert await _count(db.url, Respondent) == 100  # not 101: person 999 rolled back too
    assert await _count(db.url, ProcessedUpdate) == 100
    assert await _count(db.url, Answer) == 0
    async with db.unit_of_work() as uow:
        assert await RespondentRepo(uow).get(999) is None


async def test_run_returns_the_result_of_fn(db: Database) -> None:
    def load(conn: Connection) -> str:
        conn.execute(
            insert(Campaign).values(
                id="c1", name="n", year=2011, definition_sha256="0" * 64, loaded_at=NOW
            )
        )
        return "loaded c1"

    async with asyncio.timeout(WAIT):
        assert await db.writer.run(load) == "loaded c1"
    engine = make_engine(db.url)
    try:
        async with engine.connect() as conn:
            assert (await conn.execute(select(Campaign.id))).scalars().all() == ["c1"]
    finally:
        await engine.dispose()


async def test_run_rolls_back_and_raises_when_fn_fails(db: Database) -> None:
    def half_done(conn: Connection) -> None:
        conn.execute(
            insert(Campaign).values(
                id="c1", name="n", year=2011, definition_sha256="0" * 64, loaded_at=NOW
            )
        )
        raise LookupError("changed my mind")

    with pytest.raises(LookupError, match="changed my mind"):
        await asyncio.wait_for(db.writer.run(half_done), WAIT)
    async with db.sessions() as session:
        assert (await session.execute(select(Campaign.id))).scalars().all() == []


async def test_writing_after_stop_raises_writer_stopped(db: Database) -> None:
    async with asyncio.timeout(WAIT):
        await _handle_update(db, 1)
        await db.writer.stop()

    def noop(conn: Connection) -> None:
        return None

    # Bounded waits: a stopped writer must refuse at once, not leave the caller hanging.
    with pytest.raises(WriterStopped):
        await asyncio.wait_for(_handle_update(db, 2), 5)
    with pytest.raises(WriterStopped):
        await asyncio.wait_for(db.writer.run(noop), 5)
    assert await _count(db.url, Respondent) == 1


async def test_writing_while_the_writer_stops_raises_writer_stopped(db: Database) -> None:
    stopping = asyncio.create_task(db.writer.stop())
    await asyncio.sleep(0)  # stop() has cancelled the writer task and awaits its end
    try:
        with pytest.raises(WriterStopped):
            async with asyncio.timeout(2):  # no extra task: the commit runs right now
                await _handle_update(db, 1)
    finally:
        await stopping
    assert await _count(db.url, Respondent) == 0


async def test_a_stopped_writer_can_be_started_again(db: Database) -> None:
    await db.writer.stop()
    await db.writer.start()
    await _handle_update(db, 77)
    assert await _count(db.url, Respondent) == 1
