"""Simulated users: what they may press, what they see, and waiting for the bot."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.localapi import ButtonNotFoundError, LocalBotAPI


def buttons(*labels: str) -> InlineKeyboardMarkup:
    """A row of buttons whose callback_data is `cb:<label>`."""
    row = [InlineKeyboardButton(text=label, callback_data=f"cb:{label}") for label in labels]
    return InlineKeyboardMarkup(inline_keyboard=[row])


async def test_wait_for_sees_sends_and_edits_after_the_last_action(
    api: LocalBotAPI, bot: Bot
) -> None:
    user = api.user(3001)
    old = await bot.send_message(3001, "旧消息")
    await user.send_text("hi")

    async def reply_later() -> None:
        await asyncio.sleep(0.05)  # the bot answers a little later: a delay, not a wait
        await bot.send_message(3001, "第一条")
        await bot.edit_message_text("旧消息（改）", chat_id=3001, message_id=old.message_id)

    task = asyncio.create_task(reply_later())
    edited = await user.wait_for(lambda m: "改" in m.plain_text, timeout=3)
    await task
    assert edited.message_id == old.message_id and edited.edit_count == 1
    with pytest.raises(TimeoutError, match="nothing new"):
        await user.wait_for(timeout=0.1)  # both changes are already consumed


async def test_press_text_uses_the_newest_message_with_that_label(
    api: LocalBotAPI, bot: Bot
) -> None:
    user = api.user(3002)
    await bot.send_message(3002, "一", reply_markup=buttons("确定"))
    second = await bot.send_message(3002, "二", reply_markup=buttons("确定", "取消"))
    update_id = await user.press_text("确定")
    query = api.updates.history()[update_id]["callback_query"]
    assert query["message"]["message_id"] == second.message_id and query["data"] == "cb:确定"
    await bot.delete_message(3002, second.message_id)
    with pytest.raises(ButtonNotFoundError, match="deleted"):
        await user.press(second, "cb:确定")


async def test_pressing_after_the_keyboard_was_edited_away(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(3003)
    sent = await bot.send_message(3003, "选", reply_markup=buttons("a"))
    await bot.edit_message_reply_markup(chat_id=3003, message_id=sent.message_id,
                                        reply_markup=buttons("b"))  # fmt: skip
    with pytest.raises(ButtonNotFoundError, match="cb:a"):
        await user.press(sent, "cb:a")
    await user.press(sent, "cb:b")


async def test_keyboard_validation(api: LocalBotAPI, bot: Bot) -> None:
    api.user(3004)
    bad_url = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="x", url="javascript:alert(1)")]]
    )
    with pytest.raises(TelegramBadRequest, match="BUTTON_URL_INVALID"):
        await bot.send_message(3004, "x", reply_markup=bad_url)
    no_action = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="x")]])
    with pytest.raises(TelegramBadRequest, match="Text buttons are unallowed"):
        await bot.send_message(3004, "x", reply_markup=no_action)


async def test_caption_edit_and_media_rules(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(3005)
    await user.send_photo(caption="看")
    photo_id = api.updates.history()[1]["message"]["photo"][-1]["file_id"]
    sent = await bot.send_photo(3005, photo_id, caption="原")
    with pytest.raises(TelegramBadRequest, match="there is no text in the message to edit"):
        await bot.edit_message_text("x", chat_id=3005, message_id=sent.message_id)
    await bot.edit_message_caption(chat_id=3005, message_id=sent.message_id, caption="新")
    assert user.last_message is not None and user.last_message.plain_text == "新"
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(3005, "not-a-file-id")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=3005, message_id=1)  # the user's photo
