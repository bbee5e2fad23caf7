"""End-to-end fixtures: the real bot, polling a local Bot API server, on a SQLite file.

Everything goes through a framework's real HTTP stack, and every end-to-end test runs
once per adapter (`framework`: aiogram, then python-telegram-bot).  `app` starts the bot
the way `pingyi run` does (`open_services`, `make_frontend`, polling through the inbox)
and can stop it and start it again on the same database file, as a restart would.  Every
wait is bounded, and after each test every Bot API call the bot made must have been
accepted, except the ones a test declared it provokes on purpose (`allow_api_error`).

Tests never guess that the bot is done from a quiet spell: `BotApp.handled(update_id)`
returns once the adapter has finished that very update (its replies sent, its unit
of work committed), which the shared gate reports to `HandledUpdates`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.app.inbox import WorkerSettings
from bot.app.runtime import background, open_services
from bot.app.services import Services
from bot.core.clock import FixedClock
from bot.localapi import ApiCall, LocalBotAPI
from bot.localapi.models import Pulse
from bot.telegram.common.flood import unhurried
from bot.telegram.common.frontend import Frontend
from bot.telegram.common.gate import Gate
from bot.telegram.common.intake import Poller, polling_through_inbox
from bot.telegram.frontends import make_frontend
from tests.storage.conftest import POSTGRES_SKIP, POSTGRES_URL, reset_postgres, sqlite_url

CAMPAIGNS = Path(__file__).resolve().parents[3] / "survey_defs"
# Inside the Changzhou 2011 questionnaire phase (2011-07-25 … 2011-08-31).
SURVEY_DAY = dt.date(2011, 8, 1)
# Seconds any single wait may take before the test fails: generous, because a wait
# ends as soon as what it waits for happens, and a loaded 2-core CI machine is slow.
WAIT = 30.0
# Retries of a failed update come quickly in tests (a real worker waits a second).
FAST_WORKER = WorkerSettings(retry_after=dt.timedelta(seconds=0.05))


def rejected_calls(api: LocalBotAPI, allowed: list[re.Pattern[str]]) -> list[ApiCall]:
    """Calls the server refused (4xx/5xx) that no test declared on purpose."""
    return [
        call
        for call in api.calls
        if call.status >= 400
        and not any(
            p.search(f"{call.method}: {call.response.get('description', '')}") for p in allowed
        )
    ]


@pytest.fixture
def allowed_api_errors() -> list[re.Pattern[str]]:
    """Patterns of refused calls a test provokes on purpose ("method: description")."""
    return []


@pytest.fixture
def allow_api_error(allowed_api_errors: list[re.Pattern[str]]) -> Callable[[str], None]:
    """Declare that a refused call matching `pattern` is expected in this test."""
    return lambda pattern: allowed_api_errors.append(re.compile(pattern))


@pytest.fixture
async def api(allowed_api_errors: list[re.Pattern[str]]) -> AsyncIterator[LocalBotAPI]:
    """A local Bot API server; afterwards, every call the bot made must have been accepted."""
    async with LocalBotAPI() as server:
        yield server
    assert server.internal_errors == [], "the local server itself failed"
    refused = rejected_calls(server, allowed_api_errors)
    assert refused == [], "the server refused calls: " + "; ".join(
        f"{c.method} {c.status} {c.response.get('description')}" for c in refused
    )


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql", marks=pytest.mark.skipif(not POSTGRES_URL, reason=POSTGRES_SKIP)
        ),
    ]
)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database that outlives a restart of the bot within one test: a SQLite
    file, and — when PINGYI_TEST_POSTGRES_URL is set — PostgreSQL with an emptied schema."""
    if request.param == "sqlite":
        return sqlite_url(tmp_path / "pingyi.db")
    await reset_postgres(POSTGRES_URL)
    return POSTGRES_URL


@pytest.fixture
def clock() -> FixedClock:
    """China time, 10:00 on a day inside the Changzhou questionnaire phase."""
    return FixedClock.on_day(SURVEY_DAY)


@contextlib.asynccontextmanager
async def polling(front: Frontend, api: LocalBotAPI) -> AsyncIterator[Poller]:
    """Poll through the durable inbox for the block, as `pingyi run` does, with bounded
    start and stop."""
    inbox = front.gate.services.inbox
    async with polling_through_inbox(front, inbox, FAST_WORKER, timeout=5) as poller:
        await api.wait_polling(timeout=WAIT)
        yield poller


