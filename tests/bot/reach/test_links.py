"""Per-unit deep links and posters, end to end: `pingyi posters` writes an A4 poster whose
QR code decodes (zxing-cpp) to the unit's link; that link, sent as /start through the
local Bot API server, opens that unit's questionnaire; the complaint link opens the
complaint form about the unit; a bad payload gets a clear message; and the entry path of
each questionnaire is counted in /progress and the export as the database holds it."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import zxingcpp
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import func, select

from bot.access.service import Role
from bot.core.deeplinks import parse
from bot.i18n import t
from bot.localapi import ChatMessage, LocalBotAPI
from bot.publish.reports import reach_sheets
from bot.scoring.export import workbook_bytes
from storage.models import Submission
from tests.bot.telegram.conftest import CAMPAIGNS, BotApp, rejected_calls
from tests.bot.telegram.helpers import (
    CAMPAIGN,
    COMP,
    Citizen,
    answer_items,
    nav_data,
    open_questionnaire,
    plain,
    unit_id,
    unit_name,
)

ROOT = Path(__file__).resolve().parents[3]
WINDOW = "changzhou-window"
# Shaped like a real token, as `pingyi` requires of BOT_TOKEN.
TOKEN = "987654321:AAHk1zTestOnly-Secret_Value0123456789x"


@pytest.fixture
async def api(allowed_api_errors: list[re.Pattern[str]]) -> AsyncIterator[LocalBotAPI]:
    """The local Bot API server with a real-shaped token (the command line checks it);
    afterwards, every call the bot made must have been accepted."""
    async with LocalBotAPI(TOKEN) as server:
        yield server
    assert server.internal_errors == []
    assert rejected_calls(server, allowed_api_errors) == []


async def _posters(app: BotApp, out: Path, *units: str) -> tuple[int, str, str]:
    """`pingyi posters` in its own process, against the test's Bot API server and database."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "BOT_TOKEN": app.api.token,
        "TELEGRAM_API_BASE": app.api.base_url,
        "DATABASE_URL": app.db_url,
        "CAMPAIGNS_DIR": str(CAMPAIGNS),
    }
    args = ["posters", "--campaign", CAMPAIGN, "--out", str(out), "--units", ",".join(units)]
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out_b, err_b = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode is not None
    return proc.returncode, out_b.decode(), err_b.decode()


def _decoded(path: Path) -> list[str]:
    """The texts of the QR codes found in a poster."""
    with Image.open(path) as image:
        assert image.size == (1240, 1753)  # A4 at 150 dpi
        return [found.text for found in zxingcpp.read_barcodes(image)]


async def test_a_posters_qr_code_opens_that_units_questionnaire(
    app: BotApp, tmp_path: Path
) -> None:
    services = app.services
    code, out, err = await _posters(app, tmp_path, WINDOW, "wujin-window")
    assert code == 0, err
    poster = tmp_path / f"{CAMPAIGN}-{WINDOW}.png"
    assert out.split() == [str(poster), str(tmp_path / f"{CAMPAIGN}-wujin-window.png")]
    window = unit_id(services, WINDOW)
    username = app.api.bot_user.username
    [link] = _decoded(poster)
    assert link == f"https://t.me/{username}?start=r{window}"

    payload = link.partition("?start=")[2]
    citizen = Citizen(app, 7101, "en")
    [question] = await citizen.send(f"/start {payload}")
    assert unit_name(services, WINDOW, "en") in question.plain_text
    first_item = services.registry.campaigns[CAMPAIGN].questionnaire.items[0]
    assert first_item.text.get("en") in question.plain_text
    # The questionnaire is stored as opened from a poster.
    assert await _entries(app) == {"poster": 1}


