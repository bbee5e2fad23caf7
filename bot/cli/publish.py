"""Command line for publication: `pingyi publish` (a new snapshot, or the static site)."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app.config import ConfigError, load_settings
from bot.app.runtime import services_from
from bot.i18n import t
from bot.publish.service import PublicationService, PublishError
from bot.publish.site import published_pages, write_site
from bot.rectification.service import RectificationService
from storage.uow import UnitOfWork


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `publish` on the `pingyi` parser."""
    publish = commands.add_parser(
        "publish",
        help="publish a campaign's results (公示), or write the public site with --out",
        description=(
            "Without --out: publish the campaign's results as they stand now (an immutable "
            "snapshot; a later publication is a correction and needs --reason). With --out: "
            "write the static site of what is published, publishing nothing."
        ),
    )
    publish.add_argument("--campaign", help="campaign id (with --out: default every campaign)")
    publish.add_argument("--reason", default=None, help="why a correction is published")
    publish.add_argument("--out", type=Path, default=None, help="write the site to this folder")
    publish.set_defaults(func=_publish, async_=True)


async def _publish(args: argparse.Namespace) -> int:
    if args.out is None and not args.campaign:
        raise ConfigError("error: --campaign: required to publish (or give --out DIR)")
    async with services_from(load_settings()) as services:
        if args.campaign and args.campaign not in services.registry.campaigns:
            raise ConfigError(f"error: --campaign: no campaign {args.campaign!r}")
        async with services.db.unit_of_work() as uow:
            if args.out is not None:
                return await _write(services.publish, services.rectification, uow, args)
            try:
                done = await services.publish.publish(uow, args.campaign, None, args.reason)
            except PublishError as refused:
                message = _plain(t("en", refused.key, **refused.values))
                raise ConfigError("error: " + message) from refused
    ranked = sum(1 for u in done.snapshot.units if u.rank is not None)
    corrects = f", correcting No. {done.number - 1}" if done.corrects else ""
    print(
        f"{args.campaign}: publication No. {done.number}{corrects}, "
        f"{ranked} of {len(done.snapshot.units)} units ranked, "
        f"published {done.published_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    return 0


async def _write(
    service: PublicationService,
    rectification: RectificationService,
    uow: UnitOfWork,
    args: argparse.Namespace,
) -> int:
    """Write the site of the named (or every) published campaign, rectification included."""
    wanted = [args.campaign] if args.campaign else None
    pages = await published_pages(service, uow, wanted, rectification)
    if len(pages) <= 1:  # only the list of campaigns: nothing is published
        raise ConfigError("error: nothing published yet: run pingyi publish --campaign ID first")
    written = write_site(pages, args.out)
    print(f"{len(written)} pages written to {args.out} (open {args.out / 'index.html'})")
    return 0


def _plain(text: str) -> str:
    """A translation without its Telegram markup, for the terminal."""
    return text.replace("<b>", "").replace("</b>", "")
