"""The real aiogram client stack against the local Bot API, over real HTTP."""

from __future__ import annotations

import io

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    ReplyParameters,
)

from bot.localapi import ButtonNotFoundError, LocalBotAPI

USER_ID = 1001


def keyboard(*data: str) -> InlineKeyboardMarkup:
    """One button per callback_data, labelled with it."""
    buttons = [[InlineKeyboardButton(text=f"按钮{d}", callback_data=d)] for d in data]
    return InlineKeyboardMarkup(inline_keyboard=buttons)


async def test_get_me(api: LocalBotAPI, bot: Bot) -> None:
    me = await bot.get_me()
    assert (me.id, me.username, me.is_bot) == (123456, "pingyi_bot", True)
    assert api.calls[-1].method == "getMe" and api.calls[-1].ok


async def test_send_and_edit_as_the_user_sees_it(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID, first_name="小明")
    sent = await bot.send_message(
        USER_ID, "<b>你好</b>，欢迎", parse_mode="HTML", reply_markup=keyboard("a", "b")
    )
    assert sent.message_id == 1
    assert sent.from_user is not None and sent.from_user.is_bot and sent.from_user.id == 123456
    assert sent.text == "你好，欢迎" and sent.entities is not None
    seen = user.last_message
    assert seen is not None
    assert (seen.text, seen.plain_text) == ("<b>你好</b>，欢迎", "你好，欢迎")
    assert user.buttons(seen) == [[("按钮a", "a")], [("按钮b", "b")]]

    edited = await bot.edit_message_text("改好了", chat_id=USER_ID, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.edit_date is not None
    assert [m.plain_text for m in user.messages] == ["改好了"]
    assert user.messages[0].reply_markup is None  # not passed again: Telegram removes it

    second = await bot.send_message(USER_ID, "第二条")
    assert second.message_id == 2 and isinstance(second.date.timestamp(), float)


async def test_edit_refusals(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    sent = await bot.send_message(USER_ID, "同样", reply_markup=keyboard("x"))
    with pytest.raises(TelegramBadRequest) as same:
        await bot.edit_message_text(
            "同样", chat_id=USER_ID, message_id=sent.message_id, reply_markup=keyboard("x")
        )
    assert same.value.message.startswith("Bad Request: message is not modified: specified new")
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=USER_ID, message_id=99)
    await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(chat_id=USER_ID, message_id=sent.message_id)


async def test_html_unsupported_tag(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "Hello <foo>x</foo>", parse_mode="HTML")
    assert error.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 6'
    )
    assert api.sent_to(USER_ID) == []


