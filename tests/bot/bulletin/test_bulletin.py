"""Bulletins (定期通报): figures equal the database, sent once per slot across restarts and
two leaders, a valid PNG chart, three locales; through the real bot and local Bot API.

Runs on SQLite and, when PINGYI_TEST_POSTGRES_URL is set, on PostgreSQL (`db_url`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import itertools
from zoneinfo import ZoneInfo

from PIL import Image
from sqlalchemy import Connection, func, insert, select

from bot.access.service import Role
from bot.app.runtime import open_services
from bot.bulletin.figures import Period, Section, compose
from bot.bulletin.schedule import Schedule
from storage.models import (
    BroadcastJob,
    Bulletin,
    Complaint,
    RectificationMeasure,
    RectificationPlan,
    Respondent,
    Submission,
)
from tests.bot.complaints.conftest import CENTRE_ID, ComplaintApp
from tests.bot.telegram.conftest import CAMPAIGNS
from tests.bot.telegram.helpers import Citizen, plain, unit_id, wait_until

CZ = "changzhou-2011-safety"
CN = ZoneInfo("Asia/Shanghai")
EVALUATORS = {"zh-Hans": 61_001, "en": 61_002, "zh-Hant": 61_003}
LANGUAGE_CODES = {"zh-Hans": "zh-hans", "en": "en", "zh-Hant": "zh-hant"}
_ids = itertools.count(700_000)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def local(day: int, hour: int, month: int = 8) -> dt.datetime:
    """A China time in 2011."""
    return dt.datetime(2011, month, day, hour, tzinfo=CN)


async def seed(app: ComplaintApp) -> None:
    """Complaints and questionnaires spread before, inside and around the first period."""
    services = app.services
    wujin, liyang = unit_id(services, "wujin"), unit_id(services, "liyang")
    jintan = unit_id(services, "jintan")
    # (unit, filed, status, closed, due, overdue flag)
    complaints = [
        (wujin, local(20, 9, 7), "closed", local(26, 9, 7), local(27, 17, 7), False),  # closed in
        (wujin, local(26, 9, 7), "accepted", None, local(29, 23, 7), False),  # overdue now
        (wujin, local(27, 9, 7), "open", None, local(3, 23), False),
        (wujin, local(1, 9), "open", None, local(8, 23), False),
        (liyang, local(28, 9, 7), "closed", local(30, 9, 7), local(4, 23), False),
        (liyang, local(29, 9, 7), "open", None, local(5, 23), True),  # escalated earlier
        (None, local(31, 9, 7), "triage", None, local(5, 23), False),
        (liyang, local(10, 9, 6), "closed", local(20, 9, 6), local(18, 23, 6), False),  # before
    ]
    people = [next(_ids) for _ in range(len(complaints) + 12)]
    now = app.clock.now()

    def write(conn: Connection) -> None:
        conn.execute(
            insert(Respondent),
            [
                {"id": p, "locale": "zh-Hans", "locale_chosen": False, "first_seen": now}
                | {"last_seen": now, "active": True}
                for p in people
            ],
        )
        for n, (unit, filed, status, closed, due, flag) in enumerate(complaints):
            conn.execute(
                insert(Complaint).values(
                    tracking=f"TS11-TEST-{n:04d}",
                    campaign_id=CZ,
                    unit_id=unit,
                    complainant_id=people[n],
                    kind="buck-passing",
                    text="x",
                    case_class="general",
                    status=status,
                    filed_at=filed,
                    due_at=due,
                    remind_at=due,
                    overdue=flag,
                    closed_at=closed,
                    updated_at=now,
                )
            )
        submitted = [local(27, 10, 7), local(29, 10, 7), local(1, 8), local(20, 10, 7)]
        for n, person in enumerate(people[len(complaints) :]):
            at = submitted[n % len(submitted)]
            conn.execute(
                insert(Submission).values(
                    respondent_id=person,
                    unit_id=wujin if n % 3 else liyang,
                    component="questionnaire",
                    campaign_id=CZ,
                    category="public",
                    status="draft" if n == 11 else "submitted",
                    started_at=at,
                    updated_at=at,
                    submitted_at=None if n == 11 else at,
                    voided=n == 10,
                )
            )
        seed_plans(conn, wujin, liyang, jintan, now)

    await services.db.writer.run(write)


def seed_plans(conn: Connection, wujin: int, liyang: int, jintan: int, now: dt.datetime) -> None:
    """Rectification plans: an approved one with late, due, later and done measures; a
    completed one; a returned one (promises nothing, so not counted)."""
    day = dt.date
    # (unit, status, measures as (deadline, done_on))
    plans = [
        (
            wujin,
            "approved",
            [
                (day(2011, 7, 30), None),
                (day(2011, 8, 5), None),
                (day(2011, 8, 30), None),
                (day(2011, 7, 20), day(2011, 7, 19)),
            ],
        ),
        (liyang, "completed", [(day(2011, 7, 25), day(2011, 7, 28))]),
        (jintan, "returned", [(day(2011, 7, 1), None)]),
    ]
    for n, (unit, status, measures) in enumerate(plans):
        plan = conn.execute(
            insert(RectificationPlan)
            .values(campaign_id=CZ, unit_id=unit, status=status, created_by=1, created_at=now)
            .returning(RectificationPlan.id)
        ).scalar_one()
        conn.execute(
            insert(RectificationMeasure),
            [
                {"plan_id": plan, "position": k, "problem": f"p{n}.{k}", "measure": "m"}
                | {"deadline": deadline, "done_on": done}
                for k, (deadline, done) in enumerate(measures)
            ],
        )


async def expected(
    app: ComplaintApp, period: Period
) -> dict[str, dict[int | None, tuple[int, ...]]]:
    """The figures computed here, from every stored row, without the bulletin's queries."""
    async with app.services.db.unit_of_work() as uow:
        rows = (await uow.session.execute(select(Complaint))).scalars().all()
        subs = (await uow.session.execute(select(Submission))).scalars().all()
    start, end = period.start, period.end
    counts: dict[int | None, list[int]] = {}
    for c in rows:
        if c.campaign_id != CZ:
            continue
        n = counts.setdefault(c.unit_id, [0, 0, 0, 0])
        active = c.status in ("triage", "open", "accepted")
        n[0] += active and (c.overdue or c.due_at < end)
        n[1] += start <= c.filed_at < end
        n[2] += c.status == "closed" and c.closed_at is not None and start <= c.closed_at < end
        n[3] += active
    sample: dict[int | None, list[int]] = {}
    for s in subs:
        if s.status != "submitted" or s.voided or s.submitted_at is None or s.submitted_at >= end:
            continue
        n = sample.setdefault(s.unit_id, [0, 0])
        n[0] += s.submitted_at >= start
        n[1] += 1
    return {
        "complaints": {u: tuple(v) for u, v in counts.items() if any(v)},
        "rectification": await expected_measures(app, end.astimezone(CN).date()),
        "sample": {u: tuple(v) for u, v in sample.items() if any(v)},
    }


