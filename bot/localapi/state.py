"""The in-memory Bot API: chats, updates, files and the record of every call.

`BotState` knows nothing about HTTP: `execute()` takes a method name and decoded
parameters and returns the status and body Telegram would answer with. The
HTTP layer (`server.LocalBotAPI`) adds the socket around it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Callable

from bot.localapi.errors import ApiError, bad_request, not_found
from bot.localapi.faults import Faults
from bot.localapi.files import FileStore
from bot.localapi.html import ParsedText
from bot.localapi.inspection import Inspection
from bot.localapi.models import (
    ApiCall,
    CallbackAnswer,
    ChatMessage,
    ChatState,
    GroupProfile,
    JsonDict,
    PendingQuery,
    Pulse,
    UserProfile,
    unix_now,
)
from bot.localapi.registry import Call, MethodSpec, find_method
from bot.localapi.updates import UpdateQueue
from bot.localapi.users import SimUser
from bot.localapi.validate import Markup
from bot.localapi.webhook import WebhookDelivery

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456:local-test-token"
_TOKEN = re.compile(r"(\d+):[\w-]+")
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_POLLING = "getUpdates"


class BotState(Inspection):
    """Everything the local Bot API remembers, plus what tests inspect and drive."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "pingyi_bot",
        bot_name: str = "评议",
    ) -> None:
        """`token` must look like a real one: the bot's id is its numeric prefix."""
        match = _TOKEN.fullmatch(token)
        if match is None:
            raise ValueError(f"not a bot token: {token!r}")
        self.token = token
        self.bot_user = UserProfile(
            int(match.group(1)), bot_name, username=bot_username, is_bot=True
        )
        self.faults = Faults()
        self.files = FileStore()
        self.updates = UpdateQueue()
        self.webhook: WebhookDelivery | None = None  # set by setWebhook (bot/localapi/webhook.py)
        self.calls: list[ApiCall] = []
        self.answers: list[CallbackAnswer] = []
        self.queries: dict[str, PendingQuery] = {}
        self.commands: dict[tuple[str, str], list[JsonDict]] = {}
        self.chats: dict[int, ChatState] = {}
        self.users: dict[int, SimUser] = {}
        self.internal_errors: list[str] = []  # server bugs, reported to the bot as 500s
        self._activity = Pulse()
        self._in_flight = 0
        self._polls = 0
        self._last_activity = 0.0
        self._query_counter = 0

    # -- simulated users ----------------------------------------------------------------

    def user(
        self,
        user_id: int,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "zh-hans",
    ) -> SimUser:
        """The simulated user with this id (created, with a private chat, on first use)."""
        existing = self.users.get(user_id)
        if existing is not None:
            return existing
        if user_id <= 0:
            raise ValueError("user ids are positive")
        profile = UserProfile(
            user_id,
            first_name or f"User {user_id}",
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        self.chats[user_id] = ChatState(profile)
        sim = self.users[user_id] = SimUser(self, profile)
        return sim

    def group(
        self, chat_id: int, title: str, creator: SimUser, *, supergroup: bool = False
    ) -> ChatState:
        """The group chat `chat_id` (negative, as Telegram's), created by `creator` on first
        use; members post in it with `SimUser.send_text(..., chat=chat_id)`."""
        existing = self.chats.get(chat_id)
        if existing is not None:
            return existing
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        kind = "supergroup" if supergroup else "group"
        chat = self.chats[chat_id] = ChatState(creator.profile, GroupProfile(chat_id, title, kind))
        return chat

    @property
    def is_polling(self) -> bool:
        """Whether a getUpdates call is waiting right now (the bot is up and listening)."""
        return self._polls > 0

    @property
    def pending_updates(self) -> int:
        """Updates queued or delivered but not yet confirmed by the bot."""
        return self.updates.pending

    # -- driving ------------------------------------------------------------------------

    def inject_raw_update(self, update: JsonDict) -> int:
        """Queue any update dict; without update_id it gets the next one. Returns the id."""
        update_id = self.updates.push_raw(update)
        self.touch()
        return update_id

    def redeliver(self, update_id: int) -> None:
        """Deliver an already delivered update again with the same update_id."""
        self.updates.redeliver(update_id)
        self.touch()

    async def wait_polling(self, timeout: float = 5.0) -> None:
        """Return once the bot is waiting in getUpdates; TimeoutError after `timeout` s."""
        if await self._activity.until(lambda: True if self._polls else None, timeout) is None:
            raise TimeoutError(f"nobody called getUpdates within {timeout}s")

    async def wait_idle(self, timeout: float = 5.0, *, quiet: float = 0.05) -> None:
        """Return once every update is confirmed and no call came for `quiet` seconds.

        Raises TimeoutError after `timeout` seconds (e.g. when nothing polls). A handler
        that computes for longer than `quiet` between two calls can fool it.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            idle_for = loop.time() - self._last_activity
            if not self.updates.pending and not self._in_flight and idle_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError(
                    f"bot not idle after {timeout}s: {self.updates.pending} update(s) "
                    f"unconfirmed, {self._in_flight} call(s) in progress"
                )
            await self._activity.wait(min(remaining, max(quiet - idle_for, 0.005)))

    # -- the API core -------------------------------------------------------------------

    async def execute(
        self, method: str, params: JsonDict, alive: Callable[[], bool] = lambda: True
    ) -> tuple[int, JsonDict]:
        """Run one Bot API call; return the HTTP status and body, and record it."""
        spec = find_method(method)
        name = spec.name if spec is not None else method
        chat_id = self._call_chat_id(params)
        call = Call(params, alive)
        if name == _POLLING:
            status, body = await self._poll(name, spec, call)
            if body.get("result"):
                self.touch()  # a long poll is not activity, but the updates it hands out are
        else:
            status, body = await self._tracked(name, spec, call, chat_id)
        self.calls.append(ApiCall(name, params, body, status, time.time(), chat_id))
        return status, body

    async def _poll(self, name: str, spec: MethodSpec | None, call: Call) -> tuple[int, JsonDict]:
        self._polls += 1
        self._activity.notify()  # for wait_polling()
        try:
            return await self._run(name, spec, call, None)
        finally:
            self._polls -= 1

    async def _tracked(
        self, name: str, spec: MethodSpec | None, call: Call, chat_id: int | None
    ) -> tuple[int, JsonDict]:
        """Run a call counted as in flight, so wait_idle() does not return under it."""
        self._in_flight += 1
        self.touch()
        try:
            return await self._run(name, spec, call, chat_id)
        finally:
            self._in_flight -= 1
            self.touch()

    async def _run(
        self, name: str, spec: MethodSpec | None, call: Call, chat_id: int | None
    ) -> tuple[int, JsonDict]:
        if spec is None:
            return 404, not_found().to_json()
        try:
            self.faults.check(name, chat_id)
            result = await spec.handler(self, call)
        except ApiError as error:
            return error.status, error.to_json()
        except Exception as error:
            # A bug in this server must show up in tests, not pass as a network blip.
            log.exception("local Bot API failed in %s", name)
            self.internal_errors.append(f"{name}: {error!r}")
            return 500, {"ok": False, "error_code": 500, "description": f"Internal Error: {error}"}
        return 200, {"ok": True, "result": result}

    def _call_chat_id(self, params: JsonDict) -> int | None:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, int) and not isinstance(chat_id, bool):
            return chat_id
        query = self.queries.get(str(params.get("callback_query_id")))
        return query.user_id if query is not None else None

    def touch(self) -> None:
        """Something happened: restart the quiet period and wake waiters."""
        self._last_activity = asyncio.get_running_loop().time()
        self._activity.notify()

    # -- used by method handlers and simulated users ------------------------------------

    def chat_for(self, params: JsonDict) -> ChatState:
        """The chat a call addresses, or Telegram's error."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        chat = self.chats.get(chat_id) if isinstance(chat_id, int) else None
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def add_bot_message(
        self,
        chat: ChatState,
        *,
        kind: str,
        raw: str,
        parsed: ParsedText,
        parse_mode: str | None,
        markup: Markup,
        media: JsonDict | None = None,
        file_id: str | None = None,
    ) -> ChatMessage:
        """Deliver a message from the bot into the chat."""
        message = ChatMessage(
            message_id=chat.next_message_id(),
            chat=chat.chat_json(),
            sender=self.bot_user.user_json(),
            date=unix_now(),
            kind=kind,
            text=raw,
            plain_text=parsed.text,
            from_bot=True,
            parse_mode=parse_mode,
            entities=parsed.entities,
            reply_markup=markup.inline,
            media=media or {},
            file_id=file_id,
            version=chat.bump(),
        )
        chat.messages[message.message_id] = message
        if markup.keyboard is not None or markup.remove_keyboard:
            chat.reply_keyboard = markup.keyboard
        chat.delivered += 1
        self.faults.note_sent(chat.chat_id)
        self.touch()
        return message

    def edit_bot_message(
        self,
        chat: ChatState,
        message: ChatMessage,
        *,
        raw: str,
        parsed: ParsedText,
        parse_mode: str | None,
        inline: JsonDict | None,
    ) -> ChatMessage:
        """Apply an edit, refusing one that changes nothing as Telegram does."""
        same = (
            message.plain_text == parsed.text
            and message.entities == parsed.entities
            and message.reply_markup == inline
        )
        if same:
            raise bad_request(_NOT_MODIFIED)
        message.text, message.plain_text, message.entities = raw, parsed.text, parsed.entities
        message.parse_mode, message.reply_markup = parse_mode, inline
        message.edit_date = unix_now()
        message.edit_count += 1
        message.version = chat.bump()
        self.touch()
        return message

    def delete_message(self, chat: ChatState, message_id: int) -> None:
        """Remove a message from the chat."""
        if chat.messages.pop(message_id, None) is None:
            raise bad_request("message to delete not found")
        chat.bump()
        self.touch()

    def add_user_message(
        self,
        user: UserProfile,
        *,
        kind: str,
        text: str,
        entities: list[JsonDict] | None = None,
        media: JsonDict | None = None,
        file_id: str | None = None,
        chat_id: int | None = None,
    ) -> ChatMessage:
        """Record a message a simulated user sent, in their private chat or in group
        `chat_id` (the caller queues the update)."""
        chat = self.chats[user.id if chat_id is None else chat_id]
        message = ChatMessage(
            message_id=chat.next_message_id(),
            chat=chat.chat_json(),
            sender=user.user_json(),
            date=unix_now(),
            kind=kind,
            text=text,
            plain_text=text,
            from_bot=False,
            entities=entities or [],
            media=media or {},
            file_id=file_id,
        )
        chat.messages[message.message_id] = message
        return message

    def new_callback_query(self, user: UserProfile, message: ChatMessage, data: str) -> JsonDict:
        """Register a button press and return its CallbackQuery object."""
        self._query_counter += 1
        # Real ids are large decimal strings; these are unique per server.
        query_id = str(self.bot_user.id * 10**9 + self._query_counter)
        self.queries[query_id] = PendingQuery(query_id, user.id, message.message_id, data)
        return {
            "id": query_id,
            "from": user.user_json(),
            "message": message.to_json(),
            "chat_instance": str(-message.chat_id * 7919),
            "data": data,
        }

    def push_update(self, kind: str, payload: JsonDict) -> int:
        """Queue an update for the bot and return its update_id."""
        update_id = self.updates.push(kind, payload)
        self.touch()
        return update_id

    def record_answer(self, answer: CallbackAnswer) -> None:
        """Keep an answerCallbackQuery for the user's `toasts`."""
        self.answers.append(answer)
        self.touch()

    async def wait_changed(
        self, check: Callable[[], ChatMessage | None], timeout: float
    ) -> ChatMessage | None:
        """Wait until `check()` finds a message (re-checked on every change)."""
        return await self._activity.until(check, timeout)

    async def wait_until(self, check: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        """Wait until `check()` holds, re-checked on every call, update and answer;
        TimeoutError naming `what` after `timeout` seconds."""
        if await self._activity.until(lambda: True if check() else None, timeout) is None:
            raise TimeoutError(f"not within {timeout}s: {what}")