async def test_html_unclosed_and_bare_less_than(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    with pytest.raises(TelegramBadRequest) as unclosed:
        await bot.send_message(USER_ID, "<b>粗体", parse_mode="HTML")
    assert unclosed.value.message == (
        "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
    )
    with pytest.raises(TelegramBadRequest, match='Unsupported start tag "" at byte offset 2'):
        await bot.send_message(USER_ID, "1 < 2", parse_mode="HTML")
    ok = await bot.send_message(USER_ID, "1 &lt; 2", parse_mode="HTML")
    assert ok.text == "1 < 2"


async def test_text_too_long_counts_after_parsing_in_utf16(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "a" * 4097)
    assert error.value.message == "Bad Request: message is too long"
    await bot.send_message(USER_ID, "<b>" + "a" * 4096 + "</b>", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(USER_ID, "😀" * 2049)  # 2049 characters, 4098 UTF-16 units
    with pytest.raises(TelegramBadRequest, match="message text is empty"):
        await bot.send_message(USER_ID, "<b> </b>", parse_mode="HTML")


async def test_callback_data_limit_is_64_bytes(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    with pytest.raises(TelegramBadRequest) as error:
        await bot.send_message(USER_ID, "x", reply_markup=keyboard("a" * 65))
    assert error.value.message == "Bad Request: BUTTON_DATA_INVALID"
    await bot.send_message(USER_ID, "x", reply_markup=keyboard("a" * 64))
    chinese = "评" * 21  # 63 bytes of UTF-8
    await bot.send_message(USER_ID, "y", reply_markup=keyboard(chinese))
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(USER_ID, "z", reply_markup=keyboard("评" * 22))  # 66 bytes


async def test_pressing_a_button_that_is_not_there_raises(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    other = api.user(USER_ID + 1)
    sent = await bot.send_message(USER_ID, "选一个", reply_markup=keyboard("yes"))
    with pytest.raises(ButtonNotFoundError, match="'no'"):
        await user.press(sent.message_id, "no")
    with pytest.raises(ButtonNotFoundError):
        await other.press(sent.message_id, "yes")  # not their chat
    with pytest.raises(ButtonNotFoundError):
        await user.press_text("不存在")
    assert api.pending_updates == 0


async def test_press_reaches_get_updates(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    sent = await bot.send_message(USER_ID, "选一个", reply_markup=keyboard("yes"))
    update_id = await user.press(sent, "yes")
    updates = await bot.get_updates(timeout=1)
    assert [u.update_id for u in updates] == [update_id]
    query = updates[0].callback_query
    assert query is not None and query.data == "yes" and query.from_user.id == USER_ID
    assert await bot.answer_callback_query(query.id, text="已记录")
    assert user.toasts == ["已记录"]
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)


async def test_redelivered_update_keeps_its_id(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    update_id = await user.send_text("/start")
    first = await bot.get_updates(timeout=1)
    assert [u.update_id for u in first] == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []
    api.redeliver(update_id)
    again = await bot.get_updates(offset=update_id + 1, timeout=1)
    assert [u.update_id for u in again] == [update_id]
    assert again[0].message is not None and again[0].message.text == "/start"
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == []


async def test_rate_limit_surfaces_as_retry_after(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    api.faults.rate_limit(2, retry_after=3)
    await bot.send_message(USER_ID, "1")
    await bot.send_message(USER_ID, "2")
    with pytest.raises(TelegramRetryAfter) as error:
        await bot.send_message(USER_ID, "3")
    assert error.value.retry_after == 3
    assert "Original description: Too Many Requests: retry after 3" in error.value.message
    assert api.faults.rate_limited == 1
    assert api.delivered_count(USER_ID) == 2


async def test_blocked_user_is_forbidden(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    api.faults.block(USER_ID)
    with pytest.raises(TelegramForbiddenError) as error:
        await bot.send_message(USER_ID, "还在吗")
    assert error.value.message == "Forbidden: bot was blocked by the user"
    assert api.faults.forbidden == 1 and api.delivered_count(USER_ID) == 0


async def test_injected_server_errors(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    api.faults.fail_next(1, status=502)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER_ID, "x")
    await bot.send_message(USER_ID, "x")
    api.faults.fail_chat(USER_ID, 500, times=1)
    with pytest.raises(TelegramServerError):
        await bot.send_chat_action(USER_ID, "typing")
    assert await bot.send_chat_action(USER_ID, "typing")
    assert api.faults.server_errors == 2 and api.chats[USER_ID].actions == ["typing"]


async def test_user_upload_downloaded_by_bot(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    content = "评议材料".encode() * 1000
    await user.send_document("材料.pdf", content, "application/pdf", caption="附件")
    [update] = await bot.get_updates(timeout=1)
    assert update.message is not None and update.message.document is not None
    document = update.message.document
    assert (document.file_name, document.mime_type) == ("材料.pdf", "application/pdf")
    downloaded = await bot.download(document.file_id)
    assert isinstance(downloaded, io.BytesIO) and downloaded.getvalue() == content

    await user.send_photo(caption="照片")
    [photo_update] = await bot.get_updates(offset=update.update_id + 1, timeout=1)
    assert photo_update.message is not None and photo_update.message.photo
    photo = await bot.download(photo_update.message.photo[-1].file_id)
    assert photo is not None and photo.read().startswith(b"\x89PNG")


async def test_bot_upload_is_kept(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    upload = BufferedInputFile(b"a,b\n1,2\n", filename="result.csv")
    sent = await bot.send_document(USER_ID, upload, caption="<i>结果</i>", parse_mode="HTML")
    assert sent.document is not None and sent.document.file_name == "result.csv"
    assert sent.caption == "结果"
    assert user.last_message is not None and user.last_message.kind == "document"
    again = await bot.download(sent.document.file_id)
    assert again is not None and again.read() == b"a,b\n1,2\n"
    photo = await bot.send_photo(USER_ID, BufferedInputFile(b"\x89PNG...", filename="p.png"))
    assert photo.photo and photo.message_id == 2
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER_ID, sent.document.file_id, caption="长" * 1025)


async def test_commands_per_scope_and_language(api: LocalBotAPI, bot: Bot) -> None:
    default = [BotCommand(command="start", description="开始")]
    mine = [BotCommand(command="admin", description="管理")]
    assert await bot.set_my_commands(default)
    assert await bot.set_my_commands(mine, scope=BotCommandScopeChat(chat_id=7))
    assert await bot.set_my_commands(default, language_code="en")
    assert api.my_commands() == [{"command": "start", "description": "开始"}]
    assert api.my_commands({"type": "chat", "chat_id": 7})[0]["command"] == "admin"
    got = await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=7))
    assert [c.command for c in got] == ["admin"]
    assert await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id=7))
    assert await bot.get_my_commands(scope=BotCommandScopeChat(chat_id=7)) == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


async def test_reply_keyboard_and_chat_info(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID, first_name="小红", username="xiaohong")
    markup = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="是")]], resize_keyboard=True)
    sent = await bot.send_message(USER_ID, "回答", reply_markup=markup)
    assert sent.reply_markup is None  # only inline keyboards live on a message
    assert user.reply_keyboard is not None
    await bot.send_message(USER_ID, "好", reply_markup=ReplyKeyboardRemove())
    assert user.reply_keyboard is None
    chat = await bot.get_chat(USER_ID)
    assert (chat.type, chat.first_name, chat.username) == ("private", "小红", "xiaohong")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(424242, "nobody")


async def test_delete_message(api: LocalBotAPI, bot: Bot) -> None:
    user = api.user(USER_ID)
    sent = await bot.send_message(USER_ID, "将删除")
    assert await bot.delete_message(USER_ID, sent.message_id)
    assert user.messages == []
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(USER_ID, sent.message_id)


async def test_reply_to_a_missing_message(api: LocalBotAPI, bot: Bot) -> None:
    api.user(USER_ID)
    first = await bot.send_message(USER_ID, "原文")
    await bot.send_message(USER_ID, "回复", reply_parameters=ReplyParameters(message_id=1))
    await bot.delete_message(USER_ID, first.message_id)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_message(USER_ID, "回复", reply_parameters=ReplyParameters(message_id=1))
