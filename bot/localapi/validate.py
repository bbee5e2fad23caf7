"""Parameter decoding and the checks Telegram applies to texts and keyboards."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.localapi.errors import ApiError, bad_request
from bot.localapi.html import HTMLParseError, ParsedText, parse_html, utf16_len

JsonDict = dict[str, Any]

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_BUTTONS = 100

# Form fields arrive as strings; these hold JSON (aiogram json.dumps-es every non-str).
_JSON_FIELDS = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "allowed_updates", "commands",
        "scope", "link_preview_options", "reply_parameters",
    }
)  # fmt: skip
_INT_FIELDS = frozenset(
    {
        "message_id", "offset", "limit", "timeout", "user_id", "cache_time",
        "reply_to_message_id", "message_thread_id", "width", "height",
    }
)  # fmt: skip
_BOOL_FIELDS = frozenset(
    {
        "disable_notification", "protect_content", "show_alert", "drop_pending_updates",
        "disable_web_page_preview", "allow_sending_without_reply", "has_spoiler",
        "disable_content_type_detection", "show_caption_above_media",
    }
)  # fmt: skip
_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse caption entities JSON object",
}
_INLINE_ACTIONS = frozenset(
    {
        "callback_data", "url", "login_url", "switch_inline_query",
        "switch_inline_query_current_chat", "switch_inline_query_chosen_chat",
        "callback_game", "pay", "web_app", "copy_text",
    }
)  # fmt: skip
_URL_SCHEMES = ("http://", "https://", "tg://")
_INTEGER = re.compile(r"-?\d+")


# -- parameters ------------------------------------------------------------------------


def decode_params(raw: Mapping[str, Any]) -> JsonDict:
    """Give every parameter its Bot API type, whichever encoding it came in."""
    return {key: _decode_value(key, value) for key, value in raw.items()}


def _decode_value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # JSON bodies are already typed; uploads stay UploadedPart
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request(_JSON_ERRORS.get(key, f'can\'t parse "{key}" JSON object')) from None
    if key == "chat_id":
        return int(value) if _INTEGER.fullmatch(value) else value  # "@channel" stays a string
    if key in _INT_FIELDS:
        if not _INTEGER.fullmatch(value.strip()):
            raise bad_request(f'wrong parameter "{key}" specified')
        return int(value)
    if key in _BOOL_FIELDS:
        return value.strip().lower() in {"true", "1"}
    return value


def get_int(params: JsonDict, key: str, default: int | None = None) -> int | None:
    """An integer parameter, None (or `default`) if absent."""
    value = params.get(key)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise bad_request(f'wrong parameter "{key}" specified')
    if isinstance(value, str) and not _INTEGER.fullmatch(value):
        raise bad_request(f'wrong parameter "{key}" specified')
    return int(value)


def get_str(params: JsonDict, key: str) -> str | None:
    """A string parameter (numbers sent in JSON are accepted as Telegram does)."""
    value = params.get(key)
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


# -- texts -----------------------------------------------------------------------------


def format_text(text: str | None, params: JsonDict, *, caption: bool) -> ParsedText:
    """Apply parse_mode/entities and the length rules to a message text or caption."""
    text = text or ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise bad_request("strings must be encoded in UTF-8") from None
    mode_key, entities_key = ("parse_mode", "caption_entities" if caption else "entities")
    parsed = _apply_markup(text, get_str(params, mode_key), params.get(entities_key))
    parsed = _strip(parsed)
    length = utf16_len(parsed.text)
    if caption and length > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    if not caption and not parsed.text:
        raise bad_request("message text is empty")
    if not caption and length > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return parsed


def _apply_markup(text: str, parse_mode: str | None, entities: Any) -> ParsedText:
    if entities is not None:
        # Explicit entities win over parse_mode, as in the Bot API.
        if not isinstance(entities, list):
            raise bad_request("can't parse entities JSON object")
        return ParsedText(text, [dict(e) for e in entities if isinstance(e, dict)])
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            return parse_html(text)
        except HTMLParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    if mode in {"", "markdown", "markdownv2"}:
        # Markdown is accepted unchecked: this project formats with HTML only.
        return ParsedText(text, [])
    raise bad_request(f"unsupported parse_mode: {parse_mode}")


def _strip(parsed: ParsedText) -> ParsedText:
    """Telegram trims surrounding whitespace; entities shift and shrink with it."""
    text = parsed.text
    stripped = text.strip()
    if stripped == text:
        return parsed
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    end = lead + utf16_len(stripped)
    entities = []
    for entity in parsed.entities:
        start = max(entity["offset"], lead)
        stop = min(entity["offset"] + entity["length"], end)
        if stop > start:
            entities.append({**entity, "offset": start - lead, "length": stop - start})
    return ParsedText(stripped, entities)


# -- keyboards -------------------------------------------------------------------------


@dataclass(frozen=True)
class Markup:
    """A validated reply_markup: what goes on the message and what changes the keyboard."""

    inline: JsonDict | None = None  # InlineKeyboardMarkup, shown on the message
    keyboard: JsonDict | None = None  # ReplyKeyboardMarkup, replaces the user's keyboard
    remove_keyboard: bool = False


def parse_markup(value: Any, *, inline_only: bool = False) -> Markup:
    """Validate reply_markup like Telegram; edits accept inline keyboards only."""
    if value is None:
        return Markup()
    if not isinstance(value, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in value:
        return Markup(inline=_inline_keyboard(value["inline_keyboard"]))
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in value:
        _check_rows(value["keyboard"], "ReplyKeyboardMarkup", "keyboard")
        return Markup(keyboard=value)
    if value.get("remove_keyboard"):
        return Markup(remove_keyboard=True)
    if value.get("force_reply"):
        return Markup()
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_rows(rows: Any, kind: str, field: str) -> list[list[Any]]:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request(f'field "{field}" of the {kind} must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _inline_keyboard(rows: Any) -> JsonDict:
    checked = _check_rows(rows, "InlineKeyboardMarkup", "inline_keyboard")
    return {"inline_keyboard": [[_inline_button(b) for b in row] for row in checked]}


def _inline_button(button: Any) -> JsonDict:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [key for key in button if key in _INLINE_ACTIONS]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    if "callback_data" in button:
        check_callback_data(button["callback_data"])
    if "url" in button and not str(button["url"]).lower().startswith(_URL_SCHEMES):
        raise bad_request("BUTTON_URL_INVALID")
    return dict(button)


def check_callback_data(data: Any) -> None:
    """1-64 bytes of UTF-8, or Telegram answers BUTTON_DATA_INVALID."""
    if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES:
        raise bad_request("BUTTON_DATA_INVALID")


def require(condition: bool, error: ApiError) -> None:
    """Raise `error` unless `condition` holds (keeps method bodies flat)."""
    if not condition:
        raise error
