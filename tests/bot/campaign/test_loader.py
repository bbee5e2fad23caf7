"""Tests for loading campaign files and locating their mistakes by line and field."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.campaign.loader import (
    CampaignFileError,
    load_campaign,
    load_campaigns,
    validate_file,
)
from bot.campaign.schema import Campaign, ComponentKind, LocaleText, UnitKind

SURVEY_DEFS = Path(__file__).resolve().parents[3] / "survey_defs"

# A small valid campaign; tests edit one line of it and check where the error lands.
VALID = """\
# a test campaign
id: demo
name: {zh-Hans: 演示}
year: 2011
organizer: {zh-Hans: 评议办}
source: test
units:
  - id: city
    kind: department
    name: {zh-Hans: 市局}
  - id: district
    kind: department
    parent: city
    name: {zh-Hans: 区局}
categories:
  - id: panel
    name: {zh-Hans: 代表}
  - id: public
    public: true
    name: {zh-Hans: 公众}
questionnaire:
  items:
    - id: service
      text: {zh-Hans: 服务}
components:
  - id: onsite
    kind: survey
    weight: 30
    phase: survey
    categories: [panel]
    name: {zh-Hans: 现场}
  - id: questionnaire
    kind: survey
    weight: 50
    phase: survey
    name: {zh-Hans: 问卷}
  - id: cases
    kind: deduction
    weight: 20
    name: {zh-Hans: 实例}
phases:
  - id: survey
    name: {zh-Hans: 问卷调查}
    start: 2011-07-25
    end: 2011-08-31
"""


def line_of(text: str, snippet: str, occurrence: int = 1) -> int:
    """1-based number of the line holding the `occurrence`-th `snippet`."""
    hits = [n for n, line in enumerate(text.splitlines(), start=1) if snippet in line]
    return hits[occurrence - 1]


def edit(old: str, new: str, occurrence: int = 1, text: str = VALID) -> str:
    """`text` with the `occurrence`-th `old` replaced by `new`."""
    head, *tails = text.split(old)
    assert len(tails) >= occurrence, f"{old!r} occurs fewer than {occurrence} times"
    return old.join([head, *tails[: occurrence - 1]]) + new + old.join(tails[occurrence - 1 :])


def write(tmp_path: Path, text: str, name: str = "demo.yaml") -> Path:
    """Write a campaign file into tmp_path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_error(path: Path) -> CampaignFileError:
    """The single error of `path`, checking load_campaign raises the same one."""
    errors = validate_file(path)
    assert len(errors) == 1, [str(e) for e in errors]
    with pytest.raises(CampaignFileError) as raised:
        load_campaign(path)
    assert str(raised.value) == str(errors[0])
    return errors[0]


# -- the shipped campaigns ------------------------------------------------------------


def test_shipped_campaign_files_load() -> None:
    campaigns = load_campaigns(SURVEY_DEFS)
    assert {"changzhou-2011-safety", "nantong-2012-efficiency"} <= set(campaigns)
    for path in sorted(SURVEY_DEFS.glob("*.yaml")):
        assert validate_file(path) == []


def test_changzhou_follows_its_seed() -> None:
    campaign = load_campaign(SURVEY_DEFS / "changzhou-2011-safety.yaml")
    assert [(c.id, c.kind, c.weight) for c in campaign.components] == [
        ("onsite", ComponentKind.SURVEY, Decimal(30)),
        ("questionnaire", ComponentKind.SURVEY, Decimal(50)),
        ("cases", ComponentKind.DEDUCTION, Decimal(20)),
    ]
    assert [i.text.zh_Hans for i in campaign.questionnaire.items] == [
        "依法履职",
        "公正执法",
        "政务公开",
        "政务服务",
        "清正廉洁",
    ]
    assert campaign.phase("mobilize").start == dt.date(2011, 6, 28)
    assert campaign.phase("onsite").end == dt.date(2011, 8, 31)
    assert campaign.phase("assessment").end == dt.date(2011, 9, 20)
    departments = [u for u in campaign.units if u.kind is UnitKind.DEPARTMENT]
    assert len(departments) == 8  # the city bureau and seven county/district bureaus
    assert all(u.illustrative for u in campaign.units if u.kind is UnitKind.WINDOW)
    onsite = campaign.component("onsite")
    assert onsite.categories is not None and "public" not in onsite.categories
    assert campaign.component("questionnaire").categories is None
    (composition,) = campaign.rules.composition
    assert (composition.categories, composition.min_share) == (
        ["mass-rep", "enterprise-rep"],
        Decimal("0.5"),
    )
    assert campaign.rules.talk is not None
    assert campaign.rules.talk.satisfaction_below == Decimal(80)
    assert campaign.complaints is not None
    assert campaign.complaints.deduction_component == "cases"
    days = {c.id: c.working_days for c in campaign.complaints.case_classes}
    assert days["clear-cut"] == 5 and days["cross-department"] == 30
    assert days["leader-urgent"] == 1


