"""Command line for the durable inbox: `pingyi inbox` lists what waits and what is
parked; `pingyi inbox retry` puts parked updates back in line."""

from __future__ import annotations

import argparse

from bot.app.config import load_settings
from bot.app.runtime import services_from

ERROR_SHOWN = 120  # characters of a parked update's error on its line


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `inbox` (list) and `inbox retry` on the `pingyi` parser."""
    inbox = commands.add_parser(
        "inbox",
        help="the inbox of updates: how many wait, the parked ones; retry parked updates",
        description=(
            "Without an action: how many updates wait and since when, and every parked "
            "update (one a line: id, person, attempts, error). `retry ID…` or `retry --all` "
            "puts parked updates back in line for the workers."
        ),
    )
    inbox.add_argument("action", nargs="?", choices=["list", "retry"], default="list")
    inbox.add_argument("ids", nargs="*", type=int, help="update ids to retry")
    inbox.add_argument("--all", action="store_true", help="retry every parked update")
    inbox.set_defaults(func=_inbox, async_=True)


async def _inbox(args: argparse.Namespace) -> int:
    async with services_from(load_settings()) as services:
        inbox = services.inbox
        if args.action == "retry":
            if not args.ids and not args.all:
                print("error: give the update ids to retry, or --all")
                return 2
            count = await inbox.retry(None if args.all else args.ids)
            print(f"{count} parked update(s) back in line")
            return 0
        depth = await inbox.depth()
        oldest = f", oldest since {depth.oldest:%Y-%m-%d %H:%M:%S} UTC" if depth.oldest else ""
        print(f"{depth.pending} pending{oldest}; {depth.parked} parked")
        for p in await inbox.parked():
            error = " ".join(p.error.split())[:ERROR_SHOWN]
            print(f"{p.update_id}\tperson {p.person}\t{p.attempts} attempts\t{error}")
    return 0
