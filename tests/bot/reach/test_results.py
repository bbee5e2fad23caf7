"""/results for a follow-up campaign: each line says last round's rank and satisfaction and
the change; a unit's button opens its details with its time limits and complaint channel."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.core.clock import FixedClock
from bot.telegram.common.callbacks import ResultsPage, ResultsUnit
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain, wait_until

from .helpers import CZ, FU, campaigns_with_followup
from .test_lookback import DAY, _rounds


@pytest.fixture
def campaigns_dir(tmp_path: Path) -> Path:
    """The bot loads the Changzhou seed and its follow-up."""
    return campaigns_with_followup(tmp_path / "campaigns")


@pytest.fixture
def clock() -> FixedClock:
    """The bot's clock on a day of the follow-up's rating phase."""
    return FixedClock.on_day(DAY)


async def test_results_show_last_round_and_a_units_channel(
    app: BotApp, allow_api_error: Callable[[str], None]
) -> None:
    # The results notice goes to the simulated participants, who have no chat here.
    allow_api_error("sendMessage: Bad Request: chat not found")
    services = app.services
    await _rounds(services)
    async with services.db.unit_of_work() as uow:
        await services.publish.publish(uow, CZ, None)
        published = await services.publish.publish(uow, FU, None)
    citizen = Citizen(app, 8101, "en")
    [first] = await citizen.send("/results")
    this_round = ResultsPage(pub=published.id, kind=0, page=0).pack()
    page = first
    if this_round in first.callback_data():  # both published at once: either may come first
        [page] = await citizen.press(first, this_round)
    campaign = services.registry.campaigns[FU]
    wujin = campaign.unit("wujin-window").name.get("en")
    line = next(line for line in page.plain_text.splitlines() if wujin in line)
    assert line.endswith("· last round ranked 2 of 3, 80.0% (↑1, +20.0)")

    city = next(u for u in published.snapshot.units if u.code == "city-window")
    data = ResultsUnit(pub=published.id, unit=city.unit_id, kind=0, page=0).pack()
    assert data in page.callback_data()
    [view] = await citizen.press(page, data)
    text = view.plain_text
    assert campaign.unit("city-window").name.get("en") in text
    assert "last round ranked 1 of 3, 100.0% (↓1, -20.0)" in text
    assert "publication No. 1 of" in text
    assert plain("en", "reach.limits.title") in text and "within 10 working days" in text
    assert plain("en", "reach.channel.phone", phone="0519-12345678") in text
    assert "Complaint desk, ground floor" in text
    back = ResultsPage(pub=published.id, kind=0, page=0).pack()
    assert view.callback_data() == [back]
    [again] = await citizen.press(view, back)
    assert wujin in again.plain_text

    # A forged unit id (pushed as if pressed) gets the stale notice, nothing else.
    forged = ResultsUnit(pub=published.id, unit=999_999).pack()
    api = app.api
    update = api.push_update(
        "callback_query", api.new_callback_query(citizen.user.profile, again, forged)
    )
    await app.handled(update)
    await wait_until(lambda: bool(citizen.toasts), "the stale toast")
    assert citizen.toasts[-1] == plain("en", "common.stale")