async def test_bad_payloads_get_a_clear_message_and_group_still_greets(app: BotApp) -> None:
    citizen = Citizen(app, 7102, "en")
    invalid = plain("en", "reach.start.invalid")
    for payload in ("zzz", "r999999", "r0", "c12x", "r" + "9" * 40, "u1"):
        [reply] = await citizen.send(f"/start {payload}")
        assert reply.plain_text == invalid, payload
    [greeting] = await citizen.send("/start group")
    assert greeting.plain_text.startswith(plain("en", "start.greeting", name="小明"))
    assert await _entries(app) == {}


async def test_a_complaint_link_opens_the_form_about_that_unit(app: BotApp) -> None:
    services = app.services
    window = unit_id(services, WINDOW)
    assert parse(f"c{window}") is not None
    citizen = Citizen(app, 7103, "en")
    [form] = await citizen.send(f"/start c{window}")
    assert unit_name(services, WINDOW, "en") in form.plain_text
    kinds = services.registry.campaigns[CAMPAIGN].complaints
    assert kinds is not None
    labels = [text for row in form.buttons for text, _ in row]
    assert kinds.conduct_kinds[0].name.get("en") in labels


async def _entries(app: BotApp) -> dict[str, int]:
    """Questionnaires per entry path, straight from the table."""
    s = Submission
    async with app.services.db.unit_of_work() as uow:
        rows = await uow.session.execute(select(s.entry, func.count()).group_by(s.entry))
        return {entry: n for entry, n in rows}


async def _submit(citizen: Citizen, question: ChatMessage, unit: int) -> None:
    """Answer every item, skip the suggestion, submit."""
    prompt = await answer_items(citizen, question, unit, [0, 0, 1, 1, 2])
    [review] = await citizen.press(prompt, nav_data(unit, "skip"))
    await citizen.press(review, nav_data(unit, "submit"))


async def test_entry_paths_are_counted_in_progress_and_export(app: BotApp) -> None:
    services = app.services
    window, wujin = unit_id(services, WINDOW), unit_id(services, "wujin-window")
    for person, unit in ((7201, window), (7202, window), (7203, wujin)):
        citizen = Citizen(app, person, "en")
        [question] = await citizen.send(f"/start r{unit}")
        await _submit(citizen, question, unit)
    lister = Citizen(app, 7204, "en")
    await _submit(lister, await open_questionnaire(lister, WINDOW), window)
    unfinished = Citizen(app, 7205, "en")
    await unfinished.send(f"/start r{wujin}")  # started, not submitted: not counted

    s = Submission
    async with services.db.unit_of_work() as uow:
        rows = await uow.session.execute(
            select(s.unit_id, s.entry, func.count())
            .where(s.status == "submitted", s.component == COMP)
            .group_by(s.unit_id, s.entry)
        )
        stored = {(unit, entry): n for unit, entry, n in rows}
    assert stored == {(window, "poster"): 2, (window, "list"): 1, (wujin, "poster"): 1}

    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, 7300, Role.EVALUATOR)
    evaluator = Citizen(app, 7300, "en")
    replies = await evaluator.send("/progress")
    text = "\n".join(r.plain_text for r in replies)
    assert plain("en", "reach.progress.entries_total", poster=3, list=1) in text
    name = unit_name(services, WINDOW, "en")
    assert name + plain("en", "reach.progress.entries", poster=2, list=1) in text

    campaign = services.registry.campaigns[CAMPAIGN]
    async with services.db.unit_of_work() as uow:
        scores = await services.scoring.results(uow, CAMPAIGN)
        if scores is None:
            await services.scoring.refresh(CAMPAIGN, full=True)
            scores = await services.scoring.results(uow, CAMPAIGN)
        assert scores is not None
        more = await reach_sheets(services.publish, uow, campaign, scores, "en")
    book = load_workbook(io.BytesIO(workbook_bytes(campaign, scores, "en", more=more)))
    sheet = {row[0]: row[1:] for row in book[t("en", "reach.sheet.entries")].values}
    assert sheet[name] == (2, 1, 3)
    assert sheet[unit_name(services, "wujin-window", "en")] == (1, 0, 1)
