"""The public site served by `pingyi run` itself (PUBLIC_SITE_PORT), with aiohttp.

The same pages `pingyi publish --out` writes (bot/publish/site.py), rendered from
the database and kept for `ttl` seconds, so a busy day of visitors costs one
rendering per period.  A small module on purpose: an aiohttp application with one
route and a start/stop pair, which the webhook server can later share.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from aiohttp import web

from bot.publish.service import PublicationService
from bot.publish.site import published_pages
from bot.rectification.service import RectificationService
from storage.uow import Database

log = logging.getLogger(__name__)


class PublicSite:
    """Serves every published campaign's pages at `http://host:port/`."""

    def __init__(
        self,
        db: Database,
        publish: PublicationService,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        ttl: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
        rectification: RectificationService | None = None,
    ) -> None:
        """Not listening until `start()`; units' rectification shown if `rectification`."""
        self.db, self.publish, self.rectification = db, publish, rectification
        self.host, self.port, self.ttl, self.monotonic = host, port, ttl, monotonic
        self._pages: dict[str, str] = {}
        self._fresh_until = float("-inf")
        self._runner: web.AppRunner | None = None

    def application(self) -> web.Application:
        """The aiohttp application (one route: every page by its path)."""
        app = web.Application()
        app.router.add_get("/{path:.*}", self._page)
        return app

    async def start(self) -> int:
        """Listen; returns the port (useful when 0 asked for any free one)."""
        self._runner = web.AppRunner(self.application(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        port = int(self._runner.addresses[0][1])
        log.info("public site on http://%s:%s/", self.host, port)
        return port

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            runner, self._runner = self._runner, None
            await runner.cleanup()

    def invalidate(self) -> None:
        """Render again on the next request (e.g. right after a publication)."""
        self._fresh_until = float("-inf")

    async def pages(self) -> dict[str, str]:
        """Every page by relative path, rendered at most once per `ttl`."""
        if self.monotonic() >= self._fresh_until:
            async with self.db.unit_of_work() as uow:
                self._pages = await published_pages(
                    self.publish, uow, rectification=self.rectification
                )
            self._fresh_until = self.monotonic() + self.ttl
        return self._pages

    async def _page(self, request: web.Request) -> web.Response:
        """One page; a folder means its index.html; anything else is 404."""
        path = request.match_info["path"]
        if path == "" or path.endswith("/"):
            path += "index.html"
        html = (await self.pages()).get(path)
        if html is None:  # also every path with "..": only rendered pages exist
            raise web.HTTPNotFound(text="not found")
        return web.Response(text=html, content_type="text/html", charset="utf-8")
