"""/mydata and /forget end to end, through the real bot and the local Bot API server."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, or_, select

from bot.access.service import Role
from bot.complaints.screens import Delivery, notice
from bot.i18n import t
from bot.localapi import ChatMessage
from bot.telegram.common.handlers.privacy import ForgetChoice
from storage.models import (
    Answer,
    AuditEntry,
    Code,
    Complaint,
    ComplaintEntry,
    Conversation,
    Grant,
    InboxUpdate,
    Respondent,
    Submission,
)
from storage.privacy import is_anonymous
from tests.bot.complaints.test_lifecycle import citizen, file_complaint
from tests.bot.telegram.helpers import CAMPAIGN, WAIT, Citizen, count_rows, unit_id
from tests.bot.telegram.test_questionnaire import finish

from .conftest import CENTRE_ID, ComplaintApp

ZH = "zh-Hans"
SUGGESTION = "希望窗口午间不休息，联系我：13800001234"
COMPLAINT = "窗口工作人员推诿，让我跑了三趟。"


async def took_part(person: Citizen) -> str:
    """Rate a unit with a suggestion, file a complaint with a photo, redeem a handler code
    (of another unit); the complaint's tracking number."""
    services = person.app.services
    Citizen(person.app, CENTRE_ID, first_name="Centre")  # wujin has no handler: triage
    await finish(person, "wujin", [0, 1, 2, 3, 4], SUGGESTION)
    tracking = await file_complaint(person, "wujin", COMPLAINT)
    async with services.db.unit_of_work() as uow:
        [code] = await services.access.issue_codes(
            uow, None, 1, role=Role.HANDLER, unit_id=unit_id(services, "liyang")
        )
    await person.send(f"/code {code}")
    return tracking


async def my_data(app: ComplaintApp, person: Citizen) -> dict[str, Any]:
    """Send /mydata; the JSON document the bot sent back."""
    [reply] = await person.send("/mydata")
    assert reply.kind == "document" and reply.file_id is not None
    stored = app.api.files.get(reply.file_id)
    assert stored is not None and stored.file_name == "pingyi-mydata.json"
    document: dict[str, Any] = json.loads(stored.data.decode("utf-8"))
    return document


async def test_mydata_sends_everything_held_about_the_person(app: ComplaintApp) -> None:
    person = citizen(app)
    tracking = await took_part(person)
    data = await my_data(app, person)

    assert data["telegram_user_id"] == person.id
    assert data["respondent"]["id"] == person.id and data["respondent"]["locale"] == ZH
    [questionnaire] = data["questionnaires"]
    assert questionnaire["suggestion"] == SUGGESTION and questionnaire["status"] == "submitted"
    assert len(data["answers"]) == 5
    [complaint] = data["complaints"]
    assert complaint["tracking"] == tracking and complaint["text"] == COMPLAINT
    photos = [e for e in complaint["entries"] if e["kind"] == "photo"]
    assert len(photos) == 1 and photos[0]["file_id"]
    [role] = data["roles"]
    assert role["role"] == "handler" and role["unit_id"] == unit_id(app.services, "liyang")
    [code] = data["codes_redeemed"]
    assert code["role"] == "handler" and code["used_by"] == person.id
    assert data["broadcast_deliveries"] == [] and data["memberships"] == []
    # The updates as received, the complaint's text among them, until the inbox purge.
    received = json.dumps([u["payload"] for u in data["updates_received"]], ensure_ascii=False)
    assert COMPLAINT in received and {u["person"] for u in data["updates_received"]} == {person.id}
    # Another person's /mydata holds none of it.
    other = Citizen(app, 61_234)
    theirs = await my_data(app, other)
    assert theirs["answers"] == [] and theirs["complaints"] == []
    assert SUGGESTION not in json.dumps(theirs, ensure_ascii=False)


def _buttons(message: ChatMessage) -> dict[str, str]:
    """Label → callback data of every button on a message."""
    return {label: data for row in message.buttons for label, data in row if data}


