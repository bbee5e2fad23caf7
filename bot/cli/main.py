"""The `pingyi` command: run the bot, rehearse a campaign, validate campaign files.

Exit status: 0 done, 1 the bot could not start (Telegram or the database said no),
2 a setting or campaign file is wrong.  Either failure is one line on stderr;
`pingyi --debug COMMAND` adds the trace (with the token redacted).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback
from pathlib import Path

from bot.app.config import ConfigError, Settings, load_settings, redact
from bot.app.logs import configure_logging
from bot.campaign.loader import CampaignFileError, validate_file
from bot.cli.admin import add_commands
from bot.cli.backup import add_commands as add_backup_commands
from bot.cli.failures import CommandFailed
from bot.cli.inbox import add_commands as add_inbox_commands
from bot.cli.posters import add_commands as add_poster_commands
from bot.cli.publish import add_commands as add_publish_commands
from bot.cli.scoring import add_commands as add_scoring_commands
from bot.cli.startup import preflight


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command; returns the exit status."""
    args = _parser().parse_args(argv)
    # The running bot logs what it does; the other commands print their result, and
    # a line per handled update would bury it (the demo handles thousands).
    level = logging.INFO if args.func is _run else logging.WARNING
    configure_logging(level)
    try:
        if getattr(args, "async_", False):
            return int(asyncio.run(args.func(args)))
        return int(args.func(args))
    except (ConfigError, CampaignFileError) as exc:
        _report(exc, debug=args.debug)
        return 2
    except CommandFailed as exc:
        _report(exc, debug=args.debug)
        return 1


def _report(exc: Exception, *, debug: bool) -> None:
    """Print the one line (after the redacted trace with --debug)."""
    token = _token()
    if debug:
        trace = "".join(traceback.format_exception(exc))
        print(redact(trace, token).rstrip(), file=sys.stderr)
    print(redact(str(exc), token), file=sys.stderr)


def _token() -> str | None:
    """The bot token, wherever it was set (environment or .env), to redact it."""
    try:
        secret = load_settings().bot_token
    except ConfigError:  # e.g. the token itself is malformed: the environment still has it
        return os.environ.get("BOT_TOKEN")
    return secret.get_secret_value() if secret is not None else None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="pingyi", description="评议 — appraisal in Telegram")
    parser.add_argument("--debug", action="store_true", help="on failure, print the full trace too")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the bot (long polling, or --webhook)")
    run.add_argument(
        "--webhook", action="store_true", help="serve Telegram's webhook (WEBHOOK_* settings)"
    )
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        help="worker processes on one PostgreSQL database (default 1)",
    )
    run.set_defaults(func=_run)

    demo = commands.add_parser(
        "demo", help="rehearse a whole campaign with simulated people, offline"
    )
    demo.add_argument(
        "--campaign",
        type=Path,
        default=None,
        help="campaign file (default: the Changzhou 2011 campaign)",
    )
    demo.add_argument(
        "--respondents", type=int, default=300, help="simulated citizens (the public)"
    )
    demo.add_argument("--seed", type=int, default=2011, help="random seed for the answers")
    demo.add_argument(
        "--database",
        default=None,
        help="database URL (default: a fresh SQLite file in a temporary folder)",
    )
    demo.add_argument(
        "--webhook", action="store_true", help="updates by webhook instead of polling"
    )
    demo.add_argument(
        "--workers", type=int, default=1, help="with --webhook: inbox workers claiming at once"
    )
    demo.add_argument(
        "--out", type=Path, default=Path("exports"), help="folder for the workbook (exports/)"
    )
    demo.add_argument(
        "--minimum-sample",
        type=int,
        default=None,
        help="rehearse with this minimum sample instead of the campaign file's (quick runs)",
    )
    demo.add_argument(
        "--framework",
        choices=("aiogram", "ptb"),
        default=os.environ.get("TELEGRAM_FRAMEWORK", "aiogram"),
        help="the adapter (default: TELEGRAM_FRAMEWORK, else aiogram)",
    )
    demo.set_defaults(func=_demo)

    validate = commands.add_parser("validate", help="check campaign files")
    validate.add_argument("files", nargs="+", type=Path)
    validate.set_defaults(func=_validate)

    add_commands(commands)
    add_scoring_commands(commands)
    add_publish_commands(commands)
    add_poster_commands(commands)
    add_backup_commands(commands)
    add_inbox_commands(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require_token()
    if args.workers > 1:
        from bot.cli.workers import supervise

        return supervise(settings, args.workers, webhook=args.webhook)
    asyncio.run(_checked_run(settings, args.webhook))
    return 0


async def _checked_run(settings: Settings, webhook: bool) -> None:
    """Check Telegram and the database, then poll or serve the webhook (one event loop)."""
    from bot.cli.workers import worker_index
    from bot.telegram.polling import run_polling, run_webhook, run_worker

    await preflight(settings)
    index = worker_index()  # set when `--workers N` started this process
    if webhook:
        several = index is not None
        await run_webhook(settings, register=not index, reuse_port=several, several=several)
    elif index:
        await run_worker(settings)
    else:
        await run_polling(settings, several=index is not None)


def _demo(args: argparse.Namespace) -> int:
    from bot.cli.demo import run_demo

    if args.respondents < 1:
        raise ConfigError("demo error: --respondents: must be at least 1")
    if args.workers < 1:
        raise ConfigError("demo error: --workers: must be at least 1")
    if args.minimum_sample is not None and args.minimum_sample < 1:
        raise ConfigError("demo error: --minimum-sample: must be at least 1")
    hooked = args.workers if args.webhook else 0
    report = asyncio.run(
        run_demo(
            args.campaign,
            args.respondents,
            args.seed,
            args.database,
            hooked,
            args.out,
            args.minimum_sample,
            args.framework,
        )
    )
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
