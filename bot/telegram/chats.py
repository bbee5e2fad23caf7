"""Where the bot talks: citizen flows run in private chats only.

In a group the bot is a stranger among people: a questionnaire, a complaint or
a typed answer there would show a person's business to everyone, and a
member's group message must never be taken as input to their private flow.
So the update gate hands every update from a non-private chat here, except
presses of complaint-card buttons in the configured complaint-centre group
(COMPLAINT_CENTRE_CHAT_ID), which is where the centre works its cards.

* A command or a reply addressed to the bot in a group is answered with one
  message and a button that opens the private chat (t.me/<bot>?start=group).
* A button pressed in a group gets a toast saying the same, and opens the chat.
* Other group chatter (not addressed to the bot), service messages and channel
  posts are ignored on purpose: the bot does not speak unless spoken to.
* What the bot would answer counts against the person's flood limit (chatter it
  ignores does not); over the limit it is dropped in silence, so a burst of
  commands in a group gets no burst of answers.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import (
    CallbackQuery,
    Chat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)

from bot.i18n import normalize_locale, t
from bot.telegram.callbacks import ComplaintAction
from bot.telegram.flood import FloodControl, Verdict
from bot.telegram.replies import Answer, answer

log = logging.getLogger(__name__)

PRIVATE = "private"
START_PAYLOAD = "group"  # the /start parameter of the link back to the private chat


def chat_of(update: Update) -> Chat | None:
    """The chat an update happened in (None for updates without one)."""
    query = update.callback_query
    if query is not None:
        return query.message.chat if query.message is not None else None
    for message in (
        update.message,
        update.edited_message,
        update.channel_post,
        update.edited_channel_post,
    ):
        if message is not None:
            return message.chat
    member = update.my_chat_member or update.chat_member
    return member.chat if member is not None else None


def outside_private(update: Update, centre_chat: int | None) -> bool:
    """Whether the update comes from a chat other than a private one and is not a
    complaint-card button pressed in the complaint-centre group."""
    chat = chat_of(update)
    if chat is None or chat.type == PRIVATE:
        return False
    return not _centre_button(update.callback_query, chat, centre_chat)


def _centre_button(query: CallbackQuery | None, chat: Chat, centre_chat: int | None) -> bool:
    prefix = ComplaintAction.__prefix__ + ":"
    return (
        query is not None
        and centre_chat is not None
        and chat.id == centre_chat
        and (query.data or "").startswith(prefix)
    )


async def point_to_private(update: Update, bot: Bot, flood: FloodControl) -> None:
    """Answer an update from a group (see the module's rules); never raises for chatter."""
    link = await private_link(bot)
    if update.callback_query is not None:
        query = update.callback_query
        text = t(normalize_locale(query.from_user.language_code), "chat.private_only")
        within = flood.admit(query.from_user.id) is Verdict.ADMIT
        await answer(query, Answer(toast=text, url=link) if within else Answer())
    elif update.message is not None and await _addressed(update.message, bot):
        sender = update.message.from_user
        if sender is not None and flood.admit(sender.id) is not Verdict.ADMIT:
            return
        locale = normalize_locale(sender.language_code if sender is not None else None)
        await answer(update.message, Answer(t(locale, "chat.private_only"), _open(link, locale)))
    else:
        log.debug("update %s from a %s chat ignored", update.update_id, _kind(update))


async def private_link(bot: Bot) -> str:
    """t.me/<bot username>?start=group (aiogram caches the bot's own profile)."""
    me = await bot.me()
    return f"https://t.me/{me.username}?start={START_PAYLOAD}"


def _open(link: str, locale: str) -> InlineKeyboardMarkup:
    button = InlineKeyboardButton(text=t(locale, "btn.open_private"), url=link)
    return InlineKeyboardMarkup(inline_keyboard=[[button]])


async def _addressed(message: Message, bot: Bot) -> bool:
    """A command (for this bot, or for every bot) or a reply to one of the bot's messages."""
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        if "@" not in command:
            return True
        me = await bot.me()
        return command.partition("@")[2].lower() == (me.username or "").lower()
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id


def _kind(update: Update) -> str:
    chat = chat_of(update)
    return chat.type if chat is not None else "unknown"
