"""What evaluators enter: marks for manual components, bonus points, inspection findings.

Every entry is validated against the campaign file before it is stored, and
audited (who, when, what).  Amounts are kept in hundredths.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, insert, select, update

from bot.access.service import _audit
from bot.campaign.schema import Campaign, ComponentKind
from bot.core.clock import Clock
from bot.core.registry import Registry
from storage.models import Bonus, Finding, Mark
from storage.uow import UnitOfWork

MARKS_CSV_COLUMNS = ("campaign", "unit", "component", "label", "score", "note")


class EntryError(ValueError):
    """An entry the campaign file does not allow; `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        """Refuse with the message `scoring.error.<key>`."""
        super().__init__(key)
        self.key = key
        self.values = values


@dataclass(frozen=True)
class MarkEntry:
    """One mark to store."""

    campaign_id: str
    unit_id: int
    component: str
    label: str
    score_x100: int
    note: str = ""


def hundredths(text: str, low: Decimal, high: Decimal, what: str) -> int:
    """A decimal amount in [low, high] with at most two places, as hundredths."""
    try:
        value = Decimal(text.strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise EntryError("number", what=what, value=text) from None
    if (
        not value.is_finite()
        or not low <= value <= high
        or value != value.quantize(Decimal("0.01"))
    ):
        raise EntryError("range", what=what, value=text, low=low, high=high)
    return int(value * 100)


def check_component(campaign: Campaign, component_id: str, kind: ComponentKind) -> None:
    """The component exists in the campaign and is of `kind`."""
    try:
        component = campaign.component(component_id)
    except KeyError:
        raise EntryError("component", component=component_id) from None
    if component.kind is not kind:
        raise EntryError("component_kind", component=component_id, kind=kind.value)


def mark_entry(
    registry: Registry,
    campaign_id: str,
    unit_code: str,
    component: str,
    label: str,
    score: str,
    note: str = "",
) -> MarkEntry:
    """Validate one mark (a row of the CSV, or a bot command)."""
    campaign = registry.campaigns.get(campaign_id)
    if campaign is None:
        raise EntryError("campaign", campaign=campaign_id)
    unit_id = registry.unit_ids.get((campaign_id, unit_code))
    if unit_id is None:
        raise EntryError("unit", unit=unit_code)
    check_component(campaign, component, ComponentKind.MANUAL)
    comp = campaign.component(component)
    unit = campaign.unit(unit_code)
    if comp.unit_kinds is not None and unit.kind not in comp.unit_kinds:
        raise EntryError("not_applicable", component=component, unit=unit_code)
    label = label.strip() or "-"
    if len(label) > 64:
        raise EntryError("label")
    points = hundredths(score, Decimal(0), Decimal(100), "score")
    return MarkEntry(campaign_id, unit_id, component, label, points, note.strip())


def parse_marks_csv(registry: Registry, text: str) -> list[MarkEntry]:
    """Every row of a marks CSV; a bad row raises EntryError naming its line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in MARKS_CSV_COLUMNS[:5] if c not in (reader.fieldnames or [])]
    if missing:
        raise EntryError("csv_columns", missing=", ".join(missing), count=len(missing))
    entries = []
    for row in reader:
        try:
            entries.append(
                mark_entry(
                    registry,
                    (row.get("campaign") or "").strip(),
                    (row.get("unit") or "").strip(),
                    (row.get("component") or "").strip(),
                    row.get("label") or "",
                    row.get("score") or "",
                    row.get("note") or "",
                )
            )
        except EntryError as exc:
            exc.values["line"] = reader.line_num
            raise
    return entries


class Records:
    """Stores evaluators' entries (each write audited, in its own transaction)."""

    def __init__(self, registry: Registry, clock: Clock) -> None:
        """Validate against `registry`, time entries by `clock`."""
        self.registry, self.clock = registry, clock

    async def store_marks(
        self, uow: UnitOfWork, actor: int | None, entries: list[MarkEntry]
    ) -> int:
        """Store marks (one occasion's mark again replaces it); returns how many."""
        now = self.clock.now()

        def write(conn: Connection) -> int:
            for e in entries:
                _upsert_mark(conn, e, actor, now)
            if entries:
                _audit(
                    conn,
                    now,
                    actor,
                    "marks",
                    f"{len(entries)} mark(s)",
                    "",
                    {
                        "marks": [
                            [e.unit_id, e.component, e.label, e.score_x100] for e in entries[:50]
                        ]
                    },
                )
            return len(entries)

        return await uow.run_exclusive(write)

    async def add_bonus(
        self,
        uow: UnitOfWork,
        actor: int | None,
        campaign_id: str,
        unit_id: int,
        points: str,
        reason: str,
    ) -> int:
        """Give bonus points (> 0, ≤ the cap) with a reason; returns the hundredths stored."""
        campaign = self.registry.campaigns[campaign_id]
        if campaign.rules.bonus_cap <= 0:
            raise EntryError("no_bonus")
        amount = hundredths(points, Decimal("0.01"), campaign.rules.bonus_cap, "points")
        if not reason.strip():
            raise EntryError("reason")
        now = self.clock.now()

        def write(conn: Connection) -> int:
            conn.execute(
                insert(Bonus).values(
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    points_x100=amount,
                    reason=reason.strip(),
                    given_by=actor,
                    given_at=now,
                )
            )
            _audit(
                conn,
                now,
                actor,
                "bonus",
                f"unit {unit_id}",
                reason.strip(),
                {"points_x100": amount},
            )
            return amount

        return await uow.run_exclusive(write)

    async def add_inspection(
        self,
        uow: UnitOfWork,
        actor: int | None,
        campaign_id: str,
        unit_id: int,
        points: str,
        note: str,
    ) -> int:
        """Record an inspection finding against the campaign's deduction component."""
        campaign = self.registry.campaigns[campaign_id]
        component = deduction_component(campaign)
        if component is None:
            raise EntryError("no_deduction")
        amount = hundredths(points, Decimal("0.01"), campaign.component(component).weight, "points")
        now = self.clock.now()

        def write(conn: Connection) -> int:
            conn.execute(
                insert(Finding).values(
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    component=component,
                    source="inspection",
                    reference=None,
                    points_x100=amount,
                    note=note.strip(),
                    recorded_by=actor,
                    recorded_at=now,
                )
            )
            _audit(
                conn,
                now,
                actor,
                "finding",
                f"unit {unit_id}",
                note.strip(),
                {"points_x100": amount, "component": component},
            )
            return amount

        return await uow.run_exclusive(write)


def deduction_component(campaign: Campaign) -> str | None:
    """The deduction component findings feed (the complaints' one, or the only one)."""
    if campaign.complaints and campaign.complaints.deduction_component:
        return campaign.complaints.deduction_component
    found = [c.id for c in campaign.components if c.kind is ComponentKind.DEDUCTION]
    return found[0] if found else None


def _upsert_mark(conn: Connection, e: MarkEntry, actor: int | None, now: dt.datetime) -> None:
    """Insert a mark, or replace the one of the same occasion (portable: select, then write)."""
    m = Mark
    found = conn.execute(
        select(m.id).where(
            m.campaign_id == e.campaign_id,
            m.unit_id == e.unit_id,
            m.component == e.component,
            m.label == e.label,
        )
    ).scalar_one_or_none()
    values = {"score_x100": e.score_x100, "note": e.note, "recorded_by": actor, "recorded_at": now}
    if found is None:
        conn.execute(
            insert(m).values(
                campaign_id=e.campaign_id,
                unit_id=e.unit_id,
                component=e.component,
                label=e.label,
                **values,
            )
        )
    else:
        conn.execute(update(m).where(m.id == found).values(**values))
