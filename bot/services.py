"""Everything a handler needs, built once at start-up and passed in by middleware."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from bot.access.service import AccessService
from bot.clock import Clock
from bot.people import PeopleService
from bot.registry import Registry, load_registry
from bot.survey.service import SurveyService
from storage.uow import Database


@dataclass
class Services:
    """The engine's services over one database."""

    db: Database
    clock: Clock
    registry: Registry
    people: PeopleService
    survey: SurveyService
    access: AccessService
    default_locale: str = "zh-Hans"

    @classmethod
    async def build(
        cls, db: Database, clock: Clock, campaigns_dir: Path, default_locale: str = "zh-Hans",
        admin_ids: list[int] | tuple[int, ...] = (),
    ) -> Services:
        """Load the campaigns into `db` and wire the services."""
        registry = await load_registry(db, campaigns_dir, clock.now())
        people = PeopleService(clock, default_locale)
        survey = SurveyService(registry, clock)
        people.on_new_person.append(survey.prime_new_person)
        access = AccessService(clock, admin_ids)
        return cls(db, clock, registry, people, survey, access, default_locale)

    def now(self) -> dt.datetime:
        """The current instant."""
        return self.clock.now()
