"""Can the database be reached at all?  Asked once at start-up, answered in one line.

Without this check an unopenable SQLite path or a PostgreSQL server that refuses
the connection surfaces deep inside Alembic as a 150-line traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage.db import is_sqlite, make_engine

CONNECT_TIMEOUT = 10.0  # seconds: a firewall that drops packets must not hang start-up


class DatabaseUnavailable(Exception):
    """The database named by DATABASE_URL cannot be used; the message is one line."""


async def check_database(url: str) -> None:
    """Open one connection and run a query; raise DatabaseUnavailable if that fails."""
    if is_sqlite(url):
        await asyncio.to_thread(_check_sqlite, url)
        return
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except (DBAPIError, OSError, TimeoutError, socket.gaierror) as exc:
        raise DatabaseUnavailable(describe(url, exc)) from exc
    except Exception as exc:  # asyncpg's own errors (bad password, no such database …)
        if type(exc).__module__.startswith("asyncpg"):
            raise DatabaseUnavailable(describe(url, exc)) from exc
        raise
    finally:
        await engine.dispose()


def _check_sqlite(url: str) -> None:
    """Open the SQLite file with the plain driver, in the calling thread.

    aiosqlite would run the attempt in a thread of its own, which may outlive a
    failed start-up's event loop and print its own traceback after our one line.
    """
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    try:
        with contextlib.closing(sqlite3.connect(database, timeout=CONNECT_TIMEOUT)) as conn:
            conn.execute("PRAGMA schema_version").fetchone()  # reads the header: is it SQLite?
    except sqlite3.Error as exc:
        raise DatabaseUnavailable(describe(url, exc)) from exc


def describe(url: str, exc: BaseException) -> str:
    """One line naming DATABASE_URL, where it points (never its password) and why."""
    parsed = make_url(url)
    reason = _reason(exc)
    if is_sqlite(url):
        where = parsed.database
        return f"start-up error: DATABASE_URL: cannot open the SQLite file {where}: {reason}"
    where = f"{parsed.host or 'localhost'}:{parsed.port or 5432}/{parsed.database or ''}"
    return f"start-up error: DATABASE_URL: cannot connect to PostgreSQL at {where}: {reason}"


def _reason(exc: BaseException) -> str:
    """The innermost driver message, on one line."""
    if isinstance(exc, TimeoutError):
        return f"no answer within {CONNECT_TIMEOUT:.0f} s"
    inner = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    message = " ".join(str(inner).split()) or type(inner).__name__
    return message[:200]
