"""Backups of a live SQLite database, restored row for row; PostgreSQL gets the pg_dump hint."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest

from storage.backup import BackupError, backup_sqlite, restore_sqlite
from storage.migrate import upgrade_to_head
from storage.records import DraftRecord, RespondentRecord
from storage.repositories import RespondentRepo, SurveyRepo, sync_campaign
from storage.uow import Database
from tests.storage.conftest import NOW, sqlite_url

ITEMS = ("a", "b", "c", "d", "e")
WAIT = 30.0
Dump = dict[str, tuple[list[str], list[tuple[object, ...]]]]


def dump(path: Path) -> Dump:
    """Every table of a SQLite file: its columns and its rows, sorted."""
    conn = sqlite3.connect(path)
    try:
        names = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        tables: Dump = {}
        for name in names:
            cursor = conn.execute(f'SELECT * FROM "{name}"')
            columns = [c[0] for c in cursor.description]
            tables[name] = (columns, sorted(cursor.fetchall(), key=repr))
        return tables
    finally:
        conn.close()


def person_of(columns: list[str], row: tuple[object, ...], table: str) -> object | None:
    """The respondent a row belongs to (None: a row of no one, e.g. a unit)."""
    key = "id" if table == "respondents" else "respondent_id"
    return row[columns.index(key)] if key in columns else None


async def write_person(db: Database, rid: int, unit: int) -> None:
    """One update's worth of writes: a new person, their questionnaire and five answers."""
    draft = DraftRecord(rid, "cz2011", unit, "questionnaire", "public")
    async with db.unit_of_work() as uow:
        RespondentRepo(uow).stage_seen(RespondentRecord(rid, "zh-Hans", False, NOW, NOW))
        survey = SurveyRepo(uow)
        survey.stage_create(draft, NOW)
        for item in ITEMS:
            survey.stage_answer(draft, item, "satisfied", NOW)
        survey.stage_submit(draft, NOW)
        await uow.commit()


async def test_a_backup_taken_during_writes_restores_row_for_row(tmp_path: Path) -> None:
    live, copy, restored = tmp_path / "live.db", tmp_path / "copy.db", tmp_path / "new.db"
    url = sqlite_url(live)
    await upgrade_to_head(url)
    written: list[int] = []
    backup_done, twenty = asyncio.Event(), asyncio.Event()
    async with Database(url) as db:
        async with db.unit_of_work() as uow:
            units = await sync_campaign(uow, "cz2011", "常州", 2011, "x", [("u", "d", "局")], NOW)

        async def keep_writing() -> None:
            # Writes go on before, during and after the backup (five more once it is done).
            after = 0
            while after < 5:
                await write_person(db, len(written) + 1, units["u"])
                written.append(len(written) + 1)
                if len(written) >= 20:
                    twenty.set()
                after += backup_done.is_set()

        writer = asyncio.create_task(keep_writing())
        await asyncio.wait_for(twenty.wait(), WAIT)
        copied = await asyncio.to_thread(backup_sqlite, url, copy)
        backup_done.set()
        await asyncio.wait_for(writer, WAIT)

    restore_sqlite(copy, sqlite_url(restored))
    source, back = dump(live), dump(restored)
    assert set(back) == set(source)
    people = {row[0] for row in back["respondents"][1]}
    count = len(people)
    # A consistent snapshot: exactly the first `count` people, each with all their rows.
    assert people == set(range(1, count + 1))
    assert 20 <= count < len(written)
    assert copied.rows == sum(len(rows) for _, rows in back.values())
    for table, (columns, rows) in source.items():
        at_backup = [r for r in rows if (p := person_of(columns, r, table)) is None or p in people]
        assert back[table] == (columns, at_backup), table
    assert len(back["answers"][1]) == 5 * count


async def test_restore_refuses_a_database_holding_data_unless_forced(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "live.db")
    await upgrade_to_head(url)
    async with Database(url) as db:
        await write_person_in_campaign(db, 1)
    copy = tmp_path / "copy.db"
    backup_sqlite(url, copy)
    async with Database(url) as db:
        await write_person_in_campaign(db, 2)
    with pytest.raises(BackupError, match=r"is not empty .*--force") as info:
        restore_sqlite(copy, url)
    assert "\n" not in str(info.value)
    assert len(dump(tmp_path / "live.db")["respondents"][1]) == 2  # untouched
    restore_sqlite(copy, url, force=True)
    assert [r[0] for r in dump(tmp_path / "live.db")["respondents"][1]] == [1]


async def test_restore_into_a_migrated_but_empty_database_is_allowed(tmp_path: Path) -> None:
    source, target = sqlite_url(tmp_path / "a.db"), sqlite_url(tmp_path / "b.db")
    await upgrade_to_head(source)
    await upgrade_to_head(target)  # schema and alembic_version, no data: empty
    async with Database(source) as db:
        await write_person_in_campaign(db, 7)
    backup_sqlite(source, tmp_path / "copy.db")
    restore_sqlite(tmp_path / "copy.db", target)
    assert dump(tmp_path / "b.db") == dump(tmp_path / "a.db")


def test_restore_refuses_a_file_that_is_not_a_pingyi_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError, match=r"restore error: .*junk\.db"):
        restore_sqlite(junk, sqlite_url(tmp_path / "new.db"))
    assert not (tmp_path / "new.db").exists()


def test_postgresql_is_refused_with_the_pg_dump_command() -> None:
    url = "postgresql+asyncpg://pingyi:s3cret@db.example:5433/pingyi"
    with pytest.raises(BackupError) as info:
        backup_sqlite(url, Path("x.db"))
    message = str(info.value)
    assert (
        "pg_dump --format=custom --file=FILE postgresql://pingyi@db.example:5433/pingyi" in message
    )
    assert "pg_restore" in message and "s3cret" not in message and "\n" not in message


async def write_person_in_campaign(db: Database, rid: int) -> None:
    """A campaign (idempotent) and one person who answered it."""
    async with db.unit_of_work() as uow:
        units = await sync_campaign(uow, "cz2011", "常州", 2011, "x", [("u", "d", "局")], NOW)
    await write_person(db, rid, units["u"])
