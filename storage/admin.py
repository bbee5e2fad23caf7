"""The admin feature's queries: audiences, reminder and phase-notice selections, phase
overrides, and the fairness checks' reads and writes.

An audience is data (`Audience`), stored with its job so `/broadcast status`
can say who was meant.  Each kind maps to a query that returns the rows
``(user_id, locale)`` of active respondents; a new kind is one more entry in
`AUDIENCES` (`register_audience`).  Kinds that read another feature's tables
(complaints) name those tables in `needs`, and are refused with
`AudienceUnavailable` while those tables do not exist.

The selections (`ByAudience`, `PhaseNotice`, `DueReminders`) are what the
outbox calls inside a job's own transaction to choose its recipients and to
write the marks that make each decision once-only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    column,
    delete,
    exists,
    insert,
    inspect,
    select,
    table,
    update,
)

from storage.models import (
    Answer,
    Membership,
    PhaseNoticeMark,
    PhaseOverride,
    ReminderMark,
    Respondent,
    Submission,
)
from storage.uow import Database, UnitOfWork

# The complaint desk's table, named lightly: this module must not depend on its model.
_complaints = table("complaints", column("complainant_id"), column("unit_id"), column("status"))
_CLOSED_COMPLAINT = "closed"


@dataclass(frozen=True)
class Audience:
    """A segment of respondents (fields used depend on `kind`)."""

    kind: str  # everyone | category | raters | complainants | started | open_complaints
    campaign_id: str | None = None
    category: str | None = None
    unit_id: int | None = None
    public: bool = False  # category: it is the campaign's public category

    def to_json(self) -> dict[str, Any]:
        """The audience as stored with its job."""
        return {k: v for k, v in asdict(self).items() if v not in (None, False)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        """The audience stored with a job."""
        return cls(**data)


class AudienceUnavailable(Exception):
    """The audience reads a table this installation does not have (yet)."""


Query = Callable[[Audience], Select[int, str]]


@dataclass(frozen=True)
class AudienceKind:
    """How to select one kind of audience, and which tables it needs."""

    query: Query
    needs: tuple[str, ...] = ()


AUDIENCES: dict[str, AudienceKind] = {}


def register_audience(kind: str, query: Query, needs: tuple[str, ...] = ()) -> None:
    """Teach the outbox a new kind of audience."""
    AUDIENCES[kind] = AudienceKind(query, needs)


def _active() -> Select[int, str]:
    """Every respondent who has not blocked the bot, with their locale."""
    return select(Respondent.id, Respondent.locale).where(Respondent.active.is_(True))


def _everyone(a: Audience) -> Select[int, str]:
    return _active()


def _category(a: Audience) -> Select[int, str]:
    member = select(Membership.respondent_id).where(
        Membership.campaign_id == a.campaign_id, Membership.respondent_id == Respondent.id
    )
    if a.public:  # the public category is everyone without another category
        return _active().where(~exists(member.where(Membership.category != a.category)))
    return _active().where(exists(member.where(Membership.category == a.category)))


def _raters(a: Audience) -> Select[int, str]:
    rated = select(Submission.respondent_id).where(
        Submission.respondent_id == Respondent.id,
        Submission.unit_id == a.unit_id,
        Submission.status == "submitted",
    )
    return _active().where(exists(rated))


def _started(a: Audience) -> Select[int, str]:
    drafts = select(Submission.respondent_id).where(
        Submission.respondent_id == Respondent.id, Submission.status == "draft"
    )
    if a.campaign_id is not None:
        drafts = drafts.where(Submission.campaign_id == a.campaign_id)
    return _active().where(exists(drafts))


def _complainants(a: Audience) -> Select[int, str]:
    filed = select(_complaints.c.complainant_id).where(
        _complaints.c.complainant_id == Respondent.id, _complaints.c.unit_id == a.unit_id
    )
    return _active().where(exists(filed))


def _open_complaints(a: Audience) -> Select[int, str]:
    filed = select(_complaints.c.complainant_id).where(
        _complaints.c.complainant_id == Respondent.id,
        _complaints.c.status != _CLOSED_COMPLAINT,
    )
    return _active().where(exists(filed))


register_audience("everyone", _everyone)
register_audience("category", _category)
register_audience("raters", _raters)
register_audience("started", _started)
register_audience("complainants", _complainants, needs=("complaints",))
register_audience("open_complaints", _open_complaints, needs=("complaints",))


def recipients(conn: Connection, audience: Audience) -> list[tuple[int, str]]:
    """Every (user id, locale) of an audience, in user id order (or AudienceUnavailable)."""
    kind = AUDIENCES.get(audience.kind)
    if kind is None:
        raise AudienceUnavailable(audience.kind)
    if kind.needs:
        present = set(inspect(conn).get_table_names())
        if not set(kind.needs) <= present:
            raise AudienceUnavailable(audience.kind)
    query = kind.query(audience).order_by(Respondent.id)
    return [(int(uid), str(loc)) for uid, loc in conn.execute(query)]


async def audience_size(db: Database, audience: Audience) -> int:
    """How many people an audience reaches now (AudienceUnavailable if it cannot)."""
    async with db.unit_of_work() as uow:
        return await uow.session.run_sync(
            lambda session: len(recipients(session.connection(), audience))
        )


@dataclass(frozen=True)
class ByAudience:
    """A broadcast's recipients: its audience, nothing marked."""

    audience: Audience

    def choose(self, conn: Connection) -> list[tuple[int, str]]:
        """Everyone in the audience now."""
        return recipients(conn, self.audience)

    def mark(self, conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
        """Nothing to mark."""


@dataclass(frozen=True)
class PhaseNotice:
    """A phase's opening notice: everyone, once per phase ever (the mark's key)."""

    campaign_id: str
    phase_id: str
    now: dt.datetime

    def choose(self, conn: Connection) -> list[tuple[int, str]]:
        """Everyone, unless the notice was queued before."""
        done = conn.execute(
            select(PhaseNoticeMark.job_id).where(
                PhaseNoticeMark.campaign_id == self.campaign_id,
                PhaseNoticeMark.phase_id == self.phase_id,
            )
        ).first()
        return [] if done is not None else recipients(conn, Audience("everyone"))

    def mark(self, conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
        """The phase has had its notice."""
        conn.execute(
            insert(PhaseNoticeMark).values(
                campaign_id=self.campaign_id, phase_id=self.phase_id, job_id=job_id, at=self.now
            )
        )


@dataclass(frozen=True)
class DueReminders:
    """Active respondents with an unsubmitted draft started before a time, not yet reminded."""

    campaign_id: str
    phase_id: str
    components: tuple[str, ...]
    kind: str  # delay | closing
    started_before: dt.datetime
    now: dt.datetime

    def choose(self, conn: Connection) -> list[tuple[int, str]]:
        """Who is due this reminder now."""
        s, m, r = Submission, ReminderMark, Respondent
        draft = select(s.respondent_id).where(
            s.respondent_id == r.id,
            s.campaign_id == self.campaign_id,
            s.component.in_(self.components),
            s.status == "draft",
            s.voided.is_(False),
            s.started_at <= self.started_before,
        )
        reminded = select(m.respondent_id).where(
            and_(
                m.respondent_id == r.id,
                m.campaign_id == self.campaign_id,
                m.phase_id == self.phase_id,
                m.kind == self.kind,
            )
        )
        query = (
            select(r.id, r.locale)
            .where(r.active.is_(True), exists(draft), ~exists(reminded))
            .order_by(r.id)
        )
        return [(int(u), str(loc)) for u, loc in conn.execute(query)]

    def mark(self, conn: Connection, job_id: int, chosen: list[tuple[int, str]]) -> None:
        """Each chosen person has had this reminder (in the job's transaction)."""
        if not chosen:
            return
        conn.execute(
            insert(ReminderMark),
            [
                {
                    "respondent_id": uid,
                    "campaign_id": self.campaign_id,
                    "phase_id": self.phase_id,
                    "kind": self.kind,
                    "job_id": job_id,
                    "at": self.now,
                }
                for uid, _ in chosen
            ],
        )


# -- phases ----------------------------------------------------------------------------


async def phase_overrides(db: Database) -> dict[tuple[str, str], tuple[dt.date, dt.date]]:
    """Every admin's change to a phase's dates: (campaign, phase) → (start, end)."""
    async with db.unit_of_work() as uow:
        rows = await uow.session.execute(select(PhaseOverride))
        return {(o.campaign_id, o.phase_id): (o.start, o.end) for o in rows.scalars()}


def set_phase_dates(
    conn: Connection,
    campaign_id: str,
    phase_id: str,
    dates: tuple[dt.date, dt.date] | None,
    by: int | None,
    now: dt.datetime,
) -> None:
    """Replace a phase's override with `dates` (None: back to the campaign file's)."""
    o = PhaseOverride
    conn.execute(delete(o).where(o.campaign_id == campaign_id, o.phase_id == phase_id))
    if dates is not None:
        conn.execute(
            insert(o).values(
                campaign_id=campaign_id,
                phase_id=phase_id,
                start=dates[0],
                end=dates[1],
                set_by=by,
                set_at=now,
            )
        )


# -- fairness --------------------------------------------------------------------------


def void_submissions(
    conn: Connection, respondent_id: int, campaign_id: str, now: dt.datetime
) -> int:
    """Void every questionnaire of a respondent in a campaign; how many."""
    s = Submission
    done = conn.execute(
        update(s)
        .where(s.respondent_id == respondent_id, s.campaign_id == campaign_id, s.voided.is_(False))
        .values(voided=True, updated_at=now)
    )
    return int(done.rowcount or 0)


def void_drafts(
    conn: Connection,
    respondent_id: int,
    campaign_id: str,
    components: list[str],
    now: dt.datetime,
) -> int:
    """Void a respondent's unsubmitted questionnaires of some components; how many."""
    s = Submission
    done = conn.execute(
        update(s)
        .where(
            s.respondent_id == respondent_id,
            s.campaign_id == campaign_id,
            s.component.in_(components),
            s.status != "submitted",
            s.voided.is_(False),
        )
        .values(voided=True, updated_at=now)
    )
    return int(done.rowcount or 0)


AnswerRow = tuple[int, str, int, dt.datetime, str, str]


async def submitted_answers(uow: UnitOfWork, campaign_id: str) -> list[AnswerRow]:
    """Every answer of the campaign's submitted, non-voided questionnaires:
    (unit, component, respondent, respondent's first_seen, item, level)."""
    s, a, r = Submission, Answer, Respondent
    rows = await uow.session.execute(
        select(s.unit_id, s.component, s.respondent_id, r.first_seen, a.item, a.level)
        .join(r, r.id == s.respondent_id)
        .join(
            a,
            (a.respondent_id == s.respondent_id)
            & (a.unit_id == s.unit_id)
            & (a.component == s.component),
        )
        .where(s.campaign_id == campaign_id, s.status == "submitted", s.voided.is_(False))
    )
    return [(int(u), str(c), int(rid), seen, str(i), str(lv)) for u, c, rid, seen, i, lv in rows]
