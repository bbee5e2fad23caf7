"""What evaluators enter: marks for manual components, bonus points, inspection findings.

Every entry is validated against the campaign file before it is stored, and
audited (who, when, what).  Amounts are kept in hundredths.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation

from bot.campaign.schema import Campaign, ComponentKind
from bot.core.clock import Clock
from bot.core.registry import Registry
from bot.core.text import visible_text
from bot.scoring.results import SanctionKind
from storage.marks import EntriesRepo, MarkEntry, PointsEntry
from storage.sanctions import SanctionRecord, SanctionsRepo
from storage.uow import UnitOfWork

MARKS_CSV_COLUMNS = ("campaign", "unit", "component", "label", "score", "note")


class EntryError(ValueError):
    """An entry the campaign file does not allow; `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        """Refuse with the message `scoring.error.<key>`."""
        super().__init__(key)
        self.key = key
        self.values = values


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
        return await EntriesRepo(uow).store_marks(entries, actor, self.clock.now())

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
        entry = PointsEntry(campaign_id, unit_id, amount, reason.strip())
        await EntriesRepo(uow).add_bonus(entry, actor, self.clock.now())
        return amount

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
        entry = PointsEntry(campaign_id, unit_id, amount, note.strip(), component)
        await EntriesRepo(uow).add_finding(entry, actor, self.clock.now())
        return amount

    async def impose_sanction(
        self,
        uow: UnitOfWork,
        actor: int | None,
        campaign_id: str,
        unit_id: int,
        kind: str,
        reason: str,
    ) -> int:
        """Sanction a unit (worst | no-award) with a reason (audited); returns its id."""
        try:
            sanction = SanctionKind(kind.lower())
        except ValueError:
            raise EntryError("sanction_kind", kind=kind) from None
        if visible_text(reason) is None:
            raise EntryError("sanction_reason")
        repo = SanctionsRepo(uow)
        now = self.clock.now()
        return await repo.impose(campaign_id, unit_id, sanction.value, reason.strip(), actor, now)

    async def revoke_sanction(
        self, uow: UnitOfWork, actor: int | None, sanction_id: str, reason: str
    ) -> SanctionRecord:
        """Revoke a sanction in force, with a reason (audited)."""
        if not sanction_id.isdigit():
            raise EntryError("sanction_unknown", sanction=sanction_id)
        if visible_text(reason) is None:
            raise EntryError("sanction_reason")
        found = await SanctionsRepo(uow).revoke(
            int(sanction_id), reason.strip(), actor, self.clock.now()
        )
        if found is None:
            raise EntryError("sanction_unknown", sanction=sanction_id)
        return found


def deduction_component(campaign: Campaign) -> str | None:
    """The deduction component findings feed (the complaints' one, or the only one)."""
    if campaign.complaints and campaign.complaints.deduction_component:
        return campaign.complaints.deduction_component
    found = [c.id for c in campaign.components if c.kind is ComponentKind.DEDUCTION]
    return found[0] if found else None
