"""The authorization matrix: every command and button of every router, for every role.

`MATRIX` names every handler registered on the dispatcher (router:function) and
who may use it.  The test fails when a handler has no entry (a new command must
be added here, with its roles), when an entry names a handler that no longer
exists, when a handler's declared guard disagrees with its entry, and — through
the real bot — when a role is refused what it should get or gets what it
should not.

Each probe waits until the bot has finished handling that very update and reads
only what that update produced (the messages since it was sent, the answer to
that button press).  An earlier version waited for the bot to look idle (no call
for 50 ms) and then took whatever answer had arrived: on a loaded machine the
bot was still reading the person's grants when the quiet spell ended, no answer
was there yet, and a refused evaluator counted as "allowed".
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.access.service import Role
from bot.core.clock import FixedClock
from bot.i18n import t
from bot.localapi import LocalBotAPI, SimUser, parse_html
from bot.telegram.common.callbacks import (
    BroadcastAddLocale,
    BroadcastAudience,
    BroadcastAudienceMenu,
    BroadcastCancel,
    BroadcastSend,
    BroadcastUnitSearch,
    PhaseChange,
    PlanAction,
    PublishConfirm,
)
from bot.telegram.common.codec import CallbackData
from bot.telegram.common.routing import Route
from bot.telegram.common.table import ROUTES
from tests.bot.telegram.conftest import SURVEY_DAY, BotApp

PUBLIC, HANDLER, EVALUATOR, ADMIN = "public", "handler", "evaluator", "admin"
EVERYONE = frozenset({PUBLIC, HANDLER, EVALUATOR, ADMIN})
ADMINS = frozenset({ADMIN})
STAFF = frozenset({ADMIN, EVALUATOR})
# Checked inside the engine per object (a complaint is shown only to its unit's handlers
# and its complainant), so open at the door: the complaint tests cover who sees what.
PER_OBJECT = EVERYONE

MATRIX: dict[str, frozenset[str]] = {
    # admin (bot/telegram/routers/admin.py)
    "admin_compose:compose_message": ADMINS,
    "admin:broadcast": ADMINS,
    "admin:broadcast_add_locale": ADMINS,
    "admin:broadcast_audience_menu": ADMINS,
    "admin:broadcast_unit_search": ADMINS,
    "admin:broadcast_audience": ADMINS,
    "admin:broadcast_send": ADMINS,
    "admin:broadcast_cancel": ADMINS,
    "admin:phase_list": STAFF,
    "admin:phase_command": ADMINS,
    "admin:phase_button": ADMINS,
    "admin:grant_or_revoke": ADMINS,
    "admin:codes": ADMINS,
    "admin:audit": ADMINS,
    "inbox:inbox": ADMINS,  # /inbox: waiting and parked updates, retry
    "admin:void": STAFF,
    "admin:suspicious": STAFF,
    # evaluator (bot/telegram/routers/evaluator.py): the appraisal office, admins included
    "evaluator:ranking": STAFF,
    "evaluator:score": STAFF,
    "evaluator:issues": STAFF,
    "evaluator:progress_": STAFF,
    "evaluator:overdue": STAFF,
    "evaluator:chart": STAFF,
    "evaluator:export": STAFF,
    "evaluator:mark": STAFF,
    "evaluator:bonus_or_finding": STAFF,
    "bulletin:bulletin": STAFF,  # bot/telegram/common/handlers/bulletin.py
    # sanctions (bot/telegram/routers/sanctions.py): imposed by evaluators, revoked by admins
    "sanctions:sanction": STAFF,
    "sanctions:revoke": ADMINS,
    "sanctions:unseat": STAFF,
    # inspectors' findings (bot/telegram/routers/inspections.py)
    "inspections:inspect": frozenset({"inspector"}),
    "inspections:decide": STAFF,
    "inspections:corrected": frozenset({HANDLER}),
    # rectification (bot/telegram/routers/rectify.py)
    "rectify:plan": frozenset({HANDLER}),
    "rectify:measure": frozenset({HANDLER}),
    "rectify:suggestions": frozenset({HANDLER}),
    "rectify:submit": frozenset({HANDLER}),
    "rectify:done": frozenset({HANDLER}),
    "rectify:plans": STAFF,
    "rectify:decide": STAFF,
    "rectify:approve_button": STAFF,
    "rectify:follow": EVERYONE,
    "rectify:rate": EVERYONE,
    # complaints
    "complaints:complain": EVERYONE,
    "complaints:my_complaints": EVERYONE,
    "complaints:cases": PER_OBJECT,
    "complaints:cancel": EVERYONE,
    "complaints:draft_button": EVERYONE,
    "complaints:complaint_button": PER_OBJECT,
    "complaints:typed": EVERYONE,
    "complaints:evidence": EVERYONE,
    "complaints:unsupported": EVERYONE,
    # questionnaire, common, access, fallback
    "survey:survey": EVERYONE,
    "survey:start_survey": EVERYONE,
    "survey:pick_campaign": EVERYONE,
    "survey:units_page": EVERYONE,
    "survey:pick_unit": EVERYONE,
    "survey:answer_item": EVERYONE,
    "survey:navigate": EVERYONE,
    "survey_text:typed_text": EVERYONE,
    "survey_text:not_text": EVERYONE,
    "survey_text:edited_text": EVERYONE,
    "survey_text:edited_other": EVERYONE,
    "common:start": EVERYONE,
    "common:help_": EVERYONE,
    "common:language": EVERYONE,
    "common:language_chosen": EVERYONE,
    "common:cancel": EVERYONE,
    "access:redeem_code": EVERYONE,
    # publication (bot/telegram/routers/publish.py)
    "publish:publish": ADMINS,
    "publish:publish_button": ADMINS,
    "publish:results": EVERYONE,
    "publish:results_page": EVERYONE,
    "publish:results_unit": EVERYONE,  # a unit of /results: its time limits and channel
    "links:start_with_link": EVERYONE,  # /start r<id> or c<id>: a poster's deep link
    "privacy:my_data": EVERYONE,  # a person's own data, and erasing it: anyone, for themselves
    "privacy:forget_asked": EVERYONE,
    "privacy:forget_answered": EVERYONE,
    "fallback:anything_else": EVERYONE,
    "fallback:unknown_button": EVERYONE,
}

# Privileged commands, with harmless arguments, probed through the real bot.
PROBES: dict[str, str] = {
    "admin:phase_list": "/phase",
    "admin:phase_command": "/phase extend questionnaire 2011-09-30 matrix test",
    "admin:grant_or_revoke": "/grant 123 evaluator matrix test",
    "admin:codes": "/codes evaluator 1",
    "admin:audit": "/audit",
    "inbox:inbox": "/inbox",
    "admin:void": "/void 123 changzhou-2011-safety matrix test",
    "admin:suspicious": "/suspicious",
    "evaluator:ranking": "/ranking",
    "evaluator:progress_": "/progress",
    "evaluator:issues": "/issues",
    "sanctions:sanction": "/sanction",
    "sanctions:revoke": "/sanction revoke 999999 matrix test",
    "sanctions:unseat": "/unseat",
    "publish:publish": "/publish",
    "rectify:plans": "/plans",
    "rectify:decide": "/approve",
    "admin:broadcast": "/broadcast",  # last: the admin is composing afterwards
}
BUTTONS: dict[str, CallbackData] = {
    "admin:broadcast_add_locale": BroadcastAddLocale(draft=999_999, locale="en"),
    "admin:broadcast_audience_menu": BroadcastAudienceMenu(draft=999_999),
    "admin:broadcast_unit_search": BroadcastUnitSearch(draft=999_999, kind="raters"),
    "admin:broadcast_audience": BroadcastAudience(draft=999_999, kind="everyone"),
    "admin:broadcast_send": BroadcastSend(draft=999_999),
    "admin:broadcast_cancel": BroadcastCancel(job=999_999),
    "admin:phase_button": PhaseChange(campaign="changzhou-2011-safety", phase=99, action="open"),
    "publish:publish_button": PublishConfirm(request=999_999, go=False),
    "rectify:approve_button": PlanAction(plan=999_999, action="approve"),
}
DENIALS = ("admin.denied",)


def _key(route: Route) -> str:
    return f"{route.feature}:{route.handler.__name__}"


def _guard(route: Route) -> frozenset[str]:
    """Who the route's declared roles let in."""
    return frozenset(r.value for r in route.roles) if route.roles else EVERYONE


