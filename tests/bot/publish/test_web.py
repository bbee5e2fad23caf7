"""`pingyi run` serving the public site (PUBLIC_SITE_PORT), and its setting."""

from __future__ import annotations

import datetime as dt

import aiohttp
import pytest

from bot.app.config import ConfigError, load_settings
from bot.publish.web import PublicSite
from tests.bot.scoring.helpers import F, V, add_questionnaires, scoring_services

CZ = "changzhou-2011-safety"


async def test_the_served_pages_are_the_published_ones(db_url: str) -> None:
    async with scoring_services(db_url, dt.date(2011, 8, 20)) as services:
        now = [0.0]
        site = PublicSite(services.db, services.publish, port=0, ttl=30, monotonic=lambda: now[0])
        port = await site.start()
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(f"{base}/{CZ}/en/index.html") as before:
                    assert before.status == 404  # nothing published: nothing served
                for code, level in (("wujin", V), ("liyang", F)):
                    await add_questionnaires(
                        services, CZ, code, "onsite", [level] * 5, 30, "mass-rep"
                    )
                    await add_questionnaires(services, CZ, code, "questionnaire", [level] * 5, 30)
                async with services.db.unit_of_work() as uow:
                    await services.publish.publish(uow, CZ, None)
                now[0] += 31  # the rendered pages are kept for `ttl` seconds
                async with http.get(f"{base}/") as root:
                    assert root.status == 200 and root.content_type == "text/html"
                    assert f'href="{CZ}/en/index.html"' in await root.text()
                async with http.get(f"{base}/{CZ}/en/") as index:
                    text = await index.text()
                    assert index.status == 200 and "Wujin District" in text and "100.00" in text
                async with http.get(f"{base}/{CZ}/en/../../../etc/passwd") as escape:
                    assert escape.status == 404
        finally:
            await site.stop()


def test_public_site_port_is_off_when_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PUBLIC_SITE_PORT", "")
    assert load_settings().public_site_port is None
    monkeypatch.setenv("PUBLIC_SITE_PORT", "8088")
    assert load_settings().public_site_port == 8088
    monkeypatch.setenv("PUBLIC_SITE_PORT", "70000")
    with pytest.raises(ConfigError, match="PUBLIC_SITE_PORT"):
        load_settings()
