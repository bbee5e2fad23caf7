"""Per-unit deep links: `https://t.me/<bot>?start=<payload>` opens the bot on one unit.

Telegram passes the payload to the bot as `/start <payload>`; it may hold at most 64
characters of `A-Z a-z 0-9 _ -`.  Ours carry the unit's database id (stable for a
deployment: the registry keys units by campaign and unit id), never a name:

- `r<id>`: open the questionnaire about the unit (a window's poster);
- `c<id>`: open the complaint form about the unit.

`group` (bot/telegram/chats.py, the way back from a group chat) is left alone.  Any
other payload — mistyped, cut, forged — is refused with a message; a payload naming
no unit is refused the same way by the service that looks the unit up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Action = Literal["r", "c"]
RATE: Action = "r"
COMPLAIN: Action = "c"
_PAYLOAD = re.compile(r"^([rc])([1-9][0-9]{0,11})$")
MAX_PAYLOAD = 64  # characters Telegram passes to /start


@dataclass(frozen=True)
class UnitLink:
    """What a unit's deep link asks: rate (`r`) or complain about (`c`) unit `unit_id`."""

    action: Action
    unit_id: int

    @property
    def payload(self) -> str:
        """The /start payload, e.g. `r12`."""
        return f"{self.action}{self.unit_id}"

    def url(self, username: str) -> str:
        """The t.me link to the bot `username` with this payload."""
        return f"https://t.me/{username}?start={self.payload}"


def parse(payload: str) -> UnitLink | None:
    """The link a /start payload denotes (None: not one of ours)."""
    match = _PAYLOAD.match(payload.strip()) if len(payload) <= MAX_PAYLOAD else None
    if match is None:
        return None
    action: Action = RATE if match[1] == RATE else COMPLAIN
    return UnitLink(action, int(match[2]))
