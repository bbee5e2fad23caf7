"""The Alembic migrations build exactly the schema the models describe."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select
from sqlalchemy.engine import Connection

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade_to_head
from storage.models import Base, Campaign
from tests.storage.conftest import NOW

# Not the whole list (the schema grows): enough that an empty metadata cannot pass.
CORE_TABLES = {
    "campaigns",
    "units",
    "respondents",
    "memberships",
    "submissions",
    "answers",
    "conversations",
    "processed_updates",
}


def _tables(conn: Connection) -> set[str]:
    return set(inspect(conn).get_table_names())


def _schema(conn: Connection) -> dict[str, Any]:
    """Everything reflection sees, to compare two runs of the migrations."""
    inspector = inspect(conn)
    return {
        name: (
            [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(name)],
            inspector.get_pk_constraint(name)["constrained_columns"],
            sorted(
                (i["name"] or "", tuple(i["column_names"])) for i in inspector.get_indexes(name)
            ),
            sorted(
                (tuple(fk["constrained_columns"]), fk["referred_table"])
                for fk in inspector.get_foreign_keys(name)
            ),
            sorted(tuple(u["column_names"]) for u in inspector.get_unique_constraints(name)),
        )
        for name in sorted(inspector.get_table_names())
    }


def _revision(conn: Connection) -> str | None:
    return MigrationContext.configure(conn).get_current_revision()


def _differences(conn: Connection) -> list[Any]:
    context = MigrationContext.configure(conn, opts={"compare_type": True})
    return list(compare_metadata(context, Base.metadata))


def _head(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()


async def test_upgrade_creates_every_table_at_head(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            assert await conn.run_sync(_tables) == set()
        await upgrade_to_head(database_url)
        async with engine.connect() as conn:
            tables = await conn.run_sync(_tables)
            revision = await conn.run_sync(_revision)
    finally:
        await engine.dispose()
    assert set(Base.metadata.tables) >= CORE_TABLES
    assert tables == set(Base.metadata.tables) | {"alembic_version"}
    assert revision is not None
    assert revision == _head(database_url)


async def test_migrated_schema_matches_the_models(database_url: str) -> None:
    await upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        async with engine.connect() as conn:
            differences = await conn.run_sync(_differences)
    finally:
        await engine.dispose()
    assert differences == []


async def test_upgrade_twice_is_a_no_op(database_url: str) -> None:
    await upgrade_to_head(database_url)
    engine = make_engine(database_url)
    try:
        async with engine.begin() as conn:
            before = await conn.run_sync(_schema)
            revision = await conn.run_sync(_revision)
            await conn.execute(
                insert(Campaign).values(
                    id="c", name="n", year=2011, definition_sha256="0" * 64, loaded_at=NOW
                )
            )
        await upgrade_to_head(database_url)
        async with engine.connect() as conn:
            assert await conn.run_sync(_schema) == before
            assert await conn.run_sync(_revision) == revision
            # Data survives: the second run did not rebuild anything.
            assert (await conn.execute(select(Campaign.id))).scalars().all() == ["c"]
    finally:
        await engine.dispose()
