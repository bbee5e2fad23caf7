"""Filing a complaint, as pure functions on a `Draft`.

::

    (campaign?) ─► unit (or "not sure") ─► kind of conduct ─► what happened ─► evidence
                                                                                 │ done/skip
                      review ◄──────────────────── contact (anonymous | typed) ◄─┘
                        │  "change X" ─► that step ─► straight back to review
                        └─► submit

Every function returns a `Step`: the new draft and what happened.  Bad input
(too long, nothing visible, too many files, a unit of another campaign) leaves
the draft as it was and says why, so nothing the citizen entered is ever lost.
Typed text goes through `visible_text` (bot/core/text.py) first.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from bot.core.text import visible_text
from storage.complaint_records import Attachment as Attachment  # stored as is

MAX_ATTACHMENTS = 5
MAX_CONTACT_LENGTH = 200
# Steps in the order the citizen meets them.
STEPS = ("campaign", "unit", "kind", "text", "evidence", "contact", "review")
EDITABLE = ("unit", "kind", "text", "evidence", "contact")
# Documents a handler can open anywhere; anything else is refused with a message.
DOCUMENT_TYPES = (
    "application/pdf",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "text/plain",
)
MAX_FILE_BYTES = 20 * 1024 * 1024  # what a bot may download from Telegram


class Outcome(StrEnum):
    """What an event did to the draft."""

    MOVED = "moved"  # the draft changed (or moved to another step)
    STALE = "stale"  # the event does not apply to the step the draft is on
    TOO_LONG = "too_long"
    INVISIBLE = "invisible"  # no visible character: only spaces, zero-width or format chars
    TOO_MANY = "too_many"
    UNSUPPORTED = "unsupported"
    FOREIGN_UNIT = "foreign_unit"  # a unit outside the draft's campaign
    UNKNOWN_KIND = "unknown_kind"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Draft:
    """A complaint being written."""

    campaign_id: str = ""
    step: str = "campaign"
    unit_id: int | None = None
    unit_chosen: bool = False  # True with unit_id None: "not sure"
    kind: str | None = None
    text: str | None = None
    attachments: tuple[Attachment, ...] = ()
    contact: str | None = None
    page: int = 0
    query: str | None = None
    editing: bool = False  # a change from the review returns to the review

    def to_json(self) -> dict[str, Any]:
        """The draft as stored (a JSON column)."""
        data = dataclasses.asdict(self)
        data["attachments"] = [[a.kind, a.file_id] for a in self.attachments]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """A stored draft back (unknown keys from older versions are ignored)."""
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["attachments"] = tuple(Attachment(k, f) for k, f in data.get("attachments", []))
        return cls(**values)


@dataclass(frozen=True)
class Step:
    """The result of one event."""

    outcome: Outcome
    draft: Draft
    values: dict[str, Any] = field(default_factory=dict)  # for the message about it


def start(campaign_ids: list[str]) -> Draft:
    """A new draft: straight to the unit when only one campaign takes complaints."""
    if len(campaign_ids) == 1:
        return Draft(campaign_id=campaign_ids[0], step="unit")
    return Draft()


def _next(draft: Draft, step: str) -> Draft:
    """Move on to `step`, or back to the review when the change came from there."""
    target = "review" if draft.editing else step
    return dataclasses.replace(draft, step=target, editing=draft.editing and target != "review")


def choose_campaign(draft: Draft, campaign_id: str, campaign_ids: list[str]) -> Step:
    """Pick the campaign whose units the complaint is about."""
    if draft.step != "campaign" or campaign_id not in campaign_ids:
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, Draft(campaign_id=campaign_id, step="unit"))


def choose_unit(draft: Draft, unit_id: int | None, campaign_unit_ids: set[int]) -> Step:
    """Pick a unit of the draft's campaign, or None for "not sure"."""
    if draft.step != "unit":
        return Step(Outcome.STALE, draft)
    if unit_id is not None and unit_id not in campaign_unit_ids:
        return Step(Outcome.FOREIGN_UNIT, draft)
    chosen = dataclasses.replace(draft, unit_id=unit_id, unit_chosen=True, query=None, page=0)
    return Step(Outcome.MOVED, _next(chosen, "kind"))


