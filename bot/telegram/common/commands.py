"""The bot's command menu, in each language, as plain data.

Telegram keys command lists by two-letter language code, so "zh" cannot tell
Simplified from Traditional: the default and "zh" lists are zh-Hans, "en" is
English, and a zh-Hant person gets a list scoped to their own chat.  Each adapter
sets these lists with its framework's setMyCommands call.
"""

from __future__ import annotations

from bot.i18n import t

COMMANDS = (
    "start",
    "survey",
    "complain",
    "mycomplaints",
    "results",
    "language",
    "help",
    "cancel",
)
# (language_code or None for the default list, the locale of its texts)
DEFAULT_MENUS: tuple[tuple[str | None, str], ...] = (
    (None, "zh-Hans"),
    ("zh", "zh-Hans"),
    ("en", "en"),
)


def command_list(locale: str) -> list[tuple[str, str]]:
    """The menu in `locale`: (command, description) pairs."""
    return [(c, t(locale, f"cmd.{c}")) for c in COMMANDS]