def test_nantong_follows_its_seed() -> None:
    campaign = load_campaign(SURVEY_DEFS / "nantong-2012-efficiency.yaml")
    assert {c.id: c.weight for c in campaign.components} == {
        "daily": Decimal(30),
        "midyear": Decimal(20),
        "interpellation": Decimal(25),
        "social": Decimal(25),
    }
    assert {(a.kind, a.count) for a in campaign.rules.awards} == {
        (UnitKind.DIVISION, 6),
        (UnitKind.WINDOW, 10),
    }
    supervise = campaign.phase("supervise")  # 第三阶段 监督检查 5月—10月
    for component in campaign.survey_components():
        assert component.phase is not None
        phase = campaign.phase(component.phase)
        assert supervise.start <= phase.start <= phase.end <= supervise.end
    assert all(u.illustrative for u in campaign.units)


def _locale_texts(value: object) -> list[LocaleText]:
    """Every LocaleText inside a model tree."""
    if isinstance(value, LocaleText):
        return [value]
    if isinstance(value, BaseModel):
        fields = type(value).model_fields
        return [t for name in fields for t in _locale_texts(getattr(value, name))]
    if isinstance(value, list):
        return [t for item in value for t in _locale_texts(item)]
    return []


@pytest.mark.parametrize("name", ["changzhou-2011-safety.yaml", "nantong-2012-efficiency.yaml"])
def test_shipped_texts_exist_in_every_locale(name: str) -> None:
    texts = _locale_texts(load_campaign(SURVEY_DEFS / name))
    assert len(texts) > 40
    missing = [t.zh_Hans for t in texts if not (t.en and t.zh_Hant)]
    assert missing == []


# -- a valid file ---------------------------------------------------------------------


def test_valid_file_loads_with_dates_and_decimals(tmp_path: Path) -> None:
    campaign = load_campaign(write(tmp_path, VALID))
    assert isinstance(campaign, Campaign)
    assert campaign.phase("survey").start == dt.date(2011, 7, 25)
    assert campaign.component("onsite").weight == Decimal(30)
    assert validate_file(tmp_path / "demo.yaml") == []


# -- errors located by line and field ----------------------------------------------------


def test_error_renders_on_one_line() -> None:
    error = CampaignFileError(Path("survey_defs/x.yaml"), 42, "components.2.weight", "too big")
    assert str(error) == "survey_defs/x.yaml:42: components.2.weight: too big"
    assert (error.line, error.field, error.message) == (42, "components.2.weight", "too big")
    assert str(CampaignFileError(Path("x.yaml"), None, "", "empty")) == "x.yaml: empty"


def test_weights_not_summing_to_100_point_at_components(tmp_path: Path) -> None:
    text = edit("weight: 50", "weight: 45")
    path = write(tmp_path, text)
    error = only_error(path)
    assert (error.path, error.line, error.field) == (
        path,
        line_of(text, "components:"),
        "components",
    )
    assert error.message == "component weights sum to 95 %, not 100 %"


def test_weight_out_of_range_points_at_the_weight(tmp_path: Path) -> None:
    text = edit("weight: 20", "weight: -20")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "weight: -20"), "components.2.weight")


def test_unknown_key_is_refused_by_name_and_line(tmp_path: Path) -> None:
    text = edit("    parent: city\n", "    parent: city\n    nmae: 区局\n")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "nmae:"), "units.1.nmae")
    assert error.message == "unknown key 'nmae'"


@pytest.mark.parametrize("bad", ["2011-08-32", "2011-02-30", "2011-8-3", "soon"])
def test_bad_date_points_at_the_date(tmp_path: Path, bad: str) -> None:
    text = edit("end: 2011-08-31", f"end: {bad}")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, f"end: {bad}"), "phases.0.end")
    assert error.message.endswith(f"(got '{bad}')")


