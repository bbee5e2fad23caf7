"""The records the local server keeps: users, chats, the messages in them, and API calls."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

JsonDict = dict[str, Any]
T = TypeVar("T")

# What a keyboard row looks like to a test: (label, callback_data or None for URL buttons).
ButtonRow = list[tuple[str, str | None]]


def unix_now() -> int:
    """Telegram dates are whole seconds since the epoch."""
    return int(time.time())


class Pulse:
    """Wakes every waiter when something changed; waiters then re-check their condition.

    Everything runs on one event loop, so checking and then waiting cannot miss a
    notification: `wait()` captures the current event before it first suspends.
    """

    def __init__(self) -> None:
        """Start with nobody waiting."""
        self._event = asyncio.Event()

    def notify(self) -> None:
        """Wake all current waiters."""
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """Wait for the next notification; False if `timeout` seconds passed first."""
        event = self._event
        try:
            async with asyncio.timeout(max(timeout, 0.0)):
                await event.wait()
        except TimeoutError:
            return False
        return True

    async def until(self, check: Callable[[], T | None], timeout: float) -> T | None:
        """Return the first non-None `check()` result, or None once `timeout` has passed."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while (result := check()) is None:
            remaining = deadline - loop.time()
            if remaining <= 0:
                return None
            await self.wait(remaining)
        return result


@dataclass(frozen=True)
class UserProfile:
    """A Telegram user as the Bot API describes them."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def user_json(self) -> JsonDict:
        """The `User` object (the `from` of their messages)."""
        data: JsonDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        optional = {
            "last_name": self.last_name,
            "username": self.username,
            "language_code": self.language_code,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        return data

    def chat_json(self) -> JsonDict:
        """The `Chat` object of the private chat with this user."""
        data: JsonDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.last_name is not None:
            data["last_name"] = self.last_name
        if self.username is not None:
            data["username"] = self.username
        return data


@dataclass(frozen=True)
class GroupProfile:
    """A group or supergroup the bot is in (ids are negative, as Telegram's are)."""

    id: int
    title: str
    type: str = "group"  # or "supergroup"

    def chat_json(self) -> JsonDict:
        """The `Chat` object of the group."""
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class ChatMessage:
    """One message in a chat, as its user currently sees it (edits applied).

    `text` is what the bot sent (markup included); `plain_text` is what is displayed.
    For photos and documents both hold the caption ("" when there is none).
    """

    message_id: int
    chat: JsonDict
    sender: JsonDict
    date: int
    kind: str  # "text", "photo" or "document"
    text: str
    plain_text: str
    from_bot: bool
    parse_mode: str | None = None
    entities: list[JsonDict] = field(default_factory=list)
    reply_markup: JsonDict | None = None  # inline keyboards only: others are not on a message
    media: JsonDict = field(default_factory=dict)  # {"photo": [...]} or {"document": {...}}
    file_id: str | None = None
    edit_date: int | None = None
    edit_count: int = 0
    version: int = 0  # the chat's change counter at this message's last send or edit

    @property
    def chat_id(self) -> int:
        """The chat this message is in."""
        chat_id: int = self.chat["id"]
        return chat_id

    @property
    def buttons(self) -> list[ButtonRow]:
        """The inline keyboard as rows of (text, callback_data); URL buttons have None."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[(b["text"], b.get("callback_data")) for b in row] for row in rows]

    def callback_data(self) -> list[str]:
        """Every callback_data on this message, in reading order."""
        return [data for row in self.buttons for _, data in row if data is not None]

    def urls(self) -> list[str]:
        """Every URL button's address on this message, in reading order."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [b["url"] for row in rows for b in row if "url" in b]

    def to_json(self) -> JsonDict:
        """The Bot API `Message` object."""
        data: JsonDict = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": self.chat,
            "date": self.date,
        }
        text_key, entities_key = ("text", "entities")
        if self.kind != "text":
            data.update(self.media)
            text_key, entities_key = ("caption", "caption_entities")
        if self.plain_text or self.kind == "text":
            data[text_key] = self.plain_text
        if self.entities:
            data[entities_key] = self.entities
        if self.reply_markup is not None:
            data["reply_markup"] = self.reply_markup
        if self.edit_date is not None:
            data["edit_date"] = self.edit_date
        return data

    def describe(self) -> str:
        """One line for transcripts and error messages."""
        who = "bot" if self.from_bot else "user"
        body = self.plain_text if self.kind == "text" else f"[{self.kind}] {self.plain_text}"
        labels = " | ".join(f"[{text}]" for row in self.buttons for text, _ in row)
        return f"#{self.message_id} {who}: {body}" + (f"  {labels}" if labels else "")


@dataclass
class ChatState:
    """A chat with the bot: one simulated user's private chat, or a group (`group` set;
    `user` is then the member who created it)."""

    user: UserProfile
    group: GroupProfile | None = None
    messages: dict[int, ChatMessage] = field(default_factory=dict)
    last_message_id: int = 0
    version: int = 0  # bumped on every bot send, edit and delete, for waiters
    reply_keyboard: JsonDict | None = None  # the ReplyKeyboardMarkup currently shown
    actions: list[str] = field(default_factory=list)  # sendChatAction history
    delivered: int = 0  # messages the bot successfully sent here
    # Wakes the chat's own waiters (SimUser.wait_for): a change elsewhere does not, so
    # many people waiting at once cost nothing while others are answered.
    changed: Pulse = field(default_factory=Pulse, repr=False, compare=False)

    @property
    def chat_id(self) -> int:
        """Private chats share the user's id; groups have their own (negative) one."""
        return self.group.id if self.group is not None else self.user.id

    def chat_json(self) -> JsonDict:
        """The `Chat` object of this chat."""
        return self.group.chat_json() if self.group is not None else self.user.chat_json()

    def next_message_id(self) -> int:
        """Ids are per chat and start at 1, shared by both sides, as in private chats."""
        self.last_message_id += 1
        return self.last_message_id

    def bump(self) -> int:
        """Record a change made by the bot, wake whoever waits on this chat, and return
        its sequence number (the caller stores the message before it next awaits, so a
        woken waiter finds it)."""
        self.version += 1
        self.changed.notify()
        return self.version

    def bot_messages(self) -> list[ChatMessage]:
        """The bot's messages still in the chat, oldest first."""
        return [m for m in self.messages.values() if m.from_bot]


@dataclass(frozen=True)
class ApiCall:
    """One HTTP call to the Bot API, as received and as answered."""

    method: str
    params: JsonDict
    response: JsonDict
    status: int
    timestamp: float
    chat_id: int | None

    @property
    def ok(self) -> bool:
        """Whether Telegram would have accepted it."""
        return bool(self.response.get("ok"))

    @property
    def result(self) -> Any:
        """The `result` of a successful call (None otherwise)."""
        return self.response.get("result")


@dataclass(frozen=True)
class CallbackAnswer:
    """An answerCallbackQuery the bot made for a simulated user's button press."""

    query_id: str
    user_id: int
    text: str | None
    show_alert: bool
    url: str | None


@dataclass
class PendingQuery:
    """A callback query that was queued and may be answered once."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False
