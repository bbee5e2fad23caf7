"""Hypothesis profiles: ``ci`` (the default) and ``dev``, a longer run for local use; and
the ``framework`` fixture.

Choose one with HYPOTHESIS_PROFILE=dev; the fuzz tests (``pytest -m fuzz``) scale with it.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from bot.telegram.frontends import FRAMEWORKS

settings.register_profile("ci", print_blob=True)
settings.register_profile("dev", max_examples=1000, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(params=FRAMEWORKS)
def framework(request: pytest.FixtureRequest) -> str:
    """The Telegram adapter under test (bot/telegram/frontends.py): every end-to-end test
    that asks for it runs once with aiogram and once with python-telegram-bot."""
    return str(request.param)