async def expected_measures(app: ComplaintApp, today: dt.date) -> dict[int | None, tuple[int, ...]]:
    """Measures of approved or completed plans, counted here: late, due within 7 days,
    done, in all."""
    async with app.services.db.unit_of_work() as uow:
        plans = (await uow.session.execute(select(RectificationPlan))).scalars().all()
        measures = (await uow.session.execute(select(RectificationMeasure))).scalars().all()
    promised = {p.id: p.unit_id for p in plans if p.status in ("approved", "completed")}
    counts: dict[int | None, list[int]] = {}
    for m in measures:
        if m.plan_id not in promised:
            continue
        n = counts.setdefault(promised[m.plan_id], [0, 0, 0, 0])
        open_ = m.done_on is None and m.deadline is not None
        n[0] += open_ and m.deadline < today
        n[1] += open_ and today <= m.deadline <= today + dt.timedelta(days=7)
        n[2] += m.done_on is not None
        n[3] += 1
    return {u: tuple(v) for u, v in counts.items()}


def figures(section: Section) -> dict[int | None, tuple[int, ...]]:
    """A section as unit → counts."""
    return {row.unit_id: row.values for row in section.rows}


async def staff(app: ComplaintApp) -> dict[str, Citizen]:
    """Three evaluators, one per language, granted the role."""
    people = {loc: Citizen(app, uid, LANGUAGE_CODES[loc]) for loc, uid in EVALUATORS.items()}
    for person in people.values():
        await person.send("/start")
    async with app.services.db.unit_of_work() as uow:
        for uid in EVALUATORS.values():
            await app.services.access.grant(uow, None, uid, Role.EVALUATOR)
    return people


