"""`pingyi backup --out FILE` and `pingyi restore FILE [--force]`.

A backup may be taken while the bot runs (SQLite's online backup API); a restore
is done with the bot stopped, into an empty database, then migrated to the
current schema.  PostgreSQL is backed up with `pg_dump`: both commands say so.
"""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path

from bot.app.config import load_settings
from bot.cli.failures import CommandFailed
from storage.backup import BackupError, backup_sqlite, restore_sqlite
from storage.migrate import upgrade_to_head


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `backup` and `restore` on the `pingyi` parser."""
    backup = commands.add_parser(
        "backup", help="copy the SQLite database to FILE (safe while the bot runs)"
    )
    backup.add_argument("--out", type=Path, required=True, help="the backup file to write")
    backup.set_defaults(func=_backup, async_=True)

    restore = commands.add_parser(
        "restore", help="copy a backup FILE into DATABASE_URL (stop the bot first)"
    )
    restore.add_argument("file", type=Path, help="a file written by `pingyi backup`")
    restore.add_argument(
        "--force", action="store_true", help="overwrite a database that already holds data"
    )
    restore.set_defaults(func=_restore, async_=True)


async def _backup(args: argparse.Namespace) -> int:
    """Back up DATABASE_URL to --out."""
    url = load_settings().database_url
    try:
        copied = await asyncio.to_thread(backup_sqlite, url, args.out)
    except BackupError as exc:
        raise CommandFailed(str(exc)) from exc
    print(f"{args.out}: {copied.rows} rows in {copied.tables} tables")
    return 0


async def _restore(args: argparse.Namespace) -> int:
    """Restore FILE into DATABASE_URL, then bring its schema up to date."""
    url = load_settings().database_url
    try:
        copied = await asyncio.to_thread(restore_sqlite, args.file, url, force=args.force)
    except BackupError as exc:
        raise CommandFailed(str(exc)) from exc
    await upgrade_to_head(url)  # a backup from an older release gets the newer tables
    print(f"restored {copied.rows} rows in {copied.tables} tables from {args.file}")
    return 0
