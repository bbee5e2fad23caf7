"""Campaign definitions: the pydantic models a `survey_defs/*.yaml` file must satisfy.

A campaign (评议活动) is one dated round of appraisal.  Everything the bot, the
scorer and the complaint router need to know about it is declared here and
validated when the file is loaded; unknown keys are refused so that a typo in a
campaign file stops start-up instead of silently doing nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator, model_validator

from bot.campaign.base import (
    DEFAULT_LOCALE,
    LOCALES,
    CampaignId,
    ComponentId,
    LocaleText,
    Slug,
    Strict,
    require_unique,
)
from bot.campaign.reach import Follows, Outreach

__all__ = ["DEFAULT_LOCALE", "LOCALES", "CampaignId", "ComponentId", "LocaleText", "Slug", "Strict"]


class UnitKind(StrEnum):
    """Units are ranked only against units of the same kind."""

    DEPARTMENT = "department"
    WINDOW = "window"
    DIVISION = "division"


class Unit(Outreach):
    """An evaluated unit (被评单位): a bureau, a division or a service window; with its
    published time limits and complaint channel (Outreach) if the file gives them."""

    id: Slug
    name: LocaleText
    kind: UnitKind
    parent: Slug | None = None
    illustrative: bool = False  # True where the seed did not list it and we made it up


class Category(Strict):
    """A respondent category (人大代表, 企业代表, 群众 …)."""

    id: Slug
    name: LocaleText
    public: bool = False  # the category of anyone who joins without an invitation code
    quota: int | None = Field(default=None, ge=0)  # target number of respondents, if any


class Level(StrEnum):
    """The five levels of the questionnaire (002, 四、问卷调查)."""

    VERY_SATISFIED = "very_satisfied"
    FAIRLY_SATISFIED = "fairly_satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    DISSATISFIED = "dissatisfied"
    DONT_KNOW = "dont_know"


# Score of each level; None abstains (counted, but out of every denominator).
LEVEL_SCORES: dict[Level, Decimal | None] = {
    Level.VERY_SATISFIED: Decimal("1.0"),
    Level.FAIRLY_SATISFIED: Decimal("0.8"),
    Level.BASICALLY_SATISFIED: Decimal("0.6"),
    Level.DISSATISFIED: Decimal("0"),
    Level.DONT_KNOW: None,
}


class Item(Strict):
    """One questionnaire item (评议内容), answered on the five-level scale."""

    id: Slug
    text: LocaleText
    hint: LocaleText | None = None


class Suggestion(Strict):
    """The optional free-text suggestion at the end of the questionnaire."""

    prompt: LocaleText
    max_length: int = Field(default=500, ge=1, le=3000)


class Questionnaire(Strict):
    """Items asked about every unit, in order, then an optional suggestion."""

    scale: Literal["five_level"] = "five_level"
    items: list[Item] = Field(min_length=1, max_length=30)
    suggestion: Suggestion | None = None

    @field_validator("items")
    @classmethod
    def _unique_items(cls, items: list[Item]) -> list[Item]:
        require_unique([i.id for i in items], "item")
        return items


class ComponentKind(StrEnum):
    """How a component's score is produced."""

    SURVEY = "survey"  # satisfaction of chat answers
    MANUAL = "manual"  # marks entered by evaluators
    DEDUCTION = "deduction"  # full weight minus findings, never below zero
    RECTIFICATION = "rectification"  # the public's satisfaction with the unit's rectification


class Component(Strict):
    """A weighted part of the composite score."""

    id: ComponentId
    name: LocaleText
    kind: ComponentKind
    weight: Decimal = Field(gt=0, le=100)  # percent of the composite
    # survey components: who may answer (None = every category) and in which phase
    categories: list[Slug] | None = None
    phase: Slug | None = None
    unit_kinds: list[UnitKind] | None = None  # None = every kind of unit
    units: list[Slug] | None = None  # only these units (None = every unit of unit_kinds)
    exclude_units: list[Slug] = Field(default_factory=list)  # never these units
    # survey components: their own criteria (None = the campaign's questionnaire items)
    items: list[Item] | None = Field(default=None, min_length=1, max_length=30)

    def covers(self, unit: Unit) -> bool:
        """Whether this component evaluates `unit` (else it is left out of its composite,
        which is rescaled by the weights that apply)."""
        return (
            (self.unit_kinds is None or unit.kind in self.unit_kinds)
            and (self.units is None or unit.id in self.units)
            and unit.id not in self.exclude_units
        )


