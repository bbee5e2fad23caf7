"""回头看: a campaign's `follows` checked against the campaign it follows.

The schema checks what one file can (the new unit ids are its units); whether the
old ids are units of last round's campaign needs that campaign too, so the loader
runs this once every file is loaded (and `pingyi validate` with the files beside
the one checked).  Last round's campaign must be loaded as well: its units name
its figures, which stay in the database.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from bot.campaign.schema import Campaign

if TYPE_CHECKING:
    from bot.campaign.loader import CampaignFileError


class Located(Protocol):
    """A parsed file that can place an error at a key (the loader's document)."""

    def error(self, loc: tuple[str | int, ...], message: str) -> CampaignFileError:
        """An error at the node `loc`."""
        ...


def follow_errors(
    campaign: Campaign, doc: Located, campaigns: dict[str, Campaign]
) -> list[CampaignFileError]:
    """What is wrong with `campaign.follows` given the other loaded campaigns."""
    follows = campaign.follows
    if follows is None:
        return []
    last = campaigns.get(follows.campaign)
    if last is None:
        message = f"campaign {follows.campaign!r} is not among the campaign files"
        return [doc.error(("follows", "campaign"), message)]
    known = {unit.id for unit in last.units}
    return [
        doc.error(("follows", "units", new), f"{old!r} is not a unit of {last.id}")
        for new, old in follows.units.items()
        if old not in known
    ]
