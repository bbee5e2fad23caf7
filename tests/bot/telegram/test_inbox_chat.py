"""/inbox in chat (admins): what waits, each parked update with its error (escaped),
retry by id or all, refused to others — on both adapters; and the admins told once,
through the outbox, when an update is parked."""

from __future__ import annotations

import datetime as dt
import json

from bot.access.service import Role
from bot.app.inbox import InboxWorker, WorkerSettings
from bot.i18n import t
from bot.telegram.common.intake import parked_notice
from storage.inbox import Claimed, Incoming
from storage.outbox import Single
from tests.bot.telegram.conftest import BotApp
from tests.bot.telegram.helpers import Citizen, plain

ADMIN_ID = 9300
CITIZEN_ID = 9301
WAIT = 60.0


async def _park(app: BotApp, update_id: int, error: str) -> None:
    """An update of person 7 stored, claimed and failed for good (parked)."""
    inbox = app.services.inbox
    await inbox.store([Incoming(update_id, 7, json.dumps({"update_id": update_id}))])
    await inbox.claim("test", 10, dt.timedelta(seconds=30))
    await inbox.fail(update_id, error, max_attempts=1, retry_after=dt.timedelta(0))


async def test_inbox_lists_parked_updates_and_retries_them(app: BotApp) -> None:
    admin, citizen = Citizen(app, ADMIN_ID, "en"), Citizen(app, CITIZEN_ID, "en")
    await admin.send("/start")
    async with app.services.db.unit_of_work() as uow:
        await app.services.access.grant(uow, None, ADMIN_ID, Role.ADMIN, reason="test")
    await _park(app, 990_001, "KeyError('<unit>')")
    await _park(app, 990_002, "ValueError('x')")
    [shown] = await admin.send("/inbox")
    assert "2 parked" in shown.plain_text
    assert "#990001 — person 7, 1 attempts: KeyError('<unit>')" in shown.plain_text
    assert "&lt;unit&gt;" in shown.text  # the error is escaped, not read as HTML
    [retried] = await admin.send("/inbox retry 990001")
    assert retried.plain_text == plain("en", "inbox.retried", count=1)
    [bad] = await admin.send("/inbox retry soon")
    assert bad.plain_text == plain("en", "inbox.usage")
    [after] = await admin.send("/inbox")
    assert "1 parked" in after.plain_text and "#990001" not in after.plain_text
    [everything] = await admin.send("/inbox retry all")
    assert everything.plain_text == plain("en", "inbox.retried", count=1)
    assert (await app.services.inbox.depth()).parked == 0
    await citizen.send("/start")
    [refused] = await citizen.send("/inbox")
    assert refused.plain_text == plain("en", "admin.denied")


async def test_a_parked_update_is_told_to_the_admins_once() -> None:
    told: list[tuple[int, str]] = []

    class Inbox:
        """Fails update 5 for good; nothing else to do."""

        async def fail(self, *args: object) -> bool:
            return True

        async def handled_before(self, update_id: int) -> bool:
            return False

    async def feed(payload: str) -> None:
        raise RuntimeError("handler broke")

    async def on_parked(item: Claimed, error: str) -> None:
        told.append((item.update_id, error))

    worker = InboxWorker(Inbox(), feed, WorkerSettings())  # type: ignore[arg-type]
    worker.on_parked = on_parked
    await worker._handle(Claimed(5, 7, "{}", attempts=3))
    assert told == [(5, "RuntimeError('handler broke')")] and worker.parked == 1


async def test_the_parked_notice_goes_to_each_configured_admin_in_their_language(
    app: BotApp,
) -> None:
    services = app.services
    services.access.admin_ids = frozenset({ADMIN_ID, ADMIN_ID + 1})
    await Citizen(app, ADMIN_ID, "zh-hant").send("/start")
    queued: list[Single] = []

    async def enqueue(messages: list[Single]) -> None:
        queued.extend(messages)

    services.outbox.enqueue = enqueue  # type: ignore[method-assign]
    await parked_notice(services)(Claimed(77, 8, "{}", attempts=5), "KeyError('<b>')")
    by_chat = {m.chat_id: m for m in queued}
    assert set(by_chat) == {ADMIN_ID, ADMIN_ID + 1}
    assert by_chat[ADMIN_ID].locale == "zh-Hant"
    expected = t("zh-Hant", "inbox.parked_notice", id=77, person=8, attempts=5, error="")
    assert by_chat[ADMIN_ID].text.startswith(expected.split("<code>")[0])
    assert "KeyError('&lt;b&gt;')" in by_chat[ADMIN_ID].text
