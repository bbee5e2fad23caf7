"""Buttons name a complaint by its random tracking number; a forged or unknown one,
including the complaint's row id, is refused like any stale button."""

from __future__ import annotations

import pytest

from bot.complaints.records import new_tracking
from bot.i18n import t
from tests.bot.telegram.helpers import Citizen, wait_until

from .conftest import ComplaintApp
from .test_lifecycle import (
    act_data,
    assert_opaque,
    citizen,
    complaint_row,
    file_complaint,
    newest_with,
    register_handler,
)

ZH = "zh-Hans"


async def forge(app: ComplaintApp, person: Citizen, data: str) -> None:
    """Press `data` on the person's newest message, as a client could send it anyway."""
    message = person.user.messages[-1]
    query = app.api.new_callback_query(person.user.profile, message, data)
    app.api.push_update("callback_query", query)
    await wait_until(lambda: app.api.queries[query["id"]].answered, "forged press answered")


@pytest.mark.parametrize("ref", ["row id", "unknown"])
async def test_a_forged_reference_is_refused(app: ComplaintApp, ref: str) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    tracking = await file_complaint(citizen(app), "wujin", "窗口人员态度粗暴。")
    row = await complaint_row(app, tracking)
    await wait_until(
        lambda: any(
            act_data(tracking, "accept") in m.callback_data() for m in handler.user.messages
        ),
        "the handler's card",
    )
    assert_opaque(handler, tracking, row.id)

    other = new_tracking(2011) if ref == "unknown" else str(row.id)
    await forge(app, handler, act_data(other, "accept"))
    assert handler.toasts[-1] == t(ZH, "common.stale")
    assert (await complaint_row(app, tracking)).status == "open"

    # The real button still works.
    card = newest_with(handler, act_data(tracking, "accept"))
    await handler.press(card, act_data(tracking, "accept"))
    assert (await complaint_row(app, tracking)).status == "accepted"
