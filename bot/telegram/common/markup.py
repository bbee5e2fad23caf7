"""Screens as plain data: a keyboard is rows of buttons, each with packed data or a URL.

The field names are the Bot API's own (`inline_keyboard`, `text`, `callback_data`,
`url`), so `to_json()` is the JSON Telegram takes and the outbox stores; each
adapter turns a `Keyboard` into its framework's markup in one function.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Button:
    """One inline button: `callback_data` (packed by bot/telegram/common/codec.py) or `url`."""

    text: str
    callback_data: str | None = None
    url: str | None = None

    def to_json(self) -> dict[str, str]:
        """The button as the Bot API's InlineKeyboardButton JSON."""
        out = {"text": self.text}
        if self.callback_data is not None:
            out["callback_data"] = self.callback_data
        if self.url is not None:
            out["url"] = self.url
        return out


@dataclass(frozen=True)
class Keyboard:
    """Rows of inline buttons under a message."""

    inline_keyboard: list[list[Button]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The keyboard as the Bot API's InlineKeyboardMarkup JSON."""
        return {"inline_keyboard": [[b.to_json() for b in row] for row in self.inline_keyboard]}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Keyboard:
        """A keyboard from the Bot API's JSON (as the outbox stores it)."""
        rows = value.get("inline_keyboard", [])
        return cls([[Button(**button) for button in row] for row in rows])
