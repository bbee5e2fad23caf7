"""One running bot for a whole hypothesis run, and people acting on it step by step.

Start-up (migrations, campaigns, polling) is far too slow to repeat per example, so
the bot, the local Bot API server and their event loop live in a thread of their own
for the whole run; hypothesis (synchronous) hands them coroutines with `World.run`.
Each example brings fresh people (new user ids), so examples do not see each other.

After every step `Person.act` checks what issue 13 promises: the bot finished the
update without a handler raising (nothing logged at ERROR), the server refused none of
the bot's calls, and a private message or press got a reply (a message or a toast).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from collections.abc import Awaitable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

from bot.access.service import Role
from bot.complaints.service import Centre
from bot.core.clock import FixedClock
from bot.localapi import TINY_PNG, ChatMessage, LocalBotAPI, SimUser
from tests.bot.telegram.conftest import SURVEY_DAY, WAIT, BotApp
from tests.bot.telegram.helpers import unit_id, wait_until

T = TypeVar("T")
CENTRE_ID = 90_001
GROUP_ID = -1_001_234
# The one refusal the bot provokes knowingly: pressing a button again re-renders the same
# screen, and the reply helper treats "an edit that changes nothing" as no error.
NOT_MODIFIED = "message is not modified"
HANDLER_UNIT = "wujin"


class ErrorLog(logging.Handler):
    """Every record logged at ERROR or above, from any thread."""

    def __init__(self) -> None:
        """Nothing logged yet."""
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record (formatting it now, while its exception is at hand)."""
        self.format(record)
        self.records.append(record)

    def since(self, mark: int) -> list[str]:
        """What was logged after the first `mark` records, with tracebacks."""
        return [self.format(r) for r in self.records[mark:]]


