"""A citizen's data: everything held about one person, erasing it, and the retention purge.

Erasing keeps what the published aggregates need — answers, questionnaire rows,
the facts of a complaint — re-keyed to a fresh *anonymous respondent*: a row whose
id lies below -2^53, outside every Telegram user or chat id (those fit in 52 bits),
so nothing can ever be sent to it and it can never be a real person.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, func, insert, literal, select, update

from storage.access import write_audit
from storage.models import (
    Answer,
    BroadcastJob,
    BroadcastRecipient,
    Code,
    Complaint,
    ComplaintDraft,
    ComplaintEntry,
    Conversation,
    Grant,
    InboxUpdate,
    Membership,
    RectificationRating,
    ReminderMark,
    Respondent,
    Submission,
    Unit,
    UnitFollower,
)
from storage.uow import UnitOfWork

ANONYMOUS_BELOW = -(2**53)
EVIDENCE = ("photo", "document")
ANONYMOUS_LOCALE = "zh-Hans"  # the person's language is personal data too


def new_anonymous_id() -> int:
    """A fresh id for an anonymous respondent, in [-2^62, -2^53)."""
    return ANONYMOUS_BELOW - secrets.randbelow(2**62 + ANONYMOUS_BELOW)


def is_anonymous(respondent_id: int) -> bool:
    """True for the id of an anonymous respondent (no person behind it)."""
    return respondent_id < ANONYMOUS_BELOW


@dataclass(frozen=True)
class Erased:
    """What `forget` did, in counts only (it goes into the audit log)."""

    answers: int
    questionnaires: int
    suggestions: int
    complaints_closed: int
    complaints_anonymised: int
    evidence_files: int
    grants: int
    codes: int
    deliveries: int


# -- what is held about a person ---------------------------------------------------------


async def personal_data(uow: UnitOfWork, rid: int) -> dict[str, Any]:
    """Every row that names this person, grouped by what it is (JSON-ready values)."""
    s = uow.session
    complaints = await _rows(uow, select(Complaint).where(Complaint.complainant_id == rid))
    ids = [c["id"] for c in complaints]
    entries = await _rows(
        uow,
        select(ComplaintEntry)
        .where(ComplaintEntry.complaint_id.in_(ids))
        .order_by(ComplaintEntry.id),
    )
    for complaint in complaints:
        complaint["entries"] = [e for e in entries if e["complaint_id"] == complaint["id"]]
    respondent = await _rows(uow, select(Respondent).where(Respondent.id == rid))
    deliveries = select(
        BroadcastRecipient.job_id,
        BroadcastJob.kind,
        BroadcastRecipient.locale,
        BroadcastRecipient.state,
        BroadcastRecipient.updated_at,
    ).join(BroadcastJob, BroadcastJob.id == BroadcastRecipient.job_id)
    return {
        "respondent": respondent[0] if respondent else None,
        "memberships": await _rows(uow, select(Membership).where(Membership.respondent_id == rid)),
        "questionnaires": await _rows(
            uow, select(Submission).where(Submission.respondent_id == rid)
        ),
        "answers": await _rows(uow, select(Answer).where(Answer.respondent_id == rid)),
        "complaints": complaints,
        "complaint_draft": await _rows(
            uow, select(ComplaintDraft).where(ComplaintDraft.respondent_id == rid)
        ),
        "conversation": await _rows(
            uow, select(Conversation).where(Conversation.respondent_id == rid)
        ),
        "roles": await _rows(uow, select(Grant).where(Grant.user_id == rid)),
        "codes_redeemed": await _rows(uow, select(Code).where(Code.used_by == rid)),
        "broadcast_deliveries": [
            _jsonable(dict(row._mapping))
            for row in await s.execute(deliveries.where(BroadcastRecipient.user_id == rid))
        ],
        "reminders": await _rows(
            uow, select(ReminderMark).where(ReminderMark.respondent_id == rid)
        ),
        "units_followed": await _rows(
            uow, select(UnitFollower).where(UnitFollower.respondent_id == rid)
        ),
        "rectification_verdicts": await _rows(
            uow, select(RectificationRating).where(RectificationRating.respondent_id == rid)
        ),
        "updates_received": [  # as Telegram delivered them; kept a day after handling
            {**row, "payload": json.loads(row["payload"])}
            for row in await _rows(
                uow,
                select(InboxUpdate)
                .where(InboxUpdate.person == rid)
                .order_by(InboxUpdate.update_id),
            )
        ],
    }


async def _rows(uow: UnitOfWork, stmt: Any) -> list[dict[str, Any]]:
    """ORM rows as plain dicts of their columns."""
    result = await uow.session.execute(stmt)
    return [
        _jsonable({c.key: getattr(obj, c.key) for c in obj.__table__.columns})
        for obj in result.scalars()
    ]


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    """Dates as ISO strings; everything else is already JSON."""
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in row.items()}


# -- erasing a person (/forget) ---------------------------------------------------------------


def forget(
    conn: Connection, rid: int, anon: int, now: dt.datetime, close_campaigns: frozenset[str]
) -> Erased:
    """Erase person `rid`, keeping what aggregates need under anonymous respondent `anon`.

    Complaints still being handled are closed if their campaign is in
    `close_campaigns`, otherwise anonymised (their text kept so the unit can
    still answer it).  Run inside the writer's transaction: all or nothing.
    """
    person = conn.execute(select(Respondent.first_seen).where(Respondent.id == rid)).first()
    first_seen = person.first_seen if person is not None else now
    conn.execute(
        insert(Respondent).values(
            id=anon,
            locale=ANONYMOUS_LOCALE,
            locale_chosen=False,
            # first_seen stays: the fairness check looks for bursts of new accounts.
            first_seen=first_seen,
            last_seen=first_seen,
            active=False,
        )
    )
    questionnaires, suggestions, answers = _move_answers(conn, rid, anon)
    closed, anonymised, files = _unlink_complaints(conn, rid, anon, now, close_campaigns)
    for table, column in (
        (Membership, Membership.respondent_id),
        (Conversation, Conversation.respondent_id),
        (ComplaintDraft, ComplaintDraft.respondent_id),
        (ReminderMark, ReminderMark.respondent_id),
        (UnitFollower, UnitFollower.respondent_id),  # following is about the person
    ):
        conn.execute(delete(table).where(column == rid))
    # A verdict on a rectification still counts, like an answer, under the anonymous id.
    conn.execute(
        update(RectificationRating)
        .where(RectificationRating.respondent_id == rid)
        .values(respondent_id=anon)
    )
    # The updates as Telegram sent them (their texts, names, contacts) go too; the one
    # being handled now (pending) is purged with the other handled updates within a day.
    conn.execute(
        delete(InboxUpdate).where(InboxUpdate.person == rid, InboxUpdate.state != "pending")
    )
    grants = conn.execute(delete(Grant).where(Grant.user_id == rid)).rowcount
    codes = conn.execute(update(Code).where(Code.used_by == rid).values(used_by=anon)).rowcount
    deliveries = conn.execute(
        update(BroadcastRecipient).where(BroadcastRecipient.user_id == rid).values(user_id=anon)
    ).rowcount
    conn.execute(delete(Respondent).where(Respondent.id == rid))
    erased = Erased(
        answers, questionnaires, suggestions, closed, anonymised, files, grants, codes, deliveries
    )
    _audit(conn, now, erased)
    return erased


def _move_answers(conn: Connection, rid: int, anon: int) -> tuple[int, int, int]:
    """Re-key questionnaires and answers to `anon`, dropping suggestions; the counts."""
    s = Submission
    suggestions = conn.execute(
        select(func.count()).where(s.respondent_id == rid, func.length(s.suggestion) > 0)
    ).scalar_one()
    columns = [c for c in s.__table__.columns if c.key not in ("respondent_id", "suggestion")]
    copied = select(literal(anon), *columns).where(s.respondent_id == rid)
    questionnaires = conn.execute(
        insert(s).from_select(["respondent_id", *[c.key for c in columns]], copied)
    ).rowcount
    answers = conn.execute(
        update(Answer).where(Answer.respondent_id == rid).values(respondent_id=anon)
    ).rowcount
    conn.execute(delete(s).where(s.respondent_id == rid))
    return questionnaires, int(suggestions), answers


def _unlink_complaints(
    conn: Connection, rid: int, anon: int, now: dt.datetime, close_campaigns: frozenset[str]
) -> tuple[int, int, int]:
    """Unlink the person's complaints; (closed now, anonymised, evidence files erased)."""
    c = Complaint
    mine = select(c.id).where(c.complainant_id == rid).scalar_subquery()
    files = _erase_evidence(conn, mine)
    handling = (c.complainant_id == rid) & (c.status != "closed")
    closing = handling & c.campaign_id.in_(close_campaigns)
    closed = conn.execute(
        update(c).where(closing).values(status="closed", closed_at=now, updated_at=now)
    ).rowcount
    anonymised = conn.execute(select(func.count()).where(handling)).scalar_one()
    # Free texts go with the person, except on a case still handled (the unit needs them).
    finished = select(c.id).where(c.complainant_id == rid, c.status == "closed")
    conn.execute(
        update(ComplaintEntry)
        .where(ComplaintEntry.complaint_id.in_(finished), ComplaintEntry.author == "citizen")
        .values(text="")
    )
    conn.execute(
        update(c)
        .where(c.complainant_id == rid, c.status == "closed")
        .values(text="", contact=None, updated_at=now)
    )
    conn.execute(update(c).where(c.complainant_id == rid).values(complainant_id=anon, contact=None))
    return closed, int(anonymised), files


