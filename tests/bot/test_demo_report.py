"""`pingyi demo` end to end: the report it prints agrees with its own database.

The demo runs as a newcomer runs it (a subprocess), at a small size, on a SQLite file
the test keeps.  The test then reads that file with plain SQL and recomputes, by its
own arithmetic, what the report claims: each unit's satisfaction per survey component
and pooled, the people sampled, the ranking order (a unit placed last by a sanction
last), the sanction and the bonus, complaints per kind and findings per unit.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from bot.campaign.loader import load_campaign
from bot.campaign.schema import Campaign, ComponentKind

ROOT = Path(__file__).resolve().parents[2]
CAMPAIGNS = ("survey_defs/changzhou-2011-safety.yaml", "survey_defs/nantong-2012-efficiency.yaml")
# The five-level scale (seed 002 五(四)), in tenths; 不了解 abstains.
TENTHS = {"very_satisfied": 10, "fairly_satisfied": 8, "basically_satisfied": 6, "dissatisfied": 0}
SANCTION_TEXT = {"worst": "直接列为最差单位", "no-award": "取消评先资格"}


@dataclass(frozen=True)
class Row:
    """One unit's line of a ranking table, as printed."""

    kind: str
    rank: int | None
    composite: str
    components: dict[str, str]
    satisfaction: str
    people: int


def _run_demo(campaign: str, db: Path, out: Path) -> str:
    """`pingyi demo` at a small size on the SQLite file `db`; its standard output."""
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot",
            "demo",
            "--campaign",
            campaign,
            "--respondents",
            "8",
            "--minimum-sample",
            "2",
            "--seed",
            "4",
            "--database",
            f"sqlite+aiosqlite:///{db}",
            "--out",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert "is handled" not in run.stderr  # the report is not buried under per-update logs
    return run.stdout


def _rows(report: str, campaign: Campaign) -> dict[str, Row]:
    """Every unit's table row, by unit code (names are matched to the campaign file)."""
    codes = {u.name.get("zh-Hans"): u.id for u in campaign.units}
    found: dict[str, Row] = {}
    kind = ""
    for line in report.splitlines():
        if line.startswith("【"):
            kind = line
        cells = re.split(r"\s{2,}", line.strip())
        if len(cells) < 4 or cells[1] not in codes:
            continue
        parts = dict(zip((c.id for c in campaign.components), cells[3:-3], strict=True))
        rank = None if cells[0] == "—" else int(cells[0])
        found[codes[cells[1]]] = Row(kind, rank, cells[2], parts, cells[-3], int(cells[-1]))
    return found


def _half_up(value: Fraction, places: int) -> Decimal:
    """Round as the office does: to four places, then to `places`, half up each time."""
    four = Decimal(value.numerator) / Decimal(value.denominator)
    four = four.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
    return four.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


class Database:
    """The demo's database, read with plain SQL."""

    def __init__(self, path: Path, campaign: Campaign) -> None:
        """Open `path`; the campaign's units by id."""
        self.conn = sqlite3.connect(path)
        rows = self.conn.execute(
            "SELECT id, code FROM units WHERE campaign_id = ?", (campaign.id,)
        ).fetchall()
        self.codes = {uid: code for uid, code in rows}

    def answers(self) -> dict[tuple[str, str], list[tuple[int, str]]]:
        """(unit code, component) → (respondent, level) of every answer that counts."""
        found: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        for unit_id, comp, rid, level in self.conn.execute(
            "SELECT a.unit_id, a.component, a.respondent_id, a.level FROM answers a "
            "JOIN submissions s ON s.respondent_id = a.respondent_id "
            "AND s.unit_id = a.unit_id AND s.component = a.component "
            "WHERE s.status = 'submitted' AND NOT s.voided"
        ):
            found[(self.codes[unit_id], comp)].append((rid, level))
        return found

    def per_unit(self, sql: str) -> list[tuple[str, ...]]:
        """Rows whose first column is a unit id, with the unit's code instead."""
        return [(self.codes[row[0]], *row[1:]) for row in self.conn.execute(sql)]


def _figure(answers: list[tuple[int, str]]) -> tuple[Fraction | None, int, int, int]:
    """Satisfaction (0–100), people with a valid answer, Σ tenths, valid answers."""
    assert {level for _, level in answers} <= {*TENTHS, "dont_know"}
    valid = [(rid, level) for rid, level in answers if level in TENTHS]
    tenths = sum(TENTHS[level] for _, level in valid)
    people = len({rid for rid, _ in valid})
    satisfaction = Fraction(tenths * 10, len(valid)) if valid else None
    return satisfaction, people, tenths, len(valid)


def _check_satisfaction(campaign: Campaign, rows: dict[str, Row], db: Database) -> None:
    """Per component and pooled satisfaction, and people sampled, recomputed."""
    answers = db.answers()
    for unit in campaign.units:
        row = rows[unit.id]
        tenths = valid = people = 0
        for comp in campaign.survey_components():
            if not comp.covers(unit):
                assert row.components[comp.id] == "不适用", (unit.id, comp.id)
                continue
            value, n, t, v = _figure(answers[(unit.id, comp.id)])
            assert value is not None, (unit.id, comp.id)
            assert row.components[comp.id] == str(_half_up(value, 2)), (unit.id, comp.id)
            tenths, valid, people = tenths + t, valid + v, people + n
        assert row.satisfaction == f"{_half_up(Fraction(tenths * 10, valid), 1)}%", unit.id
        assert row.people == people, unit.id


