"""Bring a database to the latest schema with the Alembic migrations."""

from __future__ import annotations

import asyncio
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


def alembic_config(database_url: str) -> Config:
    """An Alembic config for `database_url`, using the shipped migrations."""
    ini = resources.files("storage").joinpath("alembic.ini")
    config = Config(str(ini))
    config.attributes["database_url"] = database_url
    return config


async def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration (in a worker thread: env.py runs its own loop)."""
    # "heads": feature branches of the migration history may meet before they are merged.
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "heads")


async def at_head(engine: AsyncEngine, database_url: str) -> bool:
    """Whether the database's revisions are the migration scripts' heads (for /readyz)."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())

    def current(conn: Connection) -> set[str]:
        return set(MigrationContext.configure(conn).get_current_heads())

    async with engine.connect() as conn:
        return await conn.run_sync(current) == heads
