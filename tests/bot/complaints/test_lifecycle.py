"""The complaint lifecycle end to end, through the real bot and the local Bot API server.

file → route → accept → question and answer relayed → close → rating → review → reopen,
with the complainant's identity absent from every raw payload sent to handlers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from bot.access.service import Role
from bot.complaints.screens import RATINGS, VERDICTS
from bot.i18n import t
from bot.localapi import ChatMessage
from bot.telegram.common.callbacks import ComplaintAction, ComplaintDraftAction
from storage.models import AuditEntry, Complaint, Finding
from tests.bot.telegram.helpers import Citizen, unit_id, wait_until

from .conftest import CENTRE_ID, ComplaintApp

ZH = "zh-Hans"
# Distinctive, so a leak cannot hide among other numbers and words.
CITIZEN_ID = 58_120_337
SECRET_NAMES = ("张三丰", "Zhangsecret", "zsf_hidden_user")


def draft_data(action: str, arg: int = 0) -> str:
    """Callback data of a draft button."""
    return ComplaintDraftAction(action=action, arg=arg).pack()


def act_data(tracking: str, action: str, arg: int = 0) -> str:
    """Callback data of a complaint button (it names the complaint by tracking number)."""
    return ComplaintAction(ref=tracking, action=action, arg=arg).pack()


def citizen(app: ComplaintApp) -> Citizen:
    """The complainant, with a name and username that must never reach a handler."""
    app.api.user(
        CITIZEN_ID,
        first_name=SECRET_NAMES[0],
        last_name=SECRET_NAMES[1],
        username=SECRET_NAMES[2],
        language_code="zh-hans",
    )
    return Citizen(app, CITIZEN_ID)


async def register_handler(app: ComplaintApp, user_id: int, unit_code: str) -> Citizen:
    """A handler registered the real way: a single-use code, then /code."""
    services = app.services
    async with services.db.unit_of_work() as uow:
        [code] = await services.access.issue_codes(
            uow, None, 1, role=Role.HANDLER, unit_id=unit_id(services, unit_code)
        )
    handler = Citizen(app, user_id, first_name=f"Handler {user_id}")
    await handler.send(f"/code {code}")
    return handler


async def file_complaint(person: Citizen, unit_code: str | None, text: str) -> str:
    """Go through /complain with one photo; return the tracking number."""
    app = person.app
    [picker] = await person.send("/complain")
    if unit_code is None:
        [kind] = await person.press(picker, draft_data("unit", 0))
    else:
        [picker] = await person.send("武进" if unit_code == "wujin" else unit_code)
        [kind] = await person.press(picker, draft_data("unit", unit_id(app.services, unit_code)))
    await person.press(kind, draft_data("kind", 0))
    await person.send(text)
    await person.send_photo(count=2)
    done = person.user.last_message
    assert done is not None
    [contact] = await person.press(done, draft_data("done"))
    [review] = await person.press(contact, draft_data("anon"))
    [filed] = await person.press(review, draft_data("submit"))
    assert "TS11-" in filed.plain_text
    return filed.plain_text.split("TS11-")[1][:9].join(["TS11-", ""])


async def complaint_row(app: ComplaintApp, tracking: str) -> Complaint:
    """The stored complaint."""
    async with app.services.db.unit_of_work() as uow:
        row = (
            await uow.session.execute(select(Complaint).where(Complaint.tracking == tracking))
        ).scalar_one()
        uow.session.expunge(row)
        return row


def newest_with(person: Citizen, data: str) -> ChatMessage:
    """The newest message in the person's chat that carries a button with `data`."""
    for message in reversed(person.user.messages):
        if data in message.callback_data():
            return message
    raise AssertionError(f"no button {data!r} in chat:\n{person.user.transcript()}")


async def complaint_audit(app: ComplaintApp) -> list[AuditEntry]:
    """The audit log's complaint entries, oldest first; each must leave the complainant out."""
    async with app.services.db.unit_of_work() as uow:
        stmt = select(AuditEntry).where(AuditEntry.action.startswith("complaint."))
        entries = list((await uow.session.execute(stmt.order_by(AuditEntry.id))).scalars())
    for entry in entries:
        written = f"{entry.actor} {entry.subject} {entry.reason} {entry.details}"
        assert str(CITIZEN_ID) not in written
        assert not any(name in written for name in SECRET_NAMES)
        assert entry.at == app.clock.now()
    return entries


