"""Publishing: snapshots that never change, corrections, the notice, what is shown."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Connection, insert, select

from bot.publish.service import PublishError
from bot.publish.site import render_site
from storage.models import BroadcastJob, BroadcastRecipient, Complaint, Respondent
from storage.publication import PublicationRepo, ReasonRequired
from tests.bot.scoring.helpers import F, V, add_questionnaires, scoring_services, unit_id
from tests.bot.telegram.helpers import count_rows

CZ = "changzhou-2011-safety"
DAY = dt.date(2011, 8, 20)
SECRET = "王小二科长收了我两百块"  # a suggestion naming a person


async def _dataset(services) -> None:
    """wujin all very satisfied, liyang fairly: both ranked (30 people per survey component)."""
    for code, level in (("wujin", V), ("liyang", F)):
        await add_questionnaires(services, CZ, code, "onsite", [level] * 5, 30, "mass-rep")
        await add_questionnaires(
            services, CZ, code, "questionnaire", [level] * 5, 30, suggestion=SECRET
        )


async def test_a_publication_never_changes_when_scores_are_refreshed(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        async with services.db.unit_of_work() as uow:
            first = await services.publish.publish(uow, CZ, None)
        snap = first.snapshot
        wujin = snap.unit(unit_id(services, CZ, "wujin"))
        assert wujin is not None and (wujin.rank, wujin.composite) == (1, "100.00")
        assert (wujin.satisfaction, wujin.people) == ("100.0", 60)
        pages_before = render_site([[first]])

        # Later answers move the live figures …
        await add_questionnaires(services, CZ, "wujin", "questionnaire", [F] * 5, 40)
        await services.scoring.refresh(CZ, full=True)
        async with services.db.unit_of_work() as uow:
            live = await services.scoring.results(uow, CZ)
            again = await services.publish.latest(uow, CZ)
        assert live is not None
        live_wujin = live.unit(unit_id(services, CZ, "wujin"))
        assert live_wujin is not None and live_wujin.composite != wujin.composite
        # … the publication does not move with them.
        assert again is not None and again == first
        assert render_site([[again]]) == pages_before


async def test_a_correction_needs_a_reason_and_both_stay(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        async with services.db.unit_of_work() as uow:
            first = await services.publish.publish(uow, CZ, 42)
        async with services.db.unit_of_work() as uow:
            with pytest.raises(PublishError) as refused:
                await services.publish.publish(uow, CZ, 42)
        assert refused.value.key == "publish.error.reason"
        await add_questionnaires(services, CZ, "liyang", "questionnaire", [V] * 5, 20)
        async with services.db.unit_of_work() as uow:
            second = await services.publish.publish(uow, CZ, 42, "a batch was missed")
            history = await services.publish.history(uow, CZ)
        assert (first.number, first.corrects) == (1, None)
        assert (second.number, second.corrects) == (2, first.id)
        assert second.reason == "a batch was missed"
        assert [p.id for p in history] == [first.id, second.id]
        assert history[0] == first  # the corrected one is kept as it was
        pages = render_site([history])
        assert {f"{CZ}/1/en/index.html", f"{CZ}/2/en/index.html"} <= set(pages)
        assert "a batch was missed" in pages[f"{CZ}/en/index.html"]


async def add_complaint(services, person: int, code: str, kind: str, text: str) -> None:
    """A complaint filed by `person` about unit `code`, as the complaint desk stores it."""
    now = services.clock.now()
    row = {
        "tracking": f"TS-{person}-{code}-{kind}"[:20],
        "campaign_id": CZ,
        "unit_id": unit_id(services, CZ, code),
        "complainant_id": person,
        "kind": kind,
        "text": text,
        "case_class": "clear-cut",
        "status": "open",
        "filed_at": now,
        "due_at": now + dt.timedelta(days=7),
        "remind_at": now + dt.timedelta(days=6),
        "updated_at": now,
    }

    def write(conn: Connection) -> None:
        known = conn.execute(select(Respondent.id).where(Respondent.id == person)).first()
        if known is None:
            conn.execute(
                insert(Respondent).values(
                    id=person, locale="en", locale_chosen=False, first_seen=now, last_seen=now
                )
            )
        conn.execute(insert(Complaint).values(**row))

    await services.db.writer.run(write)


async def test_complaints_are_counted_by_kind_and_their_authors_see_their_units_first(
    db_url: str,
) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        await add_complaint(services, 501, "liyang", "buck-passing", SECRET)
        await add_complaint(services, 502, "liyang", "buck-passing", "拖了三个月")
        await add_complaint(services, 502, "wujin", "soliciting", "要好处费")
        async with services.db.unit_of_work() as uow:
            published = await services.publish.publish(uow, CZ, None)
            touched = await services.publish.touched_units(uow, CZ, 502)
        liyang = published.snapshot.unit(unit_id(services, CZ, "liyang"))
        assert liyang is not None
        assert [(p.kind, p.count) for p in liyang.complaints] == [("buck-passing", 2)]
        assert liyang.complaints[0].name["zh-Hans"] == "推诿扯皮"
        assert touched == {unit_id(services, CZ, "liyang"), unit_id(services, CZ, "wujin")}
        # Complainants took part: told too (120 raters + 2 complainants).
        assert await count_rows(services, BroadcastRecipient) == 122
        pages = render_site([[published]])
        assert "推诿扯皮" in pages[f"{CZ}/zh-Hans/liyang.html"]
        assert not any(SECRET in html or "好处费" in html for html in pages.values())


async def test_participants_are_told_once(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)  # 120 people took part
        async with services.db.unit_of_work() as uow:
            await services.publish.publish(uow, CZ, None)
            await services.publish.publish(uow, CZ, None, "correction")
        assert await count_rows(services, BroadcastJob, kind="results") == 1
        assert await count_rows(services, BroadcastRecipient) == 120


async def test_unknown_campaign_is_refused(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        async with services.db.unit_of_work() as uow:
            with pytest.raises(PublishError) as refused:
                await services.publish.publish(uow, "nowhere", None)
        assert refused.value.key == "publish.error.campaign"


async def test_suggestion_texts_are_counted_never_published(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        async with services.db.unit_of_work() as uow:
            published = await services.publish.publish(uow, CZ, None)
        stored = json.dumps(published.snapshot.model_dump(mode="json"), ensure_ascii=False)
        assert SECRET not in stored and "王小二" not in stored
        wujin = published.snapshot.unit(unit_id(services, CZ, "wujin"))
        assert wujin is not None and wujin.suggestions == 30
        pages = render_site([[published]])
        assert not any(SECRET in html for html in pages.values())
        assert "Suggestions received: 30" in pages[f"{CZ}/en/wujin.html"]


async def test_a_confirmed_request_publishes_once_and_only_for_its_author(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        async with services.db.unit_of_work() as uow:
            preview = await services.publish.request(uow, CZ, 42, None)
        assert (preview.number, preview.ranked) == (1, 2)
        async with services.db.unit_of_work() as uow:
            with pytest.raises(PublishError):
                await services.publish.confirm(uow, preview.request_id, 43)
            first = await services.publish.confirm(uow, preview.request_id, 42)
            again = await services.publish.confirm(uow, preview.request_id, 42)
            history = await services.publish.history(uow, CZ)
        assert again == first and [p.id for p in history] == [first.id]


async def test_a_request_overtaken_by_another_publication_needs_a_reason(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        await _dataset(services)
        async with services.db.unit_of_work() as uow:
            mine = await services.publish.request(uow, CZ, 42, None)
            theirs = await services.publish.request(uow, CZ, 43, None)
        async with services.db.unit_of_work() as uow:
            await services.publish.confirm(uow, theirs.request_id, 43)
        async with services.db.unit_of_work() as uow:
            with pytest.raises(PublishError) as refused:
                await services.publish.confirm(uow, mine.request_id, 42)
            history = await services.publish.history(uow, CZ)
        assert refused.value.key == "publish.error.reason" and len(history) == 1


async def test_storage_refuses_a_correction_without_a_reason(db_url: str) -> None:
    async with scoring_services(db_url, DAY) as services:
        now = services.clock.now()
        async with services.db.unit_of_work() as uow:
            repo = PublicationRepo(uow)
            first, created = await repo.add(CZ, now, None, None, {"n": 1})
            with pytest.raises(ReasonRequired):
                await repo.add(CZ, now, None, "", {"n": 2})
            second, _ = await repo.add(CZ, now, None, "why", {"n": 2})
            await uow.commit()
            stored = await repo.history(CZ)
        assert created and [(p.number, p.corrects) for p in stored] == [(1, None), (2, first)]
        assert [p.id for p in stored] == [first, second]
