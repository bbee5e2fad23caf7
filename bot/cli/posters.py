"""`pingyi posters --campaign ID --out DIR`: a printable A4 poster per unit (random appraisal).

Each poster carries a QR code of the unit's deep link (`t.me/<bot>?start=r<unit id>`);
the bot's username comes from the Bot API (`getMe` with BOT_TOKEN at TELEGRAM_API_BASE),
so the posters point at the bot that will answer them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app.config import ConfigError, Settings, load_settings
from bot.app.runtime import services_from
from bot.cli.failures import CommandFailed
from bot.core.deeplinks import COMPLAIN, RATE, UnitLink
from bot.i18n import LOCALES
from bot.publish.posters import PosterText, poster_png


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `posters` on the `pingyi` parser."""
    posters = commands.add_parser(
        "posters", help="write a printable poster (A4 PNG, QR code of its link) per unit"
    )
    posters.add_argument("--campaign", required=True, help="campaign id")
    posters.add_argument("--out", type=Path, required=True, help="folder for the PNG files")
    posters.add_argument("--locale", default=None, help="zh-Hans, en or zh-Hant")
    posters.add_argument("--units", default=None, help="only these unit ids, comma-separated")
    posters.set_defaults(func=_posters, async_=True)


async def _posters(args: argparse.Namespace) -> int:
    settings = load_settings()
    locale = args.locale or settings.default_locale
    if locale not in LOCALES:
        raise ConfigError(f"error: --locale: one of {', '.join(LOCALES)}")
    username = await _username(settings)
    async with services_from(settings) as services:
        campaign = services.registry.campaigns.get(args.campaign)
        if campaign is None:
            raise ConfigError(f"error: --campaign: no campaign {args.campaign!r}")
        wanted = set(args.units.split(",")) if args.units else None
        units = [u for u in campaign.units if wanted is None or u.id in wanted]
        if wanted is not None and len(units) != len(wanted):
            known = ", ".join(u.id for u in campaign.units)
            raise ConfigError(f"error: --units: not all units of {campaign.id} ({known})")
        args.out.mkdir(parents=True, exist_ok=True)
        for unit in units:
            uid = services.registry.unit_id(campaign, unit)
            text = PosterText(
                locale,
                {loc: unit.name.get(loc) for loc in LOCALES},
                {loc: campaign.name.get(loc) for loc in LOCALES},
                UnitLink(RATE, uid).url(username),
                UnitLink(COMPLAIN, uid).url(username),
            )
            path = args.out / f"{campaign.id}-{unit.id}.png"
            path.write_bytes(poster_png(text))
            print(path)
    return 0


async def _username(settings: Settings) -> str:
    """The bot's username, from getMe (a failure is one line naming the setting)."""
    from bot.telegram.aiogram.preflight import (  # aiogram: lazily
        TelegramUnavailable,
        check_telegram,
    )

    token = settings.require_token().get_secret_value()
    try:
        return await check_telegram(token, settings.telegram_api_base)
    except TelegramUnavailable as exc:
        raise CommandFailed(str(exc)) from exc