@pytest.fixture
async def app(api: LocalBotAPI, db_url: str, framework: str) -> AsyncIterator[BotApp]:
    running = BotApp(api, db_url, FixedClock.on_day(SURVEY_DAY), framework)
    await running.start()
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture
async def api() -> AsyncIterator[LocalBotAPI]:
    async with LocalBotAPI() as server:
        yield server


@pytest.fixture
def db_url(tmp_path: object) -> str:
    return f"sqlite+aiosqlite:///{tmp_path}/matrix.db"


def test_every_handler_has_an_entry_and_its_declared_guard() -> None:
    found = {_key(route): _guard(route) for route in ROUTES}
    missing = sorted(set(found) - set(MATRIX))
    assert missing == [], f"handlers without an entry in the authorization matrix: {missing}"
    stale = sorted(set(MATRIX) - set(found))
    assert stale == [], f"matrix entries without a handler: {stale}"
    wrong = {k: (sorted(found[k]), sorted(MATRIX[k])) for k in found if found[k] != MATRIX[k]}
    assert wrong == {}, f"declared guard ≠ matrix (declared, expected): {wrong}"


def test_every_command_with_a_probe_exists() -> None:
    commands = {_key(route): set(route.commands) for route in ROUTES}
    for key, probe in PROBES.items():
        assert probe.split()[0].lstrip("/") in commands[key], key


