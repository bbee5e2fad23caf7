"""One update as plain data: what a handler may know about it, whatever the framework.

An adapter builds an `Incoming` from its framework's update (bot/telegram/aiogram/
convert.py, bot/telegram/ptb/convert.py) and gives it the `Responder` that answers
it; handlers read these fields and answer with `answer(incoming, Answer(...))`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

from bot.telegram.common.codec import CallbackData
from bot.telegram.common.replies import Answer, Responder, deliver, notice

# "service": chat-member changes and channel posts, which no route takes.
Kind = Literal["command", "text", "file", "other", "edited", "press", "service"]


@dataclass(frozen=True)
class Attachment:
    """A file a person sent (the largest size of a photo), by Telegram's file id."""

    kind: Literal["photo", "document"]
    file_id: str
    mime_type: str | None
    size: int | None


@dataclass
class Incoming:
    """A message, an edited message or a button press, in a private chat or a group."""

    update_id: int
    kind: Kind
    user_id: int | None
    chat_id: int | None
    chat_type: str | None
    responder: Responder
    language_code: str | None = None
    first_name: str = ""
    is_bot: bool = False
    message_id: int | None = None
    text: str | None = None  # a message's text (commands included), never a caption
    # the text or caption with its formatting as Telegram HTML (a press: the pressed
    # message's text, when it is a text message)
    html: str | None = None
    command: str | None = None  # "/cancel@bot args" → "cancel" ("" for a lone "/")
    args: str | None = None  # what follows the command, None if nothing
    data: str | None = None  # a press's raw callback data
    attachments: tuple[Attachment, ...] = ()
    addressed: bool = False  # in a group: a command for this bot, or a reply to it
    callback: CallbackData | None = field(default=None)  # `data` decoded by the codec

    def __post_init__(self) -> None:
        """Decode a press's data once, with the one codec."""
        if self.data is not None and self.callback is None:
            self.callback = CallbackData.decode(self.data)


def split_command(text: str | None) -> tuple[str | None, str | None]:
    """("cancel", "args") for "/cancel@bot args"; (None, None) for text that is no command."""
    if not text or not text.startswith("/"):
        return None, None
    head, *rest = text.split(maxsplit=1)
    return head[1:].partition("@")[0], (rest[0] if rest else None)


def message_kind(text: str | None, caption: str | None, has_file: bool, edited: bool) -> Kind:
    """What a message is, for routing (a caption starting with "/" is a command, as a
    file sent with "/inspect …" is)."""
    if edited:
        return "edited"
    if (text or caption or "").startswith("/"):
        return "command"
    if text is None:
        return "file" if has_file else "other"
    return "text"


async def answer(event: Incoming, reply: Answer) -> None:
    """Answer typed input or a button press (rules: bot/telegram/common/replies.py)."""
    await deliver(event.responder, reply, press=event.kind == "press")


async def tell(event: Incoming, text: str, *, alert: bool = False) -> None:
    """A single notice: a message in answer to typed input, a toast to a press."""
    await deliver(event.responder, notice(text, alert=alert), press=event.kind == "press")


def in_chat(event: Incoming) -> Incoming:
    """The same update, answered with new messages in its chat (a press whose spinner is
    already closed and whose outcome comes as messages)."""
    return dataclasses.replace(event, kind="text")
