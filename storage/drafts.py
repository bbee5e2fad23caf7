"""Broadcast drafts: an outbox job in status ``draft`` that an admin is composing.

`compose_step` says what the admin's next message is: ``text:<locale>`` or
``unit:<kind>`` (a typed search for the unit of a raters/complainants audience).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from storage.models import BroadcastJob
from storage.outbox import CANCELLED, DRAFT
from storage.uow import Database

_J = BroadcastJob


@dataclass(frozen=True)
class Draft:
    """A broadcast being composed."""

    id: int
    texts: dict[str, str]
    step: str | None
    media_kind: str | None
    media_file_id: str | None
    audience: dict[str, Any] | None = None  # the audience of its preview


class DraftStore:
    """Reads and writes of drafts, through the database's one writer."""

    def __init__(self, db: Database) -> None:
        """Work on `db`."""
        self.db = db

    async def awaiting(self) -> dict[int, int]:
        """Admin → draft id, for every draft awaiting the admin's next message."""
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(_J.created_by, _J.id).where(_J.status == DRAFT, _J.compose_step.is_not(None))
            )
            return {int(u): int(j) for u, j in rows if u is not None}

    async def new(self, actor: int, step: str, now: dt.datetime) -> int:
        """A new draft of `actor` (their older unsent draft is dropped); its id."""

        def write(conn: Connection) -> int:
            conn.execute(
                update(_J)
                .where(_J.created_by == actor, _J.status == DRAFT)
                .values(status=CANCELLED, finished_at=now, compose_step=None)
            )
            values = {"kind": "broadcast", "status": DRAFT, "created_by": actor}
            values |= {"created_at": now, "audience": {}, "texts": {}, "compose_step": step}
            return int(
                conn.execute(insert(_J).values(total=0, **values).returning(_J.id)).scalar_one()
            )

        return await self.db.writer.run(write)

    async def get(self, draft_id: int, actor: int | None = None) -> Draft | None:
        """A draft (of `actor`, if given), or None if it is no longer one."""
        query = select(_J).where(_J.status == DRAFT)
        query = query.where(_J.id == draft_id) if draft_id else query
        if actor is not None:
            query = query.where(_J.created_by == actor)
        async with self.db.unit_of_work() as uow:
            job = (await uow.session.execute(query.order_by(_J.id.desc()))).scalars().first()
            if job is None:
                return None
            audience = dict(job.audience) if job.audience else None
            return Draft(
                job.id,
                dict(job.texts),
                job.compose_step,
                job.media_kind,
                job.media_file_id,
                audience,
            )

    async def update(self, draft_id: int, **values: object) -> None:
        """Change a draft's columns (nothing if it is no longer a draft)."""
        await self.db.writer.run(
            lambda conn: conn.execute(
                update(_J).where(_J.id == draft_id, _J.status == DRAFT).values(**values)
            )
        )
