"""The scorer service: incremental refresh equals a full one, the background tick, export."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from bot.admin.fairness import Burst
from bot.scoring.chart import ranking_png
from bot.scoring.export import workbook_bytes, write_report
from bot.scoring.records import EntryError, parse_marks_csv
from storage.scoring import _with_keys

from .helpers import B, D, F, K, V, add_questionnaires, scoring_services, unit_id

CZ = "changzhou-2011-safety"


async def test_incremental_equals_full(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2011, 8, 20)) as services:
        scoring = services.scoring
        scoring.grace = 0  # announcements below come well after the full read
        await add_questionnaires(services, CZ, "wujin", "questionnaire", [V, F, B, D, K], 7)
        reports = await scoring.tick()  # nothing scored yet: a full refresh of each campaign
        first = {r.campaign_id: r for r in reports}[CZ]
        assert first.full and first.answers == 35
        # New questionnaires, announced as the survey service does after its commit.
        keys = await add_questionnaires(
            services, CZ, "wujin", "questionnaire", [V] * 5, 30, suggestion="早上开门晚"
        )
        keys += await add_questionnaires(services, CZ, "jintan", "questionnaire", [F] * 5, 3)
        for rid, uid, comp in keys:
            scoring.submitted(CZ, rid, uid, comp)
        async with services.db.unit_of_work() as uow:
            before = await scoring.results(uow, CZ)
        reports = await scoring.tick()
        assert [r.full for r in reports] == [False] and reports[0].answers == 200
        async with services.db.unit_of_work() as uow:
            incremental = await scoring.results(uow, CZ)
        await scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            full = await scoring.results(uow, CZ)
        assert before is not None and incremental is not None and full is not None
        assert incremental.units == full.units
        assert incremental.units != before.units
        wujin = full.unit(unit_id(services, CZ, "wujin"))
        assert wujin is not None
        # (7 · (1 + 0.8 + 0.6 + 0) + 30 · 5) / (7 · 4 + 150) = 166.8 / 178 = 93.7079 %
        assert wujin.component("questionnaire").score == Decimal("93.7079")
        assert wujin.issues.suggestions == ["早上开门晚"] * 3
        # Nothing new: the tick does nothing until the periodic full refresh is due.
        assert await scoring.tick() == []


async def test_ambiguous_announcement_is_recounted(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2011, 8, 20)) as services:
        scoring = services.scoring
        keys = await add_questionnaires(services, CZ, "wujin", "questionnaire", [F] * 5, 4)
        await scoring.refresh(CZ, full=True)
        # Announced right after a full read: it may be in that read already, so the
        # unit is recounted rather than added to (no double count).
        for rid, uid, comp in keys:
            scoring.submitted(CZ, rid, uid, comp)
        await scoring.tick()
        async with services.db.unit_of_work() as uow:
            scores = await scoring.results(uow, CZ)
        assert scores is not None
        wujin = scores.unit(unit_id(services, CZ, "wujin"))
        assert wujin is not None and wujin.satisfaction.valid == 20


async def test_export_figures_equal_the_scorer(db_url: str, tmp_path: Path) -> None:
    async with scoring_services(db_url, dt.date(2011, 9, 5)) as services:
        for code in ("wujin", "liyang"):
            await add_questionnaires(services, CZ, code, "onsite", [V, F, F, F, K], 8, "mass-rep")
            await add_questionnaires(services, CZ, code, "questionnaire", [F, B, F, V, F], 8)
        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, CZ)
        assert scores is not None
        campaign = services.registry.campaigns[CZ]
        wujin_id = unit_id(services, CZ, "wujin")
        seen = dt.datetime(2011, 9, 1, 2, tzinfo=dt.UTC)
        burst = Burst(
            CZ,
            wujin_id,
            "questionnaire",
            (9001, 9002, 9003, 9004, 9005),
            seen,
            seen + dt.timedelta(minutes=12),
            ("very_satisfied",) * 5,
        )
        data = workbook_bytes(campaign, scores, "en", [burst])
        book = load_workbook(__import__("io").BytesIO(data), read_only=True)
        assert book.sheetnames == [
            "Ranking",
            "Units",
            "Items",
            "Categories",
            "Complaints",
            "Suspicious bursts",
            "Inspectors' findings",
        ]
        flagged = list(book["Suspicious bursts"].iter_rows(values_only=True))
        assert flagged[1][:3] == (campaign.unit("wujin").name.get("en"), "Questionnaire survey", 5)
        assert flagged[1][3:5] == ("2011-09-01 10:00", "2011-09-01 10:12")  # China time
        assert not any("9001" in str(cell) for row in flagged for cell in row)  # names nobody
        rows = list(book["Ranking"].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        assert header[:4] == ("Kind", "Rank", "Unit", "Composite")
        by_name = {row[2]: row for row in body}
        for code in ("wujin", "liyang"):
            unit = scores.unit(unit_id(services, CZ, code))
            assert unit is not None and unit.composite is not None
            row = by_name[campaign.unit(code).name.get("en")]
            assert row[1] == unit.rank
            assert Decimal(str(row[3])) == unit.composite.quantize(Decimal("0.01"))
            assert unit.satisfaction.satisfaction is not None
            assert Decimal(str(row[5])) == unit.satisfaction.satisfaction.quantize(Decimal("0.1"))
        written = write_report(campaign, scores, "zh-Hans", tmp_path / "out")
        assert [p.suffix for p in written] == [".xlsx"] + [".csv"] * 7
        assert "综合得分" in written[1].read_text("utf-8-sig")
        png = ranking_png(campaign, scores, "zh-Hans")
        assert png.startswith(b"\x89PNG")


async def test_marks_csv_is_validated(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2012, 7, 5)) as services:
        good = "campaign,unit,component,label,score\nnantong-2012-efficiency,eia,daily,r1,88.5\n"
        [entry] = parse_marks_csv(services.registry, good)
        assert entry.score_x100 == 8850
        for bad, key in (
            ("nantong-2012-efficiency,eia,daily,r1,120", "range"),
            ("nantong-2012-efficiency,eia,social,r1,80", "component_kind"),
            ("nantong-2012-efficiency,nowhere,daily,r1,80", "unit"),
            ("nantong-2012-efficiency,eia,daily,r1,eighty", "number"),
        ):
            text = "campaign,unit,component,label,score\n" + bad + "\n"
            try:
                parse_marks_csv(services.registry, text)
            except EntryError as exc:
                assert exc.key == key and exc.values["line"] == 2
            else:
                raise AssertionError(f"accepted {bad!r}")


async def test_incremental_suggestions_order_like_a_full_refresh(db_url: str) -> None:
    """Suggestions submitted at the same moment: newest respondent first, both ways."""
    async with scoring_services(db_url, dt.date(2011, 8, 20)) as services:
        scoring = services.scoring
        scoring.grace = 0
        await add_questionnaires(services, CZ, "wujin", "questionnaire", [F] * 5, 2)
        await scoring.refresh(CZ, full=True)
        keys = []
        for text in ("甲", "乙", "丙", "丁"):
            keys += await add_questionnaires(
                services, CZ, "wujin", "questionnaire", [V] * 5, 1, suggestion=text
            )
        for rid, uid, comp in reversed(keys):  # announced in another order than submitted
            scoring.submitted(CZ, rid, uid, comp)
        assert not (await scoring.refresh(CZ)).full
        async with services.db.unit_of_work() as uow:
            incremental = await scoring.results(uow, CZ)
        await scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            full = await scoring.results(uow, CZ)
        assert incremental is not None and full is not None
        wujin = unit_id(services, CZ, "wujin")
        assert full.unit(wujin).issues.suggestions == ["丁", "丙", "乙"]  # type: ignore[union-attr]
        assert incremental.units == full.units


def test_key_lists_are_written_in_each_drivers_parameter_style() -> None:
    """PostgreSQL (asyncpg) gets numbered, typed parameters; SQLite plain question marks."""
    keys = [(11, 2, "questionnaire"), (12, 3, "onsite")]
    sql, params = _with_keys("{rows} | {campaign} {no}", keys, "numeric_dollar", CZ, False)
    assert sql == (
        "($1::bigint, $2::integer, $3::varchar), ($4::bigint, $5::integer, $6::varchar) | $7 $8"
    )
    assert params == (11, 2, "questionnaire", 12, 3, "onsite", CZ, False)
    sql, params = _with_keys("{rows} | {campaign} {no}", keys, "qmark", CZ, False)
    assert sql == "(?, ?, ?), (?, ?, ?) | ? ?"
    assert params == (11, 2, "questionnaire", 12, 3, "onsite", CZ, False)
