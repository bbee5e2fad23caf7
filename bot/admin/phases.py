"""Phases: the campaign file's dates, as admins have opened, closed or extended them.

The survey asks `PhaseBook.phase(campaign, phase_id)` whether a phase is open;
the answer comes from memory (every answer asks), loaded at start-up and kept
in step with each change, which is written to the database and the audit log in
one transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from bot.campaign.schema import Campaign, Phase
from bot.core.clock import Clock, local_today
from storage.access import write_audit
from storage.admin import phase_overrides, set_phase_dates
from storage.uow import Database, Transaction, UnitOfWork


class PhaseAction(StrEnum):
    """What an admin can do to a phase."""

    OPEN = "open"  # open today (it stays open until its end, or today if that has passed)
    CLOSE = "close"  # closed from today on
    EXTEND = "extend"  # a new last day
    RESET = "reset"  # back to the campaign file's dates


class PhaseError(ValueError):
    """A phase change that makes no sense (the message key says why)."""

    def __init__(self, key: str) -> None:
        """`key` is a translation key under admin.phase.error.*."""
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class PhaseState:
    """A phase as the bot obeys it today."""

    campaign: Campaign
    phase: Phase  # effective dates
    overridden: bool
    open_now: bool


class PhaseBook:
    """Effective phase dates: the file's, unless an admin changed them."""

    def __init__(self, clock: Clock) -> None:
        """No overrides until `load()`."""
        self.clock = clock
        self._overrides: dict[tuple[str, str], tuple[dt.date, dt.date]] = {}

    async def load(self, db: Database) -> None:
        """Read every override (at start-up)."""
        self._overrides = await phase_overrides(db)

    def phase(self, campaign: Campaign, phase_id: str) -> Phase:
        """The phase with its effective dates (KeyError if the campaign has no such phase)."""
        base = campaign.phase(phase_id)
        found = self._overrides.get((campaign.id, phase_id))
        if found is None:
            return base
        return base.model_copy(update={"start": found[0], "end": found[1]})

    def states(self, campaign: Campaign) -> list[PhaseState]:
        """Every phase of a campaign, as obeyed today."""
        today = local_today(self.clock, campaign.timezone)
        result = []
        for base in campaign.phases:
            phase = self.phase(campaign, base.id)
            result.append(
                PhaseState(
                    campaign,
                    phase,
                    (campaign.id, base.id) in self._overrides,
                    phase.start <= today <= phase.end,
                )
            )
        return result

    async def change(
        self,
        uow: UnitOfWork,
        actor: int | None,
        campaign: Campaign,
        phase_id: str,
        action: PhaseAction,
        *,
        until: dt.date | None = None,
        reason: str = "",
    ) -> Phase:
        """Open, close, extend or reset a phase (audited); returns its new dates. Commits."""
        try:
            current = self.phase(campaign, phase_id)
        except KeyError:
            raise PhaseError("admin.phase.error.unknown") from None
        today = local_today(self.clock, campaign.timezone)
        start, end = self._new_dates(campaign, current, action, today, until)
        now, key = self.clock.now(), (campaign.id, phase_id)
        file_dates = campaign.phase(phase_id)

        as_filed = (start, end) == (file_dates.start, file_dates.end)

        def write(conn: Transaction) -> None:
            set_phase_dates(
                conn, campaign.id, phase_id, None if as_filed else (start, end), actor, now
            )
            write_audit(
                conn,
                now,
                actor,
                f"phase_{action.value}",
                f"{campaign.id}/{phase_id}",
                reason,
                {
                    "from": [current.start.isoformat(), current.end.isoformat()],
                    "to": [start.isoformat(), end.isoformat()],
                },
            )

        await uow.run_exclusive(write)
        if as_filed:
            self._overrides.pop(key, None)
        else:
            self._overrides[key] = (start, end)
        return self.phase(campaign, phase_id)

    @staticmethod
    def _new_dates(
        campaign: Campaign,
        current: Phase,
        action: PhaseAction,
        today: dt.date,
        until: dt.date | None,
    ) -> tuple[dt.date, dt.date]:
        """The dates an action gives a phase."""
        if action is PhaseAction.OPEN:
            if current.start <= today <= current.end:
                raise PhaseError("admin.phase.error.already_open")
            return min(current.start, today), max(current.end, today)
        if action is PhaseAction.CLOSE:
            if not current.start <= today <= current.end:
                raise PhaseError("admin.phase.error.not_open")
            yesterday = today - dt.timedelta(days=1)
            return min(current.start, yesterday), yesterday
        if action is PhaseAction.EXTEND:
            if until is None or until < today or until <= current.end:
                raise PhaseError("admin.phase.error.bad_date")
            return current.start, until
        base = campaign.phase(current.id)
        return base.start, base.end
