"""Retention of closed complaints (settable clock) and the pseudonymised raw export."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from sqlalchemy import select, update

from bot.privacy.export import HEADER, export_raw_answers, pseudonym
from storage.models import AuditEntry, Complaint, ComplaintEntry
from storage.privacy import is_anonymous
from tests.bot.complaints.test_lifecycle import citizen, file_complaint
from tests.bot.telegram.helpers import Citizen
from tests.bot.telegram.test_questionnaire import finish

from .conftest import CENTRE_ID, ComplaintApp

KEY = b"test-export-key-0123456789"


async def complaint(app: ComplaintApp, tracking: str) -> tuple[Complaint, list[str]]:
    """The stored complaint and the kinds of its citizen entries."""
    async with app.services.db.unit_of_work() as uow:
        s = uow.session
        row = (
            await s.execute(select(Complaint).where(Complaint.tracking == tracking))
        ).scalar_one()
        s.expunge(row)
        kinds = await s.execute(
            select(ComplaintEntry.kind).where(
                ComplaintEntry.complaint_id == row.id, ComplaintEntry.author == "citizen"
            )
        )
        return row, list(kinds.scalars())


async def test_closed_cases_forget_the_complainant_after_the_retention_period(
    app: ComplaintApp,
) -> None:
    services, clock = app.services, app.clock
    Citizen(app, CENTRE_ID, first_name="Centre")
    person = citizen(app)
    old = await file_complaint(person, "wujin", "窗口推诿，第一次。")
    still_open = await file_complaint(person, "wujin", "窗口推诿，第二次。")
    closed_at = clock.now()

    closing = (
        update(Complaint)
        .where(Complaint.tracking == old)
        .values(status="closed", closed_at=closed_at, contact="13800001234")
    )
    async with services.db.unit_of_work() as uow:
        await uow.run_exclusive(lambda conn: conn.execute(closing))

    assert services.privacy.retention_days == 180
    clock.advance(dt.timedelta(days=179, hours=23))
    assert await services.privacy.purge_expired() == 0
    row, kinds = await complaint(app, old)
    assert row.complainant_id == person.id and row.contact == "13800001234" and "photo" in kinds

    clock.advance(dt.timedelta(hours=2))
    assert await services.privacy.purge_expired() == 1
    row, kinds = await complaint(app, old)
    assert is_anonymous(row.complainant_id) and row.contact is None and "photo" not in kinds
    assert row.text == "窗口推诿，第一次。" and row.status == "closed"
    # The case still being handled keeps its complainant and evidence.
    row, kinds = await complaint(app, still_open)
    assert row.complainant_id == person.id and "photo" in kinds
    # Done once: a later round finds nothing more; the purge is audited by counts.
    assert await services.privacy.purge_expired() == 0
    async with services.db.unit_of_work() as uow:
        [entry] = (
            (
                await uow.session.execute(
                    select(AuditEntry).where(AuditEntry.action == "privacy.retention")
                )
            )
            .scalars()
            .all()
        )
    assert entry.details == {"complaints": 1} and str(person.id) not in entry.subject


async def test_raw_export_has_one_row_per_counted_answer_and_no_telegram_id(
    app: ComplaintApp, tmp_path: Path
) -> None:
    services = app.services
    first, second = Citizen(app, 77_000_001), Citizen(app, 77_000_002, "en")
    await finish(first, "wujin", [0, 1, 2, 3, 4], "建议")
    await finish(second, "wujin", [4, 4, 4, 4, 4], None)
    path = await export_raw_answers(services.db, services.registry, KEY, tmp_path / "raw")
    text = path.read_text(encoding="utf-8-sig")
    assert "77000001" not in text and "77000002" not in text and "建议" not in text
    rows = list(csv.reader(text.splitlines()))
    assert tuple(rows[0]) == HEADER
    body = rows[1:]
    assert len(body) == 10
    assert {r[0] for r in body} == {pseudonym(KEY, first.id), pseudonym(KEY, second.id)}
    assert {(r[1], r[2], r[3], r[6]) for r in body} == {
        ("changzhou-2011-safety", "wujin", "questionnaire", "2011-08-01")
    }
    mine = sorted((r[4], r[5]) for r in body if r[0] == pseudonym(KEY, second.id))
    assert [level for _, level in mine] == ["dont_know"] * 5
    # Another key gives other pseudonyms: without the key, ids cannot be tested against them.
    assert pseudonym(b"another-key-0123456789", first.id) != pseudonym(KEY, first.id)
