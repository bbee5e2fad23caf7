"""`pingyi inbox`: parked updates listed with their error, and put back by `retry`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.core.clock import SystemClock
from storage.inbox import Inbox, Incoming
from storage.migrate import upgrade_to_head
from storage.uow import Database
from tests.bot.test_cli import _env, _pingyi


async def test_parked_updates_are_listed_and_retried(tmp_path: Path) -> None:
    env = _env(tmp_path)
    url = env["DATABASE_URL"]
    await upgrade_to_head(url)
    async with Database(url) as db:
        inbox = Inbox(db, SystemClock().now)
        await inbox.store([Incoming(41, 7, "{}"), Incoming(42, 8, "{}")])
        await inbox.claim("w", 10, dt.timedelta(seconds=30))
        await inbox.fail(41, "KeyError('unit')", max_attempts=1, retry_after=dt.timedelta(0))
    listed = _pingyi("inbox", cwd=tmp_path, env=env)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.strip().splitlines()
    assert lines[0].startswith("1 pending, oldest since ") and lines[0].endswith("; 1 parked")
    assert lines[1] == "41\tperson 7\t1 attempts\tKeyError('unit')"
    retried = _pingyi("inbox", "retry", "41", cwd=tmp_path, env=env)
    assert retried.stdout.strip() == "1 parked update(s) back in line", retried.stderr
    after = _pingyi("inbox", "list", cwd=tmp_path, env=env)
    assert after.stdout.startswith("2 pending, oldest since ")
    assert after.stdout.strip().endswith("; 0 parked")
