"""A local Telegram Bot API server, in-process, for `pingyi demo`, end-to-end tests and benchmarks.

It speaks Telegram's wire protocol over real HTTP on 127.0.0.1, so the bot runs
its real aiogram stack against it, and it validates like Telegram (HTML, lengths,
callback_data, "message is not modified", ...). Simulated users drive the bot
and see their chat as a person would. It imports nothing from the rest of `bot`
and not aiogram either, so it checks aiogram from the outside.

    async with LocalBotAPI() as api:
        bot = Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base_url)))
        user = api.user(1001, first_name="小明")
        await user.send_text("/start")
        reply = await user.wait_for()
"""

from bot.localapi import methods  # noqa: F401  (fills the method registry)
from bot.localapi.errors import ApiError
from bot.localapi.faults import Faults
from bot.localapi.files import StoredFile, UploadedPart
from bot.localapi.html import HTMLParseError, ParsedText, parse_html, utf16_len
from bot.localapi.models import ApiCall, CallbackAnswer, ChatMessage, ChatState, PendingQuery
from bot.localapi.registry import method_names
from bot.localapi.server import LocalBotAPI
from bot.localapi.state import DEFAULT_TOKEN, BotState
from bot.localapi.users import TINY_PNG, ButtonNotFoundError, SimUser

__all__ = [
    "DEFAULT_TOKEN",
    "TINY_PNG",
    "ApiCall",
    "ApiError",
    "BotState",
    "ButtonNotFoundError",
    "CallbackAnswer",
    "ChatMessage",
    "ChatState",
    "Faults",
    "HTMLParseError",
    "LocalBotAPI",
    "ParsedText",
    "PendingQuery",
    "SimUser",
    "StoredFile",
    "UploadedPart",
    "method_names",
    "parse_html",
    "utf16_len",
]
