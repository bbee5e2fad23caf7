"""`pingyi demo`: rehearse a whole campaign offline, through the real bot stack.

A local Bot API server runs inside the process (real HTTP on 127.0.0.1), the real
bot (aiogram or python-telegram-bot: `--framework`) polls it (or takes its webhook), and
simulated people press the buttons the bot shows them, in the three locales, day by day
through the campaign's phases:

- panel members join with codes bound to their unit's panel and rate it on site;
- the public answers the questionnaire (finding units by paging or typing), some
  leaving a suggestion, some rating a second unit;
- citizens file complaints, the units' handlers accept and close them (some
  substantiated: a finding), the citizens rate the handling;
- an inspector records findings, the evaluator confirms or rejects them, the units
  answer with what they corrected;
- in the assessment the office imports marks (`pingyi marks import`), the evaluator
  gives a bonus and imposes a sanction in chat and exports the workbook (/export).

Then the final report a 纠风办 would file is printed (bot/cli/demo/report.py), with
the time it all took.  Codes, the evaluator's role and the marks come the way the
operator gives them, through the same services as the command line.
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from bot.campaign.loader import load_campaign
from bot.campaign.schema import Campaign
from bot.cli.demo.plans import people, survey_days
from bot.cli.demo.rehearsal import RunLog, rehearse
from bot.cli.demo.report import Setting, report
from bot.cli.demo.stage import Stage, campaign_folder, running_bot
from bot.core.clock import FixedClock
from bot.scoring.results import CampaignScores

DEFAULT_CAMPAIGN = Path("survey_defs/changzhou-2011-safety.yaml")
DEFAULT_OUT = Path("exports")


async def run_demo(
    campaign_file: Path | None,
    respondents: int,
    seed: int,
    database: str | None,
    webhook_workers: int = 0,
    out: Path = DEFAULT_OUT,
    minimum_sample: int | None = None,
    framework: str = "aiogram",
) -> str:
    """Rehearse the campaign; return the report to print.

    `webhook_workers` > 0: updates come by webhook (the local server POSTs them like
    Telegram) and that many inbox workers claim them concurrently; else by polling.
    `minimum_sample` rehearses with that minimum instead of the campaign file's.
    """
    source = campaign_file or DEFAULT_CAMPAIGN
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="pingyi-demo-") as tmp:
        folder = campaign_folder(Path(tmp), source, minimum_sample)
        url = database or f"sqlite+aiosqlite:///{tmp}/demo.db"
        hooked = webhook_workers
        campaign, scores, log = await _rehearse(
            folder, url, respondents, seed, out, hooked, framework
        )
    name = "SQLite" if url.startswith("sqlite") else url.split(":")[0]
    minimum_in_file = load_campaign(source).rules.minimum_sample
    setting = Setting(name, time.perf_counter() - started, minimum_in_file)
    return report(campaign, scores, log, setting)


async def _rehearse(
    folder: Path,
    url: str,
    respondents: int,
    seed: int,
    out: Path,
    webhook_workers: int,
    framework: str,
) -> tuple[Campaign, CampaignScores, RunLog]:
    """Start the bot on the campaign in `folder`, rehearse, read the final scores."""
    campaign = load_campaign(folder / "campaign.yaml")
    clock = FixedClock.on_day(next(iter(survey_days(campaign))))
    rng = random.Random(seed)
    crowd = people(campaign, respondents, rng)
    async with running_bot(folder, url, clock, webhook_workers, framework) as (api, services):
        stage = Stage(api, services, services.registry.campaigns[campaign.id], clock)
        log = await rehearse(stage, crowd, out, rng)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, campaign.id)
    assert scores is not None
    return stage.campaign, scores, log
