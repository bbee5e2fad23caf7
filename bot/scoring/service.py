"""The scorer as a service: refresh (full or incremental), store, read back, and refresh in
the background when new questionnaires arrive.

Refreshing:

- **full**: one GROUP BY over every counted answer of the campaign (plus the small
  tables), the arithmetic of compute.py, and the results stored with the time.
- **incremental**: the survey service tells the scorer (after the commit) which
  questionnaire was submitted; the next refresh aggregates only those
  questionnaires' answers and reads their suggestions — one statement over their
  primary keys — adds the counts to the ones kept in memory, and recomputes only
  the figures those counts touched (compute.py keeps the rest, keyed by what they
  were computed from).  A submitted questionnaire's answers never change, so adding
  is exact.  A questionnaire announced while a full refresh reads (or just
  after) may or may not be in that read; its unit is then recounted exactly
  (a GROUP BY restricted to the unit, on the answers' unit index) instead of added.
- voids, findings recorded by the complaint desk and anything else are folded in
  by the periodic full refresh (`full_every`), and at once by `pingyi score`.

The background task (`run`) wakes when a questionnaire is announced, waits
`debounce` seconds so a burst is counted in one refresh, and does what `tick`
finds due; `tick` takes its time from the clock, so tests drive it directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from bot.campaign.schema import ComponentKind
from bot.core.clock import Clock
from bot.core.registry import Registry
from bot.scoring import offload
from bot.scoring.compute import UnitMemo, compute
from bot.scoring.counts import ScoringData
from bot.scoring.results import (
    UNIT_JSON,
    CampaignScores,
    SanctionKind,
    SanctionNote,
    Status,
    UnitScore,
)
from storage.followers import FollowersRepo
from storage.sanctions import SanctionsRepo
from storage.scoring import (
    SUGGESTIONS_PER_UNIT,
    ResultRow,
    RunRow,
    ScoringRepo,
    SideTables,
    SubmissionKey,
)
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)
GRACE_SECONDS = 5.0  # announcements this soon after a full read are treated as ambiguous


@dataclass
class _CampaignState:
    """What the scorer keeps in memory for one campaign between refreshes."""

    data: ScoringData | None = None
    pending: set[SubmissionKey] = field(default_factory=set)
    ambiguous: set[int] = field(default_factory=set)  # units to recount exactly
    reading_full: bool = False
    grace_until: float = 0.0
    dirty: bool = False  # marks, bonuses or findings changed
    memo: dict[int, UnitMemo] = field(default_factory=dict)  # last score per unit
    stored: dict[int, tuple[object, ...]] = field(default_factory=dict)  # rank and flags stored
    last_full: dt.datetime | None = None


@dataclass(frozen=True)
class RefreshReport:
    """What one refresh did."""

    campaign_id: str
    full: bool
    seconds: float
    answers: int


class ScoringService:
    """Scores every loaded campaign; keeps the counts in memory, the results in the database."""

    def __init__(
        self,
        db: Database,
        registry: Registry,
        clock: Clock,
        *,
        debounce: float = 1.0,
        full_every: dt.timedelta = dt.timedelta(minutes=10),
    ) -> None:
        """Score `registry`'s campaigns in `db`, telling the time by `clock`."""
        self.db, self.registry, self.clock = db, registry, clock
        self.debounce, self.full_every = debounce, full_every
        self.grace = GRACE_SECONDS
        self._states: dict[str, _CampaignState] = defaultdict(_CampaignState)
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        # Told (full?, seconds) after each refresh (bot/app/metrics.py).
        self.on_refreshed: list[Callable[[bool, float], None]] = []

    # -- announcements -------------------------------------------------------------

    def submitted(self, campaign_id: str, respondent_id: int, unit_id: int, component: str) -> None:
        """A questionnaire was submitted and committed: count it in the next refresh."""
        state = self._states[campaign_id]
        if state.reading_full or time.monotonic() < state.grace_until:
            state.ambiguous.add(unit_id)
        else:
            state.pending.add((respondent_id, unit_id, component))
        self._wake.set()

    def changed(self, campaign_id: str) -> None:
        """Marks, bonuses or findings changed: recompute the composites soon."""
        self._states[campaign_id].dirty = True
        self._wake.set()

    # -- refreshing ----------------------------------------------------------------------

    async def refresh(self, campaign_id: str, *, full: bool = False) -> RefreshReport:
        """Refresh one campaign's results (full, or with what arrived since) and store them."""
        campaign = self.registry.campaigns[campaign_id]
        async with self._lock:
            started = time.perf_counter()
            state = self._states[campaign_id]
            full = full or state.data is None
            async with self.db.unit_of_work() as uow:
                if full:
                    await self._read_full(uow, campaign_id, state)
                else:
                    await self._read_changes(uow, campaign_id, state)
                assert state.data is not None
                side = await ScoringRepo(uow).side_tables(campaign_id, self.clock.now())
                _take_side_tables(state.data, side)
                state.data.sanctions = await _sanctions(uow, campaign_id)
                if any(c.kind is ComponentKind.RECTIFICATION for c in campaign.components):
                    state.data.rectification = await FollowersRepo(uow).rating_counts(campaign_id)
            ids = {u.id: self.registry.unit_id(campaign, u) for u in campaign.units}
            scores = compute(campaign, ids, state.data, self.clock.now(), state.memo)
            seconds = time.perf_counter() - started
            await self._store(scores, full, seconds, state)
            state.dirty = False
            if full:
                state.last_full = scores.computed_at
            took = time.perf_counter() - started
            for listener in self.on_refreshed:
                listener(full, took)
            return RefreshReport(campaign_id, full, took, scores.answers)

    async def _read_full(self, uow: UnitOfWork, campaign_id: str, state: _CampaignState) -> None:
        """Count everything again (what was announced before now is in this read)."""
        state.pending.clear()
        state.ambiguous.clear()
        state.reading_full = True
        try:
            repo = ScoringRepo(uow)
            data = ScoringData()
            data.set_counts(await repo.tally_all(campaign_id))
            data.suggestions = await repo.latest_suggestions(campaign_id)
        finally:
            state.reading_full = False
            state.grace_until = time.monotonic() + self.grace
        state.data = data

    async def _read_changes(self, uow: UnitOfWork, campaign_id: str, state: _CampaignState) -> None:
        """Add the announced questionnaires; recount the units announced ambiguously."""
        assert state.data is not None
        keys, state.pending = state.pending, set()
        units, state.ambiguous = state.ambiguous, set()
        keys = {k for k in keys if k[1] not in units}
        data, repo = state.data, ScoringRepo(uow)
        if keys:
            counts, newest = await repo.tally_submissions(campaign_id, keys)
            for key, n in counts.items():
                data.add_tally(key, n)
            for unit_id, texts in newest.items():
                merged = texts + data.suggestions.get(unit_id, [])
                data.suggestions[unit_id] = merged[:SUGGESTIONS_PER_UNIT]
        if units:
            exact = await repo.tally_units(campaign_id, units)
            data.set_counts(exact, units)
            recounted = await repo.latest_suggestions(campaign_id, units)
            for unit_id in units:
                data.suggestions[unit_id] = recounted.get(unit_id, [])

    async def _store(
        self,
        scores: CampaignScores,
        full: bool,
        seconds: float,
        state: _CampaignState,
    ) -> None:
        """Store `scores`: every unit after a full refresh, else the units recomputed or
        whose rank or flags moved."""
        changed = [
            u
            for u in scores.units
            if full or u.unit_id in scores.recomputed or state.stored.get(u.unit_id) != _placing(u)
        ]
        rows = [
            ResultRow(
                unit_id=u.unit_id,
                status=u.status.value,
                composite_x100=None if u.composite is None else int(u.composite * 100),
                rank=u.rank,
                flagged=u.talk or u.no_excellence,
                data=UNIT_JSON.dump_json(u).decode(),
            )
            for u in changed
        ]
        run = RunRow(
            campaign_id=scores.campaign_id,
            computed_at=scores.computed_at,
            answers=scores.answers,
            full=full,
            millis=int(seconds * 1000),
            kind_average={k: str(v) for k, v in scores.kind_average.items()},
        )
        async with self.db.unit_of_work() as uow:
            await ScoringRepo(uow).store(run, rows)
        state.stored.update({u.unit_id: _placing(u) for u in changed})

    # -- reading ------------------------------------------------------------------------

    async def results(self, uow: UnitOfWork, campaign_id: str) -> CampaignScores | None:
        """The stored results of a campaign (None if it was never scored)."""
        stored = await ScoringRepo(uow).stored(campaign_id)
        if stored is None:
            return None
        run = stored.run
        scores = CampaignScores(
            campaign_id=campaign_id,
            computed_at=run.computed_at,
            answers=run.answers,
            kind_average={kind: Decimal(str(value)) for kind, value in run.kind_average.items()},
            units=[UNIT_JSON.validate_json(text) for text in stored.units],
        )
        order = {
            self.registry.unit_id(self.registry.campaigns[campaign_id], u): n
            for n, u in enumerate(self.registry.campaigns[campaign_id].units)
        }
        scores.units.sort(key=lambda u: order.get(u.unit_id, len(order)))
        return scores

    # -- the background task --------------------------------------------------------------

    async def tick(self) -> list[RefreshReport]:
        """Do whatever refresh is due now: first or periodic full ones, then incremental ones."""
        done: list[RefreshReport] = []
        now = self.clock.now()
        for campaign_id in sorted(self.registry.campaigns):
            state = self._states[campaign_id]
            due_full = state.data is None or (
                state.last_full is not None and now - state.last_full >= self.full_every
            )
            if due_full or state.pending or state.ambiguous or state.dirty:
                done.append(await self.refresh(campaign_id, full=due_full))
        return done

    async def run(self, period: float = 60.0) -> None:
        """Refresh in the background until cancelled: on announcements, and every `period`."""
        while True:
            # asyncio.timeout, not wait_for, which on 3.11 can swallow a cancel.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(period):
                    await self._wake.wait()
            if self._wake.is_set():
                await asyncio.sleep(self.debounce)  # let a burst of submissions gather
            self._wake.clear()
            try:
                await self.tick()
            except Exception:  # a failed refresh must not end the task; the next one retries
                log.exception("score refresh failed")

    def start(self) -> None:
        """Start the background refresh task, and the worker that draws charts and writes
        reports off the event loop (both idempotent; the worker lives as long as the
        process)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self.run(), name="score-refresh")
            offload.start()

    async def stop(self) -> None:
        """Stop the background refresh task."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def _take_side_tables(data: ScoringData, side: SideTables) -> None:
    """Put the small tables' sums into the scorer's data."""
    data.marks, data.deductions, data.findings = side.marks, side.deductions, side.findings
    data.bonuses, data.complaints, data.overdue = side.bonuses, side.complaints, side.overdue


async def _sanctions(uow: UnitOfWork, campaign_id: str) -> dict[int, tuple[SanctionNote, ...]]:
    """The sanctions in force, per unit (their number is small: read on every refresh)."""
    found: dict[int, tuple[SanctionNote, ...]] = {}
    for s in await SanctionsRepo(uow).in_force(campaign_id):
        note = SanctionNote(s.id, SanctionKind(s.kind), s.reason)
        found[s.unit_id] = (*found.get(s.unit_id, ()), note)
    return found


def _placing(unit: UnitScore) -> tuple[object, ...]:
    """What ranking decides about a unit (a reused score still needs storing if it moved)."""
    return (
        unit.rank,
        unit.ranked_in_kind,
        unit.talk,
        unit.no_excellence,
        unit.award,
        unit.status,
        unit.sanctions,
    )


def ranked_count(scores: CampaignScores) -> int:
    """How many units are ranked (for summaries)."""
    return sum(1 for u in scores.units if u.status is Status.RANKED)