def assert_opaque(person: Citizen, tracking: str, row_id: int) -> None:
    """Every complaint button this person was shown names the complaint by its tracking
    number, never by its row id."""
    prefix = ComplaintAction.__prefix__ + ":"
    shown = [d for m in person.user.messages for d in m.callback_data() if d.startswith(prefix)]
    assert shown, f"no complaint buttons in chat:\n{person.user.transcript()}"
    for data in shown:
        ref = ComplaintAction.unpack(data).ref
        assert ref == tracking and ref != str(row_id), data


def assert_private(app: ComplaintApp, chat_id: int) -> None:
    """Nothing the server recorded for this chat identifies the complainant."""
    raw = app.api.outgoing_text(chat_id)
    assert raw, "nothing was sent to this chat"
    assert str(CITIZEN_ID) not in raw
    for name in SECRET_NAMES:
        assert name not in raw


async def test_whole_lifecycle(app: ComplaintApp) -> None:
    services = app.services
    handler = await register_handler(app, 71_001, "wujin")
    other = await register_handler(app, 72_002, "liyang")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    person = citizen(app)

    tracking = await file_complaint(person, "wujin", "窗口工作人员推诿,让我跑了三趟。")
    row = await complaint_row(app, tracking)
    assert row.status == "open" and row.complainant_id == CITIZEN_ID
    # Filed Monday 2011-08-01: 5 working days → Monday 2011-08-08.
    assert row.due_at.astimezone(dt.timezone(dt.timedelta(hours=8))).date() == dt.date(2011, 8, 8)

    # The handler got the card and the photo, sent by file_id (not forwarded).
    await wait_until(lambda: any(m.kind == "photo" for m in handler.user.messages), "photo")
    card = newest_with(handler, act_data(tracking, "accept"))
    assert tracking in card.plain_text
    assert app.api.calls_of("forwardMessage") == []
    assert app.api.calls_of("sendPhoto")[-1].params["chat_id"] == handler.id

    # A handler of another unit is refused (a forged press on a message in their chat).
    own = other.user.messages[-1]
    query = app.api.new_callback_query(other.user.profile, own, act_data(tracking, "accept"))
    update_id = app.api.push_update("callback_query", query)
    await wait_until(lambda: app.api.queries[query["id"]].answered, "refusal answered")
    assert t(ZH, "complaint.not_your_unit") in other.toasts
    assert (await complaint_row(app, tracking)).status == "open"
    assert update_id

    # Accept: the citizen hears of it, with the due date in their locale.
    await handler.press(card, act_data(tracking, "accept"))
    await wait_until(
        lambda: "2011年8月8日" in (person.user.last_message or card).plain_text, "accepted"
    )
    assert (await complaint_row(app, tracking)).status == "accepted"

    # Question relayed to the citizen, answer relayed back; identities hidden both ways.
    card = newest_with(handler, act_data(tracking, "ask"))
    await handler.press(card, act_data(tracking, "ask"))
    await handler.send("请问具体是哪一天?")
    await wait_until(
        lambda: "请问具体是哪一天" in (person.user.last_message or card).plain_text, "q"
    )
    question = person.user.last_message
    assert question is not None
    await person.press(question, act_data(tracking, "reply"))
    await person.send("7月28日上午。")
    await wait_until(
        lambda: "7月28日上午" in (handler.user.last_message or card).plain_text, "answer"
    )
    assert "Handler" not in app.api.outgoing_text(CITIZEN_ID)
    assert str(handler.id) not in "".join(m.plain_text for m in person.user.messages)

    # Close as substantiated: the citizen gets the result; a finding is recorded.
    card = newest_with(handler, act_data(tracking, "close"))
    [verdicts] = await handler.press(card, act_data(tracking, "close"))
    await handler.press(verdicts, act_data(tracking, "verdict", VERDICTS.index("substantiated")))
    await handler.send("经查属实,已批评教育当事人。")
    await wait_until(
        lambda: "已批评教育" in (person.user.last_message or card).plain_text, "result"
    )
    async with services.db.unit_of_work() as uow:
        findings = (await uow.session.execute(select(Finding))).scalars().all()
    assert [(f.reference, f.points_x100, f.component, f.source) for f in findings] == [
        (tracking, 200, "cases", "complaint")
    ]

    # Rate 不满意, then ask (once) for review; the centre reopens.
    result = person.user.last_message
    assert result is not None
    [rated] = await person.press(result, act_data(tracking, "rate", RATINGS.index("dissatisfied")))
    [asked] = await person.press(rated, act_data(tracking, "review"))
    assert act_data(tracking, "review") not in asked.callback_data()  # only once
    await wait_until(
        lambda: any(
            act_data(tracking, "reopen") in m.callback_data() for m in centre.user.messages
        ),
        "review card",
    )
    review_card = newest_with(centre, act_data(tracking, "reopen"))
    await centre.press(review_card, act_data(tracking, "reopen"))
    reopened = await complaint_row(app, tracking)
    assert reopened.status == "open" and reopened.review == "reopened"
    assert reopened.verdict is None
    async with services.db.unit_of_work() as uow:
        assert (await uow.session.execute(select(Finding))).scalars().all() == []
    await wait_until(
        lambda: any(
            act_data(tracking, "accept") in m.callback_data() for m in handler.user.messages
        ),
        "reopened card",
    )

    # Privacy: every raw payload to the handlers and the centre; buttons carry no row id.
    for chat in (handler.id, CENTRE_ID):
        assert_private(app, chat)
    for someone in (handler, centre, person):
        assert_opaque(someone, tracking, row.id)

    # The audit log has who did what to the complaint; the citizen's rating and request
    # for review are not in it (that would say who complained), nor is the refused press.
    audit = await complaint_audit(app)
    assert [(e.action, e.actor, e.subject) for e in audit] == [
        ("complaint.accept", handler.id, f"complaint {tracking}"),
        ("complaint.ask", handler.id, f"complaint {tracking}"),
        ("complaint.close", handler.id, f"complaint {tracking}"),
        ("complaint.reopen", CENTRE_ID, f"complaint {tracking}"),
    ]
    assert [(e.details["from"], e.details["to"]) for e in audit] == [
        ("open", "accepted"),
        ("accepted", "accepted"),
        ("accepted", "closed"),
        ("closed", "open"),
    ]
    assert audit[2].details["verdict"] == "substantiated"
    assert {e.details["by"] for e in audit} == {"handler", "centre"}


