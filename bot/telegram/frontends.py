"""Choosing the adapter: `TELEGRAM_FRAMEWORK=aiogram|ptb` (bot/app/config.py).

The drivers (`pingyi run`, `pingyi demo`, the tests and benches) ask here for a
`Frontend` and import neither framework; only the chosen adapter's package is loaded.
"""

from __future__ import annotations

import importlib

from bot.app.services import Services
from bot.telegram.common.frontend import Frontend

FRAMEWORKS = ("aiogram", "ptb")


def make_frontend(framework: str, token: str, api_base: str, services: Services) -> Frontend:
    """The adapter `framework` over a bot at `api_base` serving `services`."""
    if framework not in FRAMEWORKS:
        raise ValueError(f"TELEGRAM_FRAMEWORK must be one of {', '.join(FRAMEWORKS)}")
    module = importlib.import_module(f"bot.telegram.{framework}.frontend")
    front: Frontend = module.make_frontend(token, api_base, services)
    return front
