"""`pingyi export --raw`: one row per answer, the respondent a keyed hash, never a Telegram id.

The pseudonym is HMAC-SHA256(EXPORT_HASH_KEY, respondent id): stable across exports
made with the same key (one person's answers can be grouped), and without the key
nobody can test a guessed Telegram id against it — a plain hash of a 10-digit id
could be reversed by trying them all.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import hmac
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.core.clock import CHINA
from bot.core.registry import Registry
from storage.privacy import RawAnswer, raw_answers
from storage.uow import Database

RAW_FILE = "answers-raw.csv"
HEADER = ("respondent", "campaign", "unit", "component", "item", "level", "answered_on")


def pseudonym(key: bytes, respondent_id: int) -> str:
    """The keyed hash that stands for a respondent in raw exports (64 hex digits)."""
    return hmac.new(key, str(respondent_id).encode("ascii"), hashlib.sha256).hexdigest()


async def export_raw_answers(db: Database, registry: Registry, key: bytes, out: Path) -> Path:
    """Read the answers that count and write `answers-raw.csv` into folder `out`."""
    async with db.unit_of_work() as uow:
        rows = await raw_answers(uow)
    return await asyncio.to_thread(write_raw_answers, rows, registry, key, out)


def write_raw_answers(rows: list[RawAnswer], registry: Registry, key: bytes, out: Path) -> Path:
    """Write `answers-raw.csv` into folder `out`; return its path."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / RAW_FILE
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # BOM: Excel reads UTF-8
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for rid, campaign_id, unit, component, item, level, answered_at in rows:
            campaign = registry.campaigns.get(campaign_id)
            zone = ZoneInfo(campaign.timezone) if campaign is not None else CHINA
            day = answered_at.astimezone(zone).date().isoformat()  # dated where it runs
            writer.writerow((pseudonym(key, rid), campaign_id, unit, component, item, level, day))
    return path
