"""The route table: every command, button prefix and message route, with the roles it
needs — written once, walked by both adapters.

A feature module declares its routes on a `Routes` (`routes = Routes("survey")`,
`@routes.command("survey")`, `@routes.press(AnswerItem, roles=ADMIN)`, `@routes.text(when=…)`)
and `bot/telegram/common/table.py` lists the modules in the order they are tried.  A
handler is a plain async function: its first parameter is the `Incoming`, the others are
picked by name from the update's context (`services`, `uow`, `person`, `locale`,
`callback_data`, `latest_message_id`).  It answers through `answer`/`tell`, and may raise
`Skip` to let the next matching route have the update.

`dispatch` is the one router: it walks the routes matching an update in order, checks a
route's `when` guard, then its roles (the one authorization check: "not allowed" in the
person's language otherwise), and runs it.  An adapter registers a native handler per
command and per button prefix (aiogram: `Command`, ptb: `CommandHandler`,
`CallbackQueryHandler`) plus catch-alls, each of which ends here.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

from bot.access.service import Role
from bot.app.services import Services
from bot.i18n import normalize_locale, t
from bot.telegram.common.codec import CallbackData
from bot.telegram.common.incoming import Incoming, Kind, tell
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[Any]]
Guard = Callable[..., Awaitable[bool]]

ADMIN = frozenset({Role.ADMIN})
STAFF = frozenset({Role.ADMIN, Role.EVALUATOR})
INSPECTOR = frozenset({Role.INSPECTOR})
HANDLER = frozenset({Role.HANDLER})


class Skip(Exception):
    """Raised by a handler: not mine after all, let the next matching route have it."""


@dataclass(frozen=True)
class Route:
    """One entry of the table: which updates, which handler, who may use it."""

    feature: str
    kinds: frozenset[Kind]
    handler: Handler
    roles: frozenset[Role] = frozenset()
    commands: tuple[str, ...] = ()  # for kind "command": the names it answers
    has_args: bool | None = None  # for commands: True/False restricts, None takes both
    prefix: str | None = None  # for presses: the button kind's prefix (None: any press)
    when: Guard | None = None  # an extra async condition, given the same context

    def matches(self, event: Incoming) -> bool:
        """True if this route is for `event` (the guard aside)."""
        if event.kind not in self.kinds:
            return False
        if event.kind == "command" and self.commands:
            if event.command not in self.commands:
                return False
            return self.has_args is None or self.has_args == (event.args is not None)
        if event.kind == "press" and self.prefix is not None:
            return event.callback is not None and event.callback.__prefix__ == self.prefix
        return True


class Routes:
    """The routes of one feature, declared with decorators."""

    def __init__(self, feature: str) -> None:
        """No routes yet."""
        self.feature = feature
        self.routes: list[Route] = []

    def _add(self, kinds: Iterable[Kind], **fields: Any) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            route = Route(self.feature, frozenset(kinds), handler, **fields)
            self.routes.append(route)
            return handler

        return register

    def command(
        self,
        *names: str,
        roles: frozenset[Role] = frozenset(),
        when: Guard | None = None,
        has_args: bool | None = None,
    ) -> Callable[[Handler], Handler]:
        """A handler for `/name` (any of `names`)."""
        return self._add(("command",), commands=names, roles=roles, when=when, has_args=has_args)

    def press(
        self,
        kind: type[CallbackData],
        roles: frozenset[Role] = frozenset(),
        when: Guard | None = None,
    ) -> Callable[[Handler], Handler]:
        """A handler for presses of buttons of `kind` (their data is `callback_data`)."""
        return self._add(("press",), prefix=kind.__prefix__, roles=roles, when=when)

    def messages(
        self, *kinds: Kind, roles: frozenset[Role] = frozenset(), when: Guard | None = None
    ) -> Callable[[Handler], Handler]:
        """A handler for messages of `kinds` ("text", "file", "other", "edited", "command")."""
        return self._add(kinds, roles=roles, when=when)

    def any_press(self) -> Callable[[Handler], Handler]:
        """A handler for any press no earlier route took."""
        return self._add(("press",))


async def dispatch(routes: Iterable[Route], event: Incoming, data: dict[str, Any]) -> None:
    """Run the first route that matches `event`, passes its guard and lets a `Skip` by."""
    if event.kind == "press":
        data["callback_data"] = event.callback
    for route in routes:
        if not route.matches(event):
            continue
        if route.when is not None and not await _call(route.when, event, data):
            continue
        if route.roles and not await _allowed(route.roles, event, data):
            return
        try:
            await _call(route.handler, event, data)
        except Skip:
            continue
        return


async def run(routes: Iterable[Route], event: Incoming, data: dict[str, Any]) -> None:
    """`dispatch`, and a failure logged and told in the person's language (never a crash)."""
    try:
        await dispatch(routes, event, data)
    except Exception:
        log.exception("update %s failed", event.update_id)
        try:
            await tell(event, t(normalize_locale(event.language_code), "common.error"))
        except Exception:  # the error report itself must never raise
            log.warning("could not tell user %s about the error", event.user_id)


async def _allowed(roles: frozenset[Role], event: Incoming, data: dict[str, Any]) -> bool:
    """The one authorization check; a refusal is told as an alert."""
    services: Services = data["services"]
    uow: UnitOfWork = data["uow"]
    if event.user_id is not None and any(
        g.role in roles for g in await services.access.grants(uow, event.user_id)
    ):
        return True
    await tell(event, t(data.get("locale", services.default_locale), "admin.denied"), alert=True)
    return False


_PARAMS: dict[Callable[..., Any], tuple[str, ...]] = {}


async def _call(func: Callable[..., Awaitable[Any]], event: Incoming, data: dict[str, Any]) -> Any:
    """Call a handler or guard with the event and the context values it names."""
    names = _PARAMS.get(func)
    if names is None:
        names = _PARAMS[func] = tuple(inspect.signature(func).parameters)[1:]
    return await func(event, **{n: data[n] for n in names if n in data})