async def _people(app: BotApp) -> dict[str, SimUser]:
    users = {
        role: app.api.user(9000 + n, language_code="en")
        for n, role in enumerate((PUBLIC, HANDLER, EVALUATOR, ADMIN))
    }
    for user in users.values():
        await app.handled(await user.send_text("/start"))
    services = app.services
    wujin = services.registry.unit_ids[("changzhou-2011-safety", "wujin")]
    async with services.db.unit_of_work() as uow:
        await services.access.grant(uow, None, users[HANDLER].id, Role.HANDLER, wujin)
        await services.access.grant(uow, None, users[EVALUATOR].id, Role.EVALUATOR)
        await services.access.grant(uow, None, users[ADMIN].id, Role.ADMIN)
    return users


def _denied(text: str) -> bool:
    return any(parse_html(t("en", key)).text in text for key in DENIALS)


async def _command(app: BotApp, user: SimUser, text: str) -> list[str]:
    """Send a command; once the bot has handled it, the texts it sent or edited in reply."""
    mark = user.chat.version
    await app.handled(await user.send_text(text))
    return [m.plain_text for m in user.messages if m.version > mark]


async def _button(app: BotApp, user: SimUser, data: str) -> str | None:
    """Press a (forged) button; once the bot has handled the press, the text of its answer."""
    query = app.api.new_callback_query(user.profile, user.messages[-1], data)
    await app.handled(app.api.push_update("callback_query", query))
    [answer] = [a for a in app.api.answers if a.query_id == query["id"]]
    return answer.text


async def test_each_role_gets_exactly_what_it_should(app: BotApp) -> None:
    users = await _people(app)
    wrong: list[str] = []
    for key, probe in PROBES.items():
        for role, user in users.items():
            replies = await _command(app, user, probe)
            denied = any(_denied(text) for text in replies)
            if not replies:
                wrong.append(f"{probe!r} as {role}: no reply")
            elif denied == (role in MATRIX[key]):
                wrong.append(f"{probe!r} as {role}: {'refused' if denied else 'allowed'}")
    for key, data in BUTTONS.items():
        for role, user in users.items():
            answer = await _button(app, user, data.pack())
            denied = answer is not None and _denied(answer)
            if denied == (role in MATRIX[key]):
                wrong.append(f"button {key} as {role}: {'refused' if denied else 'allowed'}")
    assert wrong == []