class HandledUpdates:
    """Counts, per update id, how often the adapter finished with it (handled, dropped
    as a duplicate, or failed), for tests to wait on exactly the update they sent."""

    def __init__(self) -> None:
        """Nothing finished yet."""
        self.finished: Counter[int] = Counter()
        self._pulse = Pulse()

    def note(self, update_id: int) -> None:
        """The gate is done with `update_id` (its unit of work committed or failed)."""
        self.finished[update_id] += 1
        self._pulse.notify()

    def install(self, front: Frontend) -> None:
        """Hear from the adapter's gate when each update is done."""
        front.gate.on_finished.append(self.note)

    async def wait(self, update_id: int, times: int = 1, timeout: float = WAIT) -> None:
        """Return once update `update_id` was finished `times` times; TimeoutError after
        `timeout` seconds."""
        done = await self._pulse.until(
            lambda: True if self.finished[update_id] >= times else None, timeout
        )
        if done is None:
            raise TimeoutError(
                f"update {update_id} not finished {times} time(s) within {timeout}s "
                f"(finished {self.finished[update_id]})"
            )


class BotApp:
    """The real bot over one database file, which can be stopped and started again."""

    def __init__(
        self,
        api: LocalBotAPI,
        db_url: str,
        clock: FixedClock,
        framework: str = "aiogram",
        campaigns: Path = CAMPAIGNS,
    ) -> None:
        """Not running until `start()`; `framework` names the adapter; the campaign files
        are read from `campaigns`."""
        self.api, self.db_url, self.clock, self.framework = api, db_url, clock, framework
        self.campaigns = campaigns
        self.updates = HandledUpdates()  # kept across restarts: update ids are the server's
        self._stack: contextlib.AsyncExitStack | None = None
        self._services: Services | None = None
        self._front: Frontend | None = None
        self.starts = 0

    @property
    def services(self) -> Services:
        """The running bot's services."""
        assert self._services is not None, "the bot is not running"
        return self._services

    @property
    def front(self) -> Frontend:
        """The running bot's adapter."""
        assert self._front is not None, "the bot is not running"
        return self._front

    async def start(self) -> None:
        """Migrate, load the campaigns, build a new bot and dispatcher, and poll."""
        assert self._stack is None, "already running"
        stack = contextlib.AsyncExitStack()
        try:
            services = await stack.enter_async_context(
                open_services(self.db_url, self.campaigns, self.clock)
            )
            front = make_frontend(self.framework, self.api.token, self.api.base_url, services)
            stack.push_async_callback(front.close)
            self.updates.install(front)
            # Simulated people act at machine speed, far faster than the flood limit a
            # person is held to: tests of flood control put the real limit back.
            front.gate.flood = unhurried()
            await stack.enter_async_context(background(services, front.sender))
            await stack.enter_async_context(polling(front, self.api))
        except BaseException:
            await stack.aclose()
            raise
        self._stack, self._services, self._front = stack, services, front
        self.starts += 1

    @property
    def gate(self) -> Gate:
        """The running bot's update gate."""
        return self.front.gate

    async def handled(self, update_id: int, times: int = 1) -> None:
        """Return once the bot has finished update `update_id` (`times` times, for one
        redelivered): its replies are sent and its writes committed."""
        await self.updates.wait(update_id, times)

    async def stop(self) -> None:
        """Let the bot finish every update it was given, then stop polling and close the
        database (background tasks are stopped by the dispatcher's shutdown hooks)."""
        if self._stack is None:
            return
        try:
            filtered = {update["update_id"] for update in self.api.updates.filtered}
            for update_id in self.api.updates.history():
                if update_id not in filtered:
                    await self.handled(update_id)
        finally:
            stack, self._stack, self._services, self._front = self._stack, None, None, None
            await stack.aclose()

    async def restart(self) -> None:
        """Stop, then start a new bot (new services, new dispatcher) on the same file."""
        await self.stop()
        await self.start()


def _campaigns(request: pytest.FixtureRequest) -> Path:
    """The campaign files' folder: a `campaigns_dir` fixture where a test module defines
    one (e.g. with a follow-up campaign), else survey_defs/."""
    try:
        return Path(request.getfixturevalue("campaigns_dir"))
    except pytest.FixtureLookupError:
        return CAMPAIGNS


@pytest.fixture
async def app(
    api: LocalBotAPI,
    db_url: str,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
    framework: str,
    request: pytest.FixtureRequest,
) -> AsyncIterator[BotApp]:
    """The real bot, running; stopped after the test, which must have logged no error
    (a handler that raised is logged by the error handler, then papered over)."""
    caplog.set_level(logging.WARNING)
    running = BotApp(api, db_url, clock, framework, _campaigns(request))
    await running.start()
    try:
        yield running
    finally:
        await running.stop()
    records = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    errors = [r for r in records if r.levelno >= logging.ERROR]
    assert errors == [], "errors were logged: " + "; ".join(r.getMessage() for r in errors)
