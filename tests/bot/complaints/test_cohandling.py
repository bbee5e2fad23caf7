"""Lead and co-handling units (003 三(四) 牵头承办 … 共同办理), end to end.

The lead unit's handler (or the centre) adds co-handling units; their handlers are sent
the case, add their part (files, then text), which the lead sees; only the lead closes,
on the lead's deadline.  Nobody learns who complained, nor the complainant who handled.
"""

from __future__ import annotations

from sqlalchemy import select, update

from bot.complaints.screens import VERDICTS
from bot.localapi import ChatMessage
from storage.models import Complaint, ComplaintCohandler, ComplaintEntry
from tests.bot.telegram.helpers import Citizen, plain, unit_id, unit_name, wait_until

from .conftest import CENTRE_ID, ComplaintApp
from .test_lifecycle import (
    CITIZEN_ID,
    act_data,
    assert_private,
    citizen,
    complaint_audit,
    complaint_row,
    file_complaint,
    newest_with,
    register_handler,
)

ZH = "zh-Hans"
LEAD_ID, CO_ID, THIRD_ID = 74_100_001, 74_200_002, 74_300_003
CO_NAME = "Cohandlerus Hiddenname"
CONTACT = "13800138000"


def has_button(person: Citizen, data: str) -> bool:
    """Whether any message in the person's chat carries a button with `data`."""
    return any(data in m.callback_data() for m in person.user.messages)


async def forge(app: ComplaintApp, person: Citizen, data: str) -> None:
    """Press `data` on a message of the person's own chat (a forged button), and wait."""
    own = person.user.messages[-1]
    query = app.api.new_callback_query(person.user.profile, own, data)
    app.api.push_update("callback_query", query)
    await wait_until(lambda: app.api.queries[query["id"]].answered, "press answered")


async def pick_unit(person: Citizen, choice: ChatMessage, tracking: str, uid: int) -> None:
    """Page through the co-handling unit choice until the unit's button, and press it."""
    message = choice
    for page in range(1, 20):
        if act_data(tracking, "counit", uid) in message.callback_data():
            await person.press(message, act_data(tracking, "counit", uid))
            return
        [message] = await person.press(message, act_data(tracking, "cohandle", page))
    raise AssertionError("unit not offered")


