"""What the scorer produces: per-unit figures, stored as JSON with the time they were computed.

Numbers are Decimals with four decimal places (display rounds further, through
bot/scoring/format.py); ranks and flags were decided on exact values.  Plain
dataclasses (a refresh builds thousands of figures), turned into JSON and back
by pydantic's TypeAdapter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from pydantic import TypeAdapter


class Status(StrEnum):
    """Whether a unit is ranked, and why not."""

    RANKED = "ranked"
    INSUFFICIENT = "insufficient"  # a survey component below the minimum sample
    INCOMPLETE = "incomplete"  # a manual component without marks
    PANEL = "panel"  # its panel breaks an enforced composition rule


@dataclass
class Figure:
    """Satisfaction of a set of answers: counts per level, valid, 不了解, interval."""

    counts: dict[str, int] = field(default_factory=dict)
    valid: int = 0
    dont_know: int = 0
    questionnaires: int = 0
    satisfaction: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass
class ComponentScore:
    """One component of one unit."""

    component: str
    kind: str  # survey | manual | deduction
    weight: Decimal
    applies: bool = True
    score: Decimal | None = None  # 0–100
    points: Decimal | None = None  # weight × score ÷ 100, before rescaling
    # survey components
    overall: Figure | None = None
    items: dict[str, Figure] = field(default_factory=dict)
    categories: dict[str, Figure] = field(default_factory=dict)
    sufficient: bool = True
    # manual components
    marks: int = 0
    # deduction components
    deducted: Decimal = Decimal(0)
    findings: int = 0


@dataclass
class Issues:
    """What the public raised about a unit."""

    complaints: dict[str, int] = field(default_factory=dict)  # conduct kind → count
    overdue: int = 0
    findings: int = 0
    suggestions: list[str] = field(default_factory=list)  # newest first


class SanctionKind(StrEnum):
    """What a sanction does (seed 002 六(三), seed 000 四(四))."""

    WORST = "worst"  # 直接列为最差单位: last in its kind whatever its score, and no award
    NO_AWARD = "no-award"  # 取消评先资格: no award


@dataclass(frozen=True)
class SanctionNote:
    """A sanction in force on a unit, as reports show it."""

    id: int
    kind: SanctionKind
    reason: str


@dataclass(frozen=True)
class PanelCheck:
    """A composition rule checked on one unit's panel (people of the rule's categories)."""

    component: str
    members: int
    total: int
    min_share: Decimal
    enforced: bool

    @property
    def met(self) -> bool:
        """True when the rule's categories make up at least the minimum share."""
        return self.total > 0 and self.members >= self.min_share * self.total


@dataclass
class UnitScore:
    """Every figure of one unit."""

    unit_id: int
    code: str
    kind: str
    components: list[ComponentScore]
    satisfaction: Figure  # pooled over the unit's survey components
    applicable_weight: Decimal
    base: Decimal | None = None  # Σ points rescaled to 100 over the applicable weights
    bonus_given: Decimal = Decimal(0)
    bonus: Decimal = Decimal(0)  # after the cap
    composite: Decimal | None = None
    status: Status = Status.INCOMPLETE
    rank: int | None = None
    ranked_in_kind: int = 0
    talk: bool = False  # 约谈
    no_excellence: bool = False  # 不评优
    award: bool = False
    issues: Issues = field(default_factory=Issues)
    sanctions: tuple[SanctionNote, ...] = ()
    panels: list[PanelCheck] = field(default_factory=list)

    def worst(self) -> bool:
        """True if a sanction places this unit last in its kind."""
        return any(s.kind is SanctionKind.WORST for s in self.sanctions)

    def component(self, component_id: str) -> ComponentScore:
        """This unit's score for one component (KeyError if the campaign has none)."""
        for comp in self.components:
            if comp.component == component_id:
                return comp
        raise KeyError(component_id)


@dataclass
class CampaignScores:
    """A campaign's scored units, with the time they were computed."""

    campaign_id: str
    computed_at: dt.datetime
    answers: int = 0  # answers counted (不了解 included)
    kind_average: dict[str, Decimal] = field(default_factory=dict)
    units: list[UnitScore] = field(default_factory=list)
    recomputed: set[int] = field(default_factory=set)  # units scored afresh (not reused)

    def unit(self, unit_id: int) -> UnitScore | None:
        """One unit's figures (None if the unit is unknown)."""
        return next((u for u in self.units if u.unit_id == unit_id), None)

    def ranking(self, kind: str) -> list[UnitScore]:
        """The units of one kind: ranked ones by rank, then the unranked ones."""
        of_kind = [u for u in self.units if u.kind == kind]
        return sorted(of_kind, key=lambda u: (u.rank is None, u.rank or 0, u.code))


UNIT_JSON: TypeAdapter[UnitScore] = TypeAdapter(UnitScore)
