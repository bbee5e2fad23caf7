"""Admin and evaluator commands besides /broadcast: /phase, /grant, /revoke, /codes,
/audit, /void, /suspicious.  Every handler declares who may use it (bot/telegram/authz.py).

Its router carries the name "admin" like the broadcast one (routers/admin.py): they are
one feature, in two modules to keep each short.
"""

from __future__ import annotations

import csv
import datetime as dt
import io

from bot.access.service import Role
from bot.admin.phases import PhaseAction, PhaseError
from bot.app.services import Services
from bot.campaign.schema import Campaign
from bot.core.clock import CHINA
from bot.i18n import echo, t
from bot.telegram.common import keyboards_admin, render_admin
from bot.telegram.common.callbacks import PhaseChange
from bot.telegram.common.incoming import Incoming, answer, in_chat, tell
from bot.telegram.common.replies import Answer, Upload
from bot.telegram.common.routing import ADMIN, STAFF, Routes
from storage.records import RespondentRecord
from storage.uow import UnitOfWork

routes = Routes("admin")


# -- /phase ------------------------------------------------------------------------------


@routes.command("phase", roles=STAFF, has_args=False)
async def phase_list(
    message: Incoming, services: Services, uow: UnitOfWork, person: RespondentRecord, locale: str
) -> None:
    """Every campaign's phases as the bot obeys them; admins get buttons to change them."""
    is_admin = await services.access.has(uow, person.id, Role.ADMIN)
    for campaign in services.registry.campaigns.values():
        states = services.admin.phases.states(campaign)
        markup = None
        if is_admin:
            flags = [(i, s.open_now, s.overridden) for i, s in enumerate(states)]
            markup = keyboards_admin.phase_actions(campaign, flags, locale)
        await answer(message, Answer(render_admin.phases(states, locale), markup))
    if is_admin:
        await tell(message, t(locale, "admin.phase.usage"))


@routes.command("phase", has_args=True, roles=ADMIN)
async def phase_command(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/phase open|close|extend|reset PHASE [YYYY-MM-DD] [reason]."""
    parts = (message.args or "").split()
    found = _find_phase(services, parts[1] if len(parts) > 1 else "")
    if len(parts) < 2 or parts[0] not in {a.value for a in PhaseAction} or found is None:
        await tell(message, t(locale, "admin.phase.usage"))
        return
    action, rest = PhaseAction(parts[0]), parts[2:]
    until = None
    if action is PhaseAction.EXTEND:
        try:
            until = dt.date.fromisoformat(rest.pop(0)) if rest else None
        except ValueError:
            until = None
    await _change_phase(
        message, services, uow, person.id, found, action, until, " ".join(rest), locale
    )


@routes.press(PhaseChange, roles=ADMIN)
async def phase_button(
    query: Incoming,
    callback_data: PhaseChange,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """Open, close or reset a phase from the /phase list."""
    campaign = services.registry.campaigns.get(callback_data.campaign)
    if (
        campaign is None
        or not 0 <= callback_data.phase < len(campaign.phases)
        or callback_data.action not in ("open", "close", "reset")
    ):
        await tell(query, t(locale, "common.stale"))
        return
    await answer(query, Answer())  # close the spinner; the outcome comes as new messages
    if query.message_id is not None:
        found = (campaign, campaign.phases[callback_data.phase].id)
        await _change_phase(
            in_chat(query),
            services,
            uow,
            person.id,
            found,
            PhaseAction(callback_data.action),
            None,
            "",
            locale,
        )


def _find_phase(services: Services, phase_id: str) -> tuple[Campaign, str] | None:
    """`phase` or `campaign/phase`: the campaign and phase it names (None: none or several)."""
    campaign_id, _, pid = phase_id.rpartition("/")
    matches = [
        (c, p.id)
        for c in services.registry.campaigns.values()
        for p in c.phases
        if p.id == pid and campaign_id in ("", c.id)
    ]
    return matches[0] if len(matches) == 1 else None


async def _change_phase(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    actor: int,
    found: tuple[Campaign, str],
    action: PhaseAction,
    until: dt.date | None,
    reason: str,
    locale: str,
) -> None:
    campaign, phase_id = found
    try:
        phase = await services.admin.change_phase(
            uow, actor, campaign, phase_id, action, until=until, reason=reason
        )
    except PhaseError as exc:
        await tell(message, t(locale, exc.key))
        return
    states = [s for s in services.admin.phases.states(campaign) if s.phase.id == phase.id]
    await tell(message, t(locale, "admin.phase.done") + "\n" + render_admin.phases(states, locale))


# -- roles, codes, audit -----------------------------------------------------------------


@routes.command("grant", "revoke", roles=ADMIN)
async def grant_or_revoke(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/grant USER_ID ROLE [UNIT] [reason] — and /revoke, the same way (audited)."""
    parts = (message.args or "").split()
    roles = {r.value for r in Role}
    if len(parts) < 2 or not parts[0].isdigit() or parts[1] not in roles:
        await tell(message, t(locale, "admin.grant.usage"))
        return
    user_id, role, rest = int(parts[0]), Role(parts[1]), parts[2:]
    unit_id = None
    if role is Role.HANDLER:
        unit_id = _unit_id(services, rest.pop(0) if rest else "")
        if unit_id is None:
            await tell(message, t(locale, "admin.grant.unit"))
            return
    access = services.access
    change = access.grant if message.command == "grant" else access.revoke
    done = await change(uow, person.id, user_id, role, unit_id, " ".join(rest))
    key = f"admin.{message.command}.{'done' if done else 'nothing'}"
    await tell(message, t(locale, key, user=user_id, role=role.value))


def _unit_id(services: Services, code: str) -> int | None:
    """A unit named by its campaign-file id (or campaign/unit) or name; None: none or several."""
    found = services.registry.find_units(code)
    return services.registry.unit_id(*found[0]) if len(found) == 1 else None


@routes.command("codes", roles=ADMIN)
async def codes(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/codes CATEGORY_OR_ROLE[@UNIT,UNIT] COUNT [YYYY-MM-DD]: single-use codes as a CSV
    document; a category code with @UNITS sits on those units' panels only."""
    parts = (message.args or "").split()
    name, _, units = parts[0].partition("@") if parts else ("", "", "")
    target = _code_target(services, name) if parts else None
    panel = _panel(services, target, units) if target and units else None
    count = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    expires = _expiry(parts[2]) if len(parts) > 2 else None
    if (
        target is None
        or (units and not panel)
        or not 1 <= count <= 5000
        or (len(parts) > 2 and expires is None)
    ):
        await tell(message, t(locale, "admin.codes.usage"))
        return
    role, unit_id, campaign_id, category = target
    made = await services.access.issue_codes(
        uow,
        person.id,
        count,
        role=role,
        unit_id=unit_id,
        campaign_id=campaign_id,
        category=category,
        expires_at=expires,
        panel_units=panel,
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["code", "role", "category", "campaign", "unit", "expires"])
    for code in made:
        writer.writerow(
            [
                code,
                role.value if role else "",
                category or "",
                campaign_id or "",
                unit_id or units.replace(",", " "),
                parts[2] if len(parts) > 2 else "",
            ]
        )
    document = Upload(f"codes-{name}.csv".replace("/", "-"), out.getvalue().encode("utf-8-sig"))
    caption = t(locale, "admin.codes.done", count=count)
    await answer(message, Answer(caption, document=document))


CodeTarget = tuple[Role | None, int | None, str | None, str | None]


def _code_target(services: Services, name: str) -> CodeTarget | None:
    """admin, evaluator, handler:UNIT, CATEGORY or CAMPAIGN/CATEGORY (None: unknown)."""
    if name in (Role.ADMIN.value, Role.EVALUATOR.value, Role.INSPECTOR.value):
        return Role(name), None, None, None
    if name.startswith("handler:"):
        unit_id = _unit_id(services, name.removeprefix("handler:"))
        found = services.registry.unit(unit_id) if unit_id else None
        return (Role.HANDLER, unit_id, found[0].id, None) if found else None
    campaign_id, _, category = name.rpartition("/")
    matches = [
        (c.id, cat.id)
        for c in services.registry.campaigns.values()
        for cat in c.categories
        if cat.id == category and campaign_id in ("", c.id)
    ]
    return (None, None, *matches[0]) if len(matches) == 1 else None


def _panel(services: Services, target: CodeTarget, units: str) -> list[int] | None:
    """A category code's panel units named by campaign-file id (None: not all known)."""
    campaign_id, category = target[2], target[3]
    if category is None or campaign_id is None:
        return None
    found = [services.registry.unit_ids.get((campaign_id, u)) for u in units.split(",")]
    return None if None in found else [u for u in found if u is not None]


def _expiry(text: str) -> dt.datetime | None:
    """A last valid day → the instant it ends (China time); None if malformed."""
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), CHINA)


