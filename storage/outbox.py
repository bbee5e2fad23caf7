"""The outbox's tables: jobs, their recipients and each send's outcome.

A job is a bulk message (broadcast, phase notice, reminders) or one single
delivery (a complaint card, a file, a reminder to a handler).  Each recipient
row moves ``pending → sending → sent | blocked | failed | unknown``; see
bot/outbox/queue.py for the guarantees built on it.  Nothing here commits on its
own: every write goes through the group-commit writer.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import Connection, bindparam, func, insert, select, update

from storage.models import BroadcastJob, BroadcastRecipient, OutboxUpload, Respondent
from storage.uow import Database
from storage.writer import Op, Prepared

RUNNING, DONE, CANCELLED, DRAFT = "running", "done", "cancelled", "draft"
PENDING, SENDING, SENT, BLOCKED, FAILED, UNKNOWN = (
    "pending",
    "sending",
    "sent",
    "blocked",
    "failed",
    "unknown",
)
FINAL_STATES = (SENT, BLOCKED, FAILED, UNKNOWN)
DELIVERY = "delivery"  # the kind of a single message to one chat

_J, _R = BroadcastJob, BroadcastRecipient
_RANK = 50  # after any respondent upsert staged in the same batch
_MARK = Prepared(
    update(_R)
    .where(_R.job_id == bindparam("j"), _R.user_id == bindparam("u"), _R.state == PENDING)
    .values(state=SENDING, attempts=_R.attempts + 1, updated_at=bindparam("now")),
    _RANK,
    "outbox_mark_sending",
)
_OUTCOME = Prepared(
    update(_R)
    .where(_R.job_id == bindparam("j"), _R.user_id == bindparam("u"), _R.state == SENDING)
    .values(state=bindparam("state"), error=bindparam("error"), updated_at=bindparam("now")),
    _RANK,
    "outbox_outcome",
)
_INACTIVE = Prepared(
    update(Respondent).where(Respondent.id == bindparam("u")).values(active=False),
    _RANK + 1,
    "respondent_inactive",
)


@dataclass
class Progress:
    """Counts of one job's recipients by state."""

    job_id: int
    status: str
    total: int
    counts: dict[str, int] = field(default_factory=dict)
    kind: str = "broadcast"
    created_by: int | None = None
    status_chat_id: int | None = None
    status_message_id: int | None = None

    @property
    def done(self) -> int:
        """Recipients whose delivery is decided."""
        return sum(self.counts.get(s, 0) for s in FINAL_STATES)

    def count(self, state: str) -> int:
        """How many recipients are in `state`."""
        return self.counts.get(state, 0)


@dataclass(frozen=True)
class QueuedJob:
    """A running job's message: text per locale, optional file and inline keyboard."""

    id: int
    texts: dict[str, str]
    media_kind: str | None
    media_file_id: str | None
    markup: dict[str, Any] | None
    watched: bool = False  # an admin watches its progress in a status message
    single: bool = False  # a delivery: one message to one chat
    upload_id: int | None = None  # a file uploaded with it (`Upload`), sent as a photo


@dataclass(frozen=True)
class Upload:
    """A file uploaded with a message (e.g. a drawn chart), stored once for every
    delivery queued with the same `Upload`."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Single:
    """One message to one chat, rendered in the recipient's language at enqueue time."""

    chat_id: int
    locale: str
    text: str
    markup: dict[str, Any] | None = None  # an inline keyboard, as Bot API JSON
    media_kind: str | None = None  # photo | document (then `text` is the caption)
    media_file_id: str | None = None
    upload: Upload | None = None  # a file to upload instead of a file_id (media_kind photo)


