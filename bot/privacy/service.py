"""The privacy engine: a person's data as a JSON document, erasing it, and retention."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
from collections.abc import Callable
from typing import Any

from bot.core.clock import Clock
from bot.core.registry import Registry
from storage.privacy import Erased, forget, new_anonymous_id, personal_data, purge_closed
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 180
RETENTION_INTERVAL = 3600.0  # seconds between retention rounds: the cutoff is in days


class PrivacyService:
    """What a person may ask about their own data, and the retention rule."""

    def __init__(
        self,
        db: Database,
        registry: Registry,
        clock: Clock,
        retention_days: int = DEFAULT_RETENTION_DAYS,
    ) -> None:
        """Serve `db`; closed cases lose their complainant after `retention_days`."""
        self.db, self.registry, self.clock = db, registry, clock
        self.retention_days = retention_days
        # Told of each person erased (after the commit): caches must drop them.
        self.on_forgotten: list[Callable[[int], None]] = []

    async def my_data(self, uow: UnitOfWork, rid: int) -> bytes:
        """Everything the bot holds about person `rid`, as a UTF-8 JSON document."""
        document: dict[str, Any] = {
            "generated_at": self.clock.now().isoformat(),
            "telegram_user_id": rid,
            **await personal_data(uow, rid),
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")

    async def forget(self, uow: UnitOfWork, rid: int) -> Erased:
        """Erase person `rid` (see storage/privacy.py for what is kept, unlinked).

        Whatever the update staged is committed first — the update log mark, maybe a
        refreshed row for this person — so nothing written later brings them back.
        """
        await uow.commit()
        close = frozenset(
            campaign.id
            for campaign in self.registry.campaigns.values()
            if campaign.complaints is not None and campaign.complaints.on_forget == "close"
        )
        now, anon = self.clock.now(), new_anonymous_id()
        erased = await uow.run_exclusive(lambda conn: forget(conn, rid, anon, now, close))
        for listener in self.on_forgotten:
            listener(rid)
        return erased

    async def purge_expired(self) -> int:
        """Erase complainant identity, contact and evidence of cases closed too long ago."""
        now = self.clock.now()
        cutoff = now - dt.timedelta(days=self.retention_days)
        async with self.db.unit_of_work() as uow:
            return await uow.run_exclusive(lambda conn: purge_closed(conn, cutoff, now))

    async def run_retention(self, interval: float = RETENTION_INTERVAL) -> None:
        """Purge every `interval` seconds until cancelled; a failed round is retried."""
        while True:
            try:
                purged = await self.purge_expired()
                if purged:
                    log.info("retention: %d closed complaints purged", purged)
            except Exception:
                log.exception("retention: round failed")
            await asyncio.sleep(interval)
