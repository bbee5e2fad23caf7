"""Who hears about a unit's rectification, and what they think of it: followers ("follow
this unit" after a rating), the people concerned (raters, complainants, followers) and
their one verdict each on a completed plan (整改满意度)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Select, exists, func, insert, or_, select

from storage.models import Complaint, RectificationRating, Respondent, Submission, UnitFollower
from storage.uow import UnitOfWork


class FollowersRepo:
    """Followers of units and verdicts on rectification."""

    def __init__(self, uow: UnitOfWork) -> None:
        """Work within `uow`."""
        self.uow = uow

    async def follow(self, respondent_id: int, unit_id: int, now: dt.datetime) -> bool:
        """Follow a unit; False if followed already."""

        def write(conn: Connection) -> bool:
            known = conn.execute(
                select(UnitFollower.at).where(
                    UnitFollower.respondent_id == respondent_id, UnitFollower.unit_id == unit_id
                )
            ).first()
            if known is not None:
                return False
            conn.execute(
                insert(UnitFollower).values(respondent_id=respondent_id, unit_id=unit_id, at=now)
            )
            return True

        return await self.uow.run_exclusive(write)

    async def audience(self, campaign_id: str, unit_id: int) -> list[tuple[int, str]]:
        """(chat id, locale) of active people who rated, complained about or follow the unit."""
        rows = await self.uow.session.execute(
            concerned_query(campaign_id, unit_id).order_by(Respondent.id)
        )
        return [(int(uid), str(locale)) for uid, locale in rows]

    async def concerns(self, campaign_id: str, unit_id: int, respondent_id: int) -> bool:
        """Whether the person rated, complained about or follows the unit."""
        query = concerned_query(campaign_id, unit_id).where(Respondent.id == respondent_id)
        return (await self.uow.session.execute(query)).first() is not None

    async def rate(
        self,
        plan_id: int,
        campaign_id: str,
        unit_id: int,
        respondent_id: int,
        level: str,
        now: dt.datetime,
    ) -> bool:
        """The person's one verdict on the plan's rectification; False if given before."""

        def write(conn: Connection) -> bool:
            known = conn.execute(
                select(RectificationRating.level).where(
                    RectificationRating.plan_id == plan_id,
                    RectificationRating.respondent_id == respondent_id,
                )
            ).first()
            if known is not None:
                return False
            conn.execute(
                insert(RectificationRating).values(
                    plan_id=plan_id,
                    respondent_id=respondent_id,
                    campaign_id=campaign_id,
                    unit_id=unit_id,
                    level=level,
                    at=now,
                )
            )
            return True

        return await self.uow.run_exclusive(write)

    async def rating_counts(self, campaign_id: str) -> dict[int, dict[str, int]]:
        """Per unit id, the verdicts on its rectification counted per level."""
        r = RectificationRating
        rows = await self.uow.session.execute(
            select(r.unit_id, r.level, func.count())
            .where(r.campaign_id == campaign_id)
            .group_by(r.unit_id, r.level)
        )
        found: dict[int, dict[str, int]] = {}
        for unit_id, level, n in rows:
            found.setdefault(int(unit_id), {})[str(level)] = int(n)
        return found


def concerned_query(campaign_id: str, unit_id: int) -> Select[int, str]:
    """Active people who rated the unit, complained about it, or follow it."""
    rated = select(Submission.respondent_id).where(
        Submission.respondent_id == Respondent.id,
        Submission.campaign_id == campaign_id,
        Submission.unit_id == unit_id,
        Submission.status == "submitted",
    )
    complained = select(Complaint.complainant_id).where(
        Complaint.complainant_id == Respondent.id, Complaint.unit_id == unit_id
    )
    follows = select(UnitFollower.respondent_id).where(
        UnitFollower.respondent_id == Respondent.id, UnitFollower.unit_id == unit_id
    )
    return select(Respondent.id, Respondent.locale).where(
        Respondent.active.is_(True), or_(exists(rated), exists(complained), exists(follows))
    )
