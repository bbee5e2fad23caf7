"""Fairness (评议纪律): voiding a respondent's answers, and flagging suspicious bursts.

Voiding sets `submissions.voided` for every questionnaire of a respondent in a
campaign, with the reason in the audit log; every score reads only non-voided
submissions.  The burst report only flags: it deletes and voids nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from bot.campaign.schema import Campaign
from bot.core.clock import Clock
from storage.access import end_membership, write_audit
from storage.admin import submitted_answers, void_drafts, void_submissions
from storage.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class Burst:
    """Accounts first seen close together that gave one unit near-identical answers."""

    campaign_id: str
    unit_id: int
    component: str
    respondent_ids: tuple[int, ...]
    first_seen_from: dt.datetime
    first_seen_to: dt.datetime
    pattern: tuple[str, ...]  # the most common answers, item by item


@dataclass(frozen=True)
class Seat:
    """A representative's withdrawn seat: the category they held, questionnaires voided."""

    category: str
    voided: int


class Fairness:
    """Voids answers (audited) and finds suspicious bursts."""

    def __init__(
        self,
        clock: Clock,
        *,
        window: dt.timedelta = dt.timedelta(minutes=30),
        min_accounts: int = 5,
        max_differences: int = 1,
    ) -> None:
        """A burst: `min_accounts` first seen within `window`, ≤ `max_differences` items apart."""
        self.clock = clock
        self.window, self.min_accounts, self.max_differences = window, min_accounts, max_differences

    async def void(
        self, uow: UnitOfWork, actor: int | None, respondent_id: int, campaign_id: str, reason: str
    ) -> int:
        """Void every questionnaire of a respondent in a campaign (audited); how many. Commits."""
        if not reason.strip():
            raise ValueError("a void needs its reason")
        now = self.clock.now()

        def write(conn: Transaction) -> int:
            count = void_submissions(conn, respondent_id, campaign_id, now)
            write_audit(
                conn,
                now,
                actor,
                "void",
                f"user {respondent_id} in {campaign_id}",
                reason,
                {"submissions": count},
            )
            return count

        return await uow.run_exclusive(write)

    async def withdraw_seat(
        self,
        uow: UnitOfWork,
        actor: int | None,
        respondent_id: int,
        campaign: Campaign,
        void_answers: bool,
        reason: str,
    ) -> Seat | None:
        """取消评议代表资格 (seed 002 六(三)): end a representative's category membership, with
        a reason (audited).  Panel components close to them: their unfinished panel
        questionnaires are voided, and with `void_answers` every questionnaire of theirs
        in the campaign.  None if they held no representative seat.  Commits."""
        if not reason.strip():
            raise ValueError("a withdrawal needs its reason")
        now = self.clock.now()
        panels = [c.id for c in campaign.components if c.categories is not None]

        def write(conn: Transaction) -> Seat | None:
            category = end_membership(conn, respondent_id, campaign.id)
            if category is None or category == campaign.public_category().id:
                return None
            voided = void_drafts(conn, respondent_id, campaign.id, panels, now)
            if void_answers:
                voided += void_submissions(conn, respondent_id, campaign.id, now)
            details: dict[str, object] = {"category": category, "voided": voided}
            subject = f"user {respondent_id} in {campaign.id}"
            write_audit(conn, now, actor, "seat_withdrawn", subject, reason, details)
            return Seat(category, voided)

        return await uow.run_exclusive(write)

    async def bursts(self, uow: UnitOfWork, campaign_id: str) -> list[Burst]:
        """Every burst in a campaign's submitted, non-voided questionnaires."""
        rows = await submitted_answers(uow, campaign_id)
        sheets: dict[tuple[int, str], dict[int, tuple[dt.datetime, dict[str, str]]]] = {}
        for unit_id, comp, rid, first_seen, item, level in rows:
            per_unit = sheets.setdefault((unit_id, comp), {})
            per_unit.setdefault(rid, (first_seen, {}))[1][item] = level
        found: list[Burst] = []
        for (unit_id, comp), people in sorted(sheets.items()):
            found += self._bursts_in(campaign_id, unit_id, comp, people)
        return found

    def _bursts_in(
        self,
        campaign_id: str,
        unit_id: int,
        comp: str,
        people: dict[int, tuple[dt.datetime, dict[str, str]]],
    ) -> list[Burst]:
        """Bursts among one unit's respondents (each respondent in at most one burst)."""
        items = sorted({i for _, answers in people.values() for i in answers})
        ordered = sorted(
            (seen, rid, tuple(answers.get(i, "") for i in items))
            for rid, (seen, answers) in people.items()
        )
        result: list[Burst] = []
        taken: set[int] = set()
        for lo, (start, _, _) in enumerate(ordered):
            group = [
                (seen, rid, vec)
                for seen, rid, vec in ordered[lo:]
                if seen - start <= self.window and rid not in taken
            ]
            if len(group) < self.min_accounts:
                continue
            pattern = Counter(vec for _, _, vec in group).most_common(1)[0][0]
            close = [
                (seen, rid)
                for seen, rid, vec in group
                if sum(x != y for x, y in zip(vec, pattern, strict=True)) <= self.max_differences
            ]
            if len(close) >= self.min_accounts:
                taken.update(rid for _, rid in close)
                result.append(
                    Burst(
                        campaign_id,
                        unit_id,
                        comp,
                        tuple(sorted(rid for _, rid in close)),
                        min(seen for seen, _ in close),
                        max(seen for seen, _ in close),
                        pattern,
                    )
                )
        return result