class World:
    """The bot over one database, polling a local server, on its own event loop."""

    def __init__(self, db_url: str) -> None:
        """Not started until `start()`."""
        self.db_url = db_url
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.errors = ErrorLog()
        self.ids = itertools.count(7_000_000)
        self._stack: contextlib.AsyncExitStack | None = None
        self.api: LocalBotAPI
        self.app: BotApp
        self.centre: Person

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 4 * WAIT) -> T:
        """Run `coro` on the bot's loop and return its result (from hypothesis's thread)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def start(self) -> None:
        """Start the thread, the server and the bot; note errors from now on."""
        logging.getLogger().addHandler(self.errors)
        self.thread.start()
        self.run(self._start())

    async def _start(self) -> None:
        stack = contextlib.AsyncExitStack()
        self.api = await stack.enter_async_context(LocalBotAPI())
        self.app = BotApp(self.api, self.db_url, FixedClock.on_day(SURVEY_DAY))
        await self.app.start()
        stack.push_async_callback(self.app.stop)
        self.app.services.complaints.centre = Centre(frozenset({CENTRE_ID}))
        # The centre's chat exists, as a real one would; it acts in examples of its own.
        self.centre = Person(self, self.api.user(CENTRE_ID, first_name="投诉中心"))
        self.api.group(GROUP_ID, "<b>群</b> & co", self.centre.user, supergroup=True)
        self._stack = stack

    def stop(self) -> None:
        """Stop the bot and the server, then the loop and its thread."""
        try:
            if self._stack is not None:
                self.run(self._stack.aclose())
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(WAIT)
            logging.getLogger().removeHandler(self.errors)

    async def grant(self, user_id: int, role: Role) -> None:
        """Give `user_id` a role (handlers: for HANDLER_UNIT), as an admin would."""
        services = self.app.services
        unit = unit_id(services, HANDLER_UNIT) if role is Role.HANDLER else None
        async with services.db.unit_of_work() as uow:
            await services.access.grant(uow, None, user_id, role, unit)

    def person(self, role: Role | None, locale: str) -> Person:
        """A new person (fresh id), holding `role` if any."""
        user_id = next(self.ids)
        if role is not None:
            self.run(self.grant(user_id, role))
        user = self.run(self._user(user_id, locale))
        return Person(self, user)

    async def _user(self, user_id: int, locale: str) -> SimUser:
        return self.api.user(user_id, first_name="测试", language_code=locale)


class Person:
    """Someone acting on the bot; every action is checked as the module says."""

    def __init__(self, world: World, user: SimUser) -> None:
        """`user` in `world`."""
        self.world, self.user = world, user
        self.seen_data: list[str] = []  # every button's data this person was shown

    @property
    def visible(self) -> list[tuple[ChatMessage, str]]:
        """(message, data) of every callback button in the chat now."""
        return [(m, d) for m in self.user.messages for d in m.callback_data()]

    @property
    def own_texts(self) -> list[int]:
        """Ids of the text messages this person sent (they may edit them)."""
        return [m.message_id for m in self.user.history if not m.from_bot and m.kind == "text"]

    def act(
        self, what: str, action: Awaitable[int], *, press: bool = False, private: bool = True
    ) -> None:
        """Do `action` (it queues an update) and check the bot's handling of it (a reply
        is only owed in private: in a group, plain text is nobody's input)."""
        world = self.world
        calls, errors = len(world.api.calls), len(world.errors.records)
        mark = self.user.chat.version
        update_id = world.run(self._settle(action))
        logged = world.errors.since(errors)
        chat = f"\nchat:\n{self.user.transcript()[-3000:]}"
        assert logged == [], f"{what}: the bot logged errors:\n" + "\n".join(logged) + chat
        refused = [
            f"{c.method} {c.status} {c.response.get('description')}"
            for c in world.api.calls[calls:]
            if c.status >= 400 and NOT_MODIFIED not in str(c.response.get("description"))
        ]
        assert refused == [], f"{what}: the server refused the bot's calls: {refused}{chat}"
        if private:
            world.run(self._replied(what, update_id, mark, press))
        for _, data in self.visible:
            if data not in self.seen_data:
                self.seen_data.append(data)

    async def _settle(self, action: Awaitable[int]) -> int:
        update_id = await action
        await self.world.app.handled(update_id)
        await self.world.app.services.outbox.settled(timeout=WAIT)
        return update_id

    async def _replied(self, what: str, update_id: int, mark: int, press: bool) -> None:
        api = self.world.api
        if press:
            query = api.updates.history()[update_id]["callback_query"]["id"]
            await wait_until(lambda: api.queries[query].answered, f"{what}: press answered")
            return
        await wait_until(
            lambda: any(m.version > mark for m in self.user.messages),
            f"{what} (update {update_id}): a reply; chat:\n{self.user.transcript()}",
        )

    # -- actions ------------------------------------------------------------------------

    def send(self, text: str, entities: list[dict[str, Any]] | None = None) -> None:
        """Type a message."""
        self.act(f"send {text[:80]!r}", self.user.send_text(text, entities))

    def send_to_group(self, text: str) -> None:
        """Type a message in the group everyone is in."""
        self.act(
            f"send {text[:80]!r} in a group",
            self.user.send_text(text, chat=GROUP_ID),
            private=False,
        )

    def edit(self, message_id: int, text: str) -> None:
        """Edit one of their earlier text messages."""
        self.act(f"edit #{message_id} to {text[:80]!r}", self.user.edit_text(message_id, text))

    def press(self, message: ChatMessage, data: str) -> None:
        """Press `data` on `message`, shown there or not (a stale or forged press)."""
        self.act(f"press {data!r} on #{message.message_id}", self._press(message, data), press=True)

    def send_media(self, kind: str, caption: str) -> None:
        """Send a message of `kind` (photo, sticker, location …) with `caption`."""
        if kind == "photo":
            update = self.user.send_photo(caption=caption or None)
        elif kind == "document":
            update = self.user.send_document("a<b>&.txt", b"x" * 10, "text/plain", caption=caption)
        else:
            update = self._media(kind, caption)
        self.act(f"send {kind} captioned {caption[:40]!r}", update)

    async def _press(self, message: ChatMessage, data: str) -> int:
        api = self.world.api
        return api.push_update(
            "callback_query", api.new_callback_query(self.user.profile, message, data)
        )

    async def _media(self, kind: str, caption: str) -> int:
        api = self.world.api
        stored = api.files.add(kind, TINY_PNG)
        ids = {"file_id": stored.file_id, "file_unique_id": stored.file_unique_id}
        media = _media_json(kind, ids)
        captioned = kind in ("video", "audio", "animation", "voice")
        message = api.add_user_message(
            self.user.profile,
            kind=kind,
            text=caption if captioned else "",
            media=media,
            file_id=stored.file_id if "file_id" in str(media) else None,
        )
        return api.push_update("message", message.to_json())


def _media_json(kind: str, ids: dict[str, str]) -> dict[str, Any]:
    """The Bot API fields of a message of `kind`."""
    shapes: dict[str, dict[str, Any]] = {
        "sticker": {
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "😀",
        },
        "voice": {"duration": 3, "mime_type": "audio/ogg"},
        "video": {"width": 640, "height": 480, "duration": 5},
        "audio": {"duration": 5, "title": "<b>&"},
        "animation": {"width": 320, "height": 240, "duration": 2},
        "video_note": {"length": 240, "duration": 3},
    }
    if kind in shapes:
        return {kind: {**ids, **shapes[kind]}}
    location = {"latitude": 31.81, "longitude": 119.97}
    others: dict[str, dict[str, Any]] = {
        "location": {"location": location},
        "contact": {"contact": {"phone_number": "+8613800000000", "first_name": "<b>&"}},
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
        "venue": {
            "location": location,
            "venue": {"location": location, "title": "<i>", "address": "&"},
        },
    }
    return others[kind]


def db_file(directory: Path) -> str:
    """The aiosqlite URL of a fresh database file in `directory`."""
    return f"sqlite+aiosqlite:///{directory / 'fuzz.db'}"