def _check_ranking(campaign: Campaign, rows: dict[str, Row], worst: set[str]) -> None:
    """Ranked units of a kind: ranks rise while composites fall; a unit placed last by a
    sanction comes last whatever its composite; every unit met the minimum, so all rank."""
    for kind in {u.kind for u in campaign.units}:
        codes = sorted(
            (u.id for u in campaign.units if u.kind == kind), key=lambda c: rows[c].rank or 0
        )
        assert all(rows[c].rank is not None for c in codes), kind
        ordinary = [Decimal(rows[c].composite) for c in codes if c not in worst]
        assert ordinary == sorted(ordinary, reverse=True), kind
        for code in worst & set(codes):
            assert rows[code].rank == len(codes) and codes[-1] == code, code


def _notes(report: str, campaign: Campaign) -> dict[str, str]:
    """The note printed under a table for each unit that has one, by unit code."""
    names = {u.name.get("zh-Hans"): u.id for u in campaign.units}
    found = {}
    for line in report.splitlines():
        match = re.match(r"• (.+?)：(.*)$", line)
        if match and match.group(1) in names:
            found[names[match.group(1)]] = match.group(2)
    return found


def _check_problems(campaign: Campaign, notes: dict[str, str], db: Database) -> None:
    """Complaints per kind of conduct and findings per unit, as stored."""
    assert campaign.complaints is not None
    kinds = {k.id: k.name.get("zh-Hans") for k in campaign.complaints.conduct_kinds}
    complaints = Counter(db.per_unit("SELECT unit_id, kind FROM complaints"))
    findings = Counter(code for (code,) in db.per_unit("SELECT unit_id FROM findings"))
    assert sum(complaints.values()) >= 3 and all(
        c == "closed" for (c,) in db.conn.execute("SELECT status FROM complaints")
    )
    for (code, kind), count in complaints.items():
        assert f"投诉“{kinds[kind]}” {count} 件" in notes[code], code
    for unit in campaign.units:
        said = re.search(r"查实问题 (\d+) 个", notes.get(unit.id, ""))
        assert (int(said.group(1)) if said else 0) == findings[unit.id], unit.id


def _check_sanction_and_bonus(
    campaign: Campaign, report: str, notes: dict[str, str], db: Database
) -> set[str]:
    """The sanction in force is shown on its unit; the bonus (or its refusal) is reported.
    Returns the units placed last by a sanction."""
    sanctions = db.per_unit("SELECT unit_id, kind FROM sanctions WHERE revoked_at IS NULL")
    assert len(sanctions) == 1
    [(code, kind)] = sanctions
    assert SANCTION_TEXT[kind] in notes[code]
    assert "获评" not in notes[code]  # a sanctioned unit earns no award
    bonuses = db.per_unit("SELECT unit_id, points_x100 FROM bonuses")
    if campaign.rules.bonus_cap:
        [(unit, points)] = bonuses
        name = campaign.unit(unit).name.get("zh-Hans")
        assert f"加分：已记录加分:{name} +{points // 100}" in report
    else:
        assert bonuses == [] and "加分：本次评议不设加分。" in report
    return {code} if kind == "worst" else set()


def _check_run(campaign: Campaign, report: str, out: Path, db: Database) -> None:
    """The opening lines and the closing ones: counts, marks, workbook, time."""
    submitted = db.conn.execute(
        "SELECT count(*) FROM submissions WHERE status = 'submitted'"
    ).fetchone()[0]
    assert re.search(rf"提交问卷 {submitted}/{submitted} 份", report)
    marks = db.conn.execute("SELECT count(*) FROM marks").fetchone()[0]
    manual = any(c.kind is ComponentKind.MANUAL for c in campaign.components)
    assert (marks > 0) == manual and f"导入日常考评分 {marks} 条" in report
    [workbook] = out.glob("*.xlsx")
    assert zipfile.is_zipfile(workbook) and str(workbook) in report
    assert re.search(r"演练用时 \d+\.\d 秒。", report)


@pytest.mark.parametrize("campaign_file", CAMPAIGNS)
def test_the_printed_report_agrees_with_the_demo_database(
    campaign_file: str, tmp_path: Path
) -> None:
    campaign = load_campaign(ROOT / campaign_file)
    report = _run_demo(campaign_file, tmp_path / "demo.db", tmp_path / "out")
    rows, notes = _rows(report, campaign), _notes(report, campaign)
    assert set(rows) == {u.id for u in campaign.units}, report
    db = Database(tmp_path / "demo.db", campaign)
    _check_satisfaction(campaign, rows, db)
    worst = _check_sanction_and_bonus(campaign, report, notes, db)
    _check_ranking(campaign, rows, worst)
    _check_problems(campaign, notes, db)
    _check_run(campaign, report, tmp_path / "out", db)
