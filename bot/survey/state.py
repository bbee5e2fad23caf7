"""A respondent's questionnaire state, read through caches kept in step with commits.

The database is the truth (see `bot.core.lru`): each cache is filled on a miss and
updated only after the unit of work that wrote it committed, so a restart (or a
failed commit, which empties the caches) costs reads, never a wrong answer.
`SurveyService` (service.py) runs the conversation on top of this state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from bot.campaign.schema import Campaign, Component, Phase, Unit
from bot.core.clock import Clock, local_today
from bot.core.lru import LRU, MISSING
from bot.core.registry import Registry
from bot.survey.screens import PhaseProvider
from storage.records import ConversationRecord, DraftRecord
from storage.repositories import ConversationRepo, RespondentRepo, SurveyRepo
from storage.uow import UnitOfWork

DraftKey = tuple[int, int, str]


class SurveyState:
    """Where each respondent is, their drafts, categories and rated units: cached."""

    def __init__(self, registry: Registry, clock: Clock, cache_size: int = 100_000) -> None:
        """Serve `registry`'s campaigns, telling the date by `clock`."""
        self.registry = registry
        self.clock = clock
        self._drafts: LRU[DraftKey, DraftRecord | None] = LRU(cache_size, self._draft_evicted)
        # People whose every draft is in the cache (seen first by this process):
        # a cache miss for them means "no draft", without asking the database.
        self._complete: LRU[int, bool] = LRU(cache_size)
        self._conversations: LRU[int, ConversationRecord] = LRU(cache_size)
        self._categories: LRU[tuple[int, str], str] = LRU(cache_size)
        self._panels: LRU[tuple[int, str], frozenset[int] | None] = LRU(cache_size)
        self._rated: LRU[tuple[int, str, str], frozenset[int]] = LRU(cache_size)
        # Admins' phase overrides (bot/admin/phases.py); None: the campaign files' dates.
        self.phases: PhaseProvider | None = None
        # Told (after the commit) of each submitted questionnaire: campaign, respondent,
        # unit, component — the scorer counts it in its next refresh.
        self.on_submitted: list[Callable[[str, int, int, str], None]] = []

    def prime_new_person(self, rid: int) -> None:
        """A person seen for the first time has no rows yet: nothing to read for them.

        Foreign keys guarantee it (every row hangs off the respondent row, which is
        only now being written), so the first update of a newcomer costs no reads.
        """
        self._conversations.put(rid, ConversationRecord(rid))
        self._complete.put(rid, True)
        for campaign in self.registry.campaigns.values():
            self._categories.put((rid, campaign.id), campaign.public_category().id)
            self._panels.put((rid, campaign.id), None)
            for comp in campaign.survey_components():
                self._rated.put((rid, campaign.id, comp.id), frozenset())

    def forget_person(self, rid: int) -> None:
        """A person's rows were erased or re-keyed (/forget): drop everything cached.

        Drafts are keyed by person and unit, so dropping one person's would mean a
        scan; erasures are rare, and the caches refill from the database.
        """
        self._drafts.clear()
        self._complete.clear()
        self._conversations.clear()
        self._categories.clear()
        self._panels.clear()
        self._rated.clear()

    # -- state, read through the cache -------------------------------------------

    async def category(self, uow: UnitOfWork, rid: int, campaign: Campaign) -> str:
        """The respondent's category in `campaign` (the public one by default)."""
        key = (rid, campaign.id)
        cached = self._categories.get(key)
        if cached is MISSING:
            found = await RespondentRepo(uow).category(rid, campaign.id)
            cached = found or campaign.public_category().id
            self._categories.put(key, cached)
        return cast(str, cached)

    def forget_category(self, rid: int, campaign_id: str) -> None:
        """Drop a cached category and panel (after an invitation code changed them)."""
        self._categories.drop((rid, campaign_id))
        self._panels.drop((rid, campaign_id))

    async def panel(self, uow: UnitOfWork, rid: int, campaign: Campaign) -> frozenset[int] | None:
        """The units whose panel the respondent sits on (None: every unit's)."""
        key = (rid, campaign.id)
        cached = self._panels.get(key)
        if cached is MISSING:
            found = await RespondentRepo(uow).panel_units(rid, campaign.id)
            cached = None if found is None else frozenset(found)
            self._panels.put(key, cached)
        return cast(frozenset[int] | None, cached)

    async def units_to_rate(
        self, uow: UnitOfWork, rid: int, campaign: Campaign, component: Component
    ) -> list[Unit]:
        """The units this respondent may rate in a component: a panel component (one with
        categories) offers a panel member only the units whose panel they sit on."""
        units = campaign.units_for(component)
        panel = None if component.categories is None else await self.panel(uow, rid, campaign)
        if panel is None:
            return units
        return [u for u in units if self.registry.unit_id(campaign, u) in panel]

    async def conversation(self, uow: UnitOfWork, rid: int) -> ConversationRecord:
        """Where the respondent is."""
        cached = self._conversations.get(rid)
        if cached is MISSING:
            cached = await ConversationRepo(uow).get(rid) or ConversationRecord(rid)
            self._conversations.put(rid, cached)
        return cast(ConversationRecord, cached)

    async def draft(self, uow: UnitOfWork, rid: int, unit_id: int, comp: str) -> DraftRecord | None:
        """The respondent's questionnaire about a unit, if started."""
        key = (rid, unit_id, comp)
        cached = self._drafts.get(key)
        if cached is MISSING:
            known_none = self._complete.get(rid) is True
            cached = None if known_none else await SurveyRepo(uow).get_draft(rid, unit_id, comp)
            self._drafts.put(key, cached)
        return cast(DraftRecord | None, cached)

    def _draft_evicted(self, key: DraftKey) -> None:
        """A person's draft left the cache: their misses must read the database again."""
        self._complete.drop(key[0])

    async def rated(self, uow: UnitOfWork, rid: int, campaign_id: str, comp: str) -> frozenset[int]:
        """Units this respondent already submitted a questionnaire about, for a component."""
        key = (rid, campaign_id, comp)
        cached = self._rated.get(key)
        if cached is MISSING:
            cached = frozenset(await SurveyRepo(uow).submitted_units(rid, campaign_id, comp))
            self._rated.put(key, cached)
        return cast(frozenset[int], cached)

    def set_conversation(self, uow: UnitOfWork, record: ConversationRecord) -> None:
        """Stage where a person is for another flow (complaints), keeping the cache right."""
        self._set_conversation(uow, record)

    def _set_conversation(self, uow: UnitOfWork, record: ConversationRecord) -> None:
        if self._conversations.get(record.respondent_id) == record:
            return  # already stored: nothing to write
        ConversationRepo(uow).stage_set(record, self.clock.now())
        uow.after_commit(lambda: self._conversations.put(record.respondent_id, record))

    def _put_draft(self, uow: UnitOfWork, draft: DraftRecord) -> None:
        key = (draft.respondent_id, draft.unit_id, draft.component)
        uow.after_commit(lambda: self._drafts.put(key, draft))

    async def _commit(self, uow: UnitOfWork) -> None:
        try:
            await uow.commit()
        except Exception:
            # What failed may have been half-known to the cache: re-read next time.
            self._drafts = LRU(self._drafts._size)
            self._conversations = LRU(self._conversations._size)
            raise

    # -- what is open today --------------------------------------------------------

    def effective_phase(self, campaign: Campaign, phase_id: str) -> Phase:
        """A phase with the dates the bot obeys (an admin's override, else the file's)."""
        return self.phases.phase(campaign, phase_id) if self.phases else campaign.phase(phase_id)

    def open_today(self) -> list[tuple[Campaign, Component, Phase]]:
        """Every survey component open today (to some category), with its phase."""
        found = []
        for campaign in self.registry.campaigns.values():
            today = local_today(self.clock, campaign.timezone)
            for comp in campaign.survey_components():
                if comp.phase is None:
                    continue
                phase = self.effective_phase(campaign, comp.phase)
                if phase.start <= today <= phase.end:
                    found.append((campaign, comp, phase))
        return found
