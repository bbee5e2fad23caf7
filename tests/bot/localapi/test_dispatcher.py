"""A real aiogram Dispatcher polling the local Bot API, driven by simulated users."""

from __future__ import annotations

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.filters import CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update

from bot.localapi import LocalBotAPI

from .conftest import polling

MENU = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="满意", callback_data="vote:5")]]
)


def make_dispatcher(seen: list[int]) -> Dispatcher:
    """/start shows a menu; pressing it edits the message and answers with a toast."""
    dp = Dispatcher()

    @dp.message(CommandStart())
    async def start(message: Message, event_update: Update) -> None:
        seen.append(event_update.update_id)
        await message.answer("<b>欢迎</b>参加评议", parse_mode="HTML", reply_markup=MENU)

    @dp.callback_query(F.data.startswith("vote:"))
    async def vote(query: CallbackQuery) -> None:
        assert isinstance(query.message, Message)
        await query.message.edit_text("已收到：满意")
        await query.answer("谢谢")

    return dp


async def test_start_end_to_end(api: LocalBotAPI, bot: Bot) -> None:
    seen: list[int] = []
    user = api.user(2001, first_name="市民")
    async with polling(make_dispatcher(seen), bot, api):
        await user.send_text("/start")
        welcome = await user.wait_for()
        assert welcome.plain_text == "欢迎参加评议" and welcome.text == "<b>欢迎</b>参加评议"
        assert user.buttons(welcome) == [[("满意", "vote:5")]]

        await user.press_text("满意")
        edited = await user.wait_for()
        assert edited.message_id == welcome.message_id and edited.plain_text == "已收到：满意"
        await api.wait_until(lambda: user.toasts != [], "the press answered")
        assert user.toasts == ["谢谢"]
        assert api.unanswered_queries() == []
        assert user.buttons() == []  # the edit dropped the keyboard


async def test_redelivery_reaches_the_handler_twice(api: LocalBotAPI, bot: Bot) -> None:
    seen: list[int] = []
    user = api.user(2002)
    async with polling(make_dispatcher(seen), bot, api):
        update_id = await user.send_text("/start")
        await user.wait_for()
        api.redeliver(update_id)
        await user.wait_for()
    assert seen == [update_id, update_id]
    assert api.delivered_count(2002) == 2


async def test_updates_without_handler_are_filtered(api: LocalBotAPI, bot: Bot) -> None:
    dp = Dispatcher()

    @dp.message()
    async def echo(message: Message) -> None:
        await message.answer("带按钮", reply_markup=MENU)

    user = api.user(2003)
    async with polling(dp, bot, api):
        await user.send_text("hi")
        await user.wait_for()
        await user.press_text("满意")  # no callback_query handler: allowed_updates drops it
        with pytest.raises(TimeoutError, match="dropped by allowed_updates"):
            await user.wait_for(timeout=0.3)
    assert [u.get("callback_query", {}).get("data") for u in api.updates.filtered] == ["vote:5"]


async def test_wait_idle_times_out_without_a_poller(api: LocalBotAPI) -> None:
    await api.user(2004).send_text("nobody listens")
    with pytest.raises(TimeoutError, match="1 update"):
        await api.wait_idle(timeout=0.2)
