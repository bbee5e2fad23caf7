"""Reminders and escalation: which complaints are due a notice now, and to whom.

Handlers are reminded one working day before the due day; a complaint past its
due time is marked overdue and escalated to the centre (and its handlers told).
Each notice is claimed in the database before it is sent, so none goes out twice.
"""

from __future__ import annotations

from bot.complaints.desk import Desk, facts
from bot.complaints.lifecycle import Status
from bot.complaints.screens import Card, Delivery, notice
from storage.complaints import ComplaintRepo
from storage.uow import UnitOfWork

NOTICE_BATCH = 100  # complaints claimed per kind of notice and round


async def due_notices(desk: Desk, uow: UnitOfWork) -> list[Delivery]:
    """Claim the reminders and escalations due now (each once, ever) and say to whom."""
    now, repo = desk.clock.now(), ComplaintRepo(uow)
    deliveries: list[Delivery] = []
    for record in await repo.claim_due(now, "due_at", NOTICE_BATCH):
        view = desk.view(record)
        deliveries += desk.to_centre(view, notice("complaint.note.overdue"))
        if record.status is not Status.TRIAGE:
            overdue = notice("complaint.overdue", **facts(view))
            deliveries += await desk.to_handlers(uow, view, overdue)
    for record in await repo.claim_due(now, "remind_at", NOTICE_BATCH):
        if record.due_at < now:
            continue  # already escalated: a "due tomorrow" would be wrong now
        view = desk.view(record)
        card = Card(view, "handler", notice("complaint.note.reminder"))
        deliveries += await desk.to_handlers(uow, view, card)
    return deliveries
