"""Wiring: a PTB Application (no Updater: updates come from the durable inbox), its
handlers — a `CommandHandler` per command and a `CallbackQueryHandler` per button
prefix of the shared route table, then catch-alls — and the local Bot API server
reached through `base_url`/`base_file_url`.

Every handler has the same callback: the update, converted to an `Incoming`, passes
the shared `Gate` (groups, flood control, per-person serialisation, the unit of work,
the locale) and then the shared routes.  The gate wraps the handler, so it lives in
the callback rather than in a `TypeHandler` of an earlier group (a group runs before
the next, it cannot hold a unit of work open around it).  A `TypeHandler(Update)` at
the end takes every other update, so each one is marked handled in its unit of work.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)
from telegram.request import BaseRequest, HTTPXRequest

from bot.app import metrics
from bot.app.services import Services
from bot.telegram.common import routing, table
from bot.telegram.common.gate import Gate
from bot.telegram.common.incoming import Incoming
from bot.telegram.ptb.convert import incoming

Context = ContextTypes.DEFAULT_TYPE
POOL = 64  # concurrent requests: the inbox workers answer many people at once
FAILURES = "failures"  # bot_data key: update id → the exception the gate raised


PtbApplication = Application[Any, Any, Any, Any, Any, Any]


class CountedRequest(HTTPXRequest):
    """httpx transport that counts each Bot API call by method and result
    (pingyi_bot_api_calls_total), as aiogram's session middleware does."""

    async def do_request(
        self, url: str, method: str, *args: Any, **kwargs: Any
    ) -> tuple[int, bytes]:
        """The call, counted: 2xx ok, 429, 403, 400, anything else other."""
        name = url.rstrip("/").rsplit("/", 1)[-1]
        try:
            code, payload = await super().do_request(url, method, *args, **kwargs)
        except Exception:
            metrics.api_call(name, "other")
            raise
        result = "ok" if 200 <= code < 300 else str(code) if code in (429, 403, 400) else "other"
        metrics.api_call(name, result)
        return code, payload


def make_application(
    token: str, api_base: str, services: Services, request: BaseRequest | None = None
) -> PtbApplication:
    """An Application talking HTML to the Bot API at `api_base`, with every route
    (`request`: another transport, as the benchmark's in-process one)."""
    base = api_base.rstrip("/")
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(f"{base}/bot")
        .base_file_url(f"{base}/file/bot")
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        .request(request or CountedRequest(connection_pool_size=POOL))
        .get_updates_request(CountedRequest(read_timeout=60))
        .updater(None)
        .build()
    )
    gate = Gate(services)
    application.bot_data.update({"gate": gate, "services": services, FAILURES: {}})
    for name in table.commands():
        application.add_handler(CommandHandler(name, _run))
    for prefix in table.prefixes():
        application.add_handler(CallbackQueryHandler(_run, pattern=f"^{re.escape(prefix)}:"))
    application.add_handler(MessageHandler(filters.ALL, _run))
    application.add_handler(CallbackQueryHandler(_run))
    application.add_handler(TypeHandler(Update, _run))
    return application


async def _run(update: Update, context: Context) -> None:
    """Every handler: the shared gate, then the shared routes.  What the gate raises
    (the database is down, say) is kept for `feed` to raise again, so the inbox retries
    the update (PTB's process_update would log and swallow it)."""
    gate: Gate = context.bot_data["gate"]
    try:
        await gate.run(incoming(update, context.bot), update.update_id, _routes)
    except Exception as exc:
        context.bot_data[FAILURES][update.update_id] = exc


async def _routes(event: Incoming, data: dict[str, Any]) -> None:
    await routing.run(table.ROUTES, event, data)
