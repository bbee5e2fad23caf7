"""Command-line administration: grant roles, issue codes, read the audit log, broadcasts."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys

from bot.access.service import Role
from bot.app.config import ConfigError, load_settings
from bot.app.runtime import services_from
from bot.app.services import Services
from bot.core.clock import CHINA


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `grant`, `revoke`, `codes` and `audit` on the `pingyi` parser."""
    for name, verb in (("grant", "give"), ("revoke", "take away")):
        sub = commands.add_parser(name, help=f"{verb} a role (audited)")
        sub.add_argument("--role", required=True, choices=[r.value for r in Role])
        sub.add_argument("--user-id", type=int, required=True, help="Telegram user id")
        sub.add_argument("--unit", help="unit id (handlers), as in the campaign file")
        sub.add_argument("--campaign", help="campaign id (needed if the unit id is ambiguous)")
        sub.add_argument("--reason", default="", help="why (kept in the audit log)")
        sub.set_defaults(func=_grant if name == "grant" else _revoke, async_=True)

    codes = commands.add_parser("codes", help="issue single-use codes (CSV on stdout)")
    codes.add_argument("--role", choices=[r.value for r in Role])
    codes.add_argument("--category", help="respondent category id (invitation codes)")
    codes.add_argument("--campaign", help="campaign id")
    codes.add_argument(
        "--unit",
        help="unit id (handler codes); with --category, the unit(s) whose panel the codes "
        "sit on, comma-separated",
    )
    codes.add_argument("--count", type=int, default=1)
    codes.add_argument("--expires", type=dt.date.fromisoformat, help="last valid day, YYYY-MM-DD")
    codes.set_defaults(func=_codes, async_=True)

    audit = commands.add_parser("audit", help="print the audit log, newest first")
    audit.add_argument("--limit", type=int, default=50)
    audit.set_defaults(func=_audit, async_=True)

    broadcast = commands.add_parser("broadcast", help="broadcast jobs")
    verbs = broadcast.add_subparsers(required=True, metavar="ACTION")
    status = verbs.add_parser("status", help="the latest jobs and their delivery counts")
    status.add_argument("--limit", type=int, default=20)
    status.set_defaults(func=_broadcast_status, async_=True)


async def _grant(args: argparse.Namespace) -> int:
    done = await _change_role(args, grant=True)
    print("granted" if done else "already held")
    return 0


async def _revoke(args: argparse.Namespace) -> int:
    done = await _change_role(args, grant=False)
    print("revoked" if done else "not held")
    return 0 if done else 1


async def _change_role(args: argparse.Namespace, *, grant: bool) -> bool:
    """Grant or revoke the role the arguments name (audited, actor: the command line)."""
    async with services_from(load_settings()) as services:
        unit_id = _unit_id(services, args.unit, args.campaign)
        change = services.access.grant if grant else services.access.revoke
        async with services.db.unit_of_work() as uow:
            return await change(uow, None, args.user_id, Role(args.role), unit_id, args.reason)


async def _codes(args: argparse.Namespace) -> int:
    if args.count < 1:
        raise ConfigError("codes error: --count: must be at least 1")
    async with services_from(load_settings()) as services:
        panel = None
        if args.category is not None:
            _check_category(services, args.campaign, args.category)
            panel = _panel(services, args.unit, args.campaign)
        unit_id = (
            None if args.category is not None else _unit_id(services, args.unit, args.campaign)
        )
        expires = (
            dt.datetime.combine(args.expires + dt.timedelta(days=1), dt.time(), CHINA)
            if args.expires
            else None
        )
        async with services.db.unit_of_work() as uow:
            try:
                codes = await services.access.issue_codes(
                    uow,
                    None,
                    args.count,
                    role=Role(args.role) if args.role else None,
                    unit_id=unit_id,
                    campaign_id=args.campaign,
                    category=args.category,
                    expires_at=expires,
                    panel_units=panel,
                )
            except ValueError as exc:
                raise ConfigError(f"codes error: {exc}") from None
    out = csv.writer(sys.stdout)
    out.writerow(["code", "role", "category", "campaign", "unit", "expires"])
    for code in codes:
        out.writerow(
            [
                code,
                args.role or "",
                args.category or "",
                args.campaign or "",
                args.unit or "",
                args.expires or "",
            ]
        )
    return 0


async def _audit(args: argparse.Namespace) -> int:
    async with services_from(load_settings()) as services, services.db.unit_of_work() as uow:
        for entry in await services.access.audit_log(uow, args.limit):
            actor = "command line" if entry.actor is None else str(entry.actor)
            when = entry.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")
            reason = f" — {entry.reason}" if entry.reason else ""
            print(f"{when}  {actor:>12}  {entry.action:<12} {entry.subject}{reason}")
    return 0


async def _broadcast_status(args: argparse.Namespace) -> int:
    async with services_from(load_settings()) as services:
        jobs = await services.outbox.jobs(args.limit)
    if not jobs:
        print("no broadcasts")
    for p in jobs:
        print(
            f"#{p.job_id:<5} {p.kind:<12} {p.status:<9} {p.done}/{p.total}  "
            f"sent {p.count('sent')}  blocked {p.count('blocked')}  failed {p.count('failed')}  "
            f"unknown {p.count('unknown')}  pending {p.count('pending')}"
        )
    return 0


def _unit_id(services: Services, unit: str | None, campaign_id: str | None) -> int | None:
    """The database id of a unit named by its campaign-file id (or its name)."""
    if unit is None:
        return None
    matches = services.registry.find_units(unit, campaign_id)
    if len(matches) != 1:
        what = "no campaign has a unit" if not matches else "several units match"
        raise ConfigError(f"error: --unit: {what} {unit!r} (give --campaign)")
    return services.registry.unit_id(*matches[0])


def _panel(services: Services, units: str | None, campaign_id: str | None) -> list[int] | None:
    """The units a category code's panel covers (`--unit a,b`; None: every unit)."""
    if not units:
        return None
    found = [
        services.registry.unit_ids.get((campaign_id or "", u.strip())) for u in units.split(",")
    ]
    if None in found:
        raise ConfigError(f"codes error: --unit: {campaign_id} has no unit among {units!r}")
    return [u for u in found if u is not None]


def _check_category(services: Services, campaign_id: str | None, category: str) -> None:
    campaign = services.registry.campaigns.get(campaign_id or "")
    if campaign is None:
        raise ConfigError(f"codes error: --campaign: unknown campaign {campaign_id!r}")
    if category not in {c.id for c in campaign.categories}:
        raise ConfigError(f"codes error: --category: {campaign.id} has no category {category!r}")