def test_missing_required_field_points_at_its_mapping(tmp_path: Path) -> None:
    text = edit("    kind: deduction\n", "")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "- id: cases"), "components.2.kind")
    assert error.message == "required key 'kind' is missing"


def test_missing_top_level_field_points_at_the_top(tmp_path: Path) -> None:
    text = edit("source: test\n", "")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "id: demo"), "source")


def test_duplicate_unit_id_points_at_the_second_one(tmp_path: Path) -> None:
    text = edit("- id: district", "- id: city")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "- id: city", 2), "units.1.id")
    assert error.message == "duplicate unit id 'city'"


def test_unknown_parent_points_at_the_parent(tmp_path: Path) -> None:
    text = edit("parent: city", "parent: town")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "parent: town"), "units.1.parent")


def test_unknown_category_of_a_component_points_at_it(tmp_path: Path) -> None:
    text = edit("categories: [panel]", "categories: [panel, press]")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (
        line_of(text, "categories: [panel, press]"),
        "components.0.categories.1",
    )


COMPLAINTS = """\
complaints:
  conduct_kinds:
    - id: rudeness
      name: {zh-Hans: 态度粗暴}
  case_classes:
    - id: clear-cut
      working_days: 5
      name: {zh-Hans: 一般问题}
  default_case_class: clear-cut
  deduction_component: cases
"""

RULES = """\
rules:
  composition:
    - component: onsite
      categories: [panel]
      min_share: 0.5
"""


@dataclass(frozen=True)
class CrossReference:
    """An edit of VALID + RULES + COMPLAINTS and where its error must land."""

    old: str
    new: str
    field: str
    line_at: str  # the error's line holds this text …
    nth_line: int = 1  # … for the nth time
    nth_old: int = 1  # which occurrence of `old` to edit

    def text(self) -> str:
        """The edited campaign file."""
        return edit(self.old, self.new, self.nth_old, text=VALID + RULES + COMPLAINTS)


def _append(after: str, *lines: str) -> tuple[str, str]:
    """(old, new) that inserts `lines` after the line `after`."""
    return after + "\n", after + "\n" + "".join(line + "\n" for line in lines)


# Cross-reference errors come from a model validator with no location of their own;
# each must still land on the key it is about.
CROSS_REFERENCES = [
    CrossReference("  - id: public", "  - id: panel", "categories.1.id", "- id: panel", 2),
    CrossReference("    public: true\n", "", "categories", "categories:"),
    CrossReference("- id: questionnaire", "- id: onsite", "components.1.id", "- id: onsite", 2),
    CrossReference("phase: survey", "phase: vote", "components.0.phase", "phase: vote"),
    CrossReference("    phase: survey\n", "", "components.1", "- id: questionnaire", nth_old=2),
    CrossReference(
        *_append("      text: {zh-Hans: 服务}", "    - id: service", "      text: {zh-Hans: 再}"),
        "questionnaire.items.1.id",
        "- id: service",
        2,
    ),
    CrossReference(
        *_append(
            "    end: 2011-08-31",
            "  - id: survey",
            "    name: {zh-Hans: 再}",
            "    start: 2011-09-01",
            "    end: 2011-09-30",
        ),
        "phases.1.id",
        "- id: survey",
        2,
    ),
    CrossReference(
        "component: onsite", "component: press", "rules.composition.0.component", "press"
    ),
    CrossReference(
        "categories: [panel]",
        "categories: [public, x]",
        "rules.composition.0.categories.1",
        "[public, x]",
        nth_old=2,
    ),
    CrossReference(
        "deduction_component: cases",
        "deduction_component: onsite",
        "complaints.deduction_component",
        "deduction_component",
    ),
    CrossReference(
        "default_case_class: clear-cut",
        "default_case_class: urgent",
        "complaints.default_case_class",
        "default_case_class",
    ),
    CrossReference(
        *_append(
            "      name: {zh-Hans: 态度粗暴}", "    - id: rudeness", "      name: {zh-Hans: x}"
        ),
        "complaints.conduct_kinds.1.id",
        "- id: rudeness",
        2,
    ),
    CrossReference(
        *_append(
            "      name: {zh-Hans: 一般问题}",
            "    - id: clear-cut",
            "      working_days: 9",
            "      name: {zh-Hans: x}",
        ),
        "complaints.case_classes.1.id",
        "- id: clear-cut",
        2,
    ),
]


