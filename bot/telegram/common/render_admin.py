"""Admin screens as HTML text: phases, broadcast progress, audit log, suspicious bursts."""

from __future__ import annotations

import html

from bot.admin.fairness import Burst
from bot.admin.phases import PhaseState
from bot.core.clock import CHINA
from bot.core.registry import Registry
from bot.i18n import format_date, t
from storage.access import AuditRecord
from storage.outbox import BLOCKED, FAILED, PENDING, SENT, UNKNOWN, Progress


def phases(states: list[PhaseState], locale: str) -> str:
    """A campaign's phases with their dates and whether each is open today."""
    if not states:
        return ""
    lines = [t(locale, "admin.phase.header", campaign=states[0].campaign.name.get(locale))]
    for state in states:
        key = "admin.phase.line_open" if state.open_now else "admin.phase.line_closed"
        lines.append(
            t(
                locale,
                key,
                phase=state.phase.name.get(locale),
                id=state.phase.id,
                start=format_date(locale, state.phase.start),
                end=format_date(locale, state.phase.end),
            )
            + (t(locale, "admin.phase.changed") if state.overridden else "")
        )
    return "\n".join(lines)


def progress(p: Progress, locale: str) -> str:
    """A broadcast's status: sent / blocked / failed / unknown of total, and whether it ended."""
    key = {
        "running": "admin.bc.progress",
        "done": "admin.bc.report",
        "cancelled": "admin.bc.cancelled_report",
    }.get(p.status, "admin.bc.progress")
    return t(
        locale,
        key,
        job=p.job_id,
        total=p.total,
        sent=p.count(SENT),
        blocked=p.count(BLOCKED),
        failed=p.count(FAILED),
        unknown=p.count(UNKNOWN),
        pending=p.count(PENDING),
    )


def audit(entries: list[AuditRecord], locale: str) -> str:
    """The latest audit entries, newest first."""
    if not entries:
        return t(locale, "admin.audit.empty")
    lines = [t(locale, "admin.audit.header")]
    for e in entries:
        lines.append(
            t(
                locale,
                "admin.audit.line",
                at=e.at.astimezone(CHINA).strftime("%Y-%m-%d %H:%M"),
                actor=t(locale, "admin.audit.cli") if e.actor is None else e.actor,
                action=e.action,
                subject=e.subject,
                reason=e.reason or "—",
            )
        )
    return "\n".join(lines)


def bursts(found: list[Burst], registry: Registry, locale: str) -> str:
    """The suspicious-burst report (flags only)."""
    if not found:
        return t(locale, "admin.suspicious.none")
    lines = [t(locale, "admin.suspicious.header", count=len(found))]
    for b in found:
        unit = registry.unit(b.unit_id)
        lines.append(
            t(
                locale,
                "admin.suspicious.line",
                unit=unit[1].name.get(locale) if unit else b.unit_id,
                component=b.component,
                accounts=len(b.respondent_ids),
                start=b.first_seen_from.astimezone(CHINA).strftime("%m-%d %H:%M"),
                end=b.first_seen_to.astimezone(CHINA).strftime("%H:%M"),
                ids=", ".join(str(i) for i in b.respondent_ids[:20]),
            )
        )
    return "\n".join(lines)


def preview(text: str, count: int, audience: str, locale: str) -> str:
    """The draft as recipients will read it, and how many will get it."""
    return t(locale, "admin.bc.preview", audience=audience, count=count) + "\n\n" + text


def escape(text: str) -> str:
    """Plain text for HTML."""
    return html.escape(text, quote=False)