def photos(app: ComplaintApp, chat_id: int) -> list[bytes]:
    """The files of every photo the bot uploaded to this chat."""
    found = []
    for call in app.api.calls_of("sendPhoto"):
        if call.params.get("chat_id") == chat_id and call.status < 400:
            file_id = call.response["result"]["photo"][-1]["file_id"]
            stored = app.api.files.get(file_id)
            assert stored is not None
            found.append(stored.data)
    return found


def assert_png(data: bytes) -> None:
    """A PNG that decodes, of a sensible size."""
    assert data.startswith(PNG_SIGNATURE)
    image = Image.open(io.BytesIO(data))
    image.verify()
    assert image.format == "PNG" and image.size[0] >= 600 and image.size[1] >= 200


async def test_figures_equal_the_database(app: ComplaintApp) -> None:
    await seed(app)
    campaign = app.services.registry.campaigns[CZ]
    period = Period(local(25, 0, 7), local(1, 10))
    async with app.services.db.unit_of_work() as uow:
        found = await compose(uow, campaign, period)
    want = await expected(app, period)
    assert [s.key for s in found.sections] == ["complaints", "rectification", "sample"]
    for section in found.sections:
        assert figures(section) == want[section.key], section.key
        # Not vacuous: every column has something to count.
        assert all(section.totals), section.key
    wujin = unit_id(app.services, "wujin")
    assert figures(found.sections[0])[wujin] == (1, 3, 1, 3)
    # Late 07-30, due 08-05 (within a week of 08-01), 08-30 later, one done: 4 promised.
    assert figures(found.sections[1])[wujin] == (1, 1, 1, 4)
    # Most urgent first: the rows are sorted by overdue, then received.
    assert [r.values for r in found.sections[0].rows] == sorted(
        (r.values for r in found.sections[0].rows), reverse=True
    )


