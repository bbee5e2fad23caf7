"""A button's data pressed on a photo or file (a stale or forged press: Telegram lets a
client send any data) still gets its screen, as a new message: found by the fuzz test,
where the bot tried to edit the photo's text and Telegram answered 400."""

from __future__ import annotations

from tests.bot.telegram.helpers import wait_until

from .conftest import ComplaintApp
from .test_lifecycle import act_data, citizen, complaint_row, file_complaint, register_handler


async def test_a_press_on_the_evidence_photo_is_answered_anew(app: ComplaintApp) -> None:
    handler = await register_handler(app, 71_501, "wujin")
    tracking = await file_complaint(citizen(app), "wujin", "窗口人员态度粗暴。")
    await wait_until(
        lambda: any(m.kind == "photo" for m in handler.user.messages), "the evidence photo"
    )
    photo = next(m for m in handler.user.messages if m.kind == "photo")
    before = len(handler.user.messages)

    query = app.api.new_callback_query(handler.user.profile, photo, act_data(tracking, "accept"))
    update_id = app.api.push_update("callback_query", query)
    await app.handled(update_id)
    await wait_until(lambda: app.api.queries[query["id"]].answered, "the press answered")

    assert (await complaint_row(app, tracking)).status == "accepted"
    assert len(handler.user.messages) > before, "the screen came as a new message"
    assert photo.kind == "photo" and photo in handler.user.messages
    # The api fixture checks afterwards that no call was refused (no 400 for the edit).
