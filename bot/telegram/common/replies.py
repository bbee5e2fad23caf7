"""The one way the bot answers a person: the only module that decides between a new
message, an edit of the pressed message and a toast.

Handlers render what the engine returned into an `Answer` (plain data: text,
`Keyboard`, files as `Upload`) and an adapter's `Responder` carries it out through
`deliver`; the adapter only makes the calls.  The rules, in one place:

* typed input (a message) gets new messages: `also` first, then the screen (`text`),
  or the `toast` as a message when there is no screen;
* a button press edits the pressed message when `edit` is set and the message can
  still be edited, else sends the screen anew; `also` goes first as a new message; the
  spinner is always closed, with the toast (cut to Telegram's 200 characters) if any.
  An edit that changes nothing is not an error; one refused otherwise gets the screen
  as a new message, so a press is never left without it;
* a file (`document` or `photo`) always goes as a new message, `text` its caption.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bot.telegram.common.markup import Keyboard

# Bot API: a press answered already (by a worker that died before committing, whose
# update is now taken again) or too long ago (~15 s).  Closing its spinner then is not
# an error: failing the update for it would park it and lose what the person gave.
QUERY_GONE = "query is too old"
TOAST_LIMIT = 200  # characters Telegram shows in a callback answer


@dataclass(frozen=True)
class Upload:
    """A file the bot sends: its name and bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Answer:
    """What to show in answer to one update, already rendered (Telegram HTML)."""

    text: str | None = None  # the screen; None: no screen
    markup: Keyboard | None = None
    toast: str | None = None  # a press's toast (for typed input: sent if there is no screen)
    also: str | None = None  # a notice sent before the screen, as a new message
    edit: bool = True  # a press: replace the pressed message rather than send anew
    alert: bool = False  # a press: show the toast as an alert the person must close
    url: str | None = None  # a press: a t.me/<bot>?start=… link the client opens
    document: Upload | None = None  # a file to send, `text` its caption
    photo: Upload | None = None  # a picture to send, `text` its caption


class Responder(Protocol):
    """The calls one update can be answered with, made by an adapter."""

    @property
    def editable(self) -> bool:
        """True if the pressed message is a text message the bot can still edit."""

    async def send(self, text: str, markup: Keyboard | None) -> None:
        """A new message in the update's chat (for a press: its message's chat)."""

    async def send_file(
        self, kind: str, file: Upload, caption: str | None, markup: Keyboard | None
    ) -> None:
        """A new message carrying a "document" or a "photo"."""

    async def edit(self, text: str, markup: Keyboard | None) -> bool:
        """Edit the pressed message; False if Telegram refused (other than "not modified")."""

    async def close(self, toast: str | None, alert: bool, url: str | None) -> None:
        """Answer the press (close its spinner), with a toast if any."""

    async def bot_username(self) -> str:
        """The bot's own username (for t.me links)."""

    async def set_commands(self, chat_id: int, locale: str) -> None:
        """Give one private chat the command menu in `locale` (bot/telegram/common/commands.py)."""


async def deliver(responder: Responder, reply: Answer, *, press: bool) -> None:
    """Carry out `reply` for typed input or a press (see the module's rules)."""
    if press:
        await _to_press(responder, reply)
    else:
        await _to_message(responder, reply)


def notice(text: str, *, alert: bool = False) -> Answer:
    """A single notice: a message for typed input, a toast (maybe an alert) for a press."""
    return Answer(toast=text, alert=alert)


async def _to_message(out: Responder, reply: Answer) -> None:
    if reply.also is not None:
        await out.send(reply.also, None)
    if reply.document is not None:
        await out.send_file("document", reply.document, reply.text, reply.markup)
    elif reply.photo is not None:
        await out.send_file("photo", reply.photo, reply.text, reply.markup)
    elif reply.text is not None:
        await out.send(reply.text, reply.markup)
    elif reply.toast is not None:
        await out.send(reply.toast, None)


async def _to_press(out: Responder, reply: Answer) -> None:
    if reply.also is not None:
        await out.send(reply.also, None)
    if reply.text is not None:
        edited = reply.edit and out.editable and await out.edit(reply.text, reply.markup)
        if not edited:
            await out.send(reply.text, reply.markup)
    toast = reply.toast[:TOAST_LIMIT] if reply.toast else None
    await out.close(toast, reply.alert and toast is not None, reply.url)