async def test_scheduled_bulletin_sent_once_across_restart_and_two_leaders(
    app: ComplaintApp,
) -> None:
    await seed(app)
    people = await staff(app)
    centre = Citizen(app, CENTRE_ID, "zh-hans", first_name="Centre")
    await centre.send("/start")
    weekly = Schedule.parse("mon 09:00")
    app.services.bulletins.schedule = weekly
    # A second process over the same database, ticking at the same moment (two leader
    # candidates: the lease should prevent it, and the database must prevent it anyway).
    async with open_services(app.db_url, CAMPAIGNS, app.clock) as other:
        other.bulletins.schedule = weekly
        other.complaints.centre = app.services.complaints.centre  # configured alike
        sent = await asyncio.gather(app.services.bulletins.tick(), other.bulletins.tick())
    assert sorted(sent) == [0, 1]  # only Changzhou is in season; one bulletin, once
    recipients = [*people.values(), centre]
    for person in recipients:
        await wait_until(lambda p=person: len(photos(app, p.id)) == 1, f"chart to {person.id}")
    assert_png(photos(app, CENTRE_ID)[0])

    # Its period: from the campaign's first day to the slot's tick; its figures as stored.
    async with app.services.db.unit_of_work() as uow:
        [row] = (await uow.session.execute(select(Bulletin))).scalars().all()
    assert (row.campaign_id, row.slot) == (CZ, "2011-08-01T09:00")
    assert row.period_start == local(28, 0, 6) and row.period_end == app.clock.now()
    want = await expected(app, Period(row.period_start, row.period_end))
    wujin_en = app.services.registry.campaigns[CZ].unit("wujin").name.get("en")
    text = text_to(people["en"], "Bulletin No.")
    overdue, received, closed, still_open = want["complaints"][unit_id(app.services, "wujin")]
    assert f"{wujin_en}: overdue {overdue} · received {received} · closed {closed}" in text
    assert f"open {still_open}" in text
    # Each in their own language.
    assert "通报期间" in text_to(people["zh-Hans"], "期通报")
    assert "通報期間" in text_to(people["zh-Hant"], "期通報")

    # A restart: the slot is recorded, nothing goes out again.
    await app.stop()
    await app.start()
    app.services.bulletins.schedule = weekly
    assert await app.services.bulletins.tick() == 0
    async with app.services.db.unit_of_work() as uow:
        assert (await uow.session.execute(select(func.count(Bulletin.id)))).scalar_one() == 1
        uploads = select(func.count(BroadcastJob.id)).where(BroadcastJob.upload_id.is_not(None))
        assert (await uow.session.execute(uploads)).scalar_one() == len(recipients)
    await app.services.outbox.settled()
    assert all(len(photos(app, p.id)) == 1 for p in recipients)

    # A week later: the next slot, its period starting where the last ended.
    app.clock.advance(dt.timedelta(days=7))
    assert await app.services.bulletins.tick() == 1
    async with app.services.db.unit_of_work() as uow:
        rows = (await uow.session.execute(select(Bulletin).order_by(Bulletin.id))).scalars().all()
    assert [r.slot for r in rows] == ["2011-08-01T09:00", "2011-08-08T09:00"]
    assert rows[1].period_start == rows[0].period_end


def text_to(person: Citizen, marker: str) -> str:
    """The text of the latest bulletin message in the person's chat."""
    found = [m for m in person.user.messages if m.kind == "text" and marker in m.plain_text]
    assert found, person.user.transcript()
    return found[-1].plain_text


async def test_on_demand_preview_and_send_in_three_languages(app: ComplaintApp) -> None:
    await seed(app)
    people = await staff(app)
    await Citizen(app, CENTRE_ID, "zh-hans", first_name="Centre").send("/start")
    for loc, person in people.items():
        replies = await person.send("/bulletin", count=2)
        text, chart = replies
        assert text.kind == "text" and chart.kind == "photo", person.user.transcript()
        assert plain(loc, "bulletin.section.complaints") in text.plain_text
        assert plain(loc, "bulletin.preview") in text.plain_text
    assert_png(photos(app, EVALUATORS["en"])[0])
    async with app.services.db.unit_of_work() as uow:  # a preview records nothing
        assert (await uow.session.execute(select(func.count(Bulletin.id)))).scalar_one() == 0

    replies = await people["en"].send("/bulletin send")
    [done] = [m for m in replies if "recorded" in m.plain_text]
    assert done.plain_text.startswith("Bulletin No. 1 recorded")
    centre_count = 1  # the complaint centre gets it too
    assert f"for {len(people) + centre_count} recipients" in done.plain_text
    for person in people.values():
        await wait_until(lambda p=person: len(photos(app, p.id)) == 2, "sent chart")
    await wait_until(lambda: len(photos(app, CENTRE_ID)) == 1, "centre chart")
    async with app.services.db.unit_of_work() as uow:
        [row] = (await uow.session.execute(select(Bulletin))).scalars().all()
    assert row.slot is None and row.requested_by == EVALUATORS["en"]

    # A citizen is refused, and bad words are answered, not crashed on.
    stranger = Citizen(app, 61_999, "en")
    [refused] = await stranger.send("/bulletin")
    assert refused.plain_text == plain("en", "admin.denied")
    [usage] = await people["en"].send("/bulletin whatever")
    assert usage.plain_text == plain("en", "bulletin.usage")
