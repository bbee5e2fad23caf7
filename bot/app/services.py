"""Everything a handler needs, built once at start-up and passed in by middleware."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.access.service import AccessService
from bot.admin.service import AdminService
from bot.campaign.schema import Campaign
from bot.complaints.service import Centre, ComplaintService
from bot.core.clock import Clock
from bot.core.registry import Registry, load_registry
from bot.people.service import PeopleService
from bot.privacy.service import PrivacyService
from bot.publish.service import PublicationService
from bot.scoring.records import Records
from bot.scoring.service import ScoringService
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
    scoring: ScoringService = field(init=False)  # the scorer (bot/scoring/service.py)
    records: Records = field(init=False)  # evaluators' marks, bonuses, inspection findings
    complaints: ComplaintService = field(init=False)  # bot/complaints/service.py
    admin: AdminService = field(init=False)  # phases, broadcasts, reminders (bot/admin/)
    publish: PublicationService = field(init=False)  # publication of results (bot/publish/)
    privacy: PrivacyService = field(init=False)  # /mydata, /forget, retention (bot/privacy/)

    @classmethod
    async def build(
        cls,
        db: Database,
        clock: Clock,
        campaigns: dict[str, Campaign],
        default_locale: str = "zh-Hans",
        admin_ids: list[int] | tuple[int, ...] = (),
        centre: Centre | None = None,
    ) -> Services:
        """Load the campaigns into `db` and wire the services."""
        registry = await load_registry(db, campaigns, clock.now())
        people = PeopleService(clock, default_locale)
        await people.load_ids(db)
        survey = SurveyService(registry, clock)
        people.on_new_person.append(survey.prime_new_person)
        access = AccessService(clock, admin_ids)
        services = cls(db, clock, registry, people, survey, access, default_locale)
        services.scoring = ScoringService(db, registry, clock)
        services.records = Records(registry, clock)
        survey.on_submitted.append(services.scoring.submitted)
        services.complaints = ComplaintService(registry, clock, access, survey, centre or Centre())
        services.admin = AdminService(db, clock, registry, default_locale)
        await services.admin.load()
        survey.phases = services.admin.phases
        services.admin.broadcaster.on_blocked.append(people.forget)
        services.publish = PublicationService(
            registry, clock, services.scoring, lambda: services.admin.broadcaster
        )
        services.privacy = PrivacyService(db, registry, clock)
        services.privacy.on_forgotten += [people.forget, survey.forget_person]
        return services

    def now(self) -> dt.datetime:
        """The current instant."""
        return self.clock.now()