@pytest.mark.parametrize("case", CROSS_REFERENCES, ids=lambda c: c.field)
def test_cross_reference_errors_point_at_their_key(tmp_path: Path, case: CrossReference) -> None:
    text = case.text()
    error = only_error(write(tmp_path, text))
    assert (error.field, error.line) == (case.field, line_of(text, case.line_at, case.nth_line))


def test_phase_end_before_start_points_at_the_end(tmp_path: Path) -> None:
    text = edit("end: 2011-08-31", "end: 2011-07-01")
    error = only_error(write(tmp_path, text))
    assert (error.line, error.field) == (line_of(text, "end: 2011-07-01"), "phases.0.end")
    assert error.message == "phase survey: end 2011-07-01 is before start 2011-07-25"


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    # YAML itself would keep the 40 silently; the weights then sum to 110 as well.
    text = edit("    weight: 30\n", "    weight: 30\n    weight: 40\n")
    errors = validate_file(write(tmp_path, text))
    assert [(e.line, e.field) for e in errors] == [
        (line_of(text, "components:"), "components"),
        (line_of(text, "weight: 40"), "components.0.weight"),
    ]
    first_line = line_of(text, "weight: 30")
    assert errors[1].message == f"duplicate key 'weight' (first given on line {first_line})"


def test_yaml_syntax_error_gives_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "id: demo\nname:\n  zh-Hans: 演示\n year: 2011\n")
    error = only_error(path)
    assert (error.line, error.field) == (4, "")
    assert str(error).startswith(f"{path}:4: YAML syntax error: ")


def test_unclosed_quote_names_where_it_began(tmp_path: Path) -> None:
    error = only_error(write(tmp_path, 'id: "demo\nyear: 2011\n'))
    assert error.line == 3
    assert "(line 1)" in error.message


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    assert only_error(write(tmp_path, "", "empty.yaml")).message == "the file is empty"
    error = only_error(write(tmp_path, "- demo\n", "list.yaml"))
    assert (error.line, error.field) == (1, "")


def test_unreadable_file(tmp_path: Path) -> None:
    error = only_error(tmp_path / "absent.yaml")
    assert error.line is None and error.message.startswith("cannot read the file")


def test_validate_file_returns_every_error_in_file_order(tmp_path: Path) -> None:
    text = edit("    kind: deduction\n", "")
    text = text.replace("year: 2011", "year: 1999")
    text = text.replace("  - id: panel\n", "  - id: panel\n    colour: red\n")
    text = text.replace("end: 2011-08-31", "end: 2011-02-30")
    errors = validate_file(write(tmp_path, text))
    assert [(e.line, e.field) for e in errors] == [
        (line_of(text, "year: 1999"), "year"),
        (line_of(text, "colour: red"), "categories.0.colour"),
        (line_of(text, "- id: cases"), "components.2.kind"),
        (line_of(text, "end: 2011-02-30"), "phases.0.end"),
    ]
    with pytest.raises(CampaignFileError) as raised:
        load_campaign(tmp_path / "demo.yaml")
    assert raised.value.field == "year"


# -- a directory of campaigns ---------------------------------------------------------------


def test_load_campaigns_reads_yaml_and_yml(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    write(tmp_path, VALID.replace("id: demo", "id: other"), "b.yml")
    write(tmp_path, "not a campaign", "notes.txt")
    assert set(load_campaigns(tmp_path)) == {"demo", "other"}


def test_duplicate_campaign_id_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, VALID, "a.yaml")
    second = write(tmp_path, VALID, "b.yml")
    with pytest.raises(CampaignFileError) as raised:
        load_campaigns(tmp_path)
    error = raised.value
    assert (error.path, error.line, error.field) == (second, line_of(VALID, "id: demo"), "id")
    assert str(first) in str(error) and str(second) in str(error)


def test_load_campaigns_stops_at_an_invalid_file(tmp_path: Path) -> None:
    write(tmp_path, VALID, "a.yaml")
    text = edit("weight: 50", "weight: 45")
    write(tmp_path, text, "b.yaml")
    with pytest.raises(CampaignFileError) as raised:
        load_campaigns(tmp_path)
    assert (raised.value.path.name, raised.value.line) == ("b.yaml", line_of(text, "components:"))


def test_load_campaigns_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(CampaignFileError, match="does not exist"):
        load_campaigns(tmp_path / "missing")
