"""The Bot API methods the local server implements, one function each.

Each handler takes the state and the decoded call, returns the `result` and
raises ApiError for anything Telegram would refuse. Checks run in the order
Telegram's appear to (chat, then content, then keyboard), so a call with
several mistakes gets the same error as from the real server.
"""

from __future__ import annotations

import re
from typing import Any

from bot.localapi.errors import ApiError, bad_request
from bot.localapi.html import ParsedText, utf16_len
from bot.localapi.inspection import commands_key
from bot.localapi.models import CallbackAnswer, ChatMessage, ChatState, JsonDict
from bot.localapi.registry import Call, method
from bot.localapi.state import BotState
from bot.localapi.validate import (
    format_text,
    get_int,
    get_str,
    parse_markup,
    require,
)
from bot.localapi.webhook import WebhookDelivery

MAX_CALLBACK_ANSWER = 200
_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
MAX_COMMANDS = 100
_CHAT_ACTIONS = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip
_DEFAULT_PHOTO_SIZE = (800, 600)  # images are not decoded, so every photo gets this size
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_QUERY_INVALID = "query is too old and response timeout expired or query ID is invalid"


# -- bot and updates -------------------------------------------------------------------


@method("getMe")
async def get_me(state: BotState, call: Call) -> JsonDict:
    """The bot's own User object."""
    return {
        **state.bot_user.user_json(),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


@method("getUpdates")
async def get_updates(state: BotState, call: Call) -> list[JsonDict]:
    """Long polling: confirm by offset, then wait up to `timeout` s for updates."""
    params = call.params
    if state.webhook is not None:
        raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
    allowed = params.get("allowed_updates")
    if allowed is not None and not isinstance(allowed, list):
        raise bad_request("can't parse allowed updates")
    limit = get_int(params, "limit", 100) or 100
    return await state.updates.fetch(
        offset=get_int(params, "offset"),
        limit=min(max(limit, 1), 100),
        timeout=max(get_int(params, "timeout", 0) or 0, 0),
        allowed=allowed,
        alive=call.alive,
    )


@method("setWebhook")
async def set_webhook(state: BotState, call: Call) -> bool:
    """Deliver updates by POSTing them to `url` from now on (bot/localapi/webhook.py)."""
    url = get_str(call.params, "url") or ""
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = get_str(call.params, "secret_token")
    if secret is not None and not _SECRET.fullmatch(secret):
        raise bad_request("bad webhook: secret token contains unallowed characters")
    connections = get_int(call.params, "max_connections", 40) or 40
    if call.params.get("drop_pending_updates"):
        state.updates.drop_pending()
    if state.webhook is not None:
        await state.webhook.stop()
    state.webhook = WebhookDelivery(
        state.updates, url, secret, min(max(connections, 1), 100), state.touch
    )
    state.webhook.start()
    return True


@method("deleteWebhook")
async def delete_webhook(state: BotState, call: Call) -> bool:
    """Back to getUpdates; optionally drop what is pending, as Telegram does."""
    if state.webhook is not None:
        await state.webhook.stop()
        state.webhook = None
    if call.params.get("drop_pending_updates"):
        state.updates.drop_pending()
    return True


@method("getWebhookInfo")
async def get_webhook_info(state: BotState, call: Call) -> JsonDict:
    """The webhook's URL and limits, or an empty URL in polling mode."""
    hook = state.webhook
    info: JsonDict = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": state.pending_updates,
    }
    if hook is not None:
        info["max_connections"] = hook.max_connections
        if hook.stats.last_error:
            info["last_error_message"] = hook.stats.last_error
    return info


@method("close")
async def close(state: BotState, call: Call) -> bool:
    """Accepted and recorded; nothing to close locally."""
    return True


@method("logOut")
async def log_out(state: BotState, call: Call) -> bool:
    """Accepted and recorded; nothing to log out of locally."""
    return True


# -- commands --------------------------------------------------------------------------


@method("setMyCommands")
async def set_my_commands(state: BotState, call: Call) -> bool:
    """Store the command list for (scope, language_code)."""
    commands = call.params.get("commands")
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    require(len(commands) <= MAX_COMMANDS, bad_request("too many commands specified"))
    checked = [_command(item) for item in commands]
    key = commands_key(call.params.get("scope"), _language(call.params))
    state.commands[key] = checked
    return True


