"""回头看 (looking back): last round's rank and satisfaction of each unit, and the change.

A campaign file may name the campaign it follows and map its units
(`follows: {campaign: ID, units: {new_id: old_id}}`, bot/campaign/reach.py).  Last
round's figures come from the followed campaign's latest publication when it has one
(what the public was told), else from its latest stored scores; bot/publish/lookback.py
reads them.  Here are the figures and the one way a change is worked out: from the
figures as shown (rank; satisfaction rounded to one decimal, half up), so a reader's
own subtraction of the two numbers on the page gives the change printed beside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

SHOWN = Decimal("0.1")  # satisfaction is shown with one decimal


def shown(value: Decimal | None) -> Decimal | None:
    """A satisfaction (percent) as shown: one decimal, half up."""
    return None if value is None else value.quantize(SHOWN, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LastRound:
    """One unit's figures in the round before."""

    code: str  # last round's unit id
    rank: int | None
    ranked_in_kind: int
    satisfaction: Decimal | None  # percent, one decimal


@dataclass(frozen=True)
class Change:
    """This round against the last: None where either side has no figure."""

    last: LastRound
    rank: int | None  # places moved up (last rank − this rank); negative: down
    satisfaction: Decimal | None  # percentage points, this − last


@dataclass(frozen=True)
class LookBack:
    """Last round's figures of a campaign's units (keyed by this round's unit id)."""

    campaign_id: str  # the campaign followed
    source: str  # "published" (its latest publication) | "scores" (its stored scores)
    number: int | None  # the publication's number, when published
    title: dict[str, str] = field(default_factory=dict)  # locale → the followed campaign's name
    units: dict[str, LastRound] = field(default_factory=dict)

    def name(self, locale: str) -> str:
        """The followed campaign's name in `locale` (its id if unknown)."""
        return self.title.get(locale) or next(iter(self.title.values()), self.campaign_id)

    def change(self, code: str, rank: int | None, satisfaction: Decimal | None) -> Change | None:
        """Unit `code`'s change since last round (None if it had no unit last round)."""
        last = self.units.get(code)
        if last is None:
            return None
        moved = None if rank is None or last.rank is None else last.rank - rank
        now, before = shown(satisfaction), last.satisfaction
        delta = None if now is None or before is None else now - before
        return Change(last, moved, delta)
