"""People: who is talking to the bot, and in which language."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from typing import cast

from bot.core.clock import Clock
from bot.core.lru import LRU, MISSING
from bot.i18n import LOCALES, normalize_locale
from storage.records import RespondentRecord
from storage.repositories import RespondentRepo
from storage.uow import Database, UnitOfWork

# last_seen is refreshed at most this often, so an answer costs no extra write.
TOUCH_INTERVAL = dt.timedelta(minutes=10)


class PeopleService:
    """Registers respondents on first contact and tracks their locale."""

    def __init__(self, clock: Clock, default_locale: str, cache_size: int = 100_000) -> None:
        """Tell the time by `clock`; people with no usable language get `default_locale`."""
        self.clock = clock
        self.default_locale = default_locale
        self._known: LRU[int, RespondentRecord | None] = LRU(cache_size)
        # Every respondent id in the database, once `load_ids` ran: someone absent from
        # it is new, and their first update needs no read (a set of ints, ~60 B an id).
        self._ids: set[int] | None = None
        # Called with the user id of a person seen for the first time.
        self.on_new_person: list[Callable[[int], None]] = []

    async def load_ids(self, db: Database) -> None:
        """Read every respondent id once, at start-up."""
        async with db.unit_of_work() as uow:
            self._ids = await RespondentRepo(uow).all_ids()

    async def get(self, uow: UnitOfWork, user_id: int) -> RespondentRecord | None:
        """The stored respondent (through the cache)."""
        cached = self._known.get(user_id)
        if cached is MISSING:
            if self._ids is not None and user_id not in self._ids:
                cached = None  # not in the table: no need to ask it
            else:
                cached = await RespondentRepo(uow).get(user_id)
            self._known.put(user_id, cached)
        return cast(RespondentRecord | None, cached)

    def _stored(self, record: RespondentRecord) -> None:
        """After commit: the person is in the table and in the cache."""
        self._known.put(record.id, record)
        if self._ids is not None:
            self._ids.add(record.id)

    def forget(self, user_id: int) -> None:
        """Drop a cached person (their row changed elsewhere, e.g. marked inactive)."""
        self._known.drop(user_id)

    async def seen(
        self, uow: UnitOfWork, user_id: int, language_code: str | None
    ) -> RespondentRecord:
        """The respondent behind an update; stages their insert or refresh if due.

        A locale the person chose with /language wins over Telegram's language_code.
        Whoever registers `on_new_person` hears of people seen for the first time.
        """
        now = self.clock.now()
        known = await self.get(uow, user_id)
        if known is not None and known.locale_chosen:
            locale = known.locale
        else:
            locale = normalize_locale(language_code, self.default_locale)
        if known is None:
            record = RespondentRecord(user_id, locale, False, now, now, True)
            for listener in self.on_new_person:
                listener(user_id)
        elif known.locale != locale or not known.active or now - known.last_seen > TOUCH_INTERVAL:
            record = dataclasses.replace(known, locale=locale, last_seen=now, active=True)
        else:
            return known
        RespondentRepo(uow).stage_seen(record)
        uow.after_commit(lambda: self._stored(record))
        return record

    async def choose_locale(self, uow: UnitOfWork, user_id: int, locale: str) -> RespondentRecord:
        """Store the locale a person chose; commits."""
        if locale not in LOCALES:
            raise ValueError(f"unknown locale {locale!r}")
        known = await self.get(uow, user_id)
        now = self.clock.now()
        base = known or RespondentRecord(user_id, locale, True, now, now, True)
        record = dataclasses.replace(base, locale=locale, locale_chosen=True, last_seen=now)
        RespondentRepo(uow).stage_seen(record)
        uow.after_commit(lambda: self._stored(record))
        await uow.commit()
        return record