async def test_forget_erases_the_person_and_keeps_their_answers_anonymously(
    app: ComplaintApp,
) -> None:
    services = app.services
    person = citizen(app)
    tracking = await took_part(person)
    before = await services.scoring.refresh(CAMPAIGN, full=True)

    # Asked first; "keep" erases nothing.
    [ask] = await person.send("/forget")
    assert _buttons(ask) == {
        t(ZH, "privacy.forget.yes"): ForgetChoice(erase=1).pack(),
        t(ZH, "privacy.forget.no"): ForgetChoice(erase=0).pack(),
    }
    [kept] = await person.press(ask, ForgetChoice(erase=0).pack())
    assert kept.plain_text == t(ZH, "privacy.forget.kept")
    assert await count_rows(services, Respondent, id=person.id) == 1

    [ask] = await person.send("/forget")
    [done] = await person.press(ask, ForgetChoice(erase=1).pack())
    assert done.message_id == ask.message_id
    assert done.plain_text == t(ZH, "privacy.forget.done")

    async with services.db.unit_of_work() as uow:
        s = uow.session
        for model, column in (
            (Respondent, Respondent.id),
            (Submission, Submission.respondent_id),
            (Answer, Answer.respondent_id),
            (Complaint, Complaint.complainant_id),
            (Conversation, Conversation.respondent_id),
            (Grant, Grant.user_id),
            (Code, Code.used_by),
        ):
            found = await s.execute(select(func.count()).where(column == person.id))
            assert found.scalar_one() == 0, model.__tablename__
        [(anon, suggestion)] = (
            await s.execute(select(Submission.respondent_id, Submission.suggestion))
        ).all()
        complaint = (
            await s.execute(select(Complaint).where(Complaint.tracking == tracking))
        ).scalar_one()
        entries = (
            (
                await s.execute(
                    select(ComplaintEntry.kind).where(ComplaintEntry.complaint_id == complaint.id)
                )
            )
            .scalars()
            .all()
        )
        audit = (
            await s.execute(select(AuditEntry).where(AuditEntry.action == "privacy.forget"))
        ).scalar_one()
        people = (await s.execute(select(Respondent.id, Respondent.active))).all()
        leaks = await s.execute(
            select(func.count()).where(
                or_(Complaint.text.contains("13800001234"), Complaint.contact.is_not(None))
            )
        )
        assert leaks.scalar_one() == 0
        # Nor do the updates as received keep them: only the press that asked to forget is
        # left (it was being handled; the inbox purge takes it within a day).
        received = (await s.execute(select(InboxUpdate.payload))).scalars().all()
        kept = [payload for payload in received if str(person.id) in payload]
        assert len(kept) == 1 and ForgetChoice(erase=1).pack() in kept[0]
    assert is_anonymous(anon) and suggestion is None
    assert await count_rows(services, Answer, respondent_id=anon) == 5
    # The case is still being handled (the campaign says anonymise): facts kept, person gone.
    assert complaint.status == "triage" and complaint.complainant_id == anon
    assert complaint.text == COMPLAINT and "photo" not in entries
    assert people == [(anon, False)]
    assert await count_rows(services, Code, used_by=anon) == 1  # still used: not reusable
    assert str(person.id) not in audit.subject + json.dumps(audit.details)
    assert audit.details["answers"] == 5 and audit.details["complaints_anonymised"] == 1

    # Their answers still count, the same way.
    after = await services.scoring.refresh(CAMPAIGN, full=True)
    assert after.answers == before.answers

    # Writing again, they start afresh: their copy holds nothing of before.
    data = await my_data(app, person)
    assert data["answers"] == [] and data["complaints"] == [] and data["questionnaires"] == []
    assert data["respondent"]["id"] == person.id
    # … and may rate the unit again, as the new person they are (nothing cached survives).
    await finish(person, "wujin", [1, 1, 1, 1, 1], None)
    assert await count_rows(services, Answer, respondent_id=person.id) == 5
    assert await count_rows(services, Answer, respondent_id=anon) == 5


async def test_forget_closes_cases_when_the_campaign_says_close(app: ComplaintApp) -> None:
    services = app.services
    campaign = services.registry.campaigns[CAMPAIGN]
    assert campaign.complaints is not None
    closing = campaign.complaints.model_copy(update={"on_forget": "close"})
    services.registry.campaigns[CAMPAIGN] = campaign.model_copy(update={"complaints": closing})
    Citizen(app, CENTRE_ID, first_name="Centre")
    person = citizen(app)
    Citizen(app, CENTRE_ID, first_name="Centre")  # wujin has no handler: triage
    tracking = await file_complaint(person, "wujin", COMPLAINT)
    [ask] = await person.send("/forget")
    await person.press(ask, ForgetChoice(erase=1).pack())
    async with services.db.unit_of_work() as uow:
        complaint = (
            await uow.session.execute(select(Complaint).where(Complaint.tracking == tracking))
        ).scalar_one()
    assert complaint.status == "closed" and complaint.closed_at == app.clock.now()
    assert complaint.text == "" and is_anonymous(complaint.complainant_id)


async def test_notices_to_a_forgotten_complainant_are_not_queued(app: ComplaintApp) -> None:
    """A case kept after /forget points at an anonymous id: no chat, so nothing is sent."""
    services = app.services
    person = citizen(app)
    Citizen(app, CENTRE_ID, first_name="Centre")  # wujin has no handler: triage
    tracking = await file_complaint(person, "wujin", COMPLAINT)
    [ask] = await person.send("/forget")
    await person.press(ask, ForgetChoice(erase=1).pack())
    async with services.db.unit_of_work() as uow:
        anon = (
            await uow.session.execute(
                select(Complaint.complainant_id).where(Complaint.tracking == tracking)
            )
        ).scalar_one()
    assert is_anonymous(anon)

    mark = person.user.chat.version
    async with services.db.unit_of_work() as uow:
        queued = await services.deliver(
            uow,
            [
                Delivery(anon, notice("privacy.forget.done")),
                Delivery(person.id, notice("privacy.forget.done")),
            ],
        )
    assert len(queued) == 1  # only the living chat
    await services.outbox.settled(timeout=WAIT)
    sent = [m for m in person.user.messages if m.version > mark]
    assert [m.plain_text for m in sent] == [t(ZH, "privacy.forget.done")]
