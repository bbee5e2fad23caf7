"""Group chats: citizen flows are refused there with a button to the private chat, a
member's group message never feeds their private flow, and only the complaint-centre
group keeps its cards' buttons."""

from __future__ import annotations

from bot.complaints.service import Centre
from bot.localapi import ChatMessage
from bot.telegram.common.flood import FloodControl
from storage.models import Respondent
from tests.bot.complaints.test_lifecycle import file_complaint

from .conftest import BotApp
from .helpers import (
    Citizen,
    answer_data,
    answer_items,
    count_rows,
    open_questionnaire,
    plain,
    stored,
    unit_id,
)

ZH = "zh-Hans"
GROUP = -100_555
LINK = "https://t.me/pingyi_bot?start=group"


async def say_in_group(
    app: BotApp, member: Citizen, text: str, chat: int = GROUP
) -> list[ChatMessage]:
    """`member` types `text` in group `chat`; the bot's new messages there once handled."""
    before = {m.message_id for m in app.api.sent_to(chat)}
    await app.handled(await member.user.send_text(text, chat=chat))
    return [m for m in app.api.sent_to(chat) if m.message_id not in before]


async def test_citizen_commands_in_a_group_point_to_the_private_chat(app: BotApp) -> None:
    member = Citizen(app, 8001)
    app.api.group(GROUP, "街坊群", member.user)
    for command in ("/survey", "/complain", "/start", "/survey@pingyi_bot", "/help"):
        [refusal] = await say_in_group(app, member, command)
        assert refusal.plain_text == plain(ZH, "chat.private_only"), command
        assert refusal.urls() == [LINK]
        assert refusal.callback_data() == []
    # Chatter, and commands for another bot, are not the bot's business.
    assert await say_in_group(app, member, "大家好") == []
    assert await say_in_group(app, member, "/survey@other_bot") == []
    assert member.user.messages == []  # nothing in the private chat either
    # Nothing about the member was stored: they never spoke to the bot in private.
    assert await count_rows(app.services, Respondent, id=member.id) == 0

    # The link's /start in the private chat is an ordinary start.
    [greeting] = await member.send("/start group")
    assert greeting.plain_text.startswith(plain(ZH, "start.greeting", name="小明"))


async def test_a_group_message_is_never_input_to_the_private_flow(app: BotApp) -> None:
    member = Citizen(app, 8002)
    supergroup = app.api.group(GROUP, "街坊群", member.user, supergroup=True)
    assert supergroup.chat_json()["type"] == "supergroup"
    wujin = unit_id(app.services, "wujin")
    question = await open_questionnaire(member, "wujin")
    await answer_items(member, question, wujin, [0, 1, 2, 3, 4])  # now at the suggestion

    assert await say_in_group(app, member, "群里说的话不是意见") == []
    [refusal] = await say_in_group(app, member, "/survey")
    # A reply to the bot in the group is refused too, and is not the suggestion either.
    reply = app.api.add_user_message(
        member.user.profile, kind="text", text="这也不是意见", chat_id=GROUP
    )
    payload = {**reply.to_json(), "reply_to_message": refusal.to_json()}
    await app.handled(app.api.push_update("message", payload))
    assert app.api.sent_to(GROUP)[-1].plain_text == plain(ZH, "chat.private_only")
    saved = await stored(app.services, member.id, wujin)
    assert saved is not None and saved.suggestion is None and saved.position == 5

    # A questionnaire button pressed in the group (forged onto the bot's message) is refused.
    query = app.api.new_callback_query(member.user.profile, refusal, answer_data(wujin, 0, 3))
    await app.handled(app.api.push_update("callback_query", query))
    [answer] = [a for a in app.api.answers if a.query_id == query["id"]]
    assert answer.text == plain(ZH, "chat.private_only")[:200] and answer.url == LINK
    saved = await stored(app.services, member.id, wujin)
    assert saved is not None and saved.answers["lawful-duty"] == "very_satisfied"


async def test_the_complaint_centre_group_keeps_its_card_buttons(app: BotApp) -> None:
    centre_group = -100_900
    member, complainant = Citizen(app, 8101, first_name="中心"), Citizen(app, 8102)
    app.api.group(centre_group, "效能投诉中心", member.user)
    app.services.complaints.centre = Centre(frozenset(), centre_group)
    [picker] = await complainant.send("/complain")
    assert picker.callback_data()  # the draft's unit picker: a private flow, as usual

    # A complaint without a unit goes to the centre: its card's buttons work in the group.
    await complainant.send("/cancel")
    await file_complaint(complainant, None, "办事拖拉，材料交了一个月没消息。")
    [card] = [m for m in app.api.sent_to(centre_group) if m.callback_data()]
    query = app.api.new_callback_query(member.user.profile, card, card.callback_data()[0])
    await app.handled(app.api.push_update("callback_query", query))
    [answer] = [a for a in app.api.answers if a.query_id == query["id"]]
    assert answer.text != plain(ZH, "chat.private_only")[:200] and answer.url is None
    # Typing in the centre group is still not anyone's private input.
    assert await say_in_group(app, member, "收到", chat=centre_group) == []
    [refusal] = await say_in_group(app, member, "/survey", chat=centre_group)
    assert refusal.urls() == [LINK]


async def test_a_burst_of_commands_in_a_group_gets_no_burst_of_answers(app: BotApp) -> None:
    app.gate.flood = FloodControl()  # the real limit (the harness relaxes it)
    member = Citizen(app, 8401)
    app.api.group(GROUP, "街坊群", member.user)
    for _ in range(20):
        await member.user.send_text("你好", chat=GROUP)  # chatter costs nothing
    sent = [await member.user.send_text("/survey", chat=GROUP) for _ in range(30)]
    for update_id in sent:
        await app.handled(update_id)
    refusals = [m for m in app.api.sent_to(GROUP) if m.urls() == [LINK]]
    assert len(refusals) == 5  # the burst; the rest dropped in silence
    assert [m.plain_text for m in app.api.sent_to(GROUP)] == [m.plain_text for m in refusals]