def _erase_evidence(conn: Connection, complaint_ids: Any) -> int:
    """Delete the citizen's photos and documents of these complaints; how many."""
    e = ComplaintEntry
    return int(
        conn.execute(
            delete(e).where(
                e.complaint_id.in_(complaint_ids), e.author == "citizen", e.kind.in_(EVIDENCE)
            )
        ).rowcount
    )


def _audit(conn: Connection, now: dt.datetime, erased: Erased) -> None:
    """One audit entry with counts only: it must not name whom it erased."""
    write_audit(
        conn,
        now,
        None,
        "privacy.forget",
        "a respondent (at their request)",
        "/forget",
        dict(erased.__dict__),
    )


# -- retention: closed cases lose their complainant ------------------------------------------


def purge_closed(conn: Connection, closed_before: dt.datetime, now: dt.datetime) -> int:
    """Erase complainant identity, contact and evidence of cases closed before the cutoff.

    Each purged complaint gets its own anonymous respondent, so purged cases cannot
    be linked to each other.  Returns how many complaints were purged.
    """
    c = Complaint
    due = conn.execute(
        select(c.id, c.filed_at).where(
            c.status == "closed", c.closed_at < closed_before, c.complainant_id > ANONYMOUS_BELOW
        )
    ).all()
    for complaint_id, filed_at in due:
        anon = new_anonymous_id()
        conn.execute(
            insert(Respondent).values(
                id=anon,
                locale=ANONYMOUS_LOCALE,
                locale_chosen=False,
                first_seen=filed_at,
                last_seen=filed_at,
                active=False,
            )
        )
        _erase_evidence(conn, [complaint_id])
        conn.execute(
            update(c)
            .where(c.id == complaint_id)
            .values(complainant_id=anon, contact=None, updated_at=now)
        )
    if due:
        write_audit(
            conn,
            now,
            None,
            "privacy.retention",
            f"{len(due)} closed complaints",
            f"closed before {closed_before.date().isoformat()}",
            {"complaints": len(due)},
        )
    return len(due)


# -- the raw export ------------------------------------------------------------------------------


RawAnswer = tuple[int, str, str, str, str, str, dt.datetime]


async def raw_answers(uow: UnitOfWork) -> list[RawAnswer]:
    """(respondent, campaign, unit code, component, item, level, answered_at) of every
    answer of a submitted, not voided questionnaire — the answers that count."""
    a, s = Answer, Submission
    stmt = (
        select(
            a.respondent_id, s.campaign_id, Unit.code, a.component, a.item, a.level, a.answered_at
        )
        .join(
            s,
            (s.respondent_id == a.respondent_id)
            & (s.unit_id == a.unit_id)
            & (s.component == a.component),
        )
        .join(Unit, Unit.id == a.unit_id)
        .where(s.status == "submitted", s.voided.is_(False))
        .order_by(s.campaign_id, Unit.code, a.component, a.item, a.answered_at)
    )
    return [tuple(row) for row in await uow.session.execute(stmt)]  # type: ignore[misc]
