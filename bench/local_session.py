"""An aiogram session that answers every Bot API call in-process, instantly.

It lets a benchmark drive the real Dispatcher and handlers without a network,
and records when each reply was made (per update, through a context variable).
"""

from __future__ import annotations

import contextvars
import datetime as dt
import itertools
import time
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import EditMessageText, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Chat, Message

# Set by the driver before feeding an update; the session appends reply times.
reply_times: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar(
    "reply_times", default=None
)


class LocalSession(BaseSession):
    """Answers sendMessage/editMessageText with a Message and everything else with True."""

    def __init__(self) -> None:
        """Start message ids at 1."""
        super().__init__()
        self._ids = itertools.count(1)
        self.calls = 0

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        """Record the call's time and return a plausible result."""
        self.calls += 1
        times = reply_times.get()
        if times is not None:
            times.append(time.perf_counter())
        result: Any = True
        if isinstance(method, SendMessage | EditMessageText):
            chat_id = int(method.chat_id or 0)
            result = Message(
                message_id=getattr(method, "message_id", None) or next(self._ids),
                date=dt.datetime.now(dt.UTC),
                chat=Chat(id=chat_id, type="private"),
                text=method.text,
            )
        return result  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Nothing to close."""

    async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
        """Not used by the benchmark."""
        raise NotImplementedError