async def test_not_sure_goes_to_the_centre_which_routes(app: ComplaintApp) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    person = citizen(app)
    tracking = await file_complaint(person, None, "不知道该找哪个部门,办证一拖再拖。")
    row = await complaint_row(app, tracking)
    assert row.status == "triage" and row.unit_id is None
    await wait_until(
        lambda: any(act_data(tracking, "route") in m.callback_data() for m in centre.user.messages),
        "triage card",
    )
    card = newest_with(centre, act_data(tracking, "route"))
    [units] = await centre.press(card, act_data(tracking, "route"))
    wujin = unit_id(app.services, "wujin")
    if act_data(tracking, "unit", wujin) not in units.callback_data():
        [units] = await centre.press(units, act_data(tracking, "route", 1))
    await centre.press(units, act_data(tracking, "unit", wujin))
    assert (await complaint_row(app, tracking)).status == "open"
    await wait_until(
        lambda: any(
            act_data(tracking, "accept") in m.callback_data() for m in handler.user.messages
        ),
        "routed card",
    )
    assert_private(app, handler.id)
    assert_private(app, CENTRE_ID)
    assert_opaque(handler, tracking, row.id)
    assert_opaque(centre, tracking, row.id)
    audit = await complaint_audit(app)
    assert [(e.action, e.actor, e.details) for e in audit] == [
        (
            "complaint.route",
            CENTRE_ID,
            {"by": "centre", "from": "triage", "to": "open", "unit_id": wujin},
        )
    ]
