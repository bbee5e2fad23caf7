"""The `pingyi` command: run the bot, rehearse a campaign, validate campaign files."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from pathlib import Path

from bot.app.config import ConfigError, load_settings
from bot.campaign.loader import CampaignFileError, validate_file
from bot.cli.admin import add_commands
from bot.cli.publish import add_commands as add_publish_commands
from bot.cli.scoring import add_commands as add_scoring_commands


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the exit status."""
    args = _parser().parse_args(argv)
    # The running bot logs what it does; the other commands print their result, and
    # a line per handled update would bury it (the demo handles thousands).
    level = logging.INFO if args.func is _run else logging.WARNING
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        if getattr(args, "async_", False):
            return int(asyncio.run(args.func(args)))
        return int(args.func(args))
    except (ConfigError, CampaignFileError) as exc:
        print(exc, file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pingyi", description="评议 — appraisal in Telegram")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling)")
    run.set_defaults(func=_run)

    demo = commands.add_parser("demo", help="rehearse a campaign with simulated citizens, offline")
    demo.add_argument(
        "--campaign",
        type=Path,
        default=None,
        help="campaign file (default: the Changzhou 2011 campaign)",
    )
    demo.add_argument("--respondents", type=int, default=300, help="simulated citizens")
    demo.add_argument("--seed", type=int, default=2011, help="random seed for the answers")
    demo.add_argument(
        "--database",
        default=None,
        help="database URL (default: a fresh SQLite file in a temporary folder)",
    )
    demo.set_defaults(func=_demo)

    validate = commands.add_parser("validate", help="check campaign files")
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(func=_validate)

    add_commands(commands)
    add_scoring_commands(commands)
    add_publish_commands(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    from bot.telegram.polling import run_polling

    settings = load_settings()
    settings.require_token()
    asyncio.run(run_polling(settings))
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import run_demo

    if args.respondents < 1:
        raise ConfigError("demo error: --respondents: must be at least 1")
    report = asyncio.run(run_demo(args.campaign, args.respondents, args.seed, args.database))
    print(report)
    return 0


def _validate(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.files:
        errors = validate_file(path)
        for error in errors:
            print(error, file=sys.stderr)
        if errors:
            failed += 1
        else:
            print(f"{path}: ok")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