async def test_cohandling_from_adding_to_the_lead_closing(app: ComplaintApp) -> None:
    services = app.services
    lead = await register_handler(app, LEAD_ID, "wujin")
    co = await register_handler(app, CO_ID, "liyang")
    app.api.user(CO_ID, first_name=CO_NAME, username="co_hidden_user")
    third = await register_handler(app, THIRD_ID, "jintan")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    await centre.send("/start")
    person = citizen(app)
    tracking = await file_complaint(person, "wujin", "两个部门互相推诿,办证拖了两个月。")
    row = await complaint_row(app, tracking)
    # The citizen gave the lead a phone number; a co-handling unit must not see it.
    await services.db.writer.run(
        lambda conn: conn.execute(
            update(Complaint).where(Complaint.id == row.id).values(contact=CONTACT)
        )
    )
    await wait_until(lambda: has_button(lead, act_data(tracking, "cohandle")), "lead card")

    # The lead adds liyang: its handler is sent the case (card and evidence, no contact).
    card = newest_with(lead, act_data(tracking, "cohandle"))
    [choice] = await lead.press(card, act_data(tracking, "cohandle"))
    liyang = unit_id(services, "liyang")
    await pick_unit(lead, choice, tracking, liyang)
    added = plain(ZH, "complaint.cohandler_added", unit=unit_name(services, "liyang", ZH))
    assert added in lead.toasts
    await wait_until(lambda: has_button(co, act_data(tracking, "part")), "co-handler card")
    await wait_until(lambda: any(m.kind == "photo" for m in co.user.messages), "evidence")
    co_card = newest_with(co, act_data(tracking, "part"))
    assert plain(ZH, "complaint.note.cohandle", due="2011年8月8日", estimated="") in (
        co_card.plain_text
    )  # the lead's deadline
    assert act_data(tracking, "close") not in co_card.callback_data()
    # Adding it twice is refused; the lead unit itself cannot co-handle.
    [choice] = await lead.press(
        newest_with(lead, act_data(tracking, "cohandle")), act_data(tracking, "cohandle")
    )
    await pick_unit(lead, choice, tracking, liyang)
    assert plain(ZH, "complaint.cohandler_already", unit=unit_name(services, "liyang", ZH)) in (
        lead.toasts
    )
    await forge(app, lead, act_data(tracking, "counit", unit_id(services, "wujin")))
    assert plain(ZH, "complaint.bad.cohandler_unit") in lead.toasts

    # The centre adds a second co-handling unit.
    await forge(app, centre, act_data(tracking, "counit", unit_id(services, "jintan")))
    await wait_until(lambda: has_button(third, act_data(tracking, "part")), "third card")

    # The co-handler cannot close; a handler of no co-handling unit cannot add a part.
    await forge(app, co, act_data(tracking, "close"))
    assert plain(ZH, "complaint.not_your_unit") in co.toasts
    await forge(app, lead, act_data(tracking, "part"))
    assert plain(ZH, "complaint.not_cohandler") in lead.toasts

    # The co-handler's part: a file, then the text (typed HTML stays text).
    [prompt] = await co.press(co_card, act_data(tracking, "part"))
    assert tracking in prompt.plain_text
    [kept] = await co.send_photo()
    assert kept.plain_text == plain(ZH, "complaint.part_file_kept", count=1)
    part = "本局已核实 <i>材料齐全</i> & 建议牵头单位当日办结"
    [sent] = await co.send(part)
    assert sent.plain_text == plain(ZH, "complaint.part_sent", tracking=tracking)
    await wait_until(
        lambda: any(part in m.plain_text for m in lead.user.messages), "part relayed to the lead"
    )
    relayed = next(m for m in lead.user.messages if part in m.plain_text)
    assert unit_name(services, "liyang", ZH) in relayed.plain_text
    co_file = app.api.calls_of("sendPhoto")
    assert any(c.params["chat_id"] == LEAD_ID for c in co_file[-1:])
    async with services.db.unit_of_work() as uow:
        entries = (
            await uow.session.execute(
                select(ComplaintEntry.author, ComplaintEntry.kind, ComplaintEntry.unit_id)
                .where(ComplaintEntry.complaint_id == row.id, ComplaintEntry.unit_id.is_not(None))
                .order_by(ComplaintEntry.id)
            )
        ).all()
        units = (
            (
                await uow.session.execute(
                    select(ComplaintCohandler.unit_id).where(
                        ComplaintCohandler.complaint_id == row.id
                    )
                )
            )
            .scalars()
            .all()
        )
    assert [tuple(e) for e in entries] == [
        ("handler", "photo", liyang),
        ("handler", "part", liyang),
    ]
    assert set(units) == {liyang, unit_id(services, "jintan")}

    # The co-handler finds it in /cases too, still without the contact.
    cases = await co.send("/cases")
    assert any(act_data(tracking, "part") in m.callback_data() for m in cases)

    # Only the lead closes; the citizen gets the result.
    [verdicts] = await lead.press(
        newest_with(lead, act_data(tracking, "close")), act_data(tracking, "close")
    )
    await lead.press(verdicts, act_data(tracking, "verdict", VERDICTS.index("partly")))
    await lead.send("经两部门联合核查,已当场办结。")
    await wait_until(
        lambda: "联合核查" in (person.user.last_message or verdicts).plain_text, "result"
    )
    assert (await complaint_row(app, tracking)).status == "closed"

    # Privacy, on the raw payloads the server recorded.
    for chat in (LEAD_ID, CO_ID, THIRD_ID):
        assert_private(app, chat)
    for chat in (CO_ID, THIRD_ID):
        assert CONTACT not in app.api.outgoing_text(chat)
    assert CONTACT in app.api.outgoing_text(LEAD_ID)  # the lead may see what the citizen gave
    to_citizen = app.api.outgoing_text(CITIZEN_ID)
    for secret in (CO_NAME, "Cohandlerus", "co_hidden_user", str(CO_ID)):
        assert secret not in to_citizen
        assert secret not in app.api.outgoing_text(LEAD_ID)

    audit = await complaint_audit(app)
    assert [(e.action, e.actor) for e in audit if e.action != "complaint.close"] == [
        ("complaint.cohandle", LEAD_ID),
        ("complaint.cohandle", CENTRE_ID),
        ("complaint.part", CO_ID),
    ]
    assert audit[0].details["unit_id"] == liyang and audit[1].details["by"] == "centre"
    assert audit[2].details == {
        "by": "cohandler",
        "from": "open",
        "to": "open",
        "unit_id": liyang,
        "files": 1,
    }
    assert audit[-1].action == "complaint.close" and audit[-1].actor == LEAD_ID
