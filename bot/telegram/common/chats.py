"""Where the bot talks: citizen flows run in private chats only.

In a group the bot is a stranger among people: a questionnaire, a complaint or
a typed answer there would show a person's business to everyone, and a
member's group message must never be taken as input to their private flow.
So the gate hands every update from a non-private chat here, except presses of
complaint-card buttons in the configured complaint-centre group
(COMPLAINT_CENTRE_CHAT_ID), which is where the centre works its cards.

* A command or a reply addressed to the bot in a group (`Incoming.addressed`, which
  the adapter works out) is answered with one message and a button that opens the
  private chat (t.me/<bot>?start=group).
* A button pressed in a group gets a toast saying the same, and opens the chat.
* Other group chatter (not addressed to the bot), service messages and channel
  posts are ignored on purpose: the bot does not speak unless spoken to.
* What the bot would answer counts against the person's flood limit (chatter it
  ignores does not); over the limit it is dropped in silence, so a burst of
  commands in a group gets no burst of answers.
"""

from __future__ import annotations

import logging

from bot.i18n import normalize_locale, t
from bot.telegram.common.callbacks import ComplaintAction
from bot.telegram.common.flood import FloodControl, Verdict
from bot.telegram.common.incoming import Incoming, answer
from bot.telegram.common.markup import Button, Keyboard
from bot.telegram.common.replies import Answer

log = logging.getLogger(__name__)

PRIVATE = "private"
START_PAYLOAD = "group"  # the /start parameter of the link back to the private chat


def outside_private(event: Incoming, centre_chat: int | None) -> bool:
    """True for an update from a group or channel that the gate must not pass on."""
    if event.chat_type is None or event.chat_type == PRIVATE:
        return False
    return not _centre_button(event, centre_chat)


def _centre_button(event: Incoming, centre_chat: int | None) -> bool:
    return (
        event.kind == "press"
        and centre_chat is not None
        and event.chat_id == centre_chat
        and (event.data or "").startswith(ComplaintAction.__prefix__ + ":")
    )


async def point_to_private(event: Incoming, flood: FloodControl) -> None:
    """Answer an update from a group (see the module's rules); never raises for chatter."""
    if event.kind == "press":
        link = await private_link(event)
        text = t(normalize_locale(event.language_code), "chat.private_only")
        within = event.user_id is None or flood.admit(event.user_id) is Verdict.ADMIT
        await answer(event, Answer(toast=text, url=link) if within else Answer())
    elif event.kind != "edited" and event.addressed:
        if event.user_id is not None and flood.admit(event.user_id) is not Verdict.ADMIT:
            return
        link = await private_link(event)
        locale = normalize_locale(event.language_code)
        await answer(event, Answer(t(locale, "chat.private_only"), _open(link, locale)))
    else:
        log.debug("update %s from a %s chat ignored", event.update_id, event.chat_type)


async def private_link(event: Incoming) -> str:
    """t.me/<bot username>?start=group."""
    return f"https://t.me/{await event.responder.bot_username()}?start={START_PAYLOAD}"


def _open(link: str, locale: str) -> Keyboard:
    button = Button(text=t(locale, "btn.open_private"), url=link)
    return Keyboard(inline_keyboard=[[button]])
