"""Interim progress notes (003 三(四) 向群众通报办理进度): a handler tells the complainant
how the case is going; relayed with the tracking number, identities hidden both ways."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import t
from storage.models import ComplaintEntry
from tests.bot.telegram.helpers import Citizen, plain, wait_until

from .conftest import ComplaintApp
from .test_lifecycle import (
    CITIZEN_ID,
    SECRET_NAMES,
    act_data,
    assert_private,
    citizen,
    complaint_audit,
    complaint_row,
    file_complaint,
    newest_with,
    register_handler,
)

HANDLER_ID = 73_555_019
HANDLER_NAME = "Handlerina Secretname"


async def test_progress_note_reaches_the_citizen_and_nobody_is_named(app: ComplaintApp) -> None:
    handler = await register_handler(app, HANDLER_ID, "wujin")
    app.api.user(HANDLER_ID, first_name=HANDLER_NAME, username="handler_hidden")
    person = citizen(app)
    tracking = await file_complaint(person, "wujin", "窗口工作人员推诿。")
    await wait_until(lambda: any(tracking in m.plain_text for m in handler.user.messages), "card")

    card = newest_with(handler, act_data(tracking, "progress"))
    [prompt] = await handler.press(card, act_data(tracking, "progress"))
    assert prompt.plain_text == plain(
        "zh-Hans", "complaint.prompt.progress", tracking=tracking, limit=2000
    )
    # Typed HTML is shown as text, never as markup.
    note = "已调取监控录像 <b>正在核实</b> & 约谈当事人"
    [done] = await handler.send(note)
    assert done.plain_text == plain("zh-Hans", "complaint.progress_sent", tracking=tracking)
    await wait_until(
        lambda: "正在核实" in (person.user.last_message or done).plain_text, "note relayed"
    )
    relayed = person.user.last_message
    assert relayed is not None
    assert tracking in relayed.plain_text and note in relayed.plain_text
    raw_to_citizen = app.api.outgoing_text(CITIZEN_ID)
    assert "&lt;b&gt;正在核实&lt;/b&gt; &amp; 约谈" in raw_to_citizen  # escaped in the payload
    # The handler is not named to the citizen; the citizen not to the handler.
    for secret in (HANDLER_NAME, "Handlerina", "handler_hidden", str(HANDLER_ID)):
        assert secret not in raw_to_citizen
    assert_private(app, HANDLER_ID)

    # Stored as a progress entry by the handler's role; audited without the complainant.
    row = await complaint_row(app, tracking)
    async with app.services.db.unit_of_work() as uow:
        entries = (
            (
                await uow.session.execute(
                    select(ComplaintEntry).where(ComplaintEntry.complaint_id == row.id)
                )
            )
            .scalars()
            .all()
        )
    assert [(e.author, e.text) for e in entries if e.kind == "progress"] == [("handler", note)]
    audit = await complaint_audit(app)
    assert [e.action for e in audit][-1] == "complaint.progress"
    assert audit[-1].actor == HANDLER_ID and audit[-1].subject == f"complaint {tracking}"
    assert not any(name in str(audit) for name in SECRET_NAMES)


async def test_progress_note_too_long_is_refused_and_strangers_cannot(app: ComplaintApp) -> None:
    handler = await register_handler(app, HANDLER_ID, "wujin")
    other = await register_handler(app, 73_555_020, "liyang")
    person = citizen(app)
    tracking = await file_complaint(person, "wujin", "窗口工作人员推诿。")
    await wait_until(lambda: any(tracking in m.plain_text for m in handler.user.messages), "card")
    card = newest_with(handler, act_data(tracking, "progress"))
    await handler.press(card, act_data(tracking, "progress"))
    before = len(person.user.messages)
    [refused] = await handler.send("很" * 2001)
    assert refused.plain_text == plain("zh-Hans", "complaint.bad.too_long", limit=2000, length=2001)
    assert len(person.user.messages) == before  # nothing relayed

    # A handler of another unit pressing the button (forged on their own message) is refused.
    own = other.user.messages[-1]
    query = app.api.new_callback_query(other.user.profile, own, act_data(tracking, "progress"))
    app.api.push_update("callback_query", query)
    await wait_until(lambda: app.api.queries[query["id"]].answered, "refusal answered")
    assert t("zh-Hans", "complaint.not_your_unit") in other.toasts
    assert isinstance(other, Citizen)