class Phase(Strict):
    """A dated phase of the campaign (动员部署, 问卷调查 …); dates are inclusive."""

    id: Slug
    name: LocaleText
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end < self.start:
            raise ValueError(f"phase {self.id}: end {self.end} is before start {self.start}")
        return self


# How a tie across the boundary of a ranking's tail is treated (bot/scoring/flags.py):
# "exclude" keeps the tied units out (they hold the rank above the boundary, as
# published), "include" brings them all in.
TieRule = Literal["include", "exclude"]


class TalkFlag(Strict):
    """约谈: bottom-ranked units whose satisfaction is below a threshold."""

    bottom_group: int = Field(ge=1)
    satisfaction_below: Decimal = Field(ge=0, le=100)
    ties: TieRule = "exclude"


class NoExcellenceFlag(Strict):
    """不评优: units ranked low and scoring below the average of their kind."""

    ranked_low: int = Field(ge=1)
    ties: TieRule = "exclude"


class Award(Strict):
    """A number of top-ranked units of one kind that receive an award."""

    kind: UnitKind
    count: int = Field(ge=1)
    name: LocaleText


class Composition(Strict):
    """A panel composition rule: these categories make up at least `min_share`."""

    component: Slug
    categories: list[Slug] = Field(min_length=1)
    min_share: Decimal = Field(gt=0, le=1)
    # Checked per unit's panel.  shown: reports say whether each panel meets it;
    # enforced: a unit whose panel breaks it is not ranked, with that reason.
    mode: Literal["shown", "enforced"] = "shown"


class Rules(Strict):
    """Scoring and result-use rules."""

    minimum_sample: int = Field(default=30, ge=1)
    bonus_cap: Decimal = Field(default=Decimal(0), ge=0, le=100)
    bonus_reasons: list[LocaleText] = Field(default_factory=list)
    talk: TalkFlag | None = None
    no_excellence: NoExcellenceFlag | None = None
    awards: list[Award] = Field(default_factory=list)
    composition: list[Composition] = Field(default_factory=list)


class ConductKind(Strict):
    """A kind of misconduct a complaint can be about (推诿扯皮 …)."""

    id: Slug
    name: LocaleText


class CaseClass(Strict):
    """A class of complaint case with its limit in working days (003 第五篇 四)."""

    id: Slug
    name: LocaleText
    working_days: int = Field(ge=1, le=60)
    leader_assigned: bool = False


class FindingPoints(Strict):
    """Deduction points a verdict records against the unit."""

    substantiated: Decimal = Field(default=Decimal(2), ge=0)
    partly: Decimal = Field(default=Decimal(1), ge=0)


class Complaints(Strict):
    """What the complaint desk of this campaign accepts and how fast it must act."""

    conduct_kinds: list[ConductKind] = Field(min_length=1)
    case_classes: list[CaseClass] = Field(min_length=1)
    default_case_class: Slug
    finding_points: FindingPoints = FindingPoints()
    deduction_component: Slug | None = None  # the deduction component findings feed
    max_text_length: int = Field(default=2000, ge=100, le=3500)
    # A complainant who erases their data (/forget) while a case is being handled:
    # "anonymise" keeps the case going without them, "close" ends it.
    on_forget: Literal["close", "anonymise"] = "anonymise"

    @model_validator(mode="after")
    def _default_class_exists(self) -> Complaints:
        ids = [c.id for c in self.case_classes]
        require_unique(ids, "case class")
        require_unique([k.id for k in self.conduct_kinds], "conduct kind")
        if self.default_case_class not in ids:
            raise ValueError(f"default_case_class {self.default_case_class!r} is not a case class")
        return self