def filter_units(draft: Draft, query: str) -> Step:
    """Typed text on the unit step filters the list."""
    if draft.step != "unit":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, query=visible_text(query), page=0))


def turn_page(draft: Draft, page: int) -> Step:
    """A page button of the unit list."""
    if draft.step != "unit":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, page=max(page, 0)))


def choose_kind(draft: Draft, kind: str, kinds: list[str]) -> Step:
    """Pick the kind of conduct, from the campaign's list."""
    if draft.step != "kind":
        return Step(Outcome.STALE, draft)
    if kind not in kinds:
        return Step(Outcome.UNKNOWN_KIND, draft)
    return Step(Outcome.MOVED, _next(dataclasses.replace(draft, kind=kind), "text"))


def describe(draft: Draft, text: str, limit: int) -> Step:
    """What happened: refused (not cut) when longer than `limit`, or when nothing shows."""
    if draft.step != "text":
        return Step(Outcome.STALE, draft)
    cleaned = visible_text(text)
    if cleaned is None:
        return Step(Outcome.INVISIBLE, draft)
    if len(cleaned) > limit:
        return Step(Outcome.TOO_LONG, draft, {"limit": limit, "length": len(cleaned)})
    return Step(Outcome.MOVED, _next(dataclasses.replace(draft, text=cleaned), "evidence"))


def attach(
    draft: Draft, kind: str, file_id: str, mime: str | None = None, size: int | None = None
) -> Step:
    """A photo or document as evidence (from the description step on)."""
    if draft.step not in ("text", "evidence", "contact", "review"):
        return Step(Outcome.STALE, draft)
    if kind == "document" and (
        mime not in DOCUMENT_TYPES and not (mime or "").startswith("image/")
    ):
        return Step(Outcome.UNSUPPORTED, draft)
    if kind not in ("photo", "document") or (size is not None and size > MAX_FILE_BYTES):
        return Step(Outcome.UNSUPPORTED, draft)
    if len(draft.attachments) >= MAX_ATTACHMENTS:
        return Step(Outcome.TOO_MANY, draft, {"limit": MAX_ATTACHMENTS})
    added = (*draft.attachments, Attachment(kind, file_id))
    return Step(
        Outcome.MOVED,
        dataclasses.replace(draft, attachments=added),
        {"count": len(added), "limit": MAX_ATTACHMENTS},
    )


def evidence_done(draft: Draft) -> Step:
    """ "Done" (or "no evidence") on the evidence step."""
    if draft.step != "evidence":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, _next(draft, "contact"))


def clear_evidence(draft: Draft) -> Step:
    """Remove every attachment (on the evidence step)."""
    if draft.step != "evidence":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, attachments=()))


def give_contact(draft: Draft, text: str) -> Step:
    """Contact details the citizen chose to give."""
    if draft.step != "contact":
        return Step(Outcome.STALE, draft)
    cleaned = visible_text(text)
    if cleaned is None:
        return Step(Outcome.INVISIBLE, draft)
    if len(cleaned) > MAX_CONTACT_LENGTH:
        return Step(Outcome.TOO_LONG, draft, {"limit": MAX_CONTACT_LENGTH, "length": len(cleaned)})
    return Step(Outcome.MOVED, _next(dataclasses.replace(draft, contact=cleaned), "review"))


def stay_anonymous(draft: Draft) -> Step:
    """No contact details (the default); any given earlier are dropped."""
    if draft.step != "contact":
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, _next(dataclasses.replace(draft, contact=None), "review"))


def edit(draft: Draft, what: str) -> Step:
    """From the review, go back to one step; it returns to the review when done."""
    if draft.step != "review" or what not in EDITABLE:
        return Step(Outcome.STALE, draft)
    return Step(Outcome.MOVED, dataclasses.replace(draft, step=what, editing=True))


def ready(draft: Draft) -> bool:
    """Whether the draft can be submitted."""
    return (
        draft.step == "review"
        and bool(draft.campaign_id)
        and draft.unit_chosen
        and draft.kind is not None
        and bool(draft.text)
    )


def submit(draft: Draft) -> Step:
    """Check the draft can be filed (the service files it)."""
    if draft.step != "review":
        return Step(Outcome.STALE, draft)
    if not ready(draft):
        return Step(Outcome.INCOMPLETE, draft)
    return Step(Outcome.MOVED, draft)