@method("getMyCommands")
async def get_my_commands(state: BotState, call: Call) -> list[JsonDict]:
    """The list stored for exactly this (scope, language_code), without fallback."""
    return state.my_commands(call.params.get("scope"), _language(call.params))


@method("deleteMyCommands")
async def delete_my_commands(state: BotState, call: Call) -> bool:
    """Forget the list for (scope, language_code)."""
    state.commands.pop(commands_key(call.params.get("scope"), _language(call.params)), None)
    return True


def _command(item: Any) -> JsonDict:
    if not isinstance(item, dict):
        raise bad_request("can't parse BotCommand")
    command, description = item.get("command"), item.get("description")
    if not isinstance(command, str) or not _COMMAND.fullmatch(command):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        raise bad_request("command description is invalid")
    return {"command": command, "description": description}


def _language(params: JsonDict) -> str:
    code = get_str(params, "language_code") or ""
    if code and not (len(code) == 2 and code.isascii() and code.isalpha()):
        raise bad_request("invalid language code specified")  # ISO 639-1 only
    return code


# -- sending ---------------------------------------------------------------------------


@method("sendMessage")
async def send_message(state: BotState, call: Call) -> JsonDict:
    """Send a text message."""
    params = call.params
    chat = state.chat_for(params)
    text = get_str(params, "text") or ""
    parsed = format_text(text, params, caption=False)
    markup = parse_markup(params.get("reply_markup"))
    _check_reply(chat, params)
    message = state.add_bot_message(
        chat, kind="text", raw=text, parsed=parsed, parse_mode=get_str(params, "parse_mode"),
        markup=markup,
    )  # fmt: skip
    return message.to_json()


@method("sendPhoto")
async def send_photo(state: BotState, call: Call) -> JsonDict:
    """Send a photo (upload, attach://, file_id or URL) with an optional caption."""
    return _send_media(state, call.params, "photo")


@method("sendDocument")
async def send_document(state: BotState, call: Call) -> JsonDict:
    """Send a document (upload, attach://, file_id or URL) with an optional caption."""
    return _send_media(state, call.params, "document")


def _send_media(state: BotState, params: JsonDict, kind: str) -> JsonDict:
    chat = state.chat_for(params)
    caption = get_str(params, "caption") or ""
    parsed = format_text(caption, params, caption=True)
    markup = parse_markup(params.get("reply_markup"))
    _check_reply(chat, params)
    stored = state.files.resolve_input(params.get(kind), params, kind)
    if kind == "photo":
        width = get_int(params, "width") or _DEFAULT_PHOTO_SIZE[0]
        height = get_int(params, "height") or _DEFAULT_PHOTO_SIZE[1]
        media: JsonDict = {"photo": stored.photo_json(width, height)}
    else:
        media = {"document": stored.document_json()}
    message = state.add_bot_message(
        chat, kind=kind, raw=caption, parsed=parsed, parse_mode=get_str(params, "parse_mode"),
        markup=markup, media=media, file_id=stored.file_id,
    )  # fmt: skip
    return message.to_json()


def _check_reply(chat: ChatState, params: JsonDict) -> None:
    """A reply must quote a message still in the chat, unless told to send regardless."""
    reply = params.get("reply_parameters")
    if isinstance(reply, dict):
        target, allow = reply.get("message_id"), reply.get("allow_sending_without_reply")
    else:
        target = params.get("reply_to_message_id")
        allow = params.get("allow_sending_without_reply")
    if target is not None and target not in chat.messages and not allow:
        raise bad_request("message to be replied not found")


@method("sendChatAction")
async def send_chat_action(state: BotState, call: Call) -> bool:
    """Record a "typing…"-style action."""
    chat = state.chat_for(call.params)
    action = get_str(call.params, "action")
    if action is None or action not in _CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    chat.actions.append(action)
    return True


# -- editing and deleting --------------------------------------------------------------


