"""A survey component with its own criteria: asked in chat, stored and scored as such.

Nantong's 年中汇报测评 (seed 000 三、第三阶段 4.) rates 查找问题的态度、广度、深度 and
整改措施的针对性、可行性、务实性, not the social survey's items.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bot.core.clock import FixedClock
from bot.telegram.common.callbacks import AnswerItem, Navigate, PickUnit, StartSurvey

from .conftest import BotApp
from .helpers import Citizen, plain

NT = "nantong-2012-efficiency"
COMP = "midyear"
ZH = "zh-Hans"
OWN = ["attitude", "breadth", "depth", "relevance", "feasibility", "practicality"]


@pytest.fixture
def clock() -> FixedClock:
    """A day of Nantong's mid-year rating (July 2012)."""
    return FixedClock.on_day(dt.date(2012, 7, 16))


async def test_a_component_asks_and_scores_its_own_items(app: BotApp) -> None:
    services = app.services
    campaign = services.registry.campaigns[NT]
    component = campaign.component(COMP)
    assert [i.id for i in campaign.questionnaire_for(component).items] == OWN
    eia = services.registry.unit_id(campaign, campaign.unit("eia"))
    rep = Citizen(app, 7101, "zh-hans")
    await rep.send("/start")
    async with services.db.unit_of_work() as uow:
        (code,) = await services.access.issue_codes(
            uow, None, 1, category="citizen-rep", campaign_id=NT
        )
    await rep.send(f"/code {code}")

    [screen] = await rep.send("/survey")
    start = StartSurvey(campaign=NT, comp=COMP).pack()
    if start in screen.callback_data():  # several questionnaires open: pick this one
        [screen] = await rep.press(screen, start)
    [question] = await rep.press(screen, PickUnit(unit=eia, comp=COMP).pack())
    # Item 1 of 6 is the component's own first criterion, not the campaign questionnaire's.
    first = component.items[0] if component.items else None
    assert first is not None
    assert (
        plain(
            ZH,
            "survey.item",
            unit=campaign.unit("eia").name.get(ZH),
            index=1,
            total=6,
            item=first.text.get(ZH),
            hint="",
        )
        in question.plain_text
    )
    # V, F, F, B, V, F: 1 + 0.8 + 0.8 + 0.6 + 1 + 0.8 = 5 over 6 → 83.3333 %.
    for index, level in enumerate([0, 1, 1, 2, 0, 1]):
        # Each screen asks the component's criterion `index`, "n/6".
        assert component.items[index].text.get(ZH) in question.plain_text
        data = AnswerItem(unit=eia, comp=COMP, item=index, level=level).pack()
        [question] = await rep.press(question, data)
    [review] = await rep.press(question, Navigate(unit=eia, comp=COMP, action="skip").pack())
    for item in component.items:
        assert item.text.get(ZH) in review.plain_text
    await rep.press(review, Navigate(unit=eia, comp=COMP, action="submit").pack())

    await services.scoring.refresh(NT, full=True)
    async with services.db.unit_of_work() as uow:
        scores = await services.scoring.results(uow, NT)
    assert scores is not None
    unit = scores.unit(eia)
    assert unit is not None
    part = unit.component(COMP)
    assert list(part.items) == OWN
    assert {i: f.satisfaction for i, f in part.items.items()} == {
        "attitude": 100,
        "breadth": 80,
        "depth": 80,
        "relevance": 60,
        "feasibility": 100,
        "practicality": 80,
    }
    assert part.overall is not None
    assert (part.overall.people, part.overall.valid) == (1, 6)
    assert part.score == Decimal("83.3333")
