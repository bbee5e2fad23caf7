"""Backups of the SQLite database while the bot runs, and restoring one.

SQLite: the online backup API (`sqlite3.Connection.backup`) copies every page in
one step under a read transaction, so the copy is the database as of one commit
even while the group-commit writer keeps writing; WAL mode lets that writer go on
meanwhile.  PostgreSQL has its own consistent dumps: `pg_dump` (a snapshot
transaction); `backup_hint` says which command to run.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.db import is_sqlite

# Rows of these tables say nothing about the data: a database holding only them is empty.
BOOKKEEPING = frozenset({"alembic_version"})


class BackupError(Exception):
    """A backup or restore cannot be done; `str()` is one line saying why."""


@dataclass(frozen=True)
class Copied:
    """What a backup or restore copied."""

    tables: int
    rows: int


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL (BackupError for PostgreSQL or in-memory)."""
    if not is_sqlite(url):
        raise BackupError(backup_hint(url))
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("backup error: DATABASE_URL: in memory, nothing to back up")
    return Path(database)


def backup_hint(url: str) -> str:
    """One line: PostgreSQL is backed up with pg_dump (and restored with pg_restore)."""
    parsed = make_url(url)
    # No password on a command line (others see it in `ps`): pg_dump reads PGPASSWORD or ~/.pgpass.
    user = f"{parsed.username}@" if parsed.username else ""
    port = f":{parsed.port}" if parsed.port else ""
    target = f"postgresql://{user}{parsed.host or 'localhost'}{port}/{parsed.database or ''}"
    dump = shlex.join(["pg_dump", "--format=custom", "--file=FILE", target])
    restore = shlex.join(["pg_restore", "--clean", "--if-exists", f"--dbname={target}", "FILE"])
    return (
        "backup error: DATABASE_URL is PostgreSQL: `pingyi backup` copies SQLite only;"
        f" back up with `{dump}` and restore with `{restore}`"
    )


def backup_sqlite(url: str, out: Path) -> Copied:
    """Copy the live database at `url` to `out` (replaced atomically); blocking."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"backup error: DATABASE_URL: no database file at {source}")
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with _connect(source, read_only=True) as src, _connect(partial) as dst:
            src.backup(dst)  # all pages in one step: one consistent snapshot
            # The copy is one self-contained file, not a WAL database needing its -wal.
            dst.execute("PRAGMA journal_mode=DELETE")
            _check(dst, out)
            copied = _count(dst)
        os.replace(partial, out)
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"backup error: {out}: {_one_line(exc)}") from exc
    return copied


def restore_sqlite(backup: Path, url: str, *, force: bool = False) -> Copied:
    """Copy the backup file into the database at `url`; refuse a non-empty one unless `force`.

    The bot must not be running on `url`: restoring replaces every page under it.
    """
    target = sqlite_path(url)
    if not backup.is_file():
        raise BackupError(f"restore error: {backup}: no such file")
    try:
        with _connect(backup, read_only=True) as src:
            _check(src, backup)
            if "alembic_version" not in _tables(src):
                raise BackupError(f"restore error: {backup}: not a pingyi database")
            if target.exists() and not force:
                _refuse_if_not_empty(target)
            with _connect(target) as dst:
                src.backup(dst)
                copied = _count(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"restore error: {backup}: {_one_line(exc)}") from exc
    return copied


def _refuse_if_not_empty(target: Path) -> None:
    """BackupError if any table of `target` other than bookkeeping has a row."""
    with _connect(target, read_only=True) as conn:
        filled = [
            name
            for name in _tables(conn)
            if name not in BOOKKEEPING
            and conn.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None
        ]
    if filled:
        raise BackupError(
            f"restore error: {target} is not empty ({len(filled)} tables hold rows,"
            f" e.g. {filled[0]}); restore into a new file, or add --force to overwrite it"
        )


@contextlib.contextmanager
def _connect(path: Path, *, read_only: bool = False) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection, closed after the block, that waits for the bot's writer."""
    if read_only:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    else:
        conn = sqlite3.connect(path, timeout=30)
    try:
        yield conn
    finally:
        conn.close()


def _check(conn: sqlite3.Connection, path: Path) -> None:
    """BackupError unless SQLite finds the file sound."""
    verdict = conn.execute("PRAGMA quick_check").fetchone()
    if verdict is None or verdict[0] != "ok":
        raise BackupError(f"backup error: {path}: damaged ({verdict})")


def _tables(conn: sqlite3.Connection) -> list[str]:
    """The user tables of a SQLite database."""
    rows = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    )
    return sorted(name for (name,) in rows)


def _count(conn: sqlite3.Connection) -> Copied:
    """How many tables and rows a database holds."""
    tables = _tables(conn)
    rows = sum(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables)
    return Copied(len(tables), rows)


def _one_line(exc: BaseException) -> str:
    """An exception's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__
