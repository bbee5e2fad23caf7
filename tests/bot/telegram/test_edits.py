"""Nothing is ignored silently: edited messages and channel posts."""

from __future__ import annotations

import datetime as dt

from .conftest import BotApp
from .helpers import Citizen, answer_items, open_questionnaire, plain, stored, unit_id

EN = "en"


async def at_suggestion(citizen: Citizen) -> int:
    """Open wujin's questionnaire and answer every item; its unit id."""
    wujin = unit_id(citizen.app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    await answer_items(citizen, question, wujin, [0, 1, 2, 3, 4])
    return wujin


async def test_editing_a_refused_suggestion_takes_the_new_text(app: BotApp) -> None:
    citizen = Citizen(app, 8201, EN)
    wujin = await at_suggestion(citizen)
    [refusal, _] = await citizen.send("长" * 600, count=2)
    assert refusal.plain_text == plain(EN, "survey.too_long", limit=500, length=600)

    [review] = await citizen.edit(citizen.typed[-1], "Shorter, after all.")
    assert plain(EN, "survey.review_suggestion", text="Shorter, after all.") in review.plain_text
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.suggestion == "Shorter, after all."

    # The step has moved on (the review): a further edit is not read, and it is said.
    [told] = await citizen.edit(citizen.typed[-1], "Changed my mind")
    assert told.plain_text == plain(EN, "chat.edit_not_read")
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.suggestion == "Shorter, after all."


async def test_edits_of_older_messages_and_commands_are_not_read(app: BotApp) -> None:
    citizen = Citizen(app, 8202, EN)
    [picker] = await citizen.send("/survey")
    command = citizen.typed[-1]
    [found] = await citizen.send("Wujin")
    search = citizen.typed[-1]
    [again] = await citizen.edit(search, "Xinbei")  # the latest message, the picker's step
    assert plain(EN, "survey.filtered", query="Xinbei") in again.plain_text

    await citizen.send("Wujin")
    [told] = await citizen.edit(search, "Tianning")  # no longer the latest message
    assert told.plain_text == plain(EN, "chat.edit_not_read")
    [told] = await citizen.edit(command, "/help")
    assert told.plain_text == plain(EN, "chat.edit_not_read")
    assert picker.message_id != found.message_id


async def test_an_edit_after_a_restart_is_not_read(app: BotApp) -> None:
    citizen = Citizen(app, 8203, EN)
    wujin = await at_suggestion(citizen)
    await citizen.send("长" * 600, count=2)
    await app.restart()
    [told] = await citizen.edit(citizen.typed[-1], "Short")
    assert told.plain_text == plain(EN, "chat.edit_not_read")
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.suggestion is None


async def test_a_channel_post_is_ignored_without_error(app: BotApp) -> None:
    channel = {"id": -100_777, "type": "channel", "title": "评议公告"}
    now = int(dt.datetime.now(dt.UTC).timestamp())
    post = {"message_id": 1, "date": now, "chat": channel, "text": "/survey"}
    calls = len(app.api.calls)
    await app.front.feed({"update_id": 10_001, "channel_post": post})
    sent = [c.method for c in app.api.calls[calls:] if c.method not in ("getUpdates", "getMe")]
    assert sent == []  # and the app fixture checks that no error was logged
