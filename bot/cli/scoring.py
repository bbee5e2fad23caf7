"""Command line for the scorer: `pingyi score`, `pingyi marks import`, `pingyi export`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.app.config import ConfigError, load_settings
from bot.app.runtime import services_from
from bot.app.services import Services
from bot.cli.privacy import raw_export
from bot.i18n import t
from bot.publish.reports import reach_sheets
from bot.scoring.export import write_report
from bot.scoring.format import format_interval, format_pct, format_points
from bot.scoring.records import EntryError, parse_marks_csv
from bot.scoring.results import CampaignScores, Status


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `score`, `marks` and `export` on the `pingyi` parser."""
    score = commands.add_parser("score", help="refresh a campaign's scores and print them")
    score.add_argument("--campaign", required=True, help="campaign id")
    score.set_defaults(func=_score, async_=True)

    marks = commands.add_parser("marks", help="marks for manual components (日常考评 …)")
    verbs = marks.add_subparsers(required=True, metavar="ACTION")
    load = verbs.add_parser("import", help="import marks from a CSV file")
    load.add_argument("file", type=Path, help="CSV: campaign,unit,component,label,score[,note]")
    load.set_defaults(func=_import_marks, async_=True)

    export = commands.add_parser("export", help="write the report: XLSX workbook and CSV files")
    export.add_argument("--campaign", help="campaign id (default: every campaign)")
    export.add_argument("--out", type=Path, default=Path("."), help="folder (default: here)")
    export.add_argument("--locale", default=None, help="zh-Hans, en or zh-Hant")
    export.add_argument(
        "--raw",
        action="store_true",
        help="instead: one row per answer, respondents as keyed hashes (needs EXPORT_HASH_KEY)",
    )
    export.set_defaults(func=_export, async_=True)


def _campaign_ids(services: Services, wanted: str | None) -> list[str]:
    if wanted is None:
        return sorted(services.registry.campaigns)
    if wanted not in services.registry.campaigns:
        raise ConfigError(f"error: --campaign: no campaign {wanted!r}")
    return [wanted]


async def _score(args: argparse.Namespace) -> int:
    async with services_from(load_settings()) as services:
        [campaign_id] = _campaign_ids(services, args.campaign)
        report = await services.scoring.refresh(campaign_id, full=True)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, campaign_id)
    assert scores is not None
    print(
        f"{campaign_id}: {report.answers} answers scored in {report.seconds:.3f} s, "
        f"at {scores.computed_at:%Y-%m-%d %H:%M:%S} UTC"
    )
    for line in score_table(services, scores):
        print(line)
    return 0


def score_table(services: Services, scores: CampaignScores, locale: str = "zh-Hans") -> list[str]:
    """The ranking per kind as plain text lines."""
    campaign = services.registry.campaigns[scores.campaign_id]
    lines: list[str] = []
    for kind in sorted({u.kind for u in scores.units}):
        lines.append(f"\n[{kind}] average {format_points(scores.kind_average.get(kind))}")
        lines.append(
            f"{'rank':>4}  {'composite':>9}  {'satisf.':>7}  {'95% interval':>13}  "
            f"{'people':>6}  {'valid':>5}  flags  unit"
        )
        for u in scores.ranking(kind):
            s = u.satisfaction
            flags = "".join(
                f for f, on in (("T", u.talk), ("N", u.no_excellence), ("A", u.award)) if on
            ) or ("-" if u.status is Status.RANKED else u.status.value)
            lines.append(
                f"{u.rank or '—':>4}  {format_points(u.composite):>9}  "
                f"{format_pct(s.satisfaction):>7}  {format_interval(s.low, s.high):>13}  "
                f"{s.people:>6}  {s.valid:>5}  {flags:<5}  {campaign.unit(u.code).name.get(locale)}"
            )
    lines.append("\nflags: T 约谈 (talk), N 不评优 (no excellence), A award")
    return lines


async def _import_marks(args: argparse.Namespace) -> int:
    try:
        text = args.file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"marks error: {args.file}: {exc}") from None
    async with services_from(load_settings()) as services:
        try:
            entries = parse_marks_csv(services.registry, text)
        except EntryError as exc:
            line = exc.values.get("line")
            where = f"{args.file}:{line}: " if line else f"{args.file}: "
            raise ConfigError(where + t("en", f"scoring.error.{exc.key}", **_plain(exc))) from None
        async with services.db.unit_of_work() as uow:
            stored = await services.records.store_marks(uow, None, entries)
        for campaign_id in sorted({e.campaign_id for e in entries}):
            await services.scoring.refresh(campaign_id, full=True)
    print(f"{stored} mark(s) imported")
    return 0


def _plain(exc: EntryError) -> dict[str, object]:
    values = dict(exc.values)
    if "what" in values:
        values["what"] = t("en", f"scoring.what.{values['what']}")
    return values


async def _export(args: argparse.Namespace) -> int:
    if args.raw:
        return await raw_export(args)  # bot/cli/privacy.py
    settings = load_settings()
    locale = args.locale or settings.default_locale
    async with services_from(settings) as services:
        for campaign_id in _campaign_ids(services, args.campaign):
            await services.scoring.refresh(campaign_id, full=True)
            async with services.db.unit_of_work() as uow:
                scores = await services.scoring.results(uow, campaign_id)
                bursts = await services.admin.fairness.bursts(uow, campaign_id)
                findings = await services.inspections.of_campaign(uow, campaign_id)
                campaign = services.registry.campaigns[campaign_id]
                assert scores is not None
                more = await reach_sheets(services.publish, uow, campaign, scores, locale)
            for path in write_report(campaign, scores, locale, args.out, bursts, findings, more):
                print(path)
    return 0
