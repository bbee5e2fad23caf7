"""Lead and co-handling units (003 三(四) 牵头承办 … 共同办理).

The complaint's own unit leads.  Its handler, or the complaint centre, adds
co-handling units; each co-handling unit's handlers are sent the case card (through
the outbox) and add their part — text, with files sent before it — which is relayed
to the lead unit's handlers.  Only the lead closes (the lifecycle gives `close` to
the handler of the complaint's unit alone), and the deadline stays the lead's: the
reminders and escalations are unchanged.  A co-handling unit never sees the
complainant: its card is built from a view without even the contact the citizen
gave the lead.  Every addition and every part is audited with who acted.
"""

from __future__ import annotations

import dataclasses

from bot.complaints.desk import Desk, facts
from bot.complaints.flow import Attachment
from bot.complaints.lifecycle import Transition
from bot.complaints.records import ComplaintRecord
from bot.complaints.screens import Card, Choice, ComplaintView, Delivery, Relay, Result, notice
from bot.survey.units import page_of
from storage.uow import UnitOfWork

PART_STEP = "h_part"
MAX_PART_FILES = 5


def for_cohandlers(view: ComplaintView) -> ComplaintView:
    """The complaint as a co-handling unit sees it: not even the citizen's contact."""
    return dataclasses.replace(view, contact=None)


def part_files(data: dict[str, object]) -> list[Attachment]:
    """The files kept with a part being written (the conversation's JSON)."""
    kept = data.get("files")
    if not isinstance(kept, list):
        return []
    return [Attachment(str(k), str(f)) for k, f in kept if k in ("photo", "document")]


class CoHandling:
    """Adding co-handling units, and their parts."""

    def __init__(self, desk: Desk) -> None:
        """Work at `desk`."""
        self.desk = desk

    async def press(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        button: str,
        arg: int,
    ) -> Result:
        """cohandle (the units, paged), counit (add one), coback, part (start the part)."""
        view = self.desk.view(record)
        if button == "cohandle":
            units, ids = view.campaign.units, self.desk.unit_ids(view.campaign)
            return Result(Choice(view, "counits", page_of(units, arg), ids), edit=True)
        if button == "coback":
            return Result(Card(view, move.actor.value), edit=True)
        if button == "counit":
            return await self._add(uow, uid, record, move, arg)
        self.desk.point(uow, uid, PART_STEP, id=record.id, files=[])
        await uow.commit()
        return Result(
            notice("complaint.prompt.part", tracking=record.tracking, limit=MAX_PART_FILES)
        )

    async def _add(
        self, uow: UnitOfWork, uid: int, record: ComplaintRecord, move: Transition, unit_id: int
    ) -> Result:
        """Add a co-handling unit and send its handlers the case card and evidence."""
        campaign = self.desk.registry.campaigns[record.campaign_id]
        if unit_id not in self.desk.unit_ids(campaign).values() or unit_id == record.unit_id:
            return Result(toast=notice("complaint.bad.cohandler_unit"))
        repo = await self.desk.writes(uow)
        added = await repo.add_cohandler(record.id, unit_id, uid, self.desk.clock.now())
        found = self.desk.registry.unit(unit_id)
        name = found[1].name if found else None
        if not added:  # back to the card, which stays as it was
            card = Card(self.desk.view(record), move.actor.value)
            already = notice("complaint.cohandler_already", unit=name)
            return Result(card, edit=True, toast=already)
        await self.desk.audit(uow, uid, record, move, move.to(), unit_id=unit_id)
        view = await self.desk.view_of(uow, record.id, files=True)
        handlers = await repo.handlers_of(unit_id)
        note = notice("complaint.note.cohandle", **facts(view))
        seen = for_cohandlers(view)
        deliveries = [
            Delivery(h, Card(seen, "cohandler", note), seen.attachments) for h in handlers
        ]
        toast = "complaint.cohandler_added" if handlers else "complaint.cohandler_no_handler"
        card = Card(view, move.actor.value)
        return Result(card, edit=True, toast=notice(toast, unit=name), deliveries=deliveries)

    async def attach(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        data: dict[str, object],
        kind: str,
        file_id: str,
    ) -> Result:
        """A file for the part being written (kept with the conversation until its text)."""
        files = part_files(data)
        if len(files) >= MAX_PART_FILES:
            return Result(notice("complaint.part_files_full", limit=MAX_PART_FILES))
        files.append(Attachment(kind, file_id))
        kept = [[f.kind, f.file_id] for f in files]
        self.desk.point(uow, uid, PART_STEP, id=record.id, files=kept)
        await uow.commit()
        return Result(notice("complaint.part_file_kept", count=len(files)))

    async def typed(
        self,
        uow: UnitOfWork,
        uid: int,
        record: ComplaintRecord,
        move: Transition,
        text: str,
        data: dict[str, object],
    ) -> Result:
        """The part's text: stored with its files, relayed to the lead unit's handlers."""
        units = await self.desk.cohandling_units(uow, uid, record)
        if not units:
            return await self.desk.abandon(uow, uid)
        files = tuple(part_files(data))
        repo = await self.desk.writes(uow)
        await repo.add_part(record.id, units[0], self.desk.clock.now(), text, files)
        self.desk.idle(uow, uid)
        await uow.commit()
        await self.desk.audit(uow, uid, record, move, move.to(), unit_id=units[0], files=len(files))
        found = self.desk.registry.unit(units[0])
        relay = Relay(
            self.desk.view(record), "part", text, "handler", unit=found[1] if found else None
        )
        handlers = await repo.handlers_of(record.unit_id)
        return Result(
            notice("complaint.part_sent", tracking=record.tracking),
            deliveries=[Delivery(h, relay, files) for h in handlers],
        )
