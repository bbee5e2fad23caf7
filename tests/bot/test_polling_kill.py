"""`pingyi run` killed with SIGKILL between getUpdates and handling loses no update.

The bot process receives a citizen's message while its database cannot take a
write (another connection holds SQLite's write lock), and is killed.  Before the
durable inbox, aiogram acknowledged the update with its next getUpdates while the
handler still waited, so after a restart the message was never answered.  Now the
update is acknowledged only once stored, so Telegram hands it out again and the
restarted bot answers it.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from bot.localapi import LocalBotAPI
from tests.bot.test_cli import ROOT, TOKEN, _env

WAIT = 120.0  # a generous bound: a cold start with migrations took >30 s at load 10


@contextlib.asynccontextmanager
async def pingyi_run(env: dict[str, str], log: Path) -> AsyncIterator[asyncio.subprocess.Process]:
    """`python -m bot run` in the background, its output in `log`; SIGTERM (if still
    alive) afterwards."""
    with log.open("ab") as out:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=str(ROOT), env=env, stdout=out, stderr=out
        )
    try:
        yield proc
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
            await asyncio.wait_for(proc.wait(), WAIT)


def handed_out(api: LocalBotAPI, update_id: int) -> bool:
    """Whether some getUpdates answer carried the update."""
    return any(
        call.method == "getUpdates"
        and any(u.get("update_id") == update_id for u in call.response.get("result") or [])
        for call in api.calls
    )


async def test_an_update_received_before_a_kill_is_answered_after_restart(
    tmp_path: Path, framework: str
) -> None:
    database = tmp_path / "pingyi.db"
    async with LocalBotAPI(TOKEN) as api:
        # A short lease: /start's worker may die before it marked /start handled, and the
        # citizen's next update waits until that lease expires.
        env = _env(
            tmp_path,
            TELEGRAM_API_BASE=api.base_url,
            INBOX_LEASE_SECONDS="2",
            TELEGRAM_FRAMEWORK=framework,  # `pingyi run` with each adapter
        )
        citizen = api.user(5001, first_name="市民")
        async with pingyi_run(env, tmp_path / "bot.log") as proc:
            await citizen.send_text("/start")
            await citizen.wait_for(timeout=WAIT)  # up and answering
            lock = sqlite3.connect(database, isolation_level=None)
            lock.execute("BEGIN IMMEDIATE")  # nobody else may write now
            try:
                asked = await citizen.send_text("/help")
                await api.wait_until(lambda: handed_out(api, asked), "the update handed out")
                with contextlib.suppress(TimeoutError):  # acknowledged? (it must not be)
                    await api.wait_until(lambda: api.updates.pending == 0, "acknowledged", 3.0)
                proc.send_signal(signal.SIGKILL)
                await asyncio.wait_for(proc.wait(), WAIT)
            finally:
                lock.execute("ROLLBACK")
                lock.close()
        assert not citizen.history[-1].from_bot  # /help was not answered when killed
        async with pingyi_run(env, tmp_path / "bot.log"):
            reply = await citizen.wait_for(timeout=WAIT)  # the restarted bot answers /help
        assert reply.text
