"""What must hold in the database whatever people typed or pressed."""

from __future__ import annotations

from sqlalchemy import select

from bot.app.services import Services
from bot.complaints.lifecycle import Status
from bot.core.text import visible_text
from bot.survey.flow import LEVELS
from storage.models import Answer, Complaint, ComplaintEntry, Submission

LEVEL_VALUES = {level.value for level in LEVELS}
# A complaint row is filed: a draft is never stored as a complaint.
COMPLAINT_STATUSES = {status.value for status in Status} - {Status.DRAFT.value}


async def broken_invariants(services: Services) -> list[str]:
    """Every invariant the stored data breaks (empty when all hold)."""
    async with services.db.unit_of_work() as uow:
        session = uow.session
        submissions = list((await session.execute(select(Submission))).scalars())
        answers = list((await session.execute(select(Answer))).scalars())
        complaints = list((await session.execute(select(Complaint))).scalars())
        entries = list((await session.execute(select(ComplaintEntry))).scalars())
    found = _survey(services, submissions, answers)
    found += _complaints(services, complaints, entries)
    return found


def _survey(services: Services, submissions: list[Submission], answers: list[Answer]) -> list[str]:
    """Answers belong to a questionnaire, levels are valid, suggestions fit and show."""
    found: list[str] = []
    keys = {(s.respondent_id, s.unit_id, s.component) for s in submissions}
    for a in answers:
        if (a.respondent_id, a.unit_id, a.component) not in keys:
            found.append(f"answer without a questionnaire: {a.respondent_id}/{a.unit_id}")
        if a.level not in LEVEL_VALUES:
            found.append(f"answer with level {a.level!r}")
    for s in submissions:
        where = f"questionnaire {s.respondent_id}/{s.unit_id}/{s.component}"
        if s.status not in ("draft", "submitted"):
            found.append(f"{where} in status {s.status!r}")
        if (s.status == "submitted") != (s.submitted_at is not None):
            found.append(f"{where}: status {s.status} but submitted_at {s.submitted_at}")
        if s.suggestion is None:
            continue
        campaign = services.registry.campaigns[s.campaign_id]
        rule = campaign.questionnaire.suggestion if campaign.questionnaire else None
        limit = rule.max_length if rule else 0
        if len(s.suggestion) > limit:
            found.append(f"{where}: suggestion of {len(s.suggestion)} > {limit} characters")
        if visible_text(s.suggestion) != s.suggestion:
            found.append(f"{where}: suggestion not normalised or invisible {s.suggestion!r}")
    return found


def _complaints(
    services: Services, complaints: list[Complaint], entries: list[ComplaintEntry]
) -> list[str]:
    """Complaints are in a possible status, with texts that fit their campaign and show."""
    found: list[str] = []
    limits: dict[int, int] = {}
    for c in complaints:
        where = f"complaint {c.tracking}"
        rules = services.registry.campaigns[c.campaign_id].complaints
        limit = limits[c.id] = rules.max_text_length if rules else 2000
        if c.status not in COMPLAINT_STATUSES:
            found.append(f"{where} in status {c.status!r}")
        if (c.status == Status.CLOSED.value) != (c.closed_at is not None):
            found.append(f"{where}: status {c.status} but closed_at {c.closed_at}")
        if c.status == Status.ACCEPTED.value and c.accepted_at is None:
            found.append(f"{where}: accepted without accepted_at")
        if c.text and (len(c.text) > limit or visible_text(c.text) != c.text):
            found.append(f"{where}: text of {len(c.text)} characters, or not visible")
        for reason in (c.extension_reason, c.transfer_reason, c.result, c.contact):
            if reason is not None and len(reason) > limit:
                found.append(f"{where}: a stored text of {len(reason)} > {limit} characters")
    for e in entries:
        if e.complaint_id not in limits:
            found.append(f"complaint entry {e.id} without its complaint")
        elif len(e.text) > limits[e.complaint_id]:
            found.append(f"complaint entry {e.id}: {len(e.text)} characters")
    return found
