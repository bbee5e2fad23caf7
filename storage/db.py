"""Engine creation: SQLite (WAL) by default, PostgreSQL by URL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from storage.models import Base


def is_sqlite(url: str) -> bool:
    """True for the embedded SQLite default."""
    return url.startswith("sqlite")


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite files get WAL, a busy timeout and foreign keys."""
    engine = create_async_engine(url, **kwargs)
    if is_sqlite(url):
        add_sqlite_pragmas(engine.sync_engine)
    return engine


def add_sqlite_pragmas(engine: Engine) -> None:
    """Set WAL, the busy timeout and foreign keys on every new SQLite connection."""
    event.listen(engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run while the single writer commits; synchronous=NORMAL
    # is durable across process crashes in WAL mode (only power loss can drop
    # the last transactions), which is the standard trade-off for WAL.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[Any]:
    """Sessions for reads; writes go through the unit of work."""
    return async_sessionmaker(engine, expire_on_commit=False)


async def create_all(engine: AsyncEngine) -> None:
    """Create every table (tests); deployments use the Alembic migrations."""
    async with engine.begin() as conn:
        await conn.run_sync(Base.metadata.create_all)
