"""Updates in through the durable inbox: long polling that stores before acknowledging,
and the worker that feeds stored updates to aiogram's dispatcher.

`getUpdates` acknowledges everything before the offset it is called with, so the
next call is made only once the previous batch is durably stored: a process killed
between receiving and handling loses nothing, the updates wait in the inbox.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates
from aiogram.types import Update

from bot.app.inbox import InboxWorker, WorkerSettings
from storage.inbox import Inbox, Incoming

log = logging.getLogger(__name__)

RETRY_AFTER = 1.0  # seconds before getUpdates is tried again after a failure


def sender_of(raw: dict[str, Any]) -> int | None:
    """The user whose update this is (the key of per-person ordering), if any."""
    for key, body in raw.items():
        if key == "update_id" or not isinstance(body, dict):
            continue
        who = body.get("from") or body.get("user") or {}
        who_id = who.get("id") if isinstance(who, dict) else None
        if isinstance(who_id, int):
            return who_id
        chat = body.get("chat") or {}
        chat_id = chat.get("id") if isinstance(chat, dict) else None
        return chat_id if isinstance(chat_id, int) else None
    return None


def incoming(raw: dict[str, Any]) -> Incoming:
    """A raw update as the inbox stores it."""
    return Incoming(int(raw["update_id"]), sender_of(raw), json.dumps(raw, ensure_ascii=False))


def make_worker(dp: Dispatcher, bot: Bot, inbox: Inbox, settings: WorkerSettings) -> InboxWorker:
    """A worker feeding `dp` the updates it claims."""

    async def feed(payload: str) -> object:
        return await dp.feed_raw_update(bot, json.loads(payload))

    return InboxWorker(inbox, feed, settings)


class Poller:
    """getUpdates → inbox → next offset, until stopped."""

    def __init__(self, bot: Bot, dp: Dispatcher, inbox: Inbox, worker: InboxWorker) -> None:
        """Poll with `bot` for `dp`'s update types into `inbox`, waking `worker`."""
        self.bot, self.dp, self.inbox, self.worker = bot, dp, inbox, worker
        self.acknowledged = 0
        self.polls = 0

    async def run(self, timeout: int = 30) -> None:
        """Poll forever (cancel to stop: an unanswered getUpdates acknowledges nothing)."""
        offset: int | None = None
        types = self.dp.resolve_used_update_types()
        while True:
            try:
                call = GetUpdates(offset=offset, timeout=timeout, allowed_updates=types)
                updates: list[Update] = await self.bot(call)
                self.polls += 1
                if updates:
                    raws = [u.model_dump(mode="json", exclude_none=True) for u in updates]
                    await self.inbox.store([incoming(raw) for raw in raws])
                    self.worker.wake()
                    offset = updates[-1].update_id + 1
                    self.acknowledged += len(updates)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("getUpdates failed; trying again")
                await asyncio.sleep(RETRY_AFTER)


@contextlib.asynccontextmanager
async def polling_through_inbox(
    dp: Dispatcher,
    bot: Bot,
    inbox: Inbox,
    settings: WorkerSettings | None = None,
    timeout: int = 30,
) -> AsyncIterator[Poller]:
    """Run the dispatcher's start-up hooks, a worker and the poller for the block;
    on leaving, stop polling, let in-flight updates finish, run the shutdown hooks."""
    worker = make_worker(dp, bot, inbox, settings or WorkerSettings())
    poller = Poller(bot, dp, inbox, worker)
    hooks = {"dispatcher": dp, "bots": [bot], "bot": bot, **dp.workflow_data}
    await dp.emit_startup(**hooks)
    worker.start()
    task = asyncio.create_task(poller.run(timeout), name="inbox-poller")
    try:
        yield poller
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await worker.stop()
        await dp.emit_shutdown(**hooks)
