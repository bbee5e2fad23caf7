"""The table of Bot API methods: name → handler, filled by `bot.localapi.methods`.

Its own module so that the state (which looks methods up) and the methods (which
act on the state) both import it and not each other: the methods import the
state, the state imports only this table.  The package's `__init__` imports
`methods`, so the table is full whenever anything in `bot.localapi` is imported.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One incoming call: decoded parameters, and whether the client is still connected."""

    params: JsonDict
    alive: Callable[[], bool]


# A handler takes the BotState (typed as such in `methods`) and the call.
Handler = Callable[[Any, Call], Awaitable[Any]]


@dataclass(frozen=True)
class MethodSpec:
    """A method's canonical name (as in the Bot API docs) and its handler."""

    name: str
    handler: Handler


_METHODS: dict[str, MethodSpec] = {}


def find_method(name: str) -> MethodSpec | None:
    """The method called `name`, matched case-insensitively as Telegram does."""
    return _METHODS.get(name.lower())


def method_names() -> list[str]:
    """Every implemented method, for documentation and error messages."""
    return sorted(spec.name for spec in _METHODS.values())


def method(name: str) -> Callable[[Handler], Handler]:
    """Decorator: register the handler of Bot API method `name`."""

    def register(handler: Handler) -> Handler:
        _METHODS[name.lower()] = MethodSpec(name, handler)
        return handler

    return register
