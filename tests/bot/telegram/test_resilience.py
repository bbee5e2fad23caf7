"""What real chats do to a questionnaire: restarts, redeliveries, double taps,
old buttons, forged buttons and input the bot did not ask for."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from bot.localapi import ChatMessage
from storage.models import Answer, InboxUpdate, Submission

from .conftest import BotApp
from .helpers import (
    Citizen,
    answer_data,
    answer_items,
    count_rows,
    labels,
    level_name,
    levels_of,
    nav_data,
    open_questionnaire,
    plain,
    stored,
    unit_id,
    unit_name,
)

ZH = "zh-Hans"


def position_of(message: ChatMessage) -> str:
    """The "(k/5)" marker of a question message."""
    return next(p for p in (f"（{k}/5）" for k in range(1, 6)) if p in message.plain_text)


async def finish_from(
    citizen: Citizen, question: ChatMessage, unit: int, levels: list[int], first: int
) -> ChatMessage:
    """Answer the remaining items, skip the suggestion and submit; the thanks message."""
    prompt = await answer_items(citizen, question, unit, levels, first)
    [review] = await citizen.press(prompt, nav_data(unit, "skip"))
    [thanks] = await citizen.press(review, nav_data(unit, "submit"))
    return thanks


# -- a restart in the middle ------------------------------------------------------------


async def test_restart_then_survey_continues_at_item_3(app: BotApp) -> None:
    citizen = Citizen(app, 6001)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [0, 3])

    await app.restart()
    assert app.starts == 2
    [resumed] = await citizen.send("/survey")
    assert resumed.message_id != question.message_id
    assert resumed.plain_text.startswith(plain(ZH, "survey.resumed"))
    assert position_of(resumed) == "（3/5）"
    thanks = await finish_from(citizen, resumed, wujin, [1, 2, 4], first=2)
    assert thanks.plain_text == plain(ZH, "survey.thanks", unit="武进区安全生产监督管理局")

    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.status == "submitted"
    assert saved.answers == levels_of(0, 3, 1, 2, 4)


async def test_restart_then_the_old_message_still_works(app: BotApp) -> None:
    citizen = Citizen(app, 6002, "en")
    xinbei = unit_id(app.services, "xinbei-window")
    question = await open_questionnaire(citizen, "xinbei-window")
    question = await answer_items(citizen, question, xinbei, [4, 4])
    assert "(3/5)" in question.plain_text

    await app.restart()
    [item4] = await citizen.press(question, answer_data(xinbei, 2, 0))
    assert item4.message_id == question.message_id  # the same message moves on
    assert "(4/5)" in item4.plain_text
    assert citizen.toasts == []
    await finish_from(citizen, item4, xinbei, [1, 1], first=3)

    saved = await stored(app.services, citizen.id, xinbei)
    assert saved is not None and saved.status == "submitted"
    assert saved.answers == levels_of(4, 4, 0, 1, 1)
    assert await count_rows(app.services, Submission, respondent_id=citizen.id) == 1


# -- the same update twice ----------------------------------------------------------------


async def acknowledged(app: BotApp) -> None:
    """Wait until the bot has acknowledged every queued update (stored it in its inbox:
    the next getUpdates confirms only what is stored)."""
    await app.api.wait_until(lambda: app.api.updates.pending == 0, "every update acknowledged")


async def test_redelivered_answer_is_dropped_also_after_a_restart(app: BotApp) -> None:
    api, citizen = app.api, Citizen(app, 6101)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    edits = question.edit_count

    [item2] = await citizen.press(question, answer_data(wujin, 0, 0))
    first_tap = citizen.last_update_id
    assert item2.message_id == question.message_id and item2.edit_count == edits + 1
    # Back to item 1 and change it: a replay of the first tap would change it back.
    [item1] = await citizen.press(item2, nav_data(wujin, "back"))
    [item2] = await citizen.press(item1, answer_data(wujin, 0, 3))
    edits, sent, calls = item2.edit_count, api.delivered_count(citizen.id), len(api.calls)

    api.redeliver(first_tap)
    await acknowledged(app)
    assert app.updates.finished[first_tap] == 1  # stored once: the inbox ignored it
    assert (await app.services.inbox.depth()).pending == 0
    assert citizen.user.messages[-1].edit_count == edits  # not edited again
    assert api.delivered_count(citizen.id) == sent  # no second question message
    assert [c.method for c in api.calls[calls:] if c.method != "getUpdates"] == []
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.answers == {"lawful-duty": "dissatisfied"}
    assert saved.position == 1

    # After a restart the new dispatcher knows the handled ids from the database.
    await app.restart()
    calls = len(api.calls)
    api.redeliver(first_tap)
    await acknowledged(app)
    assert app.updates.finished[first_tap] == 1
    assert [c.method for c in api.calls[calls:] if c.method not in ("getUpdates",)] == []
    assert api.delivered_count(citizen.id) == sent
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.answers == {"lawful-duty": "dissatisfied"}
    assert await count_rows(app.services, Answer, respondent_id=citizen.id) == 1


# -- two taps before the bot answered -------------------------------------------------------


async def test_double_tap_records_one_answer(app: BotApp) -> None:
    citizen = Citizen(app, 6201)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    edits = question.edit_count

    tap = answer_data(wujin, 0, 1)
    first = await citizen.user.press(question, tap)
    second = await citizen.user.press(question, tap)  # the same button, same message
    queries = [app.api.updates.history()[u]["callback_query"]["id"] for u in (first, second)]
    await app.handled(first)
    await app.handled(second)
    assert all(app.api.queries[q].answered for q in queries)

    [message] = citizen.user.messages[-1:]
    assert message.message_id == question.message_id
    assert message.edit_count == edits + 1  # moved on once
    assert "（2/5）" in message.plain_text
    assert citizen.toasts == [plain(ZH, "survey.already_recorded")]
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None
    assert saved.answers == {"lawful-duty": "fairly_satisfied"} and saved.position == 1
    assert await count_rows(app.services, Answer, respondent_id=citizen.id) == 1


# -- buttons of older messages ------------------------------------------------------------


async def test_older_message_changes_its_own_item(app: BotApp) -> None:
    citizen = Citizen(app, 6301)
    wujin = unit_id(app.services, "wujin")
    old = await open_questionnaire(citizen, "wujin")
    old = await answer_items(citizen, old, wujin, [0, 0])  # the old message shows item 3
    [new] = await citizen.send("/survey")  # a second message, also on item 3
    [new] = await citizen.press(new, answer_data(wujin, 2, 0))
    assert "（4/5）" in new.plain_text

    # Item 3 on the old message: its own item changes, the position does not.
    assert await citizen.press(old, answer_data(wujin, 2, 3)) == []
    assert citizen.toasts == [plain(ZH, "survey.changed", item="政务公开", level=level_name(ZH, 3))]
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.position == 3
    assert saved.answers == {
        "lawful-duty": "very_satisfied",
        "fair-enforcement": "very_satisfied",
        "open-government": "dissatisfied",
    }
    # The same level again is "already recorded".
    assert await citizen.press(old, answer_data(wujin, 2, 3)) == []
    assert citizen.toasts[-1] == plain(ZH, "survey.already_recorded")

    # A future item's button is stale: go back on the new message to item 3,
    # then press item 4 on a message that still shows it.
    [extra] = await citizen.send("/survey")  # shows item 4
    [new] = await citizen.press(new, nav_data(wujin, "back"))
    [new] = await citizen.press(new, nav_data(wujin, "back"))
    assert "（2/5）" in new.plain_text
    await citizen.press(extra, answer_data(wujin, 3, 0))
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and "service" not in saved.answers
    # item 4 was never answered, so its button is stale
    assert citizen.toasts[-1] == plain(ZH, "common.stale")
    assert saved.position == 1

    # Once submitted, any old button of the unit says it was already rated.
    [new] = await citizen.press(new, answer_data(wujin, 1, 1))
    thanks = await finish_from(citizen, new, wujin, [3, 2, 2], first=2)
    assert thanks.plain_text.startswith("感谢")
    assert await citizen.press(old, answer_data(wujin, 2, 0)) == []
    already = plain(ZH, "survey.already_rated", unit="武进区安全生产监督管理局")
    assert citizen.toasts[-1] == already
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.status == "submitted"
    assert saved.answers == levels_of(0, 1, 3, 2, 2)


@pytest.mark.parametrize(
    "data",
    [
        "zz:what",  # no such prefix
        "sa:{unit}:questionnaire:0",  # too few parts
        "sa:x:questionnaire:0:0",  # not a number
        "sa:999999:questionnaire:0:0",  # no such unit
        "sa:{unit}:nope:0:0",  # no such component
        "sa:{unit}:questionnaire:9:0",  # no such item
        "sa:{unit}:questionnaire:-1:0",
        "sa:{unit}:questionnaire:0:7",  # no such level
        "sn:{unit}:questionnaire:explode:0",  # no such action
        "sn:{unit}:questionnaire:edit:99",
        "su:999999:questionnaire",
        "sp:nowhere:questionnaire:0",
        "sc:nowhere:nothing",
        "go:nowhere:nothing",
        "lg:fr",
    ],
)
async def test_forged_buttons_get_a_stale_toast(app: BotApp, data: str) -> None:
    citizen = Citizen(app, 6401)
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    before = await stored(app.services, citizen.id, wujin)
    forged = data.format(unit=wujin)
    query = app.api.new_callback_query(citizen.user.profile, question, forged)
    await app.handled(app.api.inject_raw_update({"callback_query": query}))
    assert app.api.queries[query["id"]].answered
    assert citizen.toasts == [plain(ZH, "common.stale")]
    assert citizen.user.messages[-1].edit_count == question.edit_count
    assert await stored(app.services, citizen.id, wujin) == before


async def test_a_polled_update_is_stored_as_the_bot_api_sent_it(app: BotApp) -> None:
    """The inbox keeps an update's JSON exactly as getUpdates returned it — field names,
    and fields the framework does not model — and the bot still handles it."""
    citizen = Citizen(app, 6551, "zh-hans")
    message = app.api.add_user_message(citizen.user.profile, kind="text", text="/help")
    sent = {"message": {**message.to_json(), "future_field": {"单位": [1, "二"]}}}
    update_id = app.api.inject_raw_update(sent)
    await app.handled(update_id)
    query = select(InboxUpdate.payload).where(InboxUpdate.update_id == update_id)
    async with app.services.db.unit_of_work() as uow:
        payload = (await uow.session.execute(query)).scalar_one()
    assert json.loads(payload) == {"update_id": update_id, **sent}
    assert citizen.user.messages[-1].from_bot  # /help was answered


# -- input the bot did not ask for --------------------------------------------------------


async def test_text_instead_of_a_button_reprompts(app: BotApp) -> None:
    citizen = Citizen(app, 6501, "zh-tw")
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [2])
    [hint, again] = await citizen.send("很滿意")
    assert hint.plain_text == plain("zh-Hant", "survey.use_buttons")
    assert again.plain_text == question.plain_text
    assert labels(again) == labels(question)
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.answers == {"lawful-duty": "basically_satisfied"}
    [question] = await citizen.press(again, answer_data(wujin, 1, 0))
    assert "（3/5）" in question.plain_text


async def test_photo_mid_questionnaire_reprompts_and_loses_nothing(app: BotApp) -> None:
    citizen = Citizen(app, 6601)
    wujin = unit_id(app.services, "wujin")
    [unknown] = await citizen.send_photo()  # not in a questionnaire
    assert unknown.plain_text == plain(ZH, "common.unknown")

    question = await open_questionnaire(citizen, "wujin")
    question = await answer_items(citizen, question, wujin, [1, 2])
    [hint, again] = await citizen.send_photo(count=2)
    assert hint.plain_text == plain(ZH, "survey.use_buttons")
    assert again.plain_text == question.plain_text  # the same question, no "welcome back"
    assert labels(again) == labels(question)
    await finish_from(citizen, again, wujin, [3, 4, 0], first=2)
    saved = await stored(app.services, citizen.id, wujin)
    assert saved is not None and saved.status == "submitted"
    assert saved.answers == levels_of(1, 2, 3, 4, 0)


async def test_too_long_suggestion_is_refused_then_a_shorter_one_taken(app: BotApp) -> None:
    services = app.services
    limit = services.registry.campaigns["changzhou-2011-safety"].questionnaire.suggestion
    assert limit is not None and limit.max_length == 500
    citizen = Citizen(app, 6701, "en")
    wujin = unit_id(services, "wujin")
    question = await open_questionnaire(citizen, "wujin")
    prompt = await answer_items(citizen, question, wujin, [0, 1, 2, 3, 4])

    long_text = "长" * 501
    [refusal, again] = await citizen.send(long_text, count=2)
    assert refusal.plain_text == plain("en", "survey.too_long", limit=500, length=501)
    assert "500" in refusal.plain_text and "501" in refusal.plain_text
    assert again.plain_text == prompt.plain_text  # the suggestion prompt again
    saved = await stored(services, citizen.id, wujin)
    assert saved is not None and saved.status == "draft" and saved.suggestion is None
    assert saved.answers == levels_of(0, 1, 2, 3, 4)
    assert saved.position == 5  # still on the suggestion

    [review] = await citizen.send("长" * 500)
    assert review.plain_text.startswith(
        plain(
            "en",
            "survey.review",
            unit=unit_name(services, "wujin", "en"),
            component="Questionnaire survey",
        )
    )
    saved = await stored(services, citizen.id, wujin)
    assert saved is not None and saved.suggestion == "长" * 500
    [thanks] = await citizen.press(review, nav_data(wujin, "submit"))
    assert thanks.plain_text.startswith("Thank you")
