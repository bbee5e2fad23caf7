"""`pingyi export --raw --out DIR`: answers for researchers, respondents pseudonymised."""

from __future__ import annotations

import argparse

from bot.app.config import load_settings
from bot.app.runtime import services_from
from bot.privacy.export import export_raw_answers


async def raw_export(args: argparse.Namespace) -> int:
    """Write answers-raw.csv into --out; EXPORT_HASH_KEY is required (checked first)."""
    settings = load_settings()
    key = settings.require_export_key()
    async with services_from(settings) as services:
        path = await export_raw_answers(services.db, services.registry, key, args.out)
    print(path)
    return 0