@method("editMessageText")
async def edit_message_text(state: BotState, call: Call) -> JsonDict:
    """Replace a text message's text; a keyboard not passed again is removed."""
    params = call.params
    chat, message = _message_to_edit(state, params)
    require(message.kind == "text", bad_request("there is no text in the message to edit"))
    text = get_str(params, "text") or ""
    parsed = format_text(text, params, caption=False)
    markup = parse_markup(params.get("reply_markup"), inline_only=True)
    state.edit_bot_message(
        chat, message, raw=text, parsed=parsed, parse_mode=get_str(params, "parse_mode"),
        inline=markup.inline,
    )  # fmt: skip
    return message.to_json()


@method("editMessageCaption")
async def edit_message_caption(state: BotState, call: Call) -> JsonDict:
    """Replace a media message's caption; a keyboard not passed again is removed."""
    params = call.params
    chat, message = _message_to_edit(state, params)
    require(message.kind != "text", bad_request("there is no caption in the message to edit"))
    caption = get_str(params, "caption") or ""
    parsed = format_text(caption, params, caption=True)
    markup = parse_markup(params.get("reply_markup"), inline_only=True)
    state.edit_bot_message(
        chat, message, raw=caption, parsed=parsed, parse_mode=get_str(params, "parse_mode"),
        inline=markup.inline,
    )  # fmt: skip
    return message.to_json()


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: BotState, call: Call) -> JsonDict:
    """Replace (or, when omitted, remove) a message's inline keyboard."""
    chat, message = _message_to_edit(state, call.params)
    markup = parse_markup(call.params.get("reply_markup"), inline_only=True)
    state.edit_bot_message(
        chat, message, raw=message.text, parsed=ParsedText(message.plain_text, message.entities),
        parse_mode=message.parse_mode, inline=markup.inline,
    )  # fmt: skip
    return message.to_json()


@method("deleteMessage")
async def delete_message(state: BotState, call: Call) -> bool:
    """Delete a message (bots may delete both sides' messages in private chats)."""
    chat = state.chat_for(call.params)
    state.delete_message(chat, _message_id(call.params))
    return True


def _message_to_edit(state: BotState, params: JsonDict) -> tuple[ChatState, ChatMessage]:
    if params.get("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in this project
    chat = state.chat_for(params)
    message = chat.messages.get(_message_id(params))
    if message is None:
        raise bad_request("message to edit not found")
    require(message.from_bot, bad_request("message can't be edited"))
    return chat, message


def _message_id(params: JsonDict) -> int:
    message_id = get_int(params, "message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    return message_id


# -- callback queries, files, chats ----------------------------------------------------


@method("answerCallbackQuery")
async def answer_callback_query(state: BotState, call: Call) -> bool:
    """Answer a button press once; the text is shown to the user as a toast."""
    params = call.params
    text = get_str(params, "text")
    require(text is None or utf16_len(text) <= MAX_CALLBACK_ANSWER, bad_request("MESSAGE_TOO_LONG"))
    query = state.queries.get(get_str(params, "callback_query_id") or "")
    if query is None or query.answered:
        raise bad_request(_QUERY_INVALID)
    query.answered = True
    answer = CallbackAnswer(
        query.query_id, query.user_id, text, bool(params.get("show_alert")), get_str(params, "url")
    )
    state.record_answer(answer)
    return True


@method("getFile")
async def get_file(state: BotState, call: Call) -> JsonDict:
    """Where to download a file from."""
    stored = state.files.get(get_str(call.params, "file_id") or "")
    if stored is None:
        raise bad_request("wrong file_id or the file is temporarily unavailable")
    return stored.file_json()


@method("getChat")
async def get_chat(state: BotState, call: Call) -> JsonDict:
    """The ChatFullInfo of a simulated user's private chat or of a group."""
    chat = state.chat_for(call.params)
    if chat.group is not None:
        return {**chat.chat_json(), "accent_color_id": 0, "max_reaction_count": 11}
    gifts = ("unlimited_gifts", "limited_gifts", "unique_gifts", "premium_subscription")
    return {
        **chat.user.chat_json(),
        "accent_color_id": chat.user.id % 7,
        "max_reaction_count": 11,
        "accepted_gift_types": {**dict.fromkeys(gifts, True), "gifts_from_channels": False},
    }
