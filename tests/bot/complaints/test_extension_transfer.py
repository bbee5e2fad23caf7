"""Extension (approved by the centre), case class and transfer back, end to end."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.app.config import ConfigError, load_settings
from bot.i18n import t
from tests.bot.telegram.helpers import Citizen, wait_until

from .conftest import CENTRE_ID, ComplaintApp
from .test_lifecycle import (
    act_data,
    assert_opaque,
    assert_private,
    citizen,
    complaint_audit,
    complaint_row,
    file_complaint,
    newest_with,
    register_handler,
)

CHINA = dt.timezone(dt.timedelta(hours=8))


async def test_extension_case_class_and_transfer(app: ComplaintApp) -> None:
    handler = await register_handler(app, 71_001, "wujin")
    centre = Citizen(app, CENTRE_ID, first_name="Centre")
    person = citizen(app)
    tracking = await file_complaint(person, "wujin", "乱收费:收了两百元“资料费”。")
    row = await complaint_row(app, tracking)

    # The handler asks for an extension; the centre approves: 5 more working days.
    card = newest_with(handler, act_data(tracking, "extend"))
    await handler.press(card, act_data(tracking, "extend"))
    await handler.send("需要调取监控录像。")
    await wait_until(
        lambda: any(
            act_data(tracking, "approve") in m.callback_data() for m in centre.user.messages
        ),
        "extension card",
    )
    await centre.press(
        newest_with(centre, act_data(tracking, "approve")), act_data(tracking, "approve")
    )
    extended = await complaint_row(app, tracking)
    assert extended.due_at.astimezone(CHINA).date() == dt.date(2011, 8, 15)
    assert extended.extension_reason is None
    await wait_until(
        lambda: "2011年8月15日" in (person.user.last_message or card).plain_text,
        "citizen told of the extension",
    )

    # The centre makes it a leader-assigned urgent case: 1 working day from filing.
    rules = app.services.registry.campaigns["changzhou-2011-safety"].complaints
    assert rules is not None
    classes = rules.case_classes
    urgent = next(n for n, c in enumerate(classes) if c.id == "leader-urgent")
    centre_card = newest_with(centre, act_data(tracking, "class"))
    [choice] = await centre.press(centre_card, act_data(tracking, "class"))
    await centre.press(choice, act_data(tracking, "setclass", urgent))
    urgent_row = await complaint_row(app, tracking)
    assert urgent_row.case_class == "leader-urgent"
    assert urgent_row.due_at.astimezone(CHINA).date() == dt.date(2011, 8, 2)

    # The handler transfers it back: it is with the centre again, and the handler can no
    # longer act on it.
    card = newest_with(handler, act_data(tracking, "transfer"))
    await handler.press(card, act_data(tracking, "transfer"))
    await handler.send("属于市局管辖。")
    await wait_until(
        lambda: any("属于市局管辖" in m.plain_text for m in centre.user.messages), "transfer card"
    )
    assert (await complaint_row(app, tracking)).status == "triage"
    await handler.press(card, act_data(tracking, "close"))
    assert handler.toasts[-1] == t("zh-Hans", "complaint.not_with_unit")  # refused
    assert (await complaint_row(app, tracking)).status == "triage"
    assert_private(app, handler.id)
    assert_private(app, CENTRE_ID)
    for someone in (handler, centre):
        assert_opaque(someone, tracking, row.id)

    # Each step is in the audit log, by whom, with the handler's reasons.
    audit = [(e.action, e.actor, e.reason, e.details) for e in await complaint_audit(app)]
    assert [a[:3] for a in audit] == [
        ("complaint.extend", handler.id, "需要调取监控录像。"),
        ("complaint.approve", CENTRE_ID, "需要调取监控录像。"),
        ("complaint.set_class", CENTRE_ID, ""),
        ("complaint.transfer", handler.id, "属于市局管辖。"),
    ]
    assert audit[2][3]["case_class"] == "leader-urgent"
    assert (audit[3][3]["from"], audit[3][3]["to"]) == ("open", "triage")


def test_centre_settings_are_validated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COMPLAINT_CENTRE_IDS", "11, 22")
    monkeypatch.setenv("COMPLAINT_CENTRE_CHAT_ID", "-1001234567890")
    settings = load_settings()
    assert settings.complaint_centre_ids == [11, 22]
    assert settings.complaint_centre_chat_id == -1001234567890
    monkeypatch.setenv("COMPLAINT_CENTRE_CHAT_ID", "centre")
    with pytest.raises(ConfigError, match="COMPLAINT_CENTRE_CHAT_ID"):
        load_settings()
    monkeypatch.setenv("COMPLAINT_CENTRE_CHAT_ID", "")
    monkeypatch.setenv("COMPLAINT_CENTRE_IDS", "11,abc")
    with pytest.raises(ConfigError, match="COMPLAINT_CENTRE_IDS"):
        load_settings()