class Selection(Protocol):
    """Who a bulk job goes to, chosen (and marked) inside the job's own transaction."""

    def choose(self, conn: Connection) -> list[tuple[int, str]]:
        """Every (chat id, locale) the job goes to."""
        ...

    def mark(self, conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
        """Record the decision beside the job (e.g. reminder marks); may do nothing."""
        ...


class OutboxStore:
    """Reads and writes of the outbox; writes through the database's one writer."""

    def __init__(self, db: Database) -> None:
        """Work on `db`."""
        self.db = db

    async def create(
        self,
        selection: Selection,
        texts: dict[str, str],
        *,
        kind: str,
        now: dt.datetime,
        audience: dict[str, Any],
        actor: int | None = None,
        media: tuple[str | None, str | None] = (None, None),
        status_chat: tuple[int, int] | None = None,
        skip_empty: bool = False,
    ) -> int | None:
        """A running job and every recipient row in one transaction; None if none and skipped."""

        def write(conn: Connection) -> int | None:
            chosen = selection.choose(conn)
            if skip_empty and not chosen:
                return None
            values = {
                "kind": kind,
                "created_by": actor,
                "audience": audience,
                "texts": texts,
                "media_kind": media[0],
                "media_file_id": media[1],
                "status_chat_id": status_chat[0] if status_chat else None,
                "status_message_id": status_chat[1] if status_chat else None,
            }
            job_id = _insert_job(conn, now, len(chosen), values)
            _insert_recipients(conn, job_id, chosen)
            selection.mark(conn, job_id, chosen)
            return job_id

        return await self.db.writer.run(write)

    async def enqueue(self, messages: Sequence[Single], now: dt.datetime) -> list[int]:
        """One delivery job per message, all in one transaction, in order."""

        def write(conn: Connection) -> list[int]:
            ids, uploads = [], _Uploads(conn)
            for m in messages:
                values = {
                    "kind": DELIVERY,
                    "texts": {m.locale: m.text},
                    "media_kind": m.media_kind,
                    "media_file_id": m.media_file_id,
                    "markup": m.markup,
                    "audience": {"kind": "chat"},
                    "upload_id": uploads.id_of(m.upload),
                }
                job_id = _insert_job(conn, now, 1, values)
                _insert_recipients(conn, job_id, [(m.chat_id, m.locale)])
                ids.append(job_id)
            return ids

        return await self.db.writer.run(write)

    async def start_draft(
        self,
        draft_id: int,
        selection: Selection,
        audience: dict[str, Any],
        status_chat: tuple[int, int] | None,
        now: dt.datetime,
    ) -> None:
        """Turn a draft into a running job for `selection` (a second call does nothing)."""

        def write(conn: Connection) -> None:
            chosen = selection.choose(conn)
            started = conn.execute(
                update(_J)
                .where(_J.id == draft_id, _J.status == DRAFT)
                .values(
                    status=RUNNING,
                    started_at=now,
                    audience=audience,
                    total=len(chosen),
                    compose_step=None,
                    status_chat_id=status_chat[0] if status_chat else None,
                    status_message_id=status_chat[1] if status_chat else None,
                )
            )
            if started.rowcount:  # a second tap on "send" finds it running: nothing more
                _insert_recipients(conn, draft_id, chosen)

        await self.db.writer.run(write)

    async def cancel(self, job_id: int, now: dt.datetime) -> bool:
        """Mark a running job (or draft) cancelled; False if it was neither."""

        def write(conn: Connection) -> bool:
            done = conn.execute(
                update(_J)
                .where(_J.id == job_id, _J.status.in_((RUNNING, DRAFT)))
                .values(status=CANCELLED, finished_at=now)
            )
            return bool(done.rowcount)

        return await self.db.writer.run(write)

    async def close(self, job_id: int, now: dt.datetime) -> None:
        """A running job with nothing left to send is done."""
        await self.db.writer.run(
            lambda conn: conn.execute(
                update(_J)
                .where(_J.id == job_id, _J.status == RUNNING)
                .values(status=DONE, finished_at=now)
            )
        )

    async def progress(self, job_id: int) -> Progress:
        """Counts of a job's recipients by state (KeyError: no such job)."""
        async with self.db.unit_of_work() as uow:
            job = await uow.session.get(_J, job_id)
            if job is None:
                raise KeyError(job_id)
            rows = await uow.session.execute(
                select(_R.state, func.count()).where(_R.job_id == job_id).group_by(_R.state)
            )
            counts = {str(state): int(n) for state, n in rows}
            return Progress(
                job.id,
                job.status,
                job.total,
                counts,
                job.kind,
                job.created_by,
                job.status_chat_id,
                job.status_message_id,
            )

    async def latest(self, limit: int, *, deliveries: bool = False) -> list[int]:
        """The ids of the latest jobs (drafts, and single deliveries unless asked), newest first."""
        query = select(_J.id).where(_J.status != DRAFT)
        if not deliveries:
            query = query.where(_J.kind != DELIVERY)
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(query.order_by(_J.id.desc()).limit(limit))
            return [int(i) for i in rows.scalars()]

    async def running(self) -> list[QueuedJob]:
        """Every running job's message."""
        async with self.db.unit_of_work() as uow:
            rows = (await uow.session.execute(select(_J).where(_J.status == RUNNING))).scalars()
            return [
                QueuedJob(
                    j.id,
                    dict(j.texts),
                    j.media_kind,
                    j.media_file_id,
                    dict(j.markup) if j.markup else None,
                    j.status_message_id is not None,
                    j.kind == DELIVERY,
                    j.upload_id,
                )
                for j in rows
            ]

    async def pending(self, job_id: int, after: int, limit: int) -> list[tuple[int, str, int]]:
        """The next pending recipients of a job after `after`: (chat id, locale, attempts)."""
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(_R.user_id, _R.locale, _R.attempts)
                .where(_R.job_id == job_id, _R.state == PENDING, _R.user_id > after)
                .order_by(_R.user_id)
                .limit(limit)
            )
            return [(int(u), str(loc), int(a)) for u, loc, a in rows]

    async def mark_sending(self, job_id: int, chat_id: int, now: dt.datetime) -> None:
        """Committed before the Bot API call: a crash from here on leaves it ``unknown``."""
        await self.db.writer.write([Op(_MARK, {"j": job_id, "u": chat_id, "now": now})])

    async def record(
        self, job_id: int, chat_id: int, state: str, error: str | None, now: dt.datetime
    ) -> None:
        """A send's outcome; a 403 also marks the person inactive."""
        params = {"j": job_id, "u": chat_id, "state": state, "error": error, "now": now}
        ops = [Op(_OUTCOME, params)]
        if state == BLOCKED:
            ops.append(Op(_INACTIVE, {"u": chat_id}))
        await self.db.writer.write(ops)

    async def recover(self, now: dt.datetime) -> int:
        """Rows left ``sending`` by a dead process become ``unknown``; how many."""

        def write(conn: Connection) -> int:
            result = conn.execute(
                update(_R)
                .where(_R.state == SENDING)
                .values(
                    state=UNKNOWN,
                    error="in doubt: the process stopped during the call",
                    updated_at=now,
                )
            )
            return int(result.rowcount or 0)

        return await self.db.writer.run(write)

    async def upload(self, upload_id: int) -> Upload:
        """A stored upload."""
        async with self.db.unit_of_work() as uow:
            stmt = select(OutboxUpload.filename, OutboxUpload.data)
            name, data = (await uow.session.execute(stmt.where(OutboxUpload.id == upload_id))).one()
            return Upload(str(name), bytes(data))

    async def totals(self) -> dict[tuple[str, str], int]:
        """Messages by job kind and delivery state, over every job (metrics)."""
        stmt = (
            select(BroadcastJob.kind, _R.state, func.count())
            .join(BroadcastJob, BroadcastJob.id == _R.job_id)
            .where(BroadcastJob.status != "draft")
            .group_by(BroadcastJob.kind, _R.state)
        )
        async with self.db.sessions() as session:
            rows = (await session.execute(stmt)).all()
        return {(kind, state): count for kind, state, count in rows}

    async def outcomes(self, job_ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
        """The state and error of each single delivery (job id → (state, error))."""
        async with self.db.unit_of_work() as uow:
            rows = await uow.session.execute(
                select(_R.job_id, _R.state, _R.error).where(_R.job_id.in_(list(job_ids)))
            )
            return {int(j): (str(s), e) for j, s, e in rows}


def _insert_job(conn: Connection, now: dt.datetime, total: int, values: dict[str, Any]) -> int:
    """A running job row; its id."""
    row = values | {"status": RUNNING, "created_at": now, "started_at": now, "total": total}
    return int(conn.execute(insert(_J).values(**row).returning(_J.id)).scalar_one())


def _insert_recipients(conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
    """Every recipient of a job, pending."""
    for start in range(0, len(chosen), 5000):
        conn.execute(
            insert(_R),
            [
                {"job_id": job_id, "user_id": uid, "locale": loc, "state": PENDING, "attempts": 0}
                for uid, loc in chosen[start : start + 5000]
            ],
        )


class _Uploads:
    """Each distinct `Upload` of one enqueue, inserted once."""

    def __init__(self, conn: Connection) -> None:
        """Insert on `conn`."""
        self.conn = conn
        self.ids: dict[int, int] = {}

    def id_of(self, upload: Upload | None) -> int | None:
        """The stored upload's id (inserted at its first use); None for no upload."""
        if upload is None:
            return None
        if id(upload) not in self.ids:
            values = {"filename": upload.filename, "data": upload.data}
            stmt = insert(OutboxUpload).values(**values).returning(OutboxUpload.id)
            self.ids[id(upload)] = int(self.conn.execute(stmt).scalar_one())
        return self.ids[id(upload)]
