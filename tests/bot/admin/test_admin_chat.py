"""Admins in chat, through the real bot: compose → audience → preview → send, and /codes."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator

import pytest

from bot.access.service import Role
from bot.core.clock import FixedClock
from bot.i18n import t
from bot.localapi import LocalBotAPI, SimUser, parse_html
from tests.bot.telegram.conftest import SURVEY_DAY, BotApp

ADMIN_ID = 9100
PEOPLE = (9201, 9202, 9203)


def plain(key: str, **values: object) -> str:
    return parse_html(t("en", key, **values)).text


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    async with LocalBotAPI() as server:
        yield server
        assert server.internal_errors == []


@pytest.fixture
async def app(api: LocalBotAPI, tmp_path: object, framework: str) -> AsyncIterator[BotApp]:
    url = f"sqlite+aiosqlite:///{tmp_path}/chat.db"
    running = BotApp(api, url, FixedClock.on_day(SURVEY_DAY), framework)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


async def test_compose_preview_send_and_progress(app: BotApp, api: LocalBotAPI) -> None:
    admin = api.user(ADMIN_ID, language_code="en")
    people = [api.user(uid, language_code="zh-hans") for uid in PEOPLE]
    for user in [admin, *people]:
        await user.send_text("/start")
        await user.wait_for()
    async with app.services.db.unit_of_work() as uow:
        await app.services.access.grant(uow, None, ADMIN_ID, Role.ADMIN, reason="test")

    await admin.send_text("/broadcast")
    assert "Format it as you like" in (await admin.wait_for()).plain_text
    await admin.send_text("通" * 4097)
    refusal = (await admin.wait_for()).plain_text
    assert "cannot be sent" in refusal and "4097 characters long" in refusal
    await admin.send_text("通知：问卷已开放", [{"type": "bold", "offset": 0, "length": 2}])
    assert (await admin.wait_for()).plain_text == plain("admin.bc.text_saved")
    await admin.press_text(plain("admin.bc.choose_audience"))
    await admin.wait_for()
    await admin.press_text(plain("admin.aud.everyone"))
    preview = await admin.wait_for()
    assert "4 recipients" in preview.plain_text and "通知：问卷已开放" in preview.plain_text
    await admin.press_text(plain("admin.bc.send"))
    report = await admin.wait_for(lambda m: "finished" in (m.plain_text or ""), timeout=15)
    assert "delivered 4" in report.plain_text
    for user in people:
        assert any(m.text == "<b>通知</b>：问卷已开放" for m in user.messages)
    # A second tap on "send" sends nothing more.
    assert sum(api.delivered_counts().get(uid, 0) for uid in PEOPLE) == 3 * 2


async def test_codes_come_as_a_csv_document_and_work_once(app: BotApp, api: LocalBotAPI) -> None:
    admin = api.user(ADMIN_ID, language_code="en")
    await admin.send_text("/start")
    await admin.wait_for()
    async with app.services.db.unit_of_work() as uow:
        await app.services.access.grant(uow, None, ADMIN_ID, Role.ADMIN)
    await admin.send_text("/codes changzhou-2011-safety/enterprise-rep 3 2011-08-02")
    sent = await admin.wait_for()
    assert sent.kind == "document" and sent.file_id is not None
    stored = api.files.get(sent.file_id)
    assert stored is not None
    rows = list(csv.reader(io.StringIO(stored.data.decode("utf-8-sig"))))
    assert rows[0][0] == "code" and len(rows) == 4
    assert rows[1][2:4] == ["enterprise-rep", "changzhou-2011-safety"]
    citizen = api.user(9301, language_code="en")
    await citizen.send_text(f"/code {rows[1][0]}")
    assert "Code accepted" in (await citizen.wait_for()).plain_text
    other = api.user(9302, language_code="en")
    await other.send_text(f"/code {rows[1][0]}")
    assert "already been used" in (await other.wait_for()).plain_text
    await admin.send_text("/codes nosuchthing 3")
    assert (await admin.wait_for()).plain_text == plain("admin.codes.usage")


async def _broadcast(admin: SimUser, text: str, entities: list[dict[str, object]]) -> str:
    """Compose `text` (with `entities`) to everyone, preview and send; the preview's text."""
    await admin.send_text("/broadcast")
    await admin.wait_for()
    await admin.send_text(text, entities)
    assert (await admin.wait_for()).plain_text == plain("admin.bc.text_saved")
    await admin.press_text(plain("admin.bc.choose_audience"))
    await admin.wait_for()
    await admin.press_text(plain("admin.aud.everyone"))
    shown = (await admin.wait_for()).plain_text  # the message is edited into the report later
    await admin.press_text(plain("admin.bc.send"))
    await admin.wait_for(lambda m: "finished" in (m.plain_text or ""), timeout=30)
    return shown


async def test_compose_sends_what_the_admin_typed_and_formatted(
    app: BotApp, api: LocalBotAPI
) -> None:
    """A bare "&" and a typed "<b>" stay text; a bold entity stays bold; preview and send agree."""
    admin = api.user(ADMIN_ID, language_code="en")
    person = api.user(PEOPLE[0], language_code="zh-hans")
    for user in (admin, person):
        await user.send_text("/start")
        await user.wait_for()
    async with app.services.db.unit_of_work() as uow:
        await app.services.access.grant(uow, None, ADMIN_ID, Role.ADMIN, reason="test")
    typed = "R&D <b>and</b> AT&T < 5 & more"
    assert typed in await _broadcast(admin, typed, [])  # the preview Telegram accepted
    received = await person.wait_for(lambda m: typed in (m.plain_text or ""), timeout=30)
    assert received.text == "R&amp;D &lt;b&gt;and&lt;/b&gt; AT&amp;T &lt; 5 &amp; more"
    formatted = "Notice: the survey is open"
    assert formatted in await _broadcast(
        admin, formatted, [{"type": "bold", "offset": 0, "length": 6}]
    )
    received = await person.wait_for(lambda m: formatted in (m.plain_text or ""), timeout=30)
    assert received.text == "<b>Notice</b>: the survey is open"
