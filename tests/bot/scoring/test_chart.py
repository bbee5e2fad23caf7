"""The chart is drawn off the event loop: thread-safe, and in the report worker process."""

from __future__ import annotations

import datetime as dt
import io
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from PIL import Image

from bot.campaign.loader import load_campaigns
from bot.scoring.chart import ranking_png
from bot.scoring.compute import compute
from bot.scoring.counts import ScoringData
from bot.scoring.offload import off_loop
from bot.scoring.results import CampaignScores

from .helpers import CAMPAIGNS, B, F, V

CAMPAIGN = load_campaigns(Path(CAMPAIGNS))["changzhou-2011-safety"]
IDS = {u.id: n for n, u in enumerate(CAMPAIGN.units, start=1)}
PNG = b"\x89PNG\r\n\x1a\n"


def scores(level: str) -> CampaignScores:
    """Every unit answered 40 times at `level` (both survey components, every item)."""
    data = ScoringData()
    for code, uid in IDS.items():
        for comp in ("onsite", "questionnaire"):
            for item in CAMPAIGN.questionnaire.items:
                data.add_tally((uid, comp, item.id, "public", level), 40)
        data.add_tally((uid, "questionnaire", "service", "public", B), len(code))  # spread
    return compute(CAMPAIGN, IDS, data, dt.datetime(2011, 9, 5, tzinfo=dt.UTC))


def check_png(png: bytes) -> tuple[int, int]:
    """A valid PNG's size (fails on anything else)."""
    assert png.startswith(PNG)
    with Image.open(io.BytesIO(png)) as image:
        image.verify()
    with Image.open(io.BytesIO(png)) as image:
        return image.size


def test_two_charts_drawn_at_once_in_threads_are_valid_and_their_own() -> None:
    """Each call draws on a Figure of its own: charts drawn at the same moment in two
    threads are byte for byte the charts drawn one after the other, and differ."""
    inputs = [(scores(V), "zh-Hans"), (scores(F), "en")]
    alone = [ranking_png(CAMPAIGN, s, locale) for s, locale in inputs]
    assert alone[0] != alone[1]
    start = threading.Barrier(2)

    def draw(s: CampaignScores, locale: str) -> bytes:
        start.wait(timeout=30)  # both threads draw at the same time
        return ranking_png(CAMPAIGN, s, locale)

    with ThreadPoolExecutor(2) as pool:
        for _ in range(3):
            together = list(pool.map(lambda args: draw(*args), inputs))
            assert together == alone
    for png in alone:
        width, height = check_png(png)
        assert width > 500 and height > 300


async def test_charts_are_drawn_in_the_worker_process() -> None:
    assert await off_loop(os.getpid) != os.getpid()
    s = scores(V)
    png = await off_loop(ranking_png, CAMPAIGN, s, "en")
    assert png == ranking_png(CAMPAIGN, s, "en")
    check_png(png)


async def test_a_job_runs_in_a_thread_when_the_worker_cannot_start(monkeypatch, caplog):
    """A worker that dies at start (as in a program that embeds the bot without the
    main-module guard) does not cost the person their chart: it is drawn in a thread,
    and the next job tries a new worker."""
    from concurrent.futures import Future
    from concurrent.futures.process import BrokenProcessPool

    import bot.scoring.offload as offload

    tried: list[object] = []

    def dead_worker(job: object) -> Future[object]:
        tried.append(job)
        future: Future[object] = Future()
        future.set_exception(BrokenProcessPool("the worker died at start"))
        return future

    monkeypatch.setattr(offload, "_submit", dead_worker)
    s = scores(V)
    png = await off_loop(ranking_png, CAMPAIGN, s, "en")
    assert png == ranking_png(CAMPAIGN, s, "en")
    assert await off_loop(threading.get_ident) != threading.get_ident()  # not on the loop
    assert len(tried) == 2  # each job tried the worker first
    assert "runs in a thread" in caplog.text