@routes.command("audit", roles=ADMIN)
async def audit(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """The latest audit entries (default 20, at most 50)."""
    args = (message.args or "").strip()
    limit = min(int(args), 50) if args.isdigit() and int(args) > 0 else 20
    entries = await services.access.audit_log(uow, limit)
    await tell(message, render_admin.audit(entries, locale)[:4000])


# -- fairness ----------------------------------------------------------------------------


@routes.command("void", roles=STAFF)
async def void(
    message: Incoming,
    services: Services,
    uow: UnitOfWork,
    person: RespondentRecord,
    locale: str,
) -> None:
    """/void USER_ID CAMPAIGN REASON: the respondent's answers leave every score (audited)."""
    parts = (message.args or "").split(maxsplit=2)
    if len(parts) < 3 or not parts[0].isdigit() or parts[1] not in services.registry.campaigns:
        await tell(message, t(locale, "admin.void.usage"))
        return
    count = await services.admin.fairness.void(uow, person.id, int(parts[0]), parts[1], parts[2])
    await tell(message, t(locale, "admin.void.done", user=parts[0], count=count))


@routes.command("suspicious", roles=STAFF)
async def suspicious(message: Incoming, services: Services, uow: UnitOfWork, locale: str) -> None:
    """Bursts of new accounts giving one unit near-identical answers (flags only)."""
    wanted = (message.args or "").strip()
    chosen = [c for c in services.registry.campaigns.values() if wanted in ("", c.id)]
    if not chosen:  # say so, rather than leave the command unanswered
        await tell(message, t(locale, "admin.suspicious.unknown", campaign=echo(wanted, 100)))
        return
    for campaign in chosen:
        found = await services.admin.fairness.bursts(uow, campaign.id)
        text = render_admin.bursts(found, services.registry, locale)
        await tell(
            message, f"<b>{render_admin.escape(campaign.name.get(locale))}</b>\n{text}"[:4000]
        )
