"""Simulated Telegram users: they type, press buttons, upload files and watch their chat.

A simulated user can only do what a real one can: press a button that is on a
message they currently see, in their own chat. Anything else raises at once,
so a test cannot drive the bot into a state no citizen could reach.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Protocol

from bot.localapi.faults import Faults
from bot.localapi.files import FileStore
from bot.localapi.html import utf16_len
from bot.localapi.models import (
    ButtonRow,
    CallbackAnswer,
    ChatMessage,
    ChatState,
    JsonDict,
    UserProfile,
    unix_now,
)
from bot.localapi.updates import UpdateQueue

# A valid 1x1 PNG, the default picture of send_photo().
TINY_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

MessagePredicate = Callable[[ChatMessage], bool]


class HasMessageId(Protocol):
    """Anything naming a message, e.g. the aiogram Message a send method returned."""

    @property
    def message_id(self) -> int:
        """The message's id within its chat."""
        ...


# A message as tests refer to it: its id, our record of it, or the bot's Message object.
MessageRef = int | ChatMessage | HasMessageId


class World(Protocol):
    """What a simulated user sees of the server and may do through it (the BotState;
    named here so that this module does not import the state, which imports it)."""

    chats: dict[int, ChatState]
    files: FileStore
    faults: Faults
    updates: UpdateQueue
    answers: list[CallbackAnswer]

    @property
    def bot_user(self) -> UserProfile:
        """The bot's own profile."""
        ...

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
        """Record a message the user sent."""
        ...

    def new_callback_query(self, user: UserProfile, message: ChatMessage, data: str) -> JsonDict:
        """Register a button press."""
        ...

    def push_update(self, kind: str, payload: JsonDict) -> int:
        """Queue an update for the bot."""
        ...

    def transcript(self, chat_id: int) -> str:
        """The chat, one line per message."""
        ...

    async def wait_changed(
        self, check: Callable[[], ChatMessage | None], timeout: float
    ) -> ChatMessage | None:
        """Wait until `check()` finds a message."""
        ...


class ButtonNotFoundError(LookupError):
    """A simulated user tried to press a button that is not on the message they see."""


