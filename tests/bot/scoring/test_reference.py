"""The reference test: small hand-built datasets for both seed campaigns, every figure
worked out here by hand from the rules in docs/domain.md and compared exactly.

Level scores: 很满意 V = 1.0, 比较满意 F = 0.8, 基本满意 B = 0.6, 不满意 D = 0,
不了解 K abstains (counted, out of every denominator).  The minimum sample (30) counts
people — respondents with at least one valid answer about the unit in the component —
never item answers (re-derived for that rule: the datasets have 30 people per unit).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.scoring import stats
from bot.scoring.records import parse_marks_csv
from bot.scoring.results import CampaignScores, Status, UnitScore

from .helpers import (
    B,
    D,
    F,
    K,
    V,
    add_complaint_finding,
    add_questionnaires,
    scoring_services,
    unit_id,
)

CZ = "changzhou-2011-safety"
NT = "nantong-2012-efficiency"


def by_code(scores: CampaignScores) -> dict[str, UnitScore]:
    """Units by their campaign-file id."""
    return {u.code: u for u in scores.units}


async def test_changzhou_reference(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2011, 9, 5)) as services:
        add = add_questionnaires
        # -- departments: onsite (30 %, panel), questionnaire (50 %), cases (20 %, deduction)
        # changzhou (the city bureau): not appraised on site (onsite excludes it, seed 002
        # 五(三)), so questionnaire 50 % + cases 20 % = 70 % of the weights apply.
        # questionnaire 30 × (V, F, F, B, K), 15 public + 15 enterprise-rep:
        # per questionnaire 4 valid answers, Σ 1 + 0.8 + 0.8 + 0.6 = 3.2;
        # 120 valid, Σ 96 → 96 / 120 × 100 = 80; 30 不了解 counted, outside.
        await add(
            services,
            CZ,
            "changzhou",
            "questionnaire",
            [V, F, F, B, K],
            15,
            "public",
            suggestion="窗口再多开两个",
        )
        await add(services, CZ, "changzhou", "questionnaire", [V, F, F, B, K], 15, "enterprise-rep")
        # Every other department: 30 people per component.
        # liyang: onsite F → 80; questionnaire F → 80.
        await add(services, CZ, "liyang", "onsite", [F] * 5, 30, "mass-rep")
        await add(services, CZ, "liyang", "questionnaire", [F] * 5, 30)
        # jintan: onsite V → 100; questionnaire B → 60.
        await add(services, CZ, "jintan", "onsite", [V] * 5, 30, "mass-rep")
        await add(services, CZ, "jintan", "questionnaire", [B] * 5, 30)
        # wujin: same as liyang → 80 and 80.
        await add(services, CZ, "wujin", "onsite", [F] * 5, 30, "mass-rep")
        await add(services, CZ, "wujin", "questionnaire", [F] * 5, 30)
        # xinbei: 100 and 100.
        await add(services, CZ, "xinbei", "onsite", [V] * 5, 30, "mass-rep")
        await add(services, CZ, "xinbei", "questionnaire", [V] * 5, 30)
        # tianning: onsite B → 60; questionnaire (D, D, B, B, B):
        # Σ per questionnaire 1.8 over 5 → 36.
        await add(services, CZ, "tianning", "onsite", [B] * 5, 30, "mass-rep")
        await add(services, CZ, "tianning", "questionnaire", [D, D, B, B, B], 30)
        # zhonglou: onsite F → 80; questionnaire (V, V, F, F, B): Σ 4.2 / 5 → 84.
        await add(services, CZ, "zhonglou", "onsite", [F] * 5, 30, "mass-rep")
        await add(services, CZ, "zhonglou", "questionnaire", [V, V, F, F, B], 30)
        # qishuyan: onsite 30 × V; questionnaire only 6 people × 5 V = 30 valid answers,
        # but 6 people < 30 → insufficient (a sample is people, not item answers).
        await add(services, CZ, "qishuyan", "onsite", [V] * 5, 30, "mass-rep")
        await add(services, CZ, "qishuyan", "questionnaire", [V] * 5, 6)
        # -- windows: questionnaire (50 %) and cases (20 %) apply; onsite does not → /70.
        # changzhou-window: 30 × (V, V, V, V, F): Σ 4.8 / 5 → 96.
        await add(services, CZ, "changzhou-window", "questionnaire", [V, V, V, V, F], 30)
        # wujin-window: 30 × F → 80.
        await add(services, CZ, "wujin-window", "questionnaire", [F] * 5, 30)
        # xinbei-window: 30 × B → 60, plus 2 questionnaires of all K (10 不了解, no valid
        # answer: those two are not people of the sample, which stays 30).
        await add(services, CZ, "xinbei-window", "questionnaire", [B] * 5, 30)
        await add(services, CZ, "xinbei-window", "questionnaire", [K] * 5, 2)
        # Not counted: a draft, and a voided questionnaire (both all D).
        await add(services, CZ, "xinbei", "questionnaire", [D] * 5, 3, status="draft")
        await add(services, CZ, "xinbei", "questionnaire", [D] * 5, 3, voided=True)

        # -- case investigation (deduction, 20 points, never below 0)
        # liyang: complaints 2 + 2 and an inspection 1 → 5 deducted → 15.
        await add_complaint_finding(services, CZ, "liyang", "cases", "2")
        await add_complaint_finding(services, CZ, "liyang", "cases", "2")
        async with services.db.unit_of_work() as uow:
            records = services.records
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "liyang"), "1", "台账缺")
            # wujin: 5 in one inspection → 15.
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "wujin"), "5", "")
            # jintan: 13 + 12 = 25 > 20 → capped at 20 → 0.
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "jintan"), "13", "")
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "jintan"), "12", "")
            # zhonglou: 2 → 18.   wujin-window: 4 → 16.
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "zhonglou"), "2", "")
            await records.add_inspection(uow, 7, CZ, unit_id(services, CZ, "wujin-window"), "4", "")
            # -- bonus (cap 3): changzhou 2 + 2 = 4 → 3; xinbei 1; xinbei-window 0.5.
            for code, points in (
                ("changzhou", "2"),
                ("changzhou", "2"),
                ("xinbei", "1"),
                ("xinbei-window", "0.5"),
            ):
                await records.add_bonus(
                    uow, 7, CZ, unit_id(services, CZ, code), points, "主动接受媒体监督"
                )

        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, CZ)
        assert scores is not None
        u = by_code(scores)

        # -- changzhou, per item of the questionnaire: lawful V×8 → 100; fair F×8 → 80;
        # open F×8 → 80; service B×8 → 60; integrity K×8 → no valid answer, 8 不了解.
        q = u["changzhou"].component("questionnaire")
        assert {i: f.satisfaction for i, f in q.items.items()} == {
            "lawful-duty": Decimal(100),
            "fair-enforcement": Decimal(80),
            "open-government": Decimal(80),
            "service": Decimal(60),
            "integrity": None,
        }
        assert q.items["integrity"].dont_know == 30 and q.items["integrity"].valid == 0
        assert q.overall is not None
        assert (
            q.overall.people,
            q.overall.valid,
            q.overall.dont_know,
            q.overall.satisfaction,
        ) == (30, 120, 30, Decimal(80))
        # The same worked by the one satisfaction function from the counts alone.
        assert stats.satisfaction({V: 30, F: 60, B: 30, K: 30}) == 80
        assert q.overall.counts == {V: 30, F: 60, B: 30, K: 30}
        # per category: 15 people each, 60 valid, Σ 48 → 80.
        assert {c: (f.people, f.valid, f.satisfaction) for c, f in q.categories.items()} == {
            "enterprise-rep": (15, 60, Decimal(80)),
            "public": (15, 60, Decimal(80)),
        }
        # The interval (t, n = 30 people): mean 0.8; Σ(x − 0.8)² = 30·0.2² + 60·0
        # + 30·0.2² = 2.4; s² = 2.4 / 119; half = t(0.975, 29) · √(s² / 30)
        # = 2.0452 · 0.025928 = 0.053028 → 74.6972 … 85.3028.
        assert (q.overall.low, q.overall.high) == (Decimal("74.6972"), Decimal("85.3028"))
        # One item, all F: no spread → the interval is the point.
        assert (q.items["fair-enforcement"].low, q.items["fair-enforcement"].high) == (
            Decimal(80),
            Decimal(80),
        )

        # -- components and composites (departments: Σ weight × score, applicable 100)
        expected_components = {
            #            onsite  questionnaire  cases
            "changzhou": (None, 80, 20),  # (40 + 20)/70·100 = 85.714286, + cap 3 = 88.7143
            "liyang": (80, 80, 15),  # 24 + 40 + 15 = 79
            "jintan": (100, 60, 0),  # 30 + 30 + 0 = 60 (25 deducted, capped at 20)
            "wujin": (80, 80, 15),  # 24 + 40 + 15 = 79 (ties with liyang)
            "xinbei": (100, 100, 20),  # 30 + 50 + 20 = 100, bonus 1 → 101
            "tianning": (60, 36, 20),  # 18 + 18 + 20 = 56
            "zhonglou": (80, 84, 18),  # 24 + 42 + 18 = 84
            "qishuyan": (100, 100, 20),  # 100, but 6 people < 30: insufficient
        }
        for code, (onsite, quest, cases) in expected_components.items():
            unit = u[code]
            assert unit.component("onsite").score == onsite, code
            assert unit.component("onsite").applies is (onsite is not None), code
            assert unit.component("questionnaire").score == quest, code
            assert unit.component("cases").points == cases, code
        assert u["jintan"].component("cases").deducted == 20
        assert u["jintan"].component("cases").findings == 2
        assert u["liyang"].component("cases").deducted == 5
        composites = {c: u[c].composite for c in expected_components}
        assert composites == {
            "changzhou": Decimal("88.7143"),
            "liyang": 79,
            "jintan": 60,
            "wujin": 79,
            "xinbei": 101,
            "tianning": 56,
            "zhonglou": 84,
            "qishuyan": 100,
        }
        assert (u["changzhou"].bonus_given, u["changzhou"].bonus) == (4, 3)
        assert u["qishuyan"].status is Status.INSUFFICIENT and u["qishuyan"].rank is None
        qishuyan = u["qishuyan"].component("questionnaire")
        assert not qishuyan.sufficient
        assert qishuyan.overall is not None
        assert (qishuyan.overall.people, qishuyan.overall.valid) == (6, 30)

        # -- ranks among the 7 ranked departments; 79 and 79 share rank 4, the next is 6.
        ranks = {c: u[c].rank for c in expected_components}
        assert ranks == {
            "xinbei": 1,
            "changzhou": 2,
            "zhonglou": 3,
            "liyang": 4,
            "wujin": 4,
            "jintan": 6,
            "tianning": 7,
            "qishuyan": None,
        }
        assert u["changzhou"].applicable_weight == 70
        # average of the ranked: (101 + 621/7 + 84 + 79 + 79 + 60 + 56) / 7 = (459 + 621/7)/7
        # = 3834/49 = 78.244898…
        assert scores.kind_average["department"] == Decimal("78.2449")
        # 约谈: bottom group 2 = the last 2 of 7 places: tianning (rank 7), jintan (rank 6).
        # Pooled satisfaction: tianning (30·5·0.6 + 30·1.8)/300 =
        # (90 + 54)/300 = 48 % < 80 → talk; jintan (150 + 90)/300 = 80 %, not below 80.
        assert u["tianning"].satisfaction.satisfaction == 48
        assert u["jintan"].satisfaction.satisfaction == 80
        assert {c for c in expected_components if u[c].talk} == {"tianning"}
        # 不评优: ranked low 3 = the last 3 of 7 places (5–7): tianning, jintan; the two 79s
        # share rank 4 (places 4–5), across the boundary: `ties: exclude` keeps them out
        # (re-derived for the tail rule; they were in before, but above the average of
        # 78.245 either way).  Below 78.245: tianning 56, jintan 60.
        assert {c for c in expected_components if u[c].no_excellence} == {"tianning", "jintan"}

        # -- windows: applicable weight 50 + 20 = 70, composite rescaled to 100.
        # changzhou-window: (0.5·96 + 20)/70·100 = 68/70·100 = 97.142857 → 97.1429
        # wujin-window: (0.5·80 + 16)/70·100 = 56/70·100 = 80
        # xinbei-window: (0.5·60 + 20)/70·100 = 50/70·100 = 71.428571, + 0.5 = 71.928571
        w = {c: u[c] for c in ("changzhou-window", "wujin-window", "xinbei-window")}
        assert w["changzhou-window"].component("onsite").applies is False
        assert w["changzhou-window"].applicable_weight == 70
        assert {c: x.composite for c, x in w.items()} == {
            "changzhou-window": Decimal("97.1429"),
            "wujin-window": Decimal(80),
            "xinbei-window": Decimal("71.9286"),
        }
        assert {c: x.rank for c, x in w.items()} == {
            "changzhou-window": 1,
            "wujin-window": 2,
            "xinbei-window": 3,
        }
        assert w["xinbei-window"].satisfaction.dont_know == 10
        assert w["xinbei-window"].satisfaction.people == 30
        assert w["xinbei-window"].satisfaction.satisfaction == 60
        # average: (680/7 + 80 + 1007/14) / 3 = 3487/42 = 83.0238
        assert scores.kind_average["window"] == Decimal("83.0238")
        # 约谈 (bottom 2 of 3: xinbei-window, wujin-window): 60 % < 80 → xinbei-window only.
        assert {c for c, x in w.items() if x.talk} == {"xinbei-window"}
        # 不评优: 3 ranked windows have no tail of 3 (re-derived for the tail rule: wujin
        # and xinbei windows, below the average 83.02, were flagged before) → none.
        assert not any(x.no_excellence for x in w.values())
        # Changzhou has no awards.
        assert not any(x.award for x in scores.units)
        # Issues: the latest suggestion; 3 findings against liyang.
        assert u["changzhou"].issues.suggestions == ["窗口再多开两个"] * 3
        assert u["liyang"].issues.findings == 3


async def test_nantong_reference(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2012, 11, 5)) as services:
        add = add_questionnaires
        levels = {"V": V, "F": F, "B": B}
        # divisions: daily (manual 30), midyear (20), interpellation (25), social (25).
        # Each survey component: 30 people × 6 items, one level throughout
        # → 30 people (exactly the minimum), 180 valid answers, satisfaction = level × 100.
        divisions = {
            #                        daily marks   mid  int  soc
            "ndrc-key-projects": (["95"], "V", "V", "F"),  # 28.5 + 20 + 25 + 20 = 93.5
            "land-use": (["90"], "F", "V", "V"),  # 27 + 16 + 25 + 25 = 93
            "planning-approval": (["80"], "V", "F", "F"),  # 24 + 20 + 20 + 20 = 84
            "construction-admin": (["100"], "B", "F", "F"),  # 30 + 12 + 20 + 20 = 82
            "eia": (["80"], "F", "F", "F"),  # 24 + 16 + 20 + 20 = 80
            "transport-construction": (["70", "90"], "F", "F", "F"),  # mean 80 → 80
            "foreign-investment": (["60"], "B", "B", "B"),  # 18 + 12 + 15 + 15 = 60
            "finance-construction": ([], "V", "V", "V"),  # no daily mark: incomplete
        }
        rows = []
        for code, (marks, mid, inter, soc) in divisions.items():
            await add(services, NT, code, "midyear", [levels[mid]] * 6, 30, "citizen-rep")
            await add(services, NT, code, "interpellation", [levels[inter]] * 6, 30, "media-rep")
            await add(services, NT, code, "social", [levels[soc]] * 6, 30)
            rows += [f"{NT},{code},daily,round-{n},{m},\n" for n, m in enumerate(marks)]
        # windows: daily (30) and social (25) apply → composite = (0.3·d + 0.25·s)/55·100.
        windows = {
            "window-ndrc": ("100", "V"),  # 55/55 → 100
            "window-land": ("90", "V"),  # 52/55 = 94.5455
            "window-planning": ("100", "F"),  # 50/55 = 90.9091
            "window-construction": ("90", "F"),  # 47/55 = 85.4545
            "window-environment": ("80", "V"),  # 49/55 = 89.0909
            "window-industry-commerce": ("80", "F"),  # 44/55 = 80
            "window-quality": ("70", "V"),  # 46/55 = 83.6364
            "window-tax": ("70", "F"),  # 41/55 = 74.5455
            "window-public-security": ("60", "V"),  # 43/55 = 78.1818
            "window-transport": ("60", "F"),  # 38/55 = 69.0909
            "window-health": ("80", "F"),  # 44/55 = 80 (ties industry-commerce)
            "window-commerce": ("50", "B"),  # 30/55 = 54.5455
        }
        for code, (mark, soc) in windows.items():
            await add(services, NT, code, "social", [levels[soc]] * 6, 30)
            rows.append(f"{NT},{code},daily,2012-h1,{mark},\n")
        csv_text = "campaign,unit,component,label,score,note\n" + "".join(rows)
        entries = parse_marks_csv(services.registry, csv_text)
        async with services.db.unit_of_work() as uow:
            await services.records.store_marks(uow, None, entries)

        await services.scoring.refresh(NT, full=True)
        async with services.db.unit_of_work() as uow:
            scores = await services.scoring.results(uow, NT)
        assert scores is not None
        u = by_code(scores)

        assert {c: u[c].composite for c in divisions} == {
            "ndrc-key-projects": Decimal("93.5"),
            "land-use": 93,
            "planning-approval": 84,
            "construction-admin": 82,
            "eia": 80,
            "transport-construction": 80,
            "foreign-investment": 60,
            "finance-construction": None,
        }
        # 年中汇报测评 and 质询评议 rate their own six criteria (seed 000 第三阶段 4.), the
        # social survey the campaign questionnaire's six items.
        own = ["attitude", "breadth", "depth", "relevance", "feasibility", "practicality"]
        assert list(u["eia"].component("midyear").items) == own
        assert list(u["eia"].component("interpellation").items) == own
        social = [i.id for i in services.registry.campaigns[NT].questionnaire.items]
        assert list(u["eia"].component("social").items) == social != own
        assert u["eia"].component("midyear").items["depth"].valid == 30
        assert u["transport-construction"].component("daily").score == 80
        assert u["transport-construction"].component("daily").marks == 2
        assert u["finance-construction"].status is Status.INCOMPLETE
        # ranks: 93.5, 93, 84, 82, 80 = 80 (shared 5), 60 → 7.
        assert {c: u[c].rank for c in divisions} == {
            "ndrc-key-projects": 1,
            "land-use": 2,
            "planning-approval": 3,
            "construction-admin": 4,
            "eia": 5,
            "transport-construction": 5,
            "foreign-investment": 7,
            "finance-construction": None,
        }
        # 6 先进处室: ranks ≤ 6 → the first six (the tie at 5 stays within six).
        assert {c for c in divisions if u[c].award} == set(list(divisions)[:6])
        expected_windows = {
            "window-ndrc": (Decimal(100), 1),
            "window-land": (Decimal("94.5455"), 2),
            "window-planning": (Decimal("90.9091"), 3),
            "window-environment": (Decimal("89.0909"), 4),
            "window-construction": (Decimal("85.4545"), 5),
            "window-quality": (Decimal("83.6364"), 6),
            "window-industry-commerce": (Decimal(80), 7),
            "window-health": (Decimal(80), 7),
            "window-public-security": (Decimal("78.1818"), 9),
            "window-tax": (Decimal("74.5455"), 10),
            "window-transport": (Decimal("69.0909"), 11),
            "window-commerce": (Decimal("54.5455"), 12),
        }
        assert {c: (u[c].composite, u[c].rank) for c in windows} == expected_windows
        assert u["window-ndrc"].applicable_weight == 55
        assert u["window-ndrc"].component("midyear").applies is False
        # 10 优质服务窗口: ranks ≤ 10 — all but window-transport (11) and window-commerce (12).
        assert {c for c in windows if u[c].award} == set(windows) - {
            "window-transport",
            "window-commerce",
        }
        # No 约谈 / 不评优 rules and no bonus in Nantong.
        assert not any(x.talk or x.no_excellence or x.bonus for x in scores.units)
