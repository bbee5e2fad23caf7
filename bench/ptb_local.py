"""python-telegram-bot in-process, for the survey benchmark's `--framework ptb`.

`LocalRequest` answers every Bot API call instantly (sendMessage/editMessageText
with a message, getMe with a bot, everything else with True) and records reply
times through the same context variable as bench/local_session.py, so pingyi on
PTB and a bare PTB Application are measured exactly as the aiogram pair is.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import time
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, RequestData

from bench.local_session import reply_times
from bot.app.runtime import tune_gc

ME = {"id": 42, "is_bot": True, "first_name": "pingyi", "username": "pingyi_bench_bot"}


class LocalRequest(BaseRequest):
    """Answers every call in-process, instantly."""

    def __init__(self) -> None:
        """Start message ids at 1."""
        self._ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        """No timeouts in-process."""
        return None

    async def initialize(self) -> None:
        """Nothing to open."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> tuple[int, bytes]:
        """Record the call's time and return a plausible result."""
        times = reply_times.get()
        name = url.rsplit("/", 1)[-1]
        if times is not None and name != "getMe":
            times.append(time.perf_counter())
        params = request_data.parameters if request_data else {}
        result: Any = True
        if name == "getMe":
            result = ME
        elif name in ("sendMessage", "editMessageText"):
            chat = int(params.get("chat_id") or 0)
            result = {
                "message_id": int(params.get("message_id") or next(self._ids)),
                "date": int(dt.datetime.now(dt.UTC).timestamp()),
                "chat": {"id": chat, "type": "private"},
                "text": params.get("text", ""),
            }
        return 200, json.dumps({"ok": True, "result": result}).encode()


async def drive(feed: Any, streams: list[list[dict[str, Any]]]) -> tuple[float, list[float]]:
    """Feed every citizen's updates, citizens concurrently; return seconds and latencies."""
    latencies: list[float] = []
    start = time.perf_counter()

    async def citizen(updates: list[dict[str, Any]]) -> None:
        for update in updates:
            times: list[float] = []
            reply_times.set(times)
            sent = time.perf_counter()
            await feed(update)
            latencies.append((times[0] if times else time.perf_counter()) - sent)

    await asyncio.gather(*(citizen(s) for s in streams))
    return time.perf_counter() - start, latencies


async def measure_bare(streams: list[list[dict[str, Any]]]) -> tuple[float, list[float]]:
    """The same stream through a bare PTB Application whose handlers only reply."""

    async def reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "ok")

    async def edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await context.bot.edit_message_text(
            "ok", chat_id=query.message.chat.id, message_id=query.message.message_id
        )
        await query.answer()

    app = Application.builder().token("42:bench").request(LocalRequest()).updater(None).build()
    app.add_handler(MessageHandler(filters.ALL, reply))
    app.add_handler(CallbackQueryHandler(edit))
    await app.initialize()
    tune_gc()  # the same process tuning pingyi gets at start-up

    async def feed(raw: dict[str, Any]) -> None:
        await app.process_update(Update.de_json(raw, app.bot))

    try:
        return await drive(feed, streams)
    finally:
        await app.shutdown()
