"""The one way the adapter answers a person: the only module that decides between a
new message, an edit of the pressed message and a toast.

Routers render what the engine returned (text and keyboard, see render.py) into an
`Answer` and call `answer(event, ...)`; `tell(event, text)` is the short form for a
single notice.  The rules, in one place:

* typed input (a Message) gets new messages: `also` first, then the screen (`text`),
  or the `toast` as a message when there is no screen;
* a button press (a CallbackQuery) edits the pressed message when `edit` is set and
  the message can still be edited, else sends the screen anew; `also` goes first as
  a new message; the spinner is always closed, with the toast (cut to Telegram's 200
  characters) if any (a press Telegram calls too old — answered already by a worker
  that died, or long ago — is not an error).  An edit that changes nothing is not an error;
* a file (`document` or `photo`) always goes as a new message, `text` its caption.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    InputFile,
    Message,
)

TOAST_LIMIT = 200  # characters Telegram shows in a callback answer
QUERY_GONE = "query is too old"  # Bot API: a press answered already, or too long ago


@dataclass(frozen=True)
class Answer:
    """What to show in answer to one update, already rendered (Telegram HTML)."""

    text: str | None = None  # the screen; None: no screen
    markup: InlineKeyboardMarkup | None = None
    toast: str | None = None  # a press's toast (for typed input: sent if there is no screen)
    also: str | None = None  # a notice sent before the screen, as a new message
    edit: bool = True  # a press: replace the pressed message rather than send anew
    alert: bool = False  # a press: show the toast as an alert the person must close
    url: str | None = None  # a press: a t.me/<bot>?start=… link the client opens
    document: InputFile | None = None  # a file to send, `text` its caption
    photo: InputFile | None = None  # a picture to send, `text` its caption


async def answer(event: Message | CallbackQuery, reply: Answer) -> None:
    """Answer typed input or a button press (see the module's rules)."""
    if isinstance(event, CallbackQuery):
        await _to_press(event, reply)
    else:
        await _to_message(event, reply)


async def tell(event: Message | CallbackQuery, text: str, *, alert: bool = False) -> None:
    """A single notice: a message in answer to typed input, a toast to a press."""
    if isinstance(event, CallbackQuery):
        await answer(event, Answer(toast=text, alert=alert))
    else:
        await answer(event, Answer(text=text))


async def _to_message(message: Message, reply: Answer) -> None:
    if reply.also is not None:
        await message.answer(reply.also)
    if reply.document is not None:
        await message.answer_document(reply.document, caption=reply.text, reply_markup=reply.markup)
    elif reply.photo is not None:
        await message.answer_photo(reply.photo, caption=reply.text, reply_markup=reply.markup)
    elif reply.text is not None:
        await message.answer(reply.text, reply_markup=reply.markup)
    elif reply.toast is not None:
        await message.answer(reply.toast)


async def _to_press(query: CallbackQuery, reply: Answer) -> None:
    message = query.message  # an InaccessibleMessage when too old to edit
    if reply.also is not None:
        await _send(query, message, reply.also, None)
    if reply.text is not None:
        if reply.edit and isinstance(message, Message) and _editable(message):
            await _edit(query, message, reply.text, reply.markup)
        else:
            await _send(query, message, reply.text, reply.markup)
    toast = reply.toast[:TOAST_LIMIT] if reply.toast else None
    try:
        await query.answer(
            toast, show_alert=(reply.alert and toast is not None) or None, url=reply.url
        )
    except TelegramBadRequest as error:
        # Telegram takes one answer per press, within about 15 s.  An update handled
        # again (its first worker died after answering) or handled late (a backlog)
        # gets "query is too old": the screen was sent, only the spinner is moot, so
        # the update is not failed for it (failing it would retry it, then park it).
        if QUERY_GONE not in error.message:
            raise


def _editable(message: Message) -> bool:
    """True if a pressed message can become the new screen: only a text message can (a
    press on a photo or file — stale or forged data — gets the screen anew)."""
    return message.text is not None


async def _edit(
    query: CallbackQuery, message: Message, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Replace the pressed message; one that cannot be edited any more (too old, say)
    gets the screen as a new message, so the press is never left without it."""
    try:
        await message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "message is not modified" not in error.message:
            await _send(query, message, text, markup)


async def _send(
    query: CallbackQuery,
    message: Message | InaccessibleMessage | None,
    text: str,
    markup: InlineKeyboardMarkup | None,
) -> None:
    """A new message in the chat of the pressed button (or the person's own chat)."""
    if isinstance(message, Message):
        await message.answer(text, reply_markup=markup)
    elif message is not None and query.bot is not None:  # too old to edit, chat still known
        await query.bot.send_message(message.chat.id, text, reply_markup=markup)
    elif query.bot is not None:
        await query.bot.send_message(query.from_user.id, text, reply_markup=markup)
