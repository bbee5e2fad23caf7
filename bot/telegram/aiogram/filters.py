"""aiogram filters over the shared callback-data codec (bot/telegram/common/codec.py)."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import CallbackQuery


class Prefix(Filter):
    """Matches a press whose data starts with `prefix:` (one per button kind)."""

    def __init__(self, prefix: str) -> None:
        """Match presses of the button kind with `prefix`."""
        self.prefix = prefix

    async def __call__(self, query: CallbackQuery) -> bool:
        """True if the data carries the prefix."""
        return (query.data or "").startswith(self.prefix + ":")
