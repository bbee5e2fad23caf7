"""The HTTP face of the local Bot API: `{base}/bot<token>/<method>` and file downloads.

It speaks the same wire format as api.telegram.org (multipart/form-data,
urlencoded or JSON in; `{"ok": ...}` JSON out), so the real aiogram client
stack can be pointed at it with `TelegramAPIServer.from_base(api.base_url)`.
"""

from __future__ import annotations

import functools
import json
import time
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.localapi.errors import ApiError, bad_request, not_found
from bot.localapi.files import UploadedPart
from bot.localapi.models import ApiCall, JsonDict
from bot.localapi.state import DEFAULT_TOKEN, BotState
from bot.localapi.validate import decode_params

MAX_UPLOAD_BYTES = 50 * 1024 * 1024  # the Bot API's own upload limit
_FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
_dumps = functools.partial(json.dumps, ensure_ascii=False)


class LocalBotAPI(BotState):
    """A Telegram Bot API server on 127.0.0.1 inside this process, for demos and tests.

    Use as `async with LocalBotAPI() as api:`, then build the bot with
    `AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))`.
    """

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "pingyi_bot",
        bot_name: str = "评议",
    ) -> None:
        """Nothing listens until `start()`."""
        super().__init__(token, bot_username=bot_username, bot_name=bot_name)
        self._runner: web.AppRunner | None = None
        self._base_url: str | None = None

    @property
    def base_url(self) -> str:
        """E.g. "http://127.0.0.1:43121" (no trailing slash)."""
        if self._base_url is None:
            raise RuntimeError("LocalBotAPI is not started")
        return self._base_url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on host:port (port 0 picks a free one)."""
        if self._runner is not None:
            raise RuntimeError("LocalBotAPI is already started")
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        # Cancelling handlers of vanished clients ends long polls of stopped bots at once;
        # the short shutdown timeout keeps stop() from waiting on any that remain.
        runner = web.AppRunner(
            app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound_port = runner.addresses[0][1]
        self._runner = runner
        self._base_url = f"http://{host}:{bound_port}"

    async def stop(self) -> None:
        """Stop webhook delivery, answer pending long polls and close the socket."""
        if self.webhook is not None:
            await self.webhook.stop()
            self.webhook = None
        self.updates.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> LocalBotAPI:
        """Start on a free port."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Stop."""
        await self.stop()

    # -- HTTP -------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        file_prefix = f"/file/bot{self.token}/"
        if path.startswith(file_prefix):
            return self._serve_file(path.removeprefix(file_prefix))
        api_prefix = f"/bot{self.token}/"
        if not path.startswith(api_prefix) or "/" in path.removeprefix(api_prefix):
            return _json_response(404, not_found().to_json())
        method = path.removeprefix(api_prefix)
        try:
            params = await _read_params(request)
        except ApiError as error:
            self.calls.append(ApiCall(method, {}, error.to_json(), error.status, time.time(), None))
            return _json_response(error.status, error.to_json())
        status, body = await self.execute(method, params, alive=lambda: _alive(request))
        return _json_response(status, body)

    def _serve_file(self, file_path: str) -> web.StreamResponse:
        stored = self.files.by_path(file_path)
        if stored is None:
            return _json_response(404, not_found().to_json())
        return web.Response(
            body=stored.data, content_type=stored.mime_type or "application/octet-stream"
        )


async def _read_params(request: web.Request) -> JsonDict:
    """Query string plus body, in any of the encodings the Bot API accepts."""
    raw: dict[str, Any] = dict(request.query)
    try:
        if request.content_type == "application/json" and request.can_read_body:
            raw.update(await _json_body(request))
        elif request.content_type in _FORM_TYPES:
            form = await request.post()
            for key, value in form.items():
                raw[key] = _part(value) if isinstance(value, web.FileField) else value
    except web.HTTPRequestEntityTooLarge:
        raise ApiError(413, "Request Entity Too Large") from None
    return decode_params(raw)


async def _json_body(request: web.Request) -> JsonDict:
    try:
        body = await request.json()
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if not isinstance(body, dict):
        raise bad_request("JSON object expected")
    return body


def _part(field: web.FileField) -> UploadedPart:
    return UploadedPart(field.filename, field.content_type, field.file.read())


def _alive(request: web.Request) -> bool:
    transport = request.transport
    return transport is not None and not transport.is_closing()


def _json_response(status: int, body: JsonDict) -> web.Response:
    return web.json_response(body, status=status, dumps=_dumps)
