"""The route table: every feature's routes, in the order they are tried.

Both adapters walk `ROUTES`: each registers a native handler per command in
`commands()` and per button prefix in `prefixes()`, and catch-alls for the rest;
every one of them ends in `routing.run(ROUTES, …)`.  To add a feature: a module in
handlers/ with its `Routes`, and one line here (docs/architecture.md).
"""

from __future__ import annotations

from bot.telegram.common.handlers import (
    access,
    admin,
    admin_roles,
    bulletin,
    common,
    complaints,
    evaluator,
    fallback,
    inbox,
    inspections,
    links,
    privacy,
    publish,
    rectify,
    sanctions,
    survey,
)
from bot.telegram.common.routing import Route, Routes

FEATURES: tuple[Routes, ...] = (
    survey.routes,  # the questionnaire's buttons, the hot path, are matched first
    privacy.routes,  # /mydata, /forget
    admin.compose_routes,  # only admins whose broadcast draft awaits a message
    complaints.routes,  # its text/file routes only for people in the complaint flow
    survey.text_routes,  # typed text and files inside a questionnaire
    evaluator.routes,  # only its commands, refused to non-evaluators
    bulletin.routes,  # /bulletin (evaluators and admins)
    sanctions.routes,  # /sanction (evaluators), /sanction revoke (admins)
    inspections.routes,  # /inspect, /confirm, /reject, /corrected
    rectify.routes,  # 整改反馈: /plan /measure /suggestions /done /plans /approve /return
    links.routes,  # /start with a unit's payload, before the greeting's /start
    common.routes,
    access.routes,
    admin.routes,
    inbox.routes,  # /inbox (admins): waiting and parked updates, retry
    admin_roles.routes,
    publish.routes,  # /publish and /results
    fallback.routes,
)
ROUTES: tuple[Route, ...] = tuple(route for feature in FEATURES for route in feature.routes)


def commands() -> list[str]:
    """Every command some route answers, in table order (each once)."""
    return list(dict.fromkeys(name for route in ROUTES for name in route.commands))


def prefixes() -> list[str]:
    """Every button prefix some route answers, in table order (each once)."""
    return list(dict.fromkeys(route.prefix for route in ROUTES if route.prefix is not None))