class Campaign(Strict):
    """A whole campaign file."""

    id: CampaignId
    name: LocaleText
    year: int = Field(ge=2000, le=2100)
    organizer: LocaleText
    source: str  # the seed document the campaign follows
    timezone: str = "Asia/Shanghai"
    units: list[Unit] = Field(min_length=1)
    categories: list[Category] = Field(min_length=1)
    questionnaire: Questionnaire
    components: list[Component] = Field(min_length=1)
    phases: list[Phase] = Field(min_length=1)
    rules: Rules = Rules()
    complaints: Complaints | None = None
    # last round (回头看); its old unit ids are checked against it in bot/campaign/follows.py
    follows: Follows | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Campaign:
        """Cross-references resolve, ids are unique and weights sum to 100 %."""
        unit_ids = [u.id for u in self.units]
        require_unique(unit_ids, "unit")
        for unit in self.units:
            if unit.parent is not None and unit.parent not in unit_ids:
                raise ValueError(f"unit {unit.id}: parent {unit.parent!r} is not a unit")
        category_ids = [c.id for c in self.categories]
        require_unique(category_ids, "category")
        if sum(1 for c in self.categories if c.public) != 1:
            raise ValueError("exactly one category must be marked public: true")
        phase_ids = [p.id for p in self.phases]
        require_unique(phase_ids, "phase")
        component_ids = [c.id for c in self.components]
        require_unique(component_ids, "component")
        for comp in self.components:
            for cat in comp.categories or []:
                if cat not in category_ids:
                    raise ValueError(f"component {comp.id}: category {cat!r} is not a category")
            if comp.phase is not None and comp.phase not in phase_ids:
                raise ValueError(f"component {comp.id}: phase {comp.phase!r} is not a phase")
            for named in [*(comp.units or []), *comp.exclude_units]:
                if named not in unit_ids:
                    raise ValueError(f"component {comp.id}: unit {named!r} is not a unit")
            if comp.items is not None:
                if comp.kind is not ComponentKind.SURVEY:
                    raise ValueError(f"component {comp.id}: only a survey component has items")
                require_unique([i.id for i in comp.items], "item")
            if comp.kind is ComponentKind.SURVEY and comp.phase is None:
                raise ValueError(f"survey component {comp.id} needs the phase it is open in")
            if comp.kind is ComponentKind.RECTIFICATION and (comp.phase or comp.categories):
                raise ValueError(f"rectification component {comp.id}: no phase, no categories")
        if sum(1 for c in self.components if c.kind is ComponentKind.RECTIFICATION) > 1:
            raise ValueError("at most one rectification component")
        total = sum((c.weight for c in self.components), Decimal(0))
        if total != Decimal(100):
            raise ValueError(f"component weights sum to {total} %, not 100 %")
        for rule in self.rules.composition:
            if rule.component not in component_ids:
                raise ValueError(f"composition rule: component {rule.component!r} is unknown")
            for cat in rule.categories:
                if cat not in category_ids:
                    raise ValueError(f"composition rule: category {cat!r} is unknown")
        if self.follows is not None:
            if self.follows.campaign == self.id:
                raise ValueError("follows.campaign: a campaign cannot follow itself")
            for new in self.follows.units:
                if new not in unit_ids:
                    raise ValueError(f"follows.units: {new!r} is not a unit of this campaign")
        if self.complaints and self.complaints.deduction_component:
            dc = self.complaints.deduction_component
            if dc not in component_ids or self.component(dc).kind is not ComponentKind.DEDUCTION:
                raise ValueError(f"complaints.deduction_component {dc!r} is no deduction component")
        return self

    # -- look-ups -----------------------------------------------------------------

    def unit(self, unit_id: str) -> Unit:
        """The unit with this id (KeyError if none)."""
        for unit in self.units:
            if unit.id == unit_id:
                return unit
        raise KeyError(unit_id)

    def component(self, component_id: str) -> Component:
        """The component with this id (KeyError if none)."""
        for comp in self.components:
            if comp.id == component_id:
                return comp
        raise KeyError(component_id)

    def questionnaire_for(self, component: Component) -> Questionnaire:
        """What a survey component asks: its own items, or the campaign's questionnaire
        (the suggestion at the end is the campaign's either way)."""
        if component.items is None:
            return self.questionnaire
        return Questionnaire.model_construct(
            scale="five_level", items=component.items, suggestion=self.questionnaire.suggestion
        )

    def phase(self, phase_id: str) -> Phase:
        """The phase with this id (KeyError if none)."""
        for phase in self.phases:
            if phase.id == phase_id:
                return phase
        raise KeyError(phase_id)

    def public_category(self) -> Category:
        """The category of respondents who joined without a code."""
        return next(c for c in self.categories if c.public)

    def survey_components(self) -> list[Component]:
        """Components whose score comes from chat answers."""
        return [c for c in self.components if c.kind is ComponentKind.SURVEY]

    def open_survey_components(self, today: dt.date, category: str) -> list[Component]:
        """Survey components open today to a respondent of `category`."""
        return [
            c
            for c in self.survey_components()
            if c.phase is not None
            and self.phase(c.phase).start <= today <= self.phase(c.phase).end
            and (c.categories is None or category in c.categories)
        ]

    def units_for(self, component: Component) -> list[Unit]:
        """Units a component evaluates."""
        return [u for u in self.units if component.covers(u)]