class SimUser:
    """One simulated user and their private chat with the bot (see `BotState.user`)."""

    def __init__(self, state: World, profile: UserProfile) -> None:
        """Created by `BotState.user()`; not meant to be built directly."""
        self._state = state
        self.profile = profile
        self._mark = 0  # chat version at the user's last action, for wait_for()

    def __repr__(self) -> str:
        """Identify the user in assertion messages."""
        return f"SimUser({self.id}, {self.profile.first_name!r})"

    @property
    def id(self) -> int:
        """The user's id, which is also their chat's id."""
        return self.profile.id

    @property
    def chat(self) -> ChatState:
        """Their private chat with the bot."""
        return self._state.chats[self.id]

    # -- acting -------------------------------------------------------------------------

    async def send_text(
        self, text: str, entities: list[JsonDict] | None = None, *, chat: int | None = None
    ) -> int:
        """Type a message in the private chat, or in group `chat` (see `BotState.group`);
        a leading /command gets its bot_command entity, and `entities` format the rest
        (bold, links … as the client sends them). Returns the update_id."""
        message = self._state.add_user_message(
            self.profile,
            kind="text",
            text=text,
            entities=[*_command_entities(text), *(entities or [])],
            chat_id=chat,
        )
        return self._act("message", message.to_json())

    async def edit_text(self, message_id: int, text: str) -> int:
        """Edit one of the user's own text messages (Telegram sends an edited_message
        update); return the update_id."""
        message = self.chat.messages.get(message_id)
        if message is None or message.from_bot or message.kind != "text":
            raise LookupError(f"{self!r} has no text message #{message_id} of their own")
        message.text = message.plain_text = text
        message.entities = _command_entities(text)
        message.edit_date = unix_now()
        message.edit_count += 1
        return self._act("edited_message", message.to_json())

    async def send_photo(
        self,
        data: bytes = TINY_PNG,
        *,
        caption: str | None = None,
        width: int = 800,
        height: int = 600,
    ) -> int:
        """Send a picture (stored for getFile/download); return update_id."""
        stored = self._state.files.add("photo", data)
        message = self._state.add_user_message(
            self.profile,
            kind="photo",
            text=caption or "",
            media={"photo": stored.photo_json(width, height)},
            file_id=stored.file_id,
        )
        return self._act("message", message.to_json())

    async def send_document(
        self,
        filename: str,
        data: bytes,
        mime: str = "application/octet-stream",
        *,
        caption: str | None = None,
    ) -> int:
        """Send a file (stored for getFile/download); return update_id."""
        stored = self._state.files.add("document", data, file_name=filename, mime_type=mime)
        message = self._state.add_user_message(
            self.profile,
            kind="document",
            text=caption or "",
            media={"document": stored.document_json()},
            file_id=stored.file_id,
        )
        return self._act("message", message.to_json())

    async def press(self, message: MessageRef, callback_data: str) -> int:
        """Press the button carrying `callback_data` on a message; return update_id.

        Raises ButtonNotFoundError unless that message is in this user's chat and
        currently shows such a button.
        """
        target = self._visible_message(message)
        if callback_data not in target.callback_data():
            raise ButtonNotFoundError(
                f"{self!r} cannot press {callback_data!r} on message #{target.message_id}: "
                f"its buttons are {target.buttons or 'none'}"
            )
        query = self._state.new_callback_query(self.profile, target, callback_data)
        return self._act("callback_query", query)

    async def press_text(self, button_text: str) -> int:
        """Press the button labelled `button_text` on the newest message showing one."""
        for message in reversed(self.messages):
            for label, data in (b for row in message.buttons for b in row):
                if label == button_text and data is not None:
                    return await self.press(message, data)
        raise ButtonNotFoundError(
            f"{self!r} sees no callback button labelled {button_text!r}; chat:\n"
            + self.transcript()
        )

    async def block_bot(self) -> int:
        """Block the bot: sends now answer 403, and the bot gets a my_chat_member update."""
        self._state.faults.block(self.id)
        return self._member_update("member", "kicked")

    async def unblock_bot(self) -> int:
        """Unblock the bot (as by pressing Restart)."""
        self._state.faults.unblock(self.id)
        return self._member_update("kicked", "member")

    # -- looking ------------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        """The bot's messages in the chat now (edits applied, deleted ones gone)."""
        return self.chat.bot_messages()

    @property
    def history(self) -> list[ChatMessage]:
        """Every message in the chat now, the user's own included."""
        return list(self.chat.messages.values())

    @property
    def last_message(self) -> ChatMessage | None:
        """The bot's newest message still in the chat."""
        messages = self.messages
        return messages[-1] if messages else None

    def buttons(self, message: MessageRef | None = None) -> list[ButtonRow]:
        """Rows of (text, callback_data) of a message (default: the newest from the bot)."""
        target = self.last_message if message is None else self._visible_message(message)
        return target.buttons if target is not None else []

    @property
    def reply_keyboard(self) -> JsonDict | None:
        """The custom keyboard (ReplyKeyboardMarkup) the bot currently shows."""
        return self.chat.reply_keyboard

    @property
    def answers(self) -> list[CallbackAnswer]:
        """Every answerCallbackQuery for this user's presses."""
        return [answer for answer in self._state.answers if answer.user_id == self.id]

    @property
    def toasts(self) -> list[str]:
        """The texts shown in answer to this user's presses (answers without text skipped)."""
        return [answer.text for answer in self.answers if answer.text]

    def transcript(self) -> str:
        """The chat, one line per message."""
        return self._state.transcript(self.id)

    async def wait_for(
        self, predicate: MessagePredicate | None = None, timeout: float = 30.0
    ) -> ChatMessage:
        """Wait until the bot sent or edited a message (matching `predicate`) since the
        user's last action or the previous wait_for; return the newest such message.

        Raises TimeoutError, with the chat's transcript, after `timeout` seconds.
        """
        # Woken only by changes to this chat (ChatState.changed): with many people
        # waiting at once, waking them all on every call to the server was most of a
        # rehearsal's time.
        found = await self.chat.changed.until(lambda: self._newest_change(predicate), timeout)
        if found is None:
            raise TimeoutError(self._timeout_report(timeout))
        self._mark = found.version
        return found

    # -- internals ----------------------------------------------------------------------

    def _act(self, kind: str, payload: JsonDict) -> int:
        self._mark = self.chat.version
        return self._state.push_update(kind, payload)

    def _newest_change(self, predicate: MessagePredicate | None) -> ChatMessage | None:
        changed = [
            message
            for message in self.messages
            if message.version > self._mark and (predicate is None or predicate(message))
        ]
        return max(changed, key=lambda message: message.version, default=None)

    def _visible_message(self, ref: MessageRef) -> ChatMessage:
        message_id, chat_id = _identify(ref)
        if chat_id is not None and chat_id < 0:  # a group: any member sees its messages
            message = self._state.chats[chat_id].messages.get(message_id)
            if message is None or not message.from_bot:
                raise ButtonNotFoundError(f"no bot message #{message_id} in group {chat_id}")
            return message
        if chat_id is not None and chat_id != self.id:
            raise ButtonNotFoundError(
                f"{self!r} cannot touch message #{message_id} of chat {chat_id}: "
                "it is not in their chat"
            )
        message = self.chat.messages.get(message_id)
        if message is None or not message.from_bot:
            raise ButtonNotFoundError(
                f"{self!r} has no bot message #{message_id} in their chat (deleted?)"
            )
        return message

    def _member_update(self, old: str, new: str) -> int:
        bot = self._state.bot_user.user_json()
        new_member: JsonDict = {"status": new, "user": bot}
        if new == "kicked":
            new_member["until_date"] = 0
        old_member: JsonDict = {"status": old, "user": bot}
        if old == "kicked":
            old_member["until_date"] = 0
        payload = {
            "chat": self.profile.chat_json(),
            "from": self.profile.user_json(),
            "date": unix_now(),
            "old_chat_member": old_member,
            "new_chat_member": new_member,
        }
        return self._act("my_chat_member", payload)

    def _timeout_report(self, timeout: float) -> str:
        filtered = len(self._state.updates.filtered)
        hint = (
            f"; {filtered} update(s) were dropped by allowed_updates (no handler for them?)"
            if filtered
            else ""
        )
        return f"{self!r}: the bot sent or edited nothing new within {timeout}s{hint}. Chat:\n" + (
            self.transcript() or "(empty)"
        )


def _identify(ref: MessageRef) -> tuple[int, int | None]:
    """(message_id, chat_id if known) of an id, a ChatMessage or an aiogram Message."""
    if isinstance(ref, int):
        return ref, None
    if isinstance(ref, ChatMessage):
        return ref.message_id, ref.chat_id
    chat_id = getattr(getattr(ref, "chat", None), "id", None)
    return ref.message_id, chat_id if isinstance(chat_id, int) else None


def _command_entities(text: str) -> list[JsonDict]:
    """Telegram marks a leading /command (with any @botname) as a bot_command entity."""
    if not text.startswith("/") or len(text) < 2:
        return []
    command = text.split(maxsplit=1)[0]
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
